"""Reminder rules evaluated once a day: which units lag, which deadlines are near, which
rule applies and who is told. The result is rows in the outbox, written by
reminders.writer (idempotent: running the scan twice on a day, or again after a crash,
inserts nothing twice); sending them is reminders.sending's job.

Every schedule is tested "on or
after" its date, so a day the worker was down (or a quiet day: a weekend or holiday) is
caught up by the next run rather than lost; a step that several missed days made due at
once is sent once, as its latest form (the third weekly repeat, not the first three).

A lag rule reads the roll-up table, not the cases: a unit is behind when its row is
flagged lagging (reports.progress.lag, with KTGS_LAG_TOLERANCE_CASES) and the cases it
is behind, as its stored reasons count them, exceed the rule's own tolerance.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db import connection, transaction
from django.db.models import F, FilteredRelation, Max, Q
from django.utils import timezone

from cases.models import Case
from ktgs.models import Organization, Role
from plans.models import ProgrammeRequirement, Target
from reminders import lag_statements, record_deadlines, report_deadlines, sending
from reminders.emails import case_url, dashboard_url
from reminders.models import Holiday, LagEpisode, OutboxMessage, ReminderRule
from reminders.recipients import Directory
from reminders.writer import OutboxWriter, Recipient
from reports import engine, progress
from reports.models import ALL_BODIES, ALL_KINDS, Comment, ProgressRow

logger = logging.getLogger(__name__)

DIGEST_UNITS_SHOWN = 30
DIGEST_COMMENTS_SHOWN = 30
EPISODE_BATCH = 1000  # rows of one multi-row insert (3 parameters each; SQLite allows 32766)
IN_BATCH = 5000


@dataclass
class ScanResult:
    today: date
    quiet_rules: list[int] = field(default_factory=list)
    candidates: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    inserted: int = 0
    episodes_opened: int = 0
    episodes_closed: int = 0
    cancelled: int = 0
    enqueued: int = 0

    def write(self, outbox: OutboxWriter) -> None:
        """Write the rows of one rule and count them in."""
        for kind, count in outbox.candidates.items():
            self.candidates[kind] += count
        self.inserted += outbox.write()

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "quiet_rules": self.quiet_rules,
            "candidates": dict(self.candidates),
            "inserted": self.inserted,
            "episodes_opened": self.episodes_opened,
            "episodes_closed": self.episodes_closed,
            "cancelled": self.cancelled,
            "enqueued": self.enqueued,
        }


def is_quiet_day(rule: ReminderRule, day: date, holidays: set[date]) -> bool:
    return (rule.skip_weekends and day.weekday() >= 5) or (rule.skip_holidays and day in holidays)


# --- lag -----------------------------------------------------------------------------


@dataclass
class Lagging:
    unit_id: int
    path: str
    name: str
    parent: str
    quantity: int
    capped_done: int
    expected: Decimal
    behind: int
    reasons: list[dict]


def lagging_units(rule: ReminderRule, today: date) -> dict[int, Lagging]:
    """Units behind under `rule` this year, from the roll-up table (one query)."""
    rows = ProgressRow.objects.filter(
        year=today.year, kind=ALL_KINDS, body=ALL_BODIES, own_units_lagging=1
    )
    if rule.levels:
        rows = rows.filter(organization__level__in=rule.levels)
    found: dict[int, Lagging] = {}
    for (
        unit_id,
        path,
        name,
        parent,
        quantity,
        capped,
        expected,
        reasons,
        computed_on,
    ) in rows.values_list(
        "organization_id",
        "organization__path",
        "organization__name",
        "organization__parent__name",
        "own_quantity",
        "own_capped_done",
        "own_expected",
        "own_lag_reasons",
        "computed_on",
    ).iterator(chunk_size=IN_BATCH):
        behind = sum(int(reason.get("behind", 0)) for reason in reasons)
        tolerance = rule.tolerance_cases + rule.tolerance_points * quantity / 100
        if behind <= tolerance:
            continue
        # The reasons count days from the day the row was computed; say them as of today.
        shift = (today - computed_on).days
        reasons = [{**r, "days_to_due": r["days_to_due"] - shift} for r in reasons]
        found[unit_id] = Lagging(
            unit_id, path, name, parent or "", quantity, capped, expected, behind, reasons
        )
    return found


def _lag_context(unit: Lagging, today: date, *, escalation: int = 0) -> dict:
    return {
        "unit": unit.name,
        "unit_id": unit.unit_id,
        # Named with its parent in a list of units (two "Chi bộ Tổ 3" are told apart).
        "parent": unit.parent,
        "url": dashboard_url(unit.unit_id),
        "quantity": unit.quantity,
        "capped_done": unit.capped_done,
        "expected": str(unit.expected),
        "behind": unit.behind,
        "reasons": unit.reasons,
        "as_of": today.isoformat(),
        "escalation": escalation,
    }


def _track_episodes(
    rule: ReminderRule, lagging: dict[int, Lagging], today: date, result: ScanResult
) -> dict[int, date]:
    """Close the episodes of units that caught up (and cancel what they still had
    pending), open one for each unit newly behind; return when each lagging unit's open
    episode started."""
    open_now = dict(
        LagEpisode.objects.filter(rule=rule, ended_on__isnull=True).values_list(
            "organization_id", "started_on"
        )
    )
    caught_up = [unit for unit in open_now if unit not in lagging]
    for start in range(0, len(caught_up), IN_BATCH):
        chunk = caught_up[start : start + IN_BATCH]
        result.episodes_closed += LagEpisode.objects.filter(
            rule=rule, organization_id__in=chunk, ended_on__isnull=True
        ).update(ended_on=today)
        # A unit that caught up gets nothing more from this episode, not even what was
        # written and not yet sent.
        result.cancelled += OutboxMessage.objects.filter(
            rule=rule, organization_id__in=chunk, status=OutboxMessage.Status.PENDING
        ).update(status=OutboxMessage.Status.CANCELLED)
    new = [unit for unit in lagging if unit not in open_now]
    # A concurrent scan may have opened the same episode: the partial unique index skips
    # it, and theirs started today as well, so the steps below come out the same.
    # Multi-row inserts without model instances (~12k rows on a day at 10% scale); on
    # PostgreSQL one statement with the units as an array (a query of 3,000 placeholders
    # per thousand rows costs more to write and parse than to run).
    table = connection.ops.quote_name(LagEpisode._meta.db_table)
    with connection.cursor() as cursor:
        if new and connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (rule_id, organization_id, started_on) "
                "SELECT %s, unit, %s FROM unnest(%s::bigint[]) AS unit ON CONFLICT DO NOTHING",
                [rule.pk, today, new],
            )
            new_rows: list[int] = []
        else:
            new_rows = new
        for start in range(0, len(new_rows), EPISODE_BATCH):
            chunk = new_rows[start : start + EPISODE_BATCH]
            cursor.execute(
                f"INSERT INTO {table} (rule_id, organization_id, started_on) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(chunk))
                + " ON CONFLICT DO NOTHING",
                [value for unit in chunk for value in (rule.pk, unit, today)],
            )
    result.episodes_opened += len(new)
    return {unit: open_now.get(unit, today) for unit in lagging}


def scan_lag(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult, *, quiet: bool
) -> None:
    if connection.vendor == "postgresql":
        # The same rule, set-based (reminders.lag_statements); this function's
        # Python below is what SQLite runs and what those statements must match.
        counts = lag_statements.scan_lag(rule, today, quiet=quiet)
        result.episodes_closed += counts.episodes_closed
        result.cancelled += counts.cancelled
        result.episodes_opened += counts.episodes_opened
        for kind, count in counts.candidates.items():
            result.candidates[kind] += count
        result.inserted += counts.inserted
        return
    scan_lag_in_python(rule, today, directory, result, quiet=quiet)


def scan_lag_in_python(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult, *, quiet: bool
) -> None:
    lagging = lagging_units(rule, today)
    episodes = _track_episodes(rule, lagging, today, result)
    if quiet:
        return
    outbox = OutboxWriter(rule)
    for unit_id, started_on in episodes.items():
        unit = lagging[unit_id]
        days = (today - started_on).days - rule.first_after_days
        if days < 0:
            continue
        period = f"lag:{started_on.isoformat()}"
        repeat = days // rule.repeat_every_days if rule.repeat_every_days else 0
        outbox.add(
            unit_id=unit_id,
            period=period,
            step=f"r{repeat}",
            kind=OutboxMessage.Kind.LAG,
            recipients=directory.staff_for(unit.path),
            context=_lag_context(unit, today),
        )
        if not rule.escalate_after_days:
            continue
        reached = min(days // rule.escalate_after_days, rule.escalation_levels)
        above = directory.leaders_above(unit.path)
        for level in range(1, reached + 1):
            if level > len(above):
                break
            outbox.add(
                unit_id=unit_id,
                period=period,
                step=f"e{level}",
                kind=OutboxMessage.Kind.LAG_ESCALATION,
                recipients=above[level - 1],
                context=_lag_context(unit, today, escalation=level),
            )
    result.write(outbox)


# --- units without their year's programme -------------------------------------------


def scan_no_programme(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult
) -> None:
    """Units that have not issued this year's programme by their level's deadline, read
    from the roll-up table (own_units_without_programme): reminded, repeated and
    escalated as lagging units are, counted from the day after the deadline (the same
    for every unit of a level, so no episode is kept). A unit that has issued its
    programme since gets nothing more, not even what was written and not yet sent."""
    deadlines = {
        rule_.level: rule_.due_on(today.year)
        for rule_ in ProgrammeRequirement.objects.filter(is_active=True)
    }
    rows = ProgressRow.objects.filter(
        year=today.year, kind=ALL_KINDS, body=ALL_BODIES, own_units_without_programme=1
    )
    if rule.levels:
        rows = rows.filter(organization__level__in=rule.levels)
    missing = {
        unit_id: (path, name, level, parent)
        for unit_id, path, name, level, parent in rows.values_list(
            "organization_id",
            "organization__path",
            "organization__name",
            "organization__level",
            "organization__parent__name",
        ).iterator(chunk_size=IN_BATCH)
    }
    # Without the outbox's list order (newest first): a sort of every pending row, spilled
    # to disk when a day's reminders wait unsent, for a set.
    pending = OutboxMessage.objects.filter(
        rule=rule, status=OutboxMessage.Status.PENDING
    ).order_by()
    units = pending.values_list("organization_id", flat=True).distinct()
    issued = [u for u in units if u not in missing]
    for start in range(0, len(issued), IN_BATCH):
        result.cancelled += pending.filter(
            organization_id__in=issued[start : start + IN_BATCH]
        ).update(status=OutboxMessage.Status.CANCELLED)
    outbox = OutboxWriter(rule)
    period = f"programme:{today.year}"
    for unit_id, (path, name, level, parent) in missing.items():
        due = deadlines.get(level)
        if due is None:  # the level's rule was switched off since the row was computed
            continue
        late = (today - due).days
        days = late - 1 - rule.first_after_days
        if days < 0:
            continue

        def context(escalation: int, *, unit_id=unit_id, name=name, parent=parent, due=due,
                    late=late) -> dict:  # fmt: skip
            return {
                "unit": name,
                "unit_id": unit_id,
                "parent": parent or "",
                "url": dashboard_url(unit_id),
                "year": str(today.year),
                "due_on": due.isoformat(),
                "days_late": late,
                "as_of": today.isoformat(),
                "escalation": escalation,
            }

        repeat = days // rule.repeat_every_days if rule.repeat_every_days else 0
        outbox.add(
            unit_id=unit_id,
            period=period,
            step=f"r{repeat}",
            kind=OutboxMessage.Kind.NO_PROGRAMME,
            recipients=directory.staff_for(path),
            context=context(0),
        )
        if not rule.escalate_after_days:
            continue
        reached = min(days // rule.escalate_after_days, rule.escalation_levels)
        above = directory.leaders_above(path)
        for step in range(1, min(reached, len(above)) + 1):
            outbox.add(
                unit_id=unit_id,
                period=period,
                step=f"e{step}",
                kind=OutboxMessage.Kind.NO_PROGRAMME,
                recipients=above[step - 1],
                context=context(step),
            )
    result.write(outbox)


# --- deadlines -----------------------------------------------------------------------


def scan_target_due(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult
) -> None:
    """Targets not yet done whose due date is at most `days_before` days away: one
    reminder per threshold reached (the nearest one, when several were reached at once)."""
    thresholds = sorted({int(d) for d in rule.days_before})
    if not thresholds:
        return
    horizon = today + timedelta(days=thresholds[-1])
    due_soon = Target.objects.filter(
        due_on__gte=today,
        due_on__lte=horizon,
        programme__status__in=engine.COUNTED_PROGRAMME_STATUSES,
    )
    if rule.levels:
        due_soon = due_soon.filter(organization__level__in=rule.levels)
    units = dict(due_soon.values_list("organization_id", "organization__path").distinct())
    if not units:
        return
    names = dict(Organization.objects.filter(pk__in=list(units)).values_list("pk", "name"))
    outbox = OutboxWriter(rule)
    unit_ids = sorted(units)
    for start in range(0, len(unit_ids), IN_BATCH):
        # The same leaf figures the roll-up uses: in force today, done counted alike.
        leaf = engine.leaf_figures(today, unit_ids[start : start + IN_BATCH])
        for (unit_id, _year), targets in leaf.targets.items():
            for target in targets:
                days_left = (target.due - today).days
                if not 0 <= days_left <= thresholds[-1] or target.done >= target.quantity:
                    continue
                step = next(t for t in thresholds if days_left <= t)
                outbox.add(
                    unit_id=unit_id,
                    period=f"target:{target.target_id}:{target.due.isoformat()}",
                    step=f"d{step}",
                    kind=OutboxMessage.Kind.TARGET_DUE,
                    recipients=directory.staff_for(units[unit_id]),
                    context={
                        "unit": names.get(unit_id, ""),
                        "unit_id": unit_id,
                        "url": dashboard_url(unit_id),
                        "target_id": target.target_id,
                        "kind": target.kind,
                        "counts": target.counts,
                        "quantity": target.quantity,
                        "done": target.done,
                        "short_by": target.quantity - target.done,
                        "due_on": target.due.isoformat(),
                        "days_left": days_left,
                        "as_of": today.isoformat(),
                    },
                )
    result.write(outbox)


def scan_case_overdue(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult
) -> None:
    """Cases still in progress after their planned working period: one reminder per case
    and planned end (a case whose period is extended is reminded again when that passes)."""
    # Unordered: nothing here depends on the order. With the case list's order
    # (Case.Meta.ordering), this server-side cursor, planned to return its first rows
    # fast (cursor_tuple_fraction), walks case_list_order_idx over every case and
    # filters as it goes: 85–130 ms at 10% scale, against ~5 ms for the few in progress
    # found by status.
    cases = Case.objects.filter(status=Case.Status.IN_PROGRESS, work_ends_on__lt=today).order_by()
    if rule.levels:
        cases = cases.filter(organization__level__in=rule.levels)
    outbox = OutboxWriter(rule)
    for case_id, unit_id, path, name, title, number, ends_on in cases.values_list(
        "pk",
        "organization_id",
        "organization__path",
        "organization__name",
        "title",
        "decision_number",
        "work_ends_on",
    ).iterator(chunk_size=IN_BATCH):
        assert ends_on is not None  # filtered on work_ends_on < today
        outbox.add(
            unit_id=unit_id,
            period=f"case:{case_id}:{ends_on.isoformat()}",
            step="over",
            kind=OutboxMessage.Kind.CASE_OVERDUE,
            recipients=directory.staff_for(path),
            context={
                "unit": name,
                "unit_id": unit_id,
                "case_id": case_id,
                "title": title,
                "decision_number": number or "",
                "work_ends_on": ends_on.isoformat(),
                "days_over": (today - ends_on).days,
                "url": case_url(case_id),
                "as_of": today.isoformat(),
            },
        )
    result.write(outbox)


def scan_denunciation_deadline(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult
) -> None:
    """Denunciations due soon or overdue (reminders.record_deadlines)."""
    outbox, cancelled = record_deadlines.scan_denunciations(rule, today, directory)
    result.cancelled += cancelled
    result.write(outbox)


def scan_suspension_end(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult
) -> None:
    """Suspensions ending soon or past their end without being lifted."""
    outbox, cancelled = record_deadlines.scan_suspensions(rule, today, directory)
    result.cancelled += cancelled
    result.write(outbox)


def scan_report_overdue(
    rule: ReminderRule, today: date, directory: Directory, result: ScanResult
) -> None:
    """Period reports not sent by their deadline (reminders.report_deadlines)."""
    outbox, cancelled = report_deadlines.scan_reports_overdue(rule, today, directory)
    result.cancelled += cancelled
    result.write(outbox)


# --- weekly digest -------------------------------------------------------------------


def _fraction_text(ratio: Fraction | None) -> str | None:
    """A ratio kept exactly in the outbox row's JSON ("2/13"); reminders.emails turns it
    back into a Fraction for the templates' `percent` filter."""
    return None if ratio is None else str(ratio)


