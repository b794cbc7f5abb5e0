"""Search as people type, in Chromium: "tai chinh" typed without diacritics in the unit
search finds "Đảng bộ Sở Tài chính" while typing (htmx, no page load); a case is found in
the case list by a member's name without diacritics."""

import re

import pytest
from playwright.sync_api import expect

from ktgs.models import Organization
from tests.cases.factories import record
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_typing_tai_chinh_finds_the_unit(live_server, cast, tree, page, screenshot):
    OrganizationFactory(
        parent=tree.province,
        code="KCQ",
        name="Đảng ủy Khối Các cơ quan",
        level=Organization.Level.UPPER_GRASSROOTS,
    )
    finance = OrganizationFactory(
        parent=Organization.objects.get(code="KCQ"),
        code="KCQ.06",
        name="Đảng bộ Sở Tài chính",
        level=Organization.Level.GRASSROOTS,
    )
    sign_in(page, live_server, "leader_p")
    page.goto(live_server.url + "/organizations/search/")
    box = page.locator("main").get_by_role("searchbox")
    with page.expect_response(re.compile(r"/organizations/search/\?q=tai(\+|%20)chinh$")) as answer:
        box.press_sequentially("tai chinh", delay=30)
    assert answer.value.status == 200
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Đảng bộ Sở Tài chính")).to_be_visible()
    expect(results.get_by_role("link")).to_have_count(1)
    expect(page).to_have_url(live_server.url + "/organizations/search/")
    screenshot("search_unit_tai_chinh")

    # A fragment of the code finds the unit too; the link opens its page.
    box.fill("")
    with page.expect_response(re.compile(r"/organizations/search/\?q=KCQ\.06")):
        box.press_sequentially("KCQ.06", delay=30)
    expect(results.get_by_role("link", name="Đảng bộ Sở Tài chính")).to_be_visible()
    results.get_by_role("link", name="Đảng bộ Sở Tài chính").click()
    expect(page).to_have_url(live_server.url + finance.get_absolute_url())


def test_the_case_list_finds_a_member_without_diacritics(live_server, cast, tree, page):
    record(
        cast.staff_a,
        tree.a1,
        title="Kiểm tra đảng viên khi có dấu hiệu vi phạm",
        subjects=[{"kind": "member", "member_name": "Nguyễn Thị Hồng Nhung"}],
    )
    record(cast.staff_a, tree.a2, title="Giám sát chuyên đề")
    sign_in(page, live_server, "leader_p")
    page.goto(live_server.url + "/cases/")
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("searchbox", name="Tìm", exact=True).fill("hong nhung")
    page.get_by_role("button", name="Lọc").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kiểm tra đảng viên khi có dấu hiệu vi phạm")
    # The export link carries the search.
    export = page.get_by_role("link", name="Tải danh sách (Excel)")
    expect(export).to_have_attribute("href", re.compile(r"q=hong\+nhung.*export=xlsx"))
