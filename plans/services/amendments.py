"""Amendments (điều chỉnh, bổ sung) of an issued programme's targets."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ktgs import versioning
from plans.models import Amendment, Programme, Target
from plans.services.doc_numbers import _clean_document
from plans.services.history import bump_programme
from plans.services.progress_refresh import enqueue_progress_refresh
from plans.services.targets import TARGET_FIELDS, _clean_target


@transaction.atomic
def create_amendment(
    *,
    programme: Programme,
    doc_number: str,
    issued_on: datetime.date,
    effective_on: datetime.date,
    summary: str = "",
    add: Iterable[Mapping[str, Any]] = (),
    change: Iterable[tuple[Target, Mapping[str, Any]]] = (),
    remove: Iterable[Target] = (),
    version=None,
    user=None,
) -> Amendment:
    """An amendment (điều chỉnh, bổ sung) of an issued programme. Nothing is overwritten:
    a changed target is closed (`removed_by`) and a new one `replaces` it, so the original
    and each amendment stay readable side by side."""
    current = bump_programme(programme, version, user)
    if current.status != Programme.Status.ISSUED:
        raise ValidationError(_("Chỉ chương trình đã ban hành mới được điều chỉnh, bổ sung."))
    amendment = Amendment(
        programme=current,
        doc_number=doc_number,
        issued_on=issued_on,
        effective_on=effective_on,
        summary=summary,
        created_by=user,
    )
    errors: dict[str, list[str]] = {}
    if effective_on and not (current.starts_on <= effective_on <= current.ends_on):
        errors["effective_on"] = [
            _("Ngày có hiệu lực phải nằm trong thời gian của chương trình (%(start)s – %(end)s).")
            % {
                "start": current.starts_on.strftime("%d/%m/%Y"),
                "end": current.ends_on.strftime("%d/%m/%Y"),
            }
        ]
    elif effective_on and effective_on < current.issued_on:
        errors["effective_on"] = [
            _("Ngày có hiệu lực không được trước ngày ban hành chương trình (%(day)s).")
            % {"day": current.issued_on.strftime("%d/%m/%Y")}
        ]
    elif effective_on and issued_on and effective_on < issued_on:
        errors["effective_on"] = [
            _("Ngày có hiệu lực không được trước ngày ban hành văn bản điều chỉnh.")
        ]
    if errors:
        raise ValidationError(errors)
    _clean_document(amendment)
    amendment.full_clean()
    versioning.record_user(amendment, user)
    amendment.save()

    add, change, remove = list(add), list(change), list(remove)
    if not (add or change or remove):
        raise ValidationError(_("Văn bản điều chỉnh phải thêm, sửa hoặc bỏ ít nhất một chỉ tiêu."))
    touched: set[int] = set()
    in_force_ids = set(current.targets.filter(removed_by__isnull=True).values_list("pk", flat=True))
    closing = [t for t in remove] + [t for t, _values in change]
    for old in closing:
        if old.pk not in in_force_ids:
            raise ValidationError(
                {
                    "remove": _("Chỉ tiêu %(target)s không còn hiệu lực trong chương trình này.")
                    % {"target": old}
                }
            )
    if len({t.pk for t in closing}) != len(closing):
        raise ValidationError({"change": _("Một chỉ tiêu chỉ được sửa hoặc bỏ một lần.")})
    # A target is closed no earlier than it came into force: else it and the target that
    # replaced it would both be in force for a while, and their lineage would count twice.
    added_on = dict(
        Target.objects.filter(pk__in=[t.pk for t in closing], added_by__isnull=False).values_list(
            "pk", "added_by__effective_on"
        )
    )
    for old in closing:
        if old.pk in added_on and effective_on < added_on[old.pk]:
            raise ValidationError(
                {
                    "effective_on": _(
                        "Chỉ tiêu %(target)s chỉ có hiệu lực từ %(day)s: không thể sửa hoặc bỏ "
                        "trước ngày đó."
                    )
                    % {"target": old, "day": added_on[old.pk].strftime("%d/%m/%Y")}
                }
            )
    for old in closing:
        old.removed_by = amendment
        versioning.bump(old, user, ["removed_by"])
        touched.add(old.organization_id)
    for old, values in change:
        unknown = set(values) - set(TARGET_FIELDS)
        if unknown:
            raise TypeError(f"unknown target fields: {sorted(unknown)}")
        fields = {name: getattr(old, name) for name in TARGET_FIELDS}
        fields.update(values)
        if "quantity" in values and "member_share" not in values:
            fields["member_share"] = None
        new = Target(programme=current, added_by=amendment, replaces=old, **fields)
        # The replacement carries the cases of the target it replaces (the link follows
        # the lineage, the cases stay where they were recorded) while it keeps the unit
        # and the kind; one for another unit or kind starts its own, and the old
        # lineage's cases count as arising from the amendment on.
        if (new.organization_id, new.kind) == (old.organization_id, old.kind):
            new.lineage_id = old.lineage_key
        _clean_target(new, current)
        versioning.record_user(new, user)
        new.save()
        touched.add(new.organization_id)
    for values in add:
        unknown = set(values) - set(TARGET_FIELDS)
        if unknown:
            raise TypeError(f"unknown target fields: {sorted(unknown)}")
        new = Target(programme=current, added_by=amendment, **values)
        _clean_target(new, current)
        versioning.record_user(new, user)
        new.save()
        touched.add(new.organization_id)
    enqueue_progress_refresh(touched)
    programme.__dict__.update(current.__dict__)
    return amendment
