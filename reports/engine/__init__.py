"""The progress engine: maintains the roll-up table (reports.models.ProgressRow), writes
the snapshots of ended periods (reports.engine.periods), and computes one subtree as of a
day on demand. Everything outside reads and writes the table through this facade.

Two ways in, one arithmetic (reports.progress):

* `refresh_units(unit_ids, today)` — incremental, after a write: recompute the *own*
  figures of the touched units, then add the difference to the *subtree* figures of each
  unit and its ancestors (≤ depth rows per year and kind). Nothing else is re-aggregated.
* `rebuild(today)` — full: every unit's own figures and every subtree's, compared with the
  table, and only the rows that differ written. Run nightly by beat (as a check: a
  difference is a bug and is logged as an error) and on demand (`manage.py
  rebuild_progress`).

Two engines fulfil the same contract (reports.engine.table.Engine), chosen once here:

* `sql` (reports.engine.sql, statements): set based in PostgreSQL, a national rebuild in
  one statement and a refresh in one round trip (the locks, then one prepared statement);
* `python` (reports.engine.python, counting): reads the targets and cases and applies
  reports.progress in Python; on any database. SQLite (the embedded default) runs it, and
  it is the specification the SQL engine is tested against
  (tests/reports/test_rollup_sql.py). The roll-up, period and concurrency tests run on
  both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from ktgs.models import Organization
from reports.engine import python, sql
from reports.engine.counting import (
    COUNTED_PROGRAMME_STATUSES,
    leaf_figures,
    units_without_programme,
    without_programme,
)
from reports.engine.table import (
    ROLLUP_LOCK,
    Engine,
    Key,
    Own,
    RebuildResult,
    SubtreeFigures,
    lag_tolerance_cases,
    move_subtree_totals,
    rollup_lock,
)

__all__ = [
    "COUNTED_PROGRAMME_STATUSES",
    "ENGINES",
    "ROLLUP_LOCK",
    "Engine",
    "Own",
    "RebuildResult",
    "SubtreeFigures",
    "compute_table",
    "engine",
    "lag_tolerance_cases",
    "leaf_figures",
    "move_subtree_totals",
    "nightly",
    "rebuild",
    "refresh_units",
    "subtree_figures",
    "units_without_programme",
    "without_programme",
    "write_snapshot",
]

logger = logging.getLogger(__name__)

CHECK_LOGGED = 50  # differences logged one by one by a checking rebuild

ENGINES = {e.name: e for e in (sql.ENGINE, python.ENGINE)}


def engine() -> Engine:
    """The engine for the default database: settings.KTGS_ROLLUP_ENGINE ("sql",
    "python"), or by default the SQL engine on PostgreSQL and the Python one elsewhere.
    The Python engine runs on any database; the SQL one needs PostgreSQL."""
    name = settings.KTGS_ROLLUP_ENGINE
    if name == "auto":
        # PostgreSQL computes the table set based; elsewhere (SQLite, the embedded default
        # with small data) the Python engine does.
        name = "sql" if connection.vendor == "postgresql" else "python"
    if name == "sql" and connection.vendor != "postgresql":
        raise ImproperlyConfigured("KTGS_ROLLUP_ENGINE=sql needs PostgreSQL")
    return ENGINES[name]


def compute_table(today: date) -> dict[Key, tuple[Own, Own]]:
    """(own, subtree) figures for every row the table should hold, from scratch."""
    return engine().table(today)


@transaction.atomic
def rebuild(today: date, *, check: bool = False) -> RebuildResult:
    """Recompute the whole table and write only the rows that differ.

    With `check`, every difference is logged as an error: the incremental maintenance
    should have left the table exactly as a rebuild computes it (after the day's expected
    figures, which move with the date, are taken into account by refreshing)."""
    rollup_lock(shared=False)
    result, found = engine().rebuild(today, logged=CHECK_LOGGED if check else 0)
    for difference in found:
        logger.error("progress row differs from the rebuild: %s", difference)
    if check and result.changed > len(found):
        logger.error(
            "progress rows that differed from the rebuild: %d (the first %d logged)",
            result.changed,
            len(found),
        )
    return result


def write_snapshot(period, years: range) -> int:
    """Write the table as computed at the end of `period` into its PeriodSnapshot rows
    (for the years given); the caller has removed any earlier ones. Returns the count."""
    return engine().snapshot(period, years)


def subtree_figures(
    unit: Organization,
    day: date,
    years: range,
    *,
    kind: str | None = None,
    lagging: int = 0,
) -> SubtreeFigures:
    """The figures `compute_table(day)` would give the unit and its children (and the
    lagging list of `kind`), computed for the unit's subtree only: one statement on the
    SQL engine (reports.engine.statements.subtree), reference_subtree on the Python one. `kind`
    None: every kind's totals (the period report). `years` of more than one year (a term)
    are gathered: each unit's targets of all those years count as one set."""
    return engine().subtree(unit, day, years, kind=kind, lagging=lagging)


@transaction.atomic(savepoint=False)  # its own transaction in the task; no savepoint else
def refresh_units(unit_ids: Iterable[int], today: date) -> int:
    """Bring the rows of `unit_ids` and of their ancestors up to date after a write.

    Returns the number of (unit, year, kind, body) own rows whose figures changed."""
    units = sorted(set(unit_ids))
    if not units:
        return 0
    # Each engine takes ROLLUP_LOCK shared first (the SQL one in the refresh's round trip).
    return engine().refresh(units, today)


def nightly(today: date) -> tuple[RebuildResult, RebuildResult]:
    """The nightly job. During the day every row was maintained as of that day, so a
    rebuild as of yesterday must find nothing to change (a check: any difference is logged
    as an error); then a rebuild as of today moves the date-dependent figures (expected,
    lagging, amendments and conclusions that take effect today)."""
    checked = rebuild(today - timedelta(days=1), check=True)
    return checked, rebuild(today)
