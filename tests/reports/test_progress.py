"""The pure numbers of DESIGN.md §3: table-driven examples and properties. No database."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ktgs.figures import format_count, format_percent
from reports.progress import (
    LagReason,
    Rollup,
    TargetFigures,
    capped_done,
    completion,
    coverage,
    expected,
    forecast,
    is_lagging,
    lag,
    rollup_targets,
)

START = date(2025, 1, 1)
KINDS = sorted(
    [
        "inspection_compliance",
        "inspection_violation",
        "inspection_ktgs_duty",
        "inspection_finance",
        "inspection_dues",
        "inspection_assets",
        "supervision_thematic",
        "supervision_regular",
        "denunciation",
        "discipline_complaint",
    ]
)


def target(
    target_id=1,
    unit_id=1,
    kind="supervision_thematic",
    quantity=1,
    done=0,
    start=START,
    due=date(2025, 12, 31),
    counts="cases",
) -> TargetFigures:
    return TargetFigures(
        target_id=target_id,
        unit_id=unit_id,
        kind=kind,
        quantity=quantity,
        done=done,
        start=start,
        due=due,
        counts=counts,
    )


# --- percentages: the bloc committee's report and the rounding rule ---------------------


@pytest.mark.parametrize(
    ("ratio", "vi", "en"),
    [
        # the real report (DESIGN.md §3)
        (Fraction(19, 33), "57,58%", "57.58%"),
        (Fraction(17, 29), "58,62%", "58.62%"),
        (Fraction(2, 3), "66,67%", "66.67%"),
        (Fraction(18, 152), "11,84%", "11.84%"),
        # no targets: no percentage, not 0%
        (None, "—", "—"),
        # whole percentages show no decimals, others always two
        (Fraction(1, 1), "100%", "100%"),
        (Fraction(0), "0%", "0%"),
        (Fraction(1, 2), "50%", "50%"),
        (Fraction(1, 8), "12,50%", "12.50%"),
        (Fraction(1, 200), "0,50%", "0.50%"),
        # exactly …5 in the third decimal rounds up (half-up, not half-even)
        (Fraction(1234565, 10**7), "12,35%", "12.35%"),
        (Fraction(12345, 10**5), "12,35%", "12.35%"),
        (Fraction(12125, 10**5), "12,13%", "12.13%"),
        (Fraction(1, 20_000), "0,01%", "0.01%"),
        # just below the half rounds down, even where a 28-digit Decimal would round twice
        (Fraction(12345 * 10**27 - 1, 10**32), "12,34%", "12.34%"),
        (Fraction(1, 20_001), "0%", "0%"),
        # rounding up to a whole number drops the decimals
        (Fraction(99995, 100_000), "100%", "100%"),
        # over-achievement is shown as it is, with thousands separators
        (Fraction(4, 3), "133,33%", "133.33%"),
        (Fraction(25), "2.500%", "2,500%"),
    ],
)
def test_format_percent(ratio, vi, en):
    assert format_percent(ratio) == vi
    assert format_percent(ratio, language="vi") == vi
    assert format_percent(ratio, language="en") == en
    assert format_percent(ratio, language="en-gb") == en


def test_format_count_groups_thousands():
    assert format_count(1234567) == "1.234.567"
    assert format_count(1234567, "en") == "1,234,567"
    assert format_count(999) == "999"
    assert format_count(0) == "0"


def test_coverage_matches_the_official_figures():
    assert format_percent(coverage(19, 33)) == "57,58%"
    assert format_percent(coverage(17, 29)) == "58,62%"
    assert coverage(0, 0) is None
    assert format_percent(coverage(0, 0)) == "—"
    with pytest.raises(ValueError):
        coverage(4, 3)


# --- one target -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "quantity", "capped", "ratio"),
    [
        (0, 3, 0, Fraction(0)),
        (2, 3, 2, Fraction(2, 3)),
        (3, 3, 3, Fraction(1)),
        (4, 3, 3, Fraction(1)),  # over-achievement counts as complete, not as 133%
        (0, 0, 0, None),  # no quantity: no percentage, not 0% and not an error
        (5, 0, 0, None),
    ],
)
def test_capped_done_and_completion(done, quantity, capped, ratio):
    assert capped_done(done, quantity) == capped
    assert completion(done, quantity) == ratio


@pytest.mark.parametrize(
    ("targets", "completed"),
    [
        ([(0, 3)], 0),
        ([(2, 3)], 0),
        ([(3, 3)], 1),  # done equal to the quantity: completed
        ([(1, 1)], 1),
        ([(4, 3)], 1),  # over-achievement is complete too
        ([(3, 3), (2, 2)], 1),  # every target done exactly
        ([(3, 3), (1, 2)], 0),  # one target short keeps the unit from completing
        ([(5, 3), (1, 2)], 0),  # a surplus never hides another target's shortfall
    ],
)
def test_a_unit_completes_when_every_target_is_done(targets, completed):
    figures = [
        target(target_id=i, quantity=quantity, done=done)
        for i, (done, quantity) in enumerate(targets, 1)
    ]
    rollup = rollup_targets(figures)
    assert rollup.units_with_targets == 1
    assert rollup.units_completed == completed


def test_negative_counts_and_empty_targets_are_refused():
    with pytest.raises(ValueError):
        completion(-1, 3)
    with pytest.raises(ValueError):
        target(quantity=0)
    with pytest.raises(ValueError):
        target(done=-1)


def test_a_unit_without_targets_has_no_percentage():
    rollup = rollup_targets([], arising=2)
    assert rollup.ratio is None
    assert format_percent(rollup.ratio) == "—"
    assert rollup == Rollup(arising=2)
    assert rollup.units_with_targets == 0


# --- expected by today ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "due_now"),
    [
        (date(2024, 12, 20), Fraction(0)),  # before the programme starts
        (date(2025, 1, 1), Fraction(0)),  # on the start date
        (date(2025, 1, 6), Fraction(5)),  # midway: 5 of 10 days
        (date(2025, 1, 4), Fraction(3)),  # 3 of 10 days
        (date(2025, 1, 2), Fraction(1)),
        (date(2025, 1, 11), Fraction(10)),  # on the due date: all of it
        (date(2025, 3, 1), Fraction(10)),  # after the due date: still all of it, no more
    ],
)
def test_expected_is_linear_between_start_and_due(today, due_now):
    assert expected(10, date(2025, 1, 1), date(2025, 1, 11), today) == due_now


def test_expected_is_exact_not_rounded():
    # 1 case over 364 days, 100 days in
    assert expected(1, START, date(2025, 12, 31), date(2025, 4, 11)) == Fraction(100, 364)


def test_a_due_date_on_the_start_date_is_all_due_from_then():
    assert expected(3, START, START, START) == 3
    assert expected(3, START, START, START - timedelta(days=1)) == 0


# --- lag --------------------------------------------------------------------------------

TEN_DAYS = {"start": date(2025, 1, 1), "due": date(2025, 1, 11)}
MIDWAY = date(2025, 1, 6)  # expected 5 of 10


def test_lagging_with_tolerance_in_cases():
    targets = [target(quantity=10, done=3, **TEN_DAYS)]  # 2 behind the expected 5
    assert lag(targets, MIDWAY, tolerance_cases=2) is None  # 3 < 5 − 2 is false
    result = lag(targets, MIDWAY, tolerance_cases=1)
    assert result is not None
    assert result.expected_total == 5
    assert result.shortfall == 2
    assert result.tolerance == 1
    assert is_lagging(targets, MIDWAY, tolerance_cases=1)
    assert not is_lagging(targets, MIDWAY, tolerance_cases=Decimal("2.0"))


def test_lagging_with_tolerance_in_percentage_points_of_the_quantity():
    targets = [target(quantity=10, done=3, **TEN_DAYS)]
    assert not is_lagging(targets, MIDWAY, tolerance_points=Decimal("20"))  # 2 cases
    assert is_lagging(targets, MIDWAY, tolerance_points=Decimal("19.9"))  # 1.99 cases
    assert lag(targets, MIDWAY, tolerance_points=Decimal("19.9")).tolerance == Fraction(199, 100)


def test_on_schedule_is_not_lagging_and_no_tolerance_may_be_negative():
    targets = [target(quantity=10, done=5, **TEN_DAYS)]
    assert lag(targets, MIDWAY) is None
    assert lag([], MIDWAY) is None
    with pytest.raises(ValueError):
        lag(targets, MIDWAY, tolerance_cases=-1)


def test_being_ahead_on_one_target_does_not_cancel_being_behind_on_another():
    ahead = target(target_id=1, quantity=10, done=10, **TEN_DAYS)
    behind = target(target_id=2, quantity=10, done=3, **TEN_DAYS)
    result = lag([ahead, behind], MIDWAY, tolerance_cases=1)
    assert result is not None
    assert result.shortfall == 2
    assert [r.target_id for r in result.reasons] == [2]


def test_lag_reason_short_with_days_left():
    today = date(2025, 6, 17)
    targets = [
        target(
            target_id=7,
            kind="supervision_thematic",
            quantity=2,
            done=0,
            due=today + timedelta(days=14),
        )
    ]
    result = lag(targets, today)
    assert result.reasons == (
        LagReason(target_id=7, kind="supervision_thematic", short_by=2, behind=2, days_to_due=14),
    )


def test_lag_reasons_put_the_most_urgent_first():
    today = date(2025, 7, 6)
    late = target(target_id=3, kind="inspection_finance", quantity=3, done=1, due=date(2025, 7, 1))
    soon = target(
        target_id=2, kind="supervision_thematic", quantity=2, done=0, due=date(2025, 7, 20)
    )
    result = lag([soon, late], today)
    assert [r.target_id for r in result.reasons] == [3, 2]
    assert result.reasons[0].days_late == 5
    assert result.reasons[0].short_by == 2
    assert result.reasons[1].days_to_due == 14


def test_lag_reason_on_the_due_date_counts_the_subjects():
    today = date(2025, 6, 30)
    targets = [target(kind="inspection_dues", quantity=5, done=4, due=today, counts="members")]
    [reason] = lag(targets, today).reasons
    assert (reason.short_by, reason.days_to_due, reason.counts) == (1, 0, "members")


# --- forecast ---------------------------------------------------------------------------

YEAR_END = date(2025, 12, 31)  # 364 days after START


@pytest.mark.parametrize(
    ("done", "quantity", "today", "result"),
    [
        (2, 12, date(2025, 4, 1), Fraction(2 * 364, 90 * 12)),  # 90 days in: 8.09 of 12
        (3, 12, date(2025, 4, 1), Fraction(1)),  # on course for 12.1 of 12: capped
        (0, 12, date(2025, 4, 1), Fraction(0)),
        (1, 4, START, Fraction(1, 4)),  # no elapsed time: the current completion
        (1, 4, date(2024, 11, 1), Fraction(1, 4)),
        (1, 4, YEAR_END, Fraction(1, 4)),  # the year is over: what was done
        (1, 4, date(2026, 2, 1), Fraction(1, 4)),
        (1, 0, date(2025, 4, 1), None),
    ],
)
def test_forecast_at_the_current_run_rate(done, quantity, today, result):
    assert forecast(done, quantity, START, today, YEAR_END) == result


@given(
    done=st.integers(0, 50),
    quantity=st.integers(1, 50),
    elapsed=st.integers(-30, 400),
)
def test_forecast_is_between_the_current_completion_and_one(done, quantity, elapsed):
    today = START + timedelta(days=elapsed)
    result = forecast(done, quantity, START, today, YEAR_END)
    assert completion(done, quantity) <= result <= 1


# --- roll-ups ---------------------------------------------------------------------------


def test_rollup_is_the_ratio_of_sums_not_the_average_of_ratios():
    unit_a = rollup_targets([target(unit_id=1, quantity=1, done=1)])  # 100%
    unit_b = rollup_targets([target(unit_id=2, quantity=3, done=0)])  # 0%
    average_of_ratios = (unit_a.ratio + unit_b.ratio) / 2
    total = unit_a + unit_b
    assert average_of_ratios == Fraction(1, 2)
    assert total.ratio == Fraction(1, 4) != average_of_ratios
    assert format_percent(total.ratio) == "25%"


def test_rollup_counts_units_and_keeps_over_achievement_visible():
    today = date(2025, 7, 1)
    over = rollup_targets([target(target_id=1, unit_id=1, quantity=3, done=4)], arising=2)
    short = rollup_targets(
        [target(target_id=2, unit_id=2, quantity=2, done=0, due=date(2025, 6, 30))],
        today=today,
    )
    empty = rollup_targets([], arising=1)
    total = Rollup.combine(over, short, empty)
    assert total == Rollup(
        quantity_total=5,
        capped_done_total=3,
        done_total=4,
        arising=3,
        units_with_targets=2,
        units_completed=1,
        units_lagging=1,
    )
    assert (over.done_total, over.quantity_total) == (4, 3)  # shown as 4/3
    assert total.coverage == Fraction(1, 2)
    assert sum([over, short, empty]) == total
    assert Rollup.combine() == Rollup()


# --- properties over random small trees -------------------------------------------------


@dataclass
class Forest:
    """Units 0..n-1; unit 0 is the root, every other unit's parent has a smaller index."""

    parents: list[int | None]
    targets: dict[int, list[TargetFigures]]
    arising: list[int]
    today: date
    tolerance: int

    def children(self, unit: int) -> list[int]:
        return [u for u, p in enumerate(self.parents) if p == unit]

    def subtree(self, unit: int) -> list[int]:
        units = [unit]
        for child in self.children(unit):
            units += self.subtree(child)
        return units

    def ancestors_and_self(self, unit: int | None) -> list[int]:
        chain = []
        while unit is not None:
            chain.append(unit)
            unit = self.parents[unit]
        return chain

    def own(self, unit: int) -> Rollup:
        return rollup_targets(
            self.targets[unit], self.arising[unit], today=self.today, tolerance_cases=self.tolerance
        )

    def rolled_up(self, unit: int) -> Rollup:
        """The way the roll-up table builds it: own figures plus the children's subtrees."""
        return self.own(unit) + Rollup.combine(*(self.rolled_up(c) for c in self.children(unit)))


