"""Statements compiled once per process: a QuerySet's SQL compiled with stand-in values,
then run for each call with the call's values put in the stand-ins' parameter slots.

Why: building a dashboard's querysets and compiling them through the ORM costs more than
running them (~5 ms for the records' union, ~10-20 ms for the units' statement of every
dashboard request: benchmark F6, DESIGN §6), while their SQL is the same for every unit,
year and period of a shape: only the parameters change. So each shape is built and
compiled once per database vendor, with stand-ins for the values (`statement`), and each
call only puts its values back (`Statement.rows`, `Statement.objects`).

The rule for stand-ins, which keeps the statement equal to what the ORM would compile for
the call's values (tests/reports/test_compiled.py holds the rule,
tests/reports/test_dashboard_statements.py compares the dashboard's reads with the ORM's):

- each stand-in is put into the query exactly where the real value goes, and the compiled
  parameters that carry it are that value's slots. A value worked out from a stand-in
  inside the query's builders (a day after a date, a path's parent) would be compiled in
  as a constant that no call changes: such a value must be worked out by the caller and
  given to the builders as a stand-in of its own (as the records' `lower`, `upper` and
  `soon`);
- so a stand-in must be recognisable: a date of 1901-1909, a string with "~" (no real path
  or kind has one: ktgs paths are digits and capital letters), an integer no constant of
  the statement has. A compiled parameter that is none of the stand-ins but looks made
  from one (any date, any text that starts with "190" or holds "~") is refused;
- each stand-in must be distinct from the others (otherwise its slots would be
  ambiguous) and must take at least one slot (otherwise the call's value would be lost):
  either is refused.

Refused means ValueError when the shape is first compiled: a statement that would count
between the stand-ins' dates is never cached. The values are put back as the ORM passes
them to the driver: dates as ISO strings on SQLite (once matched as date objects only,
the records' stand-in dates were compiled in as constants there), an integer in the
driver's type the ORM gave it (psycopg's Int2 for a small integer column).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    get_related_populators,
)
from django.db.models.signals import post_init, pre_init

# The marks of a stand-in's value: what a parameter made from one still shows.
_DATE_YEARS = range(1901, 1910)
_DATE_MARK = "190"
_TEXT_MARK = "~"

# A slot: (the name of the value it takes, the driver's type to put it back in or None),
# or (None, the constant compiled in).
_Slot = tuple[str | None, Any]


@dataclass(frozen=True)
class _Objects:
    """What Django's ModelIterable works out from a compiler to build a model query's
    objects: the model's columns, the select_related populators, the annotations'
    positions."""

    model: type[Model]
    init_list: list[str]
    plain: bool  # built without Model.__init__ (_plain_model), annotations in __dict__
    model_fields: tuple[int, int]
    related_populators: list
    annotation_col_map: dict[str, int]


@dataclass(frozen=True)
class Statement:
    """A query's SQL compiled once with stand-ins, and its parameter slots."""

    sql: str
    slots: tuple[_Slot, ...]
    compiler: Any  # the SQLCompiler that compiled it: the select and its converters
    objects_info: _Objects | None  # None for a values() query
    # Asked prepared, on PostgreSQL: the SQL with its constants written in as literals and
    # a placeholder for each value (_prepared_sql), run by a cursor that prepares it.
    prepared: str | None = None

    def params(self, values: Mapping[str, Any]) -> list:
        """The parameters for the call's `values` (by stand-in name)."""
        return [
            (wrap(_adapt(values[name])) if wrap else _adapt(values[name])) if name else wrap
            for name, wrap in self.slots
        ]

    def rows(self, values: Mapping[str, Any]) -> list[tuple]:
        """The statement's rows for the `values`, as the driver returns them."""
        params = self.params(values)
        if self.prepared is not None:
            # The values alone: the constants are written in the text.
            values_only = [
                param for (name, _), param in zip(self.slots, params, strict=True) if name
            ]
            with _preparing_cursor() as cursor:
                cursor.execute(self.prepared, values_only)
                return cursor.fetchall()
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def objects(self, values: Mapping[str, Any]) -> list:
        """The statement's objects for the `values`, built as the ORM builds them (the
        model, its select_related relations, the annotations as attributes)."""
        info = self.objects_info
        assert info is not None, "a values() query has no objects"
        rows = self.rows(values)
        start, end = info.model_fields
        db = connection.alias
        found = []
        model, init_list = info.model, info.init_list
        annotations = tuple(info.annotation_col_map.items())
        for row in self.compiler.results_iter(results=[rows]):
            if info.plain:
                # The annotations with the fields: none is a name of the model's class
                # (_objects_info), so setattr would put them in __dict__ as well.
                obj = _plain_loaded(
                    model,
                    [
                        *zip(init_list, row[start:end], strict=True),
                        *((name, row[position]) for name, position in annotations),
                    ],
                    db,
                )
            else:
                obj = model.from_db(db, init_list, row[start:end])
                for name, position in annotations:
                    setattr(obj, name, row[position])
            for populator in info.related_populators:
                populator.populate(row, obj)
            found.append(obj)
        return found


