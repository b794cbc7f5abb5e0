"""A letter counts once however many units forward it: each unit has its own row to
classify, the chain shares its first row as root, and the figures
(reports.queries.records) count the chain once in every subtree it entered."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Letter
from cases.queries import letters_for
from ktgs import versioning
from reports.queries.records import records
from tests.cases.factories import YEAR, letter, record

D = datetime.date


def test_a_forwarded_letter_is_counted_once(cast, tree):
    first = letter(cast.staff_a, tree.a1, kind="petition", reference="15/ĐT")
    at_b = services.forward_letter(
        user=cast.staff_a, letter=first, to=tree.b, on=D(YEAR, 3, 4), version=first.version
    )
    at_b1 = services.forward_letter(
        user=cast.admin, letter=at_b, to=tree.b1, on=D(YEAR, 3, 9), version=at_b.version
    )
    first.refresh_from_db()
    assert (first.handling, first.forwarded_to, first.handled_on) == (
        "forwarded",
        tree.b,
        D(YEAR, 3, 4),
    )
    assert (at_b.organization, at_b.forwarded_from, at_b.root) == (tree.b, first, first)
    assert (at_b1.forwarded_from, at_b1.root) == (at_b, first)
    assert (at_b1.handling, at_b1.received_on, at_b1.reference) == ("pending", D(YEAR, 3, 9), "")
    assert (at_b1.kind, at_b1.summary, at_b1.sender_name) == (
        "petition",
        first.summary,
        "Nguyễn Thị Gửi",
    )
    other = letter(cast.admin, tree.b1)
    assert Letter.objects.count() == 4

    def received(unit) -> int:
        year = {"starts_on": D(YEAR, 1, 1), "ends_on": D(YEAR, 12, 31), "today": D(YEAR, 12, 31)}
        return records(unit, **year).all.letters_received

    # The province and B each see two letters: the chain (entered B from A) and B1's own.
    assert (received(tree.province), received(tree.b), received(tree.b1)) == (2, 2, 2)
    assert {row.pk for row in letters_for(cast.leader_b)} == {at_b.pk, at_b1.pk, other.pk}
    assert [row.pk for row in letters_for(cast.staff_a)] == [first.pk]


def test_a_letter_is_forwarded_once_and_not_to_its_own_unit(cast, tree):
    first = letter(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.forward_letter(
            user=cast.staff_a, letter=first, to=tree.a1, on=D(YEAR, 3, 4), version=1
        )
    assert list(error.value.message_dict) == ["forwarded_to"]
    services.forward_letter(user=cast.staff_a, letter=first, to=tree.b, on=D(YEAR, 3, 4), version=1)
    with pytest.raises(ValidationError) as error:
        services.forward_letter(
            user=cast.staff_a, letter=first, to=tree.b1, on=D(YEAR, 3, 5), version=2
        )
    assert error.value.message_dict["handling"] == [
        "Đơn này đã được xử lý (Chuyển đơn) ngày 04/03/2025."
    ]
    assert Letter.objects.count() == 2


def test_a_stale_forward_is_refused_and_writes_nothing(cast, tree):
    first = letter(cast.staff_a, tree.a1)
    services.update_letter(
        user=cast.staff_a, letter=first, version=1, today=D(YEAR, 12, 31), reference="16/ĐT"
    )
    with pytest.raises(versioning.StaleObjectError):
        services.forward_letter(
            user=cast.staff_a, letter=first, to=tree.b, on=D(YEAR, 3, 4), version=1
        )
    assert Letter.objects.count() == 1


def test_only_a_named_sender_keeps_a_name_and_the_accused_needs_one(cast, tree):
    with pytest.raises(ValidationError) as error:
        letter(cast.staff_a, tree.a1, sender_name=" ")
    assert list(error.value.message_dict) == ["sender_name"]
    with pytest.raises(ValidationError) as error:
        letter(cast.staff_a, tree.a1, about_member_name="")
    assert list(error.value.message_dict) == ["about_member_name"]
    with pytest.raises(ValidationError) as error:
        letter(cast.staff_a, tree.a1, received_on=D(YEAR + 1, 1, 1))
    assert list(error.value.message_dict) == ["received_on"]
    named = letter(cast.staff_a, tree.a1)
    hidden = services.update_letter(
        user=cast.staff_a, letter=named, version=1, today=D(YEAR, 12, 31), sender_kind="anonymous"
    )
    assert (hidden.sender_name, hidden.version) == ("", 2)
    assert not Letter.objects.filter(sender_name="Nguyễn Thị Gửi").exists()


def test_a_denunciation_letter_is_not_just_marked_handled(cast, tree):
    first = letter(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.handle_letter(user=cast.staff_a, letter=first, on=D(YEAR, 3, 2), version=1)
    assert list(error.value.message_dict) == ["handling"]
    petition = letter(cast.staff_a, tree.a1, kind="petition")
    handled = services.handle_letter(
        user=cast.staff_a, letter=petition, on=D(YEAR, 3, 2), version=1
    )
    assert handled.handling == "handled_here"


def test_a_letter_that_led_to_an_inspection_names_its_case(cast, tree):
    feedback = letter(cast.staff_a, tree.a1, kind="feedback")
    case = record(cast.staff_a, tree.a1)
    linked = services.link_letter_case(
        user=cast.staff_a, letter=feedback, case=case, on=D(YEAR, 3, 10), version=1
    )
    assert (linked.handling, linked.case) == ("case_opened", case)
    other = letter(cast.admin, tree.b1, kind="feedback")
    with pytest.raises(ValidationError) as error:
        services.link_letter_case(
            user=cast.admin, letter=other, case=case, on=D(YEAR, 2, 1), version=1
        )
    assert list(error.value.message_dict) == ["handled_on"]
