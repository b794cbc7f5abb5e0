"""Reads of the core for pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ktgs import access
from ktgs.models import Organization, Role, User


def children_of(organization: Organization) -> QuerySet[Organization]:
    """Direct children, by name; one query (parent FK index)."""
    return Organization.objects.filter(parent=organization).order_by("name")


def breadcrumb(user: User, organization: Organization) -> list[Organization]:
    """The path from the user's outermost visible unit down to `organization`: one query
    for every ancestor (the prefixes of its path), filtered to the user's reach."""
    # The unit itself is in the list so that the query runs (and costs the same) at the
    # root too: pages built on this keep one query count at every level.
    paths = [*organization.ancestor_paths(), organization.path]
    return list(
        access.scope(Organization.objects.filter(path__in=paths), user, field="").order_by("depth")
    )


def roles_of(user: User) -> QuerySet[Role]:
    return (
        Role.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__path", "kind")
    )


def search_visible(user: User, text: str, *, limit: int = 20) -> list[Organization]:
    """Units in the user's reach whose code or name contains `text`."""
    text = text.strip()
    if not text:
        return []
    found = access.visible_organizations(user).filter(
        Q(code__iexact=text) | Q(name__icontains=text) | Q(short_name__icontains=text)
    )
    return list(found.order_by("depth", "name")[:limit])
