"""`seed_demo`'s records of the bloc committee (devtools.demo.records): letters of every
kind, denunciations around their deadlines, disciplinary complaints, suspensions, all
written through cases.services and dated back from the demo's today."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from cases import deadlines
from cases.models import (
    Case,
    CaseSubject,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    Suspension,
)
from devtools.demo import province as demo
from devtools.demo.records import PEOPLE_FROM
from ktgs.models import User
from tests.devtools.test_demo_year import NOON, TODAY, assert_cases_valid, assert_table_is_a_rebuild


def seed(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue()


def record_counts() -> tuple:
    return tuple(
        model.objects.count() for model in (Letter, Denunciation, DisciplineComplaint, Suspension)
    ) + tuple(
        model.history.count()
        for model in (Letter, Denunciation, DisciplineComplaint, Suspension, Case)
    )


def deadline_states(today: datetime.date) -> Counter:
    """The denunciations not concluded by `today`, by where their deadline stands."""
    return Counter(
        str(deadlines.status(d.deadline, None, today))
        for d in Denunciation.objects.filter(concluded_on__isnull=True)
    )


@pytest.fixture
def pinned():
    with time_machine.travel(NOON, tick=False):
        yield


def test_the_bloc_holds_letters_denunciations_complaints_and_suspensions(db, client, pinned):
    output = seed()
    tree = demo.load_demo_tree()
    bloc = tree.bloc
    assert "Demo records of Đảng ủy Khối các cơ quan tỉnh" in output

    # Letters: every kind, at the bloc; some forwarded down from the province's commission,
    # one of them on to a grassroots committee (a chain of three rows).
    letters = Letter.objects.filter(organization=bloc)
    assert set(letters.values_list("kind", flat=True)) == set(Letter.Kind.values)
    from_province = letters.filter(forwarded_from__organization=tree.province)
    assert from_province.count() == 3
    onward = Letter.objects.get(forwarded_from__in=from_province)
    assert onward.organization.parent_id == bloc.pk
    assert (onward.handling, onward.root.organization) == ("pending", tree.province)
    kept = letters.filter(handling=Letter.Handling.KEPT)
    assert set(kept.values_list("sender_kind", flat=True)) == {"anonymous", "false_name"}
    assert not kept.exclude(sender_name="").exists()  # no name kept for them
    handled = Counter(letters.values_list("handling", flat=True))
    assert handled["handled_here"] >= 10 and handled["case_opened"] == 1 and handled["pending"]

    # Denunciations: one due soon and one overdue as of the demo's today, one extended.
    denunciations = Denunciation.objects.filter(case__organization=bloc)
    assert denunciations.count() == 7
    assert not Denunciation.objects.exclude(case__organization=bloc).exists()
    states = deadline_states(TODAY)
    assert (states["due_soon"], states["overdue"]) == (1, 1)
    assert states["in_time"] >= 2
    (extended,) = denunciations.filter(extended_to__isnull=False)
    assert extended.extension_reason and extended.concluded_on is None
    assert (extended.extended_to - extended.due_on).days == extended.extension_days
    assert not denunciations.filter(letter__isnull=True).exists()
    # One concluded true, with a discipline on the accused; one untrue.
    verdicts = Counter(denunciations.values_list("conclusion", flat=True))
    assert (verdicts["true"], verdicts["untrue"], verdicts[""]) == (1, 1, 5)
    true = denunciations.get(conclusion="true")
    assert true.case.status == "concluded" and true.case.violation_found
    (discipline,) = DisciplineDecision.objects.filter(case=true.case)
    assert (discipline.deciding_organization, discipline.form) == (bloc, "warning")
    assert discipline.subject.member_name == true.letter.about_member_name
    assert discipline.is_committee_member
    assert set(denunciations.values_list("case__status", flat=True)) == {
        "in_progress",
        "concluded",
    }

    # Complaints against grassroots committees' discipline, settled by the bloc.
    complaints = DisciplineComplaint.objects.filter(case__organization=bloc)
    assert sorted(complaints.values_list("result", flat=True)) == [
        "",
        "annulled",
        "changed",
        "upheld",
    ]
    assert not complaints.filter(letter__isnull=True).exists()
    assert all(c.discipline.deciding_organization.parent_id == bloc.pk for c in complaints)
    changed = complaints.get(result="changed")
    assert changed.discipline.ended_on == changed.decided_on
    assert changed.discipline.replaced_by.form == changed.new_form == "reprimand"
    annulled = complaints.get(result="annulled")
    assert annulled.discipline.ended_on == annulled.decided_on
    assert annulled.discipline.replaced_by is None
    assert complaints.get(result="upheld").discipline.ended_on is None

    # Suspensions: prosecuted and detained members, one extended, one lifted.
    suspensions = Suspension.objects.filter(organization=bloc)
    assert set(suspensions.values_list("reason", flat=True)) == {"prosecuted", "detained"}
    (extended,) = suspensions.exclude(extension_reason="")
    assert 90 < (extended.ends_on - extended.starts_on).days <= extended.cap_days
    (lifted,) = suspensions.filter(lifted_on__isnull=False)
    assert lifted.kind == "committee_activity" and lifted.outcome == "disciplined"
    assert suspensions.filter(lifted_on__isnull=True, ends_on__gte=TODAY).count() == 3

    # Through the services, as the demo administrator, nothing after today.
    quantri = User.objects.get(username="quantri")
    for model in (Letter, Denunciation, DisciplineComplaint, Suspension):
        assert model.history.count() > model.objects.count()  # changes after creation
        assert set(model.history.values_list("history_user", flat=True)) == {quantri.pk}
    assert not Letter.objects.filter(received_on__gt=TODAY).exists()
    assert not Letter.objects.filter(handled_on__gt=TODAY).exists()
    assert not Suspension.objects.filter(starts_on__gt=TODAY).exists()
    assert_cases_valid(TODAY)
    assert_table_is_a_rebuild(TODAY)

    # Synthetic people only, never sharing a name with the cases' subjects.
    names = [
        *Letter.objects.exclude(sender_name="").values_list("sender_name", flat=True),
        *Letter.objects.exclude(about_member_name="").values_list("about_member_name", flat=True),
        *suspensions.values_list("member_name", flat=True),
    ]
    assert names and all(" Mẫu " in name for name in names)
    assert all(int(name.rsplit(" ", 1)[1]) >= PEOPLE_FROM for name in names)
    own_cases = {
        *denunciations.values_list("case_id", flat=True),
        *complaints.values_list("case_id", flat=True),
        *complaints.values_list("discipline__case_id", flat=True),
    }
    others = CaseSubject.objects.filter(kind="member").exclude(case_id__in=own_cases)
    numbers = [int(name.rsplit(" ", 1)[1]) for name in others.values_list("member_name", flat=True)]
    assert max(numbers) < PEOPLE_FROM

    # The bloc's leader sees them on the staff pages.
    client.force_login(User.objects.get(username="lanhdao.khoi"))
    page = client.get(f"/cases/denunciations/?organization={bloc.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Quá hạn 7 ngày" in text and "Còn 6 ngày" in text
    assert client.get(f"/cases/letters/?organization={bloc.pk}").status_code == 200
    # And the dashboard's deadline cards show them.
    dashboard = client.get(f"/progress/{bloc.pk}/").content.decode()
    for label in ("Tố cáo sắp hết hạn", "Tố cáo quá hạn"):
        assert re.search(rf"{label}</div>\s*<div class=\"value\">1</div>", dashboard), label


def test_seeding_again_adds_no_record(db, pinned):
    seed()
    before = record_counts()
    assert seed().count("Demo records") == 0
    assert seed("--if-missing").count("Demo records") == 0
    assert record_counts() == before
    assert deadline_states(TODAY)["overdue"] == 1


def test_the_records_follow_the_demos_today(db):
    """Seeded on another day, the deadlines stand the same way as of that day."""
    day = datetime.date(2026, 2, 10)  # early in the year: most records began the year before
    with time_machine.travel(datetime.datetime(2026, 2, 10, 5, 0, tzinfo=datetime.UTC), tick=False):
        seed()
    states = deadline_states(day)
    assert (states["due_soon"], states["overdue"]) == (1, 1)
    assert_cases_valid(day)
