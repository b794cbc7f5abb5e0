"""No decision number twice per issuer and year, across cases' decisions and discipline
decisions; numbers restart each year."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from plans.models import Body
from tests.cases.factories import YEAR, concluded, record

D = datetime.date
MESSAGE = "Số quyết định 12-QĐ/ĐUK đã được ĐUK dùng trong năm 2025."


def test_two_cases_with_the_same_number_and_issuer_in_a_year_are_refused(cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    with pytest.raises(ValidationError) as error:
        record(cast.staff_a, tree.a1, decision_number="12-QĐ/ĐUK")
    assert error.value.message_dict == {"decision_number": [MESSAGE]}


def test_the_same_serial_of_the_issuer_with_another_type_is_refused(cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    with pytest.raises(ValidationError):
        record(cast.staff_a, tree.a, decision_number="12-KH/ĐUK")


def test_the_same_number_next_year_or_of_another_issuer_is_accepted(cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    record(
        cast.staff_a,
        tree.a,
        decision_number="12-QĐ/ĐUK",
        year=YEAR + 1,
        decided_on=D(YEAR + 1, 3, 1),
        work_starts_on=D(YEAR + 1, 3, 10),
        work_ends_on=D(YEAR + 1, 3, 20),
    )
    record(cast.staff_a, tree.a, decision_number="12-QĐ/UBKT")


def test_editing_a_case_keeps_its_own_number(cast, tree):
    case = record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    services.update_case(user=cast.staff_a, case=case, version=1, decided_on=D(YEAR, 3, 2))


def test_editing_a_case_to_a_used_number_is_refused(cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    case = record(cast.staff_a, tree.a, decision_number="13-QĐ/ĐUK")
    with pytest.raises(ValidationError) as error:
        services.update_case(user=cast.staff_a, case=case, version=1, decision_number="12-QĐ/ĐUK")
    assert error.value.message_dict == {"decision_number": [MESSAGE]}


def _discipline(cast, tree, case, number):
    return services.add_discipline(
        user=cast.staff_a,
        case=case,
        subject=case.subjects.get(),
        form="reprimand",
        decision_number=number,
        decided_on=D(YEAR, 5, 1),
        deciding_organization=tree.a,
        deciding_body=Body.STANDING_COMMITTEE,
    )


def test_a_discipline_decision_cannot_reuse_a_case_decision_number(cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    case = concluded(cast.staff_a, tree.a, subjects=[{"kind": "member", "member_name": "Thử A"}])
    with pytest.raises(ValidationError) as error:
        _discipline(cast, tree, case, "12-QĐ/ĐUK")
    assert error.value.message_dict == {"decision_number": [MESSAGE]}


def test_a_case_cannot_reuse_a_discipline_decision_number(cast, tree):
    case = concluded(cast.staff_a, tree.a, subjects=[{"kind": "member", "member_name": "Thử B"}])
    _discipline(cast, tree, case, "12-QĐ/ĐUK")
    with pytest.raises(ValidationError) as error:
        record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    assert error.value.message_dict == {"decision_number": [MESSAGE]}


def test_the_form_shows_the_duplicate_on_the_number_field(client, cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        {
            "organization": tree.a.pk,
            "body": "inspection_commission",
            "kind": "inspection_compliance",
            "title": "Trùng số",
            "year": YEAR,
            "target": "arising",
            "decision_number": "12-QĐ/ĐUK",
            "decided_on": "05/03/2025",
            "work_starts_on": "",
            "work_ends_on": "",
            "subjects-TOTAL_FORMS": 0,
            "subjects-INITIAL_FORMS": 0,
        },
    )
    assert response.context["form"].errors["decision_number"] == [MESSAGE]
