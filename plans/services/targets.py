"""The targets of a draft programme: one at a time, or the grid of (unit, kind) cells."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ktgs import versioning
from ktgs.models import Organization
from plans.models import ActivityKind, Programme, Target
from plans.queries import grid_quota_q, named_q
from plans.services.history import bump_programme
from plans.services.progress_refresh import enqueue_progress_refresh

TARGET_FIELDS = (
    "organization",
    "kind",
    "counts",
    "quantity",
    "member_share",
    "subject_organization",
    "subject_text",
    "due_on",
)


class Share(Decimal):
    """A quota given as a share of the unit's members, in percent: `Share(30)` = 30%."""


def share_quantity(share: Decimal | float | int, member_count: int) -> int:
    """A share of members as a number of members: rounded up, at least 1 (a cell of 3
    members asked to supervise 30% supervises one)."""
    return max(1, math.ceil(Decimal(share) * member_count / 100))


def _default_due_on(programme: Programme) -> datetime.date:
    return (
        datetime.date(programme.year, 12, 31)
        if programme.scope == Programme.Scope.YEAR
        else programme.ends_on
    )


def _clean_target(target: Target, programme: Programme) -> None:
    """Validate one target against its programme; errors land on the field that is wrong."""
    errors: dict[str, list[str]] = {}
    owner = programme.organization
    if target.due_on is None:
        target.due_on = _default_due_on(programme)
    if target.organization_id is None:
        errors["organization"] = [_("Hãy chọn đơn vị thực hiện.")]
    elif not target.organization.path.startswith(owner.path):
        errors["organization"] = [
            _("Đơn vị thực hiện phải là %(owner)s hoặc một đơn vị trực thuộc.") % {"owner": owner}
        ]
    subject = target.subject_organization
    if subject is not None and not subject.path.startswith(owner.path):
        errors["subject_organization"] = [
            _("Đối tượng phải là %(owner)s hoặc một đơn vị trực thuộc.") % {"owner": owner}
        ]
    if target.member_share is not None:
        try:
            share = Decimal(target.member_share)
        except (InvalidOperation, TypeError):
            share = Decimal(-1)
        if not (0 < share <= 100):
            errors["member_share"] = [_("Tỷ lệ phải lớn hơn 0% và không quá 100%.")]
        elif "organization" not in errors and target.organization_id:
            target.quantity = share_quantity(share, target.organization.member_count)
    if target.member_share is None and (target.quantity is None or target.quantity < 1):
        errors["quantity"] = [_("Số lượng phải từ 1 trở lên.")]
    if target.due_on and not (programme.starts_on <= target.due_on <= programme.ends_on):
        errors["due_on"] = [
            _("Thời hạn phải nằm trong thời gian của chương trình (%(start)s – %(end)s).")
            % {
                "start": programme.starts_on.strftime("%d/%m/%Y"),
                "end": programme.ends_on.strftime("%d/%m/%Y"),
            }
        ]
    if errors:
        raise ValidationError(errors)
    target.full_clean(exclude=["programme", "added_by", "removed_by", "replaces"])


def _require_draft(programme: Programme) -> None:
    if programme.status != Programme.Status.DRAFT:
        raise ValidationError(
            _(
                "Chương trình đã ban hành hoặc đã kết thúc: chỉ tiêu chỉ được thay đổi bằng "
                "văn bản điều chỉnh, bổ sung."
            ),
            code="not_draft",
        )


def is_grid_target(target: Target) -> bool:
    """The targets the grid edits: a plain number of cases for a unit and kind. Named
    subjects, shares of members and other counting rules are kept out of the grid so a
    grid save never erases them."""
    return (
        target.counts == Target.Counts.CASES
        and target.member_share is None
        and target.subject_organization_id is None
        and not target.subject_text
    )


def _beside_named(named: Target) -> ValidationError:
    """A quota typed for a unit × kind that already has a named planned case: it would be
    counted twice, or the named case would be lost in it. Said on the cell, with the
    named target, so that the user decides."""
    subject = named.subject_text or str(named.subject_organization)
    return ValidationError(
        _(
            "%(unit)s đã có chỉ tiêu đích danh cùng loại (%(named)s), đã tính trong tổng: "
            "thêm số lượng ở đây sẽ tính trùng. Hãy để trống ô này."
        ),
        code="beside_named",
        params={
            "unit": named.organization,
            "named": subject,
            "organization": named.organization_id,
            "kind": named.kind,
        },
    )


