"""Where the dashboard and the period report read their figures from: the live roll-up
table while a period runs, its snapshot once it has ended; a unit's subtree figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import QuerySet

from ktgs.models import Organization
from reports import progress
from reports.models import (
    PeriodSnapshot,
    ProgressRow,
    ReportPeriod,
)


@dataclass
class _Row:
    """The sub_* figures of a row read alongside its unit (see _units_with_figures)."""

    sub_quantity: int
    sub_capped_done: int
    sub_done: int
    sub_arising: int
    sub_units_with_targets: int
    sub_units_completed: int
    sub_units_lagging: int
    sub_expected: Decimal


@dataclass
class UnitProgress:
    """A unit's subtree figures. The roll-up table adds up every target's quantity
    whatever it counts; `counts` names what they all count ("cases", "members", …) when
    that is known to be one thing (see reports.queries.dashboards), None otherwise: then
    quantity and done are not one unit and are shown as such. `forecast`: the year-end
    completion at the run rate so far (reports.progress.forecast), when asked for."""

    organization: Organization
    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    expected: Fraction = Fraction(0)
    arising: int = 0
    units_with_targets: int = 0
    units_completed: int = 0
    units_lagging: int = 0
    counts: str | None = None
    forecast: Fraction | None = None

    @classmethod
    def subtree(
        cls,
        organization: Organization,
        row: ProgressRow | PeriodSnapshot | _Row | None,
        *,
        counts: str | None = None,
        year_forecast: tuple[int, date] | None = None,
    ) -> UnitProgress:
        """`year_forecast`: (year, day) to compute the forecast at the end of `year` from
        the figures as of `day`."""
        if row is None:
            return cls(organization)
        unit = cls(
            organization,
            quantity=row.sub_quantity,
            capped_done=row.sub_capped_done,
            done=row.sub_done,
            expected=Fraction(row.sub_expected),
            arising=row.sub_arising,
            units_with_targets=row.sub_units_with_targets,
            units_completed=row.sub_units_completed,
            units_lagging=row.sub_units_lagging,
            counts=counts,
        )
        if year_forecast is not None:
            unit.forecast = forecast_to_year_end(unit.capped_done, unit.quantity, *year_forecast)
        return unit

    @property
    def completion(self) -> Fraction | None:
        return progress.completion(self.capped_done, self.quantity)

    @property
    def expected_ratio(self) -> Fraction | None:
        if not self.quantity:
            return None
        return min(Fraction(1), self.expected / self.quantity)

    @property
    def coverage(self) -> Fraction | None:
        return progress.coverage(self.units_completed, self.units_with_targets)


def forecast_to_year_end(capped_done: int, quantity: int, year: int, day: date) -> Fraction | None:
    """The completion on 31 December of `year` if work goes on at the rate seen from 1
    January to `day` (reports.progress.forecast, from a row's capped done and quantity)."""
    return progress.forecast(capped_done, quantity, date(year, 1, 1), day, date(year, 12, 31))


@dataclass
class Source:
    """Where a period's figures come from: the live table while the period runs (its end
    is today or later), the period's snapshot once it has ended. `period` is None when no
    such period row exists; `available` is False when a past period has no snapshot."""

    period: ReportPeriod | None
    year: int
    as_of: date | None
    live: bool

    @property
    def available(self) -> bool:
        return self.period is not None and (self.live or self.period.snapshot_taken_at is not None)

    def day(self) -> date:
        """The day the figures are as of; only for an available source."""
        assert self.as_of is not None, "no figures for a missing period"
        return self.as_of

    def rows(self) -> QuerySet:
        """The rows of the year (every kind): ProgressRow or the period's PeriodSnapshot."""
        if self.live:
            return ProgressRow.objects.filter(year=self.year)
        return PeriodSnapshot.objects.filter(period=self.period, year=self.year)


def period_source(*, year: int, period_kind: str, today: date) -> Source:
    """One query (the period row), whatever the subtree: the dashboard's fixed cost."""
    period = ReportPeriod.objects.filter(kind=period_kind, year=year, month=0).first()
    if period is None:
        return Source(period=None, year=year, as_of=None, live=False)
    live = period.ends_on >= today
    return Source(period=period, year=year, as_of=min(period.ends_on, today), live=live)
