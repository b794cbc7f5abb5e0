"""The leader's question, "which of my units are behind, and why?": the dashboard's
children sorted by completion, gap, lagging units or name, the lagging ones alone, every
link keeping the filters, the lagging list naming each unit's parent, and one click from
a row to the unit's targets and cases (from a target to the cases that count for it)."""

import re
from dataclasses import dataclass
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ktgs.models import Organization
from reports import engine
from tests.factories import OrganizationFactory
from tests.reports.test_dashboard import PAGE_QUERIES, ROLES_QUERY, breadcrumb_of
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)  # half-way through the year: each target expects half of it


@dataclass
class Units:
    alpha: Organization  # 4/4: 100%, ahead of schedule
    gamma: Organization  # 1/10: 10%, 4 behind, two lagging cells below
    beta: Organization  # no target
    gamma_cells: list[Organization]


def grassroots(parent, code, name, **extra):
    return OrganizationFactory(parent=parent, code=code, name=name, level="grassroots", **extra)


@pytest.fixture
def units(tree):
    """The province's children: A 2/4 (50%, on schedule), B 0/10 (0%, 5 behind, B1
    lagging), Gamma 1/10 (10%, 4 behind, two lagging cells), Alpha 4/4 and Beta without
    targets."""
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=4)
    case(tree.a1, target=t_a1)
    case(tree.a1, target=t_a1)
    target(prog, tree.b1, quantity=10)
    alpha = grassroots(tree.province, "TN-AL", "Đảng ủy Alpha")
    t_alpha = target(prog, alpha, quantity=4)
    for _ in range(4):
        case(alpha, target=t_alpha)
    gamma = grassroots(tree.province, "TN-GA", "Đảng ủy Gamma")
    g1 = OrganizationFactory(parent=gamma, code="TN-GA1", name="Chi bộ Gamma 1", level="cell")
    g2 = OrganizationFactory(parent=gamma, code="TN-GA2", name="Chi bộ Gamma 2", level="cell")
    case(g1, target=target(prog, g1, quantity=6))
    target(prog, g2, quantity=4)
    beta = grassroots(tree.province, "TN-BE", "Đảng ủy Beta")
    engine.rebuild(TODAY)
    return Units(
        alpha=alpha,
        gamma=Organization.objects.get(pk=gamma.pk),
        beta=beta,
        gamma_cells=[g1, g2],
    )


def dashboard(client, unit, **params):
    response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"year": 2026, **params})
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [line["name"] for line in response.context["child_lines"]]


def by_name(tree):
    """The province's children in the database's name order (the tie-breaker)."""
    return list(Organization.objects.filter(parent=tree.province).order_by("name", "pk"))


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("completion", ["Đảng ủy xã B", "Đảng ủy Gamma", "Đảng ủy Khối A", "Đảng ủy Alpha"]),
        ("-completion", ["Đảng ủy Alpha", "Đảng ủy Khối A", "Đảng ủy Gamma", "Đảng ủy xã B"]),
        ("-gap", ["Đảng ủy xã B", "Đảng ủy Gamma", "Đảng ủy Khối A", "Đảng ủy Alpha"]),
        ("gap", ["Đảng ủy Alpha", "Đảng ủy Khối A", "Đảng ủy Gamma", "Đảng ủy xã B"]),
    ],
)
def test_children_sort_by_completion_and_gap_with_units_without_targets_last(
    client, cast, tree, units, sort, expected
):
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.province, sort=sort)
    assert names(response) == [*expected, "Đảng ủy Beta"]
    lines = {line["name"]: line for line in response.context["child_lines"]}
    assert (lines["Đảng ủy Gamma"]["completion"], lines["Đảng ủy Gamma"]["gap"]) == ("10%", "4")
    assert (lines["Đảng ủy Alpha"]["gap"], lines["Đảng ủy Beta"]["gap"]) == ("0", "—")


