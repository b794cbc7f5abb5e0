"""Reminders of period reports not sent the whole way, as test_reminder_delivery.py does
for lag: the daily scan writes the outbox, Redis carries the send tasks, a real Celery
worker sends over SMTP to a real server (aiosmtpd) that keeps every mail. Each due mail
arrives exactly once, to the right person and in their language; a second run, the same
day or the next, sends nothing."""

import time
import typing
from collections import Counter
from datetime import date

import pytest

from ktgs import services as ktgs_services
from ktgs.models import Organization, Role, User
from reminders import scan
from reminders.models import OutboxMessage, ReminderRule
from reports.engine import periods
from reports.models import ReportDeadline, ReportPeriod
from tests.factories import OrganizationFactory, UserFactory
from tests.reminders.test_record_deadline_delivery import KeepingSink, text_of
from tests.reminders.test_reminder_delivery import BATCH, WORKER_ENV, all_sent

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The 9-month report was due on 10 October 2026; on Monday 19 October, 9 days late: the
# second weekly reminder to each cell's staff and, a week after the first, one to B's
# leaders per cell.
TODAY = date(2026, 10, 19)
UNITS = 6


@pytest.fixture
def smtp_server():
    sink = KeepingSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def celery_worker_env(smtp_server):
    return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", **WORKER_ENV}


@pytest.fixture
def cells_owing_the_report(tree, cast, settings):
    """UNITS cells under B, each with a staff member of its own (the last one reads
    English), none of which has sent its 9-month report; the seeded rule's steps."""
    settings.KTGS_OUTBOX_BATCH = BATCH
    ReminderRule.objects.all().delete()  # the migration's rules (if any survived a flush)
    ReminderRule.objects.create(name="Nhắc gửi báo cáo định kỳ quá hạn",
                                kind=ReminderRule.Kind.REPORT_OVERDUE, repeat_every_days=7,
                                escalate_after_days=7, escalation_levels=1)  # fmt: skip
    periods.ensure_periods(2026)
    ReportDeadline.objects.all().delete()
    ReportDeadline.objects.create(period_kind="m9", days=10)
    staff = {}
    for i in range(UNITS):
        cell = typing.cast(
            Organization,
            OrganizationFactory(parent=tree.b, code=f"B-R{i}", name=f"Chi bộ chưa gửi {i}"),
        )
        language = "en" if i == UNITS - 1 else "vi"
        person = typing.cast(User, UserFactory(username=f"canbo_r{i}", language=language))
        ktgs_services.grant_role(user=person, organization=cell, kind=Role.Kind.STAFF)
        staff[person.email] = person
    return staff


def test_report_reminders_arrive_once_each_in_the_recipients_language(
    cells_owing_the_report,
    cast,
    smtp_server,
    celery_worker_process,
):
    first = scan.run_daily(TODAY)
    # Each cell's staff: the week's repeat (r1); B's leader: one escalation per cell. The
    # cast's A (staff_a) owes it too: its staff and the province's leader.
    assert (first.inserted, first.enqueued) == (2 * UNITS + 2, 2 * UNITS + 2)
    assert Counter(OutboxMessage.objects.values_list("step", flat=True)) == {
        "r1": UNITS + 1,
        "e1": UNITS + 1,
    }
    all_sent(celery_worker_process)
    wanted = list(OutboxMessage.objects.values_list("message_id", flat=True))
    assert sorted(smtp_server.message_ids) == sorted(wanted)  # each exactly once
    assert smtp_server.duplicates() == 0

    received = Counter(address for recipients, _ in smtp_server.mails for address in recipients)
    assert received == Counter({**dict.fromkeys(cells_owing_the_report, 1),
                                cast.leader_b.email: UNITS,
                                cast.staff_a.email: 1, cast.leader_p.email: 1})  # fmt: skip
    period = ReportPeriod.objects.get(kind="m9", year=2026, month=0)
    for recipients, message in smtp_server.mails:
        text = text_of(message)
        assert "/report/?year=2026&period=m9" in text
        if recipients in ([cast.staff_a.email], [cast.leader_p.email]):
            assert "Đảng ủy Khối A" in text
            continue
        if recipients == [cast.leader_b.email]:
            assert (
                str(message["Subject"])
                .strip()
                .startswith("[ktgs] Báo cáo lãnh đạo: Chi bộ chưa gửi ")
            )
            assert "(trực thuộc Đảng ủy xã B) đã được nhắc" in text
            continue
        (address,) = recipients
        if cells_owing_the_report[address].language == "en":
            assert str(message["Subject"]).strip() == (
                f"[ktgs] Chi bộ chưa gửi {UNITS - 1} has not submitted its 9 months 2026 report"
            )
        else:
            assert "chưa gửi báo cáo 9 tháng 2026 lên Đảng ủy xã B" in text
            assert "hạn gửi là ngày 10/10/2026 (đã quá 9 ngày)" in text
    assert period.submissions.count() == 0

    # The same day again, and the next day: nothing more is written or sent.
    for day in (TODAY, date(2026, 10, 20)):
        again = scan.run_daily(day)
        assert (again.inserted, again.enqueued) == (0, 0)
    time.sleep(2)  # anything wrongly enqueued would have reached the server by now
    assert sorted(smtp_server.message_ids) == sorted(wanted)
