"""Only the moves of Case.TRANSITIONS are allowed; the page offers only those."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Case
from tests.cases.factories import YEAR, advance, concluded, record

S = Case.Status
ALLOWED = [(old, new) for old, nexts in Case.TRANSITIONS.items() for new in nexts]
REFUSED = [
    (old, new)
    for old in S.values
    for new in S.values
    if new not in Case.TRANSITIONS[old] and new != old
]
# How to bring a fresh case to each state.
PATH = {
    S.DRAFT: [],
    S.DECIDED: [S.DECIDED],
    S.IN_PROGRESS: [S.DECIDED, S.IN_PROGRESS],
    S.CANCELLED: [S.CANCELLED],
}


def case_in(user, unit, status) -> Case:
    if status in (S.CONCLUDED, S.CLOSED):
        case = concluded(user, unit)
        return advance(user, case, S.CLOSED) if status == S.CLOSED else case
    return advance(user, record(user, unit), *PATH[status])


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transition(cast, tree, old, new):
    case = case_in(cast.staff_a, tree.a, old)
    if new == S.CONCLUDED:
        case = services.conclude_case(
            user=cast.staff_a,
            case=case,
            version=case.version,
            concluded_on=datetime.date(YEAR, 4, 1),
            violation_found=None,
            shortcomings_found=None,
        )
    else:
        case = services.change_status(
            user=cast.staff_a, case=case, status=new, version=case.version
        )
    assert Case.objects.get(pk=case.pk).status == new


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_transition(cast, tree, old, new):
    case = case_in(cast.staff_a, tree.a, old)
    with pytest.raises(ValidationError) as error:
        services.change_status(user=cast.staff_a, case=case, status=new, version=case.version)
    assert list(error.value.message_dict) == ["status"]
    assert error.value.message_dict["status"][0].startswith("Không thể chuyển từ")
    assert Case.objects.get(pk=case.pk).status == old


def test_deciding_needs_a_decision_number_and_date(cast, tree):
    case = record(cast.staff_a, tree.a, decision_number="", decided_on=None)
    with pytest.raises(ValidationError) as error:
        services.change_status(user=cast.staff_a, case=case, status=S.DECIDED, version=1)
    assert set(error.value.message_dict) == {"decision_number", "decided_on"}


def test_concluding_by_status_alone_needs_the_conclusion_date(cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a), S.DECIDED, S.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        services.change_status(
            user=cast.staff_a, case=case, status=S.CONCLUDED, version=case.version
        )
    assert error.value.message_dict == {
        "concluded_on": ["Cần có ngày thông báo kết luận: hãy nhập kết luận."]
    }


def test_detail_page_offers_buttons_for_the_allowed_next_states_only(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a), S.DECIDED)
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert [value for value, _ in response.context["next_statuses"]] == [S.IN_PROGRESS, S.CANCELLED]
    body = response.content.decode()
    assert 'name="status" value="in_progress"' in body
    assert 'name="status" value="cancelled"' in body
    assert 'name="status" value="closed"' not in body


def test_a_refused_move_posted_anyway_shows_the_message(client, cast, tree):
    case = record(cast.staff_a, tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:status", args=[case.pk]),
        {"status": S.CLOSED, "version": 1},
        follow=True,
    )
    assert "Không thể chuyển từ “Dự thảo” sang “Đã kết thúc”." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == S.DRAFT
