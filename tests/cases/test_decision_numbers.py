"""A decision number is unique per issuing body of one unit and year (organisation + body +
serial + year), across cases' decisions and discipline decisions, which share one
numbering; numbers restart each year. Every grassroots commission writes "-QĐ/UBKTĐU" and
every cell "-QĐ/CB", so the text after the slash says nothing about who issued it."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from cases import services
from cases.models import Case
from plans.models import ActivityKind, Body
from tests.cases.factories import YEAR, concluded, record

D = datetime.date
NUMBER = "69-QĐ/UBKTĐU"
TAKEN_BY_A1_COMMISSION = (
    "Số quyết định 69-QĐ/UBKTĐU đã được Ủy ban kiểm tra của Đảng bộ cơ sở A1 dùng trong năm 2025."
)
TAKEN_BY_A_COMMISSION = (
    "Số quyết định 69-QĐ/UBKTĐU đã được Ủy ban kiểm tra của Đảng ủy Khối A dùng trong năm 2025."
)


def next_year(**fields):
    return {
        "year": YEAR + 1,
        "decided_on": D(YEAR + 1, 3, 1),
        "work_starts_on": D(YEAR + 1, 3, 10),
        "work_ends_on": D(YEAR + 1, 3, 20),
        **fields,
    }


def test_two_units_commissions_may_use_the_same_number(cast, tree):
    first = record(cast.staff_a, tree.a1, decision_number=NUMBER)
    second = record(cast.admin, tree.b, decision_number=NUMBER)
    third = record(cast.staff_a, tree.a, decision_number=NUMBER)
    assert {first.decision_number, second.decision_number, third.decision_number} == {NUMBER}


def test_the_committee_and_the_commission_of_one_unit_may_use_the_same_number(cast, tree):
    record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, decision_number="12-QĐ/ĐU")
    record(cast.staff_a, tree.a1, body=Body.COMMITTEE, decision_number="12-QĐ/ĐU")
    assert Case.objects.filter(decision_number="12-QĐ/ĐU").count() == 2


def test_the_same_number_twice_in_one_unit_body_and_year_is_refused_on_its_field(cast, tree):
    record(cast.admin, tree.b, decision_number=NUMBER)  # another unit: no bearing
    record(cast.staff_a, tree.a1, decision_number=NUMBER)
    with pytest.raises(ValidationError) as error:
        record(
            cast.staff_a,
            tree.a1,
            decision_number=NUMBER,
            kind=ActivityKind.SUPERVISION_THEMATIC,
            decided_on=D(YEAR, 11, 20),
            work_starts_on=None,
            work_ends_on=None,
        )
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A1_COMMISSION]}


def test_the_same_serial_of_the_body_with_another_type_or_issuer_text_is_refused(cast, tree):
    record(cast.staff_a, tree.a, decision_number="12-QĐ/ĐUK")
    with pytest.raises(ValidationError):
        record(cast.staff_a, tree.a, decision_number="12-KH/ĐUK")
    # A typo in the issuer does not make it another body's number.
    with pytest.raises(ValidationError):
        record(cast.staff_a, tree.a, decision_number="12-QĐ/UBKTĐUK")


def test_the_same_number_next_year_is_accepted(cast, tree):
    record(cast.staff_a, tree.a1, decision_number=NUMBER)
    again = record(cast.staff_a, tree.a1, decision_number=NUMBER, **next_year())
    assert again.decided_on.year == YEAR + 1


def test_editing_a_case_keeps_its_own_number(cast, tree):
    case = record(cast.staff_a, tree.a1, decision_number=NUMBER)
    services.update_case(user=cast.staff_a, case=case, version=1, decided_on=D(YEAR, 3, 2))


def test_editing_a_case_to_a_number_its_body_used_is_refused(cast, tree):
    record(cast.staff_a, tree.a1, decision_number=NUMBER)
    record(cast.admin, tree.b, decision_number="70-QĐ/UBKTĐU")
    case = record(cast.staff_a, tree.a1, decision_number="70-QĐ/UBKTĐU")
    with pytest.raises(ValidationError) as error:
        services.update_case(user=cast.staff_a, case=case, version=1, decision_number=NUMBER)
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A1_COMMISSION]}


def test_moving_a_case_to_a_body_that_used_its_number_is_refused(cast, tree):
    record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION, decision_number=NUMBER)
    case = record(cast.staff_a, tree.a1, body=Body.COMMITTEE, decision_number=NUMBER)
    with pytest.raises(ValidationError) as error:
        services.update_case(
            user=cast.staff_a, case=case, version=1, body=Body.INSPECTION_COMMISSION
        )
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A1_COMMISSION]}
    elsewhere = record(cast.staff_a, tree.a2, decision_number=NUMBER)
    with pytest.raises(ValidationError) as error:
        services.update_case(user=cast.staff_a, case=elsewhere, version=1, organization=tree.a1)
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A1_COMMISSION]}


def _discipline(cast, case, number, *, deciding, body=Body.INSPECTION_COMMISSION, day=None):
    return services.add_discipline(
        user=cast.staff_a,
        case=case,
        subject=case.subjects.get(),
        form="reprimand",
        decision_number=number,
        decided_on=day or D(YEAR, 5, 1),
        deciding_organization=deciding,
        deciding_body=body,
    )


def _violation(cast, tree, name):
    return concluded(cast.staff_a, tree.a1, subjects=[{"kind": "member", "member_name": name}])


def test_a_discipline_decision_cannot_reuse_a_case_number_of_its_deciding_body(cast, tree):
    record(cast.staff_a, tree.a, decision_number=NUMBER)
    case = _violation(cast, tree, "Thử A")
    with pytest.raises(ValidationError) as error:
        _discipline(cast, case, NUMBER, deciding=tree.a)
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A_COMMISSION]}


def test_a_discipline_decision_may_use_a_number_of_another_body_or_unit(cast, tree):
    record(cast.staff_a, tree.a1, decision_number=NUMBER)  # A1's commission
    record(cast.staff_a, tree.a, body=Body.STANDING_COMMITTEE, decision_number=NUMBER)
    case = _violation(cast, tree, "Thử B")
    decision = _discipline(cast, case, NUMBER, deciding=tree.a)  # A's commission
    assert decision.decision_number == NUMBER


def test_a_case_cannot_reuse_a_discipline_number_of_its_body(cast, tree):
    case = _violation(cast, tree, "Thử C")
    _discipline(cast, case, NUMBER, deciding=tree.a)
    record(cast.staff_a, tree.a1, decision_number=NUMBER)  # A1's own numbering
    with pytest.raises(ValidationError) as error:
        record(cast.staff_a, tree.a, decision_number=NUMBER)
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A_COMMISSION]}
    record(cast.staff_a, tree.a, decision_number=NUMBER, **next_year())


def test_two_discipline_decisions_of_one_body_cannot_share_a_number(cast, tree):
    first = _violation(cast, tree, "Thử D")
    second = _violation(cast, tree, "Thử E")
    _discipline(cast, first, NUMBER, deciding=tree.a)
    with pytest.raises(ValidationError) as error:
        _discipline(cast, second, NUMBER, deciding=tree.a)
    assert error.value.message_dict == {"decision_number": [TAKEN_BY_A_COMMISSION]}
    _discipline(cast, second, NUMBER, deciding=tree.a, body=Body.STANDING_COMMITTEE)


def test_the_database_refuses_a_second_case_number_of_one_body_and_year(cast, tree):
    """The rule within one table is a constraint too, for writers that skip the services
    (bulk loads)."""
    first = record(cast.staff_a, tree.a1, decision_number=NUMBER)
    copy = Case.objects.get(pk=first.pk)
    copy.pk = None
    copy.decided_on = D(YEAR, 9, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.pk, copy.organization = None, tree.b
    copy.save()  # another unit's commission


def test_the_form_shows_the_duplicate_on_the_number_field(client, cast, tree):
    record(cast.staff_a, tree.a1, decision_number=NUMBER)
    record(cast.staff_a, tree.a, decision_number=NUMBER)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        {
            "organization": tree.a1.pk,
            "body": "inspection_commission",
            "kind": "inspection_compliance",
            "title": "Trùng số",
            "year": YEAR,
            "target": "arising",
            "decision_number": NUMBER,
            "decided_on": "05/03/2025",
            "work_starts_on": "",
            "work_ends_on": "",
            "subjects-TOTAL_FORMS": 0,
            "subjects-INITIAL_FORMS": 0,
        },
    )
    assert response.context["form"].errors["decision_number"] == [TAKEN_BY_A1_COMMISSION]


@pytest.mark.django_db(transaction=True)
def test_a_number_being_written_by_another_transaction_is_refused_not_doubled(cast, tree):
    """Two writers of one body's number at once, one a discipline decision and one a case
    (no constraint spans the two tables): the second waits for the first's lock, then
    sees its number and is refused on the field."""
    case = _violation(cast, tree, "Thử F")
    recorded = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                _discipline(cast, case, NUMBER, deciding=tree.a)
                recorded.set()
                time.sleep(0.5)  # the second writer checks while this one is open
        finally:
            recorded.set()
            connection.close()

    def second() -> None:
        recorded.wait(timeout=30)
        try:
            record(cast.staff_a, tree.a, decision_number=NUMBER)
            outcome["second"] = "recorded"
        except ValidationError as error:
            outcome["second"] = error.message_dict
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"second": {"decision_number": [TAKEN_BY_A_COMMISSION]}}
    assert not Case.objects.filter(organization=tree.a, decision_number=NUMBER).exists()
