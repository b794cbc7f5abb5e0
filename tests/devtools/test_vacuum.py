"""The benchmark and the load test vacuum what autovacuum would have vacuumed by now
(devtools.bulk.vacuum): this machine's PostgreSQL may run with autovacuum off, and each
run would otherwise measure the dead rows of the runs before it."""

from datetime import date

import pytest
from django.db import connection

from devtools import bulk
from reports.models import ReportPeriod

pytestmark = pytest.mark.django_db(transaction=True)


def dead_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        return int(cursor.fetchone()[0])


def test_a_table_with_dead_rows_over_autovacuums_threshold_is_vacuumed():
    assert connection.vendor == "postgresql"
    table = ReportPeriod._meta.db_table
    bulk.vacuum()
    ReportPeriod.objects.bulk_create(
        ReportPeriod(
            kind="q1", year=3000 + i, starts_on=date(2000, 1, 1), ends_on=date(2000, 3, 31)
        )
        for i in range(300)
    )
    ReportPeriod.objects.filter(year__gte=3000).delete()
    assert dead_rows(table) >= 300
    assert table in bulk.vacuum()
    assert dead_rows(table) == 0
    assert table not in bulk.vacuum()  # nothing left to do: not vacuumed again
