"""What each lineage of targets has done (plans.queries.done_by_lineage) on SQLite, the
engine of `make run`: the statement is written in SQL with the lineages as one JSON
parameter there (an array on PostgreSQL, where the rest of the suite runs). The three
tables it reads are made in an in-memory SQLite database, with the columns it reads, and
the function runs on that connection."""

from datetime import date
from unittest import mock

import pytest

from plans import queries


@pytest.fixture
def sqlite(sqlite_connection):
    """An in-memory SQLite database holding targets 1 → 2 (2 replaced 1 in an amendment)
    and 3 and their cases with their subjects' counts, given to plans.queries as its
    connection."""
    with sqlite_connection.cursor() as cursor:
        cursor.execute("CREATE TABLE plans_target (id integer PRIMARY KEY, lineage_id integer)")
        # A case keeps its subjects' counts (Case.SUBJECT_COUNTS): organisations, members,
        # committee members among them.
        cursor.execute(
            "CREATE TABLE cases_case (id integer PRIMARY KEY, target_id integer,"
            " status varchar(20), concluded_on date, subject_organizations integer,"
            " subject_members integer, subject_committee_members integer)"
        )
        cursor.executemany(
            "INSERT INTO plans_target VALUES (%s, %s)", [(1, None), (2, 1), (3, None)]
        )
        cursor.executemany(
            "INSERT INTO cases_case VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (10, 1, "concluded", "2026-03-01", 1, 1, 1),  # on the replaced target
                (11, 2, "closed", "2026-05-01", 0, 2, 1),
                (12, 2, "concluded", "2026-09-01", 1, 0, 0),  # after the day asked below
                (13, 2, "in_progress", None, 1, 0, 0),  # does not count
                (14, 3, "concluded", "2026-02-01", 0, 1, 0),
            ],
        )
    with mock.patch.object(queries, "connection", sqlite_connection):
        yield sqlite_connection


def test_done_by_lineage_counts_each_case_and_subject_once_on_sqlite(sqlite):
    assert sqlite.vendor == "sqlite"
    done = queries.done_by_lineage([1, 3, 1], on=date(2026, 6, 30))
    assert done == {
        # Cases 10 (on the target replaced) and 11; 12 is concluded later, 13 not at all.
        1: {"cases": 2, "organizations": 1, "members": 3, "committee_members": 2},
        3: {"cases": 1, "organizations": 0, "members": 1, "committee_members": 0},
    }


def test_without_a_day_every_concluded_case_counts_on_sqlite(sqlite):
    done = queries.done_by_lineage([1])
    assert done == {1: {"cases": 3, "organizations": 2, "members": 3, "committee_members": 2}}


def test_no_lineage_asks_nothing(sqlite):
    assert queries.done_by_lineage([]) == {}
