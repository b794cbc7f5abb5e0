"""`progress/{unit}/` gives the dashboard's own figures (read from the roll-up table), as
JSON numbers: ISO dates, percentages as numbers (57.58 means 57,58%), no thousands
separators even though the pages use them."""

import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ktgs import figures
from plans import queries as plan_queries
from reports import engine, progress, queries
from reports.engine import periods as report_services
from reports.models import ReportPeriod
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)


@pytest.fixture
def progress_data(tree, programme_rules):
    report_services.ensure_periods(2026)
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10)  # lagging: 5 expected by 2 July, none done
    case(tree.a1, target=t_a1)
    case(tree.b1, kind="denunciation")  # arising
    engine.rebuild(TODAY)
    return prog


def as_percent(ratio):
    return None if ratio is None else float(figures.round_percent(ratio))


@time_machine.travel(TODAY, tick=False)
def test_progress_has_the_dashboards_figures(api, cast, tree, progress_data):
    client = api.as_user(cast.leader_p)
    response = client.get(f"/api/v1/progress/{tree.province.pk}/", {"year": 2026})
    assert response.status_code == 200, response.content
    body = response.json()
    page = queries.dashboard(tree.province, year=2026, kind="", today=TODAY, period_kind="year")
    unit = body["unit"]
    assert (unit["quantity"], unit["capped_done"], unit["arising"]) == (13, 1, 1)
    assert unit["quantity"] == page.unit.quantity
    assert unit["capped_done"] == page.unit.capped_done
    assert unit["completion_percent"] == as_percent(page.unit.completion) == 7.69
    assert unit["units_with_targets"] == page.unit.units_with_targets == 2
    assert unit["units_lagging"] == page.unit.units_lagging
    assert unit["units_without_programme"] == page.unit.units_without_programme
    children = {row["code"]: row for row in body["children"]}
    assert set(children) == {c.organization.code for c in page.children} == {"TN-A", "TN-B"}
    for child in page.children:
        row = children[child.organization.code]
        assert row["quantity"] == child.quantity
        assert row["capped_done"] == child.capped_done
        assert row["completion_percent"] == as_percent(child.completion)
        assert row["coverage_percent"] == as_percent(child.coverage)
    assert children["TN-A"]["completion_percent"] == 33.33
    # Nobody below the province has issued a 2026 programme: A, A1, A1a, A2 under A.
    assert (unit["units_without_programme"], unit["without_programme"]) == (6, False)
    assert (children["TN-A"]["units_without_programme"], children["TN-A"]["without_programme"]) == (
        4,
        True,
    )
    assert [row["code"] for row in body["lagging"]] == [
        lag.organization.code for lag in page.lagging
    ]
    assert "còn thiếu 10 cuộc" in body["lagging"][0]["reason"]
    assert body["as_of"] == "2026-07-02" and body["live"] is True


@time_machine.travel(TODAY, tick=False)
def test_json_numbers_are_never_localised(api, cast, tree, progress_data):
    big = OrganizationFactory(
        parent=tree.b,
        code="TN-B9",
        name="Đảng bộ lớn",
        level="grassroots",
        member_count=1234567,
        committee_member_count=25,
    )
    client = api.as_user(cast.admin)
    raw = client.get(f"/api/v1/organizations/{big.pk}/").content.decode()
    assert '"member_count":1234567' in raw
    progress = client.get(f"/api/v1/progress/{tree.province.pk}/", {"year": 2026})
    text = progress.content.decode()
    assert '"completion_percent":7.69' in text and "7,69" not in text
    loaded = json.loads(text, parse_float=Decimal)
    assert loaded["unit"]["completion_percent"] == Decimal("7.69")


