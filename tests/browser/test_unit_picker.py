"""The unit picker in Chromium, used with the keyboard as a screen-reader user would: a
combobox whose results name each unit with its code and parent, so that the right one of
two units of the same name is picked; a subject unit outside the conducting unit's subtree
confirmed on purpose; the focus on the new row after "Thêm đối tượng"."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.cases.test_unit_naming import SAME_NAME, make_twins

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory
INSIDE = f"{SAME_NAME} · TN-A1.QLNS — Đảng bộ cơ sở A1"
OUTSIDE = f"{SAME_NAME} · TN-A.QLNS — Đảng ủy Khối A"
ROW = "#id_subjects-0-organization"  # the first subject row's picker: ids start with it


@pytest.fixture
def twins(tree):
    return make_twins(tree)


def open_case_form(page, live_server, unit):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill("staff_a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/cases/new/?organization={unit.pk}")
    page.get_by_label("Nội dung").fill("Kiểm tra việc quản lý ngân sách")
    page.get_by_label("Năm").fill("2025")
    page.get_by_label("Số quyết định").fill("12-QĐ/ĐUK")
    page.get_by_label("Ngày quyết định").fill("03/03/2025")


def add_unit_subject(page):
    """'Thêm đối tượng' pressed with the keyboard; the new row's kind set to a unit."""
    page.get_by_role("button", name="Thêm đối tượng").focus()
    page.keyboard.press("Enter")
    kind = page.locator("[name='subjects-0-kind']")
    expect(kind).to_be_focused()
    kind.select_option("organization")


def search(page, box, text):
    """Type into a picker as a person does, key by key, until htmx has answered."""
    box.focus()
    with page.expect_response(re.compile(r"/cases/units/search/")):
        page.keyboard.type(text)
    expect(box).to_have_attribute("aria-expanded", "true")


def test_the_right_one_of_two_same_named_units_is_picked_by_keyboard(
    live_server, cast, tree, twins, page, screenshot
):
    inside, _ = twins
    open_case_form(page, live_server, tree.a1)
    # The conducting unit, read with its code and parent; its label names the box.
    conducting = page.get_by_role("combobox", name="Đơn vị tiến hành")
    expect(conducting).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#id_organization_picked")).to_have_text(
        "Đã chọn: Đảng bộ cơ sở A1 · TN-A1 — Đảng ủy Khối A"
    )

    add_unit_subject(page)
    box = page.get_by_role("combobox", name="Tổ chức đảng")
    search(page, box, "Quản lý ngân sách")
    listbox = page.get_by_role("listbox", name="Kết quả tìm: Tổ chức đảng")
    expect(box).to_have_attribute("aria-controls", listbox.get_attribute("id"))
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    # Same name twice: only the code and the parent tell them apart, and both are shown.
    texts = [re.sub(r"\s+", " ", t).strip() for t in options.all_text_contents()]
    assert sorted(texts) == sorted([INSIDE, OUTSIDE])
    status = page.locator(f"{ROW}_status")
    expect(status).to_have_text("Tìm thấy 2 đơn vị: dùng phím mũi tên để chọn.")
    expect(status).to_have_attribute("aria-live", "polite")

    wanted = texts.index(INSIDE)
    for _ in range(wanted + 1):
        page.keyboard.press("ArrowDown")
    active = options.nth(wanted)
    expect(active).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", active.get_attribute("id"))
    expect(box).to_be_focused()  # the focus stays in the box while moving
    screenshot("unit_picker_open")

    page.keyboard.press("Enter")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("")
    expect(page.locator(f"{ROW}_listbox")).to_be_hidden()
    expect(page.locator(f"{ROW}_picked")).to_have_text(f"Đã chọn: {INSIDE}")
    expect(status).to_have_text(f"Đã chọn: {INSIDE}")
    expect(page.locator(".subject-outside")).to_be_hidden()  # in A1's subtree: nothing asked
    assert page.locator("[name='subjects-0-organization']").input_value() == str(inside.pk)
    assert Case.objects.count() == 0  # Enter picked, it did not submit the form

    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    assert case.subjects.get().organization == inside
    expect(page.locator("table.subjects")).to_contain_text(INSIDE)
    expect(page.locator("dl.facts")).to_contain_text("Đảng bộ cơ sở A1 · TN-A1 — Đảng ủy Khối A")
    screenshot("unit_picker_case_page")
    assert page.console_log.errors() == []  # no CSP violation, no script error
    assert page.failed_responses == []


