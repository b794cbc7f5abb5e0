"""One họ và tên field in place of Django's first and last name. The full name is what the
pages showed until now (first name, a space, last name), so nobody's name changes."""

from django.db import migrations, models


def join_names(apps, schema_editor):
    User = apps.get_model("ktgs", "User")
    for user in User.objects.only("first_name", "last_name").iterator():
        full_name = f"{user.first_name} {user.last_name}".strip()
        if full_name:
            User.objects.filter(pk=user.pk).update(full_name=full_name)


def split_names(apps, schema_editor):
    User = apps.get_model("ktgs", "User")
    User.objects.update(first_name=models.F("full_name"))


class Migration(migrations.Migration):
    dependencies = [
        ("ktgs", "0007_organization_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="full_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="họ và tên"),
        ),
        migrations.RunPython(join_names, split_names),
        migrations.RemoveField(model_name="user", name="first_name"),
        migrations.RemoveField(model_name="user", name="last_name"),
    ]
