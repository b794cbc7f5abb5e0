"""Opening, concluding and disciplining after a denunciation: a case of kind
denunciation with the accused as its subject, counted like any case; an anonymous or
false-name letter is refused and kept for information; a failure writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, CaseSubject, Denunciation, Letter
from ktgs import versioning
from plans.models import ActivityKind
from reports.queries.records import records
from tests.cases.factories import (
    TODAY,
    YEAR,
    complaint,
    denunciation,
    doc_number,
    letter,
    make_target,
)
from tests.factories import OrganizationFactory

D = datetime.date
pytestmark = pytest.mark.usefixtures("deadline_rules")


def test_opening_records_a_denunciation_case_with_the_accused_and_marks_the_letter(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    case = opened.case
    assert (case.kind, case.organization, case.body) == (
        ActivityKind.DENUNCIATION,
        tree.a1,
        "inspection_commission",
    )
    assert case.status == Case.Status.IN_PROGRESS
    assert case.title == "Giải quyết tố cáo đối với Trần Văn Bị"
    subject = case.subjects.get()
    assert (subject.kind, subject.member_name, subject.member_position) == (
        "member",
        "Trần Văn Bị",
        "Phó Giám đốc",
    )
    received = Letter.objects.get()
    assert (received.handling, received.handled_on) == ("handled_here", TODAY)
    assert opened.letter == received


def test_without_a_decision_the_case_stays_a_draft(cast, tree):
    received = letter(cast.staff_a, tree.a1)
    opened = services.open_denunciation(
        user=cast.staff_a, letter=received, body="inspection_commission", today=D(YEAR, 3, 2)
    )
    assert opened.case.status == Case.Status.DRAFT
    with pytest.raises(ValidationError) as error:
        services.conclude_denunciation(
            user=cast.staff_a,
            denunciation=opened,
            conclusion="true",
            concluded_on=D(YEAR, 5, 1),
            version=opened.version,
        )
    assert list(error.value.message_dict) == ["status"]
    assert Denunciation.objects.get().conclusion == ""


def test_a_denunciation_raised_otherwise_has_no_letter(cast, tree):
    opened = services.open_denunciation(
        user=cast.staff_a,
        letter=None,
        organization=tree.a,
        received_on=D(YEAR, 2, 1),
        accused={"kind": "organization", "organization": tree.a2},
        body="standing_committee",
        today=D(YEAR, 2, 3),
    )
    assert opened.letter is None
    assert opened.due_on == D(YEAR, 5, 2)
    assert opened.case.subjects.get().organization == tree.a2


@pytest.mark.parametrize("sender", ["anonymous", "false_name"])
def test_an_anonymous_or_false_name_denunciation_is_refused_and_can_be_kept(cast, tree, sender):
    received = letter(cast.staff_a, tree.a1, sender_kind=sender, sender_name="Tên bị bỏ")
    assert received.sender_name == ""
    with pytest.raises(ValidationError) as error:
        services.open_denunciation(
            user=cast.staff_a, letter=received, body="inspection_commission", today=TODAY
        )
    assert error.value.message_dict == {
        "sender_kind": [
            "Đơn tố cáo nặc danh, mạo tên không được giải quyết; có thể lưu để tham khảo."
        ]
    }
    assert not Case.objects.exists()
    kept = services.keep_letter(
        user=cast.staff_a, letter=received, on=D(YEAR, 3, 3), version=received.version
    )
    assert (kept.handling, kept.handled_on) == ("kept", D(YEAR, 3, 3))


def test_an_invalid_accused_half_way_writes_nothing(cast, tree):
    gone = OrganizationFactory(parent=tree.a, name="Chi bộ đã giải thể", valid_to=D(2020, 12, 31))
    received = letter(
        cast.staff_a,
        tree.a1,
        about_kind="organization",
        about_organization=gone,
        about_member_name="",
        about_member_position="",
    )
    with pytest.raises(ValidationError) as error:
        services.open_denunciation(
            user=cast.staff_a,
            letter=received,
            body="inspection_commission",
            today=TODAY,
            version=received.version,
            decision_number=doc_number(),
            decided_on=D(YEAR, 3, 5),
        )
    assert error.value.message_dict == {
        "about_organization": ["Chi bộ đã giải thể không tồn tại vào 05/03/2025."]
    }
    assert not Case.objects.exists()
    assert not CaseSubject.objects.exists()
    assert not Denunciation.objects.exists()
    unchanged = Letter.objects.get()
    assert (unchanged.handling, unchanged.version) == ("pending", received.version)


def test_a_party_board_does_not_settle_a_denunciation(cast, tree):
    received = letter(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.open_denunciation(
            user=cast.staff_a, letter=received, body="party_boards", today=TODAY
        )
    assert list(error.value.message_dict) == ["body"]
    assert not Case.objects.exists()


def test_a_letter_handled_already_is_not_opened_twice(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.open_denunciation(
            user=cast.staff_a, letter=opened.letter, body="inspection_commission", today=TODAY
        )
    assert list(error.value.message_dict) == ["handling"]
    assert Case.objects.count() == 1


def test_concluding_concludes_the_case_which_counts_toward_its_target(cast, tree):
    target = make_target(tree.a1, kind=ActivityKind.DENUNCIATION)
    opened = denunciation(cast.staff_a, tree.a1)
    assert opened.case.target == target
    concluded = services.conclude_denunciation(
        user=cast.staff_a,
        denunciation=opened,
        conclusion="partly_true",
        concluded_on=D(YEAR, 5, 20),
        version=opened.version,
        summary="Tố cáo đúng một phần.",
    )
    case = Case.objects.get()
    assert (concluded.conclusion, concluded.concluded_on) == ("partly_true", D(YEAR, 5, 20))
    assert concluded.case.status == Case.Status.CONCLUDED
    assert case.status == Case.Status.CONCLUDED
    assert case.counts_toward_completion
    assert (case.concluded_on, case.violation_found) == (D(YEAR, 5, 20), True)
    decision = services.add_discipline(
        user=cast.staff_a,
        case=case,
        subject=case.subjects.get(),
        form="reprimand",
        decision_number=doc_number(),
        decided_on=D(YEAR, 6, 1),
        deciding_organization=tree.a1,
        deciding_body="inspection_commission",
    )
    assert decision.subject.member_name == "Trần Văn Bị"


def test_a_stale_conclusion_is_refused(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    services.conclude_denunciation(
        user=cast.staff_a,
        denunciation=opened,
        conclusion="untrue",
        concluded_on=D(YEAR, 5, 20),
        version=1,
    )
    with pytest.raises(versioning.StaleObjectError):
        services.conclude_denunciation(
            user=cast.staff_a,
            denunciation=opened,
            conclusion="true",
            concluded_on=D(YEAR, 5, 21),
            version=1,
        )
    assert Denunciation.objects.get().conclusion == "untrue"
    assert Case.objects.get().violation_found is False


def test_the_case_of_a_denunciation_or_a_complaint_keeps_its_kind(cast, tree):
    """The case is the handling: the records count its denunciation (read through the
    cases of that kind) and the targets count it under that kind, so a change of kind is
    refused on the field, and the title, like any other field, still changes."""
    opened = denunciation(cast.staff_a, tree.a1)
    decision = services.add_discipline(
        user=cast.staff_a,
        case=services.conclude_denunciation(
            user=cast.staff_a,
            denunciation=opened,
            conclusion="true",
            concluded_on=D(YEAR, 4, 1),
            version=opened.version,
        ).case,
        subject=opened.case.subjects.get(),
        form="reprimand",
        decision_number=doc_number(),
        decided_on=D(YEAR, 4, 10),
        deciding_organization=tree.a1,
        deciding_body="inspection_commission",
    )
    lodged = complaint(cast.staff_a, decision, tree.a)
    for case, kind in (
        (Case.objects.get(denunciation__isnull=False), "Giải quyết tố cáo"),
        (lodged.case, "Giải quyết khiếu nại kỷ luật"),
    ):
        case.refresh_from_db()
        before = case.kind
        with pytest.raises(ValidationError) as error:
            services.update_case(
                user=cast.staff_a,
                case=case,
                version=case.version,
                kind=ActivityKind.INSPECTION_VIOLATION,
            )
        assert error.value.message_dict == {
            "kind": [
                "Cuộc này giải quyết một tố cáo hoặc khiếu nại kỷ luật đã ghi nhận: loại của nó "
                f"luôn là “{kind}”."
            ]
        }
        case.refresh_from_db()
        assert case.kind == before
        renamed = services.update_case(
            user=cast.staff_a, case=case, version=case.version, kind=before, title="Đổi tên"
        )
        assert renamed.title == "Đổi tên"
    found = records(tree.a, starts_on=D(YEAR, 1, 1), ends_on=D(YEAR, 12, 31), today=TODAY).all
    assert (found.denunciations.received, found.complaints_received) == (1, 1)
