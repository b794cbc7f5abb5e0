"""Every endpoint scoped by ktgs.access for the fixed cast: nothing outside the caller's
subtree in any list or detail; writes: 404 outside reach, 403 for a read-only role
inside it (leaders), 403 for a create by someone who writes nowhere."""

import pytest

from cases.models import Case
from plans.models import Programme, Target
from tests.api.conftest import ids

LISTS = {
    "organizations": lambda w, t: {u.pk for u in t.all()},
    "plans": lambda w, t: {w.programme.pk},
    "targets": lambda w, t: {w.target.pk},
    "cases": lambda w, t: {w.case_a1.pk, w.case_b.pk},
}
# The units each member of the cast reaches (tests/conftest.py).
REACH = {
    "admin": ["root", "province", "a", "a1", "a1a", "a2", "b", "b1"],
    "staff_a": ["a", "a1", "a1a", "a2"],
    "leader_p": ["province", "a", "a1", "a1a", "a2", "b", "b1"],
    "leader_b": ["b", "b1"],
    "outsider": [],
}


def unit_of(endpoint, pk):
    if endpoint == "organizations":
        return pk
    model = {"plans": Programme, "targets": Target, "cases": Case}[endpoint]
    return model.objects.get(pk=pk).organization_id


@pytest.mark.parametrize("who", list(REACH))
@pytest.mark.parametrize("endpoint", list(LISTS))
def test_lists_hold_no_row_outside_the_callers_subtree(api, world, cast, tree, who, endpoint):
    client = api.as_user(getattr(cast, who))
    reach = {getattr(tree, name).pk for name in REACH[who]}
    seen = ids(client.get(f"/api/v1/{endpoint}/", {"page_size": 200}))
    assert {unit_of(endpoint, pk) for pk in seen} <= reach
    everything = LISTS[endpoint](world, tree)
    expected = {pk for pk in everything if unit_of(endpoint, pk) in reach}
    assert seen == expected


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("staff_a", 404), ("leader_p", 200), ("leader_b", 200), ("outsider", 404)],
)
def test_details_outside_reach_are_404(api, world, cast, tree, who, status):
    client = api.as_user(getattr(cast, who))
    assert client.get(f"/api/v1/cases/{world.case_b.pk}/").status_code == status
    assert client.get(f"/api/v1/organizations/{tree.b.pk}/").status_code == status
    assert client.get(f"/api/v1/progress/{tree.b.pk}/").status_code == status
    assert client.get(f"/api/v1/cases/{world.case_b.pk}/subjects/").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff_a", 200), ("leader_p", 200), ("leader_b", 404), ("outsider", 404)],
)
def test_programme_and_target_details_follow_the_programmes_unit(api, world, cast, who, status):
    client = api.as_user(getattr(cast, who))
    assert client.get(f"/api/v1/plans/{world.programme.pk}/").status_code == status
    assert client.get(f"/api/v1/targets/{world.target.pk}/").status_code == status


def test_subtree_filter_reveals_nothing_outside_reach(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    assert ids(client.get("/api/v1/organizations/", {"subtree_of": tree.b.pk})) == set()
    assert ids(client.get("/api/v1/organizations/", {"subtree_of": tree.a1.pk})) == {
        tree.a1.pk,
        tree.a1a.pk,
    }
    assert ids(client.get("/api/v1/cases/", {"subtree_of": tree.b.pk})) == set()


# (who, expected status) for a write on a case of A1.
WRITES_ON_A1 = [
    ("admin", None),
    ("staff_a", None),
    ("leader_p", 403),  # inside reach, read-only role
    ("leader_b", 404),  # outside reach
    ("outsider", 404),
]


@pytest.mark.parametrize(("who", "status"), WRITES_ON_A1)
def test_writes_on_a_case_answer_404_outside_reach_and_403_to_readers(
    api, world, cast, who, status
):
    client = api.as_user(getattr(cast, who))
    case = world.case_a1
    calls = [
        ("patch", f"/api/v1/cases/{case.pk}/", {"version": case.version, "title": "Sửa"}),
        ("post", f"/api/v1/cases/{case.pk}/status/", {"version": 99, "status": "decided"}),
        (
            "post",
            f"/api/v1/cases/{case.pk}/conclude/",
            {"version": 99, "concluded_on": "2025-05-01"},
        ),
        ("post", f"/api/v1/cases/{case.pk}/subjects/", {"kind": "member", "member_name": "A"}),
        ("post", f"/api/v1/cases/{case.pk}/disciplines/", {}),
        ("patch", f"/api/v1/plans/{world.programme.pk}/", {"version": 99, "title": "Sửa"}),
        ("post", f"/api/v1/plans/{world.programme.pk}/close/", {"version": 99}),
        ("delete", f"/api/v1/targets/{world.target.pk}/", None),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, body, format="json")
        if status is None:
            assert response.status_code not in (403, 404), (url, response.content)
        else:
            assert response.status_code == status, (url, response.content)


@pytest.mark.parametrize("who", ["leader_p", "leader_b", "outsider"])
def test_creates_by_someone_who_writes_nowhere_are_403(api, world, cast, tree, who):
    client = api.as_user(getattr(cast, who))
    body = {
        "organization": tree.a1.pk,
        "body": "committee",
        "kind": "inspection_compliance",
        "title": "Cuộc mới",
        "year": 2025,
    }
    assert client.post("/api/v1/cases/", body, format="json").status_code == 403
    assert client.post("/api/v1/plans/", {}, format="json").status_code == 403
    assert client.post("/api/v1/targets/", {}, format="json").status_code == 403
    assert Case.objects.count() == 2


def test_staff_cannot_create_for_a_unit_outside_reach(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    body = {
        "organization": tree.b.pk,
        "body": "committee",
        "kind": "inspection_compliance",
        "title": "Cuộc mới",
        "year": 2025,
    }
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"organization": ["Đơn vị không thuộc phạm vi của bạn."]}


def test_anonymous_clients_get_401_asking_for_a_token(client, world):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"].startswith("Chưa đăng nhập")


def test_organisations_are_searched_by_code_or_name_and_ordered(api, world, cast, tree):
    client = api.as_user(cast.leader_p)
    assert ids(client.get("/api/v1/organizations/", {"search": "TN-B1"})) == {tree.b1.pk}
    assert ids(client.get("/api/v1/organizations/", {"search": "chi bộ"})) == {
        tree.a1a.pk,
        tree.a2.pk,
        tree.b1.pk,
    }
    names = [
        row["name"]
        for row in client.get("/api/v1/organizations/", {"ordering": "-name"}).json()["results"]
    ]
    assert names == sorted(names, reverse=True)
    page = client.get("/api/v1/organizations/", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 7 and len(page["results"]) == 2
