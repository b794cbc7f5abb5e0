"""F1 in parts (`manage.py bench --parts`): where a full computation of the roll-up table
goes, each part timed on its own beside F0, on PostgreSQL.

Issue 17 asks that a goal not met show the measured floor of its remaining work. The
parts, each a statement of its own (median of the runs after a warm-up, wall clock and
the CPU time of the server process and of this one together, which the other work on a
shared machine disturbs less):

- output: writing as many rows as the table holds (a copy of reports_progressrow into a
  temporary table), what any full computation writes at the least;
- items: every target's figures (done counts of cases and subjects, amendments'
  lineages, expected and gap) and the arising cases' counts;
- own rows: those grouped into every unit's own rows (per kind and body, per kind, per
  body, all);
- own rows complete: with the lag reasons, the units without a programme and the
  coverage columns, written into a temporary table;
- roll-up: the subtree figures level by level from those stored own rows, joined back to
  them, written into a temporary table;
- whole: F1's statement (the last two parts in one).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

import psutil
from django.db import connection, transaction

from reports import engine
from reports.engine import statements

OWN_TABLE = "bench_own"
Run = Callable[[], object]


def _backend_cpu_ms() -> float | None:
    """The CPU time of the server process serving this connection, when it runs on this
    machine (the benchmark's loopback server; psutil, as the load test counts its
    processes' CPU); None elsewhere."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return (times.user + times.system) * 1000


def _timed(statement: Run) -> tuple[float, float | None]:
    """(wall ms, CPU ms of both processes or None) of one run."""
    backend = _backend_cpu_ms()
    own, started = time.process_time(), time.perf_counter()
    statement()
    wall = (time.perf_counter() - started) * 1000
    after = _backend_cpu_ms()
    if backend is None or after is None:
        return wall, None
    return wall, after - backend + (time.process_time() - own) * 1000


def _part(sql: str, params: dict | None, *, own_rows: bool = False) -> Callable[[], Run]:
    """One run of `sql` in a transaction of its own (its temporary tables dropped at the
    end), after the own rows are stored in OWN_TABLE when it reads them (not timed)."""

    def prepare() -> Run:
        cursor = connection.cursor()
        statements.limit_memory(cursor)
        if own_rows:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {OWN_TABLE} ON COMMIT DROP AS {statements.own_sql()}",
                params,
            )
            cursor.execute(f"ANALYZE {OWN_TABLE}")
        return lambda: cursor.execute(sql, params)

    return prepare


def measure(today: date, floor_sql: str, runs: int) -> dict[str, dict[str, float | None]]:
    """Each part's median wall and CPU ms over `runs` runs after a warm-up."""
    params = statements.statement_params(today, engine.lag_tolerance_cases())
    with connection.cursor() as cursor:
        whole = statements.wanted_sql(cursor)
        roll_up = statements.wanted_from_sql(cursor, OWN_TABLE)
    into = "CREATE TEMPORARY TABLE bench_part ON COMMIT DROP AS"
    parts = {
        "F0": _part(floor_sql, None),
        "output": _part(f"{into} SELECT * FROM reports_progressrow", None),
        "items": _part(statements.own_stage_sql("items"), params),
        "own rows": _part(statements.own_stage_sql("figures"), params),
        "own rows complete": _part(f"{into} {statements.own_sql()}", params),
        "roll-up": _part(f"{into} {roll_up}", params, own_rows=True),
        "whole": _part(f"{into} {whole}", params),
    }
    samples: dict[str, list[tuple[float, float | None]]] = {name: [] for name in parts}
    for run in range(runs + 1):  # the first, a warm-up, is not kept
        for name, prepare in parts.items():
            with transaction.atomic():
                execute = prepare()
                sample = _timed(execute)
            if run:
                samples[name].append(sample)
    return {
        name: {
            "wall_ms": round(statistics.median(wall for wall, _ in taken), 1),
            "cpu_ms": (
                None
                if any(cpu is None for _, cpu in taken)
                else round(statistics.median(cpu for _, cpu in taken if cpu is not None), 1)
            ),
        }
        for name, taken in samples.items()
    }
