"""The SQL roll-up (reports.engine.statements, what PostgreSQL runs) against the specification
(reports.progress through python_engine.reference_table, the Python path): every figure and every
lag reason equal, on random programmes and cases, at dates before, during and after the
targets' periods, with several tolerances — and at the exact edges where rounding or a
lag threshold could tip."""

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import DataError, connection

from cases.models import Case
from plans.documents import parse_document_number
from plans.models import Amendment, Programme
from reports import engine
from reports.engine import python as python_engine
from reports.engine import statements
from tests.reports.test_rollup import (  # noqa: F401 (year_2026: a fixture used here)
    KINDS,
    TODAY,
    assert_incremental_equals_rebuild,
    case,
    programme,
    target,
    year_2026,
)


@pytest.fixture(autouse=True)
def _postgresql(db):
    # The suite runs on PostgreSQL (make test); this file would compare Python with Python
    # anywhere else.
    assert connection.vendor == "postgresql"


DATES = [
    date(2025, 12, 31),  # before every programme starts
    date(2026, 1, 1),
    date(2026, 2, 17),
    date(2026, 7, 2),
    date(2026, 9, 30),
    date(2026, 12, 31),
    date(2027, 3, 1),  # after every due date
]


_serials = itertools.count(500_000)


def amendment(prog, effective_on):
    number = parse_document_number(f"{next(_serials)}-KH/TU")
    return Amendment.objects.create(
        programme=prog,
        doc_number=number.text,
        doc_serial=number.serial,
        doc_type=number.type,
        doc_issuer=number.issuer,
        doc_year=2026,
        issued_on=effective_on,
        effective_on=effective_on,
    )


def random_year(tree, rng: random.Random) -> None:
    units = [tree.province, tree.a, tree.a1, tree.a1a, tree.a2, tree.b, tree.b1]
    targets = []
    # Each owner's programme by one of its bodies (several bodies across the tree, so
    # that the per-body rows differ from the all-bodies ones).
    for owner, body in [
        (tree.province, rng.choice(["standing_committee", "inspection_commission"])),
        (tree.a, rng.choice(["committee", "inspection_commission"])),
        (tree.a, "standing_committee"),
        (tree.b, rng.choice(["committee", "inspection_commission"])),
    ]:
        status = rng.choice([Programme.Status.ISSUED] * 3 + [Programme.Status.DRAFT])
        prog = programme(owner, status=status, body=body)
        if rng.random() < 0.5:
            prog.starts_on = date(2026, rng.randint(1, 4), rng.randint(1, 28))
            prog.save()
        amendments = [amendment(prog, date(2026, rng.randint(2, 11), 1)) for _ in range(2)]
        for _ in range(rng.randint(2, 7)):
            unit = rng.choice([u for u in units if u.path.startswith(owner.path)])
            made = target(
                prog,
                unit,
                kind=rng.choice(KINDS),
                quantity=rng.randint(1, 6),
                counts=rng.choice(
                    ["cases", "cases", "organizations", "members", "committee_members"]
                ),
                due_on=rng.choice(
                    [date(2026, 12, 31), date(2026, rng.randint(1, 12), rng.randint(1, 28))]
                ),
                added_by=rng.choice([None, None, *amendments]),
            )
            if rng.random() < 0.2:
                made.removed_by = rng.choice(amendments)
                made.save()
            targets.append(made)
            # Amendments that replace a target (issue 12): raised, lowered, counted
            # otherwise, or moved to another unit (a new lineage); its cases follow the
            # lineage, or become arising.
            while made.removed_by_id is None and rng.random() < 0.35:
                by = rng.choice(amendments)
                made.removed_by = by
                made.save()
                moved = rng.random() < 0.2
                unit = (
                    rng.choice([u for u in units if u.path.startswith(owner.path)])
                    if moved
                    else made.organization
                )
                made = target(
                    prog,
                    unit,
                    kind=made.kind,
                    quantity=rng.randint(1, 6),
                    counts=rng.choice([made.counts, "cases", "members"]),
                    due_on=made.due_on,
                    added_by=by,
                    replaces=made,
                    lineage=None if unit != made.organization else (made.lineage or made),
                )
                targets.append(made)
    for _ in range(rng.randint(5, 25)):
        tgt = rng.choice([*targets, None])
        unit = tgt.organization if tgt else rng.choice(units)
        subjects = [
            rng.choice(
                [("organization", tree.a1a, False), ("member", None, True), ("member", None, False)]
            )
            for _ in range(rng.randint(0, 3))
        ]
        case(
            unit,
            kind=tgt.kind if tgt else rng.choice(KINDS),
            target=tgt,
            concluded=rng.random() < 0.8,
            concluded_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 420)),
            subjects=subjects,
            # Recorded by the target's programme body, or (arising) by any body.
            body=tgt.programme.body
            if tgt
            else rng.choice(["committee", "inspection_commission", "standing_committee"]),
        )


