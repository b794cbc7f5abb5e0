"""A past period without a snapshot is computed on demand for the asked subtree, as of its
end (reports.engine.subtree_figures): the figures a snapshot taken at its end holds, on
both engines (the SQL statement PostgreSQL runs and the Python path SQLite runs); and the
term, whose figures gather its years with each unit counted once."""

import random
from datetime import date

import pytest
from django.db import connection

from cases.models import Case
from reports import engine
from reports.engine import periods
from reports.engine import python as python_engine
from reports.engine.table import row_values
from reports.models import ALL_BODIES, ALL_KINDS, PeriodSnapshot, ReportPeriod
from tests.reports.test_rollup import KINDS, case, programme, target
from tests.reports.test_rollup_sql import random_year

# Every test here runs on both roll-up engines (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("rollup_engine")

LATER = date(2027, 1, 15)  # every 2026 period has ended


@pytest.fixture(autouse=True)
def _postgresql(db):
    # The SQL path runs on PostgreSQL only; the Python path is called directly.
    assert connection.vendor == "postgresql"


def period(kind, year=2026):
    return ReportPeriod.objects.get(kind=kind, year=year, month=0)


def from_snapshot(p: ReportPeriod, unit, kind: str | None) -> engine.SubtreeFigures:
    """What the dashboard reads from a snapshot: the unit's and children's subtree rows,
    and the most lagging units of the subtree in the dashboard's order."""
    rows = PeriodSnapshot.objects.filter(period=p, year=p.year)
    children = {unit.pk, *type(unit).objects.filter(parent=unit).values_list("pk", flat=True)}
    totals = {
        (r.organization_id, r.kind, r.body): row_values(r)[1]
        for r in rows.filter(organization_id__in=children)
        if kind is None or r.kind == kind
    }
    lagging = (
        rows.filter(
            kind=ALL_KINDS if kind is None else kind,
            body=ALL_BODIES,
            own_units_lagging=1,
            organization__path__startswith=unit.path,
        )
        .select_related("organization")
        .order_by("-own_gap", "organization__name", "organization_id")[:20]
    )
    return engine.SubtreeFigures(
        totals=totals,
        lagging=[(r.organization, row_values(r)[0]) for r in lagging],
    )


def comparable(figures: engine.SubtreeFigures):
    return figures.totals, [(org.pk, org.name, own) for org, own in figures.lagging]


@pytest.mark.parametrize("seed", range(4))
def test_on_demand_figures_equal_a_snapshot_and_the_python_reference(tree, seed, settings):
    settings.KTGS_LAG_TOLERANCE_CASES = "0"  # more lagging units to order
    random_year(tree, random.Random(seed))
    assert Case.objects.exists()
    cut = 0  # lists of more than two lagging units (where lagging=2 cuts)
    for kind_of_period in ("q1", "h1", "m9", "year"):
        p = period(kind_of_period)
        periods.snapshot_period(p, today=LATER)
        for unit in tree.all():
            for kind in [None, ALL_KINDS, *KINDS]:
                sql = engine.subtree_figures(
                    unit, p.ends_on, range(2026, 2027), kind=kind, lagging=20
                )
                python = python_engine.reference_subtree(
                    unit, p.ends_on, range(2026, 2027), kind=kind, lagging=20
                )
                frozen = from_snapshot(p, unit, kind)
                assert comparable(sql) == comparable(python), (seed, p, unit, kind)
                assert comparable(sql) == comparable(frozen), (seed, p, unit, kind)
                # A shorter list than the subtree's lagging units: the same first two,
                # with their reasons (the SQL builds reasons for the units shown only).
                first_two = [
                    compute(unit, p.ends_on, range(2026, 2027), kind=kind, lagging=2)
                    for compute in (engine.subtree_figures, python_engine.reference_subtree)
                ]
                assert comparable(first_two[0]) == comparable(first_two[1])
                assert first_two[0].lagging == sql.lagging[:2]
                cut += len(sql.lagging) > 2
    assert cut


def test_a_subtree_computation_reads_only_its_subtree(tree):
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    t_b1 = target(prog, tree.b1, quantity=10)
    case(tree.a1, target=t_a1, concluded_on=date(2026, 3, 10))
    case(tree.b1, target=t_b1, concluded_on=date(2026, 3, 11))
    case(tree.a2, kind="denunciation", concluded_on=date(2026, 2, 1))
    day = date(2026, 3, 31)
    for compute in (engine.subtree_figures, python_engine.reference_subtree):
        found = compute(tree.a, day, range(2026, 2027), kind=ALL_KINDS)
        all_bodies = {key[:2] for key in found.totals if key[2] == ALL_BODIES}
        assert all_bodies == {(tree.a.pk, ""), (tree.a1.pk, ""), (tree.a2.pk, "")}
        whole = found.totals[(tree.a.pk, "", "")]
        assert (whole.quantity, whole.capped_done, whole.arising) == (3, 1, 1)
        assert (whole.units_with_targets, whole.units_completed) == (1, 0)


