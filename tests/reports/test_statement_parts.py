"""The parts of the full computation that the benchmark times one by one (`manage.py bench
--parts`, devtools.bench.parts): each part is the full statement cut at one of its steps,
so the roll-up read from stored own rows gives the very rows of the whole statement, and
the steps count what they should."""

import random
from datetime import date

import pytest
from django.db import connection, transaction

from reports import engine
from reports.engine import statements
from tests.reports.test_rollup import case, programme, target
from tests.reports.test_rollup_sql import random_year

DAY = date(2026, 9, 30)


@pytest.fixture(autouse=True)
def _postgresql(db):
    assert connection.vendor == "postgresql"


def _params():
    return statements.statement_params(DAY, engine.lag_tolerance_cases())


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, _params())
        return cursor.fetchone()[0]


def test_the_steps_count_the_targets_and_the_units_own_rows(tree):
    prog = programme(tree.province)
    a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=2)
    case(tree.a1, target=a1, concluded_on=date(2026, 3, 10))
    case(tree.a2, kind="denunciation", concluded_on=date(2026, 2, 1))  # arising
    # Two targets and one group of arising cases (A2's denunciations of its body).
    assert _count(statements.own_stage_sql("items")) == 3
    # A unit with one kind and one body has four own rows: per kind and body, per kind,
    # per body, all.
    assert _count(statements.own_stage_sql("figures")) == 3 * 4


@pytest.mark.parametrize("seed", range(2))
def test_the_roll_up_from_stored_own_rows_equals_the_whole_statement(tree, seed):
    random_year(tree, random.Random(seed))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE parts_own ON COMMIT DROP AS {statements.own_sql()}",
            _params(),
        )
        cursor.execute(statements.wanted_sql(cursor), _params())
        whole = sorted(map(str, cursor.fetchall()))
        cursor.execute(statements.wanted_from_sql(cursor, "parts_own"), _params())
        from_stored = sorted(map(str, cursor.fetchall()))
    assert whole
    assert from_stored == whole
