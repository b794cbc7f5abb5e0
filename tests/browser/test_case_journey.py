"""Staff record a case on one screen in Chromium: subjects added with the button (a cloned
empty form), a unit picked from the htmx autocomplete, all under the strict CSP."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.cases.factories import YEAR, make_programme, make_target

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def test_staff_record_a_case_with_two_subjects(live_server, cast, tree, page, screenshot):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill("staff_a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(f"{live_server.url}/cases/new/?organization={tree.a1.pk}")
    expect(page.locator(".unit-picked").first).to_have_text(
        "Đã chọn: Đảng bộ cơ sở A1 · TN-A1 — Đảng ủy Khối A"
    )
    page.get_by_label("Nội dung").fill("Kiểm tra việc chấp hành quy chế làm việc")
    page.get_by_label("Năm").fill("2025")
    page.get_by_label("Số quyết định").fill("31-QĐ/ĐUK")
    page.get_by_label("Ngày quyết định").fill("03/03/2025")
    page.get_by_label("Bắt đầu làm việc").fill("10/03/2025")
    page.get_by_label("Kết thúc làm việc").fill("21/03/2025")

    # First subject: a unit, found by the autocomplete and picked.
    page.get_by_role("button", name="Thêm đối tượng").click()
    page.locator("[name='subjects-0-kind']").select_option("organization")
    row = page.locator(".subject-row").nth(0)
    with page.expect_response(re.compile(r"/cases/units/search/")):
        row.locator(".unit-query").fill("A1a")
    row.get_by_role("option", name="Chi bộ A1a").click()
    expect(row.locator(".unit-picked")).to_have_text(
        "Đã chọn: Chi bộ A1a · TN-A1a — Đảng bộ cơ sở A1"
    )
    expect(row.locator(".subject-member")).to_be_hidden()

    # Second subject: a member, by name and position only.
    page.get_by_role("button", name="Thêm đối tượng").click()
    page.locator("[name='subjects-1-kind']").select_option("member")
    page.locator("[name='subjects-1-member_name']").fill("Ngô Văn Thử")
    page.locator("[name='subjects-1-member_position']").fill("Bí thư chi bộ")
    page.locator("[name='subjects-1-is_committee_member']").check()
    # A third row added and left blank is ignored.
    page.get_by_role("button", name="Thêm đối tượng").click()
    screenshot("case_journey_form")

    page.get_by_role("button", name="Lưu", exact=True).click()
    case = Case.objects.get()
    expect(page).to_have_url(live_server.url + case.get_absolute_url())
    subjects = page.locator("table.subjects")
    expect(subjects).to_contain_text("Chi bộ A1a")
    expect(subjects).to_contain_text("Ngô Văn Thử (Bí thư chi bộ)")
    # Saved with its decision number and date: decided at once, no status click needed.
    expect(page.locator(".status").first).to_have_text("Đã có quyết định")
    expect(page.get_by_role("button", name="Chuyển sang “Đang tiến hành”")).to_be_visible()
    screenshot("case_journey_detail")

    # Move it on with the button offered, through its confirmation.
    page.get_by_role("button", name="Chuyển sang “Đang tiến hành”").click()
    expect(
        page.get_by_role("heading", name="Chuyển cuộc này sang “Đang tiến hành”?")
    ).to_be_visible()
    page.get_by_role("button", name="Chuyển sang “Đang tiến hành”").click()
    expect(page.get_by_role("link", name="Nhập kết luận")).to_be_visible()
    assert page.console_log.errors() == []  # no CSP violation, no script error
    assert page.failed_responses == []


def settled(page):
    """htmx attaches the triggers of swapped-in content when it settles (20 ms after the
    swap): a test faster than a person waits for it before the next change."""
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)


def test_the_target_list_follows_the_unit_and_kind_picked(live_server, cast, tree, page):
    programme = make_programme(tree.a1)
    make_target(tree.a1, programme=programme, due_on=date(YEAR, 9, 30))
    first = make_target(
        tree.a1, programme=programme, due_on=date(YEAR, 6, 30), subject_text="Quy chế làm việc"
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill("staff_a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(f"{live_server.url}/cases/new/")
    targets = page.locator("#case-targets")
    with page.expect_response(re.compile(r"/cases/targets/")):
        page.get_by_label("Năm").fill(str(YEAR))
        page.get_by_label("Năm").blur()
    expect(targets).to_contain_text("Không có chỉ tiêu nào còn mở")
    settled(page)
    with page.expect_response(re.compile(r"/cases/units/search/")):
        page.locator(".unit-picker").first.locator(".unit-query").fill("A1")
    with page.expect_response(re.compile(r"/cases/targets/")):
        page.get_by_role("option", name=re.compile(r"^Đảng bộ cơ sở A1 ·")).click()
    expect(targets).to_contain_text(f"Quy chế làm việc — còn thiếu 1 cuộc, hạn 30/06/{YEAR}")
    # The select starts on the committee: the commission's targets are listed, marked with
    # their body, never proposed; checking one shows the confirmation.
    expect(targets.get_by_label("Phát sinh (ngoài chương trình)")).to_be_checked()
    confirmation = targets.get_by_label(re.compile("Xác nhận cuộc này thực hiện chỉ tiêu"))
    expect(confirmation).to_be_hidden()
    targets.get_by_label(re.compile("Quy chế làm việc")).check()
    expect(confirmation).to_be_visible()
    settled(page)
    with page.expect_response(re.compile(r"/cases/targets/")):
        page.get_by_label("Chủ thể", exact=True).select_option("inspection_commission")
    expect(targets.get_by_label(re.compile("Quy chế làm việc"))).to_be_checked()
    expect(confirmation).to_have_count(0)
    settled(page)
    with page.expect_response(re.compile(r"/cases/targets/")):
        page.get_by_label("Loại").select_option("supervision_thematic")
    expect(targets.get_by_label("Phát sinh (ngoài chương trình)")).to_be_checked()
    settled(page)
    with page.expect_response(re.compile(r"/cases/targets/")):
        page.get_by_label("Loại").select_option("inspection_compliance")
    expect(targets.get_by_label(re.compile("Quy chế làm việc"))).to_be_checked()
    page.get_by_label("Nội dung").fill("Kiểm tra việc chấp hành quy chế làm việc")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    assert Case.objects.get().target == first
    assert page.console_log.errors() == []