@pytest.mark.parametrize("seed", range(8))
def test_sql_roll_up_equals_the_reference_on_random_data(tree, seed, settings):
    rng = random.Random(seed)
    random_year(tree, rng)
    assert Case.objects.exists()
    for tolerance in ["0", "1", "2.5"]:
        settings.KTGS_LAG_TOLERANCE_CASES = tolerance
        for day in DATES:
            sql, reference = engine.compute_table(day), python_engine.reference_table(day)
            assert sql.keys() == reference.keys(), (seed, tolerance, day)
            differ = [k for k in reference if sql[k] != reference[k]]
            assert not differ, [(k, sql[k], reference[k]) for k in differ[:3]]


def test_a_lag_exactly_at_the_tolerance_is_not_lagging(tree, settings):
    settings.KTGS_LAG_TOLERANCE_CASES = "1"
    prog = programme(tree.province)  # 1 January → 31 December: 364 days
    target(prog, tree.b1, quantity=2)
    day = date(2026, 7, 2)  # day 182: exactly 1 case expected, none done → 1 behind
    sql, reference = engine.compute_table(day), python_engine.reference_table(day)
    assert sql == reference
    own, _ = sql[(tree.b1.pk, 2026, "", "")]
    assert (own.expected, own.units_lagging) == (Decimal("1"), 0)
    own, _ = engine.compute_table(day + timedelta(days=1))[(tree.b1.pk, 2026, "", "")]
    assert own.units_lagging == 1


def test_expected_rounds_half_up_exactly(tree):
    prog = programme(tree.province)
    target(prog, tree.b1, quantity=1, due_on=date(2026, 2, 2))  # a span of 32 days
    day = date(2026, 1, 2)  # 1/32 = 0.03125 exactly: half-up gives 0.0313
    sql, reference = engine.compute_table(day), python_engine.reference_table(day)
    assert sql == reference
    assert sql[(tree.b1.pk, 2026, "", "")][0].expected == Decimal("0.0313")


def test_sql_and_python_agree_on_amended_lineages(tree):
    """Raised, then counted otherwise; removed with its cases; moved to another unit; a
    case concluded before its target's replacement took effect: every date around."""
    prog = programme(tree.province)
    june, september = amendment(prog, date(2026, 6, 1)), amendment(prog, date(2026, 9, 1))
    raised = target(prog, tree.a1, quantity=2)
    case(tree.a1, target=raised, concluded_on=date(2026, 3, 1))
    case(tree.a1, target=raised, concluded_on=date(2026, 7, 1), subjects=[("member", None, True)])
    raised.removed_by = june
    raised.save()
    second = target(prog, tree.a1, quantity=3, added_by=june, replaces=raised, lineage=raised)
    case(tree.a1, target=second, concluded_on=date(2026, 8, 1), subjects=[("member", None, False)])
    second.removed_by = september
    second.save()
    target(
        prog,
        tree.a1,
        quantity=2,
        counts="members",
        added_by=september,
        replaces=second,
        lineage=raised,
    )
    removed = target(prog, tree.a2, kind=KINDS[1], quantity=1, removed_by=june)
    case(tree.a2, kind=KINDS[1], target=removed, concluded_on=date(2026, 2, 1))
    moving = target(prog, tree.b1, quantity=1, removed_by=september)
    case(tree.b1, target=moving, concluded_on=date(2026, 4, 1))
    target(prog, tree.b, quantity=1, added_by=september, replaces=moving)
    for day in [*DATES, date(2026, 5, 31), date(2026, 6, 1), date(2026, 8, 31)]:
        sql, reference = engine.compute_table(day), python_engine.reference_table(day)
        assert sql == reference, day
    end = engine.compute_table(date(2026, 12, 31))
    # 3 cases of the lineage, counted by members since September: 2 members.
    assert end[(tree.a1.pk, 2026, KINDS[0], "")][0].done == 2
    assert end[(tree.a2.pk, 2026, KINDS[1], "")][0].arising == 1
    assert end[(tree.b1.pk, 2026, KINDS[0], "")][0].arising == 1
    assert end[(tree.b.pk, 2026, KINDS[0], "")][0].done == 0
    may = engine.compute_table(date(2026, 5, 31))
    assert (
        may[(tree.a1.pk, 2026, KINDS[0], "")][0].done,
        may[(tree.a2.pk, 2026, KINDS[1], "")][0].done,
    ) == (1, 1)


def test_the_sql_refresh_equals_the_rebuild_after_amendments(tree):
    """The incremental refresh of each touched unit, then a rebuild that finds nothing."""
    rng = random.Random(12)
    random_year(tree, rng)
    day = date(2026, 9, 30)
    engine.rebuild(date(2026, 1, 2))
    units = [tree.province, tree.a, tree.a1, tree.a1a, tree.a2, tree.b, tree.b1]
    engine.refresh_units([u.pk for u in units], day)
    assert_incremental_equals_rebuild(day)


@pytest.mark.usefixtures("year_2026")
def test_an_error_in_the_refresh_statement_is_a_django_database_error(tree, monkeypatch):
    # The refresh runs its prepared statement on psycopg's own cursor; its errors must
    # still arrive as django.db errors (the task retries django.db.OperationalError).
    engine.rebuild(TODAY)
    monkeypatch.setattr(statements, "REFRESH_SQL", "SELECT 1 / 0")
    with pytest.raises(DataError):
        engine.refresh_units([tree.a1.pk], TODAY)
