"""Statements compiled once per process (reports.queries.compiled): each call's values go
into the stand-ins' slots, so that the statement is what the ORM compiles for those
values, on PostgreSQL and on SQLite (`make run`'s engine); a stand-in whose slots would be
ambiguous, or lost, is refused when the shape is first compiled."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models.functions import Upper
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from ktgs.models import Organization
from reports.models import ReportPeriod
from reports.queries import compiled
from tests.factories import OrganizationFactory

PERIOD_STAND_INS = {
    "kind": "~kind~",
    "year": 1901,
    "start": date(1901, 1, 1),
    "end": date(1902, 1, 1),
}
UNIT_STAND_INS = {"prefix": "~unit~%", "pk": 987654321}


def periods(kind, year, start, end):
    # The later date first: its slot comes before the earlier one's.
    return ReportPeriod.objects.filter(ends_on__lte=end, kind=kind, starts_on__gte=start).filter(
        year=year
    )


def units(path, pk):
    return Organization.objects.filter(path__startswith=path).exclude(pk=pk).order_by("path")


def periods_statement():
    return compiled.statement(
        ("test periods",), lambda: periods(**PERIOD_STAND_INS), PERIOD_STAND_INS
    )


def units_statement():
    return compiled.statement(("test units",), lambda: units("~unit~", 987654321), UNIT_STAND_INS)


@pytest.fixture(autouse=True)
def empty_cache():
    with mock.patch.dict(compiled._STATEMENTS, clear=True):
        yield


@pytest.fixture
def sqlite(sqlite_connection):
    """The in-memory SQLite database with the periods' and units' tables, as the compiled
    statements' connection."""
    with sqlite_connection.schema_editor() as editor:
        editor.create_model(ReportPeriod)
        editor.create_model(Organization)
    with mock.patch.object(compiled, "connection", sqlite_connection):
        yield sqlite_connection


def orm_sql(queryset, connection):
    return queryset.query.get_compiler(connection=connection).as_sql()


def assert_compiled_as_the_orm(connection, alias):
    """Each statement's SQL and parameters for real values are those the ORM compiles
    for them, type for type (psycopg's small integer for the year included), and it reads
    the same objects."""
    ReportPeriod.objects.using(alias).bulk_create(
        [
            ReportPeriod(
                kind="q1", year=2077, starts_on=date(2077, 1, 1), ends_on=date(2077, 3, 31)
            ),
            ReportPeriod(
                kind="h1", year=2077, starts_on=date(2077, 1, 1), ends_on=date(2077, 6, 30)
            ),
            ReportPeriod(
                kind="q1", year=2076, starts_on=date(2076, 1, 1), ends_on=date(2076, 3, 31)
            ),
        ]
    )
    statement = periods_statement()
    assert [name for name, _ in statement.slots] == ["end", "kind", "start", "year"]
    for kind, end, expected in (
        ("q1", date(2077, 6, 30), [("q1", 2077, date(2077, 3, 31))]),
        ("h1", date(2077, 6, 30), [("h1", 2077, date(2077, 6, 30))]),
        ("q1", date(2077, 3, 1), []),
    ):
        values = {"kind": kind, "year": 2077, "start": date(2077, 1, 1), "end": end}
        sql, params = orm_sql(periods(**values), connection)
        assert (statement.sql, statement.params(values)) == (sql, list(params))
        assert [type(p) for p in statement.params(values)] == [type(p) for p in params]
        assert (
            list(periods(**values).using(alias).values_list("kind", "year", "ends_on")) == expected
        )
        assert [(p.kind, p.year, p.ends_on) for p in statement.objects(values)] == expected

    statement = units_statement()
    values = {"prefix": compiled.like_prefix("00010002"), "pk": 5}
    sql, params = orm_sql(units("00010002", 5), connection)
    assert (statement.sql, statement.params(values)) == (sql, list(params))
    assert [name for name, _ in statement.slots] == ["prefix", "pk"]


def test_values_go_in_their_slots_on_postgresql(db):
    assert compiled.connection.vendor == "postgresql"
    assert_compiled_as_the_orm(connection, "default")


def test_values_go_in_their_slots_on_sqlite(sqlite):
    assert compiled.connection.vendor == "sqlite"
    # On SQLite the dates are put back as the ISO strings the ORM passes to the driver.
    assert_compiled_as_the_orm(sqlite, sqlite.alias)


def test_a_shape_is_compiled_once(db):
    build = mock.Mock(side_effect=lambda: periods(**PERIOD_STAND_INS))
    first = compiled.statement(("test periods",), build, PERIOD_STAND_INS)
    again = compiled.statement(("test periods",), build, PERIOD_STAND_INS)
    assert again is first
    assert build.call_count == 1


def test_two_stand_ins_of_one_value_are_refused(db):
    stand_ins = {**PERIOD_STAND_INS, "end": PERIOD_STAND_INS["start"]}
    with pytest.raises(ValueError, match="share the value"):
        compiled.statement(("test periods",), lambda: periods(**stand_ins), stand_ins)
    assert compiled._STATEMENTS == {}  # nothing cached: the next call refuses again


def test_a_stand_in_that_takes_no_slot_is_refused(db):
    stand_ins = {**PERIOD_STAND_INS, "month": 987654322}
    with pytest.raises(ValueError, match=r"take no parameter: \['month'\]"):
        compiled.statement(("test periods",), lambda: periods(**PERIOD_STAND_INS), stand_ins)


