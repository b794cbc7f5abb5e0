"""The "report overdue" reminder rule: a unit with staff of its own that has not sent its
period report by the deadline is reminded through the outbox (once per step, never
twice), repeated, escalated to its parent's leaders a week later, and left alone once it
submits; a report returned to it is owed again."""

from datetime import date, datetime, time
from typing import cast

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from ktgs import services as ktgs_services
from ktgs.models import Role, User
from reminders import report_deadlines, scan, sending
from reminders.models import OutboxMessage, ReminderRule
from reports import engine, services
from reports.engine import periods
from reports.models import ReportDeadline, ReportPeriod
from tests.factories import UserFactory

K = OutboxMessage.Kind
# The 9-month period (1/1–30/9/2026) is due on 10/10: overdue from Sunday 11/10.
DUE = date(2026, 10, 10)


@pytest.fixture(autouse=True)
def _only_the_tests_rules(db):
    ReminderRule.objects.all().delete()


@pytest.fixture
def m9_deadline(tree):
    """Only the 9-month report has a deadline here (the deadlines are data): the other
    periods' reminders are tested in test_each_kinds_latest_period_past_its_deadline."""
    ReportDeadline.objects.all().delete()
    ReportDeadline.objects.create(period_kind="m9", days=10)
    # Nothing was owed before 2026's (2025's 9 months would be, until 10/10/2026).
    ReportPeriod.objects.filter(kind="m9", year=2025).delete()
    return ReportPeriod.objects.get(kind="m9", year=2026, month=0)


@pytest.fixture
def rule(m9_deadline):
    return ReminderRule.objects.create(
        name="Nhắc gửi báo cáo định kỳ quá hạn",
        kind=ReminderRule.Kind.REPORT_OVERDUE,
        first_after_days=0,
        repeat_every_days=7,
        escalate_after_days=7,
        escalation_levels=1,
    )


@pytest.fixture
def staff_b1(tree):
    """B1 (a cell) has staff of its own, so it reports; A (staff_a, from the cast) too.
    No other unit of the tree has staff of its own: they are not reminded."""
    person = cast(User, UserFactory(username="staff_b1", language="vi", full_name="Bình"))
    ktgs_services.grant_role(user=person, organization=tree.b1, kind=Role.Kind.STAFF)
    return person


def run_day(day: date, *, send: bool = True) -> scan.ScanResult:
    """The nightly rebuild, the morning scan (quiet days included), the sender."""
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(7))), tick=False):
        engine.rebuild(day)
        result = scan.run_daily(day, enqueue=False, quiet_days=False)
        if send:
            sending.send_pending_now()
    return result


def submit(user, unit, period, day: date):
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(9))), tick=False):
        engine.rebuild(day)
        return services.submit_report(user=user, organization=unit, period=period, today=day)


def html_of(message) -> str:
    return str(cast(EmailMultiAlternatives, message).alternatives[0][0])


def sent(**filters) -> set[tuple[int, int, str]]:
    return set(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, **filters).values_list(
            "organization_id", "recipient_id", "step"
        )
    )


def test_nothing_until_the_deadline_has_passed(tree, cast, rule, staff_b1):
    assert run_day(DUE).inserted == 0
    assert mail.outbox == []


def test_the_staff_of_each_unit_owing_the_report_are_reminded_once(tree, cast, rule, staff_b1):
    first = run_day(date(2026, 10, 11))
    # A's staff and B1's staff; A1, A1a, A2 and B have no staff of their own.
    assert first.candidates == {K.REPORT_OVERDUE: 2}
    assert sent() == {(tree.a.pk, cast.staff_a.pk, "r0"), (tree.b1.pk, staff_b1.pk, "r0")}
    again = run_day(date(2026, 10, 11))
    assert (again.inserted, again.candidates) == (0, {K.REPORT_OVERDUE: 2})
    # The next days of the same week: the same step, nothing new.
    assert run_day(date(2026, 10, 14)).inserted == 0
    assert len(mail.outbox) == 2

    (to_b1,) = [m for m in mail.outbox if m.to == [staff_b1.email]]
    assert to_b1.subject == "[ktgs] Chi bộ B1 chưa gửi báo cáo 9 tháng 2026"
    html = html_of(to_b1)
    for body in (to_b1.body, html):
        assert (
            "Đến ngày 11/10/2026, Chi bộ B1 chưa gửi báo cáo 9 tháng 2026 lên Đảng ủy xã B; "
            "hạn gửi là ngày 10/10/2026 (đã quá 1 ngày)." in body
        )
        assert "thư sẽ dừng khi đơn vị gửi báo cáo" in body
    # A link to the unit's 9-month report, where its staff submit it.
    assert f"/{tree.b1.pk}/report/?year=2026&period=m9" in to_b1.body
    assert f"/{tree.b1.pk}/report/?year=2026&amp;period=m9" in html