@time_machine.travel(TODAY, tick=False)
def test_progress_filters_are_checked(api, cast, tree, progress_data):
    client = api.as_user(cast.leader_p)
    url = f"/api/v1/progress/{tree.province.pk}/"
    response = client.get(url, {"year": 2026, "kind": "denunciation"})
    assert response.json()["unit"]["arising"] == 1
    assert response.json()["unit"]["quantity"] == 0
    bad = client.get(url, {"period": "week", "year": "x"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"period", "year"}


@time_machine.travel(TODAY, tick=False)
def test_a_past_period_without_a_snapshot_is_computed_for_the_api_too(
    api, cast, tree, progress_data
):
    client = api.as_user(cast.leader_p)
    url = f"/api/v1/progress/{tree.province.pk}/"
    computed = client.get(url, {"year": 2026, "period": "q1"}).json()
    assert computed["available"] is True and computed["live"] is False
    assert computed["as_of"] == "2026-03-31"
    assert computed["computed_at"].startswith("2026-07-02T07:00:00")  # Hà Nội time
    report_services.snapshot_period(
        ReportPeriod.objects.get(kind="q1", year=2026, month=0), today=TODAY
    )
    frozen = client.get(url, {"year": 2026, "period": "q1"}).json()
    assert frozen["computed_at"] is None
    # The same figures; only whether a unit with units below it lacks its own programme
    # is not known from subtree totals computed on demand (null), where the snapshot knows.
    for line in (computed["unit"], *computed["children"]):
        assert line.pop("without_programme") is None
    for line in (frozen["unit"], *frozen["children"]):
        assert line.pop("without_programme") is not None
    # Likewise a child's own figures per body (and so its coverage below it), unless
    # nothing is below it; its subtree's figures are the snapshot's.
    for mine, theirs in zip(computed["children"], frozen["children"], strict=True):
        assert [b["body"] for b in mine["by_body"]] == [b["body"] for b in theirs["by_body"]]
        for line, snap in zip(mine["by_body"], theirs["by_body"], strict=True):
            if line["own"] is None:
                assert line["coverage"] is None and snap["own"] is not None
                line.pop("own"), line.pop("coverage"), snap.pop("own"), snap.pop("coverage")
    assert {k: v for k, v in computed.items() if k != "computed_at"} == {
        k: v for k, v in frozen.items() if k != "computed_at"
    }
    assert computed["unit"]["quantity"] == 13


@time_machine.travel(TODAY, tick=False)
def test_the_term_is_a_period_of_the_api(api, cast, tree, progress_data):
    report_services.ensure_term(2026)
    client = api.as_user(cast.leader_p)
    body = client.get(
        f"/api/v1/progress/{tree.province.pk}/", {"year": 2026, "period": "term"}
    ).json()
    assert body["period"] == "term"
    assert (body["period_starts_on"], body["period_ends_on"]) == ("2025-01-01", "2030-12-31")
    assert body["as_of"] == "2026-07-02" and body["computed_at"] is not None
    assert (body["unit"]["quantity"], body["unit"]["capped_done"]) == (13, 1)
    assert {row["code"] for row in body["children"]} == {"TN-A", "TN-B"}


@time_machine.travel(TODAY, tick=False)
def test_progress_gives_the_year_end_forecast_of_the_unit_and_each_child(
    api, cast, tree, progress_data
):
    body = api.as_user(cast.leader_p).get(f"/api/v1/progress/{tree.province.pk}/").json()
    page = queries.dashboard(tree.province, year=2026, kind="", today=TODAY, period_kind="year")
    year_end = date(2026, 12, 31)
    # 1 of 13 done in the first half of the year: 2 of 13 by 31 December at that rate.
    assert body["unit"]["forecast_percent"] == as_percent(
        progress.forecast(1, 13, date(2026, 1, 1), TODAY, year_end)
    )
    assert body["unit"]["forecast_percent"] == 15.38
    children = {row["code"]: row for row in body["children"]}
    for child in page.children:
        assert children[child.organization.code]["forecast_percent"] == as_percent(child.forecast)
    assert children["TN-A"]["forecast_percent"] == 66.67


@pytest.fixture
def unit_programme(tree):
    """A's programme: A1 inspects 3 times (one case by 2 July, one in August), A2 once
    (done twice: over-achieved), A1a supervises 6 members (2 by 2 July)."""
    prog = programme(tree.a)
    t_a1 = target(prog, tree.a1, quantity=3)
    t_a2 = target(prog, tree.a2, quantity=1, due_on=date(2026, 6, 30))
    t_cell = target(prog, tree.a1a, kind="supervision_regular", quantity=6, counts="members")
    case(tree.a1, target=t_a1, concluded_on=date(2026, 3, 1))
    case(tree.a1, target=t_a1, concluded_on=date(2026, 8, 1))
    case(tree.a2, target=t_a2, concluded_on=date(2026, 2, 1))
    case(tree.a2, target=t_a2, concluded_on=date(2026, 4, 1))
    case(
        tree.a1a,
        kind="supervision_regular",
        target=t_cell,
        concluded_on=date(2026, 5, 1),
        subjects=[("member", None, False), ("member", None, True)],
    )
    return prog, t_a1, t_a2, t_cell


def target_rows(response):
    assert response.status_code == 200, response.content
    return {row["target"]: row for row in response.json()["targets"]}


@time_machine.travel(TODAY, tick=False)
def test_every_target_with_done_capped_expected_and_gap_as_of_a_date(
    api, cast, tree, unit_programme
):
    prog, t_a1, t_a2, t_cell = unit_programme
    client = api.as_user(cast.staff_a)
    url = f"/api/v1/programme-progress/{prog.pk}/"
    today = target_rows(client.get(url))  # default: today, 2 July (day 182 of 364)
    assert client.get(url).json()["on"] == "2026-07-02"
    a1, a2, cell = today[t_a1.pk], today[t_a2.pk], today[t_cell.pk]
    assert (a1["done"], a1["capped_done"], a1["expected"], a1["gap"]) == (1, 1, 1.5, 0.5)
    assert (a2["done"], a2["capped_done"], a2["expected"], a2["gap"]) == (2, 1, 1.0, 0.0)
    assert (cell["counts"], cell["done"], cell["expected"], cell["gap"]) == ("members", 2, 3.0, 1.0)
    assert a2["completion_percent"] == 100 and cell["completion_percent"] == 33.33

    # The programme page's own figures, as of the same date.
    on = date(2026, 9, 1)
    shown = {
        row.target.pk: row.done
        for row in plan_queries.progress_rows(plan_queries.programme_targets(prog), on)
    }
    later = target_rows(client.get(url, {"on": "2026-09-01"}))
    assert {pk: row["done"] for pk, row in later.items()} == shown
    assert later[t_a1.pk]["done"] == 2
    assert later[t_a1.pk]["expected"] == float(
        round(progress.expected(3, date(2026, 1, 1), date(2026, 12, 31), on), 4)
    )
    assert client.get(url, {"on": "1/9/2026"}).status_code == 400


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("staff_a", 200), ("leader_p", 200), ("leader_b", 404), ("outsider", 404)],
)
@time_machine.travel(TODAY, tick=False)
def test_target_figures_are_scoped_like_the_programme(api, cast, tree, unit_programme, who, status):
    prog = unit_programme[0]
    response = api.as_user(getattr(cast, who)).get(f"/api/v1/programme-progress/{prog.pk}/")
    assert response.status_code == status
    if status == 404:
        assert "targets" not in response.json()


