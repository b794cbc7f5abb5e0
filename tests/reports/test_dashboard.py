"""The leader's dashboard reads the roll-up table: the same number of queries for the
root, a province and a grassroots unit, on a small and a larger tree."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ktgs import figures as figures_
from reports import engine, progress, queries
from reports.models import ProgressRow
from tests.factories import OrganizationFactory, UserFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)

# Session, user, then the page's own: the period with the unit's years and daily points;
# the unit, its ancestors and children with their rows, and the first units of the
# subtree without their year's programme (the ids of both in one UNION ALL); the most
# lagging units; the subtree's records (letters, denunciations and their deadlines,
# complaints, suspensions, discipline: reports.queries.records, one UNION ALL).
PAGE_QUERIES = 6
# A user who is not a superuser: their roles, read once for every access check.
ROLES_QUERY = 1


@pytest.fixture
def figures(tree):
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    target(prog, tree.b1, quantity=10)  # lagging: 5 expected, 0 done
    case(tree.a1, target=t_a1)
    case(tree.b1, kind="denunciation")
    return prog


def grow(tree, prog, extra: int) -> None:
    """`extra` more grassroots units with cells, targets and cases under A and B."""
    for i in range(extra):
        parent = tree.a if i % 2 else tree.b
        unit = OrganizationFactory(
            parent=parent, code=f"X{i}", name=f"Đảng bộ thêm {i}", level="grassroots"
        )
        cell = OrganizationFactory(parent=unit, code=f"X{i}c", name=f"Chi bộ thêm {i}")
        t = target(prog, cell, quantity=2)
        case(cell, target=t)


def query_counts(client, django_assert_max_num_queries, tree, units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name in units:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                reverse("reports:dashboard", args=[getattr(tree, name).pk]), {"year": 2026}
            )
        assert response.status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


@time_machine.travel(TODAY, tick=False)
def test_dashboard_runs_the_same_number_of_queries_at_any_level_and_size(
    client, cast, tree, figures, django_assert_max_num_queries, programme_rules
):
    engine.rebuild(TODAY)
    client.force_login(cast.admin)
    levels = ["root", "province", "a1", "a1a"]  # a1a: deeper than the trend lines
    small = query_counts(client, django_assert_max_num_queries, tree, levels)
    grow(tree, figures, 24)
    engine.rebuild(TODAY)
    large = query_counts(client, django_assert_max_num_queries, tree, levels)
    expected = PAGE_QUERIES + ROLES_QUERY
    assert small == large == dict.fromkeys(levels, expected), (small, large)


@time_machine.travel(TODAY, tick=False)
def test_a_superusers_dashboard_reads_no_roles(
    client, tree, figures, django_assert_max_num_queries
):
    engine.rebuild(TODAY)
    grow(tree, figures, 24)
    engine.rebuild(TODAY)
    client.force_login(UserFactory(username="root", is_superuser=True))
    counts = query_counts(client, django_assert_max_num_queries, tree, ["root", "province", "a1"])
    assert counts == dict.fromkeys(["root", "province", "a1"], PAGE_QUERIES)


def breadcrumb_of(body: str) -> list[str]:
    nav = body.split('<nav class="breadcrumb"')[1].split("</nav>")[0]
    return re.findall(r">([^<>]+)</(?:a|span)>", nav)


def test_the_breadcrumb_starts_at_the_users_outermost_unit(client, cast, tree):
    client.force_login(cast.leader_p)
    body = client.get(reverse("reports:dashboard", args=[tree.a1.pk])).content.decode()
    assert breadcrumb_of(body) == [tree.province.name, tree.a.name, tree.a1.name]
    client.force_login(cast.admin)
    body = client.get(reverse("reports:dashboard", args=[tree.a1.pk])).content.decode()
    assert breadcrumb_of(body) == [tree.root.name, tree.province.name, tree.a.name, tree.a1.name]


def test_an_unknown_unit_is_not_found(client, cast):
    client.force_login(cast.admin)
    assert client.get(reverse("reports:dashboard", args=[987654])).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_stored_gap_is_expected_minus_capped_done(tree, figures):
    engine.rebuild(TODAY)
    rows = list(ProgressRow.objects.filter(year=2026))
    assert rows
    for row in rows:
        assert row.own_gap == row.own_expected - row.own_capped_done
    b1 = ProgressRow.objects.get(organization=tree.b1, year=2026, kind="", body="")
    assert b1.own_units_lagging == 1 and b1.own_gap > Decimal(0)


@time_machine.travel(TODAY, tick=False)
def test_the_lagging_list_is_the_subtrees_largest_gaps_then_names(tree, figures):
    """30 lagging cells under A2 with gaps in equal pairs, and B1 outside A: A's list is
    the 20 largest gaps of A's subtree, equal gaps by name."""
    prog = figures
    for i in range(30):
        cell = OrganizationFactory(parent=tree.a2, code=f"L{i}", name=f"Chi bộ chậm {i:02d}")
        target(prog, cell, quantity=2 * (i // 2 + 1))  # gaps in pairs: 1, 1, 2, 2, …
    engine.rebuild(TODAY)

    shown = queries.dashboard(tree.a, year=2026, kind="", today=TODAY).lagging

    rows = ProgressRow.objects.filter(
        year=2026,
        kind="",
        body="",
        own_units_lagging=1,
        organization__path__startswith=tree.a.path,
    ).select_related("organization")
    expected = sorted(rows, key=lambda r: (-r.own_gap, r.organization.name))[
        : queries.LAGGING_SHOWN
    ]
    assert len(rows) > queries.LAGGING_SHOWN
    assert [item.organization.pk for item in shown] == [r.organization_id for r in expected]
    assert tree.b1.pk not in {item.organization.pk for item in shown}
    # Equal gaps come by name.
    assert [item.organization.name for item in shown[:2]] == ["Chi bộ chậm 28", "Chi bộ chậm 29"]


@time_machine.travel(TODAY, tick=False)
def test_dashboard_shows_completion_lagging_units_and_reasons(client, cast, tree, figures):
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response = client.get(reverse("reports:dashboard", args=[tree.province.pk]), {"year": 2026})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1/13" in body  # 1 of 3 at A1 + 0 of 10 at B1
    assert "7,69%" in body  # 1/13
    assert "Chi bộ B1" in body
    assert "còn thiếu 10 cuộc" in body  # the reason in words
    assert "Đảng ủy Khối A" in body and "Đảng ủy xã B" in body


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff_a", 404),
        ("leader_p", 200),
        ("leader_b", 404),
        ("outsider", 404),
    ],
)
def test_dashboard_of_the_province_is_scoped(client, cast, tree, who, status):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("reports:dashboard", args=[tree.province.pk]))
    assert response.status_code == status


