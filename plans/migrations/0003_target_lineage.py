import django.db.models.deletion
from django.db import migrations, models


def backfill_lineage(apps, schema_editor):
    """Existing replacements join the lineage of the target they replace when they keep its
    unit and kind (what create_amendment now does). A replacement is always created after
    the target it replaces, so in id order the replaced one's lineage is known first."""
    Target = apps.get_model("plans", "Target")
    replaced = Target.objects.filter(replaces__isnull=False).order_by("pk")
    if not replaced.exists():
        return
    facts = {
        pk: (organization, kind, lineage)
        for pk, organization, kind, lineage in Target.objects.filter(
            pk__in=replaced.values("replaces_id")
        ).values_list("pk", "organization_id", "kind", "lineage_id")
    }
    for target in replaced.only("pk", "organization_id", "kind", "replaces_id"):
        organization, kind, lineage = facts[target.replaces_id]
        mine = None
        if (organization, kind) == (target.organization_id, target.kind):
            mine = lineage or target.replaces_id
            Target.objects.filter(pk=target.pk).update(lineage_id=mine)
        facts[target.pk] = (target.organization_id, target.kind, mine)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_doc_number_per_body"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltarget",
            name="lineage",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="plans.target",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="lineage",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="plans.target",
            ),
        ),
        migrations.RunPython(backfill_lineage, migrations.RunPython.noop, elidable=True),
    ]
