"""The units' search column (ktgs.search): name, short name and code folded without
diacritics, filled here for the units that exist."""

from django.db import migrations, models

from ktgs import search


def backfill(apps, schema_editor):
    search.backfill(apps.get_model("ktgs", "Organization"), ("name", "short_name", "code"))


class Migration(migrations.Migration):
    dependencies = [
        ("ktgs", "0005_organization_grassroots_form_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
