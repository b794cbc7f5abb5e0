"""A disciplinary complaint is lodged within one month of receiving the decision, as the
law counts a month: received 15 April, the last day is 15 May; received 31 January, the
last day of February. Later, only an administrator records it, with the reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, DeadlineRule, DisciplineComplaint
from plans.models import ActivityKind
from tests.cases.factories import complaint, disciplined

D = datetime.date
pytestmark = pytest.mark.usefixtures("deadline_rules")


@pytest.fixture
def discipline(cast, tree):
    return disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 4, 10))


def lodge(user, discipline, tree, received, lodged, **more):
    return complaint(
        user,
        discipline,
        tree.a,
        decision_received_on=received,
        lodged_on=lodged,
        decided_on=lodged,
        **more,
    )


def test_lodged_on_the_last_day_of_the_month_is_accepted(cast, tree, discipline):
    lodged = lodge(cast.staff_a, discipline, tree, D(2025, 4, 15), D(2025, 5, 15))
    assert (lodged.lodged_on, lodged.late_reason) == (D(2025, 5, 15), "")
    case = lodged.case
    assert (case.kind, case.organization, case.status) == (
        ActivityKind.DISCIPLINE_COMPLAINT,
        tree.a,
        Case.Status.IN_PROGRESS,
    )
    assert case.subjects.get().member_name == "Lê Văn Kỷ"
    assert lodged.complainant == "Lê Văn Kỷ (Trưởng phòng)"


def test_lodged_the_next_day_is_refused_on_lodged_on(cast, tree, discipline):
    with pytest.raises(ValidationError) as error:
        lodge(cast.staff_a, discipline, tree, D(2025, 4, 15), D(2025, 5, 16))
    assert list(error.value.message_dict) == ["lodged_on"]
    assert error.value.message_dict["lodged_on"][0].startswith(
        "Khiếu nại phải gửi trong 1 tháng kể từ ngày nhận quyết định kỷ luật, tức là đến hết "
        "ngày 15/05/2025; khiếu nại gửi ngày 16/05/2025 đã quá hạn."
    )
    assert not DisciplineComplaint.objects.exists()
    assert not Case.objects.filter(kind=ActivityKind.DISCIPLINE_COMPLAINT).exists()


def test_an_admin_records_a_late_complaint_with_its_reason(cast, tree, discipline):
    with pytest.raises(ValidationError) as error:
        lodge(cast.admin, discipline, tree, D(2025, 4, 15), D(2025, 5, 16))
    assert list(error.value.message_dict) == ["late_reason"]
    lodged = lodge(
        cast.admin,
        discipline,
        tree,
        D(2025, 4, 15),
        D(2025, 5, 16),
        late_reason="Người khiếu nại nằm viện, có giấy xác nhận.",
    )
    assert lodged.late_reason == "Người khiếu nại nằm viện, có giấy xác nhận."


@pytest.mark.parametrize(
    ("lodged", "accepted"),
    [(D(2026, 2, 28), True), (D(2026, 3, 1), False)],
)
def test_a_month_from_31_january_ends_on_the_last_day_of_february(cast, tree, lodged, accepted):
    decision = disciplined(cast.staff_a, tree.a1, decided_on=D(2026, 1, 31))
    today = D(2026, 3, 10)
    if accepted:
        assert lodge(cast.staff_a, decision, tree, D(2026, 1, 31), lodged, today=today).pk
    else:
        with pytest.raises(ValidationError) as error:
            lodge(cast.staff_a, decision, tree, D(2026, 1, 31), lodged, today=today)
        assert "đến hết ngày 28/02/2026" in error.value.message_dict["lodged_on"][0]


def test_day_31_of_a_thirty_day_month_is_late(cast, tree):
    decision = disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 3, 31))
    with pytest.raises(ValidationError) as error:
        lodge(cast.staff_a, decision, tree, D(2025, 3, 31), D(2025, 5, 1))
    assert "đến hết ngày 30/04/2025" in error.value.message_dict["lodged_on"][0]


def test_the_body_that_decided_does_not_settle_the_complaint(cast, tree, discipline):
    with pytest.raises(ValidationError) as error:
        complaint(cast.staff_a, discipline, tree.a1)
    assert list(error.value.message_dict) == ["organization"]
    with pytest.raises(ValidationError) as error:
        complaint(cast.admin, discipline, tree.b)
    assert list(error.value.message_dict) == ["organization"]
    assert complaint(cast.staff_a, discipline, tree.a1, body="committee").case.body == "committee"


def test_one_complaint_at_a_time_per_decision(cast, tree, discipline):
    complaint(cast.staff_a, discipline, tree.a)
    with pytest.raises(ValidationError) as error:
        complaint(cast.staff_a, discipline, tree.a, body="standing_committee")
    assert list(error.value.message_dict) == ["discipline"]
    assert DisciplineComplaint.objects.count() == 1


def test_without_a_rule_the_complaint_is_refused_clearly(cast, tree, discipline):
    DeadlineRule.objects.filter(kind="complaint_lodging").delete()
    with pytest.raises(ValidationError) as error:
        complaint(cast.staff_a, discipline, tree.a)
    assert "Chưa có quy định thời hạn “Thời hạn gửi khiếu nại kỷ luật”" in error.value.messages[0]
    assert not DisciplineComplaint.objects.exists()
