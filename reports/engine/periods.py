"""Writes of reports beyond the live roll-up table: report periods, the snapshot of a past
period's figures, and the daily points of the trend lines. Beat tasks, commands, the data
migration and tests call these."""

from __future__ import annotations

import calendar
import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ktgs.models import Organization
from reports import engine
from reports.models import (
    ALL_BODIES,
    ALL_KINDS,
    DailySnapshot,
    PeriodSnapshot,
    ProgressRow,
    ReportPeriod,
)

logger = logging.getLogger(__name__)

# The periods the dashboard offers and beat snapshots when they end. Months and terms are
# periods too (and can be snapshotted on demand), but a snapshot holds a whole table's
# rows: 12 more a year are not worth it until someone reads them.
DASHBOARD_PERIODS = (
    ReportPeriod.Kind.Q1,
    ReportPeriod.Kind.H1,
    ReportPeriod.Kind.M9,
    ReportPeriod.Kind.YEAR,
)
# Offered on the dashboard, the period report and the API: the periods above and the
# term ("từ đầu nhiệm kỳ đến nay"). Beat takes no snapshot of a term: its figures gather
# the term's years (reports.queries.sources), so they are always computed on demand.
OFFERED_PERIODS = (*DASHBOARD_PERIODS, ReportPeriod.Kind.TERM)
SNAPSHOT_BATCH = 5000
# Party congresses, and so terms, come every five years: 2020, 2025, 2030…
TERM_YEARS = 5


def standard_periods(year: int) -> list[tuple[str, int, date, date]]:
    """(kind, month, starts_on, ends_on) of a year's standard periods: the twelve months,
    Q1, 6 months, 9 months and the year, cumulative from 1 January. Units whose cut-off
    dates differ (e.g. 15/12 of the year before) edit the rows; nothing recomputes them."""

    def month_end(month: int) -> date:
        return date(year, month, calendar.monthrange(year, month)[1])

    start = date(year, 1, 1)
    rows = [(ReportPeriod.Kind.MONTH, m, date(year, m, 1), month_end(m)) for m in range(1, 13)]
    rows += [
        (ReportPeriod.Kind.Q1, 0, start, month_end(3)),
        (ReportPeriod.Kind.H1, 0, start, month_end(6)),
        (ReportPeriod.Kind.M9, 0, start, month_end(9)),
        (ReportPeriod.Kind.YEAR, 0, start, month_end(12)),
    ]
    return [(str(kind), month, starts, ends) for kind, month, starts, ends in rows]


@transaction.atomic
def ensure_periods(year: int) -> int:
    """Create the standard periods of `year` that do not exist yet; returns how many were
    created. Idempotent: existing rows (possibly edited) are left alone, and a concurrent
    run's rows are skipped by the unique constraint."""
    existing = set(ReportPeriod.objects.filter(year=year).values_list("kind", "month"))
    missing = []
    for kind, month, starts_on, ends_on in standard_periods(year):
        if (kind, month) in existing:
            continue
        period = ReportPeriod(
            kind=kind, year=year, month=month, starts_on=starts_on, ends_on=ends_on
        )
        period.full_clean(validate_constraints=False)
        missing.append(period)
    ReportPeriod.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def term_bounds(year: int) -> tuple[int, date, date]:
    """(the term's year, starts_on, ends_on) of the term that holds `year`: the term
    2025–2030 runs from 1 January 2025 to 31 December 2030 and is stored as year 2025."""
    first = year - year % TERM_YEARS
    return first, date(first, 1, 1), date(first + TERM_YEARS, 12, 31)


@transaction.atomic
def ensure_term(year: int) -> bool:
    """Create the term period that holds `year` when it does not exist yet (by default
    1 January of the congress year to 31 December of the next congress's: rows edited to
    a unit's own dates are left alone). Returns whether it was created."""
    first, starts_on, ends_on = term_bounds(year)
    if ReportPeriod.objects.filter(kind=ReportPeriod.Kind.TERM, year=first, month=0).exists():
        return False
    term = ReportPeriod(
        kind=ReportPeriod.Kind.TERM, year=first, month=0, starts_on=starts_on, ends_on=ends_on
    )
    term.full_clean(validate_constraints=False)
    return bool(ReportPeriod.objects.bulk_create([term], ignore_conflicts=True))


