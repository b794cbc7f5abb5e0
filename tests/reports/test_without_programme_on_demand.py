"""A past period computed on demand lists the units without their programme as its
snapshot would (issue 12: the figure was there, the list was not)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from plans.models import Programme
from reports import engine, queries
from reports.engine import periods
from reports.models import ReportPeriod
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import programme

TODAY = date(2026, 7, 2)


@pytest.fixture
def engine_name(rollup_engine):
    """Both roll-up engines (tests/conftest.py)."""
    return rollup_engine


@pytest.fixture
def year_2026(tree, programme_rules, engine_name):
    """Deadline 31 January for every level below the centre. The province issued in
    time; B issued on 10 April (late for Q1, in time for the 6 months); A1 issued one of
    its committee, but the grassroots rule asks for its commission's; C came into being
    on 1 March (after the deadline: not required); D exists and issued nothing."""
    programme(tree.province)
    late = programme(tree.b, body="inspection_commission")
    Programme.objects.filter(pk=late.pk).update(issued_on=date(2026, 4, 10))
    programme_rules["grassroots"].body = "inspection_commission"
    programme_rules["grassroots"].save()
    programme(tree.a1, body="committee")
    c = OrganizationFactory(parent=tree.province, code="TN-C", name="Đảng ủy C", level="grassroots")
    c.valid_from = date(2026, 3, 1)
    c.save(update_fields=["valid_from"])
    OrganizationFactory(parent=tree.province, code="TN-D", name="Đảng ủy D", level="grassroots")
    engine.rebuild(TODAY)
    return tree


def listed(kind, unit):
    shown = queries.dashboard(unit, year=2026, kind="", today=TODAY, period_kind=kind)
    return shown, [(u.pk, u.name, u.parent.name) for u in shown.without_programme]


@pytest.mark.parametrize("kind", ["q1", "h1"])
@time_machine.travel(TODAY, tick=False)
def test_the_computed_list_is_the_snapshots(year_2026, kind):
    tree = year_2026
    for unit in (tree.province, tree.a, tree.b1):
        computed, found = listed(kind, unit)
        assert computed.source.computed
        assert len(found) == computed.unit.units_without_programme, unit
        periods.snapshot_period(ReportPeriod.objects.get(kind=kind, year=2026), today=TODAY)
        frozen, stored = listed(kind, unit)
        assert frozen.source.snapshot
        assert found == stored, (unit, found, stored)
        ReportPeriod.objects.filter(kind=kind, year=2026).update(snapshot_taken_at=None)
    _, q1 = listed("q1", tree.province)
    names = [name for _, name, _ in q1]
    # B was late for Q1; A1 has no commission's programme; C was not required.
    assert "Đảng ủy xã B" in names and "Đảng bộ cơ sở A1" in names
    assert "Đảng ủy C" not in names and "Đảng ủy D" in names
    if kind == "h1":
        _, h1 = listed("h1", tree.province)
        assert "Đảng ủy xã B" not in [name for _, name, _ in h1]


@time_machine.travel(TODAY, tick=False)
def test_the_page_lists_them_for_a_computed_period(client, cast, year_2026):
    tree = year_2026
    client.force_login(cast.leader_p)
    response = client.get(
        reverse("reports:dashboard", args=[tree.province.pk]), {"year": 2026, "period": "q1"}
    )
    body = response.content.decode()
    assert "tính lại lúc" in body
    section = body.split('id="without-programme"')[1]
    assert ">Đảng ủy xã B</a></td>" in section and ">Đảng ủy D</a></td>" in section
    assert "Đảng ủy C" not in section
