"""The report deadlines ktgs starts with (reports.models.ReportDeadline), editable in the
admin: a month's report 5 days after the month ends, Q1 / 6 / 9 months' 10 days, the
year's 15, the term's 30."""

from django.db import migrations

DEADLINES = {"month": 5, "q1": 10, "h1": 10, "m9": 10, "year": 15, "term": 30}


def seed(apps, schema_editor):
    ReportDeadline = apps.get_model("reports", "ReportDeadline")
    for kind, days in DEADLINES.items():
        ReportDeadline.objects.get_or_create(period_kind=kind, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("reports", "0013_report_submissions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
