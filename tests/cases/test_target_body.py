"""A case fulfils a target of its own unit's programme only when that programme is its own
body's: a case of the inspection commission does not silently fill the committee's target
(the official reports state each body's figures apart). Another body's target is refused,
or taken when the caller confirms it; the proposal only offers the case's own body's."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from plans.models import ActivityKind, Body
from tests.cases.factories import YEAR, doc_number, make_programme, make_target, record

D = datetime.date
KIND = ActivityKind.INSPECTION_COMPLIANCE


def committee_target(unit, **fields):
    programme = make_programme(unit, body=Body.COMMITTEE, number=doc_number("CTr", "ĐU"))
    return make_target(unit, programme=programme, **fields)


def commission_target(unit, **fields):
    programme = make_programme(unit, body=Body.INSPECTION_COMMISSION)
    return make_target(unit, programme=programme, **fields)


def test_a_commission_case_on_the_committees_target_is_refused_naming_both_bodies(cast, tree):
    target = committee_target(tree.a1)
    with pytest.raises(ValidationError) as raised:
        record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, target=target)
    [message] = raised.value.message_dict["target"]
    assert "chương trình của Cấp ủy" in message
    assert "do Ủy ban kiểm tra tiến hành" in message
    assert "xác nhận" in message
    assert not target.cases.exists()


def test_confirmed_the_case_fulfils_the_other_bodys_target(cast, tree):
    target = committee_target(tree.a1)
    case = record(
        cast.staff_a,
        tree.a1,
        body=Body.INSPECTION_COMMISSION,
        target=target,
        confirm_body_mismatch=True,
    )
    assert case.target == target


def test_a_target_set_for_a_unit_below_is_done_by_that_units_own_bodies(cast, tree):
    # The province's committee sets A1 a quota: A1's commission fulfils it, no question.
    programme = make_programme(tree.a, body=Body.COMMITTEE, number=doc_number("CTr", "ĐUK"))
    target = make_target(tree.a1, programme=programme)
    case = record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, target=target)
    assert case.target == target


def test_changing_the_body_of_a_planned_case_asks_again_but_other_edits_do_not(cast, tree):
    target = commission_target(tree.a1)
    case = record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, target=target)
    with pytest.raises(ValidationError) as raised:
        services.update_case(
            user=cast.staff_a, case=case, version=case.version, body=Body.COMMITTEE
        )
    assert "chương trình của Ủy ban kiểm tra" in raised.value.message_dict["target"][0]
    case = services.update_case(
        user=cast.staff_a,
        case=case,
        version=case.version,
        body=Body.COMMITTEE,
        confirm_body_mismatch=True,
    )
    assert (case.body, case.target) == (Body.COMMITTEE, target)
    # Confirmed once: a later edit of something else keeps the link without asking again.
    case = services.update_case(
        user=cast.staff_a, case=case, version=case.version, title="Kiểm tra chấp hành (sửa)"
    )
    assert case.target == target


def test_the_proposal_ignores_the_other_bodies_targets(cast, tree):
    committee_target(tree.a1, due_on=D(YEAR, 4, 30))  # due first, but the committee's
    own = commission_target(tree.a1, due_on=D(YEAR, 9, 30))
    proposed = services.propose_target(
        organization=tree.a1, body=Body.INSPECTION_COMMISSION, kind=KIND, year=YEAR, on=None
    )
    assert proposed == own
    case = record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, target=services.AUTO)
    assert case.target == own


def test_with_only_another_bodys_target_open_the_proposal_is_arising(cast, tree):
    committee_target(tree.a1)
    case = record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, target=services.AUTO)
    assert case.target is None


def form_data(unit, **overrides):
    data = {
        "organization": unit.pk,
        "body": "inspection_commission",
        "kind": "inspection_compliance",
        "title": "Kiểm tra chấp hành Điều lệ",
        "year": YEAR,
        "decision_number": "45-QĐ/UBKTĐU",
        "decided_on": "03/03/2025",
        "work_starts_on": "10/03/2025",
        "work_ends_on": "21/03/2025",
        "subjects-TOTAL_FORMS": 0,
        "subjects-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_the_target_list_names_each_programmes_body_and_asks_only_when_one_differs(
    client, cast, tree
):
    own = commission_target(tree.a1, due_on=D(YEAR, 9, 30))
    client.force_login(cast.staff_a)
    url = reverse("cases:target_choices")
    query = {
        "organization": tree.a1.pk,
        "body": "inspection_commission",
        "kind": "inspection_compliance",
        "year": YEAR,
    }
    page = client.get(url, query).content.decode()
    assert "Ủy ban kiểm tra" in page and 'name="confirm_body_mismatch"' not in page
    other = committee_target(tree.a1, due_on=D(YEAR, 4, 30))
    response = client.get(url, query)
    page = response.content.decode()
    assert 'name="confirm_body_mismatch"' in page and "Cấp ủy" in page
    options = [(o.value, o.proposed, o.other_body) for o in response.context["form"].target_options]
    assert options == [
        (str(other.pk), False, True),
        (str(own.pk), True, False),
        ("arising", False, False),
    ]
    # The body is one of the inputs the list follows.
    assert "change from:#id_body" in client.get(reverse("cases:create")).content.decode()
    assert client.get(url, {**query, "body": "committee"}).context["form"].proposed == other


def test_the_form_refuses_another_bodys_target_until_confirmed(client, cast, tree):
    other = committee_target(tree.a1)
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:create"), form_data(tree.a1, target=str(other.pk)))
    assert response.status_code == 200
    [message] = response.context["form"].errors["target"]
    assert "chương trình của Cấp ủy" in message
    assert 'name="confirm_body_mismatch"' in response.content.decode()
    response = client.post(
        reverse("cases:create"),
        form_data(tree.a1, target=str(other.pk), confirm_body_mismatch="on"),
    )
    assert response.status_code == 302
    assert other.cases.get().body == Body.INSPECTION_COMMISSION


def test_the_edit_page_of_a_confirmed_case_keeps_the_confirmation_ticked(client, cast, tree):
    other = committee_target(tree.a1)
    case = record(
        cast.staff_a,
        tree.a1,
        body=Body.INSPECTION_COMMISSION,
        target=other,
        confirm_body_mismatch=True,
    )
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:edit", args=[case.pk]))
    form = response.context["form"]
    assert form["confirm_body_mismatch"].value() is True
    assert [o.value for o in form.target_options if o.checked] == [str(other.pk)]
    assert 'name="confirm_body_mismatch" id="id_confirm_body_mismatch" checked' in (
        response.content.decode()
    )
