"""Tell a grassroots committee (đảng bộ cơ sở) from a grassroots cell (chi bộ cơ sở), and
record whether a cell has a cell committee (chi bộ có chi ủy).

The backfill, before the constraints are added, fills every existing row:
- a grassroots unit with units below it becomes a đảng bộ cơ sở, one without becomes a
  chi bộ cơ sở (a grassroots committee is by definition a grassroots organisation with
  organisations below it; a chi bộ cơ sở has none in the tree);
- a cell or grassroots cell with at least 3 committee members has a cell committee: a
  cell elects a chi ủy (a committee, at least 3 people) only when it is large enough,
  otherwise just a secretary and perhaps a deputy, so 1 or 2 committee members mean no
  chi ủy. Units whose count is 0 (not recorded) are left without one; a user corrects
  either field on the unit's admin page or by import.
History rows keep the blank/false defaults: they record past states, not this judgement.
The constraints and the index come in the next migration: on PostgreSQL a table cannot
be altered in the transaction that updated it while foreign-key checks are pending.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def backfill(apps, schema_editor):
    Organization = apps.get_model("ktgs", "Organization")
    grassroots = Organization.objects.filter(level="grassroots")
    has_children = Exists(Organization.objects.filter(parent_id=OuterRef("pk")))
    grassroots.filter(has_children).update(grassroots_form="committee")
    grassroots.filter(~has_children).update(grassroots_form="cell")
    Organization.objects.filter(
        Q(level="cell") | Q(level="grassroots", grassroots_form="cell"),
        committee_member_count__gte=3,
    ).update(has_cell_committee=True)


class Migration(migrations.Migration):

    dependencies = [
        ('ktgs', '0003_org_depth_name_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalorganization',
            name='grassroots_form',
            field=models.CharField(blank=True, choices=[('committee', 'Đảng bộ cơ sở'), ('cell', 'Chi bộ cơ sở')], default='', max_length=10, verbose_name='loại tổ chức cơ sở đảng'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='has_cell_committee',
            field=models.BooleanField(default=False, help_text='Chỉ dùng cho chi bộ trực thuộc và chi bộ cơ sở.', verbose_name='chi bộ có chi ủy'),
        ),
        migrations.AddField(
            model_name='organization',
            name='grassroots_form',
            field=models.CharField(blank=True, choices=[('committee', 'Đảng bộ cơ sở'), ('cell', 'Chi bộ cơ sở')], default='', max_length=10, verbose_name='loại tổ chức cơ sở đảng'),
        ),
        migrations.AddField(
            model_name='organization',
            name='has_cell_committee',
            field=models.BooleanField(default=False, help_text='Chỉ dùng cho chi bộ trực thuộc và chi bộ cơ sở.', verbose_name='chi bộ có chi ủy'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
