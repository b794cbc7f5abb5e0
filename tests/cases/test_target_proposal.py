"""A new case is linked to the target when exactly one open target matches the unit,
kind and year; with none or several it is arising (staff may choose)."""

import datetime

from cases import services
from cases.models import Case
from plans.models import ActivityKind, Amendment, Programme
from tests.cases.factories import YEAR, concluded, doc_number, make_programme, make_target, record

D = datetime.date
KIND = ActivityKind.INSPECTION_COMPLIANCE


MARCH_1 = D(YEAR, 3, 1)


def propose(unit, on=MARCH_1, kind=KIND, year=YEAR):
    return services.propose_target(organization=unit, kind=kind, year=year, on=on)


def test_exactly_one_open_target_is_proposed(tree):
    target = make_target(tree.a1)
    assert propose(tree.a1) == target


def test_no_target_means_arising(cast, tree):
    assert propose(tree.a1) is None
    case = record(cast.staff_a, tree.a1, target=services.AUTO)
    assert case.target is None and case.is_arising


def test_two_open_targets_propose_none(cast, tree):
    programme = make_programme(tree.a1)
    make_target(tree.a1, programme=programme)
    make_target(tree.a1, programme=programme)
    assert propose(tree.a1) is None
    assert record(cast.staff_a, tree.a1, target=services.AUTO).is_arising


def test_targets_of_other_units_kinds_or_years_do_not_match(tree):
    make_target(tree.a2)
    make_target(tree.a1, kind=ActivityKind.SUPERVISION_REGULAR)
    make_target(tree.a1, programme=make_programme(tree.a1, year=YEAR + 1))
    assert propose(tree.a1) is None


def test_a_draft_programme_is_not_open(tree):
    make_target(tree.a1, programme=make_programme(tree.a1, status=Programme.Status.DRAFT))
    assert propose(tree.a1) is None


def test_a_programme_not_yet_in_force_is_not_open(tree):
    make_target(tree.a1, programme=make_programme(tree.a1, starts_on=D(YEAR, 6, 1)))
    assert propose(tree.a1, on=D(YEAR, 3, 1)) is None
    assert propose(tree.a1, on=D(YEAR, 6, 1)) is not None


def test_a_target_removed_by_an_amendment_is_not_open_after_it(tree):
    programme = make_programme(tree.a1)
    number = doc_number("QĐ", "TN")
    amendment = Amendment.objects.create(
        programme=programme,
        doc_number=number,
        doc_serial=number.split("-")[0],
        doc_type="QĐ",
        doc_issuer="TN",
        doc_year=YEAR,
        issued_on=D(YEAR, 5, 1),
        effective_on=D(YEAR, 5, 1),
    )
    make_target(tree.a1, programme=programme, removed_by=amendment)
    assert propose(tree.a1, on=D(YEAR, 4, 30)) is not None
    assert propose(tree.a1, on=D(YEAR, 5, 1)) is None


def test_a_fully_done_target_is_not_open(cast, tree):
    target = make_target(tree.a1, quantity=1)
    first = concluded(cast.staff_a, tree.a1, target=target)
    assert first.target == target
    assert propose(tree.a1, on=D(YEAR, 5, 1)) is None
    # Before the first case was concluded, it was still open.
    assert propose(tree.a1, on=D(YEAR, 4, 1)) == target


def test_a_partly_done_quota_stays_open(cast, tree):
    target = make_target(tree.a1, quantity=2)
    concluded(cast.staff_a, tree.a1, target=target)
    assert propose(tree.a1, on=D(YEAR, 5, 1)) == target


def test_of_two_targets_the_one_not_done_is_proposed(cast, tree):
    programme = make_programme(tree.a1)
    done = make_target(tree.a1, programme=programme)
    other = make_target(tree.a1, programme=programme)
    concluded(cast.staff_a, tree.a1, target=done)
    assert propose(tree.a1, on=D(YEAR, 5, 1)) == other


def test_staff_can_change_the_proposed_target(cast, tree):
    target = make_target(tree.a1)
    case = record(cast.staff_a, tree.a1, target=services.AUTO)
    assert case.target == target
    case = services.update_case(user=cast.staff_a, case=case, version=case.version, target=None)
    assert Case.objects.get(pk=case.pk).target is None
