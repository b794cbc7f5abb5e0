"""`seed_demo`'s year: the demo programmes and cases written through the services, and
the synthetic year written in bulk, both leaving the progress table as a rebuild makes it."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q

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
from ktgs.models import Organization
from plans.models import Amendment, Programme, Target
from reports import engine
from reports.engine.table import row_values
from reports.models import ALL_KINDS, ProgressRow
from reports.queries.records import records

L = Organization.Level
TODAY = datetime.date(2026, 7, 2)  # half-way through the year: some units ahead, some behind
NOON = datetime.datetime(2026, 7, 2, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Hà Nội


def seed(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue()


def year_counts() -> tuple:
    return (
        Programme.objects.count(),
        Amendment.objects.count(),
        Target.objects.count(),
        Case.objects.count(),
        CaseSubject.objects.count(),
        DisciplineDecision.objects.count(),
        Programme.history.count(),
        Target.history.count(),
        Case.history.count(),
        CaseSubject.history.count(),
    )


def assert_cases_valid(today: datetime.date) -> None:
    """Every case is in a state the transitions reach, with dates in order, none after
    today (but the planned end of work not yet concluded), and fulfils a target only of
    its own unit and kind, and a target of its unit's own programme only when that
    programme is the case's body's (the generators never need the confirmation)."""
    cases = Case.objects.all()
    assert set(cases.values_list("status", flat=True)) <= {"concluded", "in_progress", "decided"}
    assert not cases.filter(status="concluded", concluded_on__isnull=True).exists()
    assert not cases.filter(concluded_on__gt=today).exists()
    assert not cases.filter(decided_on__gt=today).exists()
    assert not cases.filter(decided_on__isnull=True).exists()
    assert not cases.filter(work_starts_on__lt=F("decided_on")).exists()
    assert not cases.filter(work_ends_on__lt=F("work_starts_on")).exists()
    assert not cases.filter(concluded_on__lt=F("work_ends_on")).exists()
    assert not cases.filter(status="in_progress", work_starts_on__gt=today).exists()
    assert (
        not cases.exclude(status="concluded")
        .filter(Q(violation_found__isnull=False) | ~Q(conclusion_number=""))
        .exists()
    )
    assert (
        not cases.filter(target__isnull=False)
        .exclude(organization=F("target__organization"), kind=F("target__kind"))
        .exists()
    )
    assert (
        not cases.filter(target__programme__organization=F("organization"))
        .exclude(body=F("target__programme__body"))
        .exists()
    )
    assert not cases.annotate(n=Count("subjects")).filter(n=0).exists()
    assert not DisciplineDecision.objects.filter(decided_on__gt=today).exists()
    assert not DisciplineDecision.objects.exclude(case__status="concluded").exists()
    # A decision number is unique per issuing body of a unit and year, across cases'
    # and discipline decisions (every grassroots commission writes "-QĐ/UBKTĐU").
    duplicates = (
        Case.objects.values("organization", "body", "decision_serial", "decided_on__year")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    same_as_a_case = Case.objects.filter(
        organization=OuterRef("deciding_organization"),
        body=OuterRef("deciding_body"),
        decision_serial=OuterRef("decision_serial"),
        decided_on__year=OuterRef("decided_on__year"),
    )
    assert not DisciplineDecision.objects.filter(Exists(same_as_a_case)).exists()


def assert_table_is_a_rebuild(today: datetime.date) -> None:
    wanted = engine.compute_table(today)
    table = {
        (row.organization_id, row.year, row.kind, row.body): row_values(row)
        for row in ProgressRow.objects.all()
    }
    differ = {key for key in set(wanted) | set(table) if wanted.get(key) != table.get(key)}
    assert len(differ) == 0
    assert table


@pytest.fixture
def pinned():
    with time_machine.travel(NOON, tick=False):
        yield


# --- demo -----------------------------------------------------------------------------


def test_demo_year_programmes_cases_and_progress(db, pinned):
    output = seed()
    tree = demo.load_demo_tree()
    assert "Demo programmes 2026" in output and "Progress table rebuilt" in output

    province = Programme.objects.get(organization=tree.province, year=2026)
    assert (province.doc_number, province.status) == ("17-CTr/TU", Programme.Status.ISSUED)
    planned = province.targets.filter(added_by__isnull=True)
    assert planned.count() == 25
    assert set(planned.values_list("quantity", flat=True)) == {1}
    assert not planned.filter(subject_organization__isnull=True).exists()
    assert len({t.due_on.month for t in planned}) >= 10  # spread over the year
    arising = Case.objects.filter(organization=tree.province, target__isnull=True)
    assert arising.count() == 16
    assert Case.objects.filter(target__programme=province).count() > 0
    assert Programme.history.filter(id=province.pk, history_user__username="quantri").exists()

    bloc = Programme.objects.get(organization=tree.bloc, year=2026)
    assert (bloc.doc_number, bloc.body, bloc.status) == (
        "103-KH/ĐUK",
        "inspection_commission",
        Programme.Status.ISSUED,
    )
    grassroots = set(Organization.objects.filter(parent=tree.bloc).values_list("id", flat=True))
    assert len(grassroots) == 63
    original = bloc.targets.filter(added_by__isnull=True, subject_organization__isnull=True)
    for kind, quantity in (("inspection_compliance", 2), ("supervision_thematic", 1)):
        quota = original.filter(kind=kind, quantity=quantity, organization__in=grassroots)
        assert set(quota.values_list("organization_id", flat=True)) == grassroots
    cells = Organization.objects.filter(path__startswith=tree.bloc.path, level=L.CELL)
    shares = original.filter(organization__in=cells, member_share=Decimal(30))
    assert shares.count() == cells.count() > 200
    assert set(shares.values_list("counts", flat=True)) == {Target.Counts.MEMBERS}

    (amendment,) = bloc.amendments.all()
    assert amendment.doc_number == "118-KH/ĐUK"
    assert bloc.issued_on <= amendment.effective_on <= TODAY
    assert amendment.added_targets.filter(replaces__isnull=True).count() == 4
    assert amendment.removed_targets.count() == 2
    # The first three communes' committees set quotas for their cells; every commune's
    # committee and commission also has a programme of its own (see
    # tests/reports/test_demo_unit_programmes.py).
    communes = Programme.objects.filter(organization__in=tree.communes[:3], body="committee")
    assert communes.count() == 3
    assert all(p.targets.filter(organization__level=L.CELL).exists() for p in communes)

    assert_cases_valid(TODAY)
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses["concluded"] > 200 and statuses["in_progress"] and statuses["decided"]
    # The named cases go through the services: created, decided, in progress, concluded.
    concluded = Case.objects.filter(target__programme=province, status="concluded").first()
    assert concluded.history.count() == 4
    assert concluded.history.first().history_user.username == "quantri"
    # The cells' member supervisions are inserted in bulk, with their first history row.
    assert Case.history.filter(history_type="+").count() == Case.objects.count()
    assert CaseSubject.history.filter(history_type="+").count() == CaseSubject.objects.count()
    assert Case.objects.filter(violation_found=True).exists()
    decisions = DisciplineDecision.objects.all()
    assert decisions.count() >= 3 and decisions.filter(is_committee_member=True).exists()

    assert_table_is_a_rebuild(TODAY)
    rows = ProgressRow.objects.filter(
        organization_id__in=grassroots, year=2026, kind=ALL_KINDS, body=""
    )
    assert rows.count() == 63
    lagging = rows.filter(own_units_lagging=1).count()
    completed = rows.filter(own_units_completed=1).count()
    assert lagging >= 5 and completed >= 5 and lagging + completed < 63
    assert rows.filter(own_done__gt=F("own_quantity")).exists()  # some over-achieve


def test_a_second_demo_run_creates_nothing(db, pinned):
    seed()
    before = year_counts()
    rows = set(ProgressRow.objects.values_list("organization_id", "kind", "own_done"))
    output = seed()
    assert year_counts() == before
    assert set(ProgressRow.objects.values_list("organization_id", "kind", "own_done")) == rows
    assert "Demo programmes" not in output and "Demo cases" not in output
    assert "(0 inserted, 0 updated, 0 deleted)" in output


# --- synthetic ------------------------------------------------------------------------


def test_synthetic_year_fits_the_tree_and_the_progress_table(db, pinned):
    output = seed("--profile", "national", "--scale", "0.002", "--seed", "5")
    assert "national year 2026" in output and "Progress table rebuilt" in output
    root = Organization.objects.get(code="QG")
    units = dict(Organization.objects.values_list("id", "path"))
    targets = list(
        Target.objects.values_list(
            "organization_id", "programme__organization_id", "subject_organization_id",
            "due_on", "quantity",
        )
    )  # fmt: skip
    assert len(targets) > 300
    for unit, owner, subject, due, quantity in targets:
        assert units[unit].startswith(units[owner]) and units[owner].startswith(root.path)
        assert subject is None or units[subject].startswith(units[owner])
        assert due.year == 2026 and quantity >= 1
    assert set(Programme.objects.values_list("status", flat=True)) == {"issued"}
    assert Programme.history.count() == Target.history.count() == Case.history.count() == 0
    kinds = Counter(Target.objects.values_list("kind", flat=True))
    assert len(kinds) >= 6 and kinds["supervision_regular"] > 0
    assert Target.objects.filter(counts="members", member_share__isnull=False).exists()

    assert Case.objects.count() > len(targets)
    case_units = Case.objects.values_list("organization__path", flat=True)
    assert all(path.startswith(root.path) for path in case_units)
    subject_units = CaseSubject.objects.filter(kind="organization").values_list(
        "organization__path", flat=True
    )
    assert all(path.startswith(root.path) for path in subject_units)
    assert Case.objects.filter(target__isnull=True).exists()  # arising
    assert_cases_valid(TODAY)
    started = Target.objects.filter(cases__status="concluded").distinct().count()
    assert 0.4 < started / len(targets) < 0.9

    assert_table_is_a_rebuild(TODAY)
    assert engine.rebuild(TODAY).changed == 0
    top = ProgressRow.objects.get(organization=root, year=2026, kind=ALL_KINDS, body="")
    assert top.sub_units_lagging > 0 and top.sub_units_completed > 0


def test_synthetic_year_writes_the_commissions_records(db, pinned):
    """The letters, denunciations, disciplinary complaints and suspensions of the
    synthetic year are records the services could have written (each row passes the
    model's validation and constraints), tied to the year's cases as the services tie
    them, and the records' figures count them: the benchmark and the load test read them
    on every dashboard."""
    seed("--profile", "national", "--scale", "0.002", "--seed", "5")
    root = Organization.objects.get(code="QG")
    letters = Letter.objects.all()
    denunciations = Denunciation.objects.select_related("case", "letter")
    complaints = DisciplineComplaint.objects.select_related("case", "discipline")
    suspensions = Suspension.objects.all()
    assert letters.count() > 100 and suspensions.count() > 5
    assert denunciations.count() > 5 and complaints.count() > 0
    for record in [*letters, *denunciations, *complaints, *suspensions]:
        record.full_clean()
        assert record.created_at is not None

    # Every denunciation case has its handling and the named letter it came from,
    # received before the decision, concluded when the case is.
    assert denunciations.count() == Case.objects.filter(kind="denunciation").count()
    for denunciation in denunciations:
        case, letter = denunciation.case, denunciation.letter
        assert letter.kind == "denunciation" and letter.sender_kind == "named"
        assert letter.organization_id == case.organization_id
        assert denunciation.received_on == letter.received_on <= case.decided_on
        assert (denunciation.concluded_on is None) == (case.status != "concluded")
        assert denunciation.concluded_on in (None, case.concluded_on)
    # A complaint contests an earlier discipline decision of a unit below the one that
    # settles it, once.
    for complaint in complaints:
        assert complaint.case.kind == "discipline_complaint"
        assert complaint.discipline.decided_on <= complaint.lodged_on <= complaint.case.decided_on
        settling, deciding = complaint.case.organization, complaint.discipline.deciding_organization
        assert deciding.path.startswith(settling.path) and deciding != settling
    assert not complaints.values("discipline").annotate(n=Count("id")).filter(n__gt=1).exists()
    # A forwarded letter has its copy at the unit it went to, in the same chain.
    forwarded = letters.filter(handling="forwarded")
    assert forwarded.exists()
    for letter in forwarded:
        copy = letter.forwards.get()
        assert copy.organization_id == letter.forwarded_to_id and copy.root_id == letter.pk
        assert copy.received_on >= letter.handled_on
    assert not letters.filter(received_on__gt=TODAY).exists()
    assert not letters.filter(handled_on__gt=TODAY).exists()
    assert not suspensions.filter(starts_on__gt=TODAY).exists()

    # The records' figures of the nation for the year so far: each chain counted once.
    found = records(root, starts_on=datetime.date(2026, 1, 1), ends_on=TODAY, today=TODAY)
    every = found.bodies[0]
    assert every.letters_received == letters.filter(forwarded_from__isnull=True).count()
    assert every.denunciations.received == denunciations.count()
    assert every.denunciations.concluded == denunciations.filter(concluded_on__isnull=False).count()
    assert every.complaints_received == complaints.count()
    assert sum(line.count for line in every.suspensions) == suspensions.count()


def test_synthetic_year_follows_the_seed(db, pinned):
    def fingerprint():
        return sorted(
            Case.objects.values_list(
                "organization__code", "kind", "status", "concluded_on", "decision_number"
            )
        )

    seed("--profile", "post2025", "--scale", "0.002")
    first = fingerprint()
    seed("--profile", "post2025", "--scale", "0.002", "--replace")
    assert fingerprint() == first
    assert_cases_valid(TODAY)
