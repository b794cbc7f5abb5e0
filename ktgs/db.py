"""Small database chores shared by the apps."""

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
