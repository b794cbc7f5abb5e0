"""The journey of issue 15 in Chromium: staff of Đảng ủy Khối A submit the 9-month report
from the period report page; a leader of the province (its parent) returns it with a
comment; staff fix the summary and submit again; the leader approves; the report is
locked (staff changing a case it counted are refused, the message naming the report);
the PDF opens (its first page kept as test-artifacts/report_approval_pdf_page1.png)."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import Case, RecordLock
from plans.models import ActivityKind, Body
from reports import engine
from reports.engine import periods
from reports.models import ReportPeriod, ReportSubmission
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_progress_journey import sign_in
from tests.cases.factories import doc_number
from tests.reports.test_submissions import report_deadlines  # noqa: F401

pytestmark = [pytest.mark.browser]

RETURN_COMMENT = "Đề nghị nêu rõ kết quả kiểm tra tại Đảng bộ cơ sở A1."
MEMBER = {"kind": "member", "member_name": "Phạm Văn Khóa", "member_position": "Chuyên viên"}
FIX = "Đã kiểm tra 01 tổ chức đảng tại Đảng bộ cơ sở A1, phát hiện vi phạm."


def last_9_months(today: datetime.date) -> int:
    """The year of the latest 9-month period that has ended."""
    return today.year if today > datetime.date(today.year, 9, 30) else today.year - 1


@pytest.fixture
def counted_case(tree, cast, report_deadlines):  # noqa: F811
    """A case of A1 concluded in May of the 9 months, through the services."""
    today = timezone.localdate()
    year = last_9_months(today)
    periods.ensure_periods(year)  # live-server tests start from flushed tables
    periods.ensure_periods(today.year)
    case = case_services.record_case(
        user=cast.staff_a,
        organization=tree.a1,
        body=Body.INSPECTION_COMMISSION,
        kind=ActivityKind.INSPECTION_COMPLIANCE,
        title="Kiểm tra việc chấp hành quy chế làm việc",
        year=year,
        target=None,
        decision_number=doc_number(),
        decided_on=datetime.date(year, 3, 1),
        work_starts_on=datetime.date(year, 3, 10),
        work_ends_on=datetime.date(year, 3, 20),
        subjects=[MEMBER],
    )
    for status in (Case.Status.DECIDED, Case.Status.IN_PROGRESS):
        case = case_services.change_status(
            user=cast.staff_a, case=case, status=status, version=case.version
        )
    case = case_services.conclude_case(
        user=cast.staff_a,
        case=case,
        version=case.version,
        concluded_on=datetime.date(year, 5, 4),
        conclusion_number=doc_number("TB"),
        violation_found=True,
        shortcomings_found=True,
        summary="Có vi phạm.",
    )
    engine.rebuild(today)
    return case


@pytest.fixture
def leader_page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_staff_submit_the_leader_returns_staff_resubmit_the_leader_approves_and_it_locks(
    live_server, cast, tree, counted_case, page, leader_page, screenshot
):
    year = counted_case.year
    m9 = ReportPeriod.objects.get(kind="m9", year=year, month=0)
    report_url = (
        live_server.url
        + reverse("reports:period_report", args=[tree.a.pk])
        + f"?year={year}&period=m9"
    )
    title = f"Báo cáo 9 tháng {year} — Đảng ủy Khối A"

    # Staff of A submit the report from its page.
    sign_in(page, live_server, "staff_a")
    page.goto(report_url)
    panel = page.locator("#submission-panel")
    expect(panel).to_contain_text("Chưa gửi")
    summary = panel.get_by_label("Tóm tắt kết quả")
    summary.fill("Kiểm tra 01 tổ chức đảng.")
    panel.get_by_label("Số ký hiệu").fill("15-BC/UBKT")
    panel.get_by_role("button", name="Gửi báo cáo").click()
    expect(panel.locator(".status")).to_contain_text("Đã gửi, chờ duyệt")
    screenshot("report_approval_submitted")

    # The province's leader returns it with a comment.
    sign_in(leader_page, live_server, "leader_p")
    leader_page.goto(report_url)
    leader_panel = leader_page.locator("#submission-panel")
    expect(leader_panel.locator(".status")).to_contain_text("Đã gửi, chờ duyệt")
    leader_panel.get_by_label("Ý kiến trả lại").fill(RETURN_COMMENT)
    leader_panel.get_by_role("button", name="Trả lại báo cáo").click()
    expect(leader_panel.locator(".status")).to_contain_text("Bị trả lại")
    expect(leader_panel.locator(".events")).to_contain_text(RETURN_COMMENT)

    # Staff read the comment, fix the summary and submit again.
    page.goto(report_url)
    expect(panel.locator(".status")).to_contain_text("Bị trả lại")
    expect(panel.locator(".events")).to_contain_text(RETURN_COMMENT)
    summary.fill(FIX)
    panel.get_by_role("button", name="Gửi báo cáo").click()
    expect(panel.locator(".status")).to_contain_text("Đã gửi, chờ duyệt")
    submission = ReportSubmission.objects.get(organization=tree.a, period=m9)
    assert (submission.summary, submission.number) == (FIX, "15-BC/UBKT")

    # The leader approves: the report is locked under its name.
    leader_page.goto(report_url)
    leader_panel.get_by_role("button", name="Duyệt báo cáo").click()
    expect(leader_panel.locator(".status")).to_contain_text("Đã duyệt")
    expect(leader_panel.get_by_role("button", name="Mở lại báo cáo đã duyệt")).to_be_visible()
    screenshot_leader = ARTIFACTS / "report_approval_approved.png"
    ARTIFACTS.mkdir(exist_ok=True)
    leader_page.screenshot(path=str(screenshot_leader), full_page=True)
    assert RecordLock.objects.get(key=submission.lock_key()).report == title
    submission.refresh_from_db()
    assert submission.status == ReportSubmission.Status.APPROVED
    assert [e.action for e in submission.events.order_by("at", "pk")] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]

    # Staff can no longer change what the report counted: the refusal names the report.
    page.goto(live_server.url + reverse("cases:edit", args=[counted_case.pk]))
    page.get_by_label("Loại", exact=True).select_option("supervision_thematic")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".errors").first).to_contain_text(title)
    expect(page.locator(".errors").first).to_contain_text("đã được duyệt")
    assert Case.objects.get(pk=counted_case.pk).kind == ActivityKind.INSPECTION_COMPLIANCE

    # The PDF opens with the official header: the unit and the period on it, the number
    # and the paragraph the staff sent; its first page kept as a picture.
    page.goto(report_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF").click()
    pdf = ARTIFACTS / "report_approval.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Đảng ủy Khối A" in text
    assert re.search(rf"9\s+tháng\s+(năm\s+)?{year}", text, re.IGNORECASE), text[:2000]
    # The official header, with what the staff sent: the number and their paragraph.
    flat = re.sub(r"\s+", " ", text)
    for line in ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY KHỐI A", "Số: 15-BC/UBKT", "BÁO CÁO", FIX):
        assert line in flat, line
    assert "Nơi nhận:" in flat
    assert shutil.which("pdftoppm"), "poppler-utils is needed (scripts/system-packages.sh test)"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(ARTIFACTS / "report_approval_pdf_page1")],
        check=True,
    )  # fmt: skip
    assert (ARTIFACTS / "report_approval_pdf_page1.png").stat().st_size > 10_000
    assert page.console_log.errors() == []
    assert page.failed_responses == []
