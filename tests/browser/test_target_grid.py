"""The targets grid and the long programme pages in Chromium (issue 18, "Long forms"): the
arrow keys move between cells and never change a value, "1e" is flagged on its cell before
anything is sent, Enter saves the grid, a failed save on a 64-row grid moves the focus to
the error summary whose links lead to the wrong cell, the header row stays in view; then
the programme is issued through its confirmation, closed, and reopened by the unit's
administrator with a reason that the history shows."""

import pytest
from playwright.sync_api import expect

from ktgs import services as ktgs_services
from ktgs.models import Role
from plans import services
from plans.models import Programme
from tests.factories import OrganizationFactory, UserFactory
from tests.plans.factories import INSPECT, SUPERVISE, make_programme

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory
ROWS = 63  # a bloc committee's grassroots units, as in the demo


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_label("Tên đăng nhập")).to_have_count(0)


@pytest.fixture
def long_grid(tree):
    """A draft of Khối A with 63 more units under it (65 rows with A1 and A2 and Khối A
    itself), the last of them holding a named planned case."""
    units = [
        OrganizationFactory(parent=tree.a, name=f"Chi bộ Phòng {n:02d}", code=f"TN-A-P{n:02d}")
        for n in range(1, ROWS + 1)
    ]
    programme = make_programme(tree.a)
    services.add_target(
        programme=programme,
        organization=units[-1],
        kind=INSPECT,
        quantity=1,
        subject_text="Quy chế làm việc",
    )
    programme.refresh_from_db()
    return programme, units


def cell(page, unit, kind):
    return page.locator(f"#q-{unit.pk}-{kind}")


def test_the_grid_moves_with_arrows_flags_bad_cells_and_saves_on_enter(
    live_server, cast, tree, long_grid, page, screenshot
):
    programme, _units = long_grid
    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/programmes/{programme.pk}/targets/")
    a1 = cell(page, tree.a1, INSPECT)
    a1.click()
    a1.fill("2")

    # ArrowDown moves to the cell below and leaves the value alone (a number input would
    # have made it 1); Up comes back; Right and Left move along the row.
    a1.press("ArrowDown")
    below = cell(page, tree.a2, INSPECT)
    expect(below).to_be_focused()
    expect(a1).to_have_value("2")
    below.press("ArrowUp")
    expect(a1).to_be_focused()
    a1.press("End")
    a1.press("ArrowRight")
    right = page.locator(f"#q-{tree.a1.pk}-inspection_violation")
    expect(right).to_be_focused()
    right.press("ArrowLeft")
    expect(a1).to_be_focused()
    expect(a1).to_have_value("2")

    # Live totals: the row, the column and the grand total (the named case counts 1).
    row = page.locator("tr[data-row]", has=a1)
    expect(row.locator("[data-row-total]")).to_have_text("2")
    expect(page.locator("[data-grand-total]")).to_have_text("3")

    # "1e" is flagged on its cell as it is typed, and Enter sends nothing.
    bad = cell(page, tree.a2, SUPERVISE)
    bad.fill("1e")
    expect(bad).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#q-{tree.a2.pk}-{SUPERVISE}-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Không phải số nguyên")
    assert bad.evaluate("input => input.validity.valid") is False
    expect(page.locator("[data-grand-total]")).to_have_text("3")  # "1e" adds nothing
    screenshot("target_grid_flagged_cell")
    url = page.url
    bad.press("Enter")
    expect(bad).to_be_focused()
    assert page.url == url
    assert not programme.targets.filter(organization=tree.a1).exists()

    # Fixed, Enter saves the grid (not "Thêm dòng").
    bad.fill("1")
    expect(bad).not_to_have_attribute("aria-invalid", "true")
    bad.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/programmes/{programme.pk}/")
    expect(page.locator(".messages")).to_contain_text("Đã lưu chỉ tiêu.")
    saved = sorted(programme.targets.values_list("organization__code", "kind", "quantity"))
    assert saved == [
        ("TN-A-P63", INSPECT, 1),
        ("TN-A1", INSPECT, 2),
        ("TN-A2", SUPERVISE, 1),
    ]
    assert page.console_log.errors() == []


