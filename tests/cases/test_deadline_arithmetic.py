"""Legal periods as Vietnamese law counts them (cases.deadlines): table-driven examples and
properties. No database."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import deadlines
from cases.deadlines import DAYS, MONTHS, Status

D = datetime.date


@pytest.mark.parametrize(
    ("start", "length", "unit", "due"),
    [
        # A denunciation received on 1 March: day 90 is 30 May.
        (D(2025, 3, 1), 90, DAYS, D(2025, 5, 30)),
        # The centre's 180 days.
        (D(2025, 3, 1), 180, DAYS, D(2025, 8, 28)),
        (D(2025, 12, 20), 30, DAYS, D(2026, 1, 19)),
        # A month ends on the same day number of the next month...
        (D(2025, 4, 15), 1, MONTHS, D(2025, 5, 15)),
        (D(2025, 12, 15), 1, MONTHS, D(2026, 1, 15)),
        # ... clipped to that month's last day.
        (D(2025, 1, 31), 1, MONTHS, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, MONTHS, D(2024, 2, 29)),
        (D(2025, 3, 31), 1, MONTHS, D(2025, 4, 30)),
        (D(2025, 8, 31), 6, MONTHS, D(2026, 2, 28)),
        (D(2025, 5, 30), 0, DAYS, D(2025, 5, 30)),
    ],
)
def test_due_on(start, length, unit, due):
    assert deadlines.due_on(start, length, unit) == due


def test_an_unknown_unit_or_a_negative_length_is_a_programming_error():
    with pytest.raises(ValueError):
        deadlines.due_on(D(2025, 1, 1), 1, "weeks")
    with pytest.raises(ValueError):
        deadlines.due_on(D(2025, 1, 1), -1, DAYS)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 5, 19), Status.IN_TIME),  # 11 days left
        (D(2025, 5, 20), Status.DUE_SOON),  # 10 days left
        (D(2025, 5, 30), Status.DUE_SOON),  # day 90: still in time, the last day
        (D(2025, 5, 31), Status.OVERDUE),  # day 91
    ],
)
def test_day_90_is_in_time_and_day_91_overdue(today, expected):
    due = deadlines.due_on(D(2025, 3, 1), 90, DAYS)
    assert deadlines.status(due, None, today) == expected


@pytest.mark.parametrize(
    ("done_on", "today", "expected"),
    [
        (D(2025, 5, 30), D(2025, 12, 31), Status.IN_TIME),
        (D(2025, 5, 31), D(2025, 12, 31), Status.OVERDUE),
        (D(2025, 4, 1), D(2025, 4, 1), Status.IN_TIME),
    ],
)
def test_a_deadline_done_stays_as_it_was_done(done_on, today, expected):
    assert deadlines.status(D(2025, 5, 30), done_on, today) == expected


def test_the_due_soon_window_is_a_parameter():
    due = D(2025, 5, 30)
    assert deadlines.status(due, None, D(2025, 5, 20), soon=3) == Status.IN_TIME
    assert deadlines.status(due, None, D(2025, 5, 27), soon=3) == Status.DUE_SOON
    assert deadlines.status(due, None, D(2025, 5, 30), soon=0) == Status.DUE_SOON


@pytest.mark.parametrize(
    ("to", "extension_days", "allowed"),
    [
        (D(2025, 6, 29), 30, True),  # the whole allowance
        (D(2025, 6, 30), 30, False),  # a day beyond it
        (D(2025, 5, 31), 30, True),
        (D(2025, 5, 30), 30, False),  # not later than the deadline
        (D(2025, 5, 1), 30, False),
        (D(2025, 5, 31), 0, False),  # no extension at all
        (D(2025, 7, 29), 60, True),  # the centre's
    ],
)
def test_extension_allowed(to, extension_days, allowed):
    due = D(2025, 5, 30)
    assert deadlines.extension_allowed(due=due, to=to, extension_days=extension_days) is allowed


@pytest.mark.parametrize(
    ("days", "cap", "within"),
    [(180, 180, True), (181, 180, False), (90, 90, True), (91, 90, False), (5000, None, True)],
)
def test_within_cap(days, cap, within):
    start = D(2025, 2, 1)
    end = start + datetime.timedelta(days=days)
    assert deadlines.within_cap(start=start, end=end, cap_days=cap) is within


def test_days_left():
    assert deadlines.days_left(D(2025, 5, 30), D(2025, 5, 30)) == 0
    assert deadlines.days_left(D(2025, 5, 30), D(2025, 5, 31)) == -1
    assert deadlines.days_left(D(2025, 5, 30), D(2025, 5, 20)) == 10


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@given(start=dates, months=st.integers(min_value=0, max_value=120))
def test_a_period_of_months_keeps_the_day_number_unless_the_month_is_shorter(start, months):
    due = deadlines.due_on(start, months, MONTHS)
    assert (due.year * 12 + due.month) - (start.year * 12 + start.month) == months
    if due.day != start.day:
        # Clipped: the start's day does not exist in that month, and it ends on its last.
        assert due.day < start.day
        assert (due + datetime.timedelta(days=1)).month != due.month


@given(start=dates, length=st.integers(min_value=0, max_value=400), today=dates)
def test_overdue_exactly_after_the_last_day(start, length, today):
    due = deadlines.due_on(start, length, DAYS)
    assert (deadlines.status(due, None, today) == Status.OVERDUE) is (today > due)
    assert deadlines.within_cap(start=start, end=due, cap_days=length)
    assert not deadlines.within_cap(
        start=start, end=due + datetime.timedelta(days=1), cap_days=length
    )
