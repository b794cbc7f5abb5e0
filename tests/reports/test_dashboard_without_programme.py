"""Units without their year's programme on the dashboard (a figure, the list, the
children table) and in the period report (issue 12, finding 5: they showed "0/0 —"
and counted as not lagging)."""

import re
from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from reports import engine, queries
from reports.engine import periods
from reports.models import ReportPeriod
from reports.queries import dashboards
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)


@pytest.fixture
def year_2026(tree, programme_rules):
    """The province issued its programme with targets for A1 and B1; nobody else has
    one. C, a third unit under the province, has nothing at all in its subtree."""
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10)
    case(tree.a1, target=t_a1)
    c = OrganizationFactory(parent=tree.province, code="TN-C", name="Đảng ủy C", level="grassroots")
    engine.rebuild(TODAY)
    return c


def page(client, unit, **params):
    response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"year": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


def section(body: str) -> str:
    return body.split('id="without-programme"')[1]


def child_row(body: str, name: str) -> str:
    table = body.split('class="grid progress-table"')[1].split("</table>")[0]
    return next(row for row in table.split("<tr>") if f">{name}</a>" in row)


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_counts_and_lists_the_units_without_a_programme(
    client, cast, tree, year_2026
):
    client.force_login(cast.leader_p)
    body = page(client, tree.province)
    # A, A1, A1a, A2, B, B1 and C; the province issued its own.
    assert "chưa có chương trình: 7 đơn vị" in body
    listed = section(body)
    for unit in (tree.a, tree.a1, tree.a1a, tree.a2, tree.b, tree.b1, year_2026):
        assert f">{unit.name}</a>" in listed
    # Each with its parent, upper levels first.
    assert re.search(r">Chi bộ B1</a></td>\s*<td>Đảng ủy xã B</td>", listed)
    assert listed.index("Đảng ủy Khối A") < listed.index("Chi bộ A1a")
    assert f">{tree.province.name}</a>" not in listed


@time_machine.travel(TODAY, tick=False)
def test_a_child_without_programme_or_targets_says_so_instead_of_0_of_0(
    client, cast, tree, year_2026
):
    client.force_login(cast.leader_p)
    body = page(client, tree.province)
    c_row = child_row(body, "Đảng ủy C")
    assert "Chưa có chương trình" in c_row and "0/0" not in c_row and "—" not in c_row
    # A has targets below it (set by the province): its figures stay, with the finding.
    a_row = child_row(body, "Đảng ủy Khối A")
    assert "1/3" in a_row and "chưa có chương trình" in a_row
    # The children's own counts of units without a programme in their subtrees.
    # (the count links to A's own list of them)
    assert re.search(r'<td class="num"><a href="[^"]+#without-programme">4</a></td></tr>', a_row)


@time_machine.travel(TODAY, tick=False)
def test_a_unit_that_issues_its_programme_leaves_the_list_after_the_refresh(
    client, cast, tree, year_2026
):
    client.force_login(cast.leader_p)
    assert ">Chi bộ B1</a>" in section(page(client, tree.province))
    programme(tree.b1)
    engine.refresh_units([tree.b1.pk], TODAY)
    body = page(client, tree.province)
    assert ">Chi bộ B1</a>" not in section(body)
    assert "chưa có chương trình: 6 đơn vị" in body


@time_machine.travel(TODAY, tick=False)
def test_the_figure_is_the_same_whatever_kind_is_shown(tree, year_2026):
    shown = queries.dashboard(tree.province, year=2026, kind="supervision_thematic", today=TODAY)
    assert shown.unit.units_without_programme == 7
    assert {c.organization.pk: c.without_programme for c in shown.children} == {
        tree.a.pk: True,
        tree.b.pk: True,
        year_2026.pk: True,
    }


@time_machine.travel(TODAY, tick=False)
def test_a_long_list_is_cut_and_says_how_many_there_are(client, cast, tree, year_2026, monkeypatch):
    monkeypatch.setattr(dashboards, "WITHOUT_PROGRAMME_SHOWN", 3)
    client.force_login(cast.leader_p)
    listed = section(page(client, tree.province))
    assert listed.count("<tr><td><a") == 3
    assert "Danh sách chỉ hiện 3 trong số 7 đơn vị." in listed


