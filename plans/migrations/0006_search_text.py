"""The programmes' search column (ktgs.search): document number and title folded without
diacritics, filled here for the programmes that exist."""

from django.db import migrations, models

from ktgs import search


def backfill(apps, schema_editor):
    search.backfill(apps.get_model("plans", "Programme"), ("doc_number", "title"))


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_party_building_boards"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