def _comments_since(period: str, people: list[Recipient], today: date) -> tuple[
    dict[int, datetime], list[tuple]
]:  # fmt: skip
    """When each person's last digest (of an earlier week) was written, a week before
    `today` for one who has had none; and the comments written since the earliest of
    those, sorted by the unit's path (two queries)."""
    default = timezone.make_aware(datetime.combine(today - timedelta(days=7), time.min))
    last = dict(
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.DIGEST, recipient_id__in=[p.user_id for p in people]
        )
        .exclude(period=period)
        .values("recipient_id")
        .annotate(last=Max("created_at"))
        .values_list("recipient_id", "last")
    )
    since = {p.user_id: last.get(p.user_id, default) for p in people}
    if not since:
        return since, []
    comments = sorted(
        Comment.objects.filter(created_at__gt=min(since.values())).values_list(
            "organization__path",
            "organization_id",
            "organization__name",
            "author_id",
            "author__full_name",
            "author__username",
            "created_at",
            "text",
            "organization__parent__name",
        ),
        key=lambda c: (c[0], c[6]),  # the unit's path, then created_at
    )
    return since, comments


def _comment_facts(row: tuple) -> dict:
    _path, unit_id, name, _author, full_name, username, at, text, parent = row
    return {
        "unit": name,
        "unit_id": unit_id,
        "parent": parent or "",
        "url": dashboard_url(unit_id),
        # As User.__str__ says it: the full name, else the username.
        "author": (full_name or "").strip() or username or "",
        "at": at.isoformat(),
        "text": text,
    }


