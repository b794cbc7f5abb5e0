"""A one-way step confirmed and undone in Chromium: staff cancel a case through its
confirmation page (which says what will follow), then an administrator of the unit
reopens it with a reason, and both reasons show in the case's history."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from ktgs import services as ktgs_services
from ktgs.models import Role
from tests.cases.factories import advance, record
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_cancel_through_the_confirmation_then_reopen_as_the_units_admin(
    live_server, cast, tree, page, screenshot
):
    admin = UserFactory(username="admin_a")
    ktgs_services.grant_role(user=admin, organization=tree.a, kind=Role.Kind.ADMIN)
    case = advance(cast.staff_a, record(cast.staff_a, tree.a1), Case.Status.DECIDED)
    detail = live_server.url + case.get_absolute_url()

    # Staff cancel: the button leads to the confirmation, which says what will follow.
    log_in(page, live_server, "staff_a")
    page.goto(detail)
    page.get_by_role("button", name="Chuyển sang “Đã hủy”").click()
    expect(page.get_by_role("heading", name="Hủy cuộc kiểm tra, giám sát này?")).to_be_visible()
    expect(page.locator(".what-follows")).to_contain_text(
        "Cuộc này sẽ không còn được tính vào chỉ tiêu."
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.DECIDED  # nothing done yet
    page.get_by_label("Lý do (không bắt buộc)").fill("Đơn vị đề nghị hoãn")
    screenshot("confirm_undo_cancel_confirmation")
    page.get_by_role("button", name="Hủy cuộc kiểm tra, giám sát").click()
    expect(page).to_have_url(detail)
    expect(page.locator(".status").first).to_have_text("Đã hủy")
    # Staff do not reopen: only the unit's administrator is offered it.
    expect(page.get_by_role("link", name="Mở lại cuộc đã hủy")).to_have_count(0)

    # The unit's administrator reopens it, with a reason and the confirmation step.
    log_in(page, live_server, "admin_a")
    page.goto(detail)
    page.get_by_role("link", name="Mở lại cuộc đã hủy").click()
    expect(
        page.get_by_role("heading", name="Mở lại cuộc kiểm tra, giám sát đã hủy?")
    ).to_be_visible()
    expect(page.locator(".what-follows")).to_contain_text(
        "Cuộc trở lại trạng thái “Đã có quyết định” như trước khi hủy."
    )
    page.get_by_label("Lý do mở lại").fill("Hủy nhầm: đơn vị đã rút đề nghị hoãn")
    page.get_by_role("button", name="Mở lại cuộc").click()
    # Not confirmed yet: said on the page, the reason kept.
    expect(page.locator(".errorlist")).to_contain_text(
        "Hãy đánh dấu “Tôi xác nhận” để thực hiện bước này."
    )
    expect(page.get_by_label("Lý do mở lại")).to_have_value("Hủy nhầm: đơn vị đã rút đề nghị hoãn")
    page.get_by_label("Tôi xác nhận").check()
    screenshot("confirm_undo_reopen_confirmation")
    page.get_by_role("button", name="Mở lại cuộc").click()
    expect(page).to_have_url(detail)
    expect(page.locator(".status").first).to_have_text("Đã có quyết định")

    history = page.locator("#history")
    expect(history).to_contain_text("Lý do: Hủy nhầm: đơn vị đã rút đề nghị hoãn")
    expect(history).to_contain_text("Lý do: Đơn vị đề nghị hoãn")
    expect(history).to_contain_text("Đã hủy → Đã có quyết định")
    screenshot("confirm_undo_history")
    assert Case.objects.get(pk=case.pk).status == Case.Status.DECIDED
    assert page.console_log.errors() == []
    assert page.failed_responses == []
