"""Legal deadlines as Vietnamese law counts a period: plain dates and ints in, dates out.

A period starts the day after the event it runs from, so N days from D end on D + N: a
denunciation received on 1 March with 90 days is still in time on D + 90 and overdue
the day after. A period of months ends on the same day number of the month it reaches,
or on that month's last day when it has no such day (received 31 January, one month:
28 or 29 February). No models here and no clock: "today" is always an argument.
"""

from __future__ import annotations

import calendar
import datetime
from enum import StrEnum

DAYS = "days"
MONTHS = "months"
# How close to its due date a deadline counts as "due soon" when the caller does not say.
DUE_SOON_DAYS = 10


class Status(StrEnum):
    IN_TIME = "in_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day number `months` later, clipped to the last day of that month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def due_on(start: datetime.date, length: int, unit: str) -> datetime.date:
    """The last day of a period of `length` days or months running from the event on
    `start` (the day of receipt, of the decision, of the start of a suspension)."""
    if length < 0:
        raise ValueError("a period cannot be negative")
    if unit == DAYS:
        return start + datetime.timedelta(days=length)
    if unit == MONTHS:
        return add_months(start, length)
    raise ValueError(f"unknown unit of a period: {unit!r}")


def extension_allowed(*, due: datetime.date, to: datetime.date, extension_days: int) -> bool:
    """An extension of a deadline `due` to `to`: later than `due`, by at most
    `extension_days` (0: no extension at all)."""
    return extension_days > 0 and due < to <= due + datetime.timedelta(days=extension_days)


def within_cap(*, start: datetime.date, end: datetime.date, cap_days: int | None) -> bool:
    """Whether a period from `start` to `end` lasts no more than `cap_days` in total
    (counted like `due_on`: `end` may be `start` + `cap_days`). None: no cap."""
    return cap_days is None or (end - start).days <= cap_days


def days_left(due: datetime.date, today: datetime.date) -> int:
    """Days still left on `today` (0 on the last day; negative once overdue)."""
    return (due - today).days


def status(
    due: datetime.date,
    done_on: datetime.date | None,
    today: datetime.date,
    *,
    soon: int = DUE_SOON_DAYS,
) -> Status:
    """Where a deadline stands: done on or before `due` is in time and done after it is
    overdue, whatever today is; not done, it is overdue after `due`, due soon within
    `soon` days of it (the last day included), else in time."""
    if done_on is not None:
        return Status.IN_TIME if done_on <= due else Status.OVERDUE
    left = days_left(due, today)
    if left < 0:
        return Status.OVERDUE
    if left <= soon:
        return Status.DUE_SOON
    return Status.IN_TIME
