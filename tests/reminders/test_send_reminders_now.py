"""`manage.py send_reminders_now`: what it prints (kinds by their Vietnamese labels, never
an enum's repr) and where the links of the mails it writes lead (KTGS_SITE_URL, else the
address `make run` serves on, said on the console)."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders.models import OutboxMessage, ReminderRule
from reports import engine
from tests.factories import UserFactory
from tests.reports.test_rollup import programme, target

DAY = date(2026, 6, 3)  # B1 has done 0 of 4: behind


@pytest.fixture
def b1_behind(tree):
    ReminderRule.objects.all().delete()
    ReminderRule.objects.create(name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG)
    person = UserFactory(username="staff_b1")
    ktgs_services.grant_role(user=person, organization=tree.b1, kind=Role.Kind.STAFF)
    target(programme(tree.province), tree.b1, quantity=4)
    engine.rebuild(DAY)
    return person


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders_now", *args, stdout=out)
    return out.getvalue()


def test_without_a_site_url_the_links_use_make_runs_port_and_the_console_says_so(
    b1_behind, tree, monkeypatch
):
    monkeypatch.delenv("KTGS_SITE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    output = run("--sync", "--date", DAY.isoformat())
    assert "Chưa đặt KTGS_SITE_URL: liên kết trong thư dẫn tới http://127.0.0.1:8123" in output
    # Kinds by their labels, not "OutboxMessage.Kind.LAG: 1".
    assert "03/06/2026: 1 thư nhắc mới (Nhắc đơn vị chậm tiến độ: 1)" in output
    assert "Kind." not in output and "lag" not in output
    assert "Đã gửi 1 thư ngay trong tiến trình này." in output
    (message,) = mail.outbox
    assert f"http://127.0.0.1:8123/progress/{tree.b1.pk}/" in message.body
    row = OutboxMessage.objects.get()
    assert row.context["url"] == f"http://127.0.0.1:8123/progress/{tree.b1.pk}/"


def test_with_a_site_url_the_links_use_it_and_the_console_says_nothing_of_it(
    b1_behind, tree, monkeypatch, settings
):
    monkeypatch.setenv("KTGS_SITE_URL", "https://ktgs.example.vn")
    settings.SITE_URL = "https://ktgs.example.vn"
    output = run("--sync", "--date", DAY.isoformat())
    assert "KTGS_SITE_URL" not in output
    (message,) = mail.outbox
    assert f"https://ktgs.example.vn/progress/{tree.b1.pk}/" in message.body


def test_a_day_with_nothing_due_says_so(tree, monkeypatch):
    ReminderRule.objects.all().delete()
    monkeypatch.setenv("KTGS_SITE_URL", "http://127.0.0.1:8000")
    output = run("--sync", "--date", DAY.isoformat())
    assert "03/06/2026: 0 thư nhắc mới (không có nhắc việc đến hạn)" in output
    assert "Đã gửi 0 thư ngay trong tiến trình này." in output
