"""Writes to the core: units of the tree and roles. Views, admin, commands and tests all
call these; `path` and `parent` are only ever changed here, together."""

from __future__ import annotations

from django.db import transaction

from ktgs.access import forget_roles
from ktgs.models import Organization, Role, User

ORGANIZATION_FIELDS = (
    "code",
    "name",
    "short_name",
    "level",
    "member_count",
    "committee_member_count",
    "valid_from",
    "valid_to",
    "successor",
)


@transaction.atomic
def create_organization(*, parent: Organization | None, **fields) -> Organization:
    """Add a unit under `parent` (a root when None), validated before anything is written."""
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    candidate = Organization(parent=parent, **fields)
    # path/depth are assigned by treebeard on insert; validate everything else first.
    candidate.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Organization.objects.add_root(instance=candidate)
    # Re-read the parent: treebeard computes the new path from its current numchild.
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    return Organization.objects.add_child(parent, instance=candidate)


@transaction.atomic
def update_organization(*, organization: Organization, **fields) -> Organization:
    """Change a unit's own fields (not its place in the tree: see move_organization)."""
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(organization, name) != value]
    if not changed:
        return organization
    for name in changed:
        setattr(organization, name, fields[name])
    organization.full_clean(exclude=["path", "depth", "numchild"])
    organization.save(update_fields=changed)
    return organization


@transaction.atomic
def move_organization(*, organization: Organization, new_parent: Organization) -> Organization:
    """Put a unit (with its whole subtree) under another parent.

    treebeard rewrites the paths of the moved subtree; the parent FK follows. Callers that
    keep derived figures per subtree (reports) must refresh the old and new ancestors.
    """
    if new_parent.path.startswith(organization.path):
        raise ValueError("cannot move a unit under itself or its own descendant")
    if organization.parent_id == new_parent.pk:
        return organization
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization.refresh_from_db()
    organization.parent = new_parent
    organization.save(update_fields=["parent"])
    return organization


@transaction.atomic
def grant_role(*, user: User, organization: Organization, kind: str) -> Role:
    role, _ = Role.objects.get_or_create(user=user, organization=organization, kind=kind)
    forget_roles(user)
    return role


@transaction.atomic
def revoke_role(*, user: User, organization: Organization, kind: str) -> None:
    Role.objects.filter(user=user, organization=organization, kind=kind).delete()
    forget_roles(user)


@transaction.atomic
def set_user_language(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language"])
    return user