def test_repeated_weekly_and_escalated_to_the_parents_leaders_a_week_later(
    tree, cast, rule, staff_b1
):
    run_day(date(2026, 10, 11))
    week = run_day(date(2026, 10, 18))
    assert week.candidates == {K.REPORT_OVERDUE: 2, K.REPORT_OVERDUE_ESCALATION: 2}
    assert sent(step="r1") == {(tree.a.pk, cast.staff_a.pk, "r1"), (tree.b1.pk, staff_b1.pk, "r1")}
    # A's parent is the province (leader_p), B1's is B (leader_b).
    assert sent(kind=K.REPORT_OVERDUE_ESCALATION) == {
        (tree.a.pk, cast.leader_p.pk, "e1"),
        (tree.b1.pk, cast.leader_b.pk, "e1"),
    }
    (to_leader_b,) = [m for m in mail.outbox if m.to == [cast.leader_b.email]]
    assert to_leader_b.subject == "[ktgs] Báo cáo lãnh đạo: Chi bộ B1 chưa gửi báo cáo 9 tháng 2026"
    for body in (to_leader_b.body, html_of(to_leader_b)):
        assert (
            "Chi bộ B1 (trực thuộc Đảng ủy xã B) đã được nhắc nhưng đến ngày 18/10/2026 vẫn "
            "chưa gửi báo cáo 9 tháng 2026; hạn gửi là ngày 10/10/2026 (đã quá 8 ngày)." in body
        )
    # One level only (escalation_levels=1): the province's leader never hears of B1.
    run_day(date(2026, 11, 1))
    assert not OutboxMessage.objects.filter(organization=tree.b1, step="e2").exists()
    assert not OutboxMessage.objects.filter(organization=tree.b1, recipient=cast.leader_p).exists()


def test_an_escalation_is_written_in_the_leaders_language(tree, cast, rule, staff_b1):
    cast.leader_b.language = "en"
    cast.leader_b.save(update_fields=["language"])
    run_day(date(2026, 10, 18))
    (to_leader_b,) = [m for m in mail.outbox if m.to == [cast.leader_b.email]]
    assert to_leader_b.subject == (
        "[ktgs] For the leadership: Chi bộ B1 has not submitted its 9 months 2026 report"
    )
    assert "was reminded but has still not submitted its 9 months 2026 report" in to_leader_b.body


def test_a_unit_that_submits_gets_nothing_more_and_a_returned_report_is_owed_again(
    tree, cast, rule, staff_b1, m9_deadline
):
    run_day(date(2026, 10, 11))
    submission = submit(cast.staff_a, tree.a, m9_deadline, date(2026, 10, 12))
    week = run_day(date(2026, 10, 18))
    assert not OutboxMessage.objects.filter(organization=tree.a).exclude(step="r0").exists()
    assert week.candidates == {K.REPORT_OVERDUE: 1, K.REPORT_OVERDUE_ESCALATION: 1}  # B1 only

    with time_machine.travel(
        timezone.make_aware(datetime.combine(date(2026, 10, 19), time(9))), tick=False
    ):
        services.return_report(
            user=cast.leader_p,
            submission=submission,
            comment="Thiếu số liệu tố cáo.",
            version=submission.version,
        )
    run_day(date(2026, 10, 19))
    # Owed again, as late as B1 is: the week's repeat and the escalation to the province.
    assert sent(organization=tree.a) == {
        (tree.a.pk, cast.staff_a.pk, "r0"),
        (tree.a.pk, cast.staff_a.pk, "r1"),
        (tree.a.pk, cast.leader_p.pk, "e1"),
    }


def test_what_a_unit_had_pending_is_cancelled_once_it_submits(
    tree, cast, rule, staff_b1, m9_deadline
):
    run_day(date(2026, 10, 11), send=False)  # written, not sent (the worker was down)
    submit(cast.staff_a, tree.a, m9_deadline, date(2026, 10, 12))
    result = run_day(date(2026, 10, 12), send=False)
    assert result.cancelled == 1
    statuses = dict(OutboxMessage.objects.values_list("organization_id", "status"))
    assert statuses == {tree.a.pk: "cancelled", tree.b1.pk: "pending"}


def test_units_of_other_levels_and_dissolved_units_are_not_reminded(tree, cast, rule, staff_b1):
    rule.levels = ["upper_grassroots"]
    rule.save(update_fields=["levels"])
    assert run_day(date(2026, 10, 11)).candidates == {K.REPORT_OVERDUE: 1}  # A, not B1
    tree.a.valid_to = date(2026, 10, 15)
    tree.a.save(update_fields=["valid_to"])
    assert run_day(date(2026, 10, 18)).candidates == {}


def test_one_report_of_the_years_cycle_is_owed_at_a_time_and_the_terms(tree, cast, staff_b1):
    ReportDeadline.objects.all().delete()
    for kind, days in {"month": 5, "q1": 10, "h1": 10, "m9": 10, "year": 15, "term": 30}.items():
        ReportDeadline.objects.create(period_kind=kind, days=days)

    def owed(day: date) -> list[tuple[str, int, date]]:
        return [(d.period.kind, d.period.year, d.due_on) for d in report_deadlines.periods_due(day)]

    # Monthly reports are not sent up through ktgs; the 6 months' report (counted from
    # 1 January) supersedes the first quarter's, and is superseded by the 9 months'.
    assert owed(date(2026, 10, 10)) == [("h1", 2026, date(2026, 7, 10))]
    assert owed(date(2026, 10, 11)) == [("m9", 2026, date(2026, 10, 10))]
    assert owed(date(2027, 1, 16)) == [("year", 2026, date(2027, 1, 15))]
    # The 2025–2030 term's report (due 30 January 2031) is owed beside the year's.
    periods.ensure_periods(2030)
    periods.ensure_term(2025)
    assert owed(date(2031, 1, 31)) == [
        ("year", 2030, date(2031, 1, 15)),
        ("term", 2025, date(2031, 1, 30)),
    ]
