"""Issue 14's journey in Chromium: staff enter a denunciation letter about a member, open
the handling of the denunciation from it, extend its deadline, conclude it and discipline
the accused on its case's page; the dashboard's deadline figures follow each step."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import Denunciation, DisciplineDecision, Letter
from reports import engine
from reports.engine import periods

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory
TODAY = datetime.date(2026, 7, 2)
RECEIVED = TODAY - datetime.timedelta(days=95)  # 90 days to resolve: 5 days overdue


@pytest.fixture
def records(tree, cast, deadline_rules):
    """A live-server test may start from flushed tables: the deadline rules and the
    periods again, and one denunciation already overdue in the unit below A (A1's commission)."""
    periods.ensure_periods(TODAY.year)
    case_services.open_denunciation(
        user=cast.admin,
        letter=None,
        organization=tree.a1,
        received_on=TODAY - datetime.timedelta(days=120),
        accused={"kind": "member", "member_name": "Đỗ Thị Mẫu 1"},
        body="inspection_commission",
        decision_number="03-QĐ/UBKTĐU",
        decided_on=TODAY - datetime.timedelta(days=115),
        today=TODAY,
    )
    engine.rebuild(TODAY)


def figures(page, live_server, unit) -> dict[str, str]:
    """The figures of the records' cards on `unit`'s dashboard (this year), as the user
    reads them: denunciations due soon and overdue today, concluded, members disciplined,
    letters received."""
    page.goto(f"{live_server.url}/progress/{unit.pk}/")
    cards = page.locator(".records-cards")
    expect(cards).to_be_visible()

    def value(label: str) -> str:
        card = cards.locator(".card").filter(has=page.get_by_text(label, exact=True))
        return card.locator(".value").inner_text().strip()

    return {
        "due_soon": value("Tố cáo sắp hết hạn"),
        "overdue": value("Tố cáo quá hạn"),
        "concluded": value("Tố cáo đã kết luận"),
        "discipline": value("Kỷ luật"),
        "letters": value("Đơn thư tiếp nhận"),
    }


def test_a_letter_becomes_a_denunciation_extended_then_concluded_with_a_discipline(
    live_server, cast, tree, records, page, screenshot
):
    with time_machine.travel(datetime.datetime(2026, 7, 2, 3, 0, tzinfo=datetime.UTC), tick=True):
        page.goto(live_server.url + "/login/")
        page.get_by_label("Tên đăng nhập").fill("staff_a")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        assert figures(page, live_server, tree.a) == {
            "due_soon": "0",
            "overdue": "1",
            "concluded": "0",
            "discipline": "0",
            "letters": "0",
        }

        # The letter, on one screen: a named sender denounces a member of A1.
        page.goto(f"{live_server.url}/cases/letters/new/?organization={tree.a.pk}")
        expect(page.locator(".unit-picked").first).to_contain_text("Đảng ủy Khối A · TN-A")
        page.get_by_label("Cơ quan nhận").select_option("inspection_commission")
        page.get_by_label("Ngày nhận").fill(RECEIVED.strftime("%d/%m/%Y"))
        page.get_by_label("Số đến").fill("27/ĐT")
        page.get_by_label("Người gửi", exact=True).select_option("named")
        page.get_by_label("Họ tên người gửi").fill("Lê Văn Mẫu 2")
        page.get_by_label("Loại đơn").select_option("denunciation")
        page.get_by_label("Đối tượng bị phản ánh", exact=True).select_option("member")
        page.get_by_label("Họ tên đảng viên bị phản ánh").fill("Phạm Thị Mẫu 3")
        page.get_by_label("Chức vụ").fill("Trưởng phòng Tổ chức")
        page.get_by_label("Là cấp ủy viên").check()
        page.get_by_label("Nội dung tóm tắt").fill("Tố cáo việc lợi dụng chức vụ trong mua sắm.")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator("body")).to_contain_text("Đã ghi nhận đơn thư.")
        expect(page.locator("h1")).to_contain_text("Tố cáo · Phạm Thị Mẫu 3")
        expect(page.locator("dl.facts")).to_contain_text("Có họ tên, địa chỉ: Lê Văn Mẫu 2")

        # Turned into a denunciation: 90 days from its receipt, already 5 days over.
        denounce = page.locator("#action-denounce")
        expect(denounce.get_by_label("Cơ quan giải quyết")).to_have_value("inspection_commission")
        denounce.get_by_label("Số quyết định").fill("12-QĐ/UBKTĐUK")
        denounce.get_by_label("Ngày quyết định").fill("10/04/2026")
        denounce.get_by_label("Tôi xác nhận").check()
        denounce.get_by_role("button", name="Mở hồ sơ giải quyết tố cáo").click()
        expect(page.locator("h1")).to_have_text("Giải quyết tố cáo đối với Phạm Thị Mẫu 3")
        expect(page.locator(".deadline").first).to_have_text("Quá hạn 5 ngày")
        expect(page.locator("dl.facts")).to_contain_text("27/06/2026")
        screenshot("denunciation_journey_opened")
        detail = page.url
        assert figures(page, live_server, tree.a) == {
            "due_soon": "0",
            "overdue": "2",
            "concluded": "0",
            "discipline": "0",
            "letters": "1",
        }

        # Extended once (up to 30 days allowed) with its reason, to 8 July: due soon now.
        page.goto(detail)
        extend = page.locator("#action-extend")
        extend.get_by_label("Gia hạn đến ngày").fill("08/07/2026")
        extend.get_by_label("Lý do gia hạn").fill("Cần xác minh thêm tại hai đơn vị.")
        extend.get_by_label("Tôi xác nhận").check()
        extend.get_by_role("button", name="Gia hạn thời hạn giải quyết").click()
        expect(page.locator("body")).to_contain_text("Đã gia hạn thời hạn giải quyết.")
        expect(page.locator(".deadline").first).to_have_text("Còn 6 ngày")
        expect(page.locator("dl.facts")).to_contain_text(
            "gia hạn đến 08/07/2026 (Cần xác minh thêm tại hai đơn vị.)"
        )
        expect(page.locator("#action-extend")).to_have_count(0)  # once only
        assert figures(page, live_server, tree.a) == {
            "due_soon": "1",
            "overdue": "1",
            "concluded": "0",
            "discipline": "0",
            "letters": "1",
        }

        # Concluded: the denunciation is true.
        page.goto(detail)
        conclude = page.locator("#action-conclude")
        conclude.get_by_label("Kết luận nội dung tố cáo").select_option("true")
        conclude.get_by_label("Ngày kết luận").fill("01/07/2026")
        conclude.get_by_label("Số thông báo kết luận").fill("15-TB/UBKTĐUK")
        conclude.get_by_label("Tóm tắt kết luận").fill("Nội dung tố cáo là đúng.")
        conclude.get_by_label("Tôi xác nhận").check()
        conclude.get_by_role("button", name="Kết luận nội dung tố cáo").click()
        expect(page.locator("body")).to_contain_text("Đã ghi nhận kết luận tố cáo.")
        expect(page.locator("dl.facts")).to_contain_text("Đúng, ngày 01/07/2026")
        expect(page.locator(".deadline").first).to_have_text("Xong trong hạn")

        # The discipline, on the case's page through its discipline form.
        page.get_by_role("link", name="Xem cuộc kiểm tra (thi hành kỷ luật tại đây)").click()
        expect(page.locator(".status")).to_have_text("Đã kết luận")
        subjects = page.locator("table.subjects")
        expect(subjects).to_contain_text("Phạm Thị Mẫu 3")
        subjects.get_by_role("link", name="Thi hành kỷ luật").click()
        page.get_by_label("Hình thức").select_option("warning")
        page.get_by_label("Số quyết định").fill("16-QĐ/UBKTĐUK")
        page.get_by_label("Ngày quyết định").fill("02/07/2026")
        page.get_by_label("Tôi xác nhận").check()
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator("body")).to_contain_text("Đã ghi nhận quyết định kỷ luật.")
        expect(page.locator("table.subjects")).to_contain_text(
            "Cảnh cáo — 16-QĐ/UBKTĐUK, 02/07/2026"
        )
        page.goto(detail)
        expect(page.locator("dl.facts")).to_contain_text("Cảnh cáo — 16-QĐ/UBKTĐUK, 02/07/2026")

        # On the dashboard: concluded and disciplined; still the one overdue below.
        assert figures(page, live_server, tree.a) == {
            "due_soon": "0",
            "overdue": "1",
            "concluded": "1",
            "discipline": "1",
            "letters": "1",
        }
        expect(page.locator(".records-summary")).to_contain_text(
            "Thi hành kỷ luật 01 đảng viên. Tiếp nhận 01 đơn tố cáo."
        )
        screenshot("denunciation_journey_dashboard")
        assert page.console_log.errors() == []
        assert page.failed_responses == []

    letter = Letter.objects.get(reference="27/ĐT")
    denunciation = Denunciation.objects.get(letter=letter)
    assert (letter.handling, letter.sender_name) == ("handled_here", "Lê Văn Mẫu 2")
    assert denunciation.extended_to == datetime.date(2026, 7, 8)
    assert denunciation.conclusion == "true"
    decision = DisciplineDecision.objects.get(case=denunciation.case)
    assert (decision.form, decision.deciding_organization) == ("warning", tree.a)
    assert decision.is_committee_member
