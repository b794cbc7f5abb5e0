"""The roll-up table computed by PostgreSQL: the same arithmetic as reports.progress, set
based, so a national rebuild reads and writes in a few statements instead of turning a
million rows into Python objects.

reports.progress stays the specification: `tests/reports/test_rollup_sql.py` checks on
random data that every figure and every lag reason computed here equals the pure
module's (through reports.engine.counting.reference_table). Exactness:

* Counts are integers throughout.
* A target's expected figure and its gap behind schedule are rationals
  `quantity × elapsed / span`; they are divided at 40 decimals (numeric), summed, and
  rounded at 30 decimals before any comparison or display rounding. Two different
  rationals whose denominators are spans of days (≤ a few thousand) differ by far more than
  the error, so the comparisons `shortfall > tolerance` and the half-up rounding of
  expected to 4 decimals come out exactly as with `Fraction`s.
* "Behind" (whole cases behind the schedule) is `ceil(numerator / span)` in integers.

Only PostgreSQL runs this module; SQLite (the embedded default, small data) uses the
Python path in reports.engine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

import psycopg
from django.db import connection

from cases.models import Case
from ktgs.models import Organization
from plans.models import Programme, Target
from reports.models import ALL_KINDS, COVERAGE_KINDS, FIGURES

FIGURES_SQL = (*FIGURES, "expected")  # the own_*/sub_* columns, in the table's order
OWN_COLUMNS = [f"own_{name}" for name in FIGURES_SQL]
SUB_COLUMNS = [f"sub_{name}" for name in FIGURES_SQL]

WANTED = "progress_wanted"  # the temporary table a computation leaves behind

# Per target: its year, done count (cases, or subjects of the counted kind), and the
# exact numerator/denominator of its gap behind the linear schedule (reports.progress._gap)
# and of its expected figure (reports.progress.expected). {targets} and {cases} restrict
# the targets and the arising cases to some units (empty for the whole table).
#
# Amendments (reports.engine.counting.leaf_figures says the same in Python): a target in force
# counts the cases linked to it and to the targets of its lineage that are not in force
# (those it replaced); cases linked to a lineage with no target in force are arising
# ({orphan}: found from the linked targets not in force for the whole table, from the
# units' own cases for a refresh).
_OWN_SQL = """
WITH t AS MATERIALIZED (
    SELECT t.id, COALESCE(t.lineage_id, t.id) AS line, t.organization_id AS unit, t.kind,
           p.body, t.counts, t.quantity AS q, t.due_on AS due, p.starts_on AS start,
           {target_year} AS year
    FROM plans_target t
    JOIN plans_programme p ON p.id = t.programme_id AND p.status = ANY(%(counted)s)
    LEFT JOIN plans_amendment a ON a.id = t.added_by_id
    LEFT JOIN plans_amendment r ON r.id = t.removed_by_id
    WHERE (t.added_by_id IS NULL OR a.effective_on <= %(today)s)
      AND (t.removed_by_id IS NULL OR r.effective_on > %(today)s)
      {targets}
),
counting AS (
    SELECT c.id, c.target_id, c.subject_organizations, c.subject_members,
           c.subject_committee_members
    FROM cases_case c
    WHERE c.status = ANY(%(counting)s) AND c.concluded_on <= %(today)s
      AND c.target_id IS NOT NULL {counting}
),
done_cases AS (
    SELECT target_id, COUNT(*) AS n FROM counting GROUP BY target_id
),
-- The linked targets not in force today (replaced, removed, not yet added): few.
idle AS MATERIALIZED (
    SELECT x.id, COALESCE(x.lineage_id, x.id) AS line, dc.n
    FROM done_cases dc JOIN plans_target x ON x.id = dc.target_id
    WHERE NOT EXISTS (SELECT 1 FROM t WHERE t.id = dc.target_id)
),
inherited AS (
    SELECT h.id AS target_id, SUM(i.n)::bigint AS n
    FROM idle i JOIN t h ON h.line = i.line
    GROUP BY h.id
),
orphan AS ({orphan}),
-- The subjects of the counted kind, from the counts each case keeps (Case.SUBJECT_COUNTS).
done_subjects AS (
    SELECT h.holder AS target_id,
           SUM(c.subject_organizations) AS organizations,
           SUM(c.subject_members) AS members,
           SUM(c.subject_committee_members) AS committee
    FROM counting c
    JOIN (
        SELECT id AS target_id, id AS holder FROM t WHERE counts <> %(counts_cases)s
        UNION ALL
        SELECT i.id, h.id FROM idle i JOIN t h ON h.line = i.line AND h.counts <> %(counts_cases)s
    ) h ON h.target_id = c.target_id
    GROUP BY h.holder
),
d AS (
    SELECT t.*,
           CASE t.counts WHEN %(counts_cases)s THEN COALESCE(dc.n, 0) + COALESCE(ih.n, 0)
                         WHEN %(counts_organizations)s THEN COALESCE(ds.organizations, 0)
                         WHEN %(counts_members)s THEN COALESCE(ds.members, 0)
                         ELSE COALESCE(ds.committee, 0) END AS done,
           (%(today)s::date - t.start) AS elapsed,
           (t.due - t.start) AS span
    FROM t
    LEFT JOIN done_cases dc ON dc.target_id = t.id
    LEFT JOIN inherited ih ON ih.target_id = t.id
    LEFT JOIN done_subjects ds ON ds.target_id = t.id
),
g AS (
    SELECT d.*,
           CASE WHEN %(today)s >= d.due THEN d.q - d.done
                WHEN %(today)s <= d.start THEN -d.done
                ELSE d.q::bigint * d.elapsed - d.done::bigint * d.span END AS gap_num,
           CASE WHEN %(today)s >= d.due OR %(today)s <= d.start THEN 1
                ELSE d.span END AS gap_den,
           CASE WHEN %(today)s >= d.due THEN d.q::numeric
                WHEN %(today)s <= d.start THEN 0::numeric
                ELSE (d.q::bigint * d.elapsed)::numeric(60, 40) / d.span END AS expected
    FROM d
),
items AS MATERIALIZED (
    SELECT unit, year, kind, body, q, LEAST(done, q) AS capped, done, 0 AS arising,
           1 AS with_target, done >= q AS complete, expected,
           CASE WHEN gap_num > 0 THEN gap_num::numeric(60, 40) / gap_den ELSE 0 END AS gap,
           id AS target_id, counts, q - done AS short_by,
           CASE WHEN gap_num > 0 THEN (gap_num + gap_den - 1) / gap_den END AS behind,
           due - %(today)s::date AS days_to_due
    FROM g
    UNION ALL
    SELECT c.organization_id, {case_year}, c.kind, c.body, 0, 0, 0, COUNT(*), 0, NULL, 0, 0,
           NULL, NULL, NULL, NULL, NULL
    FROM cases_case c
    WHERE c.status = ANY(%(counting)s) AND c.concluded_on <= %(today)s
      AND (c.target_id IS NULL OR ({linked}c.target_id IN (SELECT id FROM orphan))) {cases}
    GROUP BY c.organization_id, c.year, c.kind, c.body
),
figures AS MATERIALIZED (
    SELECT unit, year, {kind_key} AS kind,
           CASE WHEN GROUPING(body) = 1 THEN '' ELSE body END AS body,
           SUM(q)::int AS quantity, SUM(capped)::int AS capped_done, SUM(done)::int AS done,
           SUM(arising)::int AS arising, MAX(with_target) AS units_with_targets,
           CASE WHEN bool_and(complete) THEN 1 ELSE 0 END AS units_completed,
           MAX(with_target) = 1 AND ROUND(SUM(gap), 30) > %(tolerance)s AS lagging,
           ROUND(ROUND(SUM(expected), 30), 4) AS expected
    FROM items
    GROUP BY GROUPING SETS ({grouping_sets})
),
-- The reasons in words are kept for lagging rows of all bodies only (nothing reads them
-- on a body's row): built for those alone, from the targets behind schedule of the
-- row's kind ("" takes every kind).
behind AS (
    SELECT f.unit, f.year, f.kind, f.body, i.target_id, i.kind AS target_kind, i.short_by,
           i.behind, i.days_to_due, i.counts
    FROM {lagging_rows} f JOIN items i ON i.unit = f.unit AND i.year = f.year
    WHERE f.lagging AND f.body = '' AND i.behind IS NOT NULL
      AND (f.kind = '' OR i.kind = f.kind)
),
reasons AS (
    SELECT unit, year, kind, body,
           jsonb_agg(jsonb_build_object(
               'target_id', target_id, 'kind', target_kind, 'short_by', short_by,
               'behind', behind, 'days_to_due', days_to_due, 'counts', counts
           ) ORDER BY days_to_due, target_id) AS reasons
    FROM behind
    GROUP BY unit, year, kind, body
),
-- Units that should have issued this year's programme and have not (reports.engine.
-- units_without_programme): of a level with an active rule whose deadline has passed,
-- existing on the deadline, with no annual programme of the year issued in time. They
-- count on their all-kinds row, which they get even with nothing else in it.
missing AS (
    SELECT u.id AS unit, {missing_year} AS year, ''::text AS kind, ''::text AS body
    FROM ktgs_organization u
    JOIN plans_programmerequirement r ON r.level = u.level AND r.is_active
    CROSS JOIN LATERAL (SELECT make_date(%(year)s::int, r.due_month, r.due_day) AS due) d
    WHERE %(today)s::date > d.due
      AND (u.valid_from IS NULL OR u.valid_from <= d.due)
      AND (u.valid_to IS NULL OR u.valid_to >= d.due)
      AND NOT EXISTS (
          SELECT 1 FROM plans_programme p
          WHERE p.organization_id = u.id AND p.year = %(year)s
            AND p.scope = %(year_scope)s AND p.status = ANY(%(counted)s)
            AND p.issued_on <= %(today)s AND (r.body = '' OR p.body = r.body)
      )
      {units}
)
SELECT COALESCE(f.unit, m.unit) AS unit, COALESCE(f.year, m.year) AS year,
       COALESCE(f.kind, m.kind) AS kind, COALESCE(f.body, m.body) AS body,
       COALESCE(f.quantity, 0) AS quantity,
       COALESCE(f.capped_done, 0) AS capped_done, COALESCE(f.done, 0) AS done,
       COALESCE(f.arising, 0) AS arising,
       COALESCE(f.units_with_targets, 0) AS units_with_targets,
       COALESCE(f.units_completed, 0) AS units_completed,
       COALESCE(f.lagging::int, 0) AS units_lagging,
       (m.unit IS NOT NULL)::int AS units_without_programme,
       {coverage},
       COALESCE(f.expected, 0) AS expected,
       COALESCE(r.reasons, '[]'::jsonb) AS reasons,
       cu.path, cu.depth
