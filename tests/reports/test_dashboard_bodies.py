"""The dashboard's coverage per kind of unit (for all bodies and per body) and its figures
per body (chủ thể), rebuilt from records through the page: live table, snapshot and on
demand, on both engines; the same number of queries whatever the subtree."""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ktgs.models import Organization
from reports import engine, queries
from reports.engine import periods
from reports.models import ReportPeriod
from tests.factories import OrganizationFactory
from tests.reports.test_dashboard import PAGE_QUERIES, ROLES_QUERY
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)
INSPECT = "inspection_compliance"


@pytest.fixture
def engine_name(rollup_engine):
    """Both roll-up engines (tests/conftest.py)."""
    return rollup_engine


def own_target(unit, body, quantity, done, *, kind=INSPECT):
    made = target(programme(unit, body=body), unit, kind=kind, quantity=quantity)
    for _ in range(done):
        case(unit, kind=kind, target=made, body=body, concluded_on=date(2026, 3, 10))
    return made


@pytest.fixture
def bloc(tree, engine_name):
    """Under the bloc A: three grassroots committees (A1, X1, X2) whose committees each
    set themselves one inspection (A1's and X1's done: 2/3), two of whose inspection
    commissions set one (A1's done: 1/2); the grassroots cell A2 with a cell committee
    finishes its cell's target. A itself: its standing committee's 2 inspections (1
    done) and an arising case of its commission."""
    x1, x2 = (
        OrganizationFactory(
            parent=tree.a, code=code, name=name, level=Organization.Level.GRASSROOTS
        )
        for code, name in (("TN-X1", "Đảng bộ cơ sở X1"), ("TN-X2", "Đảng bộ cơ sở X2"))
    )
    own_target(tree.a1, "committee", 1, 1)
    own_target(x1, "committee", 1, 1)
    own_target(x2, "committee", 1, 0)
    own_target(tree.a1, "inspection_commission", 1, 1)
    own_target(x1, "inspection_commission", 1, 0)
    own_target(tree.a2, "cell", 1, 1)
    own_target(tree.a, "standing_committee", 2, 1)
    case(tree.a, kind="supervision_thematic", body="inspection_commission")  # arising
    engine.rebuild(TODAY)
    tree.a.refresh_from_db()
    return tree


def page(client, unit, **params):
    response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"year": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


