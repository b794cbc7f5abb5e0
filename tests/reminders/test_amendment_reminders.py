"""Amendments and reminders (issue 12, finding 1): a target raised by an amendment makes
its unit lag only once the cases it counts fall behind the new quantity. Runs on both
roll-up engines, as tests/reports/test_amendment_figures.py."""

from datetime import date as D

from reminders import scan
from reminders.models import ReminderRule
from tests.reports import test_amendment_figures as amendments

TODAY = amendments.TODAY
amend = amendments.amend
year = amendments.year  # the fixture: the amended programme


def test_raising_a_target_does_not_make_the_unit_lag_or_get_a_reminder(tree, year):
    rule = ReminderRule.objects.create(
        name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG, first_after_days=0
    )
    amend(year, D(2026, 7, 1), change=[(year.targets.get(organization=tree.a1), {"quantity": 3})])
    assert tree.a1.pk not in scan.lagging_units(rule, TODAY)
    # Raised to 6 it does lag (4 expected, 2 done): the cases are counted, not waived.
    amend(
        year,
        D(2026, 8, 1),
        change=[
            (
                year.targets.get(
                    organization=tree.a1, added_by__isnull=False, removed_by__isnull=True
                ),
                {"quantity": 6},
            )
        ],
    )
    assert scan.lagging_units(rule, TODAY)[tree.a1.pk].capped_done == 2
