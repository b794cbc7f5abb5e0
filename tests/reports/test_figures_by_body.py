"""Figures per body (chủ thể) and coverage per kind of unit in the roll-up table, on both
engines (DESIGN §2: "Ban Thường vụ … kiểm tra 03 tổ chức đảng"; "Đảng ủy cơ sở … 19/33
tổ chức"; "17/29 chi bộ cơ sở có chi ủy"; "18/152 đảng bộ bộ phận và chi bộ dưới cơ sở").

Every row exists for all bodies together (body "") and for each body whose programmes set
targets for the unit (or whose cases are arising there). A target counts under its
programme's body, an arising case under the body that recorded it. The coverage figures
count, per kind of unit, the units with targets and those that completed them."""

from datetime import date
from fractions import Fraction

import pytest

from ktgs.figures import format_percent
from reports import engine
from reports.engine import periods
from reports.models import ALL_BODIES, ALL_KINDS, ProgressRow
from reports.queries.bodies import figures_by_body
from reports.queries.sources import period_source
from tests.reports.test_rollup import assert_incremental_equals_rebuild, case, programme, target

DAY = date(2026, 11, 30)
SUPERVISE = "supervision_thematic"
INSPECT = "inspection_compliance"


@pytest.fixture
def year(tree, rollup_engine):
    """A1 and B (grassroots committees) each with a committee and an inspection-commission
    programme; A2 (a grassroots cell with a cell committee), A1a and B1 (cells below the
    grassroots) with a cell programme. Completed: A1's committee programme, B's
    commission programme, A2's and B1's; not: A1's commission programme, B's committee
    programme, A1a's."""

    def own_programme(unit, body, kind, quantity, done):
        made = target(programme(unit, body=body), unit, kind=kind, quantity=quantity)
        for _ in range(done):
            case(unit, kind=kind, target=made, body=body)

    own_programme(tree.a1, "committee", SUPERVISE, 1, 1)
    own_programme(tree.a1, "inspection_commission", INSPECT, 2, 1)
    own_programme(tree.a2, "cell", SUPERVISE, 1, 1)
    own_programme(tree.a1a, "cell", SUPERVISE, 1, 0)
    own_programme(tree.b, "committee", INSPECT, 1, 0)
    own_programme(tree.b, "inspection_commission", INSPECT, 1, 1)
    own_programme(tree.b1, "cell", SUPERVISE, 2, 2)
    case(tree.a1, kind=INSPECT, body="standing_committee")  # arising, by the standing committee
    engine.rebuild(DAY)
    return tree


def row(unit, body=ALL_BODIES, kind=ALL_KINDS):
    return ProgressRow.objects.get(organization=unit, year=2026, kind=kind, body=body)


def coverage(found, prefix="sub"):
    return {
        kind: (
            getattr(found, f"{prefix}_{kind}_planned"),
            getattr(found, f"{prefix}_{kind}_completed"),
        )
        for kind in (
            "grassroots_committees",
            "grassroots_cells",
            "committee_cells",
            "below_grassroots",
        )
    }


def test_each_body_has_its_own_rows_and_they_add_up_to_all_bodies(year):
    tree = year
    bodies = set(
        ProgressRow.objects.filter(organization=tree.province, kind=ALL_KINDS).values_list(
            "body", flat=True
        )
    )
    assert bodies == {"", "committee", "inspection_commission", "cell", "standing_committee"}
    # A1's own figures per body: the committee's 1/1 supervision, the commission's 1/2
    # inspections, the standing committee's arising case.
    assert (row(tree.a1, "committee").own_quantity, row(tree.a1, "committee").own_done) == (1, 1)
    commission = row(tree.a1, "inspection_commission")
    assert (commission.own_quantity, commission.own_capped_done) == (2, 1)
    assert (commission.own_units_with_targets, commission.own_units_completed) == (1, 0)
    standing = row(tree.a1, "standing_committee")
    assert (standing.own_arising, standing.own_quantity, standing.own_units_with_targets) == (
        1,
        0,
        0,
    )
    whole = row(tree.a1)
    assert (whole.own_quantity, whole.own_capped_done, whole.own_arising) == (3, 2, 1)
    assert (whole.own_units_with_targets, whole.own_units_completed) == (1, 0)
    # Per kind and body as well: the commission's inspections at A1.
    assert row(tree.a1, "inspection_commission", INSPECT).own_quantity == 2
    assert not ProgressRow.objects.filter(
        organization=tree.a1, kind=SUPERVISE, body="inspection_commission"
    ).exists()
    # Counts add up over the bodies (units do not: one unit can have targets of two).
    for name in ("quantity", "capped_done", "done", "arising"):
        per_body = sum(
            getattr(r, f"sub_{name}")
            for r in ProgressRow.objects.filter(organization=tree.province, kind=ALL_KINDS)
            if r.body != ALL_BODIES
        )
        assert per_body == getattr(row(tree.province), f"sub_{name}"), name


