"""Each rule is refused in Vietnamese, on the field that is wrong."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case
from plans.models import ActivityKind, Programme
from tests.cases.factories import YEAR, advance, make_programme, make_target, record

D = datetime.date


def refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_work_must_not_end_before_it_starts(cast, tree):
    errors = refused(
        lambda: record(
            cast.staff_a, tree.a, work_starts_on=D(YEAR, 3, 10), work_ends_on=D(YEAR, 3, 9)
        )
    )
    assert errors == {"work_ends_on": ["Ngày kết thúc làm việc không được trước ngày bắt đầu."]}


def test_work_must_not_start_before_the_decision(cast, tree):
    errors = refused(
        lambda: record(
            cast.staff_a, tree.a, decided_on=D(YEAR, 3, 11), work_starts_on=D(YEAR, 3, 10)
        )
    )
    assert errors == {"work_starts_on": ["Ngày bắt đầu làm việc không được trước ngày quyết định."]}


def test_conclusion_must_not_be_dated_before_the_decision(cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a), "decided", "in_progress")
    errors = refused(
        lambda: services.conclude_case(
            user=cast.staff_a,
            case=case,
            version=case.version,
            concluded_on=D(YEAR, 2, 1),
            violation_found=False,
            shortcomings_found=False,
        )
    )
    assert errors == {"concluded_on": ["Ngày thông báo kết luận không được trước ngày quyết định."]}


def test_a_draft_cannot_be_concluded(cast, tree):
    case = record(cast.staff_a, tree.a)
    errors = refused(
        lambda: services.conclude_case(
            user=cast.staff_a,
            case=case,
            version=case.version,
            concluded_on=D(YEAR, 4, 1),
            violation_found=False,
            shortcomings_found=False,
        )
    )
    assert errors == {"status": ["Cuộc này chưa có quyết định: chưa thể kết luận."]}
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_a_badly_written_decision_number_is_refused_on_its_field(cast, tree):
    errors = refused(lambda: record(cast.staff_a, tree.a, decision_number="QĐ số 12"))
    assert list(errors) == ["decision_number"]
    assert errors["decision_number"][0].startswith("Số ký hiệu không đúng dạng.")


def test_target_of_another_unit_is_refused(cast, tree):
    target = make_target(tree.a2)
    errors = refused(lambda: record(cast.staff_a, tree.a1, target=target))
    assert errors == {
        "target": ["Chỉ tiêu này không giao cho đơn vị tiến hành cuộc kiểm tra, giám sát."]
    }


def test_target_set_by_an_ancestors_programme_for_the_unit_is_accepted(cast, tree):
    programme = make_programme(tree.a)  # Đảng ủy Khối A sets targets for A1
    target = make_target(tree.a1, programme=programme)
    case = record(cast.staff_a, tree.a1, target=target)
    assert case.target == target


def test_target_set_by_a_programme_outside_the_units_ancestors_is_refused(cast, tree):
    programme = make_programme(tree.b)
    target = make_target(tree.a1, programme=programme)
    errors = refused(lambda: record(cast.staff_a, tree.a1, target=target))
    assert list(errors) == ["target"]


def test_target_of_another_year_is_refused(cast, tree):
    target = make_target(tree.a1, programme=make_programme(tree.a1, year=YEAR - 1))
    errors = refused(lambda: record(cast.staff_a, tree.a1, target=target))
    assert errors == {"target": ["Chỉ tiêu thuộc chương trình của năm khác với năm của cuộc này."]}


def test_target_of_a_term_programme_covers_each_year_of_the_term(cast, tree):
    programme = make_programme(
        tree.a1, year=YEAR - 1, end_year=YEAR + 3, ends_on=D(YEAR + 3, 12, 31)
    )
    target = make_target(tree.a1, programme=programme)
    assert record(cast.staff_a, tree.a1, target=target).target == target


def test_target_of_another_kind_is_refused(cast, tree):
    target = make_target(tree.a1, kind=ActivityKind.SUPERVISION_THEMATIC)
    errors = refused(
        lambda: record(
            cast.staff_a, tree.a1, kind=ActivityKind.INSPECTION_COMPLIANCE, target=target
        )
    )
    assert errors == {"target": ["Loại của chỉ tiêu khác với loại của cuộc kiểm tra, giám sát."]}


def test_target_of_a_draft_programme_is_refused(cast, tree):
    target = make_target(tree.a1, programme=make_programme(tree.a1, status=Programme.Status.DRAFT))
    errors = refused(lambda: record(cast.staff_a, tree.a1, target=target))
    assert errors == {"target": ["Chương trình của chỉ tiêu này chưa được ban hành."]}


def test_update_case_checks_the_same_rules(cast, tree):
    case = record(cast.staff_a, tree.a)
    errors = refused(
        lambda: services.update_case(
            user=cast.staff_a, case=case, version=case.version, work_ends_on=D(YEAR, 3, 1)
        )
    )
    assert list(errors) == ["work_ends_on"]
    case.refresh_from_db()
    assert case.version == 1 and case.work_ends_on == D(YEAR, 3, 20)


def test_member_subject_needs_a_name(cast, tree):
    errors = refused(
        lambda: record(
            cast.staff_a, tree.a, subjects=[{"kind": "member", "member_position": "Bí thư"}]
        )
    )
    assert errors == {"subjects.0.member_name": ["Hãy nhập họ tên đảng viên."]}
    assert not Case.objects.exists()  # nothing half-written


def test_subject_unit_outside_the_users_reach_is_refused(cast, tree):
    errors = refused(
        lambda: record(
            cast.staff_a, tree.a, subjects=[{"kind": "organization", "organization": tree.b1}]
        )
    )
    assert errors == {"subjects.0.organization": ["Tổ chức đảng này không thuộc phạm vi của bạn."]}
