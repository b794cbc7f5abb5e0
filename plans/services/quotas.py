"""Quotas: the same targets for every unit of a level below the programme's owner."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ktgs.models import Organization
from plans.models import ActivityKind, Programme, Target
from plans.services.history import bump_programme
from plans.services.progress_refresh import enqueue_progress_refresh
from plans.services.targets import Share, _clean_target, _named_targets, _require_draft


def _parse_quota_value(value) -> tuple[int | None, Decimal | None]:
    """2 → (2, None); Share(30), "30%" → (None, 30)."""
    if isinstance(value, Share):
        return None, Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if text.endswith("%"):
            return None, Decimal(text[:-1].strip())
        return int(text), None
    return int(value), None


@transaction.atomic
def apply_quota(
    programme: Programme,
    level: str,
    quota: Mapping[str, int | Decimal | str],
    due_on: datetime.date | None = None,
    *,
    counts: str | None = None,
    user=None,
) -> dict[str, int]:
    """ "Each unit of `level` below the owner: 2 inspections and 1 thematic supervision" —
    one target per matching descendant unit and kind. Idempotent: a unit that already has a
    target of that kind and counting rule (no named subject) gets it updated, never a second
    one, so running the same quota twice changes nothing. A unit that has a named target of
    a kind gets no quota of that kind beside it: refused, naming the units (on the kind).
    Returns created/updated counts."""
    current = bump_programme(programme, None, user)
    _require_draft(current)
    if level not in Organization.Level.values:
        raise ValidationError({"level": _("Cấp đơn vị không hợp lệ.")})
    specs = {}
    for kind, value in quota.items():
        if kind not in ActivityKind.values:
            raise ValidationError({"kind": _("Loại hoạt động không hợp lệ.")})
        if value in (None, "", 0):
            continue
        try:
            qty, share = _parse_quota_value(value)
        except (ValueError, InvalidOperation):
            raise ValidationError(
                {kind: _("Nhập một số (ví dụ 2) hoặc một tỷ lệ (ví dụ 30%).")}
            ) from None
        rule = counts or (Target.Counts.MEMBERS if share is not None else Target.Counts.CASES)
        specs[kind] = (qty, share, rule)
    if not specs:
        raise ValidationError(_("Hãy nhập ít nhất một chỉ tiêu."))
    units = list(
        Organization.objects.filter(path__startswith=current.organization.path, level=level)
        .exclude(pk=current.organization_id)
        .order_by("path")
    )
    if not units:
        # Was: applied to 0 units and reported as done.
        raise ValidationError(
            {
                "level": _(
                    "Không có đơn vị cấp “%(level)s” nào thuộc %(owner)s: chỉ tiêu sẽ không "
                    "giao cho đơn vị nào. Hãy chọn cấp khác."
                )
                % {"level": Organization.Level(level).label, "owner": current.organization}
            }
        )
    existing = {
        (t.organization_id, t.kind, t.counts): t
        for t in current.targets.filter(
            organization__in=units,
            kind__in=list(specs),
            subject_organization__isnull=True,
            subject_text="",
        )
    }
    named = _named_targets(current, [(unit.pk, kind) for unit in units for kind in specs])
    beside_named: dict[str, list[str]] = {}
    to_create, to_update = [], []
    for unit in units:
        for kind, (qty, share, rule) in specs.items():
            target = existing.get((unit.pk, kind, rule))
            if target is None and (unit.pk, kind) in named:
                beside_named.setdefault(kind, []).append(str(unit))
                continue
            if target is None:
                target = Target(  # type: ignore[misc]  # due_on None: defaulted by _clean_target
                    programme=current,
                    organization=unit,
                    kind=kind,
                    counts=rule,
                    quantity=qty or 1,
                    member_share=share,
                    due_on=due_on,
                )
                try:
                    _clean_target(target, current)
                except ValidationError as exc:
                    raise _quota_error(exc, kind) from None
                to_create.append(target)
                continue
            before = (target.quantity, target.member_share, target.due_on)
            target.quantity = qty or target.quantity
            target.member_share = share
            target.due_on = due_on or target.due_on
            try:
                _clean_target(target, current)
            except ValidationError as exc:
                raise _quota_error(exc, kind) from None
            if (target.quantity, target.member_share, target.due_on) != before:
                target.version += 1
                to_update.append(target)
    if beside_named:
        raise ValidationError(
            {
                kind: _(
                    "Đã có chỉ tiêu đích danh cùng loại cho %(units)s: thêm chỉ tiêu số lượng "
                    "sẽ tính trùng. Hãy nhập chỉ tiêu cho các đơn vị này trong bảng chỉ tiêu."
                )
                % {"units": ", ".join(names)}
                for kind, names in beside_named.items()
            }
        )
    if to_create:
        bulk_create_with_history(to_create, Target, default_user=user)
    if to_update:
        bulk_update_with_history(
            to_update,
            Target,
            ["quantity", "member_share", "due_on", "version"],
            default_user=user,
        )
    if to_create or to_update:
        enqueue_progress_refresh({t.organization_id for t in to_create + to_update})
    programme.__dict__.update(current.__dict__)
    return {"units": len(units), "created": len(to_create), "updated": len(to_update)}


def _quota_error(exc: ValidationError, kind: str) -> ValidationError:
    """A target error of a quota belongs to the quota's field (the kind, or the due date)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {kind: exc.messages}
    mapped: dict[str, list[str]] = {}
    for field, messages in errors.items():
        mapped.setdefault("due_on" if field == "due_on" else kind, []).extend(messages)
    return ValidationError(mapped)
