"""The search query on SQLite, the engine of `make run`: the same stored column and the
same LIKE as on PostgreSQL (the rest of the suite runs on PostgreSQL alone). The units'
table is made in an in-memory SQLite database by Django's SQLite schema editor, the rows
written and the search run through the ORM on that connection."""

import pytest
from django.db import connections

from ktgs import search
from ktgs.models import Organization


@pytest.fixture
def sqlite(sqlite_connection):
    """The alias of an in-memory SQLite database holding the units' table."""
    with sqlite_connection.schema_editor() as editor:
        editor.create_model(Organization)
    return sqlite_connection.alias


def test_units_are_found_without_diacritics_on_sqlite(sqlite):
    assert connections[sqlite].vendor == "sqlite"
    names = ["Đảng bộ Sở Tài chính", "Đảng ủy xã Hà Phong", "Đảng ủy Công an tỉnh"]
    # Written as the bulk writers write (no save(), no history): the column filled first.
    units = [
        Organization(
            code=code, name=name, level="grassroots", grassroots_form="committee",
            path=f"000{step + 1}", depth=1,
        )
        for step, (code, name) in enumerate(zip(["KCQ.06", "XHP", "CA"], names, strict=True))
    ]  # fmt: skip
    search.fill_search_text(units)
    Organization.objects.using(sqlite).bulk_create(units)
    units = Organization.objects.using(sqlite)
    for typed, expected in [
        ("tai chinh", ["Đảng bộ Sở Tài chính"]),
        ("HA PHONG", ["Đảng ủy xã Hà Phong"]),
        ("cong an", ["Đảng ủy Công an tỉnh"]),
        ("kcq.0", ["Đảng bộ Sở Tài chính"]),
        ("dang", names),
    ]:
        found = units.filter(search.matching(typed)).order_by("path")
        assert [unit.name for unit in found] == expected, typed
