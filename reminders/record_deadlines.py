"""Reminders of the legal deadlines of the commission's records: a denunciation must be
concluded by its deadline (`extended_to`, else `due_on`), and a suspension ends on its
`ends_on` unless lifted before (cases.deadlines counts both, as the record pages do).

One rule of each kind (ReminderRule.Kind.DENUNCIATION_DEADLINE, SUSPENSION_END) sends,
per record and deadline, into the outbox:

* `d<N>` when the deadline is at most N days away (N from the rule's `days_before`, by
  default cases.deadlines.DUE_SOON_DAYS; the nearest threshold when several were reached
  at once; the last day itself is still "due soon");
* `over` from the day after the deadline;
* `e1`, `e2`, … to the leaders above the handling unit, `escalate_after_days` after the
  `over` reminder and as many again for each further level (up to `escalation_levels`).

The period of a row is `<record>:<id>:<deadline>`: a reminder is written once per record
and deadline whatever the day, and an extension that moves the deadline starts a new
period (a new "due soon" and a new "overdue" may follow). A record concluded, lifted,
extended or cancelled gets nothing more of its old period, not even what was written and
not yet sent.

Names of people (the accused, a suspended member) go only to the handling unit's staff
(reminders.recipients.Directory.staff_for, as every unit reminder): the leaders above get
the unit's name and counts, nothing that names a person — not even a case title, which
names the accused.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models.functions import Coalesce
from django.urls import reverse

from cases import deadlines
from cases.models import Case, Denunciation, Suspension
from reminders.emails import dashboard_url, site_url
from reminders.models import OutboxMessage, ReminderRule
from reminders.recipients import Directory
from reminders.writer import OutboxWriter

IN_BATCH = 5000
Kind = OutboxMessage.Kind


@dataclass(frozen=True)
class Running:
    """One record whose deadline is due soon or has passed, as a scan reads it."""

    record_id: int
    unit_id: int
    path: str
    unit: str
    parent: str
    deadline: date
    # What the handling unit's staff are told (names included): never to anyone else.
    facts: dict


@dataclass(frozen=True)
class Record:
    """How one kind of record is reminded: its period prefix, its mail kinds."""

    prefix: str
    due_kind: str
    overdue_kind: str


DENUNCIATION = Record("denunciation", Kind.DENUNCIATION_DUE, Kind.DENUNCIATION_OVERDUE)
SUSPENSION = Record("suspension", Kind.SUSPENSION_DUE, Kind.SUSPENSION_OVERDUE)


def thresholds(rule: ReminderRule) -> list[int]:
    """The rule's "days before" thresholds, nearest first (default: DUE_SOON_DAYS)."""
    return sorted({int(d) for d in rule.days_before}) or [deadlines.DUE_SOON_DAYS]


def running_denunciations(rule: ReminderRule, horizon: date) -> list[Running]:
    """Denunciations not concluded (in a case not cancelled) whose deadline is on or
    before `horizon` (one query)."""
    found = (
        Denunciation.objects.filter(concluded_on__isnull=True)
        .exclude(case__status=Case.Status.CANCELLED)
        .annotate(deadline_on=Coalesce("extended_to", "due_on"))
        .filter(deadline_on__lte=horizon)
    )
    if rule.levels:
        found = found.filter(case__organization__level__in=rule.levels)
    rows = found.values_list(
        "pk", "case_id", "case__organization_id", "case__organization__path",
        "case__organization__name", "case__organization__parent__name", "case__title",
        "case__decision_number", "received_on", "due_on", "extended_to", "deadline_on",
    ).order_by("pk")  # fmt: skip
    return [
        Running(
            record_id=pk,
            unit_id=unit_id,
            path=path,
            unit=name,
            parent=parent or "",
            deadline=deadline,
            facts={
                "title": title,
                "decision_number": number or "",
                "received_on": received_on.isoformat(),
                "first_due_on": due_on.isoformat(),
                "extended": extended_to is not None,
                "url": site_url(reverse("cases:detail", args=[case_id])),
            },
        )
        for (pk, case_id, unit_id, path, name, parent, title, number, received_on, due_on,
             extended_to, deadline) in rows.iterator(chunk_size=IN_BATCH)
    ]  # fmt: skip


