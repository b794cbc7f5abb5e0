"""A new case is linked to a target that matches its unit, kind and year: the only open
one, or of several the one due first that still lacks cases. It is arising only when no
target is open or when staff choose it."""

import datetime

import pytest

from cases import services
from cases.models import Case
from cases.services import targets
from plans.models import ActivityKind, Amendment, Body, Programme, Target
from tests.cases.factories import YEAR, concluded, doc_number, make_programme, make_target, record

D = datetime.date
KIND = ActivityKind.INSPECTION_COMPLIANCE


MARCH_1 = D(YEAR, 3, 1)


@pytest.fixture(autouse=True, params=["statement", "orm"])
def reading(request, monkeypatch):
    """Every test twice: with the open targets read by the hand-written PostgreSQL
    statement (what PostgreSQL runs), and through the ORM (the other databases), which
    must give the same answers."""
    if request.param == "orm":
        monkeypatch.setattr(targets, "_open_targets_sql", targets._open_targets_orm)
    return request.param


def propose(unit, on=MARCH_1, kind=KIND, year=YEAR, body=Body.INSPECTION_COMMISSION):
    return services.propose_target(organization=unit, body=body, kind=kind, year=year, on=on)


def test_exactly_one_open_target_is_proposed(tree):
    target = make_target(tree.a1)
    assert propose(tree.a1) == target


def test_no_target_means_arising(cast, tree):
    assert propose(tree.a1) is None
    case = record(cast.staff_a, tree.a1, target=services.AUTO)
    assert case.target is None and case.is_arising


def test_of_several_open_targets_the_one_due_first_is_proposed_not_arising(cast, tree):
    # Was: two matching targets proposed none and the case was filed as arising.
    programme = make_programme(tree.a1)
    make_target(tree.a1, programme=programme, due_on=D(YEAR, 9, 30))
    first = make_target(tree.a1, programme=programme, due_on=D(YEAR, 6, 30))
    assert propose(tree.a1) == first
    case = record(cast.staff_a, tree.a1, target=services.AUTO)
    assert case.target == first and not case.is_arising


def test_targets_due_the_same_day_are_proposed_by_id(tree):
    programme = make_programme(tree.a1)
    first = make_target(tree.a1, programme=programme)
    make_target(tree.a1, programme=programme)
    assert propose(tree.a1) == first


def test_a_target_whose_cases_are_under_way_gives_way_to_one_that_still_lacks(cast, tree):
    programme = make_programme(tree.a1)
    soon = make_target(tree.a1, programme=programme, due_on=D(YEAR, 6, 30))
    later = make_target(tree.a1, programme=programme, due_on=D(YEAR, 9, 30))
    first = record(cast.staff_a, tree.a1, target=services.AUTO)
    second = record(cast.staff_a, tree.a1, target=services.AUTO)
    assert (first.target, second.target) == (soon, later)
    # Both under way, neither done: the one due first again, never arising.
    assert record(cast.staff_a, tree.a1, target=services.AUTO).target == soon


def test_a_cancelled_case_does_not_take_its_target(cast, tree):
    programme = make_programme(tree.a1)
    soon = make_target(tree.a1, programme=programme, due_on=D(YEAR, 6, 30))
    make_target(tree.a1, programme=programme, due_on=D(YEAR, 9, 30))
    case = record(cast.staff_a, tree.a1, target=soon)
    services.change_status(
        user=cast.staff_a, case=case, status=Case.Status.CANCELLED, version=case.version
    )
    assert propose(tree.a1) == soon


def test_open_targets_say_what_each_still_lacks_in_its_unit(cast, tree):
    programme = make_programme(tree.a1)
    quota = make_target(tree.a1, programme=programme, quantity=3, due_on=D(YEAR, 6, 30))
    members = make_target(tree.a1, programme=programme, quantity=5, counts=Target.Counts.MEMBERS)
    concluded(cast.staff_a, tree.a1, target=quota)
    record(cast.staff_a, tree.a1, target=quota)
    found = services.open_targets(organization=tree.a1, kind=KIND, year=YEAR, on=D(YEAR, 5, 1))
    assert [(m.target, m.lacking, m.under_way, m.unit_word) for m in found] == [
        (quota, 2, 1, "cuộc"),
        (members, 5, 0, "đảng viên"),
    ]


