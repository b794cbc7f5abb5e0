"""The last step of `seed_demo`: after the programmes and cases of the year (demo or
synthetic), rebuild the roll-up table so that the dashboards show it at once. For the demo
province, also what beat would have left behind had it run all year: the snapshots of the
periods that have ended and the points of the trend lines."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.utils import timezone

from devtools import bulk
from devtools.demo.province import DemoTree
from reports import engine
from reports.engine import periods
from reports.models import DailySnapshot, ReportPeriod

# One trend point a week (and one at each period's end): a point is the whole table
# computed as of its day, ~0.2 s on SQLite for the demo, so a daily line would add a
# minute to the first `make run`; a week apart the line looks the same.
TREND_STEP_DAYS = 7


def seed_demo(*, tree, seed: int, stdout) -> None:
    started = time.monotonic()
    today = timezone.localdate()
    result = engine.rebuild(today)
    stdout.write(
        f"Progress table rebuilt: {result.rows:,} rows ({result.inserted:,} inserted, "
        f"{result.updated:,} updated, {result.deleted:,} deleted) "
        f"in {time.monotonic() - started:.1f} s."
    )
    if isinstance(tree, DemoTree):
        seed_past_figures(today, stdout=stdout)
    bulk.analyze()


def seed_past_figures(today: date, *, stdout) -> None:
    """The snapshots of the demo year's ended periods and its trend points, each as of its
    own day; only those missing (a second run, or one on a later day, adds what is new)."""
    started = time.monotonic()
    periods.ensure_periods(today.year)
    periods.ensure_term(today.year)
    ended = ReportPeriod.objects.filter(
        year=today.year,
        kind__in=periods.DASHBOARD_PERIODS,
        ends_on__lt=today,
        snapshot_taken_at__isnull=True,
    ).order_by("ends_on")
    snapshots = [periods.snapshot_period(period, today=today) for period in ended]
    days = {date(today.year, 1, 1) + timedelta(days=n) for n in range(0, 366, TREND_STEP_DAYS)}
    days |= set(
        ReportPeriod.objects.filter(
            year=today.year, kind__in=periods.DASHBOARD_PERIODS
        ).values_list("ends_on", flat=True)
    )
    have = set(
        DailySnapshot.objects.filter(year=today.year).values_list("taken_on", flat=True).distinct()
    )
    missing = sorted(day for day in days if day < today and day.year == today.year)
    points = [periods.take_past_daily_snapshot(day) for day in missing if day not in have]
    periods.take_daily_snapshot(today)
    if snapshots or points:
        stdout.write(
            f"Past figures {today.year}: {len(snapshots)} period snapshots, "
            f"{len(points) + 1} trend days in {time.monotonic() - started:.1f} s."
        )
