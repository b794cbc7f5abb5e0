"""The search column (ktgs.search) of cases (title, decision and conclusion numbers), case
subjects (a member's name), letters (number received, sender, member named) and
suspensions (member's name, decision number), folded without diacritics and filled here
for the rows that exist."""

from django.db import migrations, models

from ktgs import search

SEARCHED = {
    "Case": ("title", "decision_number", "conclusion_number"),
    "CaseSubject": ("member_name",),
    "Letter": ("reference", "sender_name", "about_member_name"),
    "Suspension": ("member_name", "decision_number"),
}


def backfill(apps, schema_editor):
    for name, fields in SEARCHED.items():
        search.backfill(apps.get_model("cases", name), fields)


def search_column():
    return models.TextField(blank=True, default="", editable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_record_locks"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name.lower(), name="search_text", field=search_column()
            )
            for name in SEARCHED
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