def table_rows(body: str, table_class: str) -> list[list[str]]:
    table = body.split(f'class="grid {table_class}"')[1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


EXPECTED_COVERAGE = [
    ["Loại tổ chức", "Tất cả chủ thể", "Cấp ủy", "Ủy ban kiểm tra", "Chi bộ"],
    # A1 finished both its programmes; X1 not its commission's, X2 not its committee's.
    [
        "Đảng bộ cơ sở",
        "1/3 tổ chức, đạt 33,33%",
        "2/3 tổ chức, đạt 66,67%",
        "1/2 tổ chức, đạt 50%",
        "—",
    ],
    ["Chi bộ cơ sở", "1/1 tổ chức, đạt 100%", "—", "—", "1/1 tổ chức, đạt 100%"],
    ["Chi bộ cơ sở có chi ủy", "1/1 tổ chức, đạt 100%", "—", "—", "1/1 tổ chức, đạt 100%"],
]


@pytest.mark.parametrize("period", ["year", "m9_live", "h1_snapshot", "h1_computed"])
@time_machine.travel(TODAY, tick=False)
def test_the_coverage_table_counts_the_units_below_per_kind_and_body(client, cast, bloc, period):
    tree = bloc
    params = {}
    if period == "h1_snapshot":
        periods.snapshot_period(
            ReportPeriod.objects.get(kind="h1", year=2026, month=0), today=TODAY
        )
    if period != "year":
        params["period"] = period.split("_")[0]
    client.force_login(cast.leader_p)
    body = page(client, tree.a, **params)
    if period == "h1_computed":
        assert "tính lại lúc" in body
    if period == "h1_snapshot":
        assert "số liệu chốt kỳ" in body
    assert "Độ bao phủ theo loại tổ chức" in body
    assert table_rows(body, "coverage-table") == EXPECTED_COVERAGE
    # A's own targets (its standing committee's) are not A's coverage: A is no kind of
    # unit the lines count, and its own programme is not its descendants'.
    assert "Đảng bộ bộ phận và chi bộ dưới cơ sở" not in body.split('id="by-body"')[0]


@time_machine.travel(TODAY, tick=False)
def test_the_body_table_gives_the_units_own_figures_apart_from_its_subtree(client, cast, bloc):
    tree = bloc
    client.force_login(cast.leader_p)
    rows = table_rows(page(client, tree.a), "body-table")
    by_body = {row[0]: row[1:] for row in rows[2:]}
    assert list(by_body) == [
        "Tất cả chủ thể",
        "Cấp ủy",
        "Ban thường vụ",
        "Ủy ban kiểm tra",
        "Chi bộ",
    ]
    # Own (not summed below): done/target, completion, arising; then the subtree's and
    # its units that completed. The figures count cases here, but the bloc's targets
    # could count anything: marked, never given a word they may not have.
    assert by_body["Ban thường vụ"] == ["1/2*", "50%", "0", "1/2*", "50%", "0", "0/1 đơn vị"]
    assert by_body["Ủy ban kiểm tra"] == ["—", "—", "1", "1/2*", "50%", "1", "1/2 đơn vị"]
    assert by_body["Cấp ủy"] == ["—", "—", "0", "2/3*", "66,67%", "0", "2/3 đơn vị"]
    # 3 + 2 + 1 + 2 inspections, 2 + 1 + 1 + 1 done; of A, A1, X1, X2 and A2, A1 and
    # A2 finished everything.
    assert by_body["Tất cả chủ thể"] == [
        "1/2*",
        "50%",
        "1",
        "5/8*",
        "62,50%",
        "1",
        "2/5 đơn vị",
    ]


@time_machine.travel(TODAY, tick=False)
def test_a_leaf_units_body_figures_carry_their_word(client, cast, bloc):
    tree = bloc
    client.force_login(cast.leader_p)
    rows = table_rows(page(client, tree.a2), "body-table")
    assert rows[2][:2] == ["Tất cả chủ thể", "1/1 cuộc"]
    assert "Không có tổ chức đảng cấp dưới nào có chỉ tiêu." in page(client, tree.a2)


@time_machine.travel(TODAY, tick=False)
def test_the_figures_per_body_agree_across_sources(bloc):
    """The dashboard's per-body figures read inside the units' query (live), from the
    snapshot, and computed on demand: equal, and equal to reports.queries.bodies."""
    tree = bloc
    from reports.queries.bodies import figures_by_body
    from reports.queries.sources import period_source

    computed = queries.dashboard(tree.a, year=2026, kind="", today=TODAY, period_kind="h1")
    periods.snapshot_period(ReportPeriod.objects.get(kind="h1", year=2026), today=TODAY)
    frozen = queries.dashboard(tree.a, year=2026, kind="", today=TODAY, period_kind="h1")
    assert computed.source.computed and frozen.source.snapshot
    assert computed.bodies == frozen.bodies
    live = queries.dashboard(tree.a, year=2026, kind=INSPECT, today=TODAY)
    source = period_source(year=2026, period_kind="year", today=TODAY)
    assert live.bodies == figures_by_body(tree.a, source, kind=INSPECT)
    assert [b.body for b in live.bodies] == [
        "",
        "committee",
        "standing_committee",
        "inspection_commission",
        "cell",
    ]


def grow(tree, extra: int) -> None:
    """`extra` more grassroots committees under A, each with a committee's and a
    commission's target and a cell below with a cell's target."""
    for i in range(extra):
        unit = OrganizationFactory(
            parent=tree.a, code=f"G{i}", name=f"Đảng bộ thêm {i}", level="grassroots"
        )
        cell = OrganizationFactory(parent=unit, code=f"G{i}c", name=f"Chi bộ thêm {i}")
        own_target(unit, "committee", 1, i % 2)
        own_target(unit, "inspection_commission", 2, 1)
        own_target(cell, "cell", 1, 1, kind="supervision_thematic")


def counts(client, tree, names, period):
    found = {}
    for name in names:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                reverse("reports:dashboard", args=[getattr(tree, name).pk]),
                {"year": 2026, "period": period},
            )
        assert response.status_code == 200
        found[name] = len(ctx.captured_queries)
    return found


@time_machine.travel(TODAY, tick=False)
def test_the_body_sections_add_no_query_whatever_the_subtree(client, cast, bloc, engine_name):
    """Live, snapshot and computed on demand, small and larger subtree: the page's
    queries as without the per-body sections (live: read inside the units' query;
    computed: from the subtree already computed). The Python engine (SQLite's) computes
    a subtree in more statements, but as many for any subtree."""
    tree = bloc
    names = ["root", "province", "a", "a1"]
    q1 = ReportPeriod.objects.get(kind="q1", year=2026, month=0)
    periods.snapshot_period(q1, today=TODAY)
    client.force_login(cast.admin)
    small = {p: counts(client, tree, names, p) for p in ("year", "q1", "h1")}
    grow(tree, 12)
    engine.rebuild(TODAY)
    periods.snapshot_period(q1, today=TODAY)
    large = {p: counts(client, tree, names, p) for p in ("year", "q1", "h1")}
    assert small == large, (small, large)
    wanted = dict.fromkeys(names, PAGE_QUERIES + ROLES_QUERY)
    for period, found in small.items():
        if engine_name == "sql" or period != "h1":
            assert found == wanted, (period, small)
    body = page(client, tree.a)
    # 3 + 12 grassroots committees; the committees of A1, X1 and the 6 odd ones done.
    assert "8/15 tổ chức, đạt 53,33%" in body
