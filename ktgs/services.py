"""Writes to the core: units of the tree and roles. Views, admin, commands and tests all
call these; `path` and `parent` are only ever changed here, together."""

from __future__ import annotations

from celery import current_app
from django.db import transaction

from ktgs.access import forget_roles
from ktgs.models import Organization, OrganizationImport, Role, User

ORGANIZATION_FIELDS = (
    "code",
    "name",
    "short_name",
    "level",
    "member_count",
    "committee_member_count",
    "grassroots_form",
    "has_cell_committee",
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
    _drop_kind_fields_of_other_levels(candidate)
    # path/depth are assigned by treebeard on insert; validate everything else first.
    candidate.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        created = Organization.objects.add_root(instance=candidate)
    else:
        # Re-read the parent: treebeard computes the new path from its current numchild.
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        created = Organization.objects.add_child(parent, instance=candidate)
    _enqueue_progress_refresh(created.pk)
    return created


def _drop_kind_fields_of_other_levels(unit: Organization) -> list[str]:
    """Blank the grassroots form off the grassroots level and the cell committee off
    cells (fields with no meaning there, e.g. after a level change); the names changed.

    A grassroots unit's form is never guessed: when missing, full_clean refuses it."""
    L = Organization.Level
    cleared = []
    if unit.level != L.GRASSROOTS and unit.grassroots_form:
        unit.grassroots_form = ""
        cleared.append("grassroots_form")
    is_cell = unit.level == L.CELL or (
        unit.level == L.GRASSROOTS and unit.grassroots_form == Organization.GrassrootsForm.CELL
    )
    if unit.has_cell_committee and not is_cell:
        unit.has_cell_committee = False
        cleared.append("has_cell_committee")
    return cleared


# A unit's level and dates decide whether it must have issued a programme by now (the
# "chưa có chương trình" figure of reports): a change to them refreshes its figures.
_REQUIREMENT_FIELDS = {"level", "valid_from", "valid_to"}


def _enqueue_progress_refresh(unit_id: int) -> None:
    transaction.on_commit(
        lambda: current_app.send_task("reports.tasks.refresh_progress", args=[[unit_id]])
    )


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
    changed += _drop_kind_fields_of_other_levels(organization)
    organization.full_clean(exclude=["path", "depth", "numchild"])
    organization.save(update_fields=changed)
    if _REQUIREMENT_FIELDS & set(changed):
        _enqueue_progress_refresh(organization.pk)
    return organization


@transaction.atomic
def move_organization(*, organization: Organization, new_parent: Organization) -> Organization:
    """Put a unit (with its whole subtree) under another parent.

    treebeard rewrites the paths of the moved subtree; the parent FK follows. The subtree's
    progress figures leave the old ancestors and join the new ones through the task
    `reports.tasks.move_progress`, enqueued by name on commit (the core never imports
    reports).
    """
    if new_parent.path.startswith(organization.path):
        raise ValueError("cannot move a unit under itself or its own descendant")
    if organization.parent_id == new_parent.pk:
        return organization
    old_ancestor_ids = list(
        Organization.objects.filter(path__in=organization.ancestor_paths()).values_list(
            "pk", flat=True
        )
    )
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization.refresh_from_db()
    organization.parent = new_parent
    organization.save(update_fields=["parent"])
    unit_id = organization.pk
    transaction.on_commit(
        lambda: current_app.send_task(
            "reports.tasks.move_progress", args=[unit_id, old_ancestor_ids]
        )
    )
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


@transaction.atomic
def set_digest_enabled(*, user: User, enabled: bool) -> User:
    """The weekly digest is optional (profile page, or the signed link in the mail);
    reminders about the user's own unit are not, and have no switch."""
    if user.digest_enabled != enabled:
        user.digest_enabled = enabled
        user.save(update_fields=["digest_enabled"])
    return user


@transaction.atomic
def start_organization_import(*, user: User, uploaded_file) -> OrganizationImport:
    """Keep the uploaded file and hand the import to the worker once the row is committed
    (a worker that picked it up earlier would not find the row)."""
    record = OrganizationImport(
        file=uploaded_file,
        original_name=(getattr(uploaded_file, "name", "") or "")[:255],
        uploaded_by=user,
    )
    record.full_clean()
    record.save()
    import_id = record.pk
    # By name: the task module imports the import package, which writes through here.
    transaction.on_commit(
        lambda: current_app.send_task("ktgs.tasks.run_organization_import", args=[import_id])
    )
    return record
