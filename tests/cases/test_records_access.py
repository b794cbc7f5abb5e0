"""The commission's other records for the fixed cast: each reads what lies in the
subtrees where it holds a role and writes only where it is staff or admin. A unit outside
the subtree sees none of them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, Letter, Suspension
from cases.queries import denunciations_for, letters_for, suspensions_for
from tests.cases.factories import TODAY, YEAR, denunciation, letter, suspension

D = datetime.date
pytestmark = pytest.mark.usefixtures("deadline_rules")
SEES_A = {"admin": True, "staff_a": True, "leader_p": True, "leader_b": False, "outsider": False}


@pytest.fixture
def records(cast, tree):
    return {
        "letter": letter(cast.staff_a, tree.a1, kind="feedback"),
        "denunciation": denunciation(cast.staff_a, tree.a1),
        "suspension": suspension(cast.staff_a, tree.a2),
    }


@pytest.mark.parametrize("who", list(SEES_A))
def test_records_of_a_are_seen_within_reach_only(cast, records, who):
    user = getattr(cast, who)
    letters = set(letters_for(user))
    assert (records["letter"] in letters) is SEES_A[who]
    assert (records["denunciation"].letter in letters) is SEES_A[who]
    assert (records["denunciation"] in set(denunciations_for(user))) is SEES_A[who]
    assert (records["suspension"] in set(suspensions_for(user))) is SEES_A[who]


def test_narrowed_to_a_unit_the_lists_keep_to_its_subtree(cast, tree, records):
    assert list(letters_for(cast.admin, organization=tree.b)) == []
    assert list(suspensions_for(cast.admin, organization=tree.a)) == [records["suspension"]]
    assert list(denunciations_for(cast.admin, organization=tree.a2)) == []


@pytest.mark.parametrize("who", ["leader_p", "leader_b", "outsider"])
def test_who_does_not_write_for_the_unit_records_nothing(cast, tree, who):
    user = getattr(cast, who)
    for record in (
        lambda: letter(user, tree.a1),
        lambda: suspension(user, tree.a1),
        lambda: services.open_denunciation(
            user=user,
            letter=None,
            organization=tree.a1,
            received_on=D(YEAR, 3, 1),
            accused={"kind": "member", "member_name": "Trần Văn Bị"},
            body="inspection_commission",
            today=TODAY,
        ),
    ):
        with pytest.raises(ValidationError) as error:
            record()
        assert list(error.value.message_dict) == ["organization"]
    assert not Letter.objects.exists()
    assert not Suspension.objects.exists()
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["leader_p", "leader_b"])
def test_who_does_not_write_for_the_unit_changes_nothing(cast, records, who):
    user = getattr(cast, who)
    held = records["suspension"]
    opened = records["denunciation"]
    changes = [
        lambda: services.keep_letter(
            user=user, letter=records["letter"], on=D(YEAR, 3, 2), version=1
        ),
        lambda: services.extend_suspension(
            user=user, suspension=held, to=D(YEAR, 6, 1), reason="Lý do.", version=held.version
        ),
        lambda: services.extend_denunciation(
            user=user, denunciation=opened, to=D(YEAR, 6, 1), reason="Lý do.", version=1
        ),
    ]
    for change in changes:
        with pytest.raises(ValidationError) as error:
            change()
        assert list(error.value.message_dict) == ["organization"]
    assert Letter.objects.get(pk=records["letter"].pk).handling == "pending"