_STATEMENTS: dict[tuple, Statement] = {}


def statement(
    key: tuple,
    build: Callable[[], QuerySet],
    stand_ins: Mapping[str, Any],
    *,
    prepare: bool = False,
) -> Statement:
    """The statement of `key` (one per shape, unique across the callers) for this
    connection's vendor: `build()`, a query made with the `stand_ins` for the values,
    compiled on the first call. ValueError if the stand-ins break the module's rule.

    With `prepare`, on PostgreSQL, the statement is prepared once per connection and runs
    with one generic plan (ktgs.settings: plan_cache_mode), planned without the values:
    only for a statement whose plan does not hang on them — every value compared by
    equality, never a LIKE prefix (a generic plan cannot use the path index for
    `path LIKE $1`, and took 10-80 ms for a unit's subtree where the planned one takes
    1-2). Planning and parsing a dashboard's statements costs more than running some of
    them (the units' statement of a province: ~5 ms a call planned each time, ~2.6
    prepared; benchmark F6)."""
    key = (connection.vendor, *key)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    queryset = build()
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    slots = _slots(params, stand_ins)
    found = Statement(
        sql=sql,
        slots=slots,
        compiler=compiler,
        # A values() query's rows are its objects (Django may still describe the model's
        # columns among them: klass_info).
        objects_info=_objects_info(compiler, queryset.db)
        if queryset._iterable_class is ModelIterable
        else None,
        prepared=_prepared_sql(sql, slots)
        if prepare and connection.vendor == "postgresql"
        else None,
    )
    _STATEMENTS[key] = found
    return found


def _prepared_sql(sql: str, slots: tuple[_Slot, ...]) -> str:
    """`sql` with each constant slot's value written in as PostgreSQL's literal (as Django
    would send it), the values' slots left as placeholders: a constant that stays a
    parameter would keep the generic plan from using an index on an expression of it
    (`substring(path, 1, 8)`) or from knowing a LIMIT."""
    parts = re.split(r"(%%|%s)", sql)
    found = []
    slot = iter(slots)
    for part in parts:
        if part == "%s":
            name, constant = next(slot)
            if name is None:
                part = _literal(constant).replace("%", "%%")
        found.append(part)
    assert next(slot, None) is None, "a slot without its placeholder"
    return "".join(found)


def _literal(value: Any) -> str:
    """`value` as PostgreSQL's literal, written as Django's cursor would write it in."""
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        return cursor.mogrify("%s", [value])


class _PreparingCursor(psycopg.Cursor):
    """psycopg's cursor with the parameters sent apart from the query (Django's bind them
    into its text, and never prepare), each query prepared on its first execution."""

    def execute(self, query, params=None, *, prepare=True, binary=None):  # type: ignore[override]
        return super().execute(query, params, prepare=prepare, binary=binary)


