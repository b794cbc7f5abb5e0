"""The interactive API documentation renders in Chromium from our own static files,
under the strict CSP (no CDN, no inline script)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def test_swagger_ui_lists_the_endpoints(live_server, cast, page, screenshot):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill("staff_a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/cases/")
    screenshot("api_docs")
    csp = [m for m in page.console_log if "Content Security Policy" in m]
    assert csp == []
    assert page.failed_responses == []
