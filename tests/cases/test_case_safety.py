"""Acting safely on cases: every one-way step is confirmed and says what follows; a
cancelled case is reopened by an administrator of its unit with a reason kept in the
history; one path to "Đã kết luận"; the warnings a careful colleague gives (saved anyway
only when the user says so); the defaults that save typing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseSubject, DisciplineDecision, Letter
from ktgs import services as ktgs_services
from ktgs.models import Role
from plans.models import Body, DecidingBody
from tests.cases.factories import YEAR, advance, concluded, doc_number, letter, record
from tests.factories import UserFactory

S = Case.Status
F = DisciplineDecision.Form
MEMBER = {"kind": "member", "member_name": "Phạm Văn Mẫu", "member_position": "Đảng viên"}


def status_url(case):
    return reverse("cases:status", args=[case.pk])


def reopen_url(case):
    return reverse("cases:reopen", args=[case.pk])


@pytest.fixture
def unit_admin(tree):
    """An administrator of Đảng ủy Khối A (the unit that owns A1's cases)."""
    person = UserFactory(username="admin_a")
    ktgs_services.grant_role(user=person, organization=tree.a, kind=Role.Kind.ADMIN)
    return person


def cancelled(user, unit, *statuses) -> Case:
    return advance(user, record(user, unit), *statuses, S.CANCELLED)


# Confirmation of every one-way step.


def test_cancelling_from_the_case_page_asks_first_and_says_what_follows(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a1), S.DECIDED)
    client.force_login(cast.staff_a)
    response = client.post(status_url(case), {"status": S.CANCELLED, "version": case.version})
    assert response.status_code == 200
    assert response.templates[0].name == "cases/case_confirm.html"
    body = response.content.decode()
    assert "Hủy cuộc kiểm tra, giám sát này?" in body
    assert "Cuộc này sẽ không còn được tính vào chỉ tiêu." in body
    assert 'name="confirmed" value="on"' in body
    assert Case.objects.get(pk=case.pk).status == S.DECIDED


