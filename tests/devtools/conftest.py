import pytest


@pytest.fixture(autouse=True)
def _seeded_deadline_rules(request):
    """The deadline rules cases/migrations/0006 seeds, which `seed_demo`'s records need:
    a live-server test earlier in the run flushes every table, migration rows included."""
    if "db" in request.fixturenames:
        request.getfixturevalue("deadline_rules")
