"""The SQL engine: the roll-up table computed by PostgreSQL, set based
(reports.engine.statements), read back as the rows both engines return."""

from __future__ import annotations

import json
from datetime import date

from django.db import transaction

from ktgs.models import Organization
from reports.engine import statements
from reports.engine.table import (
    OWN_WIDTH,
    ROLLUP_LOCK,
    Engine,
    Key,
    Own,
    RebuildResult,
    SubtreeFigures,
    lag_tolerance_cases,
)
from reports.models import ALL_KINDS


def table(today: date) -> dict[Key, tuple[Own, Own]]:
    with transaction.atomic():
        statements.compute(today, lag_tolerance_cases())
        return {
            (unit, year, kind, body): (
                # Django has psycopg hand jsonb over as text (JSONField decodes it).
                Own(*own, lag_reasons=json.loads(reasons)),  # type: ignore[misc]
                Own(*sub),  # type: ignore[misc]
            )
            for unit, year, kind, body, *rest in statements.read_wanted()
            for own, reasons, sub in [(rest[:OWN_WIDTH], rest[OWN_WIDTH], rest[OWN_WIDTH + 1 :])]
        }


def rebuild(today: date, *, logged: int) -> tuple[RebuildResult, list]:
    rows, inserted, updated, deleted, found = statements.rebuild(
        today, lag_tolerance_cases(), logged=logged
    )
    return RebuildResult(rows=rows, inserted=inserted, updated=updated, deleted=deleted), found


def snapshot(period, years: range) -> int:
    statements.compute(period.ends_on, lag_tolerance_cases())
    return statements.insert_snapshot(period.pk, list(years), period.ends_on)


def subtree(
    unit: Organization,
    day: date,
    years: range,
    *,
    kind: str | None = None,
    lagging: int = 0,
) -> SubtreeFigures:
    rows = statements.subtree(
        unit=unit.pk,
        path=unit.path,
        depth=unit.depth,
        day=day,
        years=years,
        kind=kind,
        lagging_kind=ALL_KINDS if kind is None else kind,
        lagging=lagging,
        tolerance=lag_tolerance_cases(),
    )
    result = SubtreeFigures(totals={}, lagging=[])
    for what, unit_id, row_kind, body, *rest in rows:
        figures = rest[:OWN_WIDTH]
        reasons, name, code, parent_name = rest[OWN_WIDTH : OWN_WIDTH + 4]
        if what == "sub":
            result.totals[(unit_id, row_kind, body)] = Own(*figures)  # type: ignore[misc]
        else:
            # Django has psycopg hand jsonb over as text (JSONField decodes it).
            own = Own(*figures, lag_reasons=json.loads(reasons))  # type: ignore[misc]
            result.lagging.append((_unit(unit_id, name, code, parent_name), own))
    return result


def _unit(pk: int, name: str, code: str, parent_name: str | None) -> Organization:
    """A lagging unit as the dashboard lists it: its name and code, its parent's name."""
    parent = Organization(name=parent_name) if parent_name is not None else None
    return Organization(pk=pk, name=name, code=code, parent=parent)


def refresh(units: list[int], today: date) -> int:
    return statements.refresh(units, today, lag_tolerance_cases(), ROLLUP_LOCK)


ENGINE = Engine("sql", table, rebuild, snapshot, subtree, refresh)
