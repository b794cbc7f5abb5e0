"""The current term's report period, 2025–2030 (from 1 January 2025 to 31 December 2030,
stored as year 2025), so that the dashboard offers term-to-date figures from the start;
later terms: the nightly task (reports.engine.periods.ensure_term). Self-contained on purpose, as
0004."""

from datetime import date

from django.db import migrations


def create_term(apps, schema_editor):
    ReportPeriod = apps.get_model("reports", "ReportPeriod")
    if not ReportPeriod.objects.filter(kind="term", year=2025, month=0).exists():
        ReportPeriod.objects.create(
            kind="term", year=2025, month=0, starts_on=date(2025, 1, 1), ends_on=date(2030, 12, 31)
        )


def remove_term(apps, schema_editor):
    ReportPeriod = apps.get_model("reports", "ReportPeriod")
    ReportPeriod.objects.filter(kind="term", year=2025, snapshot_taken_at__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("reports", "0008_progress_row_fewer_indexes")]

    operations = [migrations.RunPython(create_term, remove_term)]
