"""Reads of the core for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db.models import Case, IntegerField, QuerySet, When
from django.db.models.expressions import OrderBy

from ktgs import access, search
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
    """Units in the user's reach whose name, short name or code contains every word of
    `text`, without diacritics and in any case (ktgs.search): "tai chinh" finds "Sở Tài
    chính", "KCQ.06" the units whose code holds it. Best first: the unit whose code is
    what was typed, then names that start with it, then upper levels."""
    words = search.terms(text)
    if not words:
        return []
    folded = " ".join(words)
    found = (
        access.visible_organizations(user)
        .filter(search.matching(text))
        .select_related("parent")
        .alias(
            rank=Case(
                # The folded query, never the raw text: a NUL byte typed reaches no SQL.
                When(code__iexact=folded, then=0),
                When(search_text__startswith=folded, then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
    )
    return list(found.order_by("rank", "depth", "name", "pk")[:limit])


def rank_of(field: str, values: Sequence[str]) -> Case:
    """`field`'s place in `values` (a workflow's statuses in order), to sort by."""
    return Case(
        *(When(**{field: value}, then=rank) for rank, value in enumerate(values)),
        output_field=IntegerField(),
    )


def sorted_by(queryset: QuerySet, sort: str, orders: Mapping[str, Sequence[OrderBy]]):
    """`queryset` in the order a list's `?sort=` names: a key of `orders` (its columns
    ascending), "-" before it for descending. Nulls stay last both ways. Anything else
    leaves the list's own order."""
    key = sort.removeprefix("-")
    if key not in orders:
        return queryset
    return queryset.order_by(
        *(_descending(expr) if sort.startswith("-") else expr for expr in orders[key])
    )


def _descending(expr: OrderBy) -> OrderBy:
    flipped = expr.copy()
    flipped.reverse_ordering()
    # reverse_ordering also moves the nulls to the other end: keep them where they were.
    flipped.nulls_first, flipped.nulls_last = expr.nulls_first, expr.nulls_last
    return flipped
