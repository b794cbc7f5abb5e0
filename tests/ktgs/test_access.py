"""The access function with the fixed cast: each user sees exactly its subtrees."""

import pytest
from django.http import Http404
from django.urls import reverse

from ktgs import access
from ktgs.models import Organization


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_admin_at_the_root_sees_and_writes_everything(cast, tree):
    everything = {u.code for u in tree.all()}
    assert codes(access.visible_organizations(cast.admin)) == everything
    assert codes(access.writable_organizations(cast.admin)) == everything


def test_staff_sees_and_writes_only_their_subtree(cast, tree):
    subtree = {"TN-A", "TN-A1", "TN-A1a", "TN-A2"}
    assert codes(access.visible_organizations(cast.staff_a)) == subtree
    assert codes(access.writable_organizations(cast.staff_a)) == subtree
    assert access.can_write(cast.staff_a, tree.a1a)
    assert not access.can_write(cast.staff_a, tree.province)
    assert not access.can_read(cast.staff_a, tree.b)


def test_leader_of_the_parent_reads_the_whole_province_but_writes_nothing(cast, tree):
    assert codes(access.visible_organizations(cast.leader_p)) == {
        "TN",
        "TN-A",
        "TN-A1",
        "TN-A1a",
        "TN-A2",
        "TN-B",
        "TN-B1",
    }
    assert codes(access.writable_organizations(cast.leader_p)) == set()
    assert not access.can_write(cast.leader_p, tree.a)


def test_sibling_leader_sees_only_b(cast, tree):
    assert codes(access.visible_organizations(cast.leader_b)) == {"TN-B", "TN-B1"}
    assert not access.can_read(cast.leader_b, tree.a)


def test_outsider_sees_nothing(cast, tree):
    assert codes(access.visible_organizations(cast.outsider)) == set()
    assert access.top_organizations(cast.outsider) == []
    assert not access.can_read(cast.outsider, tree.root)


def test_get_organization_for_user_answers_404_outside_reach(cast, tree):
    assert access.get_organization_for_user(cast.staff_a, tree.a1.pk) == tree.a1
    with pytest.raises(Http404):
        access.get_organization_for_user(cast.leader_b, tree.a1.pk)
    with pytest.raises(Http404):
        access.get_organization_for_user(cast.leader_p, tree.a1.pk, write=True)


def test_nested_roles_collapse_to_the_outermost_subtree(cast, tree):
    from ktgs import services

    services.grant_role(user=cast.staff_a, organization=tree.a1, kind="leader")
    assert access.reach_paths(cast.staff_a) == [tree.a.path]


def test_scoping_is_one_query(cast, tree, django_assert_num_queries):
    with django_assert_num_queries(2):  # the roles, then the scoped units
        assert len(list(access.visible_organizations(cast.leader_p))) == 7


def test_rules_permissions_use_the_same_predicates(cast, tree):
    assert cast.staff_a.has_perm("ktgs.write_organization", tree.a1)
    assert not cast.leader_b.has_perm("ktgs.read_organization", tree.a1)


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("admin", "a1", 200),
        ("staff_a", "a1", 200),
        ("leader_p", "a1", 200),
        ("leader_b", "a1", 404),
        ("outsider", "a1", 404),
        ("staff_a", "b", 404),
        ("leader_b", "b1", 200),
    ],
)
def test_typing_another_units_url_gives_404(client, cast, tree, who, unit, status):
    client.force_login(getattr(cast, who))
    for name in ("organization_detail", "organization_children"):
        response = client.get(reverse(name, args=[getattr(tree, unit).pk]))
        assert response.status_code == status, (who, unit, name)


def test_anonymous_user_is_sent_to_login(client, tree):
    response = client.get(reverse("organization_detail", args=[tree.a.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_finds_only_visible_units(client, cast, tree):
    client.force_login(cast.leader_b)
    response = client.get(reverse("organization_search"), {"q": "Chi bộ"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chi bộ B1" in body
    assert "Chi bộ A1a" not in body


def test_subtree_and_ancestors_are_one_query_each(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(Organization.objects.filter(path__startswith=tree.a.path))) == 4
    with django_assert_num_queries(1):
        ancestors = list(Organization.objects.filter(path__in=tree.a1a.ancestor_paths()))
    assert [u.code for u in sorted(ancestors, key=lambda u: u.depth)] == [
        "TW",
        "TN",
        "TN-A",
        "TN-A1",
    ]
