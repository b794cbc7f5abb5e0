"""The subject counts each case keeps (Case.SUBJECT_COUNTS: party organisations, members,
and committee members among the members) equal what its subjects say, whoever wrote
them: the subjects' services (record_case, add_subject, update_subject, remove_subject),
the migration that filled them, and the synthetic and demo seeding. The period report
and the progress API add these counts up instead of joining the subjects, so a stale
count is a wrong official figure.

The truth here is an aggregate of the subjects written in this module, apart from the
services' own recount (cases.services.subjects._count_subjects)."""

import datetime
import importlib
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import Case, CaseSubject
from cases.services.subjects import recount_subjects, subject_counts
from devtools.demo.cases import DemoYear
from plans.models import ActivityKind, Body
from reports import tasks as report_tasks
from tests.cases.factories import record
from tests.factories import UserFactory

ORG = CaseSubject.Kind.ORGANIZATION
MEMBER = CaseSubject.Kind.MEMBER


def counted_from_subjects(cases=None) -> dict[int, tuple[int, int, int]]:
    """Each case's (organisations, members, committee members among the members), counted
    from its subjects by one grouped query."""
    member = Q(subjects__kind=MEMBER)
    rows = (
        (cases if cases is not None else Case.objects.all())
        .order_by()
        .annotate(
            orgs=Count("subjects", filter=Q(subjects__kind=ORG)),
            members=Count("subjects", filter=member),
            committee=Count("subjects", filter=member & Q(subjects__is_committee_member=True)),
        )
        .values_list("pk", "orgs", "members", "committee")
    )
    return {pk: (orgs, members, committee) for pk, orgs, members, committee in rows}


def stored_counts(cases=None) -> dict[int, tuple[int, int, int]]:
    rows = (cases if cases is not None else Case.objects.all()).values_list(
        "pk", *Case.SUBJECT_COUNTS
    )
    return {pk: tuple(counts) for pk, *counts in rows}


def assert_counts_kept(cases=None) -> dict[int, tuple[int, int, int]]:
    """The stored counts, re-read from the database, are those of the subjects."""
    truth = counted_from_subjects(cases)
    stored = stored_counts(cases)
    wrong = {pk: (stored[pk], truth[pk]) for pk in truth if stored[pk] != truth[pk]}
    assert wrong == {}, "case: (stored, from the subjects)"
    return stored


def member(name: str, *, committee: bool = False) -> dict:
    return {"kind": MEMBER, "member_name": name, "is_committee_member": committee}


def unit(organization) -> dict:
    return {"kind": ORG, "organization": organization}


# --- the pure function --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subjects", "expected"),
    [
        ([], (0, 0, 0)),
        ([("organization", False)], (1, 0, 0)),
        # A committee flag left on a unit subject counts no committee member.
        ([("organization", True)], (1, 0, 0)),
        ([("member", False)], (0, 1, 0)),
        ([("member", True)], (0, 1, 1)),
        ([(MEMBER, True), (ORG, False)], (1, 1, 1)),
        (
            [("organization", False), ("member", True), ("member", False), ("member", True)],
            (1, 3, 2),
        ),
        ([("organization", False)] * 4 + [("member", False)] * 3, (4, 3, 0)),
        # An unknown kind (refused by the services before it is written) counts nothing.
        ([("", True), ("unit", False)], (0, 0, 0)),
    ],
)
def test_subject_counts(subjects, expected):
    counts = subject_counts(iter(subjects))
    # In the order of Case.SUBJECT_COUNTS: the synthetic year writes `.values()` by position.
    assert list(counts) == list(Case.SUBJECT_COUNTS)
    assert tuple(counts.values()) == expected


# --- through the services -----------------------------------------------------------------


