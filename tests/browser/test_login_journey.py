"""A leader signs in, walks the tree with htmx, opens a unit and signs out, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def test_a_leader_signs_in_walks_the_tree_and_signs_out(live_server, cast, tree, page, screenshot):
    page.goto(live_server.url + "/")

    # Anonymous: sent to the login page, in Vietnamese although the browser is English.
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    page.get_by_label("Tên đăng nhập").fill("leader_p")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # The leader holds one role, on the province: home goes straight to it.
    expect(page).to_have_url(live_server.url + tree.province.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh ủy Thử Nghiệm")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    children = page.locator("#children")
    expect(children.get_by_role("link", name="Đảng ủy Khối A", exact=True)).to_be_visible()
    expect(children.get_by_role("link", name="Đảng bộ cơ sở A1")).to_have_count(0)

    # Expand A in place: htmx fetches its children into the node, no page load.
    node_a = children.locator("li.node").filter(
        has=page.get_by_role("link", name="Đảng ủy Khối A", exact=True)
    )
    with page.expect_response(re.compile(rf"/organizations/{tree.a.pk}/children/")) as fetched:
        node_a.get_by_role("button", name="Mở rộng").first.click()
    assert fetched.value.status == 200
    expect(node_a.get_by_role("link", name="Đảng bộ cơ sở A1")).to_be_visible()
    expect(node_a.get_by_role("link", name="Chi bộ cơ sở A2")).to_be_visible()
    expect(page).to_have_url(live_server.url + tree.province.get_absolute_url())
    screenshot("login_journey_tree_expanded")

    # Open a grandchild's page: the breadcrumb leads back up to the province.
    node_a.get_by_role("link", name="Đảng bộ cơ sở A1").click()
    expect(page).to_have_url(live_server.url + tree.a1.get_absolute_url())
    breadcrumb = page.get_by_role("navigation", name="Đường dẫn")
    expect(breadcrumb).to_have_text(
        re.compile(r"Tỉnh ủy Thử Nghiệm\s*›\s*Đảng ủy Khối A\s*›\s*Đảng bộ cơ sở A1")
    )
    expect(breadcrumb.get_by_role("link", name="Tỉnh ủy Thử Nghiệm")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("120")  # member count
    screenshot("login_journey_unit")

    # Sign out (a POST form), then the site asks to sign in again.
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.goto(live_server.url + tree.a1.get_absolute_url())
    expect(page).to_have_url(re.compile(r"/login/\?next="))

    # htmx and our pages run under the strict CSP without tripping it.
    csp = [m for m in page.console_log if "Content Security Policy" in m]
    assert csp == []
    assert page.console_log.errors() == []
    assert page.failed_responses == []
