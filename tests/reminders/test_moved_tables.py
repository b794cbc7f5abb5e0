"""The reminder models moved from reports to reminders in the state only: a database at
the schema before the move (reports 0011, no reminders app) keeps its rows, and its
content types (so permissions granted on them) follow the models."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reminders.models import Holiday, LagEpisode, OutboxMessage, ReminderRule
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The schema of main before the move: reports' last migration, no reminders app.
REPORTS_BEFORE = ("reports", "0011_figures_per_body_and_kind_of_unit")


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.fixture
def before_the_move():
    """The database at main's schema before the move; migrated to the end afterwards,
    whatever the test did, so that the tests after it find the schema they expect."""
    migrate([REPORTS_BEFORE, ("reminders", None)])
    yield MigrationExecutor(connection).loader.project_state(REPORTS_BEFORE).apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def unit_and_person():
    return OrganizationFactory(), UserFactory()


def test_rows_written_before_the_move_are_read_after_it(unit_and_person, before_the_move):
    unit, person = unit_and_person
    old = before_the_move
    # The content types a database made before the move has: under reports.
    old_type = old.get_model("contenttypes", "ContentType")
    old_type.objects.filter(model__in=["reminderrule", "outboxmessage"]).delete()
    rule_type = old_type.objects.create(app_label="reports", model="reminderrule")
    old_type.objects.create(app_label="reports", model="outboxmessage")
    old_permission = old.get_model("auth", "Permission")
    change_rule = old_permission.objects.get_or_create(
        content_type=rule_type, codename="change_reminderrule", defaults={"name": "Can change"}
    )[0]
    group = old.get_model("auth", "Group").objects.create(name="reminder admins")
    group.permissions.add(change_rule)
    rule = old.get_model("reports", "ReminderRule").objects.create(name="cũ", kind="lag")
    message = old.get_model("reports", "OutboxMessage").objects.create(
        rule=rule, organization_id=unit.pk, period="lag:2026-06-01", step="r0",
        recipient_id=person.pk, kind="lag", email="a@example.org", context={"behind": 2},
        message_id="<old@ktgs>", status="sent",
    )  # fmt: skip
    old.get_model("reports", "LagEpisode").objects.create(
        rule=rule, organization_id=unit.pk, started_on="2026-06-01"
    )
    # A day no migration seeds as a holiday (the seeded ones may or may not be there,
    # depending on whether a transactional test flushed them first).
    old.get_model("reports", "Holiday").objects.create(day="2026-10-15", name="Ngày thử chuyển")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    moved = OutboxMessage.objects.select_related("rule").get(pk=message.pk)
    assert (moved.rule.name, moved.organization_id) == ("cũ", unit.pk)
    assert moved.recipient_id == person.pk
    assert (moved.status, moved.context, moved.message_id) == ("sent", {"behind": 2}, "<old@ktgs>")
    assert LagEpisode.objects.get(rule=moved.rule).organization_id == unit.pk
    assert Holiday.objects.filter(day="2026-10-15", name="Ngày thử chuyển").exists()
    assert ReminderRule.objects.get(pk=rule.pk).kind == ReminderRule.Kind.LAG
    assert ContentType.objects.get_for_model(ReminderRule).pk == rule_type.pk
    granted = Group.objects.get(name="reminder admins").permissions.get()
    assert granted == Permission.objects.get(
        content_type__app_label="reminders", codename="change_reminderrule"
    )
