"""The demo year gives every unit the programme plans.models.ProgrammeRequirement asks
of it (a grassroots committee: its committee's and its inspection commission's; a cell:
its own; a partial committee: its committee's), but for a handful without one or late, so
the dashboard's "chưa có chương trình" figure and list show a few units, not 282 of 445;
and the units' bodies record cases toward those programmes, so that in every kind of unit
some programmes are done and some are behind."""

import datetime
from collections import defaultdict
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db.models import F, Min

from cases.models import Case
from cases.services.targets import work_on_targets
from devtools.demo import province as demo
from devtools.demo.programmes import upper_programme_keys
from ktgs.models import Organization, UnitKind
from plans.models import Body, Programme, Target
from reports.models import ALL_KINDS
from reports.queries import dashboard

L = Organization.Level
DEADLINE = datetime.date(2026, 1, 31)  # the rules of the programme_rules fixture


def seed() -> None:
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())


def own_programmes(tree) -> list[Programme]:
    """The units' own programmes: every demo programme but those setting quotas below."""
    upper = upper_programme_keys(tree)
    programmes = Programme.objects.filter(
        organization__path__startswith=tree.province.path, year=2026
    ).select_related("organization")
    return [p for p in programmes if (p.organization_id, p.body) not in upper]


def completed(programmes: list[Programme], today: datetime.date) -> dict[int, bool]:
    """Per programme: whether every target in force is done as of `today` (the cases
    concluded by then, counted by the target's rule)."""
    targets = list(Target.objects.filter(programme__in=programmes, removed_by__isnull=True))
    work = work_on_targets(targets, on=today)
    done: dict[int, bool] = defaultdict(lambda: True)
    for target in targets:
        done[target.programme_id] &= work[target.pk].done >= target.quantity
    return {p.pk: done[p.pk] for p in programmes if p.targets.exists()}


def group_of(unit: Organization) -> str:
    if unit.unit_kind == UnitKind.GRASSROOTS_CELL:
        return "chi bộ cơ sở có chi ủy" if unit.has_cell_committee else "chi bộ cơ sở"
    return str(unit.unit_kind)


def test_nearly_every_unit_that_must_has_issued_its_programme(db, programme_rules):
    today = datetime.date(2026, 12, 6)
    with time_machine.travel(datetime.datetime(2026, 12, 6, 5, 0, tzinfo=datetime.UTC)):
        seed()
    tree = demo.load_demo_tree()
    required = Organization.objects.filter(
        path__startswith=tree.province.path, level__in=["provincial", "upper_grassroots",
                                                        "grassroots", "partial", "cell"]
    )  # fmt: skip
    assert required.count() == 445

    board = dashboard(tree.province, year=2026, kind=ALL_KINDS, today=today)
    without = board.unit.units_without_programme
    assert 0 < without < 0.06 * required.count()
    listed = board.without_programme
    assert len(listed) == without
    assert not Programme.objects.filter(organization__in=listed, year=2026).exists()
    assert {unit.level for unit in listed} <= {L.GRASSROOTS, L.PARTIAL, L.CELL}
    # The bloc's leader sees the bloc's share of them.
    bloc = dashboard(tree.bloc, year=2026, kind=ALL_KINDS, today=today).unit
    assert 0 < bloc.units_without_programme < without

    # Everyone else issued theirs, by the deadline but for a few late ones, whom the first
    # quarter's snapshot still counted when they had not issued by 31 March.
    issued = Programme.objects.filter(organization__in=required, year=2026, status="issued")
    assert issued.values("organization").distinct().count() == required.count() - without
    late = issued.filter(issued_on__gt=DEADLINE).values_list("organization", flat=True)
    assert 0 < len(set(late)) < 0.03 * required.count()
    first = issued.values("organization").annotate(first=Min("issued_on"))
    after_q1 = first.filter(first__gt=datetime.date(2026, 3, 31))
    assert after_q1.exists()
    q1 = dashboard(tree.province, year=2026, kind=ALL_KINDS, today=today, period_kind="q1")
    assert q1.source.snapshot
    assert q1.unit.units_without_programme == without + after_q1.count()

    # Each kind of unit issues the programme(s) of its own bodies.
    bodies = defaultdict(set)
    for unit_id, body in issued.values_list("organization", "body"):
        bodies[unit_id].add(body)
    committees = required.filter(level=L.GRASSROOTS, grassroots_form="committee")
    assert committees.count() == 58
    for unit in committees.exclude(pk__in=[u.pk for u in listed]):
        assert bodies[unit.pk] == {Body.COMMITTEE, Body.INSPECTION_COMMISSION}, unit
    for unit in required.filter(level__in=[L.CELL, L.GRASSROOTS], grassroots_form__in=["", "cell"]):
        assert bodies[unit.pk] in (set(), {Body.CELL}), unit
    for unit in required.filter(level=L.PARTIAL):
        assert bodies[unit.pk] in (set(), {Body.COMMITTEE}), unit
    commissions = issued.filter(body=Body.INSPECTION_COMMISSION, organization__in=committees)
    assert all(p.doc_number.endswith("-KH/UBKTĐU") for p in commissions)

    # The units' own programmes set one to three targets for the unit itself.
    for programme in own_programmes(tree):
        targets = list(programme.targets.all())
        assert 1 <= len(targets) <= 3, programme
        assert {t.organization_id for t in targets} == {programme.organization_id}


