"""A suspension runs 90 days from its start and may be extended while its whole length
stays within the cap: 180 days for a member, 90 for an organisation."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import DeadlineRule, Suspension
from ktgs import versioning
from tests.cases.factories import YEAR, suspension

D = datetime.date
START = D(YEAR, 2, 1)
pytestmark = pytest.mark.usefixtures("deadline_rules")


def extend(user, held, days, reason="Chưa có kết luận của cơ quan điều tra."):
    return services.extend_suspension(
        user=user,
        suspension=held,
        to=START + datetime.timedelta(days=days),
        reason=reason,
        version=held.version,
    )


def test_a_member_is_suspended_for_90_days(cast, tree):
    held = suspension(cast.staff_a, tree.a1)
    assert (held.ends_on, held.cap_days) == (START + datetime.timedelta(days=90), 180)


def test_a_member_suspension_extended_to_180_days_is_accepted_and_181_refused(cast, tree):
    held = suspension(cast.staff_a, tree.a1)
    held = extend(cast.staff_a, held, 120)
    held = extend(cast.staff_a, held, 180)
    assert held.ends_on == START + datetime.timedelta(days=180)
    with pytest.raises(ValidationError) as error:
        extend(cast.staff_a, held, 181)
    assert error.value.message_dict == {
        "ends_on": [
            "Tổng thời gian đình chỉ không được quá 180 ngày kể từ ngày 01/02/2025, "
            "tức là đến hết ngày 31/07/2025."
        ]
    }
    assert Suspension.objects.get().ends_on == START + datetime.timedelta(days=180)


def test_an_organisation_suspended_91_days_is_refused(cast, tree):
    held = suspension(
        cast.staff_a,
        tree.a,
        kind="organization_activity",
        reason="obstructing",
        member_name="",
        member_position="",
        subject_organization=tree.a2,
    )
    assert (held.ends_on, held.cap_days, held.member_name) == (
        START + datetime.timedelta(days=90),
        90,
        "",
    )
    with pytest.raises(ValidationError) as error:
        extend(cast.staff_a, held, 91)
    assert list(error.value.message_dict) == ["ends_on"]


def test_an_extension_is_later_with_a_reason_and_not_stale(cast, tree):
    held = suspension(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        extend(cast.staff_a, held, 90)
    assert list(error.value.message_dict) == ["ends_on"]
    with pytest.raises(ValidationError) as error:
        extend(cast.staff_a, held, 100, reason="")
    assert list(error.value.message_dict) == ["extension_reason"]
    extend(cast.staff_a, held, 100)
    with pytest.raises(versioning.StaleObjectError):
        extend(cast.staff_a, held, 110)


def test_a_committee_suspension_is_a_committee_members(cast, tree):
    held = suspension(cast.staff_a, tree.a1, kind="committee_activity")
    assert held.is_committee_member is True


def test_lifting_ends_it_with_its_outcome(cast, tree):
    held = suspension(cast.staff_a, tree.a1)
    lifted = services.lift_suspension(
        user=cast.staff_a,
        suspension=held,
        lifted_on=D(YEAR, 3, 15),
        outcome="reinstated",
        version=held.version,
    )
    assert (lifted.lifted_on, lifted.outcome) == (D(YEAR, 3, 15), "reinstated")
    with pytest.raises(ValidationError) as error:
        extend(cast.staff_a, lifted, 120)
    assert list(error.value.message_dict) == ["ends_on"]


def test_an_organisation_is_not_expelled(cast, tree):
    held = suspension(
        cast.staff_a,
        tree.a,
        kind="organization_activity",
        member_name="",
        subject_organization=tree.a2,
    )
    with pytest.raises(ValidationError) as error:
        services.lift_suspension(
            user=cast.staff_a,
            suspension=held,
            lifted_on=D(YEAR, 3, 1),
            outcome="expelled",
            version=1,
        )
    assert list(error.value.message_dict) == ["outcome"]


def test_bad_input_is_refused_on_its_field_and_writes_nothing(cast, tree):
    for overrides, field in [
        ({"member_name": ""}, "member_name"),
        ({"reason": "other"}, "reason_detail"),
        ({"decision_number": "không phải số"}, "decision_number"),
        ({"starts_on": D(YEAR, 1, 1)}, "starts_on"),
        ({"body": "party_boards"}, "body"),
        ({"kind": "organization_activity", "member_name": ""}, "subject_organization"),
    ]:
        with pytest.raises(ValidationError) as error:
            suspension(cast.staff_a, tree.a1, **overrides)
        assert list(error.value.message_dict) == [field], overrides
    assert not Suspension.objects.exists()


def test_without_a_rule_the_suspension_is_refused_clearly(cast, tree):
    DeadlineRule.objects.filter(kind="suspension_member").update(is_active=False)
    with pytest.raises(ValidationError) as error:
        suspension(cast.staff_a, tree.a1)
    assert error.value.code == "no_deadline_rule"
    assert not Suspension.objects.exists()
