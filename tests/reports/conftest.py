"""Report periods for the reports tests.

The data migration creates 2025–2027's periods, but a transactional test elsewhere in the
suite (live server, Celery worker) flushes every table, migration rows included, for the
tests that run after it. So the tests create the periods they read, as the nightly task
does in production, instead of trusting the migration's rows to be there.
"""

from unittest import mock

import pytest
from django.apps import apps

from reports.engine import periods
from reports.queries import compiled


@pytest.fixture
def tree(tree):
    for year in (2025, 2026, 2027):
        periods.ensure_periods(year)
    return tree


@pytest.fixture
def compiled_on_sqlite(sqlite_connection):
    """An empty in-memory SQLite database with every table (the statements are run to
    show SQLite takes them), given to the compiled statements as their connection, with
    their cache empty."""
    with sqlite_connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    with (
        mock.patch.object(compiled, "connection", sqlite_connection),
        mock.patch.dict(compiled._STATEMENTS, clear=True),
    ):
        yield sqlite_connection