def version(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def test_counts_follow_every_subject_service(cast, tree):
    user = cast.staff_a
    case = record(
        user,
        tree.a,
        subjects=[
            unit(tree.a1),
            unit(tree.a2),
            member("Nguyễn Văn Một", committee=True),
            member("Trần Thị Hai"),
        ],
    )
    other = record(user, tree.a, subjects=[member("Lê Văn Khác", committee=True)])
    assert assert_counts_kept()[case.pk] == (2, 2, 1)

    added = services.add_subject(
        user=user, case=case, version=version(case), **member("Phạm Văn Ba")
    )
    assert assert_counts_kept()[case.pk] == (2, 3, 1)

    services.update_subject(
        user=user, subject=added, version=version(case), is_committee_member=True
    )
    assert assert_counts_kept()[case.pk] == (2, 3, 2)

    # A member (a committee member) becomes a unit: one member and one committee member
    # less, one unit more; the committee flag it keeps counts no longer.
    services.update_subject(
        user=user, subject=added, version=version(case), kind=ORG, organization=tree.a1a
    )
    added.refresh_from_db()
    assert (added.kind, added.is_committee_member) == (ORG, True)
    assert assert_counts_kept()[case.pk] == (3, 2, 1)

    # And back: a unit becomes a member again, committee flag and all.
    services.update_subject(
        user=user, subject=added, version=version(case), kind=MEMBER, member_name="Phạm Văn Ba"
    )
    assert assert_counts_kept()[case.pk] == (2, 3, 2)

    unit_a2 = case.subjects.get(organization=tree.a2)
    services.remove_subject(user=user, subject=unit_a2, version=version(case))
    assert assert_counts_kept()[case.pk] == (1, 3, 2)

    committee = case.subjects.get(member_name="Nguyễn Văn Một")
    services.remove_subject(user=user, subject=committee, version=version(case))
    assert assert_counts_kept()[case.pk] == (1, 2, 1)

    # The case's other writes keep the counts as they are.
    services.update_case(user=user, case=case, version=version(case), title="Nội dung khác")
    services.change_status(user=user, case=case, status=Case.Status.DECIDED, version=version(case))
    assert assert_counts_kept()[case.pk] == (1, 2, 1)

    # Nothing of the other case moved.
    assert stored_counts()[other.pk] == (0, 1, 1)


def test_a_refused_subject_leaves_the_counts(cast, tree):
    case = record(cast.staff_a, tree.a, subjects=[member("Nguyễn Văn Một")])
    with pytest.raises(ValidationError):
        services.add_subject(user=cast.staff_a, case=case, kind=MEMBER, member_name=" ")
    with pytest.raises(ValidationError):
        record(cast.staff_a, tree.a, subjects=[member("Hợp lệ"), unit(None)])
    assert assert_counts_kept() == {case.pk: (0, 1, 0)}


# --- any sequence of the services ---------------------------------------------------------

subject_spec = st.tuples(st.sampled_from([ORG, MEMBER]), st.booleans(), st.integers(0, 2))
operation = st.tuples(
    st.sampled_from(
        ["add_member", "add_unit", "committee", "to_unit", "to_member", "remove", "edit_case"]
    ),
    st.integers(0, 5),  # which case
    st.integers(0, 5),  # which of its subjects
    st.booleans(),  # the committee flag
    st.integers(0, 2),  # which unit
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initial=st.lists(st.lists(subject_spec, max_size=3), min_size=1, max_size=3),
    operations=st.lists(operation, min_size=1, max_size=12),
)
def test_counts_are_kept_by_any_sequence_of_the_services(cast, tree, initial, operations):
    user = cast.staff_a
    units = [tree.a1, tree.a1a, tree.a2]
    names = iter(range(1, 1000))

    def data(kind: str, committee: bool, which: int) -> dict:
        if kind == ORG:
            return {**unit(units[which]), "is_committee_member": committee}
        return member(f"Đảng viên {next(names)}", committee=committee)

    with transaction.atomic():
        cases = [
            record(user, tree.a, subjects=[data(*spec) for spec in specs]) for specs in initial
        ]
        for name, i, j, committee, which in operations:
            case = cases[i % len(cases)]
            subjects = list(CaseSubject.objects.filter(case=case).order_by("pk"))
            subject = subjects[j % len(subjects)] if subjects else None
            if name in ("add_member", "add_unit") or subject is None:
                kind = ORG if name == "add_unit" else MEMBER
                services.add_subject(user=user, case=case, **data(kind, committee, which))
            elif name == "committee":
                services.update_subject(user=user, subject=subject, is_committee_member=committee)
            elif name == "to_unit":
                services.update_subject(
                    user=user, subject=subject, kind=ORG, organization=units[which]
                )
            elif name == "to_member":
                services.update_subject(
                    user=user, subject=subject, kind=MEMBER, member_name=f"Đổi {next(names)}"
                )
            elif name == "remove":
                services.remove_subject(user=user, subject=subject)
            else:
                services.update_case(
                    user=user, case=case, version=None, title=f"Nội dung {next(names)}"
                )
        assert len(assert_counts_kept()) == len(cases)
        transaction.set_rollback(True)


# --- the migration that filled them -------------------------------------------------------


def test_the_migration_counts_every_case_from_its_subjects(cast, tree):
    migration = importlib.import_module("cases.migrations.0011_case_subject_counts")
    mixed = record(
        cast.staff_a,
        tree.a,
        subjects=[unit(tree.a1), member("Một", committee=True), member("Hai"), unit(tree.a2)],
    )
    members = record(cast.staff_a, tree.a, subjects=[member("Ba", committee=True), member("Bốn")])
    # A committee flag left on a unit subject, and a case with no subject (its counts 0,
    # not NULL, from the subqueries that find no row).
    flagged = record(cast.staff_a, tree.a, subjects=[unit(tree.a1a)])
    CaseSubject.objects.filter(case=flagged).update(is_committee_member=True)
    empty = record(cast.staff_a, tree.a)
    Case.objects.update(subject_organizations=7, subject_members=0, subject_committee_members=5)

    with connection.schema_editor() as schema_editor:
        migration.count_subjects(apps, schema_editor)

    assert assert_counts_kept() == {
        mixed.pk: (2, 2, 1),
        members.pk: (0, 2, 1),
        flagged.pk: (1, 0, 0),
        empty.pk: (0, 0, 0),
    }


def test_the_nightly_check_counts_again_the_cases_whose_counts_went_wrong(cast, tree, caplog):
    right = record(cast.staff_a, tree.a, subjects=[unit(tree.a1), member("Một", committee=True)])
    wrong = record(cast.staff_a, tree.a, subjects=[member("Hai"), member("Ba", committee=True)])
    empty = record(cast.staff_a, tree.a)
    # A write that went round the services: one case's counts, one empty case's.
    Case.objects.filter(pk=wrong.pk).update(subject_members=5)
    Case.objects.filter(pk=empty.pk).update(subject_organizations=1)
    version = Case.objects.get(pk=wrong.pk).version

    assert report_tasks.nightly_progress()["cases_recounted"] == 2

    assert assert_counts_kept() == {
        right.pk: (1, 1, 1),
        wrong.pk: (0, 2, 1),
        empty.pk: (0, 0, 0),
    }
    # A repair, not an edit: a form opened on the case is not made stale.
    assert Case.objects.get(pk=wrong.pk).version == version
    assert f"case {wrong.pk}: its subject counts did not match" in caplog.text
    assert recount_subjects() == []


# --- the seeding --------------------------------------------------------------------------


def test_the_synthetic_year_writes_each_cases_counts(db, deadline_rules):
    # As tests/devtools/test_demo_year.py: half-way through the year, at noon in Hà Nội.
    with time_machine.travel(datetime.datetime(2026, 7, 2, 5, 0, tzinfo=datetime.UTC), tick=False):
        call_command(
            "seed_demo",
            "--profile", "national", "--scale", "0.002", "--seed", "5",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    stored = assert_counts_kept()
    assert len(stored) > 100
    # Every count is exercised: units, members, and committee members among them.
    totals = Case.objects.aggregate(*(Sum(name) for name in Case.SUBJECT_COUNTS))
    assert all(totals.values()), totals
    assert CaseSubject.objects.filter(kind=MEMBER, is_committee_member=False).exists()


def test_the_demo_bulk_writer_writes_each_cases_counts(cast, tree):
    """The demo year's bulk writer (devtools.demo.cases.DemoYear.write_bulk), on a few
    cases of its own: seeding the whole demo takes ~45 s (tests/devtools/test_demo_year.py
    seeds it, without this check)."""
    UserFactory(username="quantri")  # the demo's user (devtools.demo.programmes.demo_user)
    year = DemoYear(tree=None, seed=1, today=datetime.date(2026, 7, 2))
    shapes = [
        [unit(tree.a1), member("Một", committee=True), member("Hai")],
        [member("Ba", committee=True), member("Bốn", committee=True)],
        [unit(tree.a1a), unit(tree.a2)],
        [member("Năm")],
    ]
    for number, subjects in enumerate(shapes):
        case = Case(
            organization=tree.a,
            body=Body.INSPECTION_COMMISSION,
            kind=ActivityKind.INSPECTION_COMPLIANCE,
            year=2026,
            title=f"Cuộc {number}",
            created_by=year.user,
        )
        year.bulk.append((case, [CaseSubject(**subject) for subject in subjects]))
    year.write_bulk()
    assert assert_counts_kept() == {
        case.pk: expected
        for case, expected in zip(
            year.cases, [(1, 2, 1), (0, 2, 2), (2, 0, 0), (0, 1, 0)], strict=True
        )
    }


def test_the_nightly_check_finds_a_miscounted_case_on_sqlite(sqlite_connection):
    """The check's statement on `make run`'s engine: a case with two members (one on the
    committee) whose counts say one organisation is found; the same counts put right are
    not."""
    from cases.services import subjects

    with sqlite_connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE cases_case (id integer PRIMARY KEY, subject_organizations integer,"
            " subject_members integer, subject_committee_members integer)"
        )
        cursor.execute(
            "CREATE TABLE cases_casesubject (id integer PRIMARY KEY, case_id integer,"
            " kind varchar(12), is_committee_member bool)"
        )
        cursor.execute("INSERT INTO cases_case VALUES (1, 1, 0, 0), (2, 0, 1, 0)")
        cursor.execute(
            "INSERT INTO cases_casesubject VALUES (10, 1, 'member', 1), (11, 1, 'member', 0),"
            " (12, 2, 'member', 0)"
        )
    params = {"organization": str(ORG), "member": str(MEMBER)}
    with sqlite_connection.cursor() as cursor:
        cursor.execute(subjects._MISCOUNTED_SQL, params)
        assert cursor.fetchall() == [(1,)]
        cursor.execute("UPDATE cases_case SET subject_organizations = 0, subject_members = 2,"
                       " subject_committee_members = 1 WHERE id = 1")  # fmt: skip
        cursor.execute(subjects._MISCOUNTED_SQL, params)
        assert cursor.fetchall() == []
