"""The standard report periods of 2025–2027 (later years: the nightly task creates the
coming year's). Self-contained on purpose: a migration must not depend on code that may
change after it was written."""

import calendar
from datetime import date

from django.db import migrations

YEARS = (2025, 2026, 2027)


def create_periods(apps, schema_editor):
    ReportPeriod = apps.get_model("reports", "ReportPeriod")

    for year in YEARS:
        def end(month, year=year):
            return date(year, month, calendar.monthrange(year, month)[1])

        wanted = [("month", m, date(year, m, 1), end(m)) for m in range(1, 13)]
        wanted += [("q1", 0, date(year, 1, 1), end(3)), ("h1", 0, date(year, 1, 1), end(6)),
                   ("m9", 0, date(year, 1, 1), end(9)), ("year", 0, date(year, 1, 1), end(12))]
        existing = set(ReportPeriod.objects.filter(year=year).values_list("kind", "month"))
        ReportPeriod.objects.bulk_create(
            [ReportPeriod(kind=k, year=year, month=m, starts_on=s, ends_on=e)
             for k, m, s, e in wanted if (k, m) not in existing]
        )


def remove_periods(apps, schema_editor):
    ReportPeriod = apps.get_model("reports", "ReportPeriod")
    ReportPeriod.objects.filter(year__in=YEARS, snapshot_taken_at__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("reports", "0003_periods_and_snapshots")]

    operations = [migrations.RunPython(create_periods, remove_periods)]
