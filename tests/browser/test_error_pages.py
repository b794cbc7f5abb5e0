"""A page that does not exist, as a person meets it in Chromium: the site's own 404, in
the person's language, with the site's menu and a way on; never a debug page."""

import pytest
from playwright.sync_api import expect

from ktgs.models import User

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_missing_page_is_the_sites_404_in_vietnamese(live_server, cast, page, screenshot):
    sign_in(page, live_server, "leader_p")
    response = page.goto(live_server.url + "/khong-co-trang-nay/")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_role("link", name="Về trang chủ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh ủy Thử Nghiệm")
    page.go_back()
    screenshot("error_404_vi")


def test_the_404_follows_the_language_the_user_chose(live_server, cast, page):
    User.objects.filter(pk=cast.leader_p.pk).update(language="en")
    sign_in(page, live_server, "leader_p")
    response = page.goto(live_server.url + "/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