def running_suspensions(rule: ReminderRule, horizon: date) -> list[Running]:
    """Suspensions not lifted whose end is on or before `horizon` (one query)."""
    found = Suspension.objects.filter(lifted_on__isnull=True, ends_on__lte=horizon)
    if rule.levels:
        found = found.filter(organization__level__in=rule.levels)
    rows = found.values_list(
        "pk", "organization_id", "organization__path", "organization__name",
        "organization__parent__name", "kind", "member_name", "member_position",
        "subject_organization__name", "decision_number", "starts_on", "ends_on",
    ).order_by("pk")  # fmt: skip
    return [
        Running(
            record_id=pk,
            unit_id=unit_id,
            path=path,
            unit=name,
            parent=parent or "",
            deadline=ends_on,
            facts={
                "suspension_kind": kind,
                "who": member_name or subject or "",
                "position": position,
                "decision_number": number or "",
                "starts_on": starts_on.isoformat(),
                "url": dashboard_url(unit_id),
            },
        )
        for (pk, unit_id, path, name, parent, kind, member_name, position, subject, number,
             starts_on, ends_on) in rows.iterator(chunk_size=IN_BATCH)
    ]  # fmt: skip


def remind(
    rule: ReminderRule,
    record: Record,
    running: list[Running],
    today: date,
    directory: Directory,
) -> tuple[OutboxWriter, int]:
    """The rows of one rule for the records `running` (read up to today + the farthest
    threshold), written by the caller; and the pending rows cancelled because their
    record no longer runs to that deadline."""
    steps = thresholds(rule)
    outbox = OutboxWriter(rule)
    overdue: Counter[int] = Counter(
        r.unit_id for r in running if deadlines.days_left(r.deadline, today) < 0
    )
    live: set[str] = set()
    for item in running:
        period = f"{record.prefix}:{item.record_id}:{item.deadline.isoformat()}"
        live.add(period)
        left = deadlines.days_left(item.deadline, today)
        state = deadlines.status(item.deadline, None, today, soon=steps[-1])
        staff = directory.staff_for(item.path)
        context = {
            "unit": item.unit,
            "unit_id": item.unit_id,
            "record_id": item.record_id,
            "due_on": item.deadline.isoformat(),
            "as_of": today.isoformat(),
            **item.facts,
        }
        if state == deadlines.Status.DUE_SOON:
            step = next(t for t in steps if left <= t)
            outbox.add(unit_id=item.unit_id, period=period, step=f"d{step}",
                       kind=record.due_kind, recipients=staff,
                       context={**context, "days_left": left})  # fmt: skip
            continue
        if state != deadlines.Status.OVERDUE:
            continue
        days_over = -left
        outbox.add(unit_id=item.unit_id, period=period, step="over", kind=record.overdue_kind,
                   recipients=staff, context={**context, "days_over": days_over})  # fmt: skip
        if not rule.escalate_after_days:
            continue
        # Counted from the `over` reminder (the first day overdue), as lag escalations are
        # counted from the first reminder.
        reached = min((days_over - 1) // rule.escalate_after_days, rule.escalation_levels)
        above = directory.leaders_above(item.path)
        for level in range(1, min(reached, len(above)) + 1):
            outbox.add(
                unit_id=item.unit_id,
                period=period,
                step=f"e{level}",
                kind=Kind.DEADLINE_ESCALATION,
                recipients=above[level - 1],
                # Beyond the unit's own staff: its name and counts, no person's name.
                context={
                    "record": record.prefix,
                    "unit": item.unit,
                    "unit_id": item.unit_id,
                    "parent": item.parent,
                    "overdue": overdue[item.unit_id],
                    "days_over": days_over,
                    "url": dashboard_url(item.unit_id),
                    "as_of": today.isoformat(),
                    "escalation": level,
                },
            )
    return outbox, cancel_stale(rule, live)


def cancel_stale(rule: ReminderRule, live: set[str]) -> int:
    """Pending rows of `rule` whose period is no longer live (the record was concluded,
    lifted, cancelled, or its deadline moved) are cancelled: nothing goes out about a
    deadline that no longer stands. Pending rows are a few minutes' worth."""
    # Unordered: the outbox's list order (newest first) would sort them for nothing.
    pending = OutboxMessage.objects.filter(
        rule=rule, status=OutboxMessage.Status.PENDING
    ).order_by()
    stale = [pk for pk, period in pending.values_list("pk", "period") if period not in live]
    cancelled = 0
    for start in range(0, len(stale), IN_BATCH):
        cancelled += OutboxMessage.objects.filter(
            pk__in=stale[start : start + IN_BATCH], status=OutboxMessage.Status.PENDING
        ).update(status=OutboxMessage.Status.CANCELLED)
    return cancelled


def scan_denunciations(
    rule: ReminderRule, today: date, directory: Directory
) -> tuple[OutboxWriter, int]:
    horizon = today + timedelta(days=thresholds(rule)[-1])
    return remind(rule, DENUNCIATION, running_denunciations(rule, horizon), today,
                  directory)  # fmt: skip


def scan_suspensions(
    rule: ReminderRule, today: date, directory: Directory
) -> tuple[OutboxWriter, int]:
    horizon = today + timedelta(days=thresholds(rule)[-1])
    return remind(rule, SUSPENSION, running_suspensions(rule, horizon), today, directory)