# --- the term -----------------------------------------------------------------------------


@pytest.fixture
def two_years(tree):
    """A1: 2 planned in 2025 (1 done, in 2025), 3 in 2026 (1 done); B1: 10 in 2026, none;
    a term programme of the province: A2, 4 due in 2028, 1 done. An arising case in 2025
    at A2 and one in 2026 at B1; one in 2024 (before the term)."""
    periods.ensure_term(2026)
    old = programme(tree.province, year=2025)
    t_2025 = target(old, tree.a1, quantity=2, due_on=date(2025, 12, 31))
    new = programme(tree.province)
    t_2026 = target(new, tree.a1, quantity=3)
    target(new, tree.b1, quantity=10)
    term = programme(tree.province, year=2025)
    term.scope, term.end_year, term.ends_on = "term", 2030, date(2030, 12, 31)
    term.save()
    t_term = target(term, tree.a2, quantity=4, due_on=date(2028, 12, 31))
    done = [
        case(tree.a1, target=t_2025, concluded_on=date(2025, 6, 1)),
        case(tree.a1, target=t_2026, concluded_on=date(2026, 3, 1)),
        case(tree.a2, target=t_term, concluded_on=date(2026, 4, 1)),
    ]
    arising = [
        case(tree.a2, kind="denunciation", concluded_on=date(2025, 8, 1)),
        case(tree.b1, kind="denunciation", concluded_on=date(2026, 2, 1)),
        case(tree.b1, kind="denunciation", concluded_on=date(2024, 5, 1)),
    ]
    Case.objects.filter(pk__in=[done[0].pk, arising[0].pk]).update(year=2025)
    Case.objects.filter(pk=arising[2].pk).update(year=2024)
    return term


def test_the_current_term_is_a_period_of_2025_to_2030(db):
    ReportPeriod.objects.filter(kind="term").delete()  # whatever an earlier test left
    assert periods.ensure_term(2026) is True
    assert periods.ensure_term(2029) is False  # the same term
    term = period("term", 2025)
    assert (term.starts_on, term.ends_on) == (date(2025, 1, 1), date(2030, 12, 31))
    assert term.title == str(term) == "Nhiệm kỳ 2025–2030"
    assert periods.ensure_term(2031) is True
    assert period("term", 2030).title == "Nhiệm kỳ 2030–2035"


def test_the_data_migration_creates_the_current_term(db):
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("reports.migrations.0009_current_term")
    ReportPeriod.objects.filter(kind="term").delete()
    migration.create_term(django_apps, None)
    migration.create_term(django_apps, None)
    assert ReportPeriod.objects.filter(kind="term").count() == 1
    assert periods.ensure_term(2026) is False  # the row the service would make


@pytest.mark.parametrize("engine_name", ["sql", "python"])
def test_term_to_date_gathers_the_terms_years_and_counts_each_unit_once(
    tree, two_years, engine_name
):
    compute = engine.subtree_figures if engine_name == "sql" else python_engine.reference_subtree
    day = date(2026, 7, 2)
    found = compute(tree.province, day, range(2025, 2031), kind=ALL_KINDS, lagging=20)
    whole = found.totals[(tree.province.pk, ALL_KINDS, ALL_BODIES)]
    # 2 + 3 + 10 + 4 planned; 1 + 1 + 1 done; arising 2025 and 2026, not 2024.
    assert (whole.quantity, whole.capped_done, whole.done, whole.arising) == (19, 3, 3, 2)
    # A1 has targets in two years and is counted once; A2's term target; B1.
    assert whole.units_with_targets == 3
    a = found.totals[(tree.a.pk, ALL_KINDS, ALL_BODIES)]
    assert (a.quantity, a.capped_done, a.units_with_targets) == (9, 3, 2)
    assert found.totals[(tree.b.pk, ALL_KINDS, ALL_BODIES)].quantity == 10
    lagging = [org.pk for org, _ in found.lagging]
    assert tree.b1.pk in lagging


def test_term_to_date_is_the_same_on_both_engines_on_random_data(tree, settings):
    periods.ensure_term(2026)
    for seed in range(4):
        random_year(tree, random.Random(100 + seed))
        # Some of it a year earlier: the term gathers both.
        moved = list(Case.objects.order_by("pk").values_list("pk", flat=True)[::3])
        Case.objects.filter(pk__in=moved).update(year=2025)
        for day in (date(2026, 3, 31), date(2026, 7, 2), date(2027, 1, 15)):
            for unit in (tree.root, tree.province, tree.a, tree.b1):
                for kind in (None, ALL_KINDS, KINDS[0]):
                    args = (unit, day, range(2025, 2031))
                    sql = engine.subtree_figures(*args, kind=kind, lagging=20)
                    python = python_engine.reference_subtree(*args, kind=kind, lagging=20)
                    assert comparable(sql) == comparable(python), (seed, day, unit, kind)