def _named_targets(programme: Programme, keys) -> dict[tuple[int, str], Target]:
    """The first named target of each (unit id, kind) among `keys`, in force."""
    found: dict[tuple[int, str], Target] = {}
    units = {org_id for org_id, _kind in keys}
    named = (
        programme.targets.filter(named_q(), organization__in=units, removed_by__isnull=True)
        .select_related("organization", "subject_organization")
        .order_by("due_on", "pk")
    )
    for target in named:
        found.setdefault((target.organization_id, target.kind), target)
    return found


@transaction.atomic
def set_targets(
    *,
    programme: Programme,
    cells: Mapping[tuple[int, str], int | None],
    due_on: datetime.date | None = None,
    version=None,
    user=None,
) -> Programme:
    """Save the grid of a DRAFT programme: `cells` maps (unit id, activity kind) to a
    quantity; 0 or None removes that cell's target. Cells not mentioned are left alone.
    All or nothing: a bad cell raises and nothing is written. A new quota beside a named
    target of the same unit × kind is refused: ValidationError under "cells", one error
    per cell (code "beside_named", params "organization" and "kind" name the cell)."""
    current = bump_programme(programme, version, user)
    _require_draft(current)
    wanted = {(int(org_id), kind): qty for (org_id, kind), qty in cells.items()}
    bad_kinds = {kind for _org, kind in wanted} - set(ActivityKind.values)
    if bad_kinds:
        raise ValidationError({"kind": _("Loại hoạt động không hợp lệ.")})
    units = Organization.objects.in_bulk({org_id for org_id, _kind in wanted})
    existing: dict[tuple[int, str], Target] = {}
    quotas = current.targets.filter(grid_quota_q()).order_by("due_on", "pk")
    for target in quotas.select_related("organization"):
        existing.setdefault((target.organization_id, target.kind), target)
    named = _named_targets(current, [key for key, qty in wanted.items() if qty])
    beside_named: list[ValidationError] = []
    to_create: list[Target] = []
    to_update: list[Target] = []
    to_delete: list[int] = []
    touched: set[int] = set()
    for key, qty in wanted.items():
        org_id, kind = key
        if org_id not in units:
            raise ValidationError({"organization": _("Đơn vị không tồn tại.")})
        found = existing.get(key)
        if not qty:
            if found is not None:
                to_delete.append(found.pk)
                touched.add(org_id)
            continue
        if found is None and key in named:
            beside_named.append(_beside_named(named[key]))
            continue
        if found is None:
            target = Target(  # type: ignore[misc]  # due_on None: defaulted by _clean_target
                programme=current,
                organization=units[org_id],
                kind=kind,
                counts=Target.Counts.CASES,
                quantity=qty,
                due_on=due_on,
            )
            _clean_target(target, current)
            to_create.append(target)
            touched.add(org_id)
        elif found.quantity != qty or (due_on and found.due_on != due_on):
            found.quantity = qty
            found.due_on = due_on or found.due_on
            _clean_target(found, current)
            found.version += 1
            to_update.append(found)
            touched.add(org_id)
    if beside_named:
        raise ValidationError({"cells": beside_named})
    if to_delete:
        # Deleting one by one writes the "-" history row with the user on it.
        for target in Target.objects.filter(pk__in=to_delete):
            versioning.record_user(target, user)
            target.delete()
    if to_create:
        bulk_create_with_history(to_create, Target, default_user=user)
    if to_update:
        bulk_update_with_history(
            to_update, Target, ["quantity", "due_on", "version"], default_user=user
        )
    enqueue_progress_refresh(touched | {current.organization_id})
    programme.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def add_target(*, programme: Programme, user=None, version=None, **fields: Any) -> Target:
    """One target of a draft: a named planned case, a share of members, or any counting."""
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown target fields: {sorted(unknown)}")
    current = bump_programme(programme, version, user)
    _require_draft(current)
    target = Target(programme=current, **fields)
    _clean_target(target, current)
    versioning.record_user(target, user)
    target.save()
    enqueue_progress_refresh([target.organization_id])
    return target


@transaction.atomic
def remove_target(*, target: Target, user=None, version=None) -> None:
    current = bump_programme(target.programme, version, user)
    _require_draft(current)
    unit_id = target.organization_id
    versioning.record_user(target, user)
    target.delete()
    enqueue_progress_refresh([unit_id])