@time_machine.travel(TODAY, tick=False)
def test_target_figures_take_the_same_queries_for_any_number_of_targets(
    api, cast, tree, unit_programme
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prog = unit_programme[0]
    client = api.as_user(cast.leader_p)
    url = f"/api/v1/programme-progress/{prog.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(8):
        extra = target(prog, tree.a2, kind="inspection_finance", quantity=2)
        case(tree.a2, kind="inspection_finance", target=extra, subjects=[("member", None, i % 2)])
    assert count() == before


@time_machine.travel(TODAY, tick=False)
def test_lagging_units_with_their_codes_take_no_query_each(api, cast, tree, progress_data):
    client = api.as_user(cast.leader_p)
    url = f"/api/v1/progress/{tree.province.pk}/"

    def read() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"year": 2026})
        assert response.status_code == 200, response.content
        return len(context.captured_queries), [row["code"] for row in response.json()["lagging"]]

    one, codes = read()
    assert codes == [tree.b1.code]
    for unit in (tree.a2, tree.a1a):
        target(progress_data, unit, quantity=10)  # lagging too: nothing done
    engine.rebuild(TODAY)
    three, codes = read()
    assert sorted(codes) == sorted([tree.b1.code, tree.a2.code, tree.a1a.code])
    assert three == one