def test_dashboard_home_opens_the_users_top_unit(client, cast, tree):
    client.force_login(cast.staff_a)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 302
    assert response.url == reverse("reports:dashboard", args=[tree.a.pk])


def child_lines(client, unit, **params):
    response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"year": 2026, **params})
    assert response.status_code == 200
    return response, {line["name"]: line for line in response.context["child_lines"]}


@time_machine.travel(TODAY, tick=False)
def test_the_forecast_is_shown_for_the_unit_and_each_child(client, cast, tree, figures):
    """Province: 1 of 13 done by 2 July, half the year: 2/13 by 31 December at that rate;
    A: 1 of 3 → 2/3; B: 0 of 10 → 0."""
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response, lines = child_lines(client, tree.province)
    data = response.context["data"]
    year_end = date(2026, 12, 31)
    assert data.unit.forecast == progress.forecast(1, 13, date(2026, 1, 1), TODAY, year_end)
    body = response.content.decode()
    assert "Dự báo cuối năm" in body
    assert figures_.format_percent(data.unit.forecast) in body
    for child in data.children:
        expected = progress.forecast(
            child.capped_done, child.quantity, date(2026, 1, 1), TODAY, year_end
        )
        assert child.forecast == expected
        assert lines[child.organization.name]["forecast"] == figures_.format_percent(expected)
    assert lines[tree.a.name]["forecast"] == "66,67%"
    assert lines[tree.b.name]["forecast"] == "0%"


@time_machine.travel(TODAY, tick=False)
def test_each_childs_expected_figure_is_its_own(client, cast, tree, figures):
    """A (3 due by year end) and B (10) are both half-way through the year: the same
    share, but A expects 1,5 and B 5 by today; each row shows its own."""
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response, lines = child_lines(client, tree.province)
    a, b = lines[tree.a.name], lines[tree.b.name]
    assert (a["expected"], b["expected"]) == ("1,5", "5")
    for child in response.context["data"].children:
        assert lines[child.organization.name]["expected"] == figures_.format_amount(child.expected)


@time_machine.travel(TODAY, tick=False)
def test_rows_say_what_they_count_and_mark_mixed_ones(client, cast, tree):
    """Under A: the cell A1a counts members only (its own targets are its subtree's);
    A1 holds a cell below it, so what its subtree counts is not known from its row: its
    figures are marked and explained, never called "chỉ tiêu"."""
    prog = programme(tree.province)
    target(prog, tree.a1, quantity=2)
    quota = target(prog, tree.a1a, kind="supervision_regular", quantity=6, counts="members")
    case(tree.a1a, kind="supervision_regular", target=quota, subjects=[("member", None, False)])
    engine.rebuild(TODAY)
    client.force_login(cast.leader_p)
    response, lines = child_lines(client, tree.a1)
    body = response.content.decode()
    assert lines[tree.a1a.name]["unit"] == "đảng viên"
    assert "1/6 đảng viên" in body and "3 đảng viên" in body  # done; expected by today
    unit = response.context["data"].unit
    assert unit.counts is None and unit.quantity == 8
    assert "1/8<sup>*</sup>" in body and "Cộng chung các chỉ tiêu" in body
    assert "/8 chỉ tiêu" not in body
