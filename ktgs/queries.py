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
    paths = organization.ancestor_paths()
    ancestors = access.scope(Organization.objects.filter(path__in=paths), user, field="")
    return [*ancestors.order_by("depth"), organization]


def roles_of(user: User) -> QuerySet[Role]:
    return Role.objects.filter(user=user).select_related("organization").order_by(
        "organization__path", "kind"
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