def scan_digest(rule: ReminderRule, today: date, directory: Directory, result: ScanResult) -> None:
    """For each leader who wants it, once per ISO week from `rule.weekday` on: the
    lagging units of their subtree, most behind first, and the comments written on its
    units since their last digest (who, when, text; not their own). Nothing when nothing
    lags and nobody commented."""
    if today.weekday() < rule.weekday:
        return
    iso = today.isocalendar()
    period = f"week:{iso.year}-W{iso.week:02d}"
    rows = sorted(
        ProgressRow.objects.filter(
            year=today.year, kind=ALL_KINDS, body=ALL_BODIES, own_units_lagging=1
        )
        .annotate(gap=F("own_expected") - F("own_capped_done"))
        .values_list(
            "organization__path",
            "organization_id",
            "organization__name",
            "own_capped_done",
            "own_quantity",
            "gap",
            "own_lag_reasons",
            "computed_on",
            "organization__parent__name",
        )
    )
    paths = [row[0] for row in rows]
    wanting = set(
        Role.objects.filter(kind=Role.Kind.LEADER, user__digest_enabled=True).values_list(
            "user_id", flat=True
        )
    )
    # Each leader once per outermost unit they lead (a role inside a role adds nothing).
    roots: dict[Recipient, list[str]] = defaultdict(list)
    for path, people in sorted(directory.leaders().items()):
        for person in people:
            if person.user_id in wanting and not any(path.startswith(p) for p in roots[person]):
                roots[person].append(path)
    units_by_path = dict(
        Organization.objects.filter(path__in={p for ps in roots.values() for p in ps}).values_list(
            "path", "pk"
        )
    )
    # The leader's unit with its subtree figures (kind "" row), for the forecast line.
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    roots_found = (
        Organization.objects.filter(path__in=units_by_path)
        .annotate(
            row=FilteredRelation(
                "progress_rows",
                condition=Q(
                    progress_rows__year=today.year,
                    progress_rows__kind=ALL_KINDS,
                    progress_rows__body=ALL_BODIES,
                ),
            )
        )
        .values_list("path", "name", "row__sub_capped_done", "row__sub_quantity")
    )
    names = {path: name for path, name, _capped, _quantity in roots_found}
    root_figures = {
        path: (capped or 0, quantity or 0) for path, _name, capped, quantity in roots_found
    }
    since, comments = _comments_since(period, list(roots), today)
    comment_paths = [c[0] for c in comments]
    outbox = OutboxWriter(rule)
    for person, leader_paths in roots.items():
        for root_path in leader_paths:
            # Sorted by path, a subtree is one contiguous slice.
            first = bisect_left(paths, root_path)
            last = bisect_left(paths, root_path + "\uffff")
            written = [
                c
                for c in comments[
                    bisect_left(comment_paths, root_path) : bisect_left(
                        comment_paths, root_path + "\uffff"
                    )
                ]
                if c[6] > since[person.user_id] and c[3] != person.user_id
            ]
            if first == last and not written:
                continue
            chosen = sorted(rows[first:last], key=lambda r: (-r[5], r[2]))
            units = []
            for _path, unit_id, name, capped, quantity, gap, reasons, computed_on, parent in chosen[
                :DIGEST_UNITS_SHOWN
            ]:
                shift = (today - computed_on).days
                units.append(
                    {
                        "unit": name,
                        "unit_id": unit_id,
                        "parent": parent or "",
                        "url": dashboard_url(unit_id),
                        "capped_done": capped,
                        "quantity": quantity,
                        "gap": str(gap),
                        "forecast": _fraction_text(
                            progress.forecast(capped, quantity, year_start, today, year_end)
                        ),
                        "reasons": [
                            {**r, "days_to_due": r["days_to_due"] - shift} for r in reasons
                        ],
                    }
                )
            root_id = units_by_path[root_path]
            root_capped, root_quantity = root_figures.get(root_path, (0, 0))
            outbox.add(
                unit_id=root_id,
                period=period,
                step="digest",
                kind=OutboxMessage.Kind.DIGEST,
                recipients=[person],
                context={
                    "unit": names.get(root_path, ""),
                    "unit_id": root_id,
                    "url": dashboard_url(root_id),
                    "units": units,
                    "total": last - first,
                    # Dự báo cuối năm of the leader's whole unit, and its completion now.
                    "completion": _fraction_text(progress.completion(root_capped, root_quantity)),
                    "forecast": _fraction_text(
                        progress.forecast(root_capped, root_quantity, year_start, today, year_end)
                    ),
                    "week": f"{iso.week:02d}/{iso.year}",
                    "as_of": today.isoformat(),
                    # Newest first; the time kept as written, shown in local time.
                    "comments": [
                        _comment_facts(c)
                        for c in sorted(written, key=lambda c: c[6], reverse=True)[
                            :DIGEST_COMMENTS_SHOWN
                        ]
                    ],
                    "comments_total": len(written),
                },
            )
    result.write(outbox)


