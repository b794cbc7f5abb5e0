import pytest

from cases.models import DeadlineRule

# The rules cases/migrations/0006 seeds, made again here: a transactional test elsewhere
# flushes every table, migration rows included.
# (kind, level, length, unit, extension days, total cap days)
SEEDED_RULES = [
    ("denunciation", "", 90, "days", 30, None),
    ("denunciation", "central", 180, "days", 60, None),
    ("complaint_lodging", "", 1, "months", 0, None),
    ("suspension_member", "", 90, "days", 0, 180),
    ("suspension_organization", "", 90, "days", 0, 90),
]


@pytest.fixture
def deadline_rules(db) -> dict[tuple[str, str], DeadlineRule]:
    """The seeded deadline rules, by (kind, level)."""
    rules = {}
    for kind, level, length, unit, extension, cap in SEEDED_RULES:
        rules[kind, level], _ = DeadlineRule.objects.update_or_create(
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
    return rules