FROM figures f
FULL OUTER JOIN missing m
  ON m.unit = f.unit AND m.year = f.year AND m.kind = f.kind AND m.body = f.body
LEFT JOIN reasons r
  ON r.unit = f.unit AND r.year = f.year AND r.kind = f.kind AND r.body = f.body
-- The unit: its kind of unit (the coverage columns), its place in the tree (the roll-ups).
JOIN ktgs_organization cu ON cu.id = COALESCE(f.unit, m.unit)
"""

# The coverage figures of a unit's own row (reports.models.coverage_kinds in SQL): its
# units_with_targets and units_completed again, in the columns of its kinds of unit.
_COVERAGE_UNITS = {
    "grassroots_committees": (
        "cu.level = %(level_grassroots)s AND cu.grassroots_form = %(form_committee)s"
    ),
    "grassroots_cells": "cu.level = %(level_grassroots)s AND cu.grassroots_form = %(form_cell)s",
    "committee_cells": (
        "cu.level = %(level_grassroots)s AND cu.grassroots_form = %(form_cell)s"
        " AND cu.has_cell_committee"
    ),
    "below_grassroots": "cu.level IN (%(level_partial)s, %(level_cell)s)",
}
assert tuple(_COVERAGE_UNITS) == COVERAGE_KINDS
COVERAGE_SQL = ",\n       ".join(
    f"CASE WHEN {condition} THEN COALESCE(f.units_{figure}, 0) ELSE 0 END AS {kind}_{name}"
    for kind, condition in _COVERAGE_UNITS.items()
    for name, figure in (("planned", "with_targets"), ("completed", "completed"))
)


def statement_params(today: date, tolerance: Decimal) -> dict:
    return {
        "today": today,
        "year": today.year,
        "tolerance": tolerance,
        # Plain strings: psycopg would send an Enum member's name, not its value.
        "counted": [str(Programme.Status.ISSUED), str(Programme.Status.CLOSED)],
        "counting": [str(status) for status in Case.COUNTING],
        "year_scope": str(Programme.Scope.YEAR),
        # The counting vocabulary, from the models (never written again as literals).
        "counts_cases": str(Target.Counts.CASES),
        "counts_organizations": str(Target.Counts.ORGANIZATIONS),
        "counts_members": str(Target.Counts.MEMBERS),
        "level_grassroots": str(Organization.Level.GRASSROOTS),
        "level_partial": str(Organization.Level.PARTIAL),
        "level_cell": str(Organization.Level.CELL),
        "form_committee": str(Organization.GrassrootsForm.COMMITTEE),
        "form_cell": str(Organization.GrassrootsForm.CELL),
    }


# The whole table: every linked target not in force whose lineage has none in force.
_ORPHAN_ALL = "SELECT i.id FROM idle i WHERE NOT EXISTS (SELECT 1 FROM t WHERE t.line = i.line)"
# A refresh or one subtree: the targets the units' counting cases are linked to, whose
# lineage has no target in force (checked on the whole table, not only on the units').
_ORPHAN_CASES = """
    SELECT x.id FROM plans_target x
    WHERE x.id IN (
        SELECT c.target_id FROM cases_case c
        WHERE {case_units} AND c.status = ANY(%(counting)s)
          AND c.concluded_on <= %(today)s AND c.target_id IS NOT NULL
          -- A target in force (most are) has a lineage in force: itself. (NOT IN: a
          -- filter on the cases' scan, before the lineages are looked up.)
          AND c.target_id NOT IN (SELECT id FROM t)
    )
    AND NOT EXISTS (
        SELECT 1 FROM plans_target y
        JOIN plans_programme yp ON yp.id = y.programme_id AND yp.status = ANY(%(counted)s)
        LEFT JOIN plans_amendment ya ON ya.id = y.added_by_id
        LEFT JOIN plans_amendment yr ON yr.id = y.removed_by_id
        WHERE (y.id = COALESCE(x.lineage_id, x.id) OR y.lineage_id = COALESCE(x.lineage_id, x.id))
          AND (y.added_by_id IS NULL OR ya.effective_on <= %(today)s)
          AND (y.removed_by_id IS NULL OR yr.effective_on > %(today)s)
    )
"""
# A few units' arising cases: a case linked to a target in force is not arising, found
# before the orphans are (evaluated first, it spares their query when none is linked to a
# target out of force, as most units have none).
_IN_FORCE = "c.target_id NOT IN (SELECT id FROM t) AND "
# The rows of a unit: per kind and body, per kind (all bodies), per body (all kinds), all.
EVERY_ROW = "(unit, year, kind, body), (unit, year, kind), (unit, year, body), (unit, year)"
EVERY_ROW_KIND = "CASE WHEN GROUPING(kind) = 1 THEN '' ELSE kind END"
# Only the all-kinds rows (a subtree's figures of all kinds: the dashboard's default).
ALL_KINDS_ROWS = "(unit, year, body), (unit, year)"
ALL_KINDS_ROW_KIND = "''::text"

_ORPHAN_UNITS = _ORPHAN_CASES.format(case_units="c.organization_id = ANY(%(units)s)")
# A target's year (reports.engine.counting._target_year) and an arising case's: the rows' `year`,
# unless a computation over several years (the term) gathers them under one.
TARGET_YEAR = (
    "CASE WHEN p.scope = %(year_scope)s THEN p.year ELSE EXTRACT(YEAR FROM t.due_on)::int END"
)
CASE_YEAR = "c.year"
MISSING_YEAR = "%(year)s::int"  # units without their programme: only the day's year


# The cases of every target of the restricted targets' lineages (the lineage's first
# target, then its replacements by the lineage index).
_LINEAGE_CASES = (
    "AND c.target_id IN (SELECT line FROM t UNION ALL "
    "SELECT x.id FROM plans_target x WHERE x.lineage_id IN (SELECT line FROM t))"
)


# The same set for the whole tree (the nation): the lineages' ids hashed once and every
# counting case tested on one scan of the cases. The planner cannot tell how many targets
# a subtree has (they come from a CTE) and takes _LINEAGE_CASES's index lookups, one per
# target, for any subtree: for the nation's targets that cost more than reading all the
# cases. A province keeps the lookups: at the national profile (2.5 % of the tree) they
# take 970 ms of server CPU where the scan takes 1,440; at 10pct (25 %) both take 450.
_LINEAGE_CASES_HASHED = (
    "AND (c.target_id IN (SELECT line FROM t) OR c.target_id IN "
    "(SELECT x.id FROM plans_target x WHERE x.lineage_id IN (SELECT line FROM t)))"
)
# A unit this high has (nearly) the whole tree in its subtree.
LARGE_SUBTREE_DEPTH = 1


def _own_sql(restricted: bool) -> str:
    years = {
        "target_year": TARGET_YEAR,
        "case_year": CASE_YEAR,
        "missing_year": MISSING_YEAR,
        "coverage": COVERAGE_SQL,
        "grouping_sets": EVERY_ROW,
        "kind_key": EVERY_ROW_KIND,
    }
    if not restricted:
        return _OWN_SQL.format(
            targets="",
            counting="",
            cases="",
            units="",
            orphan=_ORPHAN_ALL,
            linked="",
            lagging_rows="figures",
            **years,
        )
    return _OWN_SQL.format(
        targets="AND t.organization_id = ANY(%(units)s)",
        counting=_LINEAGE_CASES,
        cases="AND c.organization_id = ANY(%(units)s)",
        units="AND u.id = ANY(%(units)s)",
        orphan=_ORPHAN_UNITS,
        linked=_IN_FORCE,
        lagging_rows="figures",
        **years,
    )


def wanted_sql(cursor) -> str:
    """The SELECT of every row the table should hold: the own figures, then the subtree
    figures level by level from the deepest up: a level's totals are its units' own rows
    plus the totals of the level below, each keyed by its parent's path (a prefix of its
    own). Every own row is summed once into its unit's total and every total once into
    its parent's (no sort of the own rows by every ancestor's path, no group of a prefix
    that names no unit).

    The sums stay int4 from level to level (SUM(int4) keeps a plain int8 per group, where
    SUM(int8) and SUM(numeric) keep an allocated state and the level's hash table spills
    to disk), `expected` in ten-thousandths as int8 (every own expected is rounded to 4
    decimals), turned back into the exact decimal at the end."""
    step = Organization.steplen
    cursor.execute("SELECT MAX(depth) FROM ktgs_organization")
    deepest = cursor.fetchone()[0] or 1
    scaled = ", ".join(
        "(expected * 10000)::bigint AS expected" if name == "expected" else name
        for name in FIGURES_SQL
    )
    sums = ", ".join(
        f"SUM({name}) AS {name}" if name == "expected" else f"SUM({name})::int AS {name}"
        for name in FIGURES_SQL
    )
    names = ", ".join(FIGURES_SQL)
    # The deepest units have no children: their totals are their own rows (one per key).
    levels = [f"level{deepest} AS (SELECT path, year, kind, body, {scaled} FROM placed "
              f"WHERE depth = {deepest})"]  # fmt: skip
    for n in range(deepest - 1, 0, -1):
        levels.append(
            f"""level{n} AS MATERIALIZED (
            SELECT path, year, kind, body, {sums}
            FROM (
                SELECT path, year, kind, body, {scaled} FROM placed WHERE depth = {n}
                UNION ALL
                SELECT substr(path, 1, {n * step}), year, kind, body, {names}
                FROM level{n + 1}
            ) below
            GROUP BY path, year, kind, body
        )"""
        )
    every_level = " UNION ALL ".join(f"SELECT * FROM level{n}" for n in range(deepest, 0, -1))
    own = ", ".join(f"COALESCE(o.{name}, 0) AS own_{name}" for name in FIGURES_SQL)
    placed = ", ".join(f"o.{name}" for name in FIGURES_SQL)
    subs = ", ".join(
        f"ROUND(s.{name} / 10000::numeric, 4) AS sub_{name}"
        if name == "expected"
        else f"s.{name} AS sub_{name}"
        for name in FIGURES_SQL
    )
    return f"""
        WITH own AS MATERIALIZED ({_own_sql(False)}),
        placed AS MATERIALIZED (
            SELECT o.path, o.depth, o.year, o.kind, o.body, {placed} FROM own o
        ),
        {", ".join(levels)},
        sub AS ({every_level})
        SELECT a.id AS organization_id, s.year, s.kind, s.body, {own},
               COALESCE(o.reasons, '[]'::jsonb) AS own_lag_reasons, {subs}
        FROM sub s
        JOIN ktgs_organization a ON a.path = s.path
        LEFT JOIN own o
          ON o.unit = a.id AND o.year = s.year AND o.kind = s.kind AND o.body = s.body
    """


def own_stage_sql(stage: str) -> str:
    """The whole table's own figures computed up to one of _OWN_SQL's steps ("items":
    every target's figures and the arising cases' counts; "figures": those grouped into
    the units' rows), returning that step's row count: what the benchmark times to show
    where a full computation's time goes (devtools.bench.parts)."""
    own = _own_sql(False)
    end = own.index(f"\n{stage} AS MATERIALIZED (")
    following = own.index("\n),\n", end) + len("\n)")
    return f"{own[:following]}\nSELECT COUNT(*) FROM {stage}"


def wanted_from_sql(cursor, own_table: str) -> str:
    """wanted_sql with the own figures read from `own_table` (a temporary table holding
    _own_sql(False)'s rows): the roll-up of the levels alone, for the benchmark's parts."""
    whole = wanted_sql(cursor)
    computed = f"WITH own AS MATERIALIZED ({_own_sql(False)}),"
    assert computed in whole
    return whole.replace(computed, f"WITH own AS (SELECT * FROM {own_table}),", 1)


def own_sql() -> str:
    """The whole table's own figures (every unit's own rows, before any roll-up)."""
    return _own_sql(False)


def limit_memory(cursor) -> None:
    """The whole-table statements hold a dozen materialised steps and hash tables at
    once: each hash table gets work_mem, not the server's default twice that, for this
    transaction (DESIGN §6 F8 bounds a rebuild's peak at +100 MB)."""
    cursor.execute("SELECT set_config('hash_mem_multiplier', '1', true)")


def compute(today: date, tolerance: Decimal) -> int:
    """Compute the whole table into the temporary table `progress_wanted` (dropped at the
    end of the transaction; the caller holds one). Returns its number of rows."""
    with connection.cursor() as cursor:
        limit_memory(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {WANTED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {WANTED} ON COMMIT DROP AS {wanted_sql(cursor)}",
            statement_params(today, tolerance),
        )
        return cursor.rowcount


def read_wanted() -> Iterable[tuple]:
    """The computed rows: (unit, year, kind, body, own figures…, reasons, sub figures…)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organization_id, year, kind, body, {', '.join(OWN_COLUMNS)}, "
            "own_lag_reasons, "
            f"{', '.join(SUB_COLUMNS)} FROM {WANTED}"
        )
        yield from cursor


_KEY = (
    "p.organization_id = w.organization_id AND p.year = w.year AND p.kind = w.kind "
    "AND p.body = w.body"
)
_WRITTEN = [*OWN_COLUMNS, "own_lag_reasons", *SUB_COLUMNS]


def rebuild(today: date, tolerance: Decimal, *, logged: int) -> tuple[int, int, int, int, list]:
    """The full rebuild in one statement: compute every row, compare with the table, and
    write only the rows that differ (insert, update, delete). Returns (rows, inserted,
    updated, deleted, up to `logged` differences as (key, table row, computed row) texts
    for the nightly check's log)."""
    table = ", ".join(f"p.{c}" for c in _WRITTEN)
    wanted = ", ".join(f"w.{c}" for c in _WRITTEN)
    assignments = ", ".join(f"{c} = d.{c}" for c in _WRITTEN)
    with connection.cursor() as cursor:
        limit_memory(cursor)
        cursor.execute(
            f"""
            WITH wanted AS MATERIALIZED ({wanted_sql(cursor)}),
            diff AS MATERIALIZED (
                SELECT p.id, w.*,
                       p.organization_id AS table_unit, p.year AS table_year,
                       p.kind AS table_kind, p.body AS table_body,
                       CASE WHEN p.id IS NOT NULL THEN ROW({table})::text END AS table_row,
                       CASE WHEN w.organization_id IS NOT NULL
                            THEN ROW({wanted})::text END AS wanted_row
                FROM wanted w
                FULL OUTER JOIN reports_progressrow p ON {_KEY}
                WHERE p.id IS NULL OR w.organization_id IS NULL
                   OR ({table}) IS DISTINCT FROM ({wanted})
            ),
            updated AS (
                UPDATE reports_progressrow p SET {assignments}, computed_on = %(today)s
                FROM diff d WHERE p.id = d.id AND d.organization_id IS NOT NULL
                RETURNING 1
            ),
            deleted AS (
                DELETE FROM reports_progressrow p USING diff d
                WHERE p.id = d.id AND d.organization_id IS NULL
                RETURNING 1
            ),
            inserted AS (
                INSERT INTO reports_progressrow
                    (organization_id, year, kind, body, {", ".join(_WRITTEN)}, computed_on)
                SELECT organization_id, year, kind, body, {", ".join(_WRITTEN)}, %(today)s
                FROM diff WHERE id IS NULL
                RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM wanted), (SELECT COUNT(*) FROM inserted),
                   (SELECT COUNT(*) FROM updated), (SELECT COUNT(*) FROM deleted),
                   ARRAY(
                       SELECT ROW(COALESCE(table_unit, organization_id),
                                  COALESCE(table_year, year), COALESCE(table_kind, kind),
                                  COALESCE(table_body, body),
                                  table_row, wanted_row)::text
                       FROM diff LIMIT %(logged)s
                   )
            """,
            {**statement_params(today, tolerance), "logged": logged},
        )
        rows, inserted, updated, deleted, differences = cursor.fetchone()
    return rows, inserted, updated, deleted, differences


def insert_snapshot(period_id: int, years: list[int], day: date) -> int:
    """Copy `progress_wanted`'s rows of `years` into a period's snapshot."""
    columns = ", ".join(_WRITTEN)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO reports_periodsnapshot
                (period_id, organization_id, year, kind, body, {columns}, computed_on)
            SELECT %s, organization_id, year, kind, body, {columns}, %s
            FROM {WANTED} WHERE year = ANY(%s)
            """,
            [period_id, day, years],
        )
        return cursor.rowcount


# --- one subtree, on demand ------------------------------------------------------------

# The figures of a past period that has no snapshot (or of the term), for one unit's
# subtree only: the own figures of the subtree's units (the same _OWN_SQL, restricted by
# path and to the period's years, which a term gathers under one), then in the same
# statement the subtree totals of the unit and of each child (grouping sets over the
# child's path prefix) and the most lagging units in the dashboard's order.
_SUBTREE_SQL = """
WITH own AS MATERIALIZED ({own}),
placed AS (
    SELECT o.*,
           CASE WHEN o.depth > %(depth)s THEN substr(o.path, 1, %(child_length)s) END AS child
    FROM own o
    {kind_filter}
),
totals AS (
    SELECT child, kind, body, GROUPING(child) AS whole, {sums}
    FROM placed
    GROUP BY kind, body, GROUPING SETS ((), (child))
)
SELECT 'sub', COALESCE(c.id, %(unit)s), t.kind, t.body, {total_columns}, NULL::jsonb, NULL,
       NULL, NULL
FROM totals t LEFT JOIN ktgs_organization c ON t.whole = 0 AND c.path = t.child
WHERE t.whole = 1 OR t.child IS NOT NULL
UNION ALL
(
    -- The parent's name (names repeat: the list says whose unit it is), looked up for
    -- the few rows kept by the primary key.
    SELECT 'lagging', unit, kind, body, {own_columns}, reasons, u.name, u.code,
           (SELECT p.name FROM ktgs_organization p WHERE p.id = u.parent_id) AS parent_name
    FROM placed JOIN ktgs_organization u ON u.id = placed.unit
    WHERE units_lagging = 1 AND kind = %(lagging_kind)s AND body = ''
    ORDER BY {lagging_order}
    LIMIT %(lagging)s
)
"""
# The dashboard's order of the lagging units (furthest behind schedule first).
_LAGGING_ORDER = "expected - capped_done DESC, name, unit"
# The lag reasons in words are built for the units the list shows, not for every lagging
# unit of the subtree (most of a province's are never shown): the same units, picked in
# the same order from the own figures, first (a LIMIT: the planner cannot put it after
# the join with the targets).
_SHOWN_ROWS = f"""(
    SELECT g.* FROM figures g JOIN ktgs_organization su ON su.id = g.unit
    WHERE g.lagging AND g.body = '' AND g.kind = %(lagging_kind)s
    ORDER BY {_LAGGING_ORDER}
    LIMIT %(lagging)s
)"""


def _subtree_sql(
    *, gathered: bool, one_kind: bool, all_kinds: bool = False, large: bool = False
) -> str:
    """`all_kinds`: only the all-kinds rows are wanted (kind ""): the others are not
    computed at all. `large`: the subtree is (nearly) the whole tree (its counting
    cases found on one scan of the cases, _LINEAGE_CASES_HASHED)."""
    units = "SELECT id FROM ktgs_organization WHERE path LIKE %(subtree)s"
    # The subtree's targets and cases: of the whole tree, on one scan of each table, the
    # units hashed; of a part, by the units' index (an array: the planner, which expects
    # a province's cases to be too many to look up one unit at a time, read all the
    # national profile's cases twice, 1.1 s, for a province's 28,000).
    restricted = (
        f"organization_id IN ({units})" if large else f"organization_id = ANY(ARRAY({units}))"
    )
    key = "%(year_key)s::int"
    own = _OWN_SQL.format(
        targets=f"AND t.{restricted} AND ({TARGET_YEAR}) BETWEEN %(first_year)s AND %(last_year)s",
        counting=_LINEAGE_CASES_HASHED if large else _LINEAGE_CASES,
        cases=f"AND c.{restricted} AND c.year BETWEEN %(first_year)s AND %(last_year)s",
        orphan=_ORPHAN_CASES.format(case_units=f"c.{restricted}"),
        linked=_IN_FORCE,
        units="AND u.path LIKE %(subtree)s",
        target_year=key if gathered else TARGET_YEAR,
        case_year=key if gathered else CASE_YEAR,
        missing_year=key if gathered else MISSING_YEAR,
        coverage=COVERAGE_SQL,
        grouping_sets=ALL_KINDS_ROWS if all_kinds else EVERY_ROW,
        kind_key=ALL_KINDS_ROW_KIND if all_kinds else EVERY_ROW_KIND,
        lagging_rows=_SHOWN_ROWS,
    )
    return _SUBTREE_SQL.format(
        lagging_order=_LAGGING_ORDER,
        own=own,
        kind_filter="WHERE o.kind = %(kind)s" if one_kind else "",
        sums=", ".join(f"SUM({name}) AS {name}" for name in FIGURES_SQL),
        total_columns=", ".join(f"t.{name}" for name in FIGURES_SQL),
        own_columns=", ".join(FIGURES_SQL),
    )


def subtree(
    *,
    unit: int,
    path: str,
    depth: int,
    day: date,
    years: range,
    kind: str | None,
    lagging_kind: str,
    lagging: int,
    tolerance: Decimal,
) -> list[tuple]:
    """The subtree of `unit` as of `day` in one statement: rows ('sub', unit or child,
    kind, body, figures…, None, None, None) for the unit's and each child's subtree
    totals (of `kind`, or of every kind when None; for all bodies and for each), then up
    to `lagging` rows ('lagging', unit, kind, "", own figures…, reasons, name, code) of
    the most lagging units for `lagging_kind`. Figures in FIGURES_SQL order. `years` of
    more than one year are gathered as one (the term: each unit counted once over all its
    targets)."""
    params = {
        **statement_params(day, tolerance),
        "unit": unit,
        "subtree": path + "%",
        "depth": depth,
        "child_length": len(path) + Organization.steplen,
        "first_year": years.start,
        "last_year": years.stop - 1,
        "year_key": years.start,
        "kind": kind,
        "lagging_kind": lagging_kind,
        "lagging": lagging,
    }
    sql = _subtree_sql(
        gathered=len(years) > 1,
        one_kind=kind is not None,
        all_kinds=kind == ALL_KINDS,
        large=depth <= LARGE_SUBTREE_DEPTH,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- incremental ----------------------------------------------------------------------

# A refresh is two prepared statements sent together (a pipeline: one round trip), each
# with its own snapshot, run in order by the server: the locks, then the refresh itself,
# which therefore reads the figures that the previous refresh of any of its units
# committed.

# Each touched unit and every ancestor (itself included): every prefix of its path, found
# by the path index (the prefixes as an array, so that the planner does not take
# generate_series for a thousand rows and hash the whole tree).
_CHAIN_JOIN = """
    FROM ktgs_organization u
    JOIN ktgs_organization o ON o.path = ANY(ARRAY(
        SELECT substr(u.path, 1, prefix)
        FROM generate_series(%(step)s::int, length(u.path), %(step)s::int) AS prefix
    ))
    WHERE u.id = ANY(%(units)s)
"""

# The locks. First ROLLUP_LOCK (reports.engine.table), shared: a rebuild holds it alone.
# It is taken before any row lock (an uncorrelated condition: the plan's one-time filter,
# evaluated before its scans run), else a refresh holding an ancestor while queued behind
# a rebuild's request could deadlock a refresh already holding the advisory lock. Then the
# units' chains, in id order: refreshes that share an ancestor run one after the other
# (they would wait on its roll-up rows anyway), so each reads the figures the previous one
# committed, and none can deadlock another (LockRows takes the rows as the sort hands
# them over: in id order). NO KEY UPDATE: inserting cases and targets that refer to these
# units is not blocked.
_LOCK_SQL = f"""
SELECT o.id
{_CHAIN_JOIN}
  AND (SELECT pg_advisory_xact_lock_shared(%(lock)s)) IS NOT NULL
ORDER BY o.id
FOR NO KEY UPDATE OF o
"""

_REFRESH_SQL = """
WITH own_new AS ({own}),
own_old AS (
    SELECT organization_id AS unit, year, kind, body, {old_own}, own_lag_reasons AS reasons
    FROM reports_progressrow WHERE organization_id = ANY(%(units)s)
),
delta AS (
    SELECT COALESCE(n.unit, o.unit) AS unit, COALESCE(n.year, o.year) AS year,
           COALESCE(n.kind, o.kind) AS kind, COALESCE(n.body, o.body) AS body, {deltas},
           COALESCE(n.reasons, '[]'::jsonb) AS reasons
    FROM own_new n
    FULL OUTER JOIN own_old o
      ON o.unit = n.unit AND o.year = n.year AND o.kind = n.kind AND o.body = n.body
    WHERE ({new_values}) IS DISTINCT FROM ({old_values})
       OR COALESCE(n.reasons, '[]'::jsonb) <> COALESCE(o.reasons, '[]'::jsonb)
),
chain AS (SELECT u.id AS unit, o.id AS ancestor {chains}),
-- Each row to change (a touched unit's own rows and each ancestor's, itself included):
-- its subtree figures move by the sum of its touched units' deltas, its own figures by its
-- own delta, if it is a touched unit's (joined, not summed: one delta row at most).
total AS (
    SELECT c.ancestor AS organization_id, d.year, d.kind, d.body, {sub_sums}
    FROM delta d JOIN chain c ON c.unit = d.unit
    GROUP BY c.ancestor, d.year, d.kind, d.body
),
changes AS (
    SELECT t.*, {own_deltas}, s.reasons
    FROM total t
    LEFT JOIN delta s
      ON s.unit = t.organization_id AND s.year = t.year AND s.kind = t.kind AND s.body = t.body
),
updated AS (
    UPDATE reports_progressrow p SET
        {additions},
        own_lag_reasons = COALESCE(t.reasons, p.own_lag_reasons),
        computed_on = %(today)s
    FROM changes t
    WHERE p.organization_id = t.organization_id AND p.year = t.year AND p.kind = t.kind
      AND p.body = t.body
    RETURNING p.id, p.organization_id, p.year, p.kind, p.body, ({sub_zero}) AS empty
),
-- The rows the update did not find: looked up in its result, not in the table again.
inserted AS (
    INSERT INTO reports_progressrow
        (organization_id, year, kind, body, {own_columns}, own_lag_reasons, {sub_columns},
         computed_on)
    SELECT organization_id, year, kind, body, {own_values}, COALESCE(reasons, '[]'::jsonb),
           {sub_values}, %(today)s
    FROM changes t
    WHERE NOT EXISTS (
        SELECT 1 FROM updated u
        WHERE u.organization_id = t.organization_id AND u.year = t.year AND u.kind = t.kind
          AND u.body = t.body
    )
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM delta),
       (SELECT array_agg(id) FROM updated WHERE empty),
       (SELECT COUNT(*) FROM inserted)
"""


def _refresh_sql() -> str:
    return _REFRESH_SQL.format(
        own=_own_sql(True),
        chains=_CHAIN_JOIN,
        old_own=", ".join(f"own_{name} AS {name}" for name in FIGURES_SQL),
        deltas=", ".join(
            f"COALESCE(n.{name}, 0) - COALESCE(o.{name}, 0) AS d_{name}" for name in FIGURES_SQL
        ),
        new_values=", ".join(f"COALESCE(n.{name}, 0)" for name in FIGURES_SQL),
        old_values=", ".join(f"COALESCE(o.{name}, 0)" for name in FIGURES_SQL),
        own_columns=", ".join(OWN_COLUMNS),
        sub_columns=", ".join(SUB_COLUMNS),
        sub_sums=", ".join(f"SUM(d.d_{name}) AS sub_{name}" for name in FIGURES_SQL),
        own_deltas=", ".join(f"COALESCE(s.d_{name}, 0) AS own_{name}" for name in FIGURES_SQL),
        additions=",\n        ".join(f"{c} = p.{c} + t.{c}" for c in OWN_COLUMNS + SUB_COLUMNS),
        own_values=", ".join(f"t.{c}" for c in OWN_COLUMNS),
        sub_values=", ".join(f"t.{c}" for c in SUB_COLUMNS),
        sub_zero=" AND ".join(f"p.{c} = 0" for c in SUB_COLUMNS),  # RETURNING sees new values,
    )


REFRESH_SQL = _refresh_sql()


@functools.cache
def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` ready for a RawCursor: the constants of _params written in as literals, and
    PostgreSQL's own placeholders ($1, $2…) for the other %(name)s ones, whose names
    come back in their order. psycopg splits a query's text on its placeholders at every
    execution, and caches the split only for texts under 4 kB: the refresh's 23 kB took
    0.2–0.5 ms of regular expressions after every write, and its 20 parameters as long
    to adapt; a RawCursor sends the text as it is, with the 4 that vary."""
    constants = _constants()
    names: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in constants:
            return constants[name]
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r"%\((\w+)\)s", replace, sql).replace("%%", "%"), tuple(names)


def _constants() -> dict[str, str]:
    """The parameters of _params that do not depend on the day, as SQL literals."""

    def literal(value: str | list[str]) -> str:
        if isinstance(value, list):
            return f"ARRAY[{', '.join(map(literal, value))}]::text[]"
        return "'" + value.replace("'", "''") + "'"

    varying = {"today", "year", "tolerance"}
    return {
        name: literal(value)
        for name, value in statement_params(date.min, Decimal(0)).items()
        if name not in varying
    }


@functools.cache
def _encoded(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """_positional's text as the bytes psycopg sends (UTF-8, Django's client encoding),
    encoded once: psycopg encodes a str query at every execution and looks its prepared
    statement up by the bytes, whose hash (23 kB for the refresh) a new object computes
    again each time; the same bytes object keeps its hash."""
    text, names = _positional(sql)
    return text.encode(), names


def _execute(cursor: psycopg.RawCursor, sql: str, params: dict) -> None:
    text, names = _encoded(sql)
    cursor.execute(text, [params[name] for name in names], prepare=True)


def refresh(units: Sequence[int], today: date, tolerance: Decimal, lock: int) -> int:
    """The incremental refresh in one round trip: the advisory `lock` taken shared and the
    units' chains locked (_LOCK_SQL), then one statement: the touched units' own figures
    recomputed, the difference added to their own rows and to the subtree figures of
    every ancestor, missing rows created. Returns the number of the units' own rows whose
    figures changed (as the Python path does). A row whose subtree figures all came to
    zero is then dropped, as a rebuild would not make it."""
    params = {
        "today": today,
        "year": today.year,
        "tolerance": tolerance,
        "units": list(units),
        "step": Organization.steplen,
        "lock": lock,
    }
    # Planning the refresh costs far more than running it (≈15 ms against ≈1 ms), and it
    # runs after every write: its statements are prepared once per connection (psycopg's
    # own cursors, with server-side parameters; Django's bind client-side and never
    # prepare), each with one generic plan (ktgs.settings: plan_cache_mode,
    # prepare_threshold). In a pipeline both go to the server at once and their results
    # come back together (read after the pipeline's end: reading inside it costs another
    # synchronisation).
    connection.ensure_connection()
    raw = connection.connection
    # Django's error wrapping, as its own cursors have: a lost connection or a deadlock
    # is a django.db.OperationalError, which the refresh task retries.
    with (
        connection.wrap_database_errors,
        psycopg.RawCursor(raw) as locks,
        psycopg.RawCursor(raw) as cursor,
    ):
        with raw.pipeline():
            _execute(locks, _LOCK_SQL, params)
            _execute(cursor, REFRESH_SQL, params)
        found = cursor.fetchone()
        assert found is not None  # the statement's last SELECT always returns one row
        # The inserted rows' count is read so that their insert runs (a data-modifying CTE
        # runs anyway; reading it keeps the statement's three results in one row).
        changed, empty, _inserted = found
        if empty:
            cursor.execute("DELETE FROM reports_progressrow WHERE id = ANY($1)", [empty])
    return changed
