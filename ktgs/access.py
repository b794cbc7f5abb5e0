"""Who may see and change what: the one access function every view and API goes through.

A role on a unit reaches that unit's whole subtree. `leader` reads, `staff` reads and
writes, `admin` reads, writes and administers; a superuser reaches everything. Subtrees
are path prefixes, so scoping any queryset is one `path LIKE 'prefix%'` per role, which
the path index serves.

Anything outside a user's reach answers 404, not 403: a unit's existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, TypeVar

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from ktgs.models import Organization, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ktgs.models import User

M = TypeVar("M", bound=Model)

WRITE_KINDS = frozenset({Role.Kind.STAFF, Role.Kind.ADMIN})
READ_KINDS = frozenset({Role.Kind.STAFF, Role.Kind.LEADER, Role.Kind.ADMIN})
_CACHE_ATTR = "_ktgs_role_paths"


def _role_paths(user: User | AnonymousUser) -> list[tuple[str, str]]:
    """(kind, path) of every role the user holds, read once per user object (request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Role.objects.filter(user=user).values_list("kind", "organization__path"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: User) -> None:
    """Drop the per-request cache after the user's roles changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths not inside another one of them (a role inside a role adds nothing)."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def reach_paths(user: User | AnonymousUser, *, write: bool = False) -> list[str] | None:
    """Subtree roots the user reaches; None means everything (superuser)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    kinds = WRITE_KINDS if write else READ_KINDS
    return _outermost(path for kind, path in _role_paths(user) if kind in kinds)


def scope(
    queryset: QuerySet[M],
    user: User | AnonymousUser,
    *,
    field: str = "organization",
    write: bool = False,
) -> QuerySet[M]:
    """Restrict any queryset to rows whose unit (`field`, a FK to Organization, or ""
    for Organization itself) lies in the user's reach."""
    paths = reach_paths(user, write=write)
    if paths is None:
        return queryset
    if not paths:
        return queryset.none()
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    return queryset.filter(reduce(or_, (Q(**{lookup: path}) for path in paths)))


def scope_led(
    queryset: QuerySet[M], user: User | AnonymousUser, *, field: str = "organization"
) -> QuerySet[M]:
    """Like `scope`, but only through leader and admin roles: for pages about other
    people's work (the reminder log), which staff do not oversee."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    paths = _outermost(
        path for kind, path in _role_paths(user) if kind in (Role.Kind.LEADER, Role.Kind.ADMIN)
    )
    if not paths:
        return queryset.none()
    return queryset.filter(reduce(or_, (Q(**{f"{field}__path__startswith": p}) for p in paths)))


def oversees(user: User | AnonymousUser) -> bool:
    """Whether the user leads or administers any unit (the reminder log is theirs); read
    from the roles already cached for the request."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(
        kind in (Role.Kind.LEADER, Role.Kind.ADMIN) for kind, _ in _role_paths(user)
    )


def visible_organizations(user: User | AnonymousUser) -> QuerySet[Organization]:
    return scope(Organization.objects.all(), user, field="")


def writable_organizations(user: User | AnonymousUser) -> QuerySet[Organization]:
    return scope(Organization.objects.all(), user, field="", write=True)


def _reaches(user: User | AnonymousUser, organization: Organization, *, write: bool) -> bool:
    paths = reach_paths(user, write=write)
    if paths is None:
        return True
    return any(organization.path.startswith(path) for path in paths)


@rules.predicate
def can_read(user: User | AnonymousUser, organization: Organization) -> bool:
    return _reaches(user, organization, write=False)


@rules.predicate
def can_write(user: User | AnonymousUser, organization: Organization) -> bool:
    return _reaches(user, organization, write=True)


@rules.predicate
def is_admin(user: User | AnonymousUser) -> bool:
    """May administer users, roles and the tree (within the units they administer)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(kind == Role.Kind.ADMIN for kind, _ in _role_paths(user))


def can_administer(user: User | AnonymousUser, organization: Organization) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        kind == Role.Kind.ADMIN and organization.path.startswith(path)
        for kind, path in _role_paths(user)
    )


def get_organization_for_user(
    user: User | AnonymousUser, pk: int, *, write: bool = False
) -> Organization:
    """The unit `pk` if the user reaches it (for writing, if `write`), else 404."""
    try:
        return scope(Organization.objects.all(), user, field="", write=write).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def get_object_for_user(
    user: User | AnonymousUser,
    queryset: QuerySet[M],
    pk: int,
    *,
    field: str = "organization",
    write: bool = False,
) -> M:
    """Any row whose unit (`field`) the user reaches, else 404. Later apps use this for
    programmes, targets and cases (`get_object_for_user(user, Case.objects, pk)`)."""
    try:
        return scope(queryset.all(), user, field=field, write=write).get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def top_organizations(user: User | AnonymousUser) -> list[Organization]:
    """The outermost units the user reaches: where their home page starts."""
    paths = reach_paths(user)
    if paths is None:
        return list(Organization.get_root_nodes())
    return list(Organization.objects.filter(path__in=paths).order_by("path"))
