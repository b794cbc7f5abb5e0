"""Bulk-load chores of the demo and synthetic seeding and the benchmark: id ranges
reserved before rows are written, and ANALYZE after."""

from __future__ import annotations

from django.apps import apps
from django.db import connection


def analyze() -> None:
    """Refresh the planner's statistics of every model's table, after a bulk load (where
    autovacuum is off nothing else would, and the dashboard's plans depend on them)."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def vacuum() -> list[str]:
    """VACUUM (ANALYZE) the tables that PostgreSQL's autovacuum, with its default settings,
    would have vacuumed by now: dead rows over 50 + 20 % of the table, or rows inserted
    since its last vacuum over 1,000 + 20 %. Where autovacuum is off (this machine's
    PostgreSQL), a benchmark's rolled-back writes and a load test's writes otherwise pile
    up from run to run, and each run measures the earlier runs' dead rows (a pending
    outbox read 45 → 57–78 ms after a few runs). The tables' names; nothing on SQLite."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]
            # The counts of this session's own writes, which PostgreSQL publishes lazily.
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            """
            SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.n_dead_tup > 50 + 0.2 * GREATEST(c.reltuples, 0)
               OR s.n_ins_since_vacuum > 1000 + 0.2 * GREATEST(c.reltuples, 0)
            ORDER BY s.relname
            """
        )
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
    return tables


def reserve_ids(model) -> int:
    """The first id of a free range of `model`'s ids, above every id in use or handed out
    by its sequence, for bulk writers that name rows before they are in the table. On
    PostgreSQL the table is locked against other writers (not readers) until commit, so
    nobody takes ids in the range; SQLite's AUTOINCREMENT moves past explicit ids itself."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(
                f"SELECT GREATEST(nextval(pg_get_serial_sequence(%s, 'id')), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1)",
                [table],
            )
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])
