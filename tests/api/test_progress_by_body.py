"""`progress/{unit}/` gives every figure for all bodies and per body (chủ thể), for the
unit and each child, with coverage per kind of unit among the descendants and the unit's
concluded cases per body (planned, arising, subjects), for any period: live, a snapshot,
computed on demand. On both engines (the `year` world of tests/reports)."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from ktgs.figures import round_percent
from ktgs.models import Organization
from reports import engine
from reports.api import progress as progress_api
from reports.api.progress import ProgressSerializer, progress_for
from reports.engine import periods as report_services
from reports.models import ReportPeriod
from reports.queries import compiled
from reports.queries.bodies import figures_by_body
from reports.queries.sources import period_source
from tests.factories import OrganizationFactory
from tests.reports.test_figures_by_body import DAY, INSPECT, SUPERVISE, year
from tests.reports.test_rollup import case, programme, target

__all__ = ["year"]  # a fixture of tests/reports, used here


@pytest.fixture(autouse=True)
def _periods(db):
    # The period rows a migration seeds are gone after a transactional test has flushed
    # the database (xdist, --reuse-db): make the year's rows as tests/reports does.
    report_services.ensure_periods(2026)


def by_body(line) -> dict:
    return {entry["body"]: entry for entry in line["by_body"]}


def percent(ratio):
    return None if ratio is None else float(round_percent(ratio))


def get(api, user, unit, **params):
    response = api.as_user(user).get(f"/api/v1/progress/{unit.pk}/", {"year": 2026, **params})
    assert response.status_code == 200, response.content
    return response.json()


@time_machine.travel(DAY, tick=False)
def test_the_unit_has_every_figure_per_body_as_the_table_gives_it(api, cast, year):
    tree = year
    body = get(api, cast.leader_p, tree.province)
    found = figures_by_body(tree.province, period_source(year=2026, period_kind="year", today=DAY))
    assert [entry["body"] for entry in body["unit"]["by_body"]] == [f.body for f in found]
    assert [entry["body"] for entry in body["unit"]["by_body"]] == [
        "",
        "committee",
        "standing_committee",
        "inspection_commission",
        "cell",
    ]
    for entry, figures in zip(body["unit"]["by_body"], found, strict=True):
        assert entry["label"] == figures.label
        for where, own in (("own", figures.own), ("sub", figures.sub)):
            line = entry[where]
            assert (line["quantity"], line["capped_done"], line["done"], line["arising"]) == (
                own.quantity,
                own.capped_done,
                own.done,
                own.arising,
            )
            assert (line["units_with_targets"], line["units_completed"]) == (
                own.units_with_targets,
                own.units_completed,
            )
        assert [
            (c["kind"], c["planned"], c["completed"], c["coverage_percent"])
            for c in entry["coverage"]
        ] == [(c.kind, c.planned, c.completed, percent(c.ratio)) for c in figures.coverage]
    # The province's descendants: A1 and B (grassroots committees), each committee's and
    # each commission's programme finished once of two.
    lines = by_body(body["unit"])
    committee = {c["kind"]: c for c in lines["committee"]["coverage"]}
    grassroots = committee["grassroots_committees"]
    assert (grassroots["planned"], grassroots["completed"]) == (2, 1)
    assert grassroots["coverage_percent"] == 50.0
    cell = {c["kind"]: (c["planned"], c["completed"]) for c in lines["cell"]["coverage"]}
    assert cell == {
        "grassroots_committees": (0, 0),
        "grassroots_cells": (1, 1),
        "committee_cells": (1, 1),
        "below_grassroots": (2, 1),
    }


@time_machine.travel(DAY, tick=False)
def test_each_child_has_its_figures_per_body_and_what_its_own_targets_count(api, cast, year):
    tree = year
    body = get(api, cast.leader_p, tree.province)
    children = {line["code"]: by_body(line) for line in body["children"]}
    b = children[tree.b.code]
    assert set(b) == {"", "committee", "inspection_commission", "cell"}
    assert (b["committee"]["own"]["quantity"], b["committee"]["own"]["capped_done"]) == (1, 0)
    assert b["inspection_commission"]["own"]["completion_percent"] == 100.0
    assert b["cell"]["own"]["quantity"] == 0 and b["cell"]["sub"]["quantity"] == 2
    below = {c["kind"]: (c["planned"], c["completed"]) for c in b["cell"]["coverage"]}
    assert below["below_grassroots"] == (1, 1)
    # The cases and the counting unit are the asked unit's only.
    assert b[""]["cases"] is None and b[""]["own"]["counts"] is None
    # Asked for B itself: its own targets all count cases, and its concluded cases.
    own = by_body(get(api, cast.leader_p, tree.b)["unit"])
    assert own["committee"]["own"]["counts"] == "cases"
    assert own["inspection_commission"]["cases"]["own"]["planned"] == 1
    nothing = dict.fromkeys(("arising", "organizations", "members", "committee_members"), 0)
    assert own["cell"]["cases"] == {
        "own": {"planned": 0, **nothing},
        "sub": {"planned": 2, **nothing},
    }


@time_machine.travel(DAY, tick=False)
def test_concluded_cases_per_body_tell_planned_from_arising_with_their_subjects(api, cast, year):
    tree = year
    made = target(programme(tree.a1, body="standing_committee"), tree.a1, quantity=3)
    for subjects in (
        [("organization", tree.a1a, False), ("member", None, True), ("member", None, True)],
        [("organization", tree.a1a, False), ("member", None, False)],
    ):
        case(tree.a1, kind=INSPECT, target=made, body="standing_committee", subjects=subjects)
    case(tree.a1, kind=INSPECT, body="standing_committee", concluded=False)  # not counted
    engine.rebuild(DAY)
    lines = by_body(get(api, cast.leader_p, tree.a1)["unit"])
    standing = lines["standing_committee"]
    # The fixture's arising case and the two planned ones, one still in progress.
    assert standing["cases"]["own"] == {
        "planned": 2,
        "arising": 1,
        "organizations": 2,
        "members": 3,
        "committee_members": 2,
    }
    assert standing["cases"]["own"]["arising"] == standing["own"]["arising"]
    assert (standing["own"]["capped_done"], standing["own"]["quantity"]) == (2, 3)
    assert standing["own"]["completion_percent"] == 66.67
    everyone = lines[""]["cases"]["own"]
    assert (everyone["planned"], everyone["arising"]) == (2 + 2, 1)  # with the A1 bodies'
    # One kind asked: only its cases and targets.
    only = by_body(get(api, cast.leader_p, tree.a1, kind=SUPERVISE)["unit"])
    assert "standing_committee" not in only
    assert only["committee"]["cases"]["own"]["planned"] == 1


@pytest.mark.parametrize("source", ["live", "snapshot", "computed"])
def test_by_body_takes_the_same_queries_whatever_the_subtree(api, cast, year, source):
    """Live (the year), a snapshot and computed on demand (9 months: m9, past on DAY)."""
    tree = year
    report_services.ensure_periods(2026)
    period = "year" if source == "live" else "m9"
    client = api.as_user(cast.leader_p)

    def count() -> tuple[int, dict]:
        engine.rebuild(DAY)
        if source == "snapshot":
            report_services.snapshot_period(
                ReportPeriod.objects.get(kind="m9", year=2026, month=0), today=DAY
            )
        with time_machine.travel(DAY, tick=False), CaptureQueriesContext(connection) as ctx:
            response = client.get(
                f"/api/v1/progress/{tree.province.pk}/", {"year": 2026, "period": period}
            )
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()

    before, first = count()
    assert first["unit"]["by_body"] and all(line["by_body"] for line in first["children"])
    # More units, bodies and cases below: a new grassroots committee C under the province
    # with three cells, each with a programme of its own and a concluded case.
    c = OrganizationFactory(
        parent=tree.province,
        code="TN-C",
        name="Đảng bộ C",
        level=Organization.Level.GRASSROOTS,
        grassroots_form=Organization.GrassrootsForm.COMMITTEE,
    )
    for i in range(3):
        cell = OrganizationFactory(parent=c, code=f"TN-C{i}", name=f"Chi bộ C{i}", level="cell")
        made = target(programme(cell, body="cell"), cell, kind=SUPERVISE, quantity=1)
        case(cell, kind=SUPERVISE, target=made, body="cell", concluded_on=date(2026, 9, 1))
    case(c, kind=INSPECT, body="party_boards", concluded_on=date(2026, 9, 2))  # arising
    after, second = count()
    assert after == before
    lines = by_body(second["unit"])
    assert lines["party_boards"]["cases"]["sub"]["arising"] == 1
    cells = {c["kind"]: c for c in lines["cell"]["coverage"]}["below_grassroots"]
    assert (
        cells["planned"] - 3
        == {c["kind"]: c for c in by_body(first["unit"])["cell"]["coverage"]}["below_grassroots"][
            "planned"
        ]
    )
    child = next(line for line in second["children"] if line["code"] == "TN-C")
    cell_line = by_body(child)["cell"]
    if source == "computed":  # C has units below it: its own figures are not known
        assert cell_line["own"] is None and cell_line["coverage"] is None
    else:
        below = {c["kind"]: c for c in cell_line["coverage"]}["below_grassroots"]
        assert (below["planned"], below["completed"], below["coverage_percent"]) == (3, 3, 100.0)
    assert cell_line["sub"]["units_completed"] == 3


def test_a_computed_period_is_computed_once_per_request(api, cast, year, monkeypatch):
    """The per-body lines of a past period without a snapshot come from the subtree the
    dashboard computed: one computation (one statement) per request, not two."""
    tree = year
    engine.rebuild(DAY)
    calls = []
    compute = engine.subtree_figures

    def counted(*args, **kwargs):
        calls.append(args[0].pk)
        return compute(*args, **kwargs)

    monkeypatch.setattr(engine, "subtree_figures", counted)
    with time_machine.travel(DAY, tick=False):
        body = get(api, cast.leader_p, tree.province, period="m9")
    assert body["computed_at"] is not None and by_body(body["unit"])["committee"]["sub"]
    assert calls == [tree.province.pk]


def described_by_the_serializer(unit, *, year: int, today, **params) -> bytes:
    """progress_for's data run through ProgressSerializer, rendered: what the view would
    answer if it ran the serializer it documents (it returns the data as it is)."""
    data = progress_for(
        unit,
        year=year,
        period=params.get("period", "year"),
        kind=params.get("kind", ""),
        today=today,
        language="vi",
    )
    return JSONRenderer().render(ProgressSerializer(data).data)


@pytest.mark.parametrize("source", ["live", "snapshot", "computed", "term"])
@pytest.mark.parametrize("kind", ["", SUPERVISE])
def test_the_answer_is_the_bytes_its_serializer_gives(api, cast, year, source, kind):
    """The view skips ProgressSerializer for speed: the data it returns is already the
    serializer's output, byte for byte (key order, integers, floats, dates, nulls)."""
    tree = year
    engine.rebuild(DAY)
    period = {"live": "year", "snapshot": "m9", "computed": "m9", "term": "term"}[source]
    if source == "snapshot":
        report_services.snapshot_period(
            ReportPeriod.objects.get(kind="m9", year=2026, month=0), today=DAY
        )
    client = api.as_user(cast.leader_p)
    with time_machine.travel(DAY, tick=False):
        for unit in (tree.province, tree.a1):
            response = client.get(
                f"/api/v1/progress/{unit.pk}/", {"year": 2026, "period": period, "kind": kind}
            )
            assert response.status_code == 200, response.content
            assert response.json()["unit"]["by_body"]
            assert response.content == described_by_the_serializer(
                unit, year=2026, today=DAY, period=period, kind=kind
            )


@pytest.mark.parametrize("kind", ["", SUPERVISE])
@pytest.mark.parametrize("years", [[2026], [2025, 2026]])
def test_the_concluded_cases_statement_is_the_orms(cast, year, kind, years):
    """concluded_cases runs its query compiled once with stand-ins: the SQL and the
    parameters it runs are those the ORM compiles for the call's values, and so are
    the rows."""
    tree = year
    for unit in (tree.root, tree.province, tree.a1):
        orm = progress_api.concluded_rows(unit.path, unit.pk, DAY, years, kind)
        sql, params = orm.query.get_compiler(connection=connection).as_sql()
        values = {
            "prefix": compiled.like_prefix(unit.path),
            "unit": unit.pk,
            "day": DAY,
            **{f"year{index}": found for index, found in enumerate(years)},
            **({"kind": kind} if kind else {}),
        }
        statement = progress_api._concluded_statement(len(years), bool(kind))
        assert (statement.sql, statement.params(values)) == (sql, list(params))
        assert sorted(statement.rows(values)) == sorted(orm)
    assert sorted(statement.rows(values))  # the world has concluded cases