# --- the daily run -------------------------------------------------------------------

SCANS = {
    ReminderRule.Kind.TARGET_DUE: scan_target_due,
    ReminderRule.Kind.CASE_OVERDUE: scan_case_overdue,
    ReminderRule.Kind.DIGEST: scan_digest,
    ReminderRule.Kind.NO_PROGRAMME: scan_no_programme,
    ReminderRule.Kind.DENUNCIATION_DEADLINE: scan_denunciation_deadline,
    ReminderRule.Kind.SUSPENSION_END: scan_suspension_end,
    ReminderRule.Kind.REPORT_OVERDUE: scan_report_overdue,
}


def run_daily(today: date, *, enqueue: bool = True, quiet_days: bool = True) -> ScanResult:
    """Evaluate every active rule as of `today`, write the outbox, and (with `enqueue`)
    hand the pending rows to the send task once they are committed. Without
    `quiet_days`, weekends and holidays do not hold anything back (someone asked for the
    reminders now: `send_reminders_now`)."""
    result = ScanResult(today=today)
    holidays = set(Holiday.objects.filter(day=today).values_list("day", flat=True))
    directory = Directory()
    for rule in ReminderRule.objects.filter(is_active=True).order_by("pk"):
        quiet = quiet_days and is_quiet_day(rule, today, holidays)
        if quiet:
            result.quiet_rules.append(rule.pk)
        with transaction.atomic():
            if rule.kind == ReminderRule.Kind.LAG:
                # Episodes are tracked on quiet days too, so that "days behind" stays true.
                scan_lag(rule, today, directory, result, quiet=quiet)
            elif not quiet:
                SCANS[ReminderRule.Kind(rule.kind)](rule, today, directory, result)
    if enqueue:
        result.enqueued = sending.enqueue_pending()
    logger.info("reminders for %s: %s", today, result.as_dict())
    return result
