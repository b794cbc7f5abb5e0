"""The bulk writer of units (COPY on PostgreSQL, bulk_create on SQLite), shared by the
synthetic trees and the demo province, and the deletion of a whole tree."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from cases.models import Letter
from devtools import bulk
from ktgs import search
from ktgs.models import Organization


class UnitRow(NamedTuple):
    """One unit to insert. `serial` numbers units of one tree from 0 in pre-order; the
    database id is a base reserved at write time plus the serial."""

    serial: int
    parent_serial: int | None  # None: the top unit (its parent is the writer's `parent`)
    path: str
    depth: int
    numchild: int
    code: str
    name: str
    level: str
    member_count: int
    committee_member_count: int
    grassroots_form: str = ""  # "committee"/"cell" at the grassroots level, else blank
    has_cell_committee: bool = False


@dataclass
class WriteResult:
    count: int = 0
    by_level: Counter = field(default_factory=Counter)
    max_depth: int = 0
    seconds: float = 0.0


Progress = Callable[[str], None]


def write_units(
    chunks: Iterable[Sequence[UnitRow]],
    *,
    parent: Organization | None,
    progress: Progress | None = None,
) -> WriteResult:
    """Insert a tree given as chunks of rows; call inside `transaction.atomic()`.

    The top row's path must already fit under `parent` (see `next_child_path`) or be a new
    root path (`next_root_path`). The parent's numchild is bumped here.
    """
    started = time.monotonic()
    result = WriteResult()
    base = bulk.reserve_ids(Organization)

    def counted(rows: Sequence[UnitRow]) -> Sequence[UnitRow]:
        result.count += len(rows)
        result.by_level.update(row.level for row in rows)
        result.max_depth = max([result.max_depth, *(row.depth for row in rows)])
        if progress:
            progress(f"{result.count:>9,} units written  {time.monotonic() - started:7.1f} s")
        return rows

    top_parent_id = parent.pk if parent else None
    if connection.vendor == "postgresql":
        _copy_rows((counted(rows) for rows in chunks), base, top_parent_id)
    else:
        _bulk_create_rows((counted(rows) for rows in chunks), base, top_parent_id)
    if parent is not None:
        Organization.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
        parent.numchild += 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The ids were taken without the sequence; move it past them. Then give the
            # planner real statistics for the tables it has never seen this big.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "(SELECT MAX(id) FROM ktgs_organization))",
                [Organization._meta.db_table],
            )
            cursor.execute(f"ANALYZE {Organization._meta.db_table}")
    result.seconds = time.monotonic() - started
    return result


def _row_fields() -> tuple[list[str], list]:
    """Every concrete column of the table, with the default of those a UnitRow does not set
    (so a field added to Organization later does not break the COPY)."""
    columns, defaults = [], []
    for model_field in Organization._meta.concrete_fields:
        columns.append(model_field.column)
        defaults.append(
            model_field.get_db_prep_save(model_field.get_default(), connection)
            if model_field.has_default() or model_field.null
            else ""
        )
    return columns, defaults


_ROW_ATTRS = {
    "path": "path",
    "depth": "depth",
    "numchild": "numchild",
    "code": "code",
    "name": "name",
    "level": "level",
    "member_count": "member_count",
    "committee_member_count": "committee_member_count",
    "grassroots_form": "grassroots_form",
    "has_cell_committee": "has_cell_committee",
}


def _copy_rows(chunks: Iterable[Sequence[UnitRow]], base: int, top_parent_id: int | None) -> None:
    columns, defaults = _row_fields()
    attnames = [f.attname for f in Organization._meta.concrete_fields]
    slots = {name: index for index, name in enumerate(attnames)}
    id_slot, parent_slot = slots["id"], slots["parent_id"]
    search_slot = slots["search_text"]
    own = [(slots[attname], UnitRow._fields.index(attr)) for attname, attr in _ROW_ATTRS.items()]
    table = Organization._meta.db_table
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = connection.connection  # psycopg 3 connection, same transaction as Django's
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for rows in chunks:
            for row in rows:
                values = list(defaults)
                values[id_slot] = base + row.serial
                values[parent_slot] = (
                    top_parent_id if row.parent_serial is None else base + row.parent_serial
                )
                for slot, position in own:
                    values[slot] = row[position]
                values[search_slot] = _search_text(row)
                copy.write_row(values)


def _bulk_create_rows(
    chunks: Iterable[Sequence[UnitRow]], base: int, top_parent_id: int | None
) -> None:
    for rows in chunks:
        Organization.objects.bulk_create(
            [
                Organization(
                    id=base + row.serial,
                    parent_id=(
                        top_parent_id if row.parent_serial is None else base + row.parent_serial
                    ),
                    path=row.path,
                    depth=row.depth,
                    numchild=row.numchild,
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    member_count=row.member_count,
                    committee_member_count=row.committee_member_count,
                    grassroots_form=row.grassroots_form,
                    has_cell_committee=row.has_cell_committee,
                    search_text=_search_text(row),
                )
                for row in rows
            ],
            batch_size=2000,
        )


def _search_text(row: UnitRow) -> str:
    return search.search_text_of(Organization, {"name": row.name, "code": row.code})


def delete_tree(root: Organization) -> int:
    """Delete `root` and its whole subtree, with the rows of other tables that point to it.

    On PostgreSQL, when `root` is the only root (the database holds nothing but this
    synthetic tree), this is `TRUNCATE ktgs_organization RESTART IDENTITY CASCADE`: it
    empties every table with a foreign key to the organisation table (roles, programmes,
    cases, progress rows…) in well under a second. Otherwise the subtree is deleted with
    one DELETE on the path prefix after deleting what references it through the ORM.
    Returns the number of units that were in the subtree.
    """
    table = Organization._meta.db_table
    units = Organization.objects.filter(path__startswith=root.path)
    count = units.count()
    only_root = not Organization.objects.filter(depth=1).exclude(pk=root.pk).exists()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and only_root:
            # TRUNCATE refuses while deferred foreign-key checks of this transaction are
            # pending: run them now, then defer again (Django's default) for the inserts.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return count
        outside = Organization.objects.exclude(path__startswith=root.path)
        outside.filter(successor__path__startswith=root.path).update(successor=None)
        # A forwarded letter's copies refer to it (PROTECT), which the ORM's delete refuses
        # within one chain: the subtree's letters go first, in one statement (the records
        # that refer to them go below, before the foreign keys are checked at commit).
        units = f"(SELECT id FROM {table} WHERE path LIKE %s)"
        cursor.execute(
            f"DELETE FROM {Letter._meta.db_table} WHERE organization_id IN {units} "
            f"OR forwarded_to_id IN {units} OR about_organization_id IN {units}",
            [root.path + "%"] * 3,
        )
        for relation in Organization._meta.related_objects:
            if relation.related_model is Organization:
                continue
            lookup = f"{relation.field.name}__path__startswith"
            relation.related_model._base_manager.filter(**{lookup: root.path}).delete()
        # Paths use only 0-9A-Z, so the prefix needs no LIKE escaping.
        cursor.execute(f"DELETE FROM {table} WHERE path LIKE %s", [root.path + "%"])
    return count
