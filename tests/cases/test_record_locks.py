"""An approved report's records cannot change: a change to a record that a locked report
counted is refused with a message naming the report (no field: the whole record), and
nothing is written; a later act that changes no locked figure goes through. The locks
are made here with cases.services.lock_records, as the approval in reports makes them:
the 9-month report of Đảng ủy Khối A (A), which counts A's subtree (A1, A1a, A2)."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from cases import services
from cases.models import (
    Case,
    CaseSubject,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    RecordLock,
    Suspension,
)
from plans.models import ActivityKind, Body
from tests.cases.factories import (
    TODAY,
    YEAR,
    advance,
    complaint,
    denunciation,
    disciplined,
    doc_number,
    letter,
    record,
    suspension,
)
from tests.factories import UserFactory

D = datetime.date
pytestmark = pytest.mark.usefixtures("deadline_rules")

REPORT = "Báo cáo 9 tháng năm 2025 – Đảng ủy Khối A"
MEMBER = {"kind": "member", "member_name": "Phạm Văn Khóa", "member_position": "Chuyên viên"}


def lock(unit, *, key="period_report:1", report=REPORT):
    return services.lock_records(
        key=key,
        organization=unit,
        starts_on=D(YEAR, 1, 1),
        ends_on=D(YEAR, 9, 30),
        report=report,
    )


@pytest.fixture
def locked(tree):
    """The 9-month report of A, approved."""
    return lock(tree.a)


def _state(record) -> tuple:
    """The row as stored and its history."""
    row = type(record).objects.filter(pk=record.pk).values().first()
    return row, record.history.count()


def assert_refused(call, *records, report=REPORT):
    """`call` is refused with the report's name and no field, and `records` (rows and
    their history) are unchanged."""
    before = [_state(record) for record in records]
    with pytest.raises(ValidationError) as raised:
        call()
    assert not hasattr(raised.value, "error_dict"), "a refusal of the whole record"
    assert raised.value.code == "locked"
    assert report in raised.value.messages[0]
    assert "01/01/2025 – 30/09/2025" in raised.value.messages[0]
    assert [_state(record) for record in records] == before


def in_progress(user, unit, **fields) -> Case:
    case = record(user, unit, subjects=[MEMBER], **fields)
    return advance(user, case, Case.Status.DECIDED, Case.Status.IN_PROGRESS)


def conclude(user, case: Case, on: datetime.date, **fields) -> Case:
    values: dict[str, Any] = {
        "conclusion_number": doc_number("TB"),
        "violation_found": True,
        "shortcomings_found": True,
        "summary": "Có vi phạm.",
    }
    values.update(fields)
    return services.conclude_case(
        user=user, case=case, version=case.version, concluded_on=on, **values
    )


def concluded_on(user, unit, day: datetime.date) -> Case:
    return conclude(user, in_progress(user, unit), day)


# Cases.


def test_the_subjects_of_a_case_concluded_in_august_cannot_change(cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    subject = case.subjects.get()
    lock(tree.a)
    assert_refused(
        lambda: services.add_subject(
            user=cast.staff_a, case=case, version=case.version, kind="member", member_name="Mới"
        ),
        case,
    )
    assert_refused(
        lambda: services.update_subject(
            user=cast.staff_a, subject=subject, version=case.version, is_committee_member=True
        ),
        case,
        subject,
    )
    assert_refused(
        lambda: services.remove_subject(user=cast.staff_a, subject=subject, version=case.version),
        case,
        subject,
    )
    assert CaseSubject.objects.filter(case=case).count() == 1


def test_a_conclusion_backdated_into_the_locked_period_is_refused(cast, tree, locked):
    case = in_progress(cast.staff_a, tree.a1)
    assert_refused(lambda: conclude(cast.staff_a, case, D(YEAR, 9, 10)), case)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS


def test_a_case_decided_in_march_is_concluded_in_november(cast, tree, locked):
    case = in_progress(cast.staff_a, tree.a1)
    done = conclude(cast.staff_a, case, D(YEAR, 11, 5))
    assert done.status == Case.Status.CONCLUDED and done.concluded_on == D(YEAR, 11, 5)
    # Adding a subject to a case counted in November only is free too.
    services.add_subject(user=cast.staff_a, case=done, version=done.version, **MEMBER)
    assert done.subjects.count() == 2


def test_the_conclusion_of_a_counted_case_cannot_be_corrected_but_it_may_close(cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    lock(tree.a)
    # Moving it out of the period changes the report as much as changing its findings.
    assert_refused(lambda: conclude(cast.staff_a, case, D(YEAR, 10, 20)), case)
    assert_refused(
        lambda: conclude(cast.staff_a, case, D(YEAR, 8, 20), violation_found=False), case
    )
    # Closed counts as concluded does, from the same day: no figure changes.
    closed = advance(cast.staff_a, case, Case.Status.CLOSED)
    assert closed.status == Case.Status.CLOSED


def test_what_a_report_counts_of_a_case_cannot_change_but_its_title_can(cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    lock(tree.a)
    for change in (
        {"kind": ActivityKind.SUPERVISION_THEMATIC},
        {"body": Body.COMMITTEE},
        {"organization": tree.b},
    ):
        assert_refused(
            lambda change=change: services.update_case(
                user=cast.admin, case=case, version=case.version, **change
            ),
            case,
        )
    edited = services.update_case(
        user=cast.staff_a, case=case, version=case.version, title="Tên mới của cuộc"
    )
    assert edited.title == "Tên mới của cuộc"


def test_a_case_moved_into_a_locked_subtree_is_refused(cast, tree, locked):
    case = concluded_on(cast.admin, tree.b, D(YEAR, 8, 20))
    assert_refused(
        lambda: services.update_case(
            user=cast.admin, case=case, version=case.version, organization=tree.a2
        ),
        case,
    )


def test_a_draft_or_a_case_under_way_is_free(cast, tree, locked):
    case = in_progress(cast.staff_a, tree.a1)
    case = services.update_case(
        user=cast.staff_a, case=case, version=case.version, kind=ActivityKind.SUPERVISION_THEMATIC
    )
    services.add_subject(user=cast.staff_a, case=case, version=case.version, **MEMBER)
    cancelled = advance(cast.staff_a, Case.objects.get(pk=case.pk), Case.Status.CANCELLED)
    assert cancelled.status == Case.Status.CANCELLED


# Discipline.


def test_discipline_dated_in_the_locked_period_is_refused_and_later_goes_through(cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    subject = case.subjects.get()
    lock(tree.a)

    def discipline(on):
        return services.add_discipline(
            user=cast.staff_a,
            case=case,
            subject=subject,
            form=DisciplineDecision.Form.WARNING,
            decision_number=doc_number(),
            decided_on=on,
            deciding_organization=tree.a1,
            deciding_body=Body.INSPECTION_COMMISSION,
        )

    assert_refused(lambda: discipline(D(YEAR, 9, 1)), case, subject)
    assert not DisciplineDecision.objects.exists()
    assert discipline(D(YEAR, 11, 1)).decided_on == D(YEAR, 11, 1)


def test_removing_a_subject_removes_no_counted_discipline(cast, tree):
    decision = disciplined(cast.staff_a, tree.a1)  # case concluded 15/04, decided 10/04
    lock(tree.a)
    subject = decision.subject
    assert_refused(
        lambda: services.remove_subject(user=cast.staff_a, subject=subject, version=None),
        subject,
        decision,
    )


# Letters.


def test_a_letter_received_in_the_locked_period_cannot_be_recorded(cast, tree, locked):
    before = Letter.objects.count()
    assert_refused(lambda: letter(cast.staff_a, tree.a1, received_on=D(YEAR, 8, 1)))
    assert Letter.objects.count() == before
    assert letter(cast.staff_a, tree.a1, received_on=D(YEAR, 10, 1)).pk


def test_a_counted_letter_keeps_its_kind_but_its_summary_may_be_corrected(cast, tree):
    received = letter(cast.staff_a, tree.a1)  # received 01/03
    lock(tree.a)
    assert_refused(
        lambda: services.update_letter(
            user=cast.staff_a,
            letter=received,
            version=received.version,
            today=TODAY,
            kind=Letter.Kind.PETITION,
        ),
        received,
    )
    corrected = services.update_letter(
        user=cast.staff_a,
        letter=received,
        version=received.version,
        today=TODAY,
        summary="Tố cáo vi phạm quy định về quản lý tài sản.",
    )
    assert corrected.version == received.version + 1


def test_a_counted_letter_is_kept_later_not_backdated(cast, tree):
    received = letter(cast.staff_a, tree.a1, kind=Letter.Kind.PETITION)
    lock(tree.a)
    assert_refused(
        lambda: services.keep_letter(
            user=cast.staff_a, letter=received, on=D(YEAR, 9, 5), version=received.version
        ),
        received,
    )
    kept = services.keep_letter(
        user=cast.staff_a, letter=received, on=D(YEAR, 11, 5), version=received.version
    )
    assert kept.handling == Letter.Handling.KEPT


def test_a_letter_forwarded_into_the_locked_period_is_refused(cast, tree):
    received = letter(cast.admin, tree.b, kind=Letter.Kind.PETITION)
    lock(tree.a)
    # B is not locked, but A1 would receive it on a day A's report counted.
    assert_refused(
        lambda: services.forward_letter(
            user=cast.admin, letter=received, to=tree.a1, on=D(YEAR, 9, 5), version=1
        ),
        received,
    )
    assert Letter.objects.count() == 1
    copy = services.forward_letter(
        user=cast.admin, letter=received, to=tree.a1, on=D(YEAR, 10, 5), version=1
    )
    assert copy.organization == tree.a1


# Denunciations.


def open_without_letter(user, unit, received_on):
    return services.open_denunciation(
        user=user,
        letter=None,
        body=Body.INSPECTION_COMMISSION,
        today=TODAY,
        organization=unit,
        received_on=received_on,
        accused=dict(MEMBER),
        decision_number=doc_number(),
        decided_on=received_on + datetime.timedelta(days=3),
    )


def test_a_denunciation_received_in_the_locked_period_cannot_be_opened(cast, tree, locked):
    assert_refused(lambda: open_without_letter(cast.staff_a, tree.a1, D(YEAR, 8, 1)))
    assert not Denunciation.objects.exists() and not Case.objects.exists()


def test_a_deadline_in_the_locked_period_cannot_be_extended_one_after_it_can(cast, tree):
    early = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 6, 1))  # due 30/08
    late = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 8, 1))  # due 30/10
    lock(tree.a)
    assert_refused(
        lambda: services.extend_denunciation(
            user=cast.staff_a, denunciation=early, to=D(YEAR, 9, 20), reason="Xác minh", version=1
        ),
        early,
    )
    extended = services.extend_denunciation(
        user=cast.staff_a, denunciation=late, to=D(YEAR, 11, 20), reason="Xác minh", version=1
    )
    assert extended.deadline == D(YEAR, 11, 20)


def test_a_denunciation_of_august_is_concluded_in_november_not_in_september(cast, tree):
    opened = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 8, 1))
    lock(tree.a)

    def conclude_on(day):
        current = Denunciation.objects.get(pk=opened.pk)
        return services.conclude_denunciation(
            user=cast.staff_a,
            denunciation=current,
            conclusion=Denunciation.Conclusion.TRUE,
            concluded_on=day,
            version=current.version,
        )

    assert_refused(lambda: conclude_on(D(YEAR, 9, 25)), opened, opened.case)
    done = conclude_on(D(YEAR, 11, 25))
    assert done.concluded_on == D(YEAR, 11, 25)
    assert done.case.status == Case.Status.CONCLUDED


def test_the_case_of_a_counted_denunciation_cannot_be_cancelled(cast, tree):
    opened = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 8, 1))
    lock(tree.a)
    case = opened.case
    assert_refused(lambda: advance(cast.staff_a, case, Case.Status.CANCELLED), case, opened)


def test_a_denunciation_opened_from_a_letter_marks_the_letter_by_its_day(cast, tree):
    """The letter of March is handled on `today`: after the period, allowed."""
    opened = denunciation(cast.staff_a, tree.a1)
    lock(tree.a)
    later = letter(cast.staff_a, tree.a1, received_on=D(YEAR, 10, 2))
    assert opened.letter.handling == Letter.Handling.HANDLED_HERE
    services.open_denunciation(
        user=cast.staff_a,
        letter=later,
        body=Body.INSPECTION_COMMISSION,
        today=TODAY,
        version=later.version,
    )
    assert Letter.objects.get(pk=later.pk).handled_on == TODAY


# Complaints.


def test_a_complaint_lodged_in_the_locked_period_is_refused(cast, tree):
    decision = disciplined(cast.staff_a, tree.a1, decided_on=D(YEAR, 9, 1))
    lock(tree.a)
    assert_refused(
        lambda: complaint(
            cast.staff_a,
            decision,
            tree.a,
            decision_received_on=D(YEAR, 9, 3),
            lodged_on=D(YEAR, 9, 20),
            decided_on=D(YEAR, 10, 1),
        ),
        decision,
    )
    assert not DisciplineComplaint.objects.exists()


def test_a_complaint_is_decided_after_the_period_not_inside_it(cast, tree):
    decision = disciplined(cast.staff_a, tree.a1)  # decided 10/04
    lodged = complaint(cast.staff_a, decision, tree.a)  # lodged 30/04, under way
    lock(tree.a)

    def decide(on):
        current = DisciplineComplaint.objects.get(pk=lodged.pk)
        return services.decide_complaint(
            user=cast.staff_a,
            complaint=current,
            result=DisciplineComplaint.Result.ANNULLED,
            decided_on=on,
            version=current.version,
        )

    assert_refused(lambda: decide(D(YEAR, 9, 10)), lodged, lodged.case, decision)
    decided = decide(D(YEAR, 11, 10))
    decision.refresh_from_db()
    assert decided.result == "annulled" and decision.ended_on == D(YEAR, 11, 10)


# Suspensions.


def test_a_suspension_starting_in_the_locked_period_cannot_be_recorded(cast, tree, locked):
    assert_refused(lambda: suspension(cast.staff_a, tree.a1, starts_on=D(YEAR, 8, 1)))
    assert not Suspension.objects.exists()


def test_a_suspension_of_august_is_lifted_and_extended_in_november(cast, tree):
    suspended = suspension(
        cast.staff_a, tree.a1, starts_on=D(YEAR, 8, 1), decided_on=D(YEAR, 8, 1)
    )  # ends 30/10
    lock(tree.a)
    assert_refused(
        lambda: services.lift_suspension(
            user=cast.staff_a,
            suspension=suspended,
            lifted_on=D(YEAR, 9, 15),
            outcome=Suspension.Outcome.REINSTATED,
            version=1,
        ),
        suspended,
    )
    extended = services.extend_suspension(
        user=cast.staff_a, suspension=suspended, to=D(YEAR, 11, 30), reason="Chờ", version=1
    )
    lifted = services.lift_suspension(
        user=cast.staff_a,
        suspension=extended,
        lifted_on=D(YEAR, 11, 10),
        outcome=Suspension.Outcome.REINSTATED,
        version=extended.version,
    )
    assert lifted.lifted_on == D(YEAR, 11, 10) and lifted.ends_on == D(YEAR, 11, 30)


# Which locks hold a record.


def test_a_lock_of_an_ancestor_covers_a_descendants_record(cast, tree):
    received = letter(cast.staff_a, tree.a1a)
    lock(tree.province, report="Báo cáo 9 tháng của Tỉnh ủy")
    assert_refused(
        lambda: services.update_letter(
            user=cast.staff_a, letter=received, version=1, today=TODAY, kind="petition"
        ),
        received,
        report="Báo cáo 9 tháng của Tỉnh ủy",
    )


@pytest.mark.parametrize("holder", ["b", "a1a"])
def test_a_lock_of_a_sibling_or_of_a_child_does_not_hold(cast, tree, holder):
    received = letter(cast.staff_a, tree.a1)
    lock(getattr(tree, holder))
    changed = services.update_letter(
        user=cast.staff_a, letter=received, version=1, today=TODAY, kind="petition"
    )
    assert changed.kind == "petition"


def test_after_the_report_is_reopened_the_change_goes_through(cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    lock(tree.a)
    assert_refused(
        lambda: services.add_subject(user=cast.staff_a, case=case, version=None, **MEMBER), case
    )
    assert services.unlock_records(key="period_report:1") == 1
    services.add_subject(user=cast.staff_a, case=case, version=None, **MEMBER)
    assert case.subjects.count() == 2


def test_a_record_dated_outside_the_period_is_free(cast, tree, locked):
    received = letter(cast.staff_a, tree.a1, received_on=D(YEAR, 10, 5))
    changed = services.update_letter(
        user=cast.staff_a, letter=received, version=1, today=TODAY, kind="petition"
    )
    assert changed.kind == "petition"
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 10, 20))
    services.add_subject(user=cast.staff_a, case=case, version=case.version, **MEMBER)
    assert case.subjects.count() == 2


# The pages and the API: the message at the top of the form, a 400 with no field.


def _top_error(response, form_name=None) -> str:
    assert response.status_code == 200
    form = response.context["action_forms"][form_name] if form_name else response.context["form"]
    return " ".join(form.non_field_errors())


def test_the_case_conclusion_page_shows_the_lock(client, cast, tree, locked):
    case = in_progress(cast.staff_a, tree.a1)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:conclude", args=[case.pk]),
        {
            "version": case.version,
            "concluded_on": "10/09/2025",
            "conclusion_number": "",
            "violation_found": "true",
            "shortcomings_found": "true",
            "summary": "Kết luận lùi ngày",
            "confirmed": "on",
        },
    )
    message = _top_error(response)
    assert REPORT in message and "đã được duyệt" in message
    assert REPORT in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS


def test_the_case_status_page_says_why_the_case_was_not_cancelled(client, cast, tree):
    opened = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 8, 1))
    lock(tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:status", args=[opened.case.pk]),
        {"status": "cancelled", "version": opened.case.version, "confirmed": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert REPORT in " ".join(str(m) for m in response.context["messages"])
    assert Case.objects.get(pk=opened.case.pk).status == Case.Status.IN_PROGRESS


def test_the_letter_page_shows_the_lock(client, cast, tree):
    received = letter(cast.staff_a, tree.a1, kind=Letter.Kind.PETITION)
    lock(tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:letter_keep", args=[received.pk]),
        {"keep-confirmed": "on", "keep-version": received.version, "keep-handled_on": "05/09/2025"},
    )
    assert REPORT in _top_error(response, "keep")
    assert Letter.objects.get(pk=received.pk).handling == Letter.Handling.PENDING


def test_the_denunciation_page_shows_the_lock(client, cast, tree):
    early = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 6, 1))
    lock(tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:denunciation_extend", args=[early.pk]),
        {
            "extend-confirmed": "on",
            "extend-version": early.version,
            "extend-extended_to": "20/09/2025",
            "extend-extension_reason": "Xác minh",
        },
    )
    assert REPORT in _top_error(response, "extend")
    assert Denunciation.objects.get(pk=early.pk).extended_to is None


def test_the_complaint_page_shows_the_lock(client, cast, tree):
    lodged = complaint(cast.staff_a, disciplined(cast.staff_a, tree.a1), tree.a)
    lock(tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:complaint_decide", args=[lodged.pk]),
        {
            "decide-confirmed": "on",
            "decide-version": lodged.version,
            "decide-result": "annulled",
            "decide-decided_on": "10/09/2025",
        },
    )
    assert REPORT in _top_error(response, "decide")
    assert DisciplineComplaint.objects.get(pk=lodged.pk).result == ""


def test_the_suspension_page_shows_the_lock(client, cast, tree):
    suspended = suspension(cast.staff_a, tree.a1, starts_on=D(YEAR, 8, 1))
    lock(tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:suspension_lift", args=[suspended.pk]),
        {
            "lift-confirmed": "on",
            "lift-version": 1,
            "lift-lifted_on": "15/09/2025",
            "lift-outcome": "reinstated",
        },
    )
    assert REPORT in _top_error(response, "lift")
    assert Suspension.objects.get(pk=suspended.pk).lifted_on is None


@pytest.fixture
def api():
    def as_user(user):
        api_client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return as_user


def _refused_by_api(response) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [api_settings.NON_FIELD_ERRORS_KEY]
    assert REPORT in body[api_settings.NON_FIELD_ERRORS_KEY][0]


def test_the_api_refuses_each_kind_of_record_with_a_400(api, cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    kept = letter(cast.staff_a, tree.a1, kind=Letter.Kind.PETITION)
    early = open_without_letter(cast.staff_a, tree.a1, D(YEAR, 6, 1))
    lodged = complaint(cast.staff_a, disciplined(cast.staff_a, tree.a1), tree.a)
    suspended = suspension(cast.staff_a, tree.a1, starts_on=D(YEAR, 8, 1))
    lock(tree.a)
    client = api(cast.staff_a)
    _refused_by_api(
        client.post(
            f"/api/v1/cases/{case.pk}/subjects/",
            {"version": case.version, **MEMBER},
            format="json",
        )
    )
    _refused_by_api(
        client.patch(
            f"/api/v1/letters/{kept.pk}/",
            {"version": kept.version, "kind": "feedback"},
            format="json",
        )
    )
    _refused_by_api(
        client.post(
            f"/api/v1/denunciations/{early.pk}/extend/",
            {"version": early.version, "extended_to": "2025-09-20", "extension_reason": "Lâu"},
            format="json",
        )
    )
    _refused_by_api(
        client.post(
            f"/api/v1/complaints/{lodged.pk}/decide/",
            {"version": lodged.version, "result": "upheld", "decided_on": "2025-09-10"},
            format="json",
        )
    )
    _refused_by_api(
        client.post(
            f"/api/v1/suspensions/{suspended.pk}/lift/",
            {"version": 1, "lifted_on": "2025-09-15", "outcome": "reinstated"},
            format="json",
        )
    )
    assert case.subjects.count() == 1
    assert Letter.objects.get(pk=kept.pk).kind == Letter.Kind.PETITION
    # A change after the period goes through the same endpoint.
    response = client.post(
        f"/api/v1/suspensions/{suspended.pk}/lift/",
        {"version": 1, "lifted_on": "2025-11-15", "outcome": "reinstated"},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_the_admin_lists_the_locks_and_changes_none(client, locked):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:cases_recordlock_changelist"))
    assert listing.status_code == 200 and REPORT in listing.content.decode()
    page = client.get(reverse("admin:cases_recordlock_change", args=[locked.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:cases_recordlock_add")).status_code == 403
    deleted = client.post(
        reverse("admin:cases_recordlock_delete", args=[locked.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert RecordLock.objects.get() == locked


def _form_data(form, prefix: str = "") -> dict:
    """What the browser posts back for a bound-from-initial form: dates as typed."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[prefix + name] = "on"
            continue
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        data[prefix + name] = "" if value is None else value
    return data


def test_the_case_edit_page_shows_a_lock_from_a_new_subject_at_the_top(client, cast, tree):
    case = concluded_on(cast.staff_a, tree.a1, D(YEAR, 8, 20))
    lock(tree.a)
    before = _state(case)
    client.force_login(cast.staff_a)
    page = client.get(reverse("cases:edit", args=[case.pk]))
    formset = page.context["formset"]
    data = _form_data(page.context["form"])
    for index, subject_form in enumerate(formset.forms):
        data.update(_form_data(subject_form, f"subjects-{index}-"))
    new = len(formset.forms)
    data.update(
        {
            "subjects-TOTAL_FORMS": new + 1,
            "subjects-INITIAL_FORMS": formset.initial_form_count(),
            f"subjects-{new}-kind": "member",
            f"subjects-{new}-member_name": "Mới",
        }
    )
    response = client.post(reverse("cases:edit", args=[case.pk]), data)
    message = _top_error(response)
    assert REPORT in message and "đã được duyệt" in message
    assert not [form.errors for form in response.context["formset"].forms if form.errors]
    assert _state(case) == before