@time_machine.travel(TODAY, tick=False)
def test_the_default_order_is_the_lowest_completion_first(client, cast, tree, units):
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.province)
    assert names(response)[:2] == ["Đảng ủy xã B", "Đảng ủy Gamma"]
    assert names(response) == names(dashboard(client, tree.province, sort="completion"))
    # An unknown order is the default one, never an error.
    assert names(dashboard(client, tree.province, sort="-nonsense")) == names(response)


@time_machine.travel(TODAY, tick=False)
def test_children_sort_by_lagging_units_then_by_name(client, cast, tree, units):
    client.force_login(cast.leader_p)
    most = names(dashboard(client, tree.province, sort="-lag"))
    assert most[:2] == ["Đảng ủy Gamma", "Đảng ủy xã B"]  # 2 lagging cells, then 1
    rest = [u.name for u in by_name(tree) if u.name not in most[:2]]
    assert most[2:] == rest
    assert names(dashboard(client, tree.province, sort="lag")) == [
        *rest,
        "Đảng ủy xã B",
        "Đảng ủy Gamma",
    ]


@time_machine.travel(TODAY, tick=False)
def test_children_sort_by_name_both_ways(client, cast, tree, units):
    client.force_login(cast.leader_p)
    ordered = [u.name for u in by_name(tree)]
    assert names(dashboard(client, tree.province, sort="name")) == ordered
    assert names(dashboard(client, tree.province, sort="-name")) == ordered[::-1]


@time_machine.travel(TODAY, tick=False)
def test_only_lagging_children_keep_their_order(client, cast, tree, units):
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.province, lagging="1", sort="-gap")
    assert names(response) == ["Đảng ủy xã B", "Đảng ủy Gamma"]
    body = response.content.decode()
    assert re.search(
        r'<input type="checkbox" id="id_lagging" name="lagging" value="1" checked>', body
    )
    # None of them lagging under A: said so, no empty table.
    response = dashboard(client, tree.a, lagging="1")
    assert response.context["child_lines"] == []
    assert "Không có đơn vị trực thuộc nào có đơn vị chậm tiến độ." in response.content.decode()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(url)).query, keep_blank_values=True)


@time_machine.travel(TODAY, tick=False)
def test_headers_link_each_order_with_aria_sort_and_the_filters(client, cast, tree, units):
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.province, sort="-gap", kind="", period="year", lagging="1")
    body = response.content.decode()
    head = body.split('class="grid progress-table"')[1].split("</thead>")[0]
    sorted_headers = re.findall(
        r'<th scope="col"[^>]*aria-sort="(\w+)"[^>]*><a [^>]*>([^<]+)<', head
    )
    assert sorted_headers == [("descending", "Còn thiếu so với dự kiến")]
    links = dict(
        (text, query_of(href))
        for href, text in re.findall(r'<a class="sort[^"]*" href="([^"]+)">([^<]+)<', head)
    )
    base = {"year": ["2026"], "period": ["year"], "kind": [""], "lagging": ["1"]}
    assert links["Còn thiếu so với dự kiến"] == {**base, "sort": ["gap"]}  # the other way
    assert links["Hoàn thành"] == {**base, "sort": ["completion"]}  # worst first
    assert links["Chậm"] == {**base, "sort": ["-lag"]}
    assert links["Đơn vị"] == {**base, "sort": ["name"]}


