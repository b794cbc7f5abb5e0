"""The dashboard's period filter (live table for a running period, the snapshot for a past
one, a message when a past period has none) and its trend chart."""

import json
from datetime import date
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from reports import engine, queries
from reports.engine import periods
from reports.models import ReportPeriod
from tests.reports.test_dashboard import PAGE_QUERIES, ROLES_QUERY, grow
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)


@pytest.fixture
def figures(tree):
    """A1: 3 planned, one case concluded in March and one in May; B1: 10 planned, none."""
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10)
    case(tree.a1, target=t_a1, concluded_on=date(2026, 3, 10))
    case(tree.a1, target=t_a1, concluded_on=date(2026, 5, 1))
    engine.rebuild(TODAY)
    return prog


def q1():
    return ReportPeriod.objects.get(kind="q1", year=2026, month=0)


def page(client, unit, **params):
    response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"year": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_running_year_reads_the_live_table(client, cast, tree, figures):
    client.force_login(cast.leader_p)
    body = page(client, tree.province)  # default period: the year
    assert "2/13" in body and "15,38%" in body
    assert "số liệu tính đến ngày 02/07/2026" in body
    assert "số liệu chốt kỳ" not in body


@time_machine.travel(TODAY, tick=False)
def test_a_past_period_reads_its_snapshot(client, cast, tree, figures):
    periods.snapshot_period(q1(), today=TODAY)
    # A March conclusion entered after the snapshot changes the live table, not the
    # frozen Q1 figures.
    late = case(
        tree.a1, target=figures.targets.get(organization=tree.a1), concluded_on=date(2026, 3, 20)
    )
    engine.refresh_units([late.organization_id], TODAY)
    client.force_login(cast.leader_p)

    body = page(client, tree.province, period="q1")

    assert "1/13" in body and "7,69%" in body
    assert "số liệu tính đến ngày 31/03/2026" in body
    assert "số liệu chốt kỳ" in body
    assert "Dự kiến đến cuối kỳ" in body
    assert "3/13" in page(client, tree.province)  # live: March, May and the late one


@time_machine.travel(TODAY, tick=False)
def test_a_past_period_without_a_snapshot_is_computed_as_of_its_end(client, cast, tree, figures):
    client.force_login(cast.leader_p)
    body = page(client, tree.province, period="q1")  # no snapshot taken
    # As of 31/03 only the March case counts: what a snapshot would hold (1/13).
    assert "1/13" in body and "7,69%" in body
    assert "số liệu tính đến ngày 31/03/2026" in body
    # When it was computed (07:00 in Hà Nội), and no command named to a leader.
    assert "tính lại lúc 07:00 02/07/2026" in body
    assert "số liệu chốt kỳ" not in body and "snapshot_progress" not in body
    assert "Dự kiến đến cuối kỳ" in body
    assert "Báo cáo kỳ" in body
    # The same page once the snapshot is taken.
    periods.snapshot_period(q1(), today=TODAY)
    frozen = page(client, tree.province, period="q1")
    assert "1/13" in frozen and "số liệu chốt kỳ" in frozen and "tính lại lúc" not in frozen


@time_machine.travel(TODAY, tick=False)
def test_a_computed_period_shows_the_children_and_the_lagging_units(client, cast, tree, figures):
    client.force_login(cast.leader_p)
    computed = queries.dashboard(tree.province, year=2026, kind="", today=TODAY, period_kind="h1")
    periods.snapshot_period(ReportPeriod.objects.get(kind="h1", year=2026), today=TODAY)
    frozen = queries.dashboard(tree.province, year=2026, kind="", today=TODAY, period_kind="h1")
    assert computed.source.computed and not frozen.source.computed
    # The same figures; whether a unit with units below it lacks its own programme is
    # not known from subtree totals computed on demand (None), where the snapshot knows.
    for line in (computed.unit, *computed.children):
        if line.organization.numchild:
            assert line.without_programme is None
            line.without_programme = next(
                f.without_programme
                for f in (frozen.unit, *frozen.children)
                if f.organization.pk == line.organization.pk
            )
    assert computed.unit == frozen.unit
    assert computed.children == frozen.children
    assert [(lag.organization.pk, lag.gap, lag.reason) for lag in computed.lagging] == [
        (lag.organization.pk, lag.gap, lag.reason) for lag in frozen.lagging
    ]
    assert computed.lagging  # B1: 10 planned, none done by 30 June


@time_machine.travel(TODAY, tick=False)
def test_a_year_without_periods_says_so(client, cast, tree, figures):
    client.force_login(cast.leader_p)
    response = client.get(reverse("reports:dashboard", args=[tree.province.pk]), {"year": 2031})
    assert "Chưa khai báo kỳ báo cáo này cho năm 2031" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_an_unknown_period_falls_back_to_the_year(client, cast, tree, figures):
    client.force_login(cast.leader_p)
    body = page(client, tree.province, period="lunar")
    assert "15,38%" in body
    assert '<option value="year" selected>' in body


def counts(client, tree, units, period):
    result = {}
    for name in units:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                reverse("reports:dashboard", args=[getattr(tree, name).pk]),
                {"year": 2026, "period": period},
            )
        assert response.status_code == 200
        result[name] = len(ctx.captured_queries)
    return result


