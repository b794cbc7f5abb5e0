"""The journeys of issue 4 in Chromium: a leader follows the figures down the tree and takes
the period report as Excel; staff record and conclude a case and, once the refresh task has
run on a real Celery worker, the leader's dashboard shows it."""

import io
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports import engine
from reports.engine import periods
from reports.models import ProgressRow
from tests.reports.test_rollup import case, programme, target

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture
def this_year(tree):
    today = timezone.localdate()
    periods.ensure_periods(today.year)  # live-server tests start from flushed tables
    prog = programme(tree.province, year=today.year)
    a1 = target(prog, tree.a1, quantity=3, due_on=today.replace(month=12, day=31))
    target(prog, tree.b1, quantity=10, due_on=today.replace(month=12, day=31))
    case(tree.a1, target=a1, concluded_on=today)
    engine.rebuild(today)
    return today


def test_leader_drills_down_switches_period_and_downloads_the_excel_report(
    live_server, cast, tree, this_year, page, screenshot
):
    sign_in(page, live_server, "leader_p")
    page.goto(live_server.url + "/progress/")
    expect(page.locator("h1")).to_contain_text("Tỉnh ủy Thử Nghiệm")
    expect(page.locator(".cards:not(.records-cards)")).to_contain_text("1/13")
    screenshot("dashboard_province")

    children = page.locator("table.progress-table")
    children.get_by_role("link", name="Đảng ủy Khối A").click()
    expect(page.locator("h1")).to_contain_text("Đảng ủy Khối A")
    children.get_by_role("link", name="Đảng bộ cơ sở A1").click()
    expect(page.locator("h1")).to_contain_text("Đảng bộ cơ sở A1")
    expect(page.locator(".cards:not(.records-cards)")).to_contain_text("1/3")
    expect(page.locator(".breadcrumb")).to_contain_text("Đảng ủy Khối A")

    with page.expect_response(lambda r: "period=year" in r.url):
        page.get_by_label("Kỳ báo cáo").select_option("year")
    expect(page).to_have_url(re.compile(r"period=year"))
    page.get_by_role("link", name="Báo cáo kỳ").click()
    expect(page.locator("h1")).to_contain_text("Báo cáo kết quả kiểm tra, giám sát")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel").click()
    content = download_info.value.path().read_bytes()
    # One sheet per section: the figures are read from all of them.
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert any("Đảng bộ cơ sở A1" in str(c) for c in cells)
    assert 3 in cells  # the target, as a number
    assert page.console_log.errors() == []
    assert page.failed_responses == []


def test_a_concluded_case_reaches_the_dashboard_through_the_refresh_task(
    live_server,
    cast,
    tree,
    this_year,
    page,
    browser,
    celery_worker_process,
):
    today = this_year.strftime("%d/%m/%Y")
    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/cases/new/?organization={tree.a1.pk}")
    page.get_by_label("Nội dung").fill("Kiểm tra việc chấp hành quy chế làm việc")
    page.get_by_label("Năm").fill(str(this_year.year))
    page.get_by_label("Số quyết định").fill("41-QĐ/ĐUK")
    page.get_by_label("Ngày quyết định").fill(today)
    page.get_by_label("Bắt đầu làm việc").fill(today)
    page.get_by_label("Kết thúc làm việc").fill(today)
    page.get_by_role("button", name="Lưu", exact=True).click()
    # Saved with its decision: decided at once; each further step is confirmed.
    page.get_by_role("button", name="Chuyển sang “Đang tiến hành”").click()
    page.get_by_role("button", name="Chuyển sang “Đang tiến hành”").click()
    page.get_by_role("link", name="Nhập kết luận").click()
    page.get_by_label("Ngày thông báo kết luận").fill(today)
    page.get_by_label("Tôi xác nhận").check()
    page.get_by_role("button", name="Lưu kết luận").click()
    expect(page.locator("body")).to_contain_text("Đã kết luận")

    # The service enqueued reports.tasks.refresh_progress on commit; the worker runs it.
    celery_worker_process.wait_for(
        lambda: ProgressRow.objects.filter(
            organization=tree.province, year=this_year.year, kind="", body="", sub_capped_done=2
        ).exists(),
        timeout=30,
        what="the refresh task to count the new case",
    )

    leader = browser.new_context(locale="en-US").new_page()
    sign_in(leader, live_server, "leader_p")
    leader.goto(f"{live_server.url}/progress/{tree.province.pk}/")
    expect(leader.locator(".cards:not(.records-cards)")).to_contain_text("2/13")
    leader.context.close()
