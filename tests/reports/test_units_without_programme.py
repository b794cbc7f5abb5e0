"""Units that should have issued their year's programme and have not ("chưa có chương
trình", issue 12 finding 5): counted on their all-kinds row and up the tree by both
engines, in the rebuild, the incremental refresh and the period snapshots."""

import random
from datetime import date

import pytest

from plans import services as plans_services
from plans.models import Programme, ProgrammeRequirement
from reports import engine
from reports.engine import periods
from reports.engine import python as python_engine
from reports.models import ALL_KINDS, PeriodSnapshot, ProgressRow, ReportPeriod
from tests.reports.test_rollup import assert_incremental_equals_rebuild, programme, row, table
from tests.reports.test_rollup_sql import DATES

# Every test here runs on both roll-up engines (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("rollup_engine")

AFTER = date(2026, 2, 1)  # the day after the seeded deadline, 31 January


@pytest.fixture
def province_issued(tree, programme_rules):
    """Only the province has issued its 2026 programme (in December 2025)."""
    return programme(tree.province)


def without(today):
    """The units a rebuild as of `today` counts as without their programme this year."""
    return {
        unit
        for (unit, year, kind, _body), (own, _) in engine.compute_table(today).items()
        if kind == ALL_KINDS and year == today.year and own.units_without_programme
    }


def test_units_without_a_programme_after_the_deadline_count_up_the_tree(tree, province_issued):
    engine.rebuild(AFTER)
    # Nothing else in their subtrees (no target, no case): the rows exist for this figure.
    for unit in (tree.a1a, tree.a2, tree.b1):
        assert (row(unit).own_units_without_programme, row(unit).sub_quantity) == (1, 0)
    assert (row(tree.a).own_units_without_programme, row(tree.a).sub_units_without_programme) == (
        1,
        4,  # a, a1, a1a, a2
    )
    assert row(tree.province).own_units_without_programme == 0  # it issued its own
    assert row(tree.province).sub_units_without_programme == 6
    # The centre's rule is inactive: it counts its subtree but not itself.
    assert (
        row(tree.root).own_units_without_programme,
        row(tree.root).sub_units_without_programme,
    ) == (
        0,
        6,
    )


def test_nothing_counts_until_the_deadline_has_passed(tree, province_issued):
    assert without(date(2026, 1, 31)) == set()
    assert tree.b1.pk in without(AFTER)
    # Each day counts the year it is in: on 31 December 2025 the 2025 programmes are
    # missing (nobody issued one), the 2026 ones are not due yet.
    assert tree.province.pk in without(date(2025, 12, 31))
    assert not any(
        sub.units_without_programme
        for (_, year, _, _), (_, sub) in engine.compute_table(date(2025, 12, 31)).items()
        if year == 2026
    )


def test_issuing_the_programme_takes_the_unit_out_after_the_refresh(tree, province_issued):
    engine.rebuild(AFTER)
    draft = programme(tree.b1, status=Programme.Status.DRAFT)
    draft.body = "cell"
    draft.save()
    with plans_services.progress_refresh_deferred() as refreshed:
        plans_services.issue_programme(programme=draft)
    # The service asks for the programme's own unit to be refreshed, even without targets.
    assert tree.b1.pk in refreshed
    engine.refresh_units(refreshed, AFTER)
    # Nothing else in its subtree: its row goes, as a rebuild would not make it.
    assert not ProgressRow.objects.filter(organization=tree.b1).exists()
    assert row(tree.b).sub_units_without_programme == 1  # b itself
    assert row(tree.province).sub_units_without_programme == 5
    assert_incremental_equals_rebuild(AFTER)
    assert engine.rebuild(AFTER, check=True).changed == 0


def test_a_refresh_of_an_untouched_unit_adds_its_row_as_the_rebuild_would(tree, province_issued):
    engine.rebuild(date(2026, 1, 31))  # the deadline itself: nobody counts yet
    assert table() == {}
    engine.refresh_units([tree.a2.pk], AFTER)
    assert row(tree.a2).own_units_without_programme == 1
    assert row(tree.province).sub_units_without_programme == 1


@pytest.mark.parametrize(
    "change",
    [
        "issued_after_the_day",
        "draft",
        "term_programme",
        "other_year",
        "closed",
    ],
)
def test_which_programmes_count_as_issued(tree, province_issued, change):
    made = programme(tree.b1)
    expect_missing = True
    if change == "issued_after_the_day":
        made.issued_on = date(2026, 2, 5)  # issued, but dated after the day asked about
    elif change == "draft":
        made.status = Programme.Status.DRAFT
    elif change == "term_programme":
        made.scope, made.end_year = Programme.Scope.TERM, 2030
    elif change == "other_year":
        made.year = made.end_year = 2025
    elif change == "closed":
        made.status = Programme.Status.CLOSED
        expect_missing = False
    made.save()
    assert (tree.b1.pk in without(AFTER)) is expect_missing