def test_a_unit_outside_the_subtree_is_refused_until_confirmed(
    live_server, cast, tree, twins, page, screenshot
):
    _, outside = twins
    open_case_form(page, live_server, tree.a1)
    add_unit_subject(page)
    box = page.get_by_role("combobox", name="Tổ chức đảng")
    search(page, box, "Quản lý ngân sách")
    listbox = page.locator(f"{ROW}_listbox")
    # Escape closes the list; the arrows open it again.
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    options = listbox.locator(".unit-choice")  # hidden: not in the accessibility tree
    texts = [re.sub(r"\s+", " ", t).strip() for t in options.all_text_contents()]
    assert len(texts) == 2
    # ArrowUp from the box starts at the last option and goes up.
    for _ in range(len(texts) - texts.index(OUTSIDE)):
        page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options.nth(texts.index(OUTSIDE))).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    warning = page.locator(".subject-outside")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("không thuộc đơn vị tiến hành hay đơn vị nào trực thuộc")
    confirm = page.get_by_label("Tôi xác nhận đơn vị này ngoài phạm vi của đơn vị tiến hành")
    expect(confirm).not_to_be_checked()
    # The chosen unit and the warning are both said.
    expect(page.locator(f"{ROW}_status")).to_contain_text(f"Đã chọn: {OUTSIDE}. Đơn vị này")
    screenshot("unit_picker_outside_warning")

    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".subject-outside .errorlist")).to_contain_text(
        f"{SAME_NAME} (TN-A.QLNS) không thuộc Đảng bộ cơ sở A1 hay đơn vị nào trực thuộc"
    )
    assert Case.objects.count() == 0
    # The page came back with the unit still picked and the confirmation still asked.
    expect(page.locator(f"{ROW}_picked")).to_have_text(f"Đã chọn: {OUTSIDE}")
    confirm = page.get_by_label("Tôi xác nhận đơn vị này ngoài phạm vi của đơn vị tiến hành")
    expect(confirm).to_be_visible()
    screenshot("unit_picker_outside_refused")
    confirm.check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    assert Case.objects.get().subjects.get().organization == outside
    expect(page.locator("table.subjects")).to_contain_text(OUTSIDE)
    assert page.console_log.errors() == []
    assert page.failed_responses == []


def test_the_warning_follows_the_conducting_unit(live_server, cast, tree, twins, page):
    open_case_form(page, live_server, tree.a1)
    add_unit_subject(page)
    box = page.get_by_role("combobox", name="Tổ chức đảng")
    search(page, box, "TN-A.QLNS")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    warning = page.locator(".subject-outside")
    expect(warning).to_be_visible()
    # The case is conducted by A instead: the unit is in A's subtree, nothing to confirm.
    conducting = page.get_by_role("combobox", name="Đơn vị tiến hành")
    search(page, conducting, "Đảng ủy Khối A")
    page.keyboard.press("ArrowDown")
    with page.expect_response(re.compile(r"/cases/targets/")):
        page.keyboard.press("Enter")
    expect(page.locator("#id_organization_picked")).to_contain_text("Đảng ủy Khối A · TN-A")
    expect(warning).to_be_hidden()
    assert page.console_log.errors() == []


def test_each_added_row_takes_the_focus(live_server, cast, tree, page):
    open_case_form(page, live_server, tree.a1)
    add = page.get_by_role("button", name="Thêm đối tượng")
    add.click()
    expect(page.locator("[name='subjects-0-kind']")).to_be_focused()
    add.click()
    expect(page.locator("[name='subjects-1-kind']")).to_be_focused()
    # The cloned row's picker is a combobox of its own, its label tied to its box.
    expect(page.get_by_role("combobox", name="Tổ chức đảng")).to_have_count(0)  # hidden rows
    page.locator("[name='subjects-1-kind']").select_option("organization")
    second = page.get_by_role("combobox", name="Tổ chức đảng")
    expect(second).to_have_attribute("id", "id_subjects-1-organization_query")
    expect(second).to_have_attribute("aria-controls", "id_subjects-1-organization_listbox")
    assert page.console_log.errors() == []
