"""The numbers ktgs computes (DESIGN.md §3), as pure functions of plain values.

No Django, no database: the roll-up table code and the tests feed this module counts and
dates and get exact `Fraction`s back. Percentages are never stored or averaged; they are
made from counts at the last moment by ktgs.figures.format_percent.

Contracts shared by every function here:

- A target's completion is `min(done, quantity) / quantity`: over-achievement is kept in
  `done_total` for display (`4/3`) but never counts toward any ratio, so one unit's
  surplus cannot hide another unit's shortfall.
- A roll-up is a sum of counts; its ratio is the ratio of the sums, never an average of
  ratios. Roll-ups add (`a + b`, `Rollup.combine(...)`), so a subtree's roll-up is the
  unit's own roll-up plus its children's subtree roll-ups.
- "Today" is always an argument.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction


def _check_count(name: str, value: int, minimum: int = 0) -> None:
    if not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")


# --- one target -------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetFigures:
    """What the engine needs to know about one target, as of one date.

    `start` is the programme's start date, `due` the target's due date; `done` is the count
    of concluded cases (or subjects, see `counts`) that fulfil it. A `due` on or before
    `start` means everything is due from `due` on (see `expected`).
    """

    target_id: int
    unit_id: int
    kind: str
    quantity: int
    done: int
    start: date
    due: date
    counts: str = "cases"
    # The body whose programme set the target (plans.models.Body): the roll-up groups by
    # it (figures per body); the arithmetic here never reads it.
    body: str = ""

    def __post_init__(self) -> None:
        _check_count("quantity", self.quantity, minimum=1)
        _check_count("done", self.done)

    @property
    def capped_done(self) -> int:
        return capped_done(self.done, self.quantity)

    @property
    def completion(self) -> Fraction:
        # quantity ≥ 1 here, so never None
        return Fraction(self.capped_done, self.quantity)

    def expected(self, today: date) -> Fraction:
        return expected(self.quantity, self.start, self.due, today)


def capped_done(done: int, quantity: int) -> int:
    """The part of `done` that counts toward completion: never more than the quantity."""
    _check_count("done", done)
    _check_count("quantity", quantity)
    return min(done, quantity)


def completion(done: int, quantity: int) -> Fraction | None:
    """`min(done, quantity) / quantity`, in [0, 1].

    None when the quantity is 0: there is no percentage — not 0%, and not an error.
    """
    capped = capped_done(done, quantity)
    if quantity == 0:
        return None
    return Fraction(capped, quantity)


def expected(quantity: int, start: date, due: date, today: date) -> Fraction:
    """The quantity due by `today`.

    0 up to and including `start`, linear between `start` and `due`, all of `quantity` on
    and after `due` (the due-date rule wins when `due` ≤ `start`). Always in [0, quantity].
    """
    _check_count("quantity", quantity)
    if today >= due:
        return Fraction(quantity)
    if today <= start:
        return Fraction(0)
    return Fraction(quantity * (today - start).days, (due - start).days)


# --- roll-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """Counts for one unit, or for a subtree as the sum of its units.

    `done_total` is uncapped (for showing over-achievement); every ratio uses
    `capped_done_total`. `units_*` count units, so adding roll-ups of distinct units is
    meaningful; adding a unit's roll-up to itself is not.
    """

    quantity_total: int = 0
    capped_done_total: int = 0
    done_total: int = 0
    arising: int = 0
    units_with_targets: int = 0
    units_completed: int = 0
    units_lagging: int = 0

    def __post_init__(self) -> None:
        for name in _ROLLUP_FIELDS:
            value = getattr(self, name)
            # The common case (a non-negative int) costs one comparison; anything else
            # goes through the full check with its message.
            if type(value) is not int or value < 0:
                _check_count(name, value)
        if self.capped_done_total > min(self.done_total, self.quantity_total):
            raise ValueError("capped_done_total exceeds done_total or quantity_total")
        if max(self.units_completed, self.units_lagging) > self.units_with_targets:
            raise ValueError("units_completed/units_lagging exceed units_with_targets")

    @property
    def ratio(self) -> Fraction | None:
        """Σ min(done, quantity) / Σ quantity; None when there are no targets."""
        return completion(self.capped_done_total, self.quantity_total)

    @property
    def coverage(self) -> Fraction | None:
        """Units that completed their targets / units that had targets."""
        return coverage(self.units_completed, self.units_with_targets)

    def __add__(self, other: Rollup) -> Rollup:
        if not isinstance(other, Rollup):
            return NotImplemented
        return Rollup(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def __radd__(self, other: object) -> Rollup:
        # lets the builtin sum() start from 0
        if other == 0:
            return self
        return NotImplemented

    @classmethod
    def combine(cls, *rollups: Rollup) -> Rollup:
        """The sum of several roll-ups (an empty call gives the zero roll-up)."""
        total = cls()
        for rollup in rollups:
            total = total + rollup
        return total


_ROLLUP_FIELDS = tuple(f.name for f in fields(Rollup))


def rollup_targets(
    targets: Iterable[TargetFigures],
    arising: int = 0,
    *,
    today: date | None = None,
    tolerance_cases: int | Decimal | Fraction = 0,
    tolerance_points: Decimal | Fraction | int = Decimal(0),
) -> Rollup:
    """The roll-up of ONE unit's own targets (not its children's).

    The unit counts as "with targets" if it has at least one target, "completed" if every
    target has `done ≥ quantity`, and "lagging" if `today` is given and `lag(...)` finds it
    behind with the given tolerance. Without `today` no unit is counted as lagging.
    """
    return unit_rollup(
        targets,
        arising,
        today=today,
        tolerance_cases=tolerance_cases,
        tolerance_points=tolerance_points,
    )[0]


def unit_rollup(
    targets: Iterable[TargetFigures],
    arising: int = 0,
    *,
    today: date | None = None,
    tolerance_cases: int | Decimal | Fraction = 0,
    tolerance_points: Decimal | Fraction | int = Decimal(0),
) -> tuple[Rollup, LagResult | None]:
    """`rollup_targets` and, when `today` is given, the unit's `lag` — computed once, for
    callers that need both (the roll-up table stores the reasons with the figures)."""
    targets = list(targets)
    _check_count("arising", arising)
    if not targets:
        return Rollup(arising=arising), None
    found = (
        lag(targets, today, tolerance_cases=tolerance_cases, tolerance_points=tolerance_points)
        if today is not None
        else None
    )
    lagging = found is not None
    return Rollup(
        quantity_total=sum(t.quantity for t in targets),
        capped_done_total=sum(t.capped_done for t in targets),
        done_total=sum(t.done for t in targets),
        arising=arising,
        units_with_targets=1,
        units_completed=int(all(t.done >= t.quantity for t in targets)),
        units_lagging=int(lagging),
    ), found


def coverage(units_done: int, units_with_programme: int) -> Fraction | None:
    """The official "19/33 tổ chức, đạt 57,58%": None when no unit had a programme."""
    _check_count("units_done", units_done)
    _check_count("units_with_programme", units_with_programme)
    if units_done > units_with_programme:
        raise ValueError("more units done than units with a programme")
    if units_with_programme == 0:
        return None
    return Fraction(units_done, units_with_programme)


# --- lag --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LagReason:
    """One target that is behind schedule.

    `short_by`: how many (cases, or the counted subjects) are still missing for the whole
    target. `behind`: how many whole ones it is behind the linear schedule today (≥ 1).
    `days_to_due`: days from today to the due date; 0 on the due date, negative once late.
    """

    target_id: int
    kind: str
    short_by: int
    behind: int
    days_to_due: int
    counts: str = "cases"

    @property
    def days_late(self) -> int:
        return max(0, -self.days_to_due)


@dataclass(frozen=True)
class LagResult:
    """Why a unit is lagging, as of one date.

    `expected_total` = Σ expected over its targets; `shortfall` = Σ max(0, expected − done)
    over its targets; `tolerance` in the same units; `shortfall > tolerance` holds.
    `reasons` lists the targets behind schedule, most urgent (nearest or most overdue
    due date) first.
    """

    expected_total: Fraction
    done_total: int
    shortfall: Fraction
    tolerance: Fraction
    reasons: tuple[LagReason, ...]


@functools.lru_cache(maxsize=64)
def _fraction(value: int | Decimal | Fraction) -> Fraction:
    # A rule's tolerance is the same for every unit of a scan: convert it once.
    return Fraction(value)


def _gap(target: TargetFigures, today: date) -> Fraction | int:
    """How far one target is behind today: positive (and then exactly expected − done) when
    it is behind, zero or negative otherwise. Integers except part-way through a target's
    period, where the exact gap is a Fraction (only built when it is positive)."""
    if today >= target.due:
        return target.quantity - target.done
    if today <= target.start:
        return -target.done
    elapsed = (today - target.start).days
    span = (target.due - target.start).days
    numerator = target.quantity * elapsed - target.done * span
    return Fraction(numerator, span) if numerator > 0 else -1


def _tolerance(
    quantity_total: int,
    tolerance_cases: int | Decimal | Fraction,
    tolerance_points: Decimal | Fraction | int,
) -> Fraction:
    # Fraction(Decimal) is exact, so "2.5" cases or "10.5" points cost no precision.
    cases = _fraction(tolerance_cases)
    points = _fraction(tolerance_points)
    if cases < 0 or points < 0:
        raise ValueError("tolerances cannot be negative")
    return cases + points * quantity_total / 100


def lag(
    targets: Iterable[TargetFigures],
    today: date,
    tolerance_cases: int | Decimal | Fraction = 0,
    tolerance_points: Decimal | Fraction | int = Decimal(0),
) -> LagResult | None:
    """A unit's lag over its own targets, or None when it is not lagging.

    The unit is lagging when `done < expected − tolerance` summed over its targets, where
    each target's done counts only up to its own expected figure: being ahead on one target
    does not cancel being behind on another, the same rule as "a surplus never hides a
    shortfall". Equivalently: Σ max(0, expected_i − done_i) > tolerance.

    The tolerance is `tolerance_cases` plus `tolerance_points` percentage points of the
    unit's total quantity. With zero tolerance any fraction of a case behind the linear
    schedule counts; reminder rules are expected to set a tolerance.
    """
    targets = list(targets)
    tolerance = _tolerance(sum(t.quantity for t in targets), tolerance_cases, tolerance_points)
    if not targets:
        return None
    shortfall: Fraction | int = 0
    reasons = []
    for target in targets:
        gap = _gap(target, today)
        if gap > 0:
            shortfall += gap
            reasons.append(
                LagReason(
                    target_id=target.target_id,
                    kind=target.kind,
                    short_by=target.quantity - target.done,
                    behind=math.ceil(gap),
                    days_to_due=(target.due - today).days,
                    counts=target.counts,
                )
            )
    if shortfall <= tolerance:
        return None
    reasons.sort(key=lambda r: (r.days_to_due, r.target_id))
    return LagResult(
        expected_total=sum((t.expected(today) for t in targets), Fraction(0)),
        done_total=sum(t.done for t in targets),
        shortfall=Fraction(shortfall),
        tolerance=tolerance,
        reasons=tuple(reasons),
    )


def is_lagging(
    targets: Iterable[TargetFigures],
    today: date,
    tolerance_cases: int | Decimal | Fraction = 0,
    tolerance_points: Decimal | Fraction | int = Decimal(0),
) -> bool:
    return lag(targets, today, tolerance_cases, tolerance_points) is not None


# --- forecast ---------------------------------------------------------------------------


def forecast(done: int, quantity: int, start: date, today: date, year_end: date) -> Fraction | None:
    """Completion at `year_end` if work goes on at the rate seen from `start` to `today`.

    `done / elapsed days × total days`, capped at 1; None when the quantity is 0. With no
    elapsed time (today ≤ start) there is no run rate and the forecast is the current
    completion; on and after `year_end` it is the current completion too. It is never
    below the current completion. For a roll-up pass its capped done and quantity totals.
    """
    current = completion(done, quantity)
    if current is None:
        return None
    total_days = (year_end - start).days
    elapsed_days = min((today - start).days, total_days)
    if elapsed_days <= 0:
        return current
    # done × total_days / elapsed_days / quantity, capped at 1: compared and built in
    # integers, one Fraction (a dashboard forecasts every child of a province).
    projected, whole = done * total_days, elapsed_days * quantity
    return Fraction(1) if projected >= whole else Fraction(projected, whole)