@time_machine.travel(TODAY, tick=False)
def test_a_cut_list_is_the_head_of_the_whole_list_on_every_source(
    tree, year_2026, monkeypatch, django_assert_num_queries
):
    """The list is read with the unit, its ancestors and children (one query): whatever
    the cut, it is the first units of the whole list, the unit itself and its children
    among them in their place, and the children's table and the lines stay the unit's
    own, live, computed on demand (Q1 before its snapshot) and from the snapshot."""
    periods.ensure_periods(2026)
    q1 = ReportPeriod.objects.get(kind="q1", year=2026, month=0)

    def read(unit, period):
        shown = queries.dashboard(unit, year=2026, kind="", today=TODAY, period_kind=period)
        assert shown.unit is not None
        return (
            [listed.pk for listed in shown.without_programme],
            [line.organization.pk for line in (shown.unit, *shown.children)],
            shown,
        )

    wholes: dict[tuple[str, int], list[int]] = {}
    for source, period in (("live", "year"), ("computed", "q1"), ("snapshot", "q1")):
        if source == "snapshot":
            periods.snapshot_period(q1, today=TODAY)
        for unit in (tree.province, tree.a, tree.b):
            monkeypatch.setattr(dashboards, "WITHOUT_PROGRAMME_SHOWN", 50)
            whole, lines, shown = read(unit, period)
            assert getattr(shown.source, source)  # live, computed, snapshot
            # Upper levels first; each with its parent, read with it.
            with django_assert_num_queries(0):
                depths = [listed.depth for listed in shown.without_programme]
                assert all(listed.parent.name for listed in shown.without_programme)
            assert depths == sorted(depths)
            wholes[(source, unit.pk)] = whole
            for cut in range(1, len(whole) + 1):
                monkeypatch.setattr(dashboards, "WITHOUT_PROGRAMME_SHOWN", cut)
                assert read(unit, period)[:2] == (whole[:cut], lines), (source, unit, cut)
    province = {tree.a.pk, tree.a1.pk, tree.a1a.pk, tree.a2.pk, tree.b.pk, tree.b1.pk}
    assert set(wholes[("live", tree.province.pk)]) == province | {year_2026.pk}
    # The unit itself first when it lacks its programme, then its children.
    assert wholes[("live", tree.a.pk)][:1] == [tree.a.pk]
    assert set(wholes[("live", tree.a.pk)][1:3]) == {tree.a1.pk, tree.a2.pk}
    assert wholes[("live", tree.b.pk)] == [tree.b.pk, tree.b1.pk]
    # Nothing changed since Q1: every source lists the same units.
    for unit in (tree.province, tree.a, tree.b):
        assert (
            wholes[("live", unit.pk)]
            == wholes[("computed", unit.pk)]
            == wholes[("snapshot", unit.pk)]
        )


@time_machine.travel(TODAY, tick=False)
def test_the_period_report_has_a_line_for_them(client, cast, tree, year_2026):
    periods.ensure_periods(2026)
    report = queries.period_report(tree.province, year=2026, period_kind="year", today=TODAY)
    assert report.units_without_programme == 7
    client.force_login(cast.leader_p)
    url = reverse("reports:period_report", args=[tree.province.pk])
    body = client.get(url, {"year": 2026, "period": "year"}).content.decode()
    assert (
        "Đơn vị đã quá hạn mà chưa ban hành chương trình kiểm tra, giám sát năm 2026: 7 đơn vị."
        in body
    )
    response = client.get(url, {"year": 2026, "period": "year", "format": "xlsx"})
    sheet = load_workbook(BytesIO(response.content))["Chỉ tiêu"]  # under the targets
    found = [
        cells[2].value
        for cells in sheet.iter_rows(min_row=3)
        if cells[1].value
        == "Đơn vị đã quá hạn mà chưa ban hành chương trình kiểm tra, giám sát năm 2026"
    ]
    assert found == [7]


@time_machine.travel(TODAY, tick=False)
def test_a_past_period_reads_the_figure_from_its_snapshot(tree, year_2026):
    periods.ensure_periods(2026)
    period = ReportPeriod.objects.get(kind="q1", year=2026, month=0)
    periods.snapshot_period(period, today=TODAY)
    programme(tree.b1)  # issued after Q1: the Q1 figures keep B1
    engine.refresh_units([tree.b1.pk], TODAY)
    q1_report = queries.period_report(tree.province, year=2026, period_kind="q1", today=TODAY)
    assert q1_report.units_without_programme == 7
    shown = queries.dashboard(tree.province, year=2026, kind="", today=TODAY, period_kind="q1")
    assert tree.b1.pk in {unit.pk for unit in shown.without_programme}
    of_a_kind = queries.dashboard(
        tree.province, year=2026, kind="inspection_compliance", today=TODAY, period_kind="q1"
    )
    assert of_a_kind.unit.units_without_programme == 7
    live = queries.dashboard(tree.province, year=2026, kind="", today=TODAY)
    assert live.unit.units_without_programme == 6
