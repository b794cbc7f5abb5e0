"""Report periods for the reports tests.

The data migration creates 2025–2027's periods, but a transactional test elsewhere in the
suite (live server, Celery worker) flushes every table, migration rows included, for the
tests that run after it. So the tests create the periods they read, as the nightly task
does in production, instead of trusting the migration's rows to be there.
"""

import pytest

from reports import services


@pytest.fixture
def tree(tree):
    for year in (2025, 2026, 2027):
        services.ensure_periods(year)
    return tree


@pytest.fixture
def programme_rules(db):
    """The seeded programme requirements (plans migration), re-made here for the same
    reason as the periods: every level from the provinces down must have issued its
    year's programme by 31 January; the centre's rule is inactive."""
    from plans.models import ProgrammeRequirement

    rules = {}
    for level, active in [
        ("central", False),
        ("provincial", True),
        ("upper_grassroots", True),
        ("grassroots", True),
        ("partial", True),
        ("cell", True),
    ]:
        rules[level], _ = ProgrammeRequirement.objects.update_or_create(
            level=level, defaults={"due_month": 1, "due_day": 31, "is_active": active, "body": ""}
        )
    return rules