@time_machine.travel(TODAY, tick=False)
def test_child_and_breadcrumb_links_keep_year_period_kind_and_order(client, cast, tree, units):
    client.force_login(cast.leader_p)
    params = {"year": "2026", "period": "h1", "kind": "inspection_compliance", "sort": "-lag"}
    response = dashboard(client, tree.a, **params)
    kept = {name: [value] for name, value in params.items()}
    for line in response.context["child_lines"]:
        assert query_of(line["url"]) == kept
    body = response.content.decode()
    nav = body.split('<nav class="breadcrumb"')[1].split("</nav>")[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert len(hrefs) == 1  # the province above A (leader_p's outermost unit)
    assert urlsplit(unescape(hrefs[0])).path == reverse(
        "reports:dashboard", args=[tree.province.pk]
    )
    assert query_of(hrefs[0]) == kept
    assert breadcrumb_of(body) == [tree.province.name, tree.a.name]
    # The filter form keeps the order when the year, period or kind changes.
    assert '<input type="hidden" name="sort" value="-lag">' in body


@time_machine.travel(TODAY, tick=False)
def test_an_htmx_filter_change_refreshes_the_breadcrumb_links_too(client, cast, tree, units):
    client.force_login(cast.leader_p)
    response = client.get(
        reverse("reports:dashboard", args=[tree.a.pk]),
        {"year": "2026", "period": "year", "kind": "denunciation"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    nav = body.split('<nav class="breadcrumb"')[1].split("</nav>")[0]
    assert 'hx-swap-oob="true"' in nav and "kind=denunciation" in nav


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "params", [{"sort": "-gap", "lagging": "1"}, {"sort": "name"}, {"sort": "lag", "period": "h1"}]
)
def test_sorting_and_filtering_add_no_query(client, cast, tree, units, params):
    client.force_login(cast.leader_p)
    found = {}
    for unit in (tree.province, tree.a, units.gamma):
        with CaptureQueriesContext(connection) as ctx:
            dashboard(client, unit, **params)
        found[unit.name] = len(ctx.captured_queries)
    assert set(found.values()) == {PAGE_QUERIES + ROLES_QUERY}, found


def lagging_names(body: str) -> list[str]:
    table = body.split('class="grid lagging-table"')[1].split("</table>")[0]
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip()
        for cell in re.findall(r'<th scope="row">(.*?)</th>', table, flags=re.S)
    ]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("period", ["year", "h1"])  # live rows; computed on demand
def test_the_lagging_list_names_each_unit_with_its_parent(
    client, cast, tree, period, rollup_engine
):
    prog = programme(tree.province)
    for parent, code in ((tree.a1, "A1-T3"), (tree.b, "B-T3")):
        cell = OrganizationFactory(parent=parent, code=code, name="Chi bộ Tổ 3", level="cell")
        target(prog, cell, quantity=8)
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.province, period=period)
    shown = lagging_names(response.content.decode())
    assert "Chi bộ Tổ 3 — Đảng bộ cơ sở A1" in shown
    assert "Chi bộ Tổ 3 — Đảng ủy xã B" in shown


@time_machine.travel(TODAY, tick=False)
def test_children_with_the_same_name_show_their_codes(client, cast, tree):
    for code in ("B-T3a", "B-T3b"):
        OrganizationFactory(parent=tree.b, code=code, name="Chi bộ Tổ 3", level="cell")
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.b)
    lines = response.context["child_lines"]
    assert sorted(line["code"] for line in lines) == ["", "B-T3a", "B-T3b"]
    body = response.content.decode()
    assert 'Chi bộ Tổ 3</a> <span class="muted">(B-T3a)</span>' in body


def listed_cases(client, url: str) -> set[int]:
    response = client.get(unescape(url))
    assert response.status_code == 200
    return {found["pk"] for found in response.context["cases"]}