def test_a_value_worked_out_from_a_stand_in_is_refused(db):
    def build():
        start = PERIOD_STAND_INS["start"]
        return periods(**{**PERIOD_STAND_INS, "end": start + timedelta(days=364)})

    stand_ins = {name: v for name, v in PERIOD_STAND_INS.items() if name != "end"}
    with pytest.raises(ValueError, match="made from a stand-in"):
        compiled.statement(("test periods",), build, stand_ins)


def test_a_path_worked_out_from_the_stand_in_is_refused(db):
    # The parent's path of the stand-in, a constant of the statement.
    with pytest.raises(ValueError, match="made from a stand-in"):
        compiled.statement(
            ("test units",),
            lambda: units("~unit~", 987654321).exclude(path="~uni"),
            UNIT_STAND_INS,
        )


@pytest.mark.parametrize("stand_in", ["plain", date(2077, 1, 1)])
def test_a_stand_in_with_no_mark_is_refused(db, stand_in):
    stand_ins = {**PERIOD_STAND_INS, "kind": stand_in}
    with pytest.raises(ValueError, match="has no mark"):
        compiled.statement(("test periods",), lambda: periods(**stand_ins), stand_ins)


def test_objects_are_those_the_orm_builds(db):
    """An object read by a statement is the ORM's object for the row: the same fields
    loaded, a field not read left deferred, saved state; a model whose objects need
    Model.__init__ (something listens to post_init) is built by from_db."""
    root = OrganizationFactory(name="Gốc", code="G", level=Organization.Level.CENTRAL)
    OrganizationFactory(parent=root, name="Con", code="C")

    def build():
        return units("~unit~", 987654321).only("path", "name").annotate(shout=Upper("name"))

    statement = compiled.statement(("test units only",), build, UNIT_STAND_INS)
    assert statement.objects_info is not None and statement.objects_info.plain
    values = {"prefix": compiled.like_prefix(root.path), "pk": 987654321}
    expected = list(units(root.path, 987654321).only("path", "name").annotate(shout=Upper("name")))
    found = statement.objects(values)
    assert [vars(o).keys() for o in found] == [vars(o).keys() for o in expected]
    assert [o.__dict__ | {"_state": None} for o in found] == [
        o.__dict__ | {"_state": None} for o in expected
    ]
    assert [(o._state.adding, o._state.db) for o in found] == [(False, "default")] * 2
    assert "code" not in vars(found[1]) and found[1].shout == "CON"
    with CaptureQueriesContext(connection) as queries:
        assert found[1].code == "C"  # deferred: read when asked for, as the ORM's
    assert len(queries) == 1
    found[1].name = "Con đổi tên"
    found[1].save(update_fields=["name"])
    assert Organization.objects.get(pk=found[1].pk).name == "Con đổi tên"

    parent = compiled.loaded(Organization, (("id", root.pk), ("name", "Gốc")), "default")
    assert (parent.pk, parent.name, parent._state.adding) == (root.pk, "Gốc", False)
    assert parent.code == "G"  # deferred

    initialised = []

    def listener(instance, **kwargs):
        initialised.append(instance)

    # An annotation named as an attribute of the model's class is set as the ORM sets it.
    statement = compiled.statement(
        ("test units steplen",),
        lambda: units("~unit~", 987654321).annotate(steplen=Upper("name")),
        UNIT_STAND_INS,
    )
    assert statement.objects_info is not None and not statement.objects_info.plain
    assert [o.steplen for o in statement.objects(values)] == ["GỐC", "CON ĐỔI TÊN"]

    post_init.connect(listener, sender=Organization)
    try:
        parent = compiled.loaded(Organization, (("id", root.pk), ("name", "Gốc")), "default")
        assert initialised == [parent] and parent.code == "G"
        compiled._STATEMENTS.clear()
        statement = compiled.statement(("test units only",), build, UNIT_STAND_INS)
        assert statement.objects_info is not None and not statement.objects_info.plain
        assert [o.pk for o in statement.objects(values)] == [o.pk for o in expected]
    finally:
        post_init.disconnect(listener, sender=Organization)


def test_a_prepared_statement_reads_as_the_planned_one(db):
    """A statement asked prepared (PostgreSQL) has its constants written in (a LIMIT, so
    that its one generic plan knows it), reads the same objects as the statement planned
    for each call, and counts as one query each time it runs (dashboards' query counts)."""
    root = OrganizationFactory(name="Gốc", code="G", level=Organization.Level.CENTRAL)
    for index in range(3):
        OrganizationFactory(parent=root, name=f"Con {index}", code=f"C{index}")

    def build():
        return units("~unit~", 987654321)[:2]

    planned = compiled.statement(("test units limited",), build, UNIT_STAND_INS)
    prepared = compiled.statement(
        ("test units limited, prepared",), build, UNIT_STAND_INS, prepare=True
    )
    assert planned.prepared is None
    assert prepared.prepared is not None and "LIMIT 2" in prepared.prepared
    assert prepared.prepared.count("%s") == 2  # the prefix and the pk
    for pk in (987654321, root.pk):
        values = {"prefix": compiled.like_prefix(root.path), "pk": pk}
        with CaptureQueriesContext(connection) as queries:
            found = [(o.pk, o.name) for o in prepared.objects(values)]
            again = [(o.pk, o.name) for o in prepared.objects(values)]
        assert found == again == [(o.pk, o.name) for o in planned.objects(values)]
        assert len(found) == 2
        assert len(queries) == 2
