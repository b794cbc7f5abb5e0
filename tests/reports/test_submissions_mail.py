"""A reopened report tells the leaders of the approving unit (the parent) by mail, over
SMTP to a real server (aiosmtpd): each leader once, in their language, with the reason;
the event is claimed before sending, so running the send again sends nothing. The whole
way too: the task enqueued on commit, Redis, a real Celery worker."""

import time
from typing import cast as typed

import pytest
import time_machine

from ktgs import services as ktgs_services
from ktgs.models import Role, User
from reports import mail, services
from reports.engine import periods
from reports.models import ReportDeadline, ReportEvent, ReportPeriod
from tests.factories import UserFactory
from tests.reminders.test_record_deadline_delivery import KeepingSink, text_of
from tests.reports.test_rollup import case
from tests.reports.test_submissions import DEADLINES, TODAY, figures_2026, submit

__all__ = ["figures_2026"]  # a fixture used here

REASON = "Đơn vị A1 báo bổ sung một cuộc kiểm tra."


@pytest.fixture
def smtp_server():
    sink = KeepingSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def leaders(tree, cast) -> list[User]:
    """P's leaders: leader_p reads Vietnamese, a second one English; a leader of B (not
    A's parent) and one without an address get nothing."""
    english = typed(User, UserFactory(username="leader_p_en", language="en"))
    ktgs_services.grant_role(user=english, organization=tree.province, kind=Role.Kind.LEADER)
    silent = typed(User, UserFactory(username="no_address", email=""))
    ktgs_services.grant_role(user=silent, organization=tree.province, kind=Role.Kind.LEADER)
    return [cast.leader_p, english]


def approved_then_reopened(user_cast, tree):
    for kind, days in DEADLINES.items():
        ReportDeadline.objects.update_or_create(period_kind=kind, defaults={"days": days})
    m9 = ReportPeriod.objects.get(kind="m9", year=2026, month=0)
    submission = submit(user_cast.staff_a, tree.a, m9)
    services.approve_report(user=user_cast.leader_p, submission=submission, version=1)
    services.reopen_report(user=user_cast.leader_p, submission=submission, reason=REASON, version=2)
    return ReportEvent.objects.get(action="reopened")


@time_machine.travel(TODAY, tick=False)
def test_the_parents_leaders_are_told_once_in_their_language(
    cast, tree, figures_2026, leaders, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = approved_then_reopened(cast, tree)
    assert len(callbacks) == 1  # the send task, enqueued once the reopening commits
    assert event.mail == ReportEvent.Mail.PENDING

    assert mail.send_event_mail(event.pk) == 2
    assert mail.send_event_mail(event.pk) == 0  # claimed already: nothing twice
    event.refresh_from_db()
    assert event.mail == ReportEvent.Mail.SENT
    by_address = {recipients[0]: message for recipients, message in smtp_server.mails}
    assert sorted(by_address) == sorted(leader.email for leader in leaders)
    assert smtp_server.duplicates() == 0

    vi = by_address[cast.leader_p.email]
    subject = str(vi["Subject"]).strip()
    assert subject == "[ktgs] Báo cáo 9 tháng 2026 — Đảng ủy Khối A đã được mở lại"
    for part in ("text/plain", "text/html"):
        body = next(p for p in vi.walk() if p.get_content_type() == part).get_content()
        assert REASON in body
        assert "Lý do mở lại" in body
        assert f"/progress/{tree.a.pk}/report/?year=2026" in body
    en = by_address[leaders[1].email]
    assert str(en["Subject"]).strip().endswith(" has been reopened")
    assert "Reason for reopening" in text_of(en)
    assert REASON in text_of(en)


@pytest.fixture
def celery_worker_env(smtp_server):
    return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_reopening_mail_goes_the_whole_way_through_the_worker(
    cast, tree, leaders, smtp_server, celery_worker_process
):
    periods.ensure_periods(2026)
    with time_machine.travel(TODAY, tick=False):
        case(tree.a1, concluded_on=TODAY.replace(month=5))
        event = approved_then_reopened(cast, tree)

    celery_worker_process.wait_for(
        lambda: ReportEvent.objects.get(pk=event.pk).mail == ReportEvent.Mail.SENT,
        timeout=60,
        what="the reopening mail to be sent",
    )
    assert sorted(r[0] for r, _m in smtp_server.mails) == sorted(u.email for u in leaders)
    time.sleep(1)  # anything sent twice would have arrived by now
    assert smtp_server.duplicates() == 0
