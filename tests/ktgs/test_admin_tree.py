"""The Django admin changes the tree through ktgs.services: a unit moved there keeps its
parent and its path in step, and its figures leave the old ancestors for the new ones."""

import pytest
from celery import current_app
from django.urls import reverse

from ktgs.models import Organization
from tests.factories import UserFactory


@pytest.fixture
def sent(monkeypatch):
    """The tasks the services hand to the broker by name, as (name, args)."""
    calls: list[tuple[str, list]] = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args=(), **kw: calls.append((name, list(args)))
    )
    return calls


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def form_data(unit: Organization, **changes) -> dict:
    data = {
        "parent": unit.parent_id or "",
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "level": unit.level,
        "member_count": unit.member_count,
        "committee_member_count": unit.committee_member_count,
        "grassroots_form": unit.grassroots_form,
        "valid_from": "",
        "valid_to": "",
        "successor": "",
    }
    if unit.has_cell_committee:
        data["has_cell_committee"] = "on"
    data.update(changes)
    return data


def assert_parent_is_the_path_parent(*units: Organization) -> None:
    for unit in units:
        unit = Organization.objects.get(pk=unit.pk)
        path_parent = Organization.objects.get(path=unit.path[: -unit.steplen])
        assert unit.parent == path_parent, unit.code


def test_an_admin_move_keeps_parent_and_path_together_and_moves_the_figures(
    tree, admin_client, sent, django_capture_on_commit_callbacks
):
    url = reverse("admin:ktgs_organization_change", args=[tree.a1.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, form_data(tree.a1, parent=tree.b.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    a1 = Organization.objects.get(pk=tree.a1.pk)
    assert a1.parent == tree.b
    assert a1.path.startswith(tree.b.path)
    assert Organization.objects.get(pk=tree.a1a.pk).path.startswith(a1.path)
    assert_parent_is_the_path_parent(tree.a1, tree.a1a, tree.b1, tree.a2)
    assert all(not problem for problem in Organization.objects.find_problems())
    # The subtree's figures leave A, the province and the root (the task moves them).
    [(name, (unit_id, old_ancestors))] = sent
    assert (name, unit_id) == ("reports.tasks.move_progress", tree.a1.pk)
    assert sorted(old_ancestors) == sorted([tree.root.pk, tree.province.pk, tree.a.pk])


def test_an_admin_edit_of_the_fields_only_moves_nothing(tree, admin_client, sent):
    url = reverse("admin:ktgs_organization_change", args=[tree.b1.pk])
    response = admin_client.post(url, form_data(tree.b1, name="Chi bộ B1 (mới)"))
    assert response.status_code == 302
    b1 = Organization.objects.get(pk=tree.b1.pk)
    assert (b1.name, b1.parent, b1.path) == ("Chi bộ B1 (mới)", tree.b, tree.b1.path)
    assert sent == []


def test_the_admin_refuses_a_move_under_the_units_own_subtree(tree, admin_client, sent):
    url = reverse("admin:ktgs_organization_change", args=[tree.a.pk])
    response = admin_client.post(url, form_data(tree.a, parent=tree.a1a.pk))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Organization.objects.get(pk=tree.a.pk).path == tree.a.path
    assert sent == []


def test_a_unit_added_in_the_admin_is_created_by_the_service(
    tree, admin_client, sent, django_capture_on_commit_callbacks
):
    new = Organization(
        code="TN-B2", name="Chi bộ B2", level=Organization.Level.CELL, member_count=12
    )
    new.parent = tree.b
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:ktgs_organization_add"), form_data(new, parent=tree.b.pk)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    b2 = Organization.objects.get(code="TN-B2")
    assert b2.parent == tree.b and b2.path.startswith(tree.b.path) and b2.depth == 4
    assert Organization.objects.get(pk=tree.b.pk).numchild == 2
    assert_parent_is_the_path_parent(b2)
    assert sent == [("reports.tasks.refresh_progress", [[b2.pk]])]