def preparing_cursor():
    """A cursor whose statements are prepared once per connection, each with one generic
    plan (ktgs.settings: plan_cache_mode): for statements whose plan does not hang on
    their values (statement's `prepare`). Django's own cursor on another database."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    return _preparing_cursor()


def _preparing_cursor():
    """A _PreparingCursor on Django's connection, wrapped as Django wraps its own (the
    query logged when queries are, the execute wrappers, Django's errors): a prepared
    statement counts as one query like any other."""
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        return CursorDebugWrapper(cursor, connection)
    return CursorWrapper(cursor, connection)


def _slots(params: Any, stand_ins: Mapping[str, Any]) -> tuple[_Slot, ...]:
    """The slot of each compiled parameter: the stand-in it is, or a constant."""
    adapted = {name: _adapt(value) for name, value in stand_ins.items()}
    _check(stand_ins, adapted)
    found: list[_Slot] = []
    for param in params:
        name = next(
            (n for n, v in adapted.items() if v == param and isinstance(param, type(v))), None
        )
        if name is None:
            if isinstance(param, date) or _marked(str(param)):
                raise ValueError(f"a parameter made from a stand-in, not one: {param!r}")
            found.append((None, param))
            continue
        # A value keeps the driver's type the ORM gave the stand-in (psycopg's Int2 for a
        # small integer column): it is put back in the same type.
        found.append((name, type(param) if type(param) is not type(adapted[name]) else None))
    unused = sorted(set(adapted) - {name for name, _ in found if name})
    if unused:
        raise ValueError(f"stand-ins that take no parameter: {unused}")
    return tuple(found)


def _check(stand_ins: Mapping[str, Any], adapted: Mapping[str, Any]) -> None:
    names = list(stand_ins)
    for index, name in enumerate(names):
        value = stand_ins[name]
        if (isinstance(value, date) and value.year not in _DATE_YEARS) or (
            isinstance(value, str) and not _marked(value)
        ):
            raise ValueError(f"stand-in {name}: {value!r} has no mark (a 1901-1909 date, '~')")
        same = [other for other in names[index + 1 :] if adapted[other] == adapted[name]]
        if same:
            raise ValueError(f"stand-ins {[name, *same]} share the value {value!r}")


def _marked(text: str) -> bool:
    return text.startswith(_DATE_MARK) or _TEXT_MARK in text


def _objects_info(compiler: Any, db: str) -> _Objects | None:
    klass_info = compiler.klass_info
    if klass_info is None:
        return None
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    model = klass_info["model"]
    return _Objects(
        model=model,
        init_list=[f[0].target.attname for f in compiler.select[start:end]],
        plain=_plain_model(model)
        and not any(hasattr(model, name) for name in compiler.annotation_col_map),
        model_fields=(start, end),
        related_populators=get_related_populators(klass_info, compiler.select, db),
        annotation_col_map=dict(compiler.annotation_col_map),
    )


def loaded(model: type[Model], fields: Iterable[tuple[str, Any]], db: str) -> Any:
    """An object of `model` as `from_db` makes it from a row of these (attname, value)
    `fields`: each in the instance's __dict__, any other field deferred (read from the
    database if asked for), the state of a saved object. For a plain model (_plain_model)
    without Model.__init__'s handling of each field: from_db costs ~4 µs a unit, a
    keyword Organization(pk=…, name=…) ~20 µs, and a dashboard makes ~200 of them."""
    if not _plain_model(model):
        names, values = zip(*fields, strict=True)
        return model.from_db(db, list(names), list(values))
    return _plain_loaded(model, fields, db)


def _plain_loaded(model: type[Model], fields: Iterable[tuple[str, Any]], db: str) -> Any:
    obj = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, db
    obj.__dict__.update(fields, _state=state)
    return obj


def _plain_model(model: type[Model]) -> bool:
    """Whether an object of `model` read from the database is its fields' values set on
    the instance and nothing more: the model keeps Model's own __init__ and from_db, and
    nothing listens to its pre_init or post_init signals."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


def like_prefix(path: str) -> str:
    """The parameter of `path__startswith=path` (Django's escaping for LIKE, then %)."""
    return connection.ops.prep_for_like_query(path) + "%"


def _adapt(value: Any) -> Any:
    """A date as the ORM passes it to this connection's driver (itself on PostgreSQL, an
    ISO string on SQLite)."""
    return connection.ops.adapt_datefield_value(value) if isinstance(value, date) else value
