"""Where the dashboard and the period report read their figures from: the live roll-up
table while a period runs, its snapshot once it has ended, computed on demand for a past
period without a snapshot and for the term; a unit's subtree figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet
from django.utils import timezone

from ktgs.models import Organization
from reports import engine, progress
from reports.models import (
    ALL_BODIES,
    FIGURES,
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
    sub_units_without_programme: int
    sub_grassroots_committees_planned: int
    sub_grassroots_committees_completed: int
    sub_grassroots_cells_planned: int
    sub_grassroots_cells_completed: int
    sub_committee_cells_planned: int
    sub_committee_cells_completed: int
    sub_below_grassroots_planned: int
    sub_below_grassroots_completed: int
    sub_expected: Decimal

    @classmethod
    def of(cls, figures: engine.Own | None) -> _Row | None:
        """The row of figures computed on demand (reports.engine.subtree_figures)."""
        if figures is None:
            return None
        return cls(**{f"sub_{name}": getattr(figures, name) for name in (*FIGURES, "expected")})


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
    # Units of the subtree without the year's programme (from the all-kinds row, whatever
    # kind is shown), and whether the unit itself is one of them (None: not known, for a
    # unit with units below it in figures computed on demand, which give subtree totals).
    units_without_programme: int = 0
    without_programme: bool | None = False
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
            units_without_programme=row.sub_units_without_programme,
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
    is today or later), the period's snapshot once it has ended, and otherwise computed
    on demand as of the period's end (`computed`: a past period without a snapshot, and
    the term, whose figures gather several years). `period` is None when no such period
    row exists. `computed_at` is set when the computed figures were read."""

    period: ReportPeriod | None
    year: int
    as_of: date | None
    live: bool
    computed: bool = False
    computed_at: datetime | None = None

    @property
    def available(self) -> bool:
        return self.period is not None

    @property
    def snapshot(self) -> bool:
        """The figures are the period's snapshot (frozen at its end)."""
        return self.available and not self.live and not self.computed

    @property
    def to_today(self) -> bool:
        """The figures are as of today, the period still running."""
        return self.live or (
            self.period is not None and self.as_of is not None and self.as_of < self.period.ends_on
        )

    def day(self) -> date:
        """The day the figures are as of; only for an available source."""
        assert self.as_of is not None, "no figures for a missing period"
        return self.as_of

    def years(self) -> range:
        """The years of targets and arising cases the figures gather: the period's year,
        or every year of a term."""
        if self.period is not None and self.period.kind == ReportPeriod.Kind.TERM:
            return range(self.period.starts_on.year, self.period.ends_on.year + 1)
        return range(self.year, self.year + 1)

    def rows(self, *, body: str | None = ALL_BODIES) -> QuerySet:
        """The rows of the year (every kind) of a live or snapshot source: ProgressRow or
        the period's PeriodSnapshot; of all bodies together (the default), of one body,
        or every row (body None)."""
        assert not self.computed, "a computed source has no rows"
        rows: QuerySet
        if self.live:
            rows = ProgressRow.objects.filter(year=self.year)
        else:
            rows = PeriodSnapshot.objects.filter(period=self.period, year=self.year)
        return rows if body is None else rows.filter(body=body)


def source_of(period: ReportPeriod | None, *, year: int, today: date) -> Source:
    if period is None:
        return Source(period=None, year=year, as_of=None, live=False)
    as_of = min(period.ends_on, today)
    if period.kind == ReportPeriod.Kind.TERM:
        return Source(period=period, year=year, as_of=as_of, live=False, computed=True)
    live = period.ends_on >= today
    computed = not live and period.snapshot_taken_at is None
    return Source(period=period, year=year, as_of=as_of, live=live, computed=computed)


def period_filter(period_kind: str, year: int) -> Q:
    """The period row of `period_kind` for `year`: the one of that year, or for the term,
    the term that covers the year (the latest begun, where two share their congress
    year; order by -starts_on and take the first)."""
    if period_kind == ReportPeriod.Kind.TERM:
        return Q(
            kind=period_kind,
            month=0,
            starts_on__lte=date(year, 12, 31),
            ends_on__gte=date(year, 1, 1),
        )
    return Q(kind=period_kind, year=year, month=0)


def period_source(*, year: int, period_kind: str, today: date) -> Source:
    """One query (the period row), whatever the subtree: the dashboard's fixed cost."""
    period = ReportPeriod.objects.filter(period_filter(period_kind, year)).order_by("-starts_on")
    return source_of(period.first(), year=year, today=today)


def computed_figures(
    organization: Organization, source: Source, *, kind: str | None, lagging: int = 0
) -> engine.SubtreeFigures:
    """A computed source's figures for the organisation's subtree (reports.engine
    subtree_figures as of the source's day); notes the time on the source."""
    figures = engine.subtree_figures(
        organization, source.day(), source.years(), kind=kind, lagging=lagging
    )
    source.computed_at = timezone.now()
    return figures
