"""The dashboard's statements compiled once per process (reports.queries.compiled, for
reports.queries.dashboards and reports.queries.records), compiled for SQLite, the engine
of `make run` (the rest of the suite runs on PostgreSQL): every stand-in value becomes a
parameter put back from each call's values, never a constant of the statement. On SQLite
the ORM passes dates to the driver as ISO strings; the records' union once matched its
stand-in dates as date objects only, so on SQLite it compiled 1901-01-01 … in as
constants and every dashboard of `make run` counted its records between those dates."""

from datetime import date

import pytest

from ktgs.models import Organization
from reports.models import ALL_KINDS, ReportPeriod
from reports.queries import compiled, dashboards, records
from reports.queries.sources import Source
from tests.reports.stand_ins import assert_no_stand_in_compiled_in

STAND_IN_MARKS = ("1901", "1902", "1903", "1904", "1905", "1906", "~", "98765432")


# The nation's shape, a province's of a tree with many (joined) and with few (looked up)
# provinces, a smaller unit's.
@pytest.mark.parametrize("depth, second_level_units", [(1, None), (2, 40), (2, 4), (3, None)])
def test_the_records_union_takes_every_date_as_a_parameter_on_sqlite(
    compiled_on_sqlite, depth, second_level_units
):
    assert compiled.connection.vendor == "sqlite"
    unit = Organization(pk=1, path="0001" * depth, depth=depth)
    found = records.records(
        unit,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        today=date(2026, 7, 2),
        second_level_units=second_level_units,
    )
    assert found  # every body, with nothing counted: the tables are empty
    assert len(compiled._STATEMENTS) == 1
    statement = records._statement(
        top=depth == 1, lookup=records.large_share(unit, second_level_units)
    )
    names = {name for name, _ in statement.slots if name}
    assert {"prefix", "start", "end", "today"} <= names
    assert_no_stand_in_compiled_in(statement, STAND_IN_MARKS)


@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("kind", [ALL_KINDS, "inspection_signs"])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_units_and_lagging_statements_take_every_value_as_a_parameter_on_sqlite(
    compiled_on_sqlite, live, kind, depth
):
    source = Source(
        period=None if live else ReportPeriod(pk=7, kind="q1", year=2026),
        year=2026,
        as_of=None if live else date(2026, 3, 31),
        live=live,
    )
    path = "0001" * depth
    paths = [path[: 4 * step] for step in range(1, depth + 1)]
    unit = dashboards._Unit(pk=1, path=path)
    assert dashboards._read_units(unit, paths, source, kind) == []
    assert dashboards._lagging(unit, source, kind, language="vi") == []
    assert len(compiled._STATEMENTS) == 2  # the units' and the lagging units' statements
    for statement in compiled._STATEMENTS.values():
        assert_no_stand_in_compiled_in(statement, STAND_IN_MARKS)
    units = dashboards._units_statement(depth, source, kind)
    names = {name for name, _ in units.slots if name}
    assert {"pk", f"path{depth - 1}", "year"} <= names
    # A province's subtree is asked by its path's first two steps, any other by prefix.
    assert ("prefix" in names) == (depth != 2)
