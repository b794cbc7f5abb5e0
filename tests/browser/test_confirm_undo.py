"""A one-way step confirmed and undone in Chromium: staff cancel a case through its
confirmation page (which says what will follow), then an administrator of the unit
reopens it with a reason, and both reasons show in the case's history. Warnings (a
conclusion dated in the future, a discipline outside the deciding body's authority) are
shown after the save attempt and saved only when the user says so."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, DisciplineDecision
from ktgs import services as ktgs_services
from ktgs.models import Role
from plans.models import Body
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


def test_warnings_are_shown_after_the_save_attempt_and_saved_anyway(
    live_server, cast, tree, page, screenshot
):
    today = timezone.localdate()
    case = record(
        cast.staff_a,
        tree.a1a,
        body=Body.CELL,
        year=today.year,
        decided_on=today - datetime.timedelta(days=20),
        work_starts_on=today - datetime.timedelta(days=10),
        work_ends_on=today - datetime.timedelta(days=5),
        subjects=[
            {"kind": "member", "member_name": "Phạm Văn Mẫu", "member_position": "Đảng viên"}
        ],
    )
    case = advance(cast.staff_a, case, Case.Status.DECIDED, Case.Status.IN_PROGRESS)
    later = (today + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    log_in(page, live_server, "staff_a")

    # A conclusion dated in the future: warned after the first save, saved anyway.
    page.goto(live_server.url + case.get_absolute_url())
    page.get_by_role("link", name="Nhập kết luận").click()
    page.get_by_label("Ngày thông báo kết luận").fill(later)
    page.get_by_label("Tôi xác nhận").check()
    page.get_by_role("button", name="Lưu kết luận").click()
    warnings = page.locator(".warnings")
    expect(warnings).to_contain_text(f"Ngày thông báo kết luận {later} là một ngày trong tương lai")
    expect(page.get_by_label("Ngày thông báo kết luận")).to_have_value(later)
    screenshot("confirm_undo_conclusion_warning")
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    page.get_by_label("Tôi đã xem các cảnh báo và vẫn lưu").check()
    page.get_by_role("button", name="Lưu kết luận").click()
    expect(page.locator(".status").first).to_have_text("Đã kết luận")

    # An expulsion decided by the cell: outside its authority, warned, saved anyway.
    page.locator("table.subjects").get_by_role("link", name="Thi hành kỷ luật").click()
    page.get_by_label("Hình thức").select_option("expulsion")
    page.get_by_label("Số quyết định").fill("7-QĐ/CB")
    page.get_by_label("Ngày quyết định").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Đơn vị quyết định").select_option(str(tree.a1a.pk))
    page.get_by_label("Cơ quan quyết định").select_option("cell")
    page.get_by_label("Tôi xác nhận").check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".warnings")).to_contain_text(
        "Chi bộ chỉ quyết định khiển trách, cảnh cáo đảng viên"
    )
    screenshot("confirm_undo_discipline_warning")
    assert not DisciplineDecision.objects.exists()
    page.get_by_label("Tôi đã xem các cảnh báo và vẫn lưu").check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("table.subjects")).to_contain_text("Khai trừ — 7-QĐ/CB")
    assert DisciplineDecision.objects.get().form == "expulsion"
    assert page.console_log.errors() == []
