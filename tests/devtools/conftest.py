import pytest

from cases.models import DeadlineRule
from tests.cases.conftest import SEEDED_RULES


@pytest.fixture(autouse=True)
def _seeded_deadline_rules(request):
    """The deadline rules cases/migrations/0006 seeds, which `seed_demo`'s records need:
    a live-server test earlier in the run flushes every table, migration rows included."""
    if "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    for kind, level, length, unit, extension, cap in SEEDED_RULES:
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
