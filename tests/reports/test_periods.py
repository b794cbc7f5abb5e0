"""Report periods (explicit rows), the snapshot of a past period's figures, the daily
trend points, and the beat entries that take them."""

import importlib
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import CommandError, call_command

from ktgs.celery import app as celery_app
from reports import engine, tasks
from reports.engine import periods
from reports.engine.table import row_values
from reports.models import (
    ALL_KINDS,
    DailySnapshot,
    PeriodSnapshot,
    ProgressRow,
    ReportPeriod,
)
from tests.reports.test_rollup import case, programme, target

# Every test here runs on both roll-up engines (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("rollup_engine")

TODAY = date(2026, 7, 2)
Q1_END = date(2026, 3, 31)


def period(kind, year=2026, month=0):
    return ReportPeriod.objects.get(kind=kind, year=year, month=month)


@pytest.fixture
def figures(tree):
    """Targets at A1 and B1; one case concluded in Q1, one in May, one arising in Q1."""
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10)
    target(prog, tree.a1a, kind="supervision_thematic", quantity=2)
    case(tree.a1, target=t_a1, concluded_on=date(2026, 3, 10))
    case(tree.a1, target=t_a1, concluded_on=date(2026, 5, 1))
    case(tree.b1, kind="denunciation", concluded_on=date(2026, 2, 1))
    return prog


def snapshot_values(p: ReportPeriod) -> dict:
    return {
        (s.organization_id, s.year, s.kind, s.body): row_values(s)
        for s in PeriodSnapshot.objects.filter(period=p)
    }


# --- periods --------------------------------------------------------------------------


def test_ensure_periods_creates_the_standard_rows_of_a_year_once(db):
    assert periods.ensure_periods(2030) == 16
    assert periods.ensure_periods(2030) == 0
    assert ReportPeriod.objects.filter(year=2030).count() == 16
    q1, h1, m9, year = (period(k, 2030) for k in ("q1", "h1", "m9", "year"))
    assert (q1.starts_on, q1.ends_on) == (date(2030, 1, 1), date(2030, 3, 31))
    assert h1.ends_on == date(2030, 6, 30) and m9.ends_on == date(2030, 9, 30)
    assert year.ends_on == date(2030, 12, 31)
    assert [str(p.label) for p in (q1, h1, m9, year)] == ["Quý I", "6 tháng", "9 tháng", "Năm"]
    february = period("month", 2030, 2)
    assert february.ends_on == date(2030, 2, 28)
    assert str(february.label) == "Tháng 2"
    assert str(ReportPeriod.Kind.TERM.label) == "Nhiệm kỳ"


def test_ensure_periods_knows_leap_years_and_leaves_edited_rows_alone(db):
    periods.ensure_periods(2028)
    assert period("month", 2028, 2).ends_on == date(2028, 2, 29)
    # A unit whose 6-month report runs from 15/12 of the year before edits the row.
    h1 = period("h1", 2028)
    h1.starts_on, h1.ends_on = date(2027, 12, 15), date(2028, 6, 14)
    h1.save()
    assert periods.ensure_periods(2028) == 0
    h1.refresh_from_db()
    assert (h1.starts_on, h1.ends_on) == (date(2027, 12, 15), date(2028, 6, 14))


def test_the_data_migration_creates_2025_to_2027_once(db):
    migration = importlib.import_module("reports.migrations.0004_standard_periods")
    ReportPeriod.objects.all().delete()  # whatever an earlier flush left
    migration.create_periods(django_apps, None)
    migration.create_periods(django_apps, None)
    for year in (2025, 2026, 2027):
        assert ReportPeriod.objects.filter(year=year).count() == 16
        assert periods.ensure_periods(year) == 0  # the same rows as the service's
    assert ReportPeriod.objects.count() == 48


def test_the_nightly_task_creates_the_coming_years_periods(db):
    with time_machine.travel(date(2027, 11, 30), tick=False):
        tasks.nightly_progress()
    assert ReportPeriod.objects.filter(year=2028).count() == 16


def test_the_nightly_task_creates_the_term_and_the_next_one_in_its_last_year(db):
    ReportPeriod.objects.filter(kind="term").delete()  # whatever the migration left
    with time_machine.travel(date(2026, 12, 6), tick=False):
        tasks.nightly_progress()
    assert list(ReportPeriod.objects.filter(kind="term").values_list("year", flat=True)) == [2025]
    with time_machine.travel(date(2029, 12, 30), tick=False):
        tasks.nightly_progress()
    terms = ReportPeriod.objects.filter(kind="term").order_by("year")
    assert [str(term) for term in terms] == ["Nhiệm kỳ 2025–2030", "Nhiệm kỳ 2030–2035"]


# --- period snapshots -----------------------------------------------------------------


