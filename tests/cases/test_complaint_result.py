"""A complaint's result: upheld changes nothing; annulled ends the discipline on the day;
changed ends it, replaced by a decision of the new form. History is kept, and the
decisions in force before and after that day are counted as they were."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, DisciplineDecision
from cases.queries import complaints_for, disciplines_in_force
from ktgs import versioning
from tests.cases.factories import complaint, disciplined, doc_number

D = datetime.date
DAY = D(2025, 6, 1)
pytestmark = pytest.mark.usefixtures("deadline_rules")


@pytest.fixture
def lodged(cast, tree):
    decision = disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 4, 10))
    return complaint(cast.staff_a, decision, tree.a)


def decide(user, lodged, result, **more):
    return services.decide_complaint(
        user=user, complaint=lodged, result=result, decided_on=DAY, version=lodged.version, **more
    )


def in_force(on):
    return sorted(disciplines_in_force(on).values_list("form", flat=True))


def test_upheld_changes_nothing(cast, lodged):
    decided = decide(cast.staff_a, lodged, "upheld")
    assert (decided.result, decided.decided_on) == ("upheld", DAY)
    assert in_force(DAY) == ["warning"]
    assert decided.case.status == Case.Status.CONCLUDED
    assert decided.case.concluded_on == DAY


def test_annulled_ends_the_discipline_from_that_day(cast, lodged):
    decide(cast.staff_a, lodged, "annulled")
    old = DisciplineDecision.objects.get()
    assert (old.ended_on, old.replaced_by) == (DAY, None)
    assert in_force(DAY - datetime.timedelta(days=1)) == ["warning"]
    assert in_force(DAY) == []
    assert old.history.count() == 2


def test_changed_replaces_the_discipline_from_that_day(cast, tree, lodged):
    decide(cast.staff_a, lodged, "changed", new_form="reprimand", decision_number=doc_number())
    old, new = DisciplineDecision.objects.order_by("pk")
    assert (old.form, old.ended_on, old.replaced_by) == ("warning", DAY, new)
    assert (new.form, new.decided_on, new.subject, new.ended_on) == (
        "reprimand",
        DAY,
        old.subject,
        None,
    )
    assert (new.deciding_organization, new.deciding_body) == (tree.a, "inspection_commission")
    assert new.is_committee_member == old.is_committee_member
    assert in_force(DAY - datetime.timedelta(days=1)) == ["warning"]
    assert in_force(DAY) == ["reprimand"]
    # A period's figure: decided in it and still in force at its end.
    assert disciplines_in_force(D(2025, 6, 30)).filter(decided_on__gte=D(2025, 4, 1)).count() == 1
    assert disciplines_in_force(D(2025, 5, 31)).filter(decided_on__gte=D(2025, 4, 1)).count() == 1


def test_committee_members_stay_committee_members(cast, tree):
    decision = disciplined(
        cast.staff_a, tree.a1, decided_on=D(2025, 4, 10), is_committee_member=True
    )
    lodged = complaint(cast.staff_a, decision, tree.a)
    decide(cast.staff_a, lodged, "changed", new_form="reprimand", decision_number=doc_number())
    assert DisciplineDecision.objects.get(form="reprimand").is_committee_member is True


def test_a_changed_result_needs_another_form_that_fits_and_a_number(cast, lodged):
    for more, field in [
        ({"new_form": "warning", "decision_number": doc_number()}, "new_form"),
        ({"new_form": "dissolution", "decision_number": doc_number()}, "new_form"),
        ({"new_form": "reprimand"}, "decision_number"),
    ]:
        with pytest.raises(ValidationError) as error:
            decide(cast.staff_a, lodged, "changed", **more)
        assert list(error.value.message_dict) == [field]
    assert DisciplineDecision.objects.get().ended_on is None
    assert Case.objects.get(pk=lodged.case_id).status == Case.Status.IN_PROGRESS


def test_a_complaint_is_decided_once_and_a_stale_form_refused(cast, lodged):
    decided = decide(cast.staff_a, lodged, "upheld")
    with pytest.raises(versioning.StaleObjectError):
        decide(cast.staff_a, lodged, "annulled")
    with pytest.raises(ValidationError) as error:
        decide(cast.staff_a, decided, "annulled")
    assert list(error.value.message_dict) == ["result"]
    assert DisciplineDecision.objects.get().ended_on is None


def test_an_ended_discipline_takes_no_new_complaint(cast, tree, lodged):
    decide(cast.staff_a, lodged, "annulled")
    with pytest.raises(ValidationError) as error:
        complaint(cast.admin, lodged.discipline, tree.province)
    assert list(error.value.message_dict) == ["discipline"]


def test_complaints_are_seen_within_reach(cast, lodged):
    assert list(complaints_for(cast.staff_a)) == [lodged]
    assert list(complaints_for(cast.leader_p)) == [lodged]
    assert list(complaints_for(cast.leader_b)) == []
    assert list(complaints_for(cast.outsider)) == []