def test_the_confirmed_cancellation_cancels_and_keeps_its_reason(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a1), S.DECIDED)
    client.force_login(cast.staff_a)
    response = client.post(
        status_url(case),
        {
            "status": S.CANCELLED,
            "version": case.version,
            "confirmed": "on",
            "reason": "Đơn vị đã giải thể",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CANCELLED
    entry = services.case_history(case)[0]
    assert entry["reason"] == "Đơn vị đã giải thể"
    assert entry["changes"][0].new == "Đã hủy"


@pytest.mark.parametrize(
    ("path", "new", "words"),
    [
        ([], S.DECIDED, "Cuộc này sẽ không trở lại “Dự thảo” được nữa."),
        ([S.DECIDED], S.IN_PROGRESS, "Cuộc này sẽ không trở lại “Đã có quyết định” được nữa."),
        (None, S.CLOSED, "Kết luận sẽ không sửa được nữa; cuộc vẫn được tính vào chỉ tiêu."),
    ],
)
def test_every_step_offered_on_the_page_goes_through_its_confirmation(
    client, cast, tree, path, new, words
):
    if path is None:
        case = concluded(cast.staff_a, tree.a1)
    else:
        case = advance(cast.staff_a, record(cast.staff_a, tree.a1), *path)
    client.force_login(cast.staff_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'name="status" value="{new}"' in page
    asked = client.post(status_url(case), {"status": new, "version": case.version})
    assert asked.status_code == 200
    assert words in asked.content.decode()
    assert Case.objects.get(pk=case.pk).status == case.status
    done = client.post(
        status_url(case), {"status": new, "version": case.version, "confirmed": "on"}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == new


def test_a_reason_too_long_is_said_on_the_confirmation_page(client, cast, tree):
    case = record(cast.staff_a, tree.a1)
    client.force_login(cast.staff_a)
    response = client.post(
        status_url(case),
        {"status": S.CANCELLED, "version": 1, "confirmed": "on", "reason": "x" * 101},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert Case.objects.get(pk=case.pk).status == S.DRAFT


def test_a_letter_action_needs_the_confirmation_step(client, cast, tree, deadline_rules):
    received = letter(cast.staff_a, tree.a1, kind=Letter.Kind.PETITION)
    client.force_login(cast.staff_a)
    page = client.get(reverse("cases:letter_detail", args=[received.pk])).content.decode()
    assert "Tôi xác nhận" in page
    assert "Đơn được ghi là đã xử lý và không còn chờ xử lý; không hoàn tác được." in page
    url = reverse("cases:letter_keep", args=[received.pk])
    data = {"keep-version": received.version, "keep-handled_on": "05/04/2025"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["action_forms"]["keep"].errors["confirmed"] == [
        "Hãy đánh dấu “Tôi xác nhận” để thực hiện bước này."
    ]
    assert Letter.objects.get(pk=received.pk).handling == Letter.Handling.PENDING
    done = client.post(url, {**data, "keep-confirmed": "on"})
    assert done.status_code == 302
    assert Letter.objects.get(pk=received.pk).handling == Letter.Handling.KEPT


def test_the_first_conclusion_needs_the_confirmation_step(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a1), S.DECIDED, S.IN_PROGRESS)
    client.force_login(cast.staff_a)
    url = reverse("cases:conclude", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Cuộc này sẽ được tính vào chỉ tiêu từ ngày thông báo kết luận." in page
    data = {"version": case.version, "concluded_on": "15/04/2025", "violation_found": "false"}
    refused = client.post(url, data)
    assert refused.context["form"].errors["confirmed"]
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS
    assert client.post(url, {**data, "confirmed": "on"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == S.CONCLUDED


def test_correcting_a_conclusion_asks_no_confirmation(client, cast, tree):
    case = concluded(cast.staff_a, tree.a1)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:conclude", args=[case.pk]),
        {"version": case.version, "concluded_on": "16/04/2025", "summary": "Sửa"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "Sửa"


# Undo: reopening a cancelled case.


def test_an_admin_of_the_unit_reopens_a_cancelled_case_with_a_reason(
    client, tree, cast, unit_admin
):
    case = cancelled(cast.staff_a, tree.a1, S.DECIDED, S.IN_PROGRESS)
    client.force_login(unit_admin)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reopen_url(case) in page
    form_page = client.get(reopen_url(case)).content.decode()
    assert "Cuộc trở lại trạng thái “Đang tiến hành” như trước khi hủy." in form_page
    response = client.post(
        reopen_url(case),
        {"version": case.version, "reason": "Hủy nhầm cuộc", "confirmed": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    latest = services.case_history(case)[0]
    assert latest["reason"] == "Hủy nhầm cuộc"
    assert latest["user"] == unit_admin
    shown = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Lý do: Hủy nhầm cuộc" in shown


def test_reopening_needs_a_reason_and_the_confirmation(client, tree, cast, unit_admin):
    case = cancelled(cast.staff_a, tree.a1)
    client.force_login(unit_admin)
    response = client.post(reopen_url(case), {"version": case.version, "reason": "  "})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["reason"] == ["Hãy nhập lý do mở lại."]
    assert errors["confirmed"] == ["Hãy đánh dấu “Tôi xác nhận” để thực hiện bước này."]
    assert Case.objects.get(pk=case.pk).status == S.CANCELLED


@pytest.mark.parametrize("who", ["staff_a", "leader_p", "leader_b", "outsider"])
def test_only_an_administrator_reopens(client, tree, cast, who):
    case = cancelled(cast.staff_a, tree.a1)
    client.force_login(getattr(cast, who))
    detail = client.get(reverse("cases:detail", args=[case.pk]))
    if detail.status_code == 200:
        assert reopen_url(case) not in detail.content.decode()
    assert client.get(reopen_url(case)).status_code == 404
    response = client.post(
        reopen_url(case), {"version": case.version, "reason": "Thử", "confirmed": "on"}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).status == S.CANCELLED


def test_the_service_refuses_a_staff_member_and_a_case_not_cancelled(tree, cast, unit_admin):
    case = cancelled(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.reopen_case(user=cast.staff_a, case=case, version=case.version, reason="Thử")
    assert error.value.messages == ["Chỉ quản trị viên của đơn vị mới mở lại được cuộc đã hủy."]
    running = advance(cast.staff_a, record(cast.staff_a, tree.a1), S.DECIDED)
    with pytest.raises(ValidationError) as error:
        services.reopen_case(user=unit_admin, case=running, version=running.version, reason="x")
    assert error.value.message_dict["status"] == [
        "Chỉ mở lại được cuộc đã hủy; cuộc này đang “Đã có quyết định”."
    ]


def test_reopening_respects_the_record_lock_of_the_denunciation_it_handles(
    tree, cast, unit_admin, deadline_rules
):
    opened = services.open_denunciation(
        user=cast.staff_a,
        letter=None,
        body=Body.INSPECTION_COMMISSION,
        today=datetime.date(YEAR, 12, 31),
        organization=tree.a1,
        received_on=datetime.date(YEAR, 8, 1),
        accused=dict(MEMBER),
        decision_number=doc_number(),
        decided_on=datetime.date(YEAR, 8, 4),
    )
    case = advance(cast.staff_a, opened.case, S.CANCELLED)
    services.lock_records(
        key="period_report:1",
        organization=tree.a,
        starts_on=datetime.date(YEAR, 1, 1),
        ends_on=datetime.date(YEAR, 9, 30),
        report="Báo cáo 9 tháng",
    )
    with pytest.raises(ValidationError) as error:
        services.reopen_case(user=unit_admin, case=case, version=case.version, reason="Nhầm")
    assert "Báo cáo 9 tháng" in error.value.messages[0]
    assert Case.objects.get(pk=case.pk).status == S.CANCELLED


# One path to conclude.


def test_a_case_in_progress_offers_the_conclusion_form_not_a_status_button(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a1), S.DECIDED, S.IN_PROGRESS)
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert [value for value, _ in response.context["next_statuses"]] == [S.CANCELLED]
    body = response.content.decode()
    assert "Chuyển sang “Đã kết luận”" not in body
    assert reverse("cases:conclude", args=[case.pk]) in body


def test_the_concluded_status_posted_leads_to_the_conclusion_form(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a1), S.DECIDED, S.IN_PROGRESS)
    client.force_login(cast.staff_a)
    response = client.post(
        status_url(case), {"status": S.CONCLUDED, "version": case.version, "confirmed": "on"}
    )
    assert response.status_code == 302
    assert response.url == reverse("cases:conclude", args=[case.pk])
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS


# Warnings: shown after the save attempt, saved only with "vẫn lưu".


def test_a_conclusion_dated_in_the_future_is_warned_then_saved_anyway(client, cast, tree):
    today = timezone.localdate()
    case = record(
        cast.staff_a,
        tree.a1,
        year=today.year,
        decided_on=today - datetime.timedelta(days=20),
        work_starts_on=today - datetime.timedelta(days=10),
        work_ends_on=today - datetime.timedelta(days=5),
    )
    case = advance(cast.staff_a, case, S.DECIDED, S.IN_PROGRESS)
    later = today + datetime.timedelta(days=30)
    client.force_login(cast.staff_a)
    url = reverse("cases:conclude", args=[case.pk])
    data = {"version": case.version, "concluded_on": later.strftime("%d/%m/%Y"), "confirmed": "on"}
    warned = client.post(url, data)
    assert warned.status_code == 200
    assert warned.context["warnings"] == [
        f"Ngày thông báo kết luận {later:%d/%m/%Y} là một ngày trong tương lai: cuộc sẽ chỉ "
        "được tính vào chỉ tiêu từ ngày đó."
    ]
    assert "Tôi đã xem các cảnh báo và vẫn lưu" in warned.content.decode()
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS
    saved = client.post(url, {**data, "save_anyway": "on"})
    assert saved.status_code == 302
    assert Case.objects.get(pk=case.pk).concluded_on == later


def test_a_conclusion_dated_today_or_before_is_not_warned(cast, tree):
    today = timezone.localdate()
    assert services.conclusion_warnings(today, today) == []
    assert services.conclusion_warnings(today - datetime.timedelta(days=1), today) == []
    assert len(services.conclusion_warnings(today + datetime.timedelta(days=1), today)) == 1


def test_in_progress_before_the_working_period_is_warned_on_the_confirmation(client, cast, tree):
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=14)
    case = record(
        cast.staff_a,
        tree.a1,
        year=today.year,
        decided_on=today,
        work_starts_on=starts,
        work_ends_on=starts + datetime.timedelta(days=10),
    )
    case = advance(cast.staff_a, case, S.DECIDED)
    client.force_login(cast.staff_a)
    asked = client.post(status_url(case), {"status": S.IN_PROGRESS, "version": case.version})
    body = asked.content.decode()
    assert (
        f"Thời gian làm việc bắt đầu từ {starts:%d/%m/%Y}: hôm nay cuộc này chưa đến ngày "
        "tiến hành." in body
    )
    assert "Vẫn chuyển sang “Đang tiến hành”" in body
    done = client.post(
        status_url(case), {"status": S.IN_PROGRESS, "version": case.version, "confirmed": "on"}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS


def test_in_progress_within_the_working_period_is_not_warned(cast, tree):
    case = record(cast.staff_a, tree.a1)  # work starts 10/03/2025
    assert services.status_warnings(case, S.IN_PROGRESS, datetime.date(YEAR, 3, 10)) == []
    assert len(services.status_warnings(case, S.IN_PROGRESS, datetime.date(YEAR, 3, 9))) == 1
    assert services.status_warnings(case, S.CANCELLED, datetime.date(YEAR, 3, 9)) == []


def discipline_data(**overrides):
    data = {
        "form": F.EXPULSION,
        "decision_number": doc_number(),
        "decided_on": "10/05/2025",
        "deciding_body": DecidingBody.CELL,
        "confirmed": "on",
    }
    data.update(overrides)
    return data


def test_a_discipline_by_a_body_without_authority_is_warned_then_saved_anyway(client, cast, tree):
    case = concluded(cast.staff_a, tree.a1a, body=Body.CELL, subjects=[MEMBER])
    subject = case.subjects.get()
    client.force_login(cast.staff_a)
    url = reverse("cases:discipline", args=[case.pk, subject.pk])
    data = discipline_data(deciding_organization=tree.a1a.pk)
    warned = client.post(url, data)
    assert warned.status_code == 200
    assert warned.context["warnings"] == [
        "Chi bộ chỉ quyết định khiển trách, cảnh cáo đảng viên; hình thức “Khai trừ” do cấp "
        "ủy hoặc ủy ban kiểm tra cấp trên quyết định."
    ]
    assert not DisciplineDecision.objects.exists()
    saved = client.post(url, {**data, "save_anyway": "on"})
    assert saved.status_code == 302
    assert DisciplineDecision.objects.get().form == F.EXPULSION


def test_a_discipline_within_authority_is_saved_at_once(client, cast, tree):
    case = concluded(cast.staff_a, tree.a1a, body=Body.CELL, subjects=[MEMBER])
    subject = case.subjects.get()
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:discipline", args=[case.pk, subject.pk]),
        discipline_data(form=F.WARNING, deciding_organization=tree.a1a.pk),
    )
    assert response.status_code == 302
    assert DisciplineDecision.objects.get().form == F.WARNING


def test_the_authority_rules(tree):
    member = CaseSubject(kind=CaseSubject.Kind.MEMBER, member_name="Phạm Văn Mẫu")
    unit = CaseSubject(kind=CaseSubject.Kind.ORGANIZATION, organization=tree.a1a)
    sibling = CaseSubject(kind=CaseSubject.Kind.ORGANIZATION, organization=tree.a2)

    def warned(subject, form, organization, body):
        return services.discipline_warnings(
            subject=subject, form=form, deciding_organization=organization, deciding_body=body
        )

    assert warned(member, F.WARNING, tree.a1a, DecidingBody.CELL) == []
    assert warned(member, F.EXPULSION, tree.a1, DecidingBody.INSPECTION_COMMISSION) == []
    assert warned(unit, F.DISSOLUTION, tree.a1, DecidingBody.COMMITTEE) == []
    assert warned(member, F.WARNING, tree.a1, DecidingBody.CELL) == [
        "Đảng bộ cơ sở A1 không phải là chi bộ: hãy chọn cơ quan quyết định khác."
    ]
    assert warned(member, F.WARNING, tree.a1a, DecidingBody.INSPECTION_COMMISSION) == [
        "Chi bộ A1a không có ủy ban kiểm tra (ủy ban kiểm tra có từ cấp cơ sở trở lên)."
    ]
    assert "Chi bộ không có thẩm quyền kỷ luật tổ chức đảng." in warned(
        unit, F.WARNING, tree.a1a, DecidingBody.CELL
    )
    assert warned(sibling, F.WARNING, tree.a1, DecidingBody.COMMITTEE) == [
        "Đảng bộ cơ sở A1 không phải là cấp trên của Chi bộ cơ sở A2: kỷ luật tổ chức đảng do "
        "tổ chức đảng cấp trên quyết định."
    ]
    assert warned(unit, F.DISSOLUTION, tree.a1, DecidingBody.INSPECTION_COMMISSION) == [
        "Giải tán tổ chức đảng do cấp ủy cấp trên quyết định; ủy ban kiểm tra chỉ khiển trách, "
        "cảnh cáo tổ chức đảng cấp dưới."
    ]


# Defaults that save typing.


def test_the_new_case_form_starts_on_this_year_and_the_users_one_unit(client, cast, tree):
    client.force_login(cast.staff_a)
    form = client.get(reverse("cases:create")).context["form"]
    assert form["year"].value() == timezone.localdate().year
    assert form.picked_organization == tree.a
    assert 'textarea name="title"' in client.get(reverse("cases:create")).content.decode()


def test_a_user_with_two_units_picks_the_unit(client, cast, tree):
    ktgs_services.grant_role(user=cast.staff_a, organization=tree.b1, kind=Role.Kind.STAFF)
    client.force_login(cast.staff_a)
    form = client.get(reverse("cases:create")).context["form"]
    assert form.picked_organization is None


def form_data(unit, **overrides):
    data = {
        "organization": unit.pk,
        "body": Body.INSPECTION_COMMISSION,
        "kind": "inspection_compliance",
        "title": "Kiểm tra việc chấp hành\r\nquy chế làm việc",
        "year": YEAR,
        "target": "arising",
        "targets_seen": "",
        "decision_number": "",
        "decided_on": "",
        "work_starts_on": "",
        "work_ends_on": "",
        "subjects-TOTAL_FORMS": 0,
        "subjects-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_a_case_saved_with_its_decision_starts_as_decided(client, cast, tree):
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        form_data(tree.a1, decision_number="41-QĐ/ĐUK", decided_on="03/03/2025"),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == S.DECIDED
    assert case.title == "Kiểm tra việc chấp hành\nquy chế làm việc"


def test_a_case_saved_without_its_decision_is_a_draft_until_edited_with_it(client, cast, tree):
    client.force_login(cast.staff_a)
    client.post(reverse("cases:create"), form_data(tree.a1, decided_on="03/03/2025"))
    case = Case.objects.get()
    assert case.status == S.DRAFT
    response = client.post(
        reverse("cases:edit", args=[case.pk]),
        form_data(
            tree.a1, version=case.version, decision_number="42-QĐ/ĐUK", decided_on="03/03/2025"
        ),
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == S.DECIDED
