"""The period report's statements compiled once per process (reports.queries.compiled,
for reports.queries.period_reports): each call runs the SQL the ORM would compile for its
values, on PostgreSQL and on SQLite (the engine of `make run`), and reads the same rows."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Case, F, Q, When

from ktgs.models import Organization
from plans import queries as plan_queries
from plans.models import Target
from reports.queries import compiled
from reports.queries import period_reports as reports
from tests.reports.stand_ins import assert_no_stand_in_compiled_in
from tests.reports.test_period_report import year_2026  # noqa: F401 (a fixture)

STAND_IN_MARKS = ("1901", "1902", "1903", "1904", "1905", "1909", "~", "987654331")
PERIODS = [
    (date(2026, 1, 1), date(2026, 3, 31), range(2026, 2027)),
    (date(2026, 1, 1), date(2026, 7, 2), range(2026, 2027)),
    (date(2025, 1, 1), date(2026, 7, 2), range(2025, 2030)),  # a term
]


def shapes(unit: Organization, start: date, end: date, years: range):
    """(the compiled statement, the ORM's query, the call's values) of each statement."""
    values = {"start": start, "end": end, "years": years}
    return [
        (reports._done_statement(), reports._done_query(unit.path, unit.pk, start, end), values),
        (
            reports._orphaned_statement(len(years)),
            reports._orphaned_query(unit.path, end, years),
            {"end": end, "years": years},
        ),
        (reports._findings_statement(), reports._findings_query(unit.path, start, end), values),
    ]


def targets_values(unit: Organization, end: date, years: range) -> dict:
    found = {"prefix": compiled.like_prefix(unit.path), "pk": unit.pk, "day": end}
    for i, year in enumerate(years):
        found |= {f"year{i}": year, f"year_start{i}": date(year, 1, 1)}
        found[f"year_end{i}"] = date(year, 12, 31)
    return found


def orm_sql(queryset):
    sql, params = queryset.query.get_compiler(connection=compiled.connection).as_sql()
    return sql, list(params)


def call_values(unit: Organization, values: dict) -> dict:
    found = {"prefix": compiled.like_prefix(unit.path), "pk": unit.pk, **values}
    found.pop("years", None)
    found.update({f"year{i}": year for i, year in enumerate(values.get("years", ()))})
    return found


@pytest.mark.parametrize("start, end, years", PERIODS)
def test_the_compiled_reads_are_the_orm_reads(tree, year_2026, start, end, years):  # noqa: F811
    for unit in (tree.root, tree.province, tree.a, tree.a1, tree.b1):
        for statement, queryset, values in shapes(unit, start, end, years):
            assert (statement.sql, statement.params(call_values(unit, values))) == orm_sql(
                queryset
            ), unit
            found = reports._run(statement, unit, **values)
            assert sorted(map(tuple, found)) == sorted(queryset), unit
        # The targets added up with what they have done (plans.queries.done_totals).
        statement = reports._targets_statement(len(years))
        queryset = reports._targets_query(unit.path, unit.pk, end, years)
        params = statement.params(targets_values(unit, end, years))
        assert (statement.sql, params) == orm_sql(queryset), unit
        found = plan_queries.done_totals_of(statement.compiler, statement.sql, params, on=end)
        by = ("kind", "programme__starts_on", "due_on", "own_body")
        of_years = Q()
        for year in years:
            of_years |= plan_queries.targets_of_year(year)
        targets = Target.objects.filter(
            of_years,
            plan_queries.in_force_on(end),
            organization__path__startswith=unit.path,
            programme__status__in=plan_queries.COUNTED_PROGRAMME_STATUSES,
        ).annotate(own_body=Case(When(organization_id=unit.pk, then=F("programme__body"))))
        assert sorted(found) == sorted(plan_queries.done_totals(targets, on=end, by=by)), unit
    # Something was counted: the fixture's cases and subjects.
    statement, queryset, values = shapes(tree.root, *PERIODS[1])[0]
    assert reports._run(statement, tree.root, **values)


@pytest.mark.parametrize("start, end, years", PERIODS)
def test_every_value_is_a_parameter_on_sqlite(compiled_on_sqlite, start, end, years):
    assert compiled.connection.vendor == "sqlite"
    unit = Organization(pk=7, path="00010002", depth=2)
    for statement, _queryset, values in shapes(unit, start, end, years):
        assert_no_stand_in_compiled_in(statement, STAND_IN_MARKS)
        assert {"prefix", "end"} <= {name for name, _ in statement.slots if name}
        assert reports._run(statement, unit, **values) == []  # SQLite takes it
    statement = reports._targets_statement(len(years))
    assert_no_stand_in_compiled_in(statement, STAND_IN_MARKS)
    params = statement.params(targets_values(unit, end, years))
    assert plan_queries.done_totals_of(statement.compiler, statement.sql, params, on=end) == []
    assert connection.vendor == "postgresql"  # the rest of the suite's
