"""Reminders of period reports not submitted by their deadline (ReminderRule.Kind
.REPORT_OVERDUE), escalating as the lag reminders do.

Which reports are owed: of the periods a unit submits through ktgs
(reports.engine.periods.OFFERED_PERIODS) whose kind has a deadline (reports.models
.ReportDeadline, `days` after the period's end), the one of the year's cycle (quarter,
6 months, 9 months, year) whose deadline passed last as of today, and the term's
likewise. An older one is no longer reminded once the next falls due: the next report
counts from the year's start too, and reminders about a report of long ago would run
for ever (the parent's children status still shows it overdue).

Which units must report: those that can, i.e. units with staff of their own (a staff
role on the unit itself: someone to write and submit it), with a parent to send it to
(not the root), that existed on the period's last day and still exist today, of the
rule's levels when it names some. A unit whose records are kept by staff above it (a
cell without staff) is reported on by that unit, not reminded.

A unit owes the report when it has sent nothing for the period, or its report was
returned or reopened and not sent again (reports.queries.submissions.OWING, the same
"overdue" the parent's page shows). Per unit and period (`report:<period id>`):

* `r<N>` to the unit's staff from the day after the deadline (+ `first_after_days`), the
  Nth repeat every `repeat_every_days`;
* `e1`, `e2`, … to the leaders above the unit (its parent's first), `escalate_after_days`
  after the first reminder and as many again for each further level (up to
  `escalation_levels`).

A unit that submits gets nothing more for that period, not even what was written and
not yet sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse

from ktgs.models import Organization, Role
from reminders.emails import site_url
from reminders.models import OutboxMessage, ReminderRule
from reminders.recipients import Directory
from reminders.writer import OutboxWriter
from reports.engine.periods import OFFERED_PERIODS
from reports.models import ReportDeadline, ReportPeriod, ReportSubmission

IN_BATCH = 5000
Kind = OutboxMessage.Kind
# Statuses of a submission that no longer owe the report (waiting for the parent, or
# accepted); anything else (returned, reopened) or no submission at all is owed.
SENT_UP = (ReportSubmission.Status.SUBMITTED, ReportSubmission.Status.APPROVED)


@dataclass(frozen=True)
class Due:
    period: ReportPeriod
    due_on: date


def periods_due(today: date) -> list[Due]:
    """The periods whose report is owed now: of the year's reports (quarter, 6 months,
    9 months, year: each counts from the year's start), the one whose deadline passed
    last as of `today`; and of the terms, likewise. Two queries."""
    days = dict(
        ReportDeadline.objects.filter(period_kind__in=OFFERED_PERIODS).values_list(
            "period_kind", "days"
        )
    )
    found: dict[bool, Due] = {}
    candidates = ReportPeriod.objects.filter(kind__in=list(days), ends_on__lt=today)
    for period in candidates:
        due = period.ends_on + timedelta(days=days[period.kind])
        cycle = period.kind == ReportPeriod.Kind.TERM
        # Overdue from the day after the deadline, as the parent's page shows it.
        if due < today and (cycle not in found or found[cycle].due_on < due):
            found[cycle] = Due(period, due)
    return sorted(found.values(), key=lambda d: d.due_on)


def units_that_report(rule: ReminderRule, today: date) -> list[Organization]:
    """Units with staff of their own and a parent, existing today, of the rule's levels."""
    units = Organization.objects.filter(
        depth__gt=1,
        pk__in=Role.objects.filter(kind=Role.Kind.STAFF).values("organization_id"),
    ).select_related("parent")
    if rule.levels:
        units = units.filter(level__in=rule.levels)
    return [unit for unit in units.order_by("path") if unit.is_valid_on(today)]


def _report_url(unit_id: int, period: ReportPeriod) -> str:
    path = reverse("reports:period_report", args=[unit_id])
    return site_url(f"{path}?year={period.year}&period={period.kind}")


def scan_reports_overdue(
    rule: ReminderRule, today: date, directory: Directory
) -> tuple[OutboxWriter, int]:
    """The rows to write for units owing a period report, and how many pending rows of
    units that have submitted since were cancelled."""
    outbox = OutboxWriter(rule)
    owing: set[tuple[int, str]] = set()
    units = units_that_report(rule, today)
    for due in periods_due(today):
        period = due.period
        key = f"report:{period.pk}"
        reporting = [unit for unit in units if unit.is_valid_on(period.ends_on)]
        sent_up: set[int] = set()
        for start in range(0, len(reporting), IN_BATCH):
            sent_up.update(
                ReportSubmission.objects.filter(
                    period=period,
                    status__in=SENT_UP,
                    organization__in=[u.pk for u in reporting[start : start + IN_BATCH]],
                ).values_list("organization_id", flat=True)
            )
        late = (today - due.due_on).days
        days = late - 1 - rule.first_after_days
        for unit in reporting:
            if unit.pk in sent_up:
                continue
            owing.add((unit.pk, key))
            if days < 0:
                continue

            facts = {
                "unit": unit.name,
                "unit_id": unit.pk,
                "parent": unit.parent.name if unit.parent else "",
                "url": _report_url(unit.pk, period),
                # The period's title is said in the recipient's language
                # (reminders.emails): kept as the facts that make it.
                "period_kind": period.kind,
                "period_year": period.year,
                "period_month": period.month,
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
                "due_on": due.due_on.isoformat(),
                "days_late": late,
                "as_of": today.isoformat(),
            }
            repeat = days // rule.repeat_every_days if rule.repeat_every_days else 0
            outbox.add(
                unit_id=unit.pk,
                period=key,
                step=f"r{repeat}",
                kind=Kind.REPORT_OVERDUE,
                recipients=directory.staff_for(unit.path),
                context={**facts, "escalation": 0},
            )
            if not rule.escalate_after_days:
                continue
            reached = min(days // rule.escalate_after_days, rule.escalation_levels)
            above = directory.leaders_above(unit.path)
            for level in range(1, min(reached, len(above)) + 1):
                outbox.add(
                    unit_id=unit.pk,
                    period=key,
                    step=f"e{level}",
                    kind=Kind.REPORT_OVERDUE_ESCALATION,
                    recipients=above[level - 1],
                    context={**facts, "escalation": level},
                )
    # A unit that has submitted (or a period no longer reminded) gets nothing more, not
    # even what was written and not yet sent.
    cancelled = 0
    # Unordered: the outbox's list order (newest first) would sort them for nothing.
    pending = OutboxMessage.objects.filter(
        rule=rule, status=OutboxMessage.Status.PENDING
    ).order_by()
    stale = [
        pk
        for pk, unit_id, key in pending.values_list("pk", "organization_id", "period")
        if (unit_id, key) not in owing
    ]
    for start in range(0, len(stale), IN_BATCH):
        cancelled += OutboxMessage.objects.filter(
            pk__in=stale[start : start + IN_BATCH], status=OutboxMessage.Status.PENDING
        ).update(status=OutboxMessage.Status.CANCELLED)
    return outbox, cancelled
