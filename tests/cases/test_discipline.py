"""Discipline forms valid for the subject type: members, probationary members,
organisations."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import DisciplineDecision
from plans.models import Body
from tests.cases.factories import YEAR, concluded, doc_number

F = DisciplineDecision.Form
SUBJECTS = {
    "member": {"kind": "member", "member_name": "Vũ Văn Mẫu", "member_position": "Trưởng phòng"},
    "probationary": {"kind": "member", "member_name": "Hồ Thị Thử", "is_probationary": True},
    "organization": {"kind": "organization"},
}
VALID = {
    "member": {F.REPRIMAND, F.WARNING, F.REMOVAL_FROM_POST, F.EXPULSION},
    "probationary": {F.REPRIMAND, F.WARNING},
    "organization": {F.REPRIMAND, F.WARNING, F.DISSOLUTION},
}
LABEL = {"member": "đảng viên", "probationary": "đảng viên dự bị", "organization": "tổ chức đảng"}


@pytest.fixture
def case_with(cast, tree):
    def build(who):
        data = dict(SUBJECTS[who])
        if who == "organization":
            data["organization"] = tree.a1a
        return concluded(cast.staff_a, tree.a1, subjects=[data])

    return build


def discipline(user, case, form, tree, **overrides):
    fields = {
        "user": user,
        "case": case,
        "subject": case.subjects.get(),
        "form": form,
        "decision_number": doc_number(),
        "decided_on": datetime.date(YEAR, 5, 10),
        "deciding_organization": tree.a1,
        "deciding_body": Body.INSPECTION_COMMISSION,
    }
    fields.update(overrides)
    return services.add_discipline(**fields)


@pytest.mark.parametrize("who", list(SUBJECTS))
@pytest.mark.parametrize("form", F.values)
def test_discipline_form_validity_per_subject_type(cast, tree, case_with, who, form):
    case = case_with(who)
    if form in VALID[who]:
        decision = discipline(cast.staff_a, case, form, tree)
        assert decision.form == form
    else:
        with pytest.raises(ValidationError) as error:
            discipline(cast.staff_a, case, form, tree)
        assert list(error.value.message_dict) == ["form"]
        assert error.value.message_dict["form"][0].startswith(
            f"Hình thức này không áp dụng cho {LABEL[who]}."
        )
        assert not DisciplineDecision.objects.exists()


def test_the_page_offers_only_the_forms_that_fit_the_subject(client, cast, case_with):
    case = case_with("probationary")
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:discipline", args=[case.pk, case.subjects.get().pk]))
    offered = [value for value, _ in response.context["form"].fields["form"].choices]
    assert offered == [F.REPRIMAND, F.WARNING]


def test_posting_a_form_that_does_not_fit_is_refused_on_the_form_field(
    client, cast, tree, case_with
):
    case = case_with("organization")
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:discipline", args=[case.pk, case.subjects.get().pk]),
        {
            "form": F.EXPULSION,
            "decision_number": doc_number(),
            "decided_on": "10/05/2025",
            "deciding_organization": tree.a1.pk,
            "deciding_body": Body.INSPECTION_COMMISSION,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["form"] == [
        "Hình thức kỷ luật này không áp dụng cho đối tượng này."
    ]


def test_discipline_is_shown_on_the_case_page_with_the_committee_flag(
    client, cast, tree, case_with
):
    case = case_with("member")
    discipline(
        cast.staff_a, case, F.WARNING, tree, decision_number="77-QĐ/UBKT", is_committee_member=True
    )
    client.force_login(cast.leader_p)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Cảnh cáo — 77-QĐ/UBKT" in body and "cấp ủy viên" in body


def test_discipline_dated_before_the_case_decision_is_refused(cast, tree, case_with):
    case = case_with("member")
    with pytest.raises(ValidationError) as error:
        discipline(cast.staff_a, case, F.WARNING, tree, decided_on=datetime.date(YEAR, 1, 2))
    assert list(error.value.message_dict) == ["decided_on"]