class PeriodNotEnded(ValueError):
    pass


def _snapshot_years(period: ReportPeriod) -> range:
    if period.kind == ReportPeriod.Kind.TERM:
        return range(period.starts_on.year, period.ends_on.year + 1)
    return range(period.year, period.year + 1)


@transaction.atomic
def snapshot_period(period: ReportPeriod, *, today: date | None = None) -> int:
    """Freeze the roll-up table as it stands at the end of `period`
    (`engine.compute_table(period.ends_on)`), replacing an earlier snapshot of it.

    Only for a period that has ended: the dashboard reads a current period from the live
    table, and a snapshot taken early would be mistaken for the final figures."""
    today = today or timezone.localdate()
    if period.ends_on >= today:
        raise PeriodNotEnded(f"{period} ends on {period.ends_on}, not before {today}")
    # Lock the period row: two runs (beat and a command) must not interleave their deletes
    # and inserts.
    period = ReportPeriod.objects.select_for_update().get(pk=period.pk)
    years = _snapshot_years(period)
    PeriodSnapshot.objects.filter(period=period).delete()
    written = engine.write_snapshot(period, years)
    period.snapshot_taken_at = timezone.now()
    period.save(update_fields=["snapshot_taken_at"])
    logger.info("snapshot of %s: %d rows", period, written)
    return written


def snapshot_ended_periods(today: date) -> list[int]:
    """Snapshot every dashboard period that has ended and has no snapshot yet (normally
    the one that ended yesterday; more if beat was down). Returns the period ids."""
    done = []
    for period in ReportPeriod.objects.filter(
        kind__in=DASHBOARD_PERIODS, ends_on__lt=today, snapshot_taken_at__isnull=True
    ).order_by("ends_on", "kind"):
        snapshot_period(period, today=today)
        done.append(period.pk)
    return done


@transaction.atomic
def take_daily_snapshot(today: date) -> int:
    """Record today's point of the trend line (subtree totals, all kinds, this year) of
    every unit no deeper than KTGS_TREND_MAX_DEPTH. Idempotent per day: a second run the
    same day overwrites the same rows (unique organisation, day, year) with the same or
    later figures."""
    rows = (
        ProgressRow.objects.filter(
            kind=ALL_KINDS,
            body=ALL_BODIES,
            year=today.year,
            organization__depth__lte=settings.KTGS_TREND_MAX_DEPTH,
        )
        .values_list("organization_id", "sub_quantity", "sub_capped_done", "sub_expected")
        .iterator(chunk_size=SNAPSHOT_BATCH)
    )
    return _write_points(today, rows)


@transaction.atomic
def take_past_daily_snapshot(day: date) -> int:
    """The trend point of a past day as that night's run would have taken it: from the
    table computed as of `day` (engine.compute_table, the rebuild's computation) instead
    of the live one. seed_demo draws the demo year's line with it."""
    shallow_units = Organization.objects.filter(depth__lte=settings.KTGS_TREND_MAX_DEPTH)
    shallow = set(shallow_units.values_list("pk", flat=True))
    rows = [
        (unit, sub.quantity, sub.capped_done, sub.expected)
        for (unit, year, kind, body), (_, sub) in engine.compute_table(day).items()
        if year == day.year and kind == ALL_KINDS and body == ALL_BODIES and unit in shallow
    ]
    return _write_points(day, rows)


def _write_points(day: date, rows) -> int:
    points = [
        DailySnapshot(
            organization_id=unit,
            taken_on=day,
            year=day.year,
            sub_quantity=quantity,
            sub_capped_done=capped,
            sub_expected=expected,
        )
        for unit, quantity, capped, expected in rows
    ]
    DailySnapshot.objects.bulk_create(
        points,
        batch_size=SNAPSHOT_BATCH,
        update_conflicts=True,
        unique_fields=["organization", "taken_on", "year"],
        update_fields=["sub_quantity", "sub_capped_done", "sub_expected"],
    )
    return len(points)