def test_in_every_kind_of_unit_some_programmes_are_done_and_some_behind(db, programme_rules):
    today = datetime.date(2026, 7, 2)  # half-way through the year
    with time_machine.travel(datetime.datetime(2026, 7, 2, 5, 0, tzinfo=datetime.UTC)):
        seed()
    tree = demo.load_demo_tree()
    programmes = own_programmes(tree)
    done = completed(programmes, today)

    # In the bloc: per kind of unit, and for the grassroots committees per body.
    shares: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for programme in programmes:
        unit = programme.organization
        if unit.path.startswith(tree.bloc.path) and unit != tree.bloc:
            shares[(group_of(unit), programme.body)].append(done[programme.pk])
    assert set(shares) == {
        (UnitKind.GRASSROOTS_COMMITTEE, Body.COMMITTEE),
        (UnitKind.GRASSROOTS_COMMITTEE, Body.INSPECTION_COMMISSION),
        ("chi bộ cơ sở có chi ủy", Body.CELL),
        ("chi bộ cơ sở", Body.CELL),
        (UnitKind.BELOW_GRASSROOTS, Body.CELL),
        (UnitKind.BELOW_GRASSROOTS, Body.COMMITTEE),
    }
    for key, outcomes in shares.items():
        assert any(outcomes) and not all(outcomes), key
    committee = shares[(UnitKind.GRASSROOTS_COMMITTEE, Body.COMMITTEE)]
    commission = shares[(UnitKind.GRASSROOTS_COMMITTEE, Body.INSPECTION_COMMISSION)]
    assert len(committee) == len(commission) > 35  # both, but where none was issued
    assert sum(committee) / len(committee) != sum(commission) / len(commission)

    # The cases toward them are the issuing body's, concluded or still under way.
    cases = Case.objects.filter(target__programme__in=programmes)
    assert cases.count() > 500
    assert not cases.exclude(organization=F("target__programme__organization")).exists()
    assert not cases.exclude(body=F("target__programme__body")).exists()
    statuses = set(cases.values_list("status", flat=True))
    assert {"concluded", "in_progress"} <= statuses

    # The bloc's leader: some grassroots units have done everything, some are behind.
    children = dashboard(tree.bloc, year=2026, kind=ALL_KINDS, today=today).children
    assert len(children) == 63
    assert any(c.units_completed for c in children)
    assert {c.units_lagging > 0 for c in children} == {True, False}
