"""Report periods for the reports tests.

The data migration creates 2025–2027's periods, but a transactional test elsewhere in the
suite (live server, Celery worker) flushes every table, migration rows included, for the
tests that run after it. So the tests create the periods they read, as the nightly task
does in production, instead of trusting the migration's rows to be there.
"""

import pytest

from reports.engine import periods


@pytest.fixture
def tree(tree):
    for year in (2025, 2026, 2027):
        periods.ensure_periods(year)
    return tree
