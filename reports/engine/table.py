"""The roll-up table's rows as both engines see them (reports.models.ProgressRow and
PeriodSnapshot): the figures of one row (`Own`), the contract an engine fulfils (`Engine`),
what a rebuild and an on-demand subtree return, and the writes both engines share (one
UPDATE per changed row, moving a subtree's totals when a unit changes parent)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from ktgs.models import Organization
from reports.models import FIGURES, PeriodSnapshot, ProgressRow

Key = tuple[int, int, str, str]  # (organization id, year, kind, body)

# A PostgreSQL advisory lock (an arbitrary fixed key) that keeps a full rebuild and the
# incremental refreshes apart when several workers run them: refreshes share it among
# themselves (their row locks order them), a rebuild holds it alone. Without it, a refresh
# that commits while a rebuild's statement runs is overwritten by the rebuild's figures,
# computed before that refresh's case (seen with two workers: rows left wrong until the
# next rebuild). Each is taken first in its transaction and released at its end; a
# refresh queued behind the nightly rebuild waits for it. SQLite runs one writer at a
# time (IMMEDIATE transactions), so it needs none.
ROLLUP_LOCK = 0x6B746773  # "ktgs"


def rollup_lock(*, shared: bool) -> None:
    """Take ROLLUP_LOCK for the transaction (the SQL engine's refresh takes it in its own
    round trip: reports.engine.statements.refresh)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [ROLLUP_LOCK])


def lag_tolerance_cases() -> Decimal:
    """How far behind the linear schedule (in cases) a unit may be before the dashboard
    calls it lagging; reminder rules (reminders.models.ReminderRule) set their own."""
    return Decimal(settings.KTGS_LAG_TOLERANCE_CASES)


@dataclass
class Own:
    """A unit's own figures for one year and kind (or all kinds)."""

    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    arising: int = 0
    units_with_targets: int = 0
    units_completed: int = 0
    units_lagging: int = 0
    units_without_programme: int = 0
    grassroots_committees_planned: int = 0
    grassroots_committees_completed: int = 0
    grassroots_cells_planned: int = 0
    grassroots_cells_completed: int = 0
    committee_cells_planned: int = 0
    committee_cells_completed: int = 0
    below_grassroots_planned: int = 0
    below_grassroots_completed: int = 0
    expected: Decimal = Decimal(0)
    lag_reasons: list = field(default_factory=list)  # own figures only; never summed

    def values(self) -> tuple:
        return (*(getattr(self, name) for name in FIGURES), self.expected)

    def is_empty(self) -> bool:
        return not any(self.values())


@dataclass
class RebuildResult:
    rows: int
    inserted: int
    updated: int
    deleted: int

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass
class SubtreeFigures:
    """One unit's subtree computed as of a day, for a past period that has no snapshot
    (or the term): what the dashboard and the period report read from a snapshot.

    `totals[(unit, kind, body)]` are the subtree figures of the unit and of each child
    that has something (as a snapshot's sub_* of those rows); `lagging` the most lagging
    units of the kind asked (all bodies), with their own figures, in the dashboard's
    order (gap, name, id)."""

    totals: dict[tuple[int, str, str], Own]
    lagging: list[tuple[Organization, Own]]


@dataclass(frozen=True)
class Engine:
    """One way of computing the roll-up table. Both engines give the same figures, rows,
    return values and log messages (tests/reports/test_rollup_sql.py compares them; the
    roll-up, period and concurrency tests run on both)."""

    name: str
    table: Callable[[date], dict[Key, tuple[Own, Own]]]
    # (result, up to `logged` differences as (unit, year, kind, body, the table's row or
    # None, the rebuild's row or None))
    rebuild: Callable[..., tuple[RebuildResult, list]]
    snapshot: Callable[[Any, range], int]
    subtree: Callable[..., SubtreeFigures]
    refresh: Callable[[list[int], date], int]


OWN_WIDTH = len(FIGURES) + 1  # the own figures and expected, in read_wanted's columns


def add(total: Own, other: Own, sign: int = 1) -> None:
    for name in (*FIGURES, "expected"):
        setattr(total, name, getattr(total, name) + sign * getattr(other, name))


WRITTEN = [
    *(f"{p}_{n}" for p in ("own", "sub") for n in (*FIGURES, "expected")),
    "own_lag_reasons",
    "computed_on",
]


def update_rows(rows: list[ProgressRow]) -> None:
    """Write the figures of existing rows: one parameterised UPDATE run for every row
    (executemany). bulk_update's CASE WHEN expression per row and column cost ~30 ms of
    query building for the dozen rows of one refresh, and most of a rebuild's writing."""
    if not rows:
        return
    table = ProgressRow._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in WRITTEN)
    sql = f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE id = %s"
    params = [
        [
            *(getattr(row, c) for c in WRITTEN[:-2]),
            json.dumps(row.own_lag_reasons),
            row.computed_on,
            row.pk,
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def row_values(row: ProgressRow) -> tuple[Own, Own]:
    own = Own(
        **{name: getattr(row, f"own_{name}") for name in (*FIGURES, "expected")},
        lag_reasons=row.own_lag_reasons,
    )
    sub = Own(**{name: getattr(row, f"sub_{name}") for name in (*FIGURES, "expected")})
    return own, sub


def apply_figures(row: ProgressRow | PeriodSnapshot, own: Own, sub: Own, today: date) -> None:
    for name in (*FIGURES, "expected"):
        setattr(row, f"own_{name}", getattr(own, name))
        setattr(row, f"sub_{name}", getattr(sub, name))
    row.own_lag_reasons = own.lag_reasons
    row.computed_on = today


@transaction.atomic
def move_subtree_totals(*, unit_id: int, old_ancestor_ids: Iterable[int], today: date) -> None:
    """After a unit moved under another parent: its subtree totals leave the old
    ancestors and join the new ones. The moved subtree's own rows do not change."""
    unit = Organization.objects.get(pk=unit_id)
    new_ancestor_ids = list(
        Organization.objects.filter(path__in=unit.ancestor_paths()).values_list("pk", flat=True)
    )
    for row in ProgressRow.objects.filter(organization_id=unit_id):
        _, sub = row_values(row)
        for ancestor_id, sign in [
            *((a, -1) for a in old_ancestor_ids),
            *((a, +1) for a in new_ancestor_ids),
        ]:
            shift_subtree((ancestor_id, row.year, row.kind, row.body), sub, sign, today)


def shift_subtree(key: Key, figures: Own, sign: int, today: date) -> None:
    unit_id, year, kind, body = key
    found = {"organization_id": unit_id, "year": year, "kind": kind, "body": body}
    ProgressRow.objects.get_or_create(**found, defaults={"computed_on": today})
    row = ProgressRow.objects.select_for_update().get(**found)
    for name in (*FIGURES, "expected"):
        setattr(row, f"sub_{name}", getattr(row, f"sub_{name}") + sign * getattr(figures, name))
    row.computed_on = today
    if all(getattr(row, f"sub_{name}") == 0 for name in (*FIGURES, "expected")):
        row.delete()
    else:
        row.save()