@st.composite
def forests(draw) -> Forest:
    size = draw(st.integers(1, 7))
    parents: list[int | None] = [None] + [draw(st.integers(0, i - 1)) for i in range(1, size)]
    targets: dict[int, list[TargetFigures]] = {}
    next_id = 1
    for unit in range(size):
        targets[unit] = []
        for _ in range(draw(st.integers(0, 3))):
            targets[unit].append(
                target(
                    target_id=next_id,
                    unit_id=unit,
                    kind=draw(st.sampled_from(KINDS)),
                    quantity=draw(st.integers(1, 5)),
                    done=draw(st.integers(0, 8)),
                    due=START + timedelta(days=draw(st.integers(0, 364))),
                )
            )
            next_id += 1
    return Forest(
        parents=parents,
        targets=targets,
        arising=[draw(st.integers(0, 3)) for _ in range(size)],
        today=START + timedelta(days=draw(st.integers(-10, 400))),
        tolerance=draw(st.integers(0, 2)),
    )


@given(forests())
def test_subtree_rollup_is_own_plus_children_and_equals_the_flat_sums(forest):
    for unit in range(len(forest.parents)):
        subtree = forest.subtree(unit)
        rolled = forest.rolled_up(unit)
        assert rolled == Rollup.combine(*(forest.own(u) for u in subtree))
        flat = [t for u in subtree for t in forest.targets[u]]
        assert rolled.quantity_total == sum(t.quantity for t in flat)
        assert rolled.capped_done_total == sum(min(t.done, t.quantity) for t in flat)
        assert rolled.done_total == sum(t.done for t in flat)
        assert rolled.arising == sum(forest.arising[u] for u in subtree)
        assert rolled.units_with_targets == sum(1 for u in subtree if forest.targets[u])
        if flat:
            assert rolled.ratio == Fraction(
                sum(min(t.done, t.quantity) for t in flat), sum(t.quantity for t in flat)
            )
        else:
            assert rolled.ratio is None


