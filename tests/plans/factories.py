"""Factories for plans, built through plans.services so objects are always valid."""

import datetime
import itertools

from plans import services
from plans.models import ActivityKind, Body, Programme

# Far from every number a test types ("170-KH/ĐUK"): a number drawn here must never equal
# one typed later in the same test process, whatever ran before it there.
_serial = itertools.count(100_000)


def next_doc_number(doc_type: str = "KH", issuer: str = "ĐUK") -> str:
    return f"{next(_serial)}-{doc_type}/{issuer}"


def make_programme(
    organization, *, year: int = 2025, user=None, issue: bool = False, **fields
) -> Programme:
    values = {
        "body": Body.INSPECTION_COMMISSION,
        "year": year,
        "title": f"Chương trình kiểm tra, giám sát năm {year}",
        "doc_number": next_doc_number(),
        "issued_on": datetime.date(year, 1, 10),
    }
    values.update(fields)
    programme = services.create_programme(user=user, organization=organization, **values)
    if issue:
        services.issue_programme(programme=programme, user=user)
    return programme


def add_grid(programme, cells, user=None):
    """cells: {(unit, kind): quantity} with unit objects."""
    return services.set_targets(
        programme=programme,
        cells={(unit.pk, kind): qty for (unit, kind), qty in cells.items()},
        user=user,
    )


INSPECT = ActivityKind.INSPECTION_COMPLIANCE
SUPERVISE = ActivityKind.SUPERVISION_THEMATIC
