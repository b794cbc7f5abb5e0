"""The constraints and index of the grassroots form, once every row has been filled
(see 0004_organization_grassroots_form)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ktgs", "0004_organization_grassroots_form"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='organization',
            index=models.Index(fields=['level', 'grassroots_form'], name='org_level_form_idx'),
        ),
        migrations.AddConstraint(
            model_name='organization',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('grassroots_form__in', ['committee', 'cell']), ('level', 'grassroots')), models.Q(models.Q(('level', 'grassroots'), _negated=True), ('grassroots_form', '')), _connector='OR'), name='org_grassroots_form', violation_error_message='Tổ chức cơ sở đảng phải ghi rõ là đảng bộ cơ sở hay chi bộ cơ sở; các cấp khác để trống.'),
        ),
        migrations.AddConstraint(
            model_name='organization',
            constraint=models.CheckConstraint(condition=models.Q(('has_cell_committee', False), ('level', 'cell'), models.Q(('grassroots_form', 'cell'), ('level', 'grassroots')), _connector='OR'), name='org_cell_committee_only_cells', violation_error_message='Chỉ chi bộ trực thuộc và chi bộ cơ sở mới có thể có chi ủy.'),
        ),
    ]
