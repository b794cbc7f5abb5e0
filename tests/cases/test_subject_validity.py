"""A subject unit must exist at the case's date (Organization.is_valid_on)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from ktgs import services as ktgs_services
from tests.cases.factories import YEAR, record

D = datetime.date


@pytest.fixture
def dissolved(tree):
    """A cell of A1 that ended on 30/06 (merged away in the 2025 reform)."""
    return ktgs_services.create_organization(
        parent=tree.a1,
        code="TN-A1-OLD",
        name="Chi bộ A1 cũ",
        level="cell",
        member_count=10,
        committee_member_count=1,
        valid_to=D(YEAR, 6, 30),
    )


def test_unit_that_no_longer_exists_at_the_decision_date_is_refused(cast, tree, dissolved):
    with pytest.raises(ValidationError) as error:
        record(
            cast.staff_a,
            tree.a,
            decided_on=D(YEAR, 7, 1),
            work_starts_on=D(YEAR, 7, 2),
            work_ends_on=D(YEAR, 7, 9),
            subjects=[{"kind": "organization", "organization": dissolved}],
        )
    assert error.value.message_dict == {
        "subjects.0.organization": ["Chi bộ A1 cũ không tồn tại vào 01/07/2025."]
    }


def test_unit_that_existed_at_the_decision_date_is_accepted(cast, tree, dissolved):
    case = record(
        cast.staff_a,
        tree.a,
        decided_on=D(YEAR, 3, 1),
        subjects=[{"kind": "organization", "organization": dissolved}],
    )
    assert case.subjects.get().organization == dissolved


def test_unit_created_after_the_case_date_is_refused_when_added_later(cast, tree):
    newer = ktgs_services.create_organization(
        parent=tree.a1,
        code="TN-A1-NEW",
        name="Chi bộ A1 mới",
        level="cell",
        member_count=10,
        committee_member_count=1,
        valid_from=D(YEAR, 8, 1),
    )
    case = record(cast.staff_a, tree.a, decided_on=D(YEAR, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.add_subject(user=cast.staff_a, case=case, kind="organization", organization=newer)
    assert list(error.value.message_dict) == ["organization"]
    assert "không tồn tại vào 01/03/2025" in error.value.message_dict["organization"][0]


def test_the_form_shows_the_error_on_the_subject_row(client, cast, tree, dissolved):
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        {
            "organization": tree.a.pk,
            "body": "inspection_commission",
            "kind": "inspection_compliance",
            "title": "Kiểm tra chi bộ cũ",
            "year": YEAR,
            "target": "arising",
            "decision_number": "",
            "decided_on": "01/07/2025",
            "work_starts_on": "",
            "work_ends_on": "",
            "subjects-TOTAL_FORMS": 1,
            "subjects-INITIAL_FORMS": 0,
            "subjects-0-kind": "organization",
            "subjects-0-organization": dissolved.pk,
        },
    )
    assert response.status_code == 200
    row = response.context["formset"].forms[0]
    assert row.errors["organization"] == ["Chi bộ A1 cũ không tồn tại vào 01/07/2025."]
