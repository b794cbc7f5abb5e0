"""The admin speaks Vietnamese: Django's own strings newer than its Vietnamese catalogue,
and django-axes and django-celery-beat, which ship none (locale/vendor)."""

import re
import subprocess
from pathlib import Path

import django
import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

DJANGO_LOCALE = Path(django.__file__).parent / "contrib"


def msgids(po: Path) -> list[tuple[str | None, str]]:
    """The (context, msgid) pairs of a catalogue, read with GNU gettext's msgcat."""
    text = subprocess.run(
        ["msgcat", "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for entry in text.split("\n\n"):
        context = re.search(r'^msgctxt "(.*)"$', entry, re.M)
        msgid = re.search(r'^msgid "(.+)"$', entry, re.M)
        if msgid and not entry.lstrip().startswith("#~"):
            unescape = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode()  # noqa: E731
            found.append(
                (unescape(context.group(1)) if context else None, unescape(msgid.group(1)))
            )
    return found


@pytest.mark.parametrize("app", ["admin", "auth", "contenttypes", "sessions"])
def test_every_admin_string_of_django_has_vietnamese(app):
    missing = []
    with translation.override("vi"):
        for context, msgid in msgids(DJANGO_LOCALE / app / "locale/en/LC_MESSAGES/django.po"):
            said = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if said == msgid:
                missing.append(msgid)
    # Strings that read the same in both languages (a format, a proper name) are not missing.
    words = [m for m in missing if re.search(r"[a-z]{3}", re.sub(r"%\(\w+\)s", "", m))]
    assert words == []


def test_the_admin_of_axes_and_celery_beat_is_vietnamese(client, db):
    admin = UserFactory(is_superuser=True, is_staff=True, language="vi")
    client.force_login(admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Tác vụ định kỳ" in index and "Periodic Tasks" not in index
    assert "Đăng nhập và khoá tài khoản" in index and ">Axes<" not in index
    task_form = client.get(reverse("admin:django_celery_beat_periodictask_add")).content.decode()
    for english in ("Interval Schedule", "Positional Arguments", "Last Run Datetime", "Enabled"):
        assert english not in task_form, english
    assert "Lịch theo khoảng" in task_form
    AccessAttempt.objects.create(
        username="ai.do", ip_address="127.0.0.1", user_agent="thử", failures_since_start=3
    )
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Failed Logins" not in attempts and "IP Address" not in attempts
    assert "Địa chỉ IP" in attempts
