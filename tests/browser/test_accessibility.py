"""Every page a user reaches, audited with axe-core (WCAG 2.2 AA rules) in Chromium at a
desktop width (1280 px) and a phone width (390 px): no critical and no serious violation.
A screenshot of every page at both widths goes to test-artifacts/a11y-<width>-<page>.png.

The pages are reached as the cast of tests/conftest.py would: the root's admin, the
province's leader and the bloc's staff, over the records a working year leaves."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from plans import services as plan_services
from reports import engine
from reports.engine import periods
from reports.models import ReportPeriod
from tests.browser.conftest import ARTIFACTS, axe_violations, describe_violations
from tests.cases import factories as records
from tests.plans.factories import INSPECT, SUPERVISE, add_grid, make_programme

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def sign_in(tab, base_url: str, username: str) -> None:
    tab.goto(base_url + "/login/")
    tab.get_by_label("Tên đăng nhập").fill(username)
    tab.get_by_label("Mật khẩu").fill(PASSWORD)
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def working_year(tree, cast, deadline_rules):
    """The records a year of work leaves: the bloc's issued programme with its grid, a case
    under way, a concluded one with a member subject, a discipline decision, a letter, a
    denunciation, a complaint and a suspension; the figures rebuilt."""
    today = timezone.localdate()
    periods.ensure_periods(today.year)  # live-server tests start from flushed tables
    staff = cast.staff_a
    programme = make_programme(tree.a, year=today.year, user=staff)
    add_grid(
        programme,
        {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1, (tree.a1, SUPERVISE): 1},
        user=staff,
    )
    plan_services.issue_programme(programme=programme, user=staff)
    this_year = {
        "year": today.year,
        "decided_on": datetime.date(today.year, 2, 1),
        "work_starts_on": datetime.date(today.year, 2, 10),
        "work_ends_on": datetime.date(today.year, 2, 20),
    }
    under_way = records.advance(
        staff,
        records.record(staff, tree.a, **this_year),
        Case.Status.DECIDED,
        Case.Status.IN_PROGRESS,
    )
    member = {"kind": "member", "member_name": "Lê Văn Kỷ", "member_position": "Trưởng phòng"}
    concluded = records.concluded(staff, tree.a, subjects=[member])
    discipline = records.disciplined(staff, tree.a1)  # complained of to A
    complaint = records.complaint(staff, discipline, tree.a)
    objects = {
        "programme": programme,
        "under_way": under_way,
        "concluded": concluded,
        "subject": concluded.subjects.get(),
        "letter": records.letter(staff, tree.a),
        "denunciation": records.denunciation(staff, tree.a),
        "complaint": complaint,
        "suspension": records.suspension(staff, tree.a),
    }
    objects["period"] = ReportPeriod.objects.get(kind="year", year=today.year, month=0)
    engine.rebuild(today)
    return objects


def pages(tree, objects, today) -> dict[str, list[tuple[str, str]]]:
    """{username: [(page name, path)]}: every page each member of the cast reaches."""
    case = objects["concluded"]
    programme = objects["programme"]
    report = f"?year={today.year}&period=year"
    return {
        "": [
            ("login", reverse("login")),
        ],
        "leader_p": [
            ("home", reverse("home")),
            ("dashboard-province", reverse("reports:dashboard", args=[tree.province.pk])),
            ("dashboard-grassroots", reverse("reports:dashboard", args=[tree.a1.pk])),
            (
                "period-report",
                reverse("reports:period_report", args=[tree.province.pk]) + report,
            ),
            (
                "built-report",
                reverse("reports:built_report", args=[tree.province.pk])
                + f"?period_id={objects['period'].pk}",
            ),
            ("reminder-log", reverse("reminders:log")),
            ("case-list", reverse("cases:list")),
            ("programme-list", reverse("plans:list")),
            ("unit-search", reverse("organization_search") + "?q=A1"),
            ("unit-detail", reverse("organization_detail", args=[tree.a.pk])),
            ("profile", reverse("profile")),
        ],
        "staff_a": [
            ("dashboard-bloc", reverse("reports:dashboard", args=[tree.a.pk])),
            (
                "period-report-submission",
                reverse("reports:period_report", args=[tree.a.pk]) + report,
            ),
            ("case-list", reverse("cases:list")),
            ("case-form-new", reverse("cases:create") + f"?organization={tree.a1.pk}"),
            ("case-form-edit", reverse("cases:edit", args=[objects["under_way"].pk])),
            ("case-detail", case.get_absolute_url()),
            ("case-conclude", reverse("cases:conclude", args=[objects["under_way"].pk])),
            (
                "case-discipline",
                reverse("cases:discipline", args=[case.pk, objects["subject"].pk]),
            ),
            ("letter-list", reverse("cases:letter_list")),
            ("letter-form", reverse("cases:letter_create")),
            ("letter-detail", reverse("cases:letter_detail", args=[objects["letter"].pk])),
            ("letter-edit", reverse("cases:letter_edit", args=[objects["letter"].pk])),
            ("denunciation-list", reverse("cases:denunciation_list")),
            (
                "denunciation-detail",
                reverse("cases:denunciation_detail", args=[objects["denunciation"].pk]),
            ),
            ("complaint-list", reverse("cases:complaint_list")),
            ("complaint-form", reverse("cases:complaint_create")),
            (
                "complaint-detail",
                reverse("cases:complaint_detail", args=[objects["complaint"].pk]),
            ),
            ("suspension-list", reverse("cases:suspension_list")),
            ("suspension-form", reverse("cases:suspension_create")),
            (
                "suspension-detail",
                reverse("cases:suspension_detail", args=[objects["suspension"].pk]),
            ),
            ("programme-list", reverse("plans:list")),
            ("programme-form", reverse("plans:create") + f"?organization={tree.a.pk}"),
            ("programme-detail", programme.get_absolute_url()),
            ("programme-targets", reverse("plans:targets", args=[programme.pk])),
            ("programme-amend", reverse("plans:amend", args=[programme.pk])),
            ("programme-quota", reverse("plans:quota", args=[programme.pk])),
            ("programme-copy", reverse("plans:copy", args=[programme.pk])),
            ("profile", reverse("profile")),
        ],
        "admin": [
            ("dashboard-root", reverse("reports:dashboard", args=[tree.root.pk])),
            ("import-form", reverse("organization_import")),
            ("api-docs", reverse("api-docs")),
            ("admin-index", reverse("admin:index")),
        ],
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_has_no_critical_or_serious_violation(
    live_server, browser, tree, cast, working_year, width
):
    viewport_width, viewport_height = WIDTHS[width]
    today = timezone.localdate()
    ARTIFACTS.mkdir(exist_ok=True)
    found, broken, visited = [], [], 0
    for username, visits in pages(tree, working_year, today).items():
        context = browser.new_context(
            locale="en-US", viewport={"width": viewport_width, "height": viewport_height}
        )
        context.set_default_timeout(15_000)
        tab = context.new_page()
        if username:
            sign_in(tab, live_server.url, username)
        for name, path in visits:
            response = tab.goto(live_server.url + path)
            if response is None or response.status != 200:
                broken.append(f"{name} {path}: {response and response.status}")
                continue
            tab.wait_for_load_state("networkidle")
            visited += 1
            where = f"{name} ({username or 'anonymous'}, {viewport_width} px, {path})"
            found.extend(
                describe_violations(where, [v]) for v in axe_violations(tab) if v is not None
            )
            slug = re.sub(r"[^\w-]+", "_", f"{username or 'anon'}-{name}")
            tab.screenshot(path=str(ARTIFACTS / f"a11y-{width}-{slug}.png"), full_page=True)
        context.close()
    assert broken == [], "pages that did not open:\n" + "\n".join(broken)
    assert visited >= 40
    assert found == [], f"{len(found)} critical/serious violations:\n" + "\n".join(found)


def phone(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    return context.new_page()


def page_width(tab) -> int:
    return tab.evaluate("() => document.documentElement.scrollWidth")


def test_at_390_px_the_dashboard_has_no_page_scroll_and_the_top_bar_folds_into_a_menu(
    live_server, browser, tree, cast, working_year
):
    tab = phone(browser)
    sign_in(tab, live_server.url, "leader_p")
    tab.goto(live_server.url + reverse("reports:dashboard", args=[tree.province.pk]))
    tab.wait_for_load_state("networkidle")
    assert page_width(tab) <= 390

    # The skip link is the first stop of the keyboard and lands on the page's content.
    tab.keyboard.press("Tab")
    skip = tab.get_by_role("link", name="Bỏ qua đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    tab.keyboard.press("Enter")
    assert tab.evaluate("() => document.activeElement.id") == "main"

    # The top bar is one line with a menu button; opened, it shows every link, the
    # profile and the logout inside the red bar.
    menu = tab.get_by_role("button", name="Danh mục")
    expect(menu).to_have_attribute("aria-expanded", "false")
    profile = tab.locator("#site-nav").get_by_role("link", name=str(cast.leader_p))
    expect(profile).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(profile).to_be_visible()
    logout = tab.get_by_role("button", name="Đăng xuất")
    expect(logout).to_be_visible()
    bar = tab.locator("header.topbar").bounding_box()
    for item in (profile, logout):
        box = item.bounding_box()
        assert bar["y"] <= box["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"]
        assert box["x"] + box["width"] <= 390
    assert page_width(tab) <= 390
    # The open menu itself (the whole page is audited by the test above).
    assert axe_violations(tab, within="header.topbar") == []
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "a11y-phone-dashboard-menu-open.png"), full_page=True)
    # Escape closes it and gives focus back to the button.
    profile.focus()
    tab.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    tab.context.close()


def test_at_390_px_the_case_form_picks_dates_and_leads_to_each_error_after_a_failed_save(
    live_server, browser, tree, cast, working_year
):
    tab = phone(browser)
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(tab, live_server.url, "staff_a")
    tab.goto(live_server.url + reverse("cases:create") + f"?organization={tree.a1.pk}")
    assert page_width(tab) <= 390

    # The calendar button beside a date: the date picked is written as dd/mm/yyyy, and a
    # date typed is the one the picker opens on.
    decided = tab.get_by_label("Ngày quyết định", exact=True)
    button = decided.locator("xpath=..").get_by_role("button", name="Chọn ngày trên lịch")
    expect(button).to_be_visible()
    expect(button).to_have_accessible_description("Ngày quyết định")
    box, field_box = button.bounding_box(), decided.bounding_box()
    assert box["x"] + box["width"] <= 390 and field_box["x"] >= 0
    button.click()  # opens the browser's picker; the test then chooses as a person would
    native = decided.locator("xpath=..").locator("input[type=date]")
    native.fill("2026-03-05")
    expect(decided).to_have_value("05/03/2026")
    starts = tab.get_by_label("Bắt đầu làm việc", exact=True)
    starts.fill("10/03/2026")
    expect(starts.locator("xpath=..").locator("input[type=date]")).to_have_value("2026-03-10")
    tab.get_by_label("Năm", exact=True).fill("1999")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "a11y-phone-case-form-dates.png"), full_page=True)

    # Saved without its content and with a year out of range: the summary at the top has
    # focus and lists each error with a link that takes focus to its field; what was typed
    # is kept.
    tab.get_by_role("button", name="Lưu", exact=True).click()
    summary = tab.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_contain_text("Chưa lưu được")
    expect(summary.get_by_role("link", name=re.compile("^Nội dung: "))).to_be_visible()
    expect(decided).to_have_value("05/03/2026")
    tab.screenshot(path=str(ARTIFACTS / "a11y-phone-case-form-error-summary.png"), full_page=True)
    assert page_width(tab) <= 390
    assert axe_violations(tab) == []
    summary.get_by_role("link", name=re.compile("^Năm: ")).click()
    expect(tab.get_by_label("Năm", exact=True)).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Nội dung: ")).click()
    title = tab.get_by_label("Nội dung", exact=True)
    expect(title).to_be_focused()

    # Put right, the case is saved.
    title.fill("Kiểm tra việc chấp hành quy chế làm việc")
    tab.get_by_label("Năm", exact=True).fill(str(today_year()))
    tab.get_by_label("Số quyết định").fill("52-QĐ/ĐUK")
    tab.get_by_label(re.compile(r"-KH/ĐUK")).check()  # the programme's target
    tab.get_by_role("button", name="Lưu", exact=True).click()
    tab.wait_for_load_state("networkidle")
    tab.screenshot(path=str(ARTIFACTS / "a11y-phone-case-form-saved.png"), full_page=True)
    expect(tab).to_have_url(re.compile(r"/cases/\d+/$"), timeout=20_000)
    case = Case.objects.get(decision_number="52-QĐ/ĐUK")
    assert tab.url == live_server.url + case.get_absolute_url()
    assert case.decided_on == datetime.date(2026, 3, 5)
    assert case.work_starts_on == datetime.date(2026, 3, 10)
    assert errors == [], errors  # no script error
    tab.context.close()


def today_year() -> int:
    return timezone.localdate().year
