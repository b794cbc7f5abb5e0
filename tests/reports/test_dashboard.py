"""The leader's dashboard reads the roll-up table: the same number of queries for the
root, a province and a grassroots unit, on a small and a larger tree."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from reports import rollup
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)


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
    client, cast, tree, figures, django_assert_max_num_queries
):
    rollup.rebuild(TODAY)
    client.force_login(cast.admin)
    small = query_counts(client, django_assert_max_num_queries, tree, ["root", "province", "a1"])
    grow(tree, figures, 24)
    rollup.rebuild(TODAY)
    large = query_counts(client, django_assert_max_num_queries, tree, ["root", "province", "a1"])
    assert len(set(small.values()) | set(large.values())) == 1, (small, large)


@time_machine.travel(TODAY, tick=False)
def test_dashboard_shows_completion_lagging_units_and_reasons(client, cast, tree, figures):
    rollup.rebuild(TODAY)
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


def test_the_reminder_log_is_linked_for_those_who_oversee(client, cast, tree):
    log_url = reverse("reports:reminder_log")
    client.force_login(cast.leader_p)
    page = client.get(reverse("reports:dashboard", args=[tree.a.pk])).content.decode()
    assert log_url in page
    client.force_login(cast.staff_a)
    page = client.get(reverse("reports:dashboard", args=[tree.a.pk])).content.decode()
    assert log_url not in page
    assert client.get(log_url).status_code == 404
