"""The reminder models leave reports' state for the reminders app's (reminders.0001),
which keeps their tables: nothing happens in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0011_figures_per_body_and_kind_of_unit"),
        # The models exist in reminders' state before they leave this one.
        ("reminders", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name="Holiday",
                ),
                migrations.RemoveField(
                    model_name="outboxmessage",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="outboxmessage",
                    name="recipient",
                ),
                migrations.RemoveField(
                    model_name="outboxmessage",
                    name="rule",
                ),
                migrations.DeleteModel(
                    name="LagEpisode",
                ),
                migrations.DeleteModel(
                    name="OutboxMessage",
                ),
                migrations.DeleteModel(
                    name="ReminderRule",
                ),
            ],
        ),
    ]
