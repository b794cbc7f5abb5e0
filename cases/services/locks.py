"""Record locks: the records an approved period report counted may not change.

reports approves a unit's report for a period and calls `lock_records`; reopening calls
`unlock_records`. Every write service of cases calls `check_unlocked` with the unit that
holds the record and the record's counting dates before and after the change (a date
moved out of a locked period changes the report as much as one moved into it). A record
counts in a unit's report when it is held by the unit or a unit below it and one of its
counting dates falls in the report's period.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import RecordLock
from ktgs.models import Organization


def lock_records(
    *,
    key: str,
    organization: Organization,
    starts_on: datetime.date,
    ends_on: datetime.date,
    report: str,
) -> RecordLock:
    """Lock (or re-lock, idempotently) the records of `organization`'s subtree counted
    between the two dates, under `key`."""
    lock, _created = RecordLock.objects.update_or_create(
        key=key,
        defaults={
            "organization": organization,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "report": report,
        },
    )
    return lock


def unlock_records(*, key: str) -> int:
    deleted, _by_model = RecordLock.objects.filter(key=key).delete()
    return deleted


def lock_on(organization: Organization, days: Iterable[datetime.date | None]) -> RecordLock | None:
    """The lock that holds a record of `organization` with these counting dates, if any
    (one query: the locks of the unit and its ancestors)."""
    wanted = sorted({day for day in days if day is not None})
    if not wanted:
        return None
    locks = RecordLock.objects.filter(
        organization__path__in=[*organization.ancestor_paths(), organization.path],
        starts_on__lte=wanted[-1],
        ends_on__gte=wanted[0],
    ).order_by("starts_on", "pk")
    for lock in locks:
        if any(lock.starts_on <= day <= lock.ends_on for day in wanted):
            return lock
    return None


def check_unlocked(organization: Organization, *days: datetime.date | None) -> None:
    """Refuse (ValidationError, no field: the whole record) a change to a record of
    `organization` whose counting dates fall in a locked report's period."""
    lock = lock_on(organization, days)
    if lock is not None:
        raise ValidationError(
            _g(
                "Không thể thay đổi: hồ sơ này đã được tính trong báo cáo “%(report)s” "
                "(%(start)s – %(end)s) đã được duyệt. Lãnh đạo đơn vị duyệt báo cáo phải mở "
                "lại báo cáo trước khi sửa."
            )
            % {
                "report": lock.report,
                "start": formats.date_format(lock.starts_on, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(lock.ends_on, "SHORT_DATE_FORMAT"),
            },
            code="locked",
        )
