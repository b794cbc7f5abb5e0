"""The "no programme" reminder rule: a unit that has not issued its year's programme by
its level's deadline is reminded through the outbox (once per step, never twice),
repeated, escalated to the leaders above it, and left alone once it issues it."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders import scan, sending
from reminders.models import OutboxMessage, ReminderRule
from reports import engine
from tests.factories import UserFactory
from tests.reports.test_rollup import programme

K = OutboxMessage.Kind


@pytest.fixture(autouse=True)
def _only_the_tests_rules(db):
    ReminderRule.objects.all().delete()


@pytest.fixture
def rule(programme_rules):
    return ReminderRule.objects.create(
        name="Nhắc chưa có chương trình",
        kind=ReminderRule.Kind.NO_PROGRAMME,
        levels=["cell"],  # only cells here: B1 and A1a
        first_after_days=0,
        repeat_every_days=7,
        escalate_after_days=14,
        escalation_levels=2,
    )


@pytest.fixture
def staff_b1(tree):
    person = UserFactory(username="staff_b1", language="vi")
    ktgs_services.grant_role(user=person, organization=tree.b1, kind=Role.Kind.STAFF)
    return person


@pytest.fixture
def year_started(tree, rule, cast, staff_b1):
    """The province and A1a issued their 2026 programmes; B1 has not."""
    programme(tree.province)
    programme(tree.a1a)


def run_day(day: date) -> scan.ScanResult:
    """The nightly rebuild, the morning scan (quiet days included), the sender."""
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(7))), tick=False):
        engine.rebuild(day)
        result = scan.run_daily(day, enqueue=False, quiet_days=False)
        sending.send_pending_now()
    return result


def sent(**filters) -> set[tuple[int, str]]:
    return set(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, **filters).values_list(
            "recipient_id", "step"
        )
    )


def test_nothing_before_the_deadline_has_passed(tree, year_started):
    assert run_day(date(2026, 1, 31)).inserted == 0
    assert mail.outbox == []


def test_the_units_staff_are_reminded_once_with_what_is_missing(tree, cast, year_started, staff_b1):
    first = run_day(date(2026, 2, 3))
    assert first.candidates == {K.NO_PROGRAMME: 1}  # B1's staff; A1a issued its programme
    again = run_day(date(2026, 2, 3))
    assert again.inserted == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff_b1.email]
    assert (
        message.subject == "[ktgs] Chi bộ B1 chưa ban hành chương trình kiểm tra, giám sát năm 2026"
    )
    assert message.body.startswith(f"Kính gửi {staff_b1},")
    assert (
        "Đến ngày 03/02/2026, Chi bộ B1 chưa ban hành chương trình kiểm tra, giám sát năm 2026; "
        "hạn ban hành là ngày 31/01/2026 (đã quá 3 ngày)." in message.body
    )
    assert f"http://127.0.0.1:8000/progress/{tree.b1.pk}/" in message.body
    assert "thư sẽ dừng khi đơn vị ban hành chương trình" in message.body
    html = message.alternatives[0][0]
    assert "Đến ngày 03/02/2026, Chi bộ B1 chưa ban hành chương trình" in html
    assert f'href="http://127.0.0.1:8000/progress/{tree.b1.pk}/"' in html
    row = OutboxMessage.objects.get()
    assert (row.period, row.step, row.kind) == ("programme:2026", "r0", K.NO_PROGRAMME)


def test_repeated_weekly_escalated_upward_and_stopped_once_issued(
    tree, cast, year_started, staff_b1
):
    run_day(date(2026, 2, 2))
    run_day(date(2026, 2, 9))  # a week after the first day late (1/2)
    assert sent(recipient=staff_b1) == {(staff_b1.pk, "r0"), (staff_b1.pk, "r1")}
    run_day(date(2026, 2, 16))  # 15 days late: to the leaders of B, B1's parent
    assert (cast.leader_b.pk, "e1") in sent()
    escalation = next(m for m in mail.outbox if m.to == [cast.leader_b.email])
    assert escalation.subject == (
        "[ktgs] Báo cáo lãnh đạo: Chi bộ B1 chưa ban hành chương trình kiểm tra, giám sát năm 2026"
    )
    assert escalation.body.startswith(f"Kính gửi đồng chí {cast.leader_b},")
    assert "Chi bộ B1 (trực thuộc Đảng ủy xã B) đã được nhắc nhưng đến ngày 16/02/2026" in (
        escalation.body
    )
    assert "Chi bộ B1 (trực thuộc Đảng ủy xã B) đã được nhắc" in escalation.alternatives[0][0]
    run_day(date(2026, 3, 2))  # 29 days late: one level further, the province's leaders
    assert (cast.leader_p.pk, "e2") in sent()
    assert not any(who == cast.staff_a.pk for who, _ in sent())  # not their unit

    programme(tree.b1)  # B1 issues its programme: no more reminders
    before = OutboxMessage.objects.count()
    run_day(date(2026, 3, 9))
    assert OutboxMessage.objects.count() == before
    # Every row became exactly one mail.
    assert len(mail.outbox) == OutboxMessage.objects.filter(status="sent").count()


def test_a_pending_reminder_is_cancelled_when_the_programme_is_issued(tree, year_started):
    day = date(2026, 2, 3)
    engine.rebuild(day)
    scan.run_daily(day, enqueue=False, quiet_days=False)  # written, not yet sent
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 1
    programme(tree.b1)
    engine.refresh_units([tree.b1.pk], day)
    result = scan.run_daily(day, enqueue=False, quiet_days=False)
    assert result.cancelled == 1
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()


def test_the_mail_is_in_the_recipients_language(tree, year_started, staff_b1):
    staff_b1.language = "en"
    staff_b1.save()
    run_day(date(2026, 2, 3))
    (message,) = mail.outbox
    assert message.subject == (
        "[ktgs] Chi bộ B1 has not issued its 2026 inspection and supervision programme"
    )
    assert "the deadline was 01/31/2026 (3 days ago)" in message.body
    assert "it stops once the unit issues its programme" in message.alternatives[0][0]