def test_editing_a_case_does_not_count_it_against_its_own_target(cast, tree):
    target = make_target(tree.a1, quantity=1)
    case = record(cast.staff_a, tree.a1, target=services.AUTO)
    case = services.update_case(
        user=cast.staff_a, case=case, version=case.version, target=services.AUTO
    )
    assert case.target == target


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


def test_a_raised_target_keeps_the_cases_of_the_one_it_replaces(cast, tree):
    # An amendment raises the quota 2 → 3 after both cases were concluded: the replacement
    # still lacks 1 (the cases follow the lineage, as in the roll-up), not 3, and a new
    # case is proposed for it.
    from plans import services as plan_services

    old = make_target(tree.a1, quantity=2)
    concluded(cast.staff_a, tree.a1, target=old)
    concluded(cast.staff_a, tree.a1, target=old)
    assert propose(tree.a1, on=D(YEAR, 5, 1)) is None
    plan_services.create_amendment(
        programme=old.programme,
        doc_number=doc_number("QĐ", "TN"),
        issued_on=D(YEAR, 5, 1),
        effective_on=D(YEAR, 5, 1),
        change=[(old, {"quantity": 3})],
    )
    new = Target.objects.get(replaces=old)
    [match] = services.open_targets(organization=tree.a1, kind=KIND, year=YEAR, on=D(YEAR, 6, 1))
    assert (match.target, match.work.done, match.lacking) == (new, 2, 1)
    assert propose(tree.a1, on=D(YEAR, 6, 1)) == new


def test_targets_counting_subjects_count_them_by_their_rule(cast, tree):
    # Each target by its own rule, the same in one reading and the other: subject units,
    # members, committee members (done: concluded by the date; taken: not cancelled).
    programme = make_programme(tree.a1)
    rules = [
        Target.Counts.ORGANIZATIONS,
        Target.Counts.MEMBERS,
        Target.Counts.COMMITTEE_MEMBERS,
    ]
    made = {
        rule: make_target(tree.a1, programme=programme, quantity=9, counts=rule) for rule in rules
    }
    unit = {"kind": "organization", "organization": tree.a1a}
    member = {"kind": "member", "member_name": "Trần Văn Một", "member_position": "Bí thư"}
    committee = {**member, "member_name": "Lê Thị Hai", "is_committee_member": True}
    for target in made.values():
        concluded(cast.staff_a, tree.a1, target=target, subjects=[unit, member, committee])
        record(cast.staff_a, tree.a1, target=target, subjects=[unit, member])
    cancelled = record(cast.staff_a, tree.a1, target=made[Target.Counts.MEMBERS], subjects=[member])
    services.change_status(
        user=cast.staff_a, case=cancelled, status=Case.Status.CANCELLED, version=cancelled.version
    )
    expected = {
        # (done by 1 May, taken)
        Target.Counts.ORGANIZATIONS: (1, 2),
        Target.Counts.MEMBERS: (2, 3),
        Target.Counts.COMMITTEE_MEMBERS: (1, 1),
    }
    for on, done_by in ((D(YEAR, 4, 1), 0), (D(YEAR, 5, 1), 1), (None, 1)):
        found = services.open_targets(organization=tree.a1, kind=KIND, year=YEAR, on=on)
        work = {m.target.counts: (m.work.done, m.work.taken) for m in found}
        assert work == {rule: (done * done_by, taken) for rule, (done, taken) in expected.items()}
        assert services.work_on_targets(made.values(), on=on) == {
            made[rule].pk: m.work for rule in rules for m in found if m.target == made[rule]
        }