@time_machine.travel(TODAY, tick=False)
def test_a_row_reaches_the_units_cases_and_the_cases_behind_its_figures(client, cast, tree, units):
    prog = programme(tree.province, body="inspection_commission")
    g1 = units.gamma_cells[0]
    arising = case(g1, kind="supervision_thematic")  # no target: arising
    other_year = case(g1, target=None)
    other_year.year = 2025
    other_year.save(update_fields=["year"])
    unconcluded = case(
        g1, target=target(prog, g1, quantity=1, kind="denunciation"), concluded=False
    )
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response = dashboard(client, tree.province)
    line = next(li for li in response.context["child_lines"] if li["name"] == "Đảng ủy Gamma")
    gamma_cases = set(
        Organization.objects.get(pk=g1.pk).cases.filter(year=2026).values_list("pk", flat=True)
    )
    assert listed_cases(client, line["cases_url"]) == gamma_cases
    assert {arising.pk, unconcluded.pk} <= gamma_cases and other_year.pk not in gamma_cases
    # "1/10" (1/11 with the denunciation) links to the one concluded case that counts.
    counted = listed_cases(client, line["done_url"])
    assert counted == {g1.cases.get(target__kind="inspection_compliance").pk}
    assert line["capped_done"] == str(len(counted))
    # The arising count links to the arising case.
    assert line["arising"] == "1"
    assert listed_cases(client, line["arising_url"]) == {arising.pk}
    body = response.content.decode()
    assert f'href="{line["arising_url"].replace("&", "&amp;")}">1</a>' in body
    # The unit's own cards link the same way: its arising cases, its done ones.
    assert listed_cases(client, response.context["organization_arising_url"]) == {arising.pk}
    done_here = listed_cases(client, response.context["organization_done_url"])
    assert len(done_here) == response.context["data"].unit.capped_done == 7  # 2 + 4 + 1
    assert (
        f'<a href="{response.context["organization_arising_url"].replace("&", "&amp;")}">1</a>'
        in body
    )
    # The lagging count opens the child's own list of lagging units.
    assert line["lagging_url"].endswith("#lagging")
    child = client.get(line["lagging_url"].split("#")[0])
    assert [u.organization.pk for u in child.context["data"].lagging] == [
        g.pk for g in units.gamma_cells
    ]


@time_machine.travel(TODAY, tick=False)
def test_a_row_reaches_the_units_targets_and_each_target_its_cases(client, cast, tree, units):
    client.force_login(cast.leader_p)
    response = dashboard(client, units.gamma)
    line = next(li for li in response.context["child_lines"] if li["name"] == "Chi bộ Gamma 1")
    page = client.get(unescape(line["targets_url"]))
    assert page.status_code == 200
    rows = page.context["lines"]
    assert [(r["row"].target.quantity, r["row"].done) for r in rows] == [(6, 1)]
    body = page.content.decode()
    assert "1/6" in body and "16,67%" in body
    assert "<caption" in body and 'scope="col"' in body
    assert listed_cases(client, rows[0]["cases_url"]) == {
        c.pk for c in units.gamma_cells[0].cases.all()
    }
    nav = body.split('<nav class="breadcrumb"')[1].split("</nav>")[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs and all(
        query_of(h) == {"year": ["2026"], "period": ["year"], "kind": [""]} for h in hrefs
    )
    # A unit with units below has no own target here: said so, with the way down.
    page = client.get(unescape(response.context["organization_targets_url"]))
    assert page.status_code == 200 and page.context["lines"] == []
    assert "Đơn vị không có chỉ tiêu nào có hiệu lực vào ngày này." in page.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_targets_page_is_scoped_like_the_dashboard(client, cast, tree, units):
    client.force_login(cast.leader_b)
    url = reverse("reports:unit_targets", args=[units.gamma.pk])
    assert client.get(url, {"year": 2026}).status_code == 404
    assert client.get(reverse("reports:unit_targets", args=[tree.b1.pk])).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_the_case_list_filters_by_target_lineage_and_refuses_a_bad_id(client, cast, tree, units):
    client.force_login(cast.admin)
    t_a1 = tree.a1.targets.get()
    linked = set(t_a1.cases.values_list("pk", flat=True))
    assert len(linked) == 2
    url = reverse("cases:list")
    assert listed_cases(client, f"{url}?target={t_a1.pk}") == linked
    for bad in ("99999999999999999999", "1.5", "-3"):
        response = client.get(url, {"target": bad})
        assert response.status_code == 200
        assert list(response.context["cases"]) == []
