"""The lag rule on PostgreSQL (reminders.lag_statements) writes exactly what its Python
form (scan.scan_lag_in_python, SQLite's) writes: the same outbox rows — keys,
recipients, contexts, Message-IDs —, the same episodes and the same counts, for rules
that repeat, escalate, wait, tolerate and filter levels, on a day after the roll-up was
computed (the reasons' days shifted)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders import scan
from reminders.models import LagEpisode, OutboxMessage, ReminderRule
from reminders.recipients import Directory
from reports import engine
from reports.engine import periods
from tests.factories import OrganizationFactory, UserFactory
from tests.reports.test_rollup import programme, target

TODAY = date(2026, 6, 3)  # every cell below has 0 of 4 done, ~1.7 expected: lagging


class Rollback(Exception):
    pass


@pytest.fixture
def lagging(tree, cast):
    """Cells behind under A (whose staff_a serves them) and under B (staff of their own,
    or none anywhere above: leaders only); a staffer without an address and an inactive
    one; episodes of several ages; B1 caught up with a reminder still pending."""
    ReminderRule.objects.all().delete()
    periods.ensure_periods(2026)
    prog = programme(tree.province)
    cells = []
    for i, parent in enumerate([tree.a, tree.a1, tree.b, tree.b, tree.b, tree.a2]):
        cell = OrganizationFactory(parent=parent, code=f"L{i}", name=f"Chi bộ chậm {i}")
        target(prog, cell, quantity=4 + i)
        cells.append(cell)
    for i, (cell, fields) in enumerate(
        [(cells[2], {}), (cells[3], {"email": ""}), (cells[4], {"is_active": False}),
         (cells[4], {})]
    ):  # fmt: skip
        person = UserFactory(username=f"canbo_l{i}", **fields)
        ktgs_services.grant_role(user=person, organization=cell, kind=Role.Kind.STAFF)
    engine.rebuild(TODAY)
    return cells


def outcome(rule: ReminderRule, day: date, *, in_python: bool):
    result = scan.ScanResult(today=day)
    try:
        with transaction.atomic():
            if in_python:
                scan.scan_lag_in_python(rule, day, Directory(), result, quiet=False)
            else:
                scan.scan_lag(rule, day, Directory(), result, quiet=False)
            rows = sorted(
                OutboxMessage.objects.values_list(
                    "rule_id", "organization_id", "period", "step", "recipient_id", "kind",
                    "email", "language", "context", "message_id", "status", "mail_key",
                ),
                key=repr,
            )  # fmt: skip
            episodes = sorted(
                LagEpisode.objects.values_list("organization_id", "started_on", "ended_on")
            )
            raise Rollback
    except Rollback:
        pass
    return rows, episodes, result.as_dict()


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"first_after_days": 3, "repeat_every_days": 5, "escalate_after_days": 7,
         "escalation_levels": 3},
        {"repeat_every_days": 0, "escalate_after_days": 0, "tolerance_cases": Decimal(2),
         "tolerance_points": Decimal("12.5")},
        {"levels": ["cell"], "escalate_after_days": 10, "escalation_levels": 1},
    ],
)  # fmt: skip
def test_the_statements_write_what_the_python_rule_writes(tree, cast, lagging, fields):
    assert connection.vendor == "postgresql"
    rule = ReminderRule.objects.create(
        name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG, **fields
    )
    day = TODAY + timedelta(days=2)  # the roll-up was computed two days before
    for cell, age in zip(lagging, [0, 12, 20, 35, 50], strict=False):
        LagEpisode.objects.create(rule=rule, organization=cell, started_on=day - timedelta(age))
    LagEpisode.objects.create(
        rule=rule,
        organization=lagging[0],
        started_on=day - timedelta(90),
        ended_on=day - timedelta(80),
    )
    LagEpisode.objects.create(rule=rule, organization=tree.b1, started_on=day - timedelta(9))
    OutboxMessage.objects.create(
        rule=rule, organization=tree.b1, period="lag:2026-05-27", step="r0",
        recipient=cast.leader_b, kind=OutboxMessage.Kind.LAG, email=cast.leader_b.email,
        context={}, message_id="<b1@test>",
    )  # fmt: skip

    in_python = outcome(rule, day, in_python=True)
    in_sql = outcome(rule, day, in_python=False)

    rows, _episodes, counts = in_python
    assert rows, "the case must write reminders"
    # B1 caught up: its episode closed, its pending reminder cancelled.
    assert counts["episodes_closed"] >= 1 and counts["cancelled"] == 1
    if not fields:
        kinds = {row[5] for row in rows}
        assert kinds == {OutboxMessage.Kind.LAG, OutboxMessage.Kind.LAG_ESCALATION}
    assert in_sql == in_python
