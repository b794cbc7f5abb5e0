"""The leader's question in Chromium: "which of my units are behind?" — the children
sorted by completion put the worst unit first, and one click on its row opens its
cases."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports import engine
from reports.engine import periods
from tests.browser.test_progress_journey import sign_in
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target

pytestmark = [pytest.mark.browser]


@pytest.fixture
def behind(tree):
    """The province's children: A 3/4 (75%), Gamma 4/5 (80%), B 0/10 (0%: the worst and
    the only one lagging, one case under way)."""
    today = timezone.localdate()
    periods.ensure_periods(today.year)  # live-server tests start from flushed tables
    prog = programme(tree.province, year=today.year)
    due = today.replace(month=12, day=31)
    t_a1 = target(prog, tree.a1, quantity=4, due_on=due)
    for _ in range(3):
        case(tree.a1, target=t_a1, concluded_on=today)
    gamma = OrganizationFactory(
        parent=tree.province, code="TN-GA", name="Đảng ủy Gamma", level="grassroots"
    )
    t_gamma = target(prog, gamma, quantity=5, due_on=due)
    for _ in range(4):
        case(gamma, target=t_gamma, concluded_on=today)
    under_way = case(
        tree.b1, target=target(prog, tree.b1, quantity=10, due_on=due), concluded=False
    )
    under_way.title = "Kiểm tra việc thực hiện quy chế làm việc của Chi bộ B1"
    under_way.year = today.year
    under_way.save(update_fields=["title", "year"])
    engine.rebuild(today)
    return under_way


def first_column(page) -> list[str]:
    rows = page.locator("table.progress-table tbody tr th > a")
    return [text.strip() for text in rows.all_inner_texts()]


def test_leader_sorts_by_completion_and_opens_the_worst_units_cases(
    live_server, cast, tree, behind, page, screenshot
):
    sign_in(page, live_server, "leader_p")
    page.goto(live_server.url + f"/progress/{tree.province.pk}/?sort=name")
    table = page.locator("table.progress-table")
    name_header = table.get_by_role("columnheader", name="Đơn vị", exact=True)
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    by_name = first_column(page)
    assert by_name.index("Đảng ủy xã B") > 0  # buried when alphabetical

    table.get_by_role("link", name="Hoàn thành", exact=True).click()
    completion_header = table.get_by_role("columnheader", name="Hoàn thành", exact=True)
    expect(completion_header).to_have_attribute("aria-sort", "ascending")
    expect(name_header).not_to_have_attribute("aria-sort", "ascending")
    assert first_column(page) == ["Đảng ủy xã B", "Đảng ủy Khối A", "Đảng ủy Gamma"]
    worst = table.locator("tbody tr").first
    expect(worst).to_contain_text("0/10")
    expect(worst).to_contain_text("0%")
    screenshot("dashboard_sorted_by_completion")

    # The other way round: the best first.
    table.get_by_role("link", name="Hoàn thành", exact=True).click()
    expect(completion_header).to_have_attribute("aria-sort", "descending")
    assert first_column(page)[0] == "Đảng ủy Gamma"
    table.get_by_role("link", name="Hoàn thành", exact=True).click()

    # Only the lagging ones, the order kept.
    page.get_by_label("Chỉ đơn vị chậm").check()
    expect(page).to_have_url(re.compile(r"lagging=1"))
    expect(table.locator("tbody tr")).to_have_count(1)
    assert first_column(page) == ["Đảng ủy xã B"]
    screenshot("dashboard_only_lagging")

    table.locator("tbody tr").first.get_by_role("link", name="cuộc", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Đảng ủy xã B")
    cases = page.locator("table.cases tbody tr")
    expect(cases).to_have_count(1)
    expect(cases.first).to_contain_text(behind.title)
    screenshot("dashboard_worst_unit_cases")
    assert page.console_log.errors() == []
    assert page.failed_responses == []


def test_leader_goes_from_a_row_to_the_units_targets_then_to_a_targets_cases(
    live_server, cast, tree, behind, page, screenshot
):
    arising = case(tree.b1, kind="supervision_thematic", concluded_on=timezone.localdate())
    sign_in(page, live_server, "leader_p")
    page.goto(live_server.url + f"/progress/{tree.a.pk}/")
    row = page.locator("table.progress-table tbody tr", has_text="Đảng bộ cơ sở A1")
    row.get_by_role("link", name="chỉ tiêu", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Chỉ tiêu giao cho đơn vị — Đảng bộ cơ sở A1")
    targets = page.locator("table.unit-targets tbody tr")
    expect(targets).to_have_count(1)
    expect(targets.first).to_contain_text("75%")
    screenshot("unit_targets")

    targets.first.get_by_role("link", name="3/4").click()
    expect(page.locator("h1")).to_contain_text("Cuộc kiểm tra, giám sát")
    expect(page.locator("table.cases tbody tr")).to_have_count(3)
    expect(page.locator(".total-cases")).to_have_text("3")

    # An arising case of B1 says why no target took it.
    page.goto(live_server.url + f"/cases/{arising.pk}/")
    explanation = page.locator("section.arising-explanation")
    expect(explanation).to_contain_text("Vì sao cuộc này là phát sinh")
    expect(explanation).to_contain_text("khác loại của cuộc này")
    screenshot("case_arising_explanation")
    assert page.console_log.errors() == []
    assert page.failed_responses == []
