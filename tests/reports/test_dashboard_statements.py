"""The dashboard's reads compiled once per process (reports.queries.dashboards._compiled):
for every shape, the objects read through the compiled statement are those the ORM's
query reads, with the same attributes, whichever unit, year, period and kind."""

from datetime import date

import pytest
import time_machine

from reports import engine
from reports.engine import periods
from reports.models import ReportPeriod
from reports.queries import dashboards
from reports.queries.sources import period_source
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)
ATTRIBUTES = (
    "row_id",
    "row_sub_quantity",
    "row_sub_expected",
    "all_own_without_programme",
    "all_sub_without_programme",
    "body_rows",
    "own_counts",
)


@pytest.fixture
def figures(tree, programme_rules):
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10, kind="supervision_thematic")
    case(tree.a1, target=t_a1)
    engine.rebuild(TODAY)
    q1 = ReportPeriod.objects.get(kind="q1", year=2026)
    periods.snapshot_period(q1, today=TODAY)


def described(units):
    return [
        (
            unit.pk,
            unit.path,
            unit.parent.name if unit.parent_id else None,
            *(getattr(unit, name, None) for name in ATTRIBUTES),
        )
        for unit in units
    ]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("period_kind", ["year", "q1"])
@pytest.mark.parametrize("kind", ["", "inspection_compliance", "supervision_thematic"])
def test_the_compiled_reads_are_the_orm_reads(tree, figures, period_kind, kind):
    source = period_source(year=2026, period_kind=period_kind, today=TODAY)
    assert source.available and not source.computed
    assert source.live == (period_kind == "year")
    for unit in (tree.root, tree.province, tree.a, tree.a1, tree.a1a, tree.b1):
        step = unit.steplen
        paths = sorted({unit.path[:end] for end in range(step, len(unit.path) + 1, step)})
        compiled = dashboards._read_units(unit, paths, source, kind)
        orm = list(dashboards._units_query(unit, paths, source, kind))
        assert compiled, unit
        assert described(compiled) == described(orm), unit
        lagging = dashboards._lagging(unit, source, kind, language="vi")
        orm_rows = dashboards._lagging_with_reasons(
            list(dashboards._lagging_query(unit.path, source, kind)), language="vi"
        )
        assert lagging == orm_rows, unit