def test_a_snapshot_equals_compute_table_at_the_period_end(tree, figures):
    engine.rebuild(TODAY)
    q1 = period("q1")

    rows = periods.snapshot_period(q1, today=TODAY)

    wanted = {k: v for k, v in engine.compute_table(Q1_END).items() if k[1] == 2026}
    assert rows == len(wanted) > 0
    assert snapshot_values(q1) == wanted
    q1.refresh_from_db()
    assert q1.snapshot_taken_at is not None
    # As of 31/03 only the March case counts; the live table (2 July) has both.
    frozen = PeriodSnapshot.objects.get(
        period=q1, organization=tree.province, kind=ALL_KINDS, body=""
    )
    live = ProgressRow.objects.get(organization=tree.province, year=2026, kind=ALL_KINDS, body="")
    assert (frozen.sub_capped_done, live.sub_capped_done) == (1, 2)
    assert frozen.sub_arising == 1
    assert frozen.computed_on == Q1_END


def test_a_second_snapshot_replaces_the_first(tree, figures):
    q1 = period("q1")
    periods.snapshot_period(q1, today=TODAY)
    first = snapshot_values(q1)
    case(tree.b1, kind="denunciation", concluded_on=date(2026, 3, 20))  # entered late
    periods.snapshot_period(q1, today=TODAY)
    second = snapshot_values(q1)
    assert set(first) == set(second)
    province = (tree.province.pk, 2026, ALL_KINDS, "")
    assert (first[province][1].arising, second[province][1].arising) == (1, 2)


def test_a_period_that_has_not_ended_is_not_snapshotted(tree, figures):
    with pytest.raises(periods.PeriodNotEnded):
        periods.snapshot_period(period("year"), today=TODAY)
    assert not PeriodSnapshot.objects.exists()


def test_beat_snapshots_each_ended_period_once(tree, figures):
    taken = periods.snapshot_ended_periods(date(2026, 4, 1))
    ended = set(
        ReportPeriod.objects.filter(
            kind__in=periods.DASHBOARD_PERIODS, ends_on__lt=date(2026, 4, 1)
        ).values_list("pk", flat=True)
    )
    assert set(taken) == ended
    assert period("q1").pk in taken and period("h1").pk not in taken
    assert period("month", 2026, 3).pk not in taken  # months: on demand only
    assert periods.snapshot_ended_periods(date(2026, 4, 1)) == []
    assert periods.snapshot_ended_periods(date(2026, 7, 1)) == [period("h1").pk]


def test_the_command_snapshots_a_period_on_demand(tree, figures):
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("snapshot_progress", "--year", "2026", "--period", "q1", stdout=out)
        assert "rows" in out.getvalue()
        assert PeriodSnapshot.objects.filter(period=period("q1")).exists()
        with pytest.raises(CommandError, match="not ended"):
            call_command("snapshot_progress", "--year", "2026", "--period", "year")
        with pytest.raises(CommandError, match="no report period"):
            call_command("snapshot_progress", "--year", "2040", "--period", "q1")
        call_command("snapshot_progress", "--year", "2026", "--period", "month3", stdout=out)
    assert period("month", 2026, 3).snapshot_taken_at is not None


# --- daily trend points ---------------------------------------------------------------


def test_the_daily_snapshot_is_taken_once_a_day_for_units_down_to_the_depth_limit(tree, figures):
    engine.rebuild(TODAY)
    shallow = set(
        ProgressRow.objects.filter(
            kind=ALL_KINDS, body="", year=2026, organization__depth__lte=4
        ).values_list("organization_id", flat=True)
    )
    assert tree.a1.pk in shallow  # depth 4
    assert periods.take_daily_snapshot(TODAY) == len(shallow)
    assert periods.take_daily_snapshot(TODAY) == len(shallow)  # the same rows again
    points = DailySnapshot.objects.filter(taken_on=TODAY)
    assert set(points.values_list("organization_id", flat=True)) == shallow
    assert points.count() == len(shallow)
    assert not points.filter(organization=tree.a1a).exists()  # depth 5
    province = points.get(organization=tree.province)
    live = ProgressRow.objects.get(organization=tree.province, year=2026, kind=ALL_KINDS, body="")
    assert (province.sub_quantity, province.sub_capped_done, province.sub_expected) == (
        live.sub_quantity,
        live.sub_capped_done,
        live.sub_expected,
    )


def test_the_depth_limit_is_a_setting(tree, figures, settings):
    settings.KTGS_TREND_MAX_DEPTH = 2
    engine.rebuild(TODAY)
    periods.take_daily_snapshot(TODAY)
    assert set(DailySnapshot.objects.values_list("organization_id", flat=True)) == {
        tree.root.pk,
        tree.province.pk,
    }


def test_a_rerun_the_same_day_updates_the_days_point(tree, figures):
    engine.rebuild(TODAY)
    periods.take_daily_snapshot(TODAY)
    target(figures, tree.a2, quantity=4)  # a target added later the same day
    engine.refresh_units([tree.a2.pk], TODAY)
    periods.take_daily_snapshot(TODAY)
    point = DailySnapshot.objects.get(organization=tree.province)  # still one
    assert point.sub_quantity == 15 + 4


def test_beat_runs_the_snapshots_and_every_entry_expires():
    registered = set(celery_app.tasks.keys())
    schedule = settings.CELERY_BEAT_SCHEDULE
    for name in ("progress-period-snapshots", "progress-daily-snapshot"):
        entry = schedule[name]
        assert entry["task"] in registered
        assert 0 < entry["options"]["expire_seconds"] < 24 * 3600