@time_machine.travel(TODAY, tick=False)
def test_the_query_count_stays_the_same_with_the_period_filter(client, cast, tree, figures):
    """Root, province and a grassroots unit; live year, Q1 snapshot, 6 months and the
    term computed on demand; small and larger tree: one number of queries per kind of
    source, whatever the unit and the tree's size (the period is one fixed lookup)."""
    units = ["root", "province", "a1"]
    shown = ("year", "q1", "h1", "term")
    periods.ensure_term(2026)
    periods.snapshot_period(q1(), today=TODAY)
    periods.take_daily_snapshot(TODAY)
    client.force_login(cast.admin)
    small = {p: counts(client, tree, units, p) for p in shown}
    grow(tree, figures, 24)
    engine.rebuild(TODAY)
    periods.snapshot_period(q1(), today=TODAY)
    periods.take_daily_snapshot(TODAY)
    large = {p: counts(client, tree, units, p) for p in shown}
    # Stored rows (live, snapshot): the page's queries, the unit's figures per body and
    # the units without their programme read inside the units' query. Computed on
    # demand: one statement replaces the rows and the lagging read, and the units' query
    # finds the units without their programme on the period's last day (stored rows say
    # it of each unit): the same number.
    expected = dict.fromkeys(shown, PAGE_QUERIES)
    for found in (small, large):
        for period, per_unit in found.items():
            assert set(per_unit.values()) == {expected[period] + ROLES_QUERY}, (small, large)


# --- trend chart ----------------------------------------------------------------------


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.tags.append(dict(attrs))


def take_points(days):
    for day in days:
        engine.rebuild(day)
        periods.take_daily_snapshot(day)


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_carries_the_trend_data_and_no_inline_code(client, cast, tree, figures):
    take_points([date(2026, 3, 1), date(2026, 4, 1), TODAY])
    client.force_login(cast.leader_p)
    body = page(client, tree.province)

    scripts = Scripts()
    scripts.feed(body)
    sources = [s["src"] for s in scripts.tags if s.get("src")]
    assert any(src.endswith("reports/chart.umd.min.js") for src in sources)
    assert any(src.endswith("reports/trend.js") for src in sources)
    # Every script without a src is data (json_script), which a CSP never executes.
    assert [s.get("type") for s in scripts.tags if not s.get("src")] == ["application/json"]
    assert 'class="trend-chart"' in body

    data = json.loads(
        body.split('id="trend-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["labels"] == ["01/03/2026", "01/04/2026", "02/07/2026"]
    # 13 planned: nothing done on 1 March, 1 (10 March) then 2 (1 May) done.
    assert data["done"] == [0.0, 7.69, 15.38]
    assert data["expected"][0] < data["expected"][1] < data["expected"][2]
    assert data["doneLabel"] == "Hoàn thành" and data["expectedLabel"] == "Dự kiến"


@time_machine.travel(TODAY, tick=False)
def test_a_past_periods_chart_stops_at_the_period_end(client, cast, tree, figures):
    take_points([date(2026, 3, 1), date(2026, 4, 1)])
    periods.snapshot_period(q1(), today=TODAY)
    client.force_login(cast.leader_p)
    body = page(client, tree.province, period="q1")
    data = json.loads(
        body.split('id="trend-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["labels"] == ["01/03/2026"]


@time_machine.travel(TODAY, tick=False)
def test_the_htmx_partial_carries_the_trend_data_too(client, cast, tree, figures):
    take_points([TODAY])
    client.force_login(cast.leader_p)
    response = client.get(
        reverse("reports:dashboard", args=[tree.province.pk]),
        {"year": 2026},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="trend-data"' in body


@time_machine.travel(TODAY, tick=False)
def test_units_deeper_than_the_limit_get_a_note_instead_of_a_chart(client, cast, tree, figures):
    take_points([TODAY])
    client.force_login(cast.leader_p)
    body = page(client, tree.a1a)  # depth 5
    assert 'id="trend-data"' not in body
    assert "Biểu đồ diễn biến không được lưu cho đơn vị ở cấp này" in body
    body = page(client, tree.a1)  # depth 4: drawn
    assert 'id="trend-data"' in body


def test_a_snapshot_time_read_as_text_is_taken_as_utc():
    # SQLite hands the dashboard's raw read a naive text; PostgreSQL an aware datetime.
    from datetime import UTC, datetime

    from reports.queries.dashboards import _as_datetime

    assert _as_datetime("2026-04-01 00:30:00.5") == datetime(2026, 4, 1, 0, 30, 0, 500000, UTC)
    aware = datetime(2026, 4, 1, tzinfo=UTC)
    assert _as_datetime(aware) is aware
    assert _as_datetime(None) is None


# --- the term -------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_term_shows_term_to_date_figures(client, cast, tree, figures):
    periods.ensure_term(2026)
    last_year = programme(tree.province, year=2025)
    planned = target(last_year, tree.a2, quantity=2, due_on=date(2025, 12, 31))
    done = case(tree.a2, target=planned, concluded_on=date(2025, 11, 1))
    Case.objects.filter(pk=done.pk).update(year=2025)
    client.force_login(cast.leader_p)

    body = page(client, tree.province, period="term")

    assert '<option value="term" selected>' in body
    assert "Nhiệm kỳ 2025–2030 (01/01/2025 – 31/12/2030)" in body
    # 2025's 1/2 at A2 and 2026's 2/13 so far: 3/15, as of today.
    assert "3/15" in body and "20%" in body
    assert "số liệu tính đến ngày 02/07/2026" in body and "tính lại lúc 07:00 02/07/2026" in body
    assert "Dự kiến đến hôm nay" in body
    assert "2/13" in page(client, tree.province)  # the year alone