def test_a_failed_save_on_a_long_grid_focuses_the_error_summary(
    live_server, cast, tree, long_grid, page, screenshot
):
    programme, units = long_grid
    last = units[-1]
    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/programmes/{programme.pk}/targets/")
    box = page.locator(".grid-scroll")
    header = page.locator("table.target-grid thead th").first

    # The header row stays in view while the 66 rows scroll under it.
    box.evaluate("box => { box.scrollTop = box.scrollHeight; }")
    box_top = box.evaluate("box => box.getBoundingClientRect().top")
    header_top = header.evaluate("th => th.getBoundingClientRect().top")
    assert abs(header_top - box_top) <= 2
    expect(header).to_be_in_viewport()
    screenshot("target_grid_scrolled_header")

    # A quota beside the named case of the last unit: the server refuses it on its cell.
    target_cell = cell(page, last, INSPECT)
    target_cell.fill("2")
    cell(page, tree.a1, INSPECT).fill("3")
    target_cell.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Có 1 lỗi cần sửa, chưa có gì được lưu")
    link = summary.get_by_role("link", name="Chi bộ Phòng 63 · Kiểm tra chấp hành (chuyên đề)")
    expect(link).to_contain_text("đã có chỉ tiêu đích danh cùng loại")
    screenshot("target_grid_error_summary")
    # What was typed is kept, the wrong cell is marked, nothing was saved.
    expect(cell(page, tree.a1, INSPECT)).to_have_value("3")
    expect(cell(page, last, INSPECT)).to_have_attribute("aria-invalid", "true")
    assert programme.targets.count() == 1

    link.click()
    expect(cell(page, last, INSPECT)).to_be_focused()
    assert page.console_log.errors() == []


def test_issue_close_and_reopen_through_their_confirmations(
    live_server, cast, tree, long_grid, page, screenshot
):
    programme, units = long_grid
    services.set_targets(
        programme=programme,
        cells={(unit.pk, SUPERVISE): 1 for unit in units} | {(tree.a1.pk, INSPECT): 2},
    )
    unit_admin = UserFactory(username="admin_a")
    ktgs_services.grant_role(user=unit_admin, organization=tree.a, kind=Role.Kind.ADMIN)
    sign_in(page, live_server, "admin_a")
    page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    page.get_by_role("link", name="Ban hành…").click()
    expect(page.get_by_role("heading", name="Ban hành chương trình?")).to_be_visible()
    expect(page.locator(".confirm")).to_contain_text("65 chỉ tiêu của 64 đơn vị")
    screenshot("programme_confirm_issue")
    page.get_by_role("button", name="Xác nhận ban hành").click()
    expect(page.locator(".messages")).to_contain_text("Đã ban hành chương trình.")

    # The long programme page: one closed section per level and kind, filterable.
    expect(page.locator("details.group").first).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, height
    screenshot("programme_detail_grouped")
    page.get_by_label("Lọc theo tên hoặc mã đơn vị").fill("phong 07")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("table.progress tbody tr")).to_have_count(1)
    expect(page.locator("table.progress")).to_contain_text("Chi bộ Phòng 07")

    # The amendment page: grouped, and its fields named.
    page.goto(f"{live_server.url}/programmes/{programme.pk}/amend/")
    expect(
        page.get_by_label("Số lượng hoặc tỷ lệ: Chi bộ Phòng 07 · Giám sát chuyên đề")
    ).to_be_attached()
    expect(page.get_by_label("Bỏ chỉ tiêu: Chi bộ Phòng 07 · Giám sát chuyên đề")).to_be_attached()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, width
    screenshot("programme_amend_grouped")

    page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    page.get_by_role("link", name="Kết thúc…").click()
    page.get_by_role("button", name="Xác nhận kết thúc").click()
    expect(page.locator(".messages")).to_contain_text("Đã kết thúc chương trình.")
    page.get_by_role("link", name="Mở lại…").click()
    page.get_by_role("button", name="Mở lại chương trình").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()  # no reason given
    page.get_by_label("Lý do mở lại").fill("Kết thúc nhầm, còn cuộc chưa ghi")
    page.get_by_role("button", name="Mở lại chương trình").click()
    expect(page.locator(".messages")).to_contain_text("Đã mở lại chương trình")
    page.locator("#history-section > summary").click()
    expect(page.locator("#history")).to_contain_text("Lý do: Kết thúc nhầm, còn cuộc chưa ghi")
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ISSUED
    screenshot("programme_reopened_history")
    assert page.console_log.errors() == []
    assert page.failed_responses == []
