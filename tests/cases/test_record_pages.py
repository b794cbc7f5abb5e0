"""The pages of the commission's other records (letters, denunciations, disciplinary
complaints, suspensions) for the fixed cast: staff of the unit write, a leader above
reads, a sibling and an outsider get 404 and never see a person's name; refusals are
Vietnamese messages on the field; a stale form shows what changed and keeps the input."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Denunciation, DisciplineComplaint, Letter, Suspension
from tests.cases.factories import (
    TODAY,
    YEAR,
    complaint,
    denunciation,
    disciplined,
    doc_number,
    letter,
    second_staff,
    suspension,
)

D = datetime.date
pytestmark = pytest.mark.usefixtures("deadline_rules")

READERS = {"admin": 200, "staff_a": 200, "leader_p": 200, "leader_b": 404, "outsider": 404}
WRITERS = {"admin": True, "staff_a": True, "leader_p": False, "leader_b": False, "outsider": False}
# Names of people in the records below: never shown outside A's subtree.
NAMES = ["Nguyễn Thị Gửi", "Trần Văn Bị", "Lê Văn Kỷ", "Đỗ Văn Đình"]


@pytest.fixture
def records(cast, tree):
    """One of each record in A1 (staff_a's reach)."""
    kept = letter(cast.staff_a, tree.a1, kind="petition", summary="Kiến nghị về chế độ.")
    opened = denunciation(cast.staff_a, tree.a1)
    decision = disciplined(cast.staff_a, tree.a1)
    lodged = complaint(cast.staff_a, decision, tree.a)
    suspended = suspension(cast.staff_a, tree.a1)
    return {
        "letter": kept,
        "denunciation": opened,
        "complaint": lodged,
        "suspension": suspended,
    }


def detail_url(noun, record):
    return reverse(f"cases:{noun}_detail", args=[record.pk])


@pytest.mark.parametrize("noun", ["letter", "denunciation", "complaint", "suspension"])
@pytest.mark.parametrize("who", list(READERS))
def test_detail_pages_follow_the_access_rules(client, cast, records, noun, who):
    client.force_login(getattr(cast, who))
    response = client.get(detail_url(noun, records[noun]))
    assert response.status_code == READERS[who]
    if response.status_code == 200:
        body = response.content.decode()
        assert "Lịch sử thay đổi" in body
        # The actions are offered to writers only.
        assert ('id="actions"' in body) is WRITERS[who]


@pytest.mark.parametrize("noun", ["letter", "denunciation", "complaint", "suspension"])
@pytest.mark.parametrize("who", list(READERS))
def test_lists_show_only_records_in_reach_and_names_only_inside_the_subtree(
    client, cast, tree, records, noun, who
):
    client.force_login(getattr(cast, who))
    response = client.get(reverse(f"cases:{noun}_list"))
    assert response.status_code == 200
    body = response.content.decode()
    shown = detail_url(noun, records[noun]) in body
    assert shown is (READERS[who] == 200)
    if READERS[who] == 404:
        assert not any(name in body for name in NAMES)
        # Narrowed to a unit outside reach: 404, as the case list.
        narrowed = client.get(reverse(f"cases:{noun}_list"), {"organization": tree.a1.pk})
        assert narrowed.status_code == 404


@pytest.mark.parametrize("who", ["leader_b", "outsider"])
def test_a_sibling_and_an_outsider_read_no_name_anywhere(client, cast, records, who):
    client.force_login(getattr(cast, who))
    pages = [reverse(f"cases:{n}_list") for n in records] + [
        detail_url(n, r) for n, r in records.items()
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert not any(name in body for name in NAMES), url


@pytest.mark.parametrize("who", list(READERS))
def test_writes_are_404_for_whoever_does_not_write_for_the_unit(client, cast, records, who):
    client.force_login(getattr(cast, who))
    kept = records["letter"]
    response = client.post(
        reverse("cases:letter_keep", args=[kept.pk]),
        {"keep-confirmed": "on", "keep-version": kept.version, "keep-handled_on": "01/04/2025"},
    )
    assert response.status_code == (302 if WRITERS[who] else 404)
    kept.refresh_from_db()
    assert (kept.handling == Letter.Handling.KEPT) is WRITERS[who]
    assert client.get(reverse("cases:letter_edit", args=[kept.pk])).status_code == (
        200 if WRITERS[who] else 404
    )
    extend = client.post(
        reverse("cases:suspension_extend", args=[records["suspension"].pk]),
        {
            "extend-confirmed": "on",
            "extend-version": 1,
            "extend-ends_on": "01/06/2025",
            "extend-extension_reason": "Chờ",
        },
    )
    assert extend.status_code == (302 if WRITERS[who] else 404)


def letter_data(tree, **overrides):
    data = {
        "organization": tree.a1.pk,
        "body": "inspection_commission",
        "received_on": "01/03/2025",
        "reference": "12",
        "sender_kind": "named",
        "sender_name": "Nguyễn Thị Gửi",
        "kind": "denunciation",
        "about_kind": "member",
        "about_member_name": "Trần Văn Bị",
        "about_member_position": "Phó Giám đốc",
        "summary": "Tố cáo vi phạm quy định về tài chính.",
    }
    data.update(overrides)
    return data


def test_the_letter_journey_letter_denunciation_extension_conclusion(client, cast, tree):
    """Staff enter a letter, turn it into a denunciation, extend it, conclude it; the
    discipline is added on its case's page."""
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:letter_create"), letter_data(tree))
    assert response.status_code == 302, response.context["form"].errors
    received = Letter.objects.get()
    assert response["Location"] == detail_url("letter", received)
    page = client.get(response["Location"]).content.decode()
    assert "Mở hồ sơ giải quyết tố cáo" in page and "Chuyển đơn" in page
    response = client.post(
        reverse("cases:letter_denounce", args=[received.pk]),
        {
            "denounce-confirmed": "on",
            "denounce-version": received.version,
            "denounce-body": "inspection_commission",
            "denounce-decision_number": doc_number(),
            "denounce-decided_on": "05/03/2025",
        },
    )
    opened = Denunciation.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(
        "denunciation", opened
    )
    page = client.get(response["Location"]).content.decode()
    assert "30/05/2025" in page  # 90 days from 1 March
    assert "Quá hạn" in page
    response = client.post(
        reverse("cases:denunciation_extend", args=[opened.pk]),
        {
            "extend-confirmed": "on",
            "extend-version": opened.version,
            "extend-extended_to": "20/06/2025",
            "extend-extension_reason": "Cần xác minh thêm.",
        },
    )
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.extended_to == D(YEAR, 6, 20)
    response = client.post(
        reverse("cases:denunciation_conclude", args=[opened.pk]),
        {
            "conclude-confirmed": "on",
            "conclude-version": opened.version,
            "conclude-conclusion": "true",
            "conclude-concluded_on": "15/06/2025",
            "conclude-summary": "Tố cáo đúng.",
        },
    )
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.conclusion == "true" and opened.case.status == Case.Status.CONCLUDED
    page = client.get(detail_url("denunciation", opened)).content.decode()
    assert "Xong trong hạn" in page
    assert opened.case.get_absolute_url() in page
    subject = opened.case.subjects.get()
    discipline_url = reverse("cases:discipline", args=[opened.case.pk, subject.pk])
    assert discipline_url in client.get(opened.case.get_absolute_url()).content.decode()


def test_bad_letter_input_gives_a_message_on_the_field_and_writes_nothing(client, cast, tree):
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:letter_create"),
        letter_data(tree, sender_name="", received_on="01/01/2099"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["received_on"] == ["Ngày nhận không được sau ngày hôm nay."]
    response = client.post(reverse("cases:letter_create"), letter_data(tree, sender_name=""))
    assert response.context["form"].errors["sender_name"] == ["Hãy nhập họ tên người gửi."]
    response = client.post(
        reverse("cases:letter_create"), letter_data(tree, organization=tree.b.pk)
    )
    assert response.context["form"].errors["organization"] == [
        "Đơn vị không thuộc phạm vi của bạn."
    ]
    assert not Letter.objects.exists()


def test_refusals_of_actions_are_on_their_fields(client, cast, tree):
    client.force_login(cast.staff_a)
    anonymous = letter(cast.staff_a, tree.a1, sender_kind="anonymous", sender_name="")
    response = client.post(
        reverse("cases:letter_denounce", args=[anonymous.pk]),
        {
            "denounce-confirmed": "on",
            "denounce-version": anonymous.version,
            "denounce-body": "inspection_commission",
        },
    )
    assert response.status_code == 200
    form = response.context["action_forms"]["denounce"]
    assert "nặc danh" in form.non_field_errors()[0]
    assert not Denunciation.objects.exists() and not Case.objects.exists()
    opened = denunciation(cast.staff_a, tree.a1)
    response = client.post(
        reverse("cases:denunciation_extend", args=[opened.pk]),
        {
            "extend-confirmed": "on",
            "extend-version": opened.version,
            "extend-extended_to": "31/12/2025",
            "extend-extension_reason": "Lâu",
        },
    )
    form = response.context["action_forms"]["extend"]
    assert "Chỉ được gia hạn một lần, tối đa 30 ngày" in form.errors["extended_to"][0]
    suspended = suspension(cast.staff_a, tree.a1)
    response = client.post(
        reverse("cases:suspension_extend", args=[suspended.pk]),
        {
            "extend-confirmed": "on",
            "extend-version": suspended.version,
            "extend-ends_on": "01/12/2025",
            "extend-extension_reason": "Chờ",
        },
    )
    assert (
        "Tổng thời gian đình chỉ không được quá 180 ngày"
        in (response.context["action_forms"]["extend"].errors["ends_on"][0])
    )
    suspended.refresh_from_db()
    assert suspended.version == 1


def test_a_stale_letter_edit_shows_the_changes_and_keeps_the_input(client, cast, tree):
    received = letter(cast.staff_a, tree.a1, summary="Tóm tắt ban đầu")
    other = second_staff(tree.a)
    client.force_login(cast.staff_a)
    url = reverse("cases:letter_edit", args=[received.pk])
    opened = client.get(url).context["form"]["version"].value()
    services.update_letter(
        user=other, letter=received, version=1, today=TODAY, summary="Tóm tắt của người kia"
    )
    data = letter_data(tree, version=opened, summary="Tóm tắt của tôi")
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dữ liệu đã được thay đổi sau khi bạn mở biểu mẫu" in body
    assert "Tóm tắt ban đầu" in body and "Tóm tắt của người kia" in body
    form = response.context["form"]
    assert form["summary"].value() == "Tóm tắt của tôi"
    received.refresh_from_db()
    assert received.summary == "Tóm tắt của người kia"
    response = client.post(url, {**data, "version": form["version"].value()})
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.summary == "Tóm tắt của tôi"


def test_a_stale_action_is_refused_with_the_changes(client, cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    seen = opened.version
    services.extend_denunciation(
        user=cast.admin, denunciation=opened, to=D(YEAR, 6, 10), reason="Khác", version=seen
    )
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:denunciation_conclude", args=[opened.pk]),
        {
            "conclude-confirmed": "on",
            "conclude-version": seen,
            "conclude-conclusion": "untrue",
            "conclude-concluded_on": "01/06/2025",
        },
    )
    assert response.status_code == 200
    assert "10/06/2025" in response.content.decode()
    assert response.context["stale"] is not None
    form = response.context["action_forms"]["conclude"]
    assert form["version"].value() == str(seen + 1)
    assert form["conclusion"].value() == "untrue"
    opened.refresh_from_db()
    assert opened.conclusion == ""


def test_forward_keep_and_link_a_letter(client, cast, tree):
    client.force_login(cast.staff_a)
    first = letter(cast.staff_a, tree.a1)
    response = client.post(
        reverse("cases:letter_forward", args=[first.pk]),
        {
            "forward-confirmed": "on",
            "forward-version": first.version,
            "forward-handled_on": "05/03/2025",
            "forward-forwarded_to": tree.province.pk,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.handling == "forwarded" and first.forwarded_to == tree.province
    assert Letter.objects.get(forwarded_from=first).organization == tree.province
    # A sibling unit outside reach is no destination.
    second = letter(cast.staff_a, tree.a1)
    response = client.post(
        reverse("cases:letter_forward", args=[second.pk]),
        {
            "forward-confirmed": "on",
            "forward-version": second.version,
            "forward-handled_on": "05/03/2025",
            "forward-forwarded_to": tree.b.pk,
        },
    )
    assert response.context["action_forms"]["forward"].errors["forwarded_to"]
    from tests.cases.factories import record

    case = record(cast.staff_a, tree.a1)
    response = client.post(
        reverse("cases:letter_link_case", args=[second.pk]),
        {
            "link_case-confirmed": "on",
            "link_case-version": second.version,
            "link_case-handled_on": "05/03/2025",
            "link_case-case": case.pk,
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.case == case and second.handling == "case_opened"


def test_complaint_entry_and_decision(client, cast, tree):
    decision = disciplined(cast.staff_a, tree.a1)
    client.force_login(cast.staff_a)
    page = client.get(reverse("cases:complaint_create"))
    assert page.status_code == 200
    data = {
        "discipline": decision.pk,
        "organization": tree.a.pk,
        "body": "inspection_commission",
        "decision_received_on": "12/04/2025",
        "lodged_on": "01/08/2025",
    }
    response = client.post(reverse("cases:complaint_create"), data)
    assert "đã quá hạn" in response.context["form"].errors["lodged_on"][0]
    response = client.post(
        reverse("cases:complaint_create"),
        {
            **data,
            "lodged_on": "20/04/2025",
            "decision_number": doc_number(),
            "decided_on": "25/04/2025",
        },
    )
    assert response.status_code == 302
    lodged = DisciplineComplaint.objects.get()
    response = client.post(
        reverse("cases:complaint_decide", args=[lodged.pk]),
        {
            "decide-confirmed": "on",
            "decide-version": lodged.version,
            "decide-result": "annulled",
            "decide-decided_on": "10/05/2025",
        },
    )
    assert response.status_code == 302
    lodged.refresh_from_db()
    decision.refresh_from_db()
    assert lodged.result == "annulled" and decision.ended_on == D(YEAR, 5, 10)


def test_suspension_entry_and_lifting(client, cast, tree):
    client.force_login(cast.staff_a)
    data = {
        "organization": tree.a1.pk,
        "body": "inspection_commission",
        "kind": "party_activity",
        "reason": "prosecuted",
        "starts_on": "01/02/2025",
        "member_name": "",
    }
    response = client.post(reverse("cases:suspension_create"), data)
    assert response.context["form"].errors["member_name"] == [
        "Hãy nhập họ tên đảng viên bị đình chỉ."
    ]
    response = client.post(
        reverse("cases:suspension_create"), {**data, "member_name": "Đỗ Văn Đình"}
    )
    assert response.status_code == 302
    suspended = Suspension.objects.get()
    assert suspended.ends_on == D(YEAR, 5, 2)
    response = client.post(
        reverse("cases:suspension_lift", args=[suspended.pk]),
        {
            "lift-confirmed": "on",
            "lift-version": 1,
            "lift-lifted_on": "01/04/2025",
            "lift-outcome": "reinstated",
        },
    )
    assert response.status_code == 302
    suspended.refresh_from_db()
    assert suspended.outcome == "reinstated"


def test_lists_filter_by_deadline_and_dates_and_page_with_querystring(client, cast, tree):
    late = denunciation(cast.staff_a, tree.a1)  # due 30/05/2025, long past
    now = timezone.localdate()
    recent = denunciation(
        cast.staff_a,
        tree.a2,
        letter_fields={"received_on": now, "today": now},
        decided_on=now,
        today=now,
    )
    client.force_login(cast.staff_a)
    url = reverse("cases:denunciation_list")
    overdue = client.get(url, {"deadline": "overdue"}).context["rows"]
    assert [d.pk for d, _ in overdue] == [late.pk]
    in_time = client.get(url, {"deadline": "in_time"}).context["rows"]
    assert [d.pk for d, _ in in_time] == [recent.pk]
    received = client.get(url, {"received_after": f"{now:%d/%m/%Y}"}).context["rows"]
    assert [d.pk for d, _ in received] == [recent.pk]
    assert client.get(url, {"organization": tree.a2.pk}).context["rows"][0][0] == recent
    letters = client.get(reverse("cases:letter_list"), {"kind": "petition"})
    assert letters.context["letters"] == []


def test_the_menu_lists_the_four_records(client, cast):
    client.force_login(cast.staff_a)
    body = client.get(reverse("cases:list")).content.decode()
    for noun in ("letter", "denunciation", "complaint", "suspension"):
        assert reverse(f"cases:{noun}_list") in body
