"""Each service of cases.services does its write and records who did it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, CaseSubject, DisciplineDecision
from plans.models import ActivityKind, Body
from tests.cases.factories import YEAR, advance, concluded, doc_number, make_target, record

S = Case.Status


def test_record_case_saves_the_case_and_its_subjects(
    cast, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        case = record(
            cast.staff_a,
            tree.a,
            decision_number="12-QĐ/ĐUK",
            subjects=[
                {"kind": "organization", "organization": tree.a1},
                {
                    "kind": "member",
                    "member_name": "Nguyễn Văn Thử",
                    "member_position": "Bí thư",
                    "is_committee_member": True,
                    "is_head": True,
                },
            ],
        )
    assert case.status == S.DRAFT and case.version == 1
    assert (case.decision_serial, case.decision_issuer) == ("12", "ĐUK")
    assert case.created_by == cast.staff_a
    assert [s.kind for s in case.subjects.order_by("pk")] == ["organization", "member"]
    assert case.history.get().history_user == cast.staff_a
    assert len(callbacks) == 1  # the progress refresh, enqueued on commit


def test_record_case_refuses_a_unit_outside_the_users_reach(cast, tree):
    with pytest.raises(ValidationError) as error:
        record(cast.staff_a, tree.b)
    assert "organization" in error.value.message_dict


def test_update_case_changes_fields_and_bumps_the_version(cast, tree):
    case = record(cast.staff_a, tree.a)
    updated = services.update_case(
        user=cast.staff_a,
        case=case,
        version=1,
        title="Nội dung mới",
        work_ends_on=datetime.date(YEAR, 3, 25),
    )
    assert updated.version == 2
    case.refresh_from_db()
    assert case.title == "Nội dung mới" and case.work_ends_on == datetime.date(YEAR, 3, 25)
    assert case.history.latest().history_user == cast.staff_a


def test_update_case_with_nothing_changed_writes_nothing(cast, tree):
    case = record(cast.staff_a, tree.a)
    services.update_case(user=cast.staff_a, case=case, version=1, title=case.title)
    assert case.history.count() == 1


def test_change_status_moves_the_case_and_enqueues_a_refresh(
    cast, tree, django_capture_on_commit_callbacks
):
    case = record(cast.staff_a, tree.a)
    with django_capture_on_commit_callbacks() as callbacks:
        case = services.change_status(user=cast.staff_a, case=case, status=S.DECIDED, version=1)
    assert case.status == S.DECIDED and case.version == 2
    assert len(callbacks) == 1


def test_conclude_case_records_the_conclusion(cast, tree):
    case = concluded(cast.staff_a, tree.a)
    case.refresh_from_db()
    assert case.status == S.CONCLUDED
    assert case.concluded_on == datetime.date(YEAR, 4, 15)
    assert case.shortcomings_found is True and case.violation_found is False
    assert case.counts_toward_completion


def test_add_update_and_remove_subject(cast, tree):
    case = record(cast.staff_a, tree.a)
    subject = services.add_subject(
        user=cast.staff_a,
        case=case,
        version=1,
        kind="member",
        member_name="Trần Thị Mẫu",
        member_position="Chi ủy viên",
    )
    assert Case.objects.get(pk=case.pk).version == 2
    services.update_subject(user=cast.staff_a, subject=subject, is_committee_member=True)
    subject.refresh_from_db()
    assert subject.is_committee_member
    services.remove_subject(user=cast.staff_a, subject=subject)
    assert not CaseSubject.objects.filter(pk=subject.pk).exists()
    assert Case.objects.get(pk=case.pk).version == 4


def test_organization_subject_keeps_no_member_data(cast, tree):
    case = record(cast.staff_a, tree.a)
    subject = services.add_subject(
        user=cast.staff_a,
        case=case,
        kind="organization",
        organization=tree.a2,
        member_name="bỏ qua",
    )
    assert subject.member_name == ""


def test_add_discipline_on_a_concluded_case(cast, tree):
    case = concluded(
        cast.staff_a,
        tree.a,
        subjects=[{"kind": "member", "member_name": "Lê Văn Giả", "is_committee_member": True}],
    )
    subject = case.subjects.get()
    decision = services.add_discipline(
        user=cast.staff_a,
        case=case,
        subject=subject,
        form=DisciplineDecision.Form.WARNING,
        decision_number=doc_number(),
        decided_on=datetime.date(YEAR, 5, 2),
        deciding_organization=tree.a,
        deciding_body=Body.INSPECTION_COMMISSION,
    )
    assert decision.is_committee_member is True  # taken from the subject
    assert decision.history.get().history_user == cast.staff_a


def test_add_discipline_before_the_conclusion_is_refused(cast, tree):
    case = record(cast.staff_a, tree.a, subjects=[{"kind": "member", "member_name": "Lê Văn Giả"}])
    with pytest.raises(ValidationError) as error:
        services.add_discipline(
            user=cast.staff_a,
            case=case,
            subject=case.subjects.get(),
            form=DisciplineDecision.Form.WARNING,
            decision_number=doc_number(),
            decided_on=datetime.date(YEAR, 5, 2),
            deciding_organization=tree.a,
            deciding_body=Body.INSPECTION_COMMISSION,
        )
    assert "kết luận" in error.value.message_dict["form"][0]


def test_record_case_proposes_the_target_automatically(cast, tree):
    target = make_target(tree.a1, kind=ActivityKind.INSPECTION_FINANCE)
    case = record(cast.staff_a, tree.a1, kind=ActivityKind.INSPECTION_FINANCE, target=services.AUTO)
    assert case.target == target and not case.is_arising


def test_record_case_with_target_none_is_arising(cast, tree):
    make_target(tree.a1)
    case = record(cast.staff_a, tree.a1, target=None)
    assert case.is_arising


def test_advance_through_every_state(cast, tree):
    case = concluded(cast.staff_a, tree.a)
    case = advance(cast.staff_a, case, S.CLOSED)
    assert case.status == S.CLOSED
    assert [h.status for h in case.history.order_by("history_date")] == [
        S.DRAFT,
        S.DECIDED,
        S.IN_PROGRESS,
        S.CONCLUDED,
        S.CLOSED,
    ]