def test_coverage_by_kind_of_unit_for_all_bodies_and_each(year):
    tree = year
    # The whole province: A1 and B (grassroots committees) both have an unfinished
    # programme; A2 (a grassroots cell with a cell committee) finished; of A1a and B1
    # (below the grassroots) B1 finished.
    assert coverage(row(tree.province)) == {
        "grassroots_committees": (2, 0),
        "grassroots_cells": (1, 1),
        "committee_cells": (1, 1),
        "below_grassroots": (2, 1),
    }
    # Per body: A1's committee finished, B's commission finished.
    assert coverage(row(tree.province, "committee"))["grassroots_committees"] == (2, 1)
    assert coverage(row(tree.province, "inspection_commission"))["grassroots_committees"] == (
        2,
        1,
    )
    assert coverage(row(tree.province, "cell")) == {
        "grassroots_committees": (0, 0),
        "grassroots_cells": (1, 1),
        "committee_cells": (1, 1),
        "below_grassroots": (2, 1),
    }
    # A unit's own row carries its own kind only, so that sub − own is its descendants.
    a1 = row(tree.a1)
    assert coverage(a1, "own") == {
        "grassroots_committees": (1, 0),
        "grassroots_cells": (0, 0),
        "committee_cells": (0, 0),
        "below_grassroots": (0, 0),
    }
    assert coverage(a1)["below_grassroots"] == (1, 0)  # A1a
    # The bloc A (upper grassroots) is itself no kind of unit the lines count.
    assert coverage(row(tree.a)) == {
        "grassroots_committees": (1, 0),
        "grassroots_cells": (1, 1),
        "committee_cells": (1, 1),
        "below_grassroots": (1, 0),
    }
    assert coverage(row(tree.province), "own") == dict.fromkeys(coverage(row(tree.a)), (0, 0))


def test_the_incremental_table_keeps_the_bodies_and_the_coverage(year):
    tree = year
    # B's committee programme gets its inspection: B completes both programmes.
    made = ProgressRow.objects.get(organization=tree.b, year=2026, kind=INSPECT, body="committee")
    assert (made.own_quantity, made.own_capped_done) == (1, 0)
    committee_target = tree.b.targets.get(programme__body="committee")
    case(tree.b, kind=INSPECT, target=committee_target, body="committee")
    assert engine.refresh_units([tree.b.pk], DAY) > 0
    assert coverage(row(tree.province))["grassroots_committees"] == (2, 1)
    assert coverage(row(tree.province, "committee"))["grassroots_committees"] == (2, 2)
    assert_incremental_equals_rebuild(DAY)


def test_figures_by_body_read_alike_from_the_table_a_snapshot_and_on_demand(year):
    tree = year
    live = queries_period("year")
    shown = figures_by_body(tree.a1, live)
    # A1's own bodies, and the cell of A1a below it.
    assert [f.body for f in shown] == [
        "",
        "committee",
        "standing_committee",
        "inspection_commission",
        "cell",
    ]
    assert (shown[4].own.quantity, shown[4].sub.quantity) == (0, 1)
    commission = shown[3]
    assert (commission.label, commission.own.quantity, commission.own.capped_done) == (
        "Ủy ban kiểm tra",
        2,
        1,
    )
    assert commission.own_completion == Fraction(1, 2)
    whole = figures_by_body(tree.province, live)[0]
    lines = {c.kind: (c.completed, c.planned, format_percent(c.ratio)) for c in whole.coverage}
    assert lines == {
        "grassroots_committees": (0, 2, "0%"),
        "grassroots_cells": (1, 1, "100%"),
        "committee_cells": (1, 1, "100%"),
        "below_grassroots": (1, 2, "50%"),
    }
    # A past period: computed on demand until its snapshot is taken, then read from it.
    computed = queries_period("m9")
    assert computed.computed
    on_demand = figures_by_body(tree.province, computed)
    periods.snapshot_period(computed.period, today=DAY)
    frozen = queries_period("m9")
    assert frozen.snapshot
    assert on_demand == figures_by_body(tree.province, frozen)
    assert [f.body for f in on_demand][:2] == ["", "committee"]


def queries_period(kind):
    return period_source(year=2026, period_kind=kind, today=DAY)
