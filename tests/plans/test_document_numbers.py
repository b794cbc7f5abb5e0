"""A programme's or an amendment's document number is unique per issuing body of one unit
and year (organisation + body + serial + year): programmes and amendments share one
numbering, and an amendment is issued by its programme's unit and body. Every commune
committee signs "-CTr/ĐU", so the text after the slash says nothing about who issued it."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from plans import services
from plans.models import Body, Programme
from tests.plans.factories import INSPECT, make_programme

D = datetime.date
NUMBER = "05-CTr/ĐU"
TAKEN_BY_A1_COMMISSION = (
    "Số ký hiệu 05-CTr/ĐU đã được Ủy ban kiểm tra của Đảng bộ cơ sở A1 dùng cho một văn bản "
    "khác trong năm 2025."
)
TAKEN_BY_A_COMMISSION = (
    "Số ký hiệu 05-CTr/ĐU đã được Ủy ban kiểm tra của Đảng ủy Khối A dùng cho một văn bản "
    "khác trong năm 2025."
)


def amend(programme, number, day, unit):
    return services.create_amendment(
        programme=programme,
        doc_number=number,
        issued_on=day,
        effective_on=day,
        add=[{"organization": unit, "kind": INSPECT, "quantity": 1}],
    )


def test_two_units_may_number_their_programmes_alike(tree):
    programmes = [make_programme(unit, doc_number=NUMBER) for unit in (tree.a1, tree.a2, tree.b)]
    assert {p.doc_number for p in programmes} == {NUMBER}


def test_two_bodies_of_one_unit_may_number_their_programmes_alike(tree):
    make_programme(tree.a1, body=Body.INSPECTION_COMMISSION, doc_number=NUMBER)
    make_programme(tree.a1, body=Body.COMMITTEE, doc_number=NUMBER)
    assert Programme.objects.filter(organization=tree.a1, doc_number=NUMBER).count() == 2


def test_the_same_number_twice_in_one_unit_body_and_year_is_refused_on_its_field(tree):
    make_programme(tree.b, doc_number=NUMBER)
    make_programme(tree.a1, doc_number=NUMBER, issued_on=D(2025, 1, 5))
    with pytest.raises(ValidationError) as caught:
        make_programme(tree.a1, doc_number="05-KH/ĐUA1", issued_on=D(2025, 3, 5), scope="term")
    assert caught.value.message_dict == {
        "doc_number": [TAKEN_BY_A1_COMMISSION.replace("05-CTr/ĐU", "05-KH/ĐUA1")]
    }


def test_the_same_number_next_year_is_accepted(tree):
    make_programme(tree.a1, doc_number=NUMBER)
    again = make_programme(tree.a1, year=2026, doc_number=NUMBER)
    assert again.doc_year == 2026


def test_an_amendment_and_a_programme_of_one_body_share_a_numbering(tree):
    programme = make_programme(tree.a, issue=True)
    amend(programme, NUMBER, D(2025, 5, 1), tree.a1)
    with pytest.raises(ValidationError) as caught:
        make_programme(tree.a, doc_number=NUMBER, scope="term", issued_on=D(2025, 9, 1))
    assert caught.value.message_dict == {"doc_number": [TAKEN_BY_A_COMMISSION]}
    with pytest.raises(ValidationError) as caught:
        amend(programme, NUMBER, D(2025, 6, 1), tree.a2)
    assert caught.value.message_dict == {"doc_number": [TAKEN_BY_A_COMMISSION]}
    # Another unit's body, or another body of A, has its own numbering.
    make_programme(tree.a1, doc_number=NUMBER, issued_on=D(2025, 9, 1))
    other = make_programme(tree.a, body=Body.STANDING_COMMITTEE, doc_number=NUMBER, issue=True)
    amend(other, "06-CTr/ĐU", D(2025, 6, 1), tree.a2)
    amend(programme, "06-CTr/ĐU", D(2025, 6, 2), tree.a2)
    # And the next year.
    next_year = make_programme(tree.a, year=2026, doc_number=NUMBER, issue=True)
    assert next_year.doc_year == 2026


def test_a_programme_cannot_reuse_an_amendment_number_of_another_programme_of_its_body(tree):
    term = make_programme(tree.a, scope="term", issue=True)
    amend(term, NUMBER, D(2025, 4, 1), tree.a1)
    year = make_programme(tree.a, issue=True)
    with pytest.raises(ValidationError) as caught:
        amend(year, NUMBER, D(2025, 5, 1), tree.a2)
    assert caught.value.message_dict == {"doc_number": [TAKEN_BY_A_COMMISSION]}


def test_moving_a_programme_to_a_body_that_used_its_number_is_refused(tree):
    make_programme(tree.a1, body=Body.INSPECTION_COMMISSION, doc_number=NUMBER)
    moving = make_programme(tree.a1, body=Body.COMMITTEE, doc_number=NUMBER)
    with pytest.raises(ValidationError) as caught:
        services.update_programme(programme=moving, body=Body.INSPECTION_COMMISSION)
    assert caught.value.message_dict == {"doc_number": [TAKEN_BY_A1_COMMISSION]}


def test_moving_a_programme_whose_amendment_number_the_new_body_used_is_refused(tree):
    make_programme(tree.a, body=Body.INSPECTION_COMMISSION, doc_number=NUMBER)
    moving = make_programme(tree.a, body=Body.STANDING_COMMITTEE, issue=True)
    amend(moving, NUMBER, D(2025, 5, 1), tree.a1)
    with pytest.raises(ValidationError) as caught:
        services.update_programme(programme=moving, body=Body.INSPECTION_COMMISSION)
    assert caught.value.message_dict == {"body": [TAKEN_BY_A_COMMISSION]}


def test_the_database_refuses_a_second_programme_number_of_one_body_and_year(tree):
    first = make_programme(tree.a1, doc_number=NUMBER)
    copy = Programme.objects.get(pk=first.pk)
    copy.pk = None
    copy.scope = "term"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.pk, copy.body = None, Body.COMMITTEE
    copy.save()


@pytest.mark.django_db(transaction=True)
def test_a_number_being_written_by_another_transaction_is_refused_not_doubled(tree):
    """An amendment and a programme of one body numbered alike at once (no constraint
    spans the two tables): the second waits for the first's lock, then is refused."""
    programme = make_programme(tree.a, issue=True)
    recorded = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                amend(programme, NUMBER, D(2025, 5, 1), tree.a1)
                recorded.set()
                time.sleep(0.5)  # the second writer checks while this one is open
        finally:
            recorded.set()
            connection.close()

    def second() -> None:
        recorded.wait(timeout=30)
        try:
            make_programme(tree.a, doc_number=NUMBER, scope="term", issued_on=D(2025, 9, 1))
            outcome["second"] = "created"
        except ValidationError as error:
            outcome["second"] = error.message_dict
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"second": {"doc_number": [TAKEN_BY_A_COMMISSION]}}
    assert Programme.objects.filter(organization=tree.a).count() == 1
