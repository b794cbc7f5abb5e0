"""Every change to a case is kept (who, when, before → after) and shown on its page."""

import datetime

from django.urls import reverse

from cases import services
from tests.cases.factories import YEAR, advance, record


def test_history_is_shown_on_the_case_page(client, cast, tree):
    case = record(cast.staff_a, tree.a, title="Nội dung ban đầu")
    case = services.update_case(
        user=cast.admin,
        case=case,
        version=1,
        title="Nội dung đã sửa",
        work_ends_on=datetime.date(YEAR, 3, 22),
    )
    case = advance(cast.staff_a, case, "decided")
    services.add_subject(user=cast.staff_a, case=case, kind="member", member_name="Mai Văn Thử")
    client.force_login(cast.leader_p)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    history = response.context["history"]
    users = [entry["user"] for entry in history]
    assert cast.admin in users and cast.staff_a in users
    body = response.content.decode()
    assert "Lịch sử thay đổi" in body
    assert "Nội dung: Nội dung ban đầu → Nội dung đã sửa" in body
    assert "Kết thúc làm việc: 20/03/2025 → 22/03/2025" in body
    assert "Trạng thái: Dự thảo → Đã có quyết định" in body
    assert "Đối tượng kiểm tra, giám sát: — → Mai Văn Thử" in body
    assert "Tạo mới" in body


def test_requests_record_the_signed_in_user(client, cast, tree):
    case = record(cast.staff_a, tree.a)
    client.force_login(cast.admin)
    client.post(
        reverse("cases:status", args=[case.pk]),
        {"status": "decided", "version": 1, "confirmed": "on"},
    )
    assert case.history.latest().history_user == cast.admin