@given(forests())
def test_capped_completion_stays_between_zero_and_one(forest):
    for unit in range(len(forest.parents)):
        for t in forest.targets[unit]:
            assert 0 <= completion(t.done, t.quantity) <= 1
        ratio = forest.rolled_up(unit).ratio
        assert ratio is None or 0 <= ratio <= 1


@given(forests(), st.data())
def test_concluding_one_more_case_never_makes_any_ancestor_look_worse(forest, data):
    all_targets = [t for unit_targets in forest.targets.values() for t in unit_targets]
    if not all_targets:
        return
    chosen = data.draw(st.sampled_from(all_targets))
    before = {u: forest.rolled_up(u) for u in forest.ancestors_and_self(chosen.unit_id)}
    unit_targets = forest.targets[chosen.unit_id]
    unit_targets[unit_targets.index(chosen)] = replace(chosen, done=chosen.done + 1)
    for unit, old in before.items():
        new = forest.rolled_up(unit)
        assert new.ratio >= old.ratio
        assert new.capped_done_total >= old.capped_done_total
        assert new.done_total == old.done_total + 1
        assert new.units_completed >= old.units_completed
        assert new.units_lagging <= old.units_lagging


@given(
    short=st.lists(st.tuples(st.integers(1, 5), st.integers(0, 4)), min_size=1, max_size=3),
    other=st.lists(st.tuples(st.integers(1, 5), st.integers(0, 10_000)), max_size=3),
)
def test_an_over_achieving_unit_never_hides_another_units_shortfall(short, other):
    # unit X: at least one target not reached
    x_targets = [
        target(target_id=i, unit_id=1, quantity=q, done=min(d, q - 1) if i == 0 else d)
        for i, (q, d) in enumerate(short)
    ]
    y_targets = [
        target(target_id=100 + i, unit_id=2, quantity=q, done=d) for i, (q, d) in enumerate(other)
    ]
    parent = rollup_targets(x_targets) + rollup_targets(y_targets)
    assert parent.capped_done_total < parent.quantity_total
    assert parent.ratio < 1
    assert parent.units_completed < parent.units_with_targets


@given(
    quantity=st.integers(0, 20),
    due_days=st.integers(0, 400),
    day_a=st.integers(-20, 420),
    day_b=st.integers(-20, 420),
)
def test_expected_grows_with_time_within_zero_and_the_quantity(quantity, due_days, day_a, day_b):
    due = START + timedelta(days=due_days)
    early, late = sorted([START + timedelta(days=day_a), START + timedelta(days=day_b)])
    assert 0 <= expected(quantity, START, due, early) <= expected(quantity, START, due, late)
    assert expected(quantity, START, due, late) <= quantity
