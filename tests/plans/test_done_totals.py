"""The targets added up with what their lineages have done (plans.queries.done_totals,
the period report's targets), on PostgreSQL and on SQLite, the engine of `make run`: the
statement is written in SQL around the targets' queryset compiled for the connection.
The rows are written as the bulk writers write them (no save(), no history), in the
suite's database or in an in-memory SQLite one made by Django's schema editor."""

from datetime import date
from unittest import mock

import pytest
from django.db import connection, connections

from cases.models import Case, CaseSubject
from cases.services.subjects import subject_counts
from ktgs.models import Organization, User
from plans import queries
from plans.models import ActivityKind, Amendment, Body, Programme, Target

DAY = date(2026, 6, 30)
START = date(2026, 1, 1)
YEAR_END = date(2026, 12, 31)
INSPECTION = ActivityKind.INSPECTION_COMPLIANCE
SUPERVISION = ActivityKind.SUPERVISION_THEMATIC
CONCLUDED, CLOSED = Case.Status.CONCLUDED, Case.Status.CLOSED
ORG, MEMBER = CaseSubject.Kind.ORGANIZATION, CaseSubject.Kind.MEMBER


def write_rows(alias: str) -> None:
    """One unit's programme of 2026 and an amendment in effect from April 1 that replaced
    target 1 (3 cases) by target 2 (4 cases); targets 3-6 count subjects. Cases and their
    subjects on them, some not counting on DAY."""
    Organization.objects.using(alias).bulk_create(
        [Organization(id=1, code="A", name="Đảng bộ A", level="cell", path="0001", depth=1)]
    )
    Programme.objects.using(alias).bulk_create(
        [
            Programme(
                id=1, organization_id=1, body=Body.STANDING_COMMITTEE, year=2026, end_year=2026,
                title="Chương trình 2026", starts_on=START, ends_on=YEAR_END,
                status=Programme.Status.ISSUED, doc_number="01-CTr/ĐU", doc_year=2026,
                issued_on=START,
            )
        ]
    )  # fmt: skip
    Amendment.objects.using(alias).bulk_create(
        [
            Amendment(
                id=1, programme_id=1, effective_on=date(2026, 4, 1), doc_number="02-QĐ/ĐU",
                doc_year=2026, issued_on=date(2026, 3, 25),
            )
        ]
    )  # fmt: skip

    def target(pk, kind, counts, quantity, due_on=YEAR_END, **links):
        return Target(
            id=pk, programme_id=1, organization_id=1, kind=kind, counts=counts,
            quantity=quantity, due_on=due_on, **links,
        )  # fmt: skip

    Target.objects.using(alias).bulk_create(
        [
            target(1, INSPECTION, "cases", 3, removed_by_id=1),
            target(2, INSPECTION, "cases", 4, added_by_id=1, replaces_id=1, lineage_id=1),
            target(3, SUPERVISION, "members", 2),
            target(4, INSPECTION, "organizations", 1, due_on=date(2026, 9, 30)),
            target(5, SUPERVISION, "committee_members", 5),
            target(6, SUPERVISION, "committee_members", 2),
        ]
    )

    subjects = [
        (10, ORG, False), (10, MEMBER, True),
        (14, MEMBER, False), (14, MEMBER, True), (14, MEMBER, False), (14, ORG, False),
        (15, ORG, False), (15, ORG, False),
        (16, MEMBER, True), (16, MEMBER, False),
    ]  # fmt: skip

    def case(pk, target_id, status, concluded_on):
        # With the counts the subjects' services keep on a case (Case.SUBJECT_COUNTS).
        counts = subject_counts((kind, committee) for id_, kind, committee in subjects if id_ == pk)
        return Case(
            id=pk, organization_id=1, body=Body.STANDING_COMMITTEE, kind=INSPECTION,
            year=2026, target_id=target_id, title=f"Cuộc {pk}", status=status,
            concluded_on=concluded_on, **counts,
        )  # fmt: skip

    Case.objects.using(alias).bulk_create(
        [
            case(10, 1, CONCLUDED, date(2026, 3, 1)),  # on the replaced target
            case(11, 2, CLOSED, date(2026, 5, 1)),
            case(12, 2, CONCLUDED, date(2026, 9, 1)),  # after DAY
            case(13, 2, Case.Status.IN_PROGRESS, None),  # does not count
            case(14, 3, CONCLUDED, date(2026, 2, 1)),
            case(15, 4, CLOSED, date(2026, 6, 30)),
            case(16, 6, CONCLUDED, date(2026, 6, 1)),
        ]
    )
    CaseSubject.objects.using(alias).bulk_create(
        [
            CaseSubject(
                case_id=case_id,
                kind=kind,
                organization_id=1 if kind == ORG else None,
                member_name="" if kind == ORG else "Nguyễn Văn Thử",
                is_committee_member=committee,
            )
            for case_id, kind, committee in subjects
        ]
    )


# (counting rule, kind, start, due): Σ quantity, Σ capped done, Σ done.
EXPECTED = {
    # Target 2 counts the cases of its lineage by DAY: 10 (on target 1) and 11.
    ("cases", INSPECTION, START, YEAR_END): (4, 2, 2),
    # Three members of case 14, capped at the quantity 2.
    ("members", SUPERVISION, START, YEAR_END): (2, 2, 3),
    ("organizations", INSPECTION, START, date(2026, 9, 30)): (1, 1, 2),
    # Targets 5 (nothing done) and 6 (one committee member of case 16) added up.
    ("committee_members", SUPERVISION, START, YEAR_END): (7, 1, 1),
}


def totals(alias: str) -> dict:
    targets = Target.objects.using(alias).filter(queries.in_force_on(DAY))
    rows = queries.done_totals(targets, on=DAY, by=("kind", "programme__starts_on", "due_on"))
    found = {tuple(row[:4]): tuple(row[4:]) for row in rows}
    assert len(found) == len(rows)
    for key, sums in found.items():
        assert all(type(value) is int for value in sums), (key, sums)
        assert all(type(value) is date for value in key[2:]), key
    return found


@pytest.mark.django_db
def test_targets_add_up_with_their_lineages_done_on_postgresql():
    assert connection.vendor == "postgresql"
    write_rows("default")
    assert totals("default") == EXPECTED


@pytest.fixture
def sqlite(sqlite_connection):
    """The alias of an in-memory SQLite database with the tables done_totals reads (and
    the users', which the rows' authors refer to), given to plans.queries as its
    connection."""
    with sqlite_connection.schema_editor() as editor:
        for model in (User, Organization, Programme, Amendment, Target, Case, CaseSubject):
            editor.create_model(model)
    with mock.patch.object(queries, "connection", sqlite_connection):
        yield sqlite_connection.alias


def test_targets_add_up_with_their_lineages_done_on_sqlite(sqlite):
    assert connections[sqlite].vendor == "sqlite"
    write_rows(sqlite)
    assert totals(sqlite) == EXPECTED


def test_no_target_adds_up_to_no_row_on_sqlite(sqlite):
    targets = Target.objects.using(sqlite).all()
    assert queries.done_totals(targets, on=DAY, by=("kind",)) == []
