"""The dashboard's trend chart draws in Chromium under the strict CSP (Chart.js and
trend.js from files, the data from a json_script block), and again after an htmx swap."""

from datetime import date

import pytest
import time_machine
from playwright.sync_api import expect

from reports import engine
from reports.engine import periods
from tests.reports.test_rollup import case, programme, target

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory
TODAY = date(2026, 7, 2)
DRAWN = "() => window.Chart && Chart.getChart(document.querySelector('canvas.trend-chart'))"
NEW_CANVAS_DRAWN = (
    "() => { const c = document.querySelector('canvas.trend-chart');"
    " return window.Chart && c && !c.dataset.old && Chart.getChart(c); }"
)


@pytest.fixture
def trend_points(tree):
    periods.ensure_periods(2026)  # a live-server test starts from flushed tables
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10)
    case(tree.a1, target=t_a1, concluded_on=date(2026, 3, 10))
    for day in (date(2026, 3, 1), date(2026, 4, 1), TODAY):
        engine.rebuild(day)
        periods.take_daily_snapshot(day)


def chart_datasets(page) -> list:
    return page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector("canvas.trend-chart"));
            return chart ? chart.data.datasets.map(d => [d.label, d.data.length]) : null;
        }"""
    )


def test_the_trend_chart_draws_and_redraws_after_a_filter_change(
    live_server, cast, tree, trend_points, page, screenshot
):
    with time_machine.travel(TODAY, tick=True):
        page.goto(live_server.url + "/login/")
        page.get_by_label("Tên đăng nhập").fill("leader_p")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.goto(f"{live_server.url}/progress/{tree.province.pk}/?year=2026")

        canvas = page.locator("canvas.trend-chart")
        expect(canvas).to_be_visible()
        page.wait_for_function(DRAWN)
        assert chart_datasets(page) == [["Hoàn thành", 3], ["Dự kiến", 3]]
        assert canvas.bounding_box()["height"] > 50
        screenshot("dashboard_trend_chart")

        # htmx swaps the body when a filter changes; trend.js draws the new canvas. The
        # old canvas is marked so that the wait cannot end on it before the swap.
        page.evaluate("() => { document.querySelector('canvas.trend-chart').dataset.old = '1'; }")
        with page.expect_response(lambda r: "kind=" in r.url):
            page.get_by_label("Loại").select_option("supervision_thematic")
        page.wait_for_function(NEW_CANVAS_DRAWN)
        assert chart_datasets(page) == [["Hoàn thành", 3], ["Dự kiến", 3]]

        assert page.console_log.errors() == []  # a CSP violation would show here
        assert page.failed_responses == []
