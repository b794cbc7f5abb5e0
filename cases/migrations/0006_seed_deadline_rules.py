from django.db import migrations

# The deadlines of the Party's rules on inspection, supervision and discipline:
# - a denunciation is resolved within 90 days of receipt, 180 at the centre;
# - one extension of a denunciation's deadline of up to 30 days below the centre and 60 at
#   the centre: the figure is ktgs' choice (a third of the period, as the model on-site
#   durations are extended), not a text's; administrators change it in the admin;
# - a disciplinary complaint is lodged within one month of receiving the decision;
# - a suspension lasts 90 days; a member's may be extended to 180 in total, an
#   organisation's not at all (cap 90).
# (kind, level, length, unit, extension days, total cap days)
RULES = [
    ("denunciation", "", 90, "days", 30, None),
    ("denunciation", "central", 180, "days", 60, None),
    ("complaint_lodging", "", 1, "months", 0, None),
    ("suspension_member", "", 90, "days", 0, 180),
    ("suspension_organization", "", 90, "days", 0, 90),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    for kind, level, length, unit, extension, cap in RULES:
        DeadlineRule.objects.get_or_create(
            kind=kind,
            level=level,
            is_active=True,
            defaults={
                "length": length,
                "length_unit": unit,
                "extension": extension,
                "total_cap": cap,
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_records"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