def test_a_rule_may_require_a_body_move_its_deadline_or_be_switched_off(
    tree, province_issued, programme_rules
):
    programme(tree.b1)  # issued by the standing committee (the helper's body)
    assert tree.b1.pk not in without(AFTER)
    cell_rule = programme_rules["cell"]
    cell_rule.body = "cell"
    cell_rule.save()
    assert tree.b1.pk in without(AFTER)

    grassroots = programme_rules["grassroots"]
    grassroots.due_month, grassroots.due_day = 3, 15
    grassroots.save()
    assert tree.b.pk not in without(date(2026, 3, 15))
    assert tree.b.pk in without(date(2026, 3, 16))

    ProgrammeRequirement.objects.filter(level="cell").update(is_active=False)
    assert tree.b1.pk not in without(AFTER)


def test_a_unit_that_did_not_exist_on_the_deadline_is_not_required(tree, province_issued):
    tree.b1.valid_from = date(2026, 7, 1)  # created mid-year
    tree.b1.save()
    tree.a2.valid_to = date(2026, 1, 15)  # dissolved before the deadline
    tree.a2.save()
    found = without(AFTER)
    assert tree.b1.pk not in found and tree.a2.pk not in found
    assert tree.a1.pk in found


def test_the_period_snapshot_keeps_the_figure(tree, province_issued):
    periods.ensure_periods(2026)
    q1 = ReportPeriod.objects.get(kind=ReportPeriod.Kind.Q1, year=2026)
    engine.write_snapshot(q1, range(2026, 2027))
    snap = PeriodSnapshot.objects.get(
        period=q1, organization=tree.province, kind=ALL_KINDS, body=""
    )
    assert snap.sub_units_without_programme == 6


def test_a_rule_change_in_the_admin_asks_for_a_rebuild(
    programme_rules, django_capture_on_commit_callbacks
):
    rule = programme_rules["cell"]
    rule.due_month, rule.due_day = 2, 15
    with django_capture_on_commit_callbacks() as callbacks:
        plans_services.save_programme_requirement(requirement=rule)
    assert len(callbacks) == 1


def test_the_29th_of_february_is_refused_as_a_deadline(programme_rules):
    from django.core.exceptions import ValidationError

    rule = programme_rules["cell"]
    rule.due_month, rule.due_day = 2, 29
    with pytest.raises(ValidationError):
        rule.full_clean()


@pytest.mark.parametrize("seed", range(6))
def test_sql_equals_python_for_units_without_programme(tree, programme_rules, seed):
    rng = random.Random(seed)
    for rule in programme_rules.values():
        rule.due_month, rule.due_day = rng.choice([(1, 31), (2, 17), (6, 30), (12, 30)])
        rule.body = rng.choice(["", "", "committee", "standing_committee"])
        rule.is_active = rng.random() < 0.85
        rule.save()
    for unit in tree.all():
        if rng.random() < 0.2:
            unit.valid_from = date(2026, rng.randint(1, 12), 1)
        if rng.random() < 0.2:
            unit.valid_to = date(2026, rng.randint(1, 12), 28)
        if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
            unit.valid_to = None
        unit.save()
        for _ in range(rng.randint(0, 2)):
            made = programme(unit, status=rng.choice(list(Programme.Status)))
            made.body = rng.choice(["committee", "standing_committee", "cell"])
            made.issued_on = date(2026, rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.2:
                made.scope, made.end_year = Programme.Scope.TERM, 2030
            made.save()
    for day in DATES:
        sql, reference = engine.compute_table(day), python_engine.reference_table(day)
        assert sql.keys() == reference.keys(), (seed, day)
        assert sql == reference, (seed, day)
    # And the incremental path: a refresh of every unit from an empty table.
    engine.refresh_units([u.pk for u in tree.all()], date(2026, 7, 2))
    assert_incremental_equals_rebuild(date(2026, 7, 2))


def test_the_figure_is_refreshed_as_it_is_rebuilt(tree, province_issued):
    engine.rebuild(AFTER)
    assert row(tree.b).sub_units_without_programme == 2
    programme(tree.b1)
    engine.refresh_units([tree.b1.pk], AFTER)
    assert row(tree.b).sub_units_without_programme == 1
    assert row(tree.province).sub_units_without_programme == 5
    assert table() == python_engine.reference_table(AFTER)


@pytest.mark.parametrize(
    ("field", "value"), [("issued_on", date(2026, 2, 10)), ("body", "committee")]
)
def test_changing_when_or_by_whom_a_programme_was_issued_refreshes_its_unit(
    tree, province_issued, field, value
):
    made = programme(tree.b1)
    with plans_services.progress_refresh_deferred() as refreshed:
        plans_services.update_programme(programme=made, **{field: value})
    assert tree.b1.pk in refreshed


def test_moving_a_programme_to_another_unit_refreshes_both(tree, province_issued):
    made = programme(tree.b1)
    with plans_services.progress_refresh_deferred() as refreshed:
        plans_services.update_programme(programme=made, organization=tree.a2)
    assert {tree.b1.pk, tree.a2.pk} <= refreshed
