"""A trigram index on the units' search column, on PostgreSQL only, for the search as
people type (ktgs.search: `search_text LIKE '%word%'`, which a btree cannot serve).

Measured on a national synthetic tree (292,084 units; a leader of the root, the picker's
20 results, median of 5, on a loaded 2-core machine): "tai chinh" 205 → 81 ms, a code
("QG-0000578") 205 → 25 ms, a word found nowhere 153 → 18 ms. Words found in most units
("chi bo") stay at ~1.3 s either way: the time goes to ranking the matches, not to
finding them. Within one province (6,409 units) every search is 20–90 ms with or without
it. pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.

SQLite has no such index and needs none at the demo's size; the model does not declare
the index (Django has no per-engine index), so it lives here alone.
"""

from django.db import migrations

INDEX = "org_search_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON ktgs_organization "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("ktgs", "0006_search_text"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
