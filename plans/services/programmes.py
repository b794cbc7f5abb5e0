"""Programmes: create, edit the header, issue, close, copy to another year."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ktgs import access, versioning
from plans.models import Programme, Target
from plans.services.doc_numbers import _clean_document
from plans.services.history import lock_programme
from plans.services.progress_refresh import _programme_unit_ids, enqueue_progress_refresh
from plans.services.targets import _clean_target

PROGRAMME_FIELDS = (
    "organization",
    "body",
    "scope",
    "year",
    "end_year",
    "title",
    "doc_number",
    "issued_on",
    "starts_on",
    "ends_on",
)


TERM_YEARS = 5


def _fill_programme_period(programme: Programme) -> None:
    if programme.year and not programme.end_year:
        extra = TERM_YEARS - 1 if programme.scope == Programme.Scope.TERM else 0
        programme.end_year = programme.year + extra
    if programme.year and not programme.starts_on:
        programme.starts_on = datetime.date(programme.year, 1, 1)
    if programme.end_year and not programme.ends_on:
        programme.ends_on = datetime.date(programme.end_year, 12, 31)


def _clean_programme(programme: Programme) -> None:
    _fill_programme_period(programme)
    errors: dict[str, list[str]] = {}
    if programme.year and programme.end_year and programme.end_year < programme.year:
        errors["end_year"] = [_("Năm kết thúc không được trước năm bắt đầu.")]
    if programme.starts_on and programme.ends_on and programme.starts_on > programme.ends_on:
        errors["ends_on"] = [_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")]
    if errors:
        raise ValidationError(errors)
    _clean_document(programme)
    programme.full_clean()
    if programme.pk:
        # Shrinking the period must not leave a target due outside it.
        outside = programme.targets.filter(
            Q(due_on__lt=programme.starts_on) | Q(due_on__gt=programme.ends_on)
        ).exists()
        if outside:
            raise ValidationError(
                {"ends_on": _("Có chỉ tiêu có thời hạn nằm ngoài thời gian mới của chương trình.")}
            )


@transaction.atomic
def create_programme(*, user=None, **fields: Any) -> Programme:
    """A new draft programme. `end_year`, `starts_on`, `ends_on` default to the year (or the
    5-year term) when not given."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    programme = Programme(created_by=user, status=Programme.Status.DRAFT, **fields)
    _clean_programme(programme)
    versioning.record_user(programme, user)
    programme.save()
    return programme


@transaction.atomic
def update_programme(*, programme: Programme, version=None, user=None, **fields: Any) -> Programme:
    """Change the header of a draft or issued programme; StaleObjectError if someone else
    saved it since `version` was read."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    current = lock_programme(programme.pk, version)
    if current.status == Programme.Status.CLOSED:
        raise ValidationError(_("Chương trình đã kết thúc, không thể sửa."), code="closed")
    moving = "organization" in fields and fields["organization"] != current.organization
    if moving and current.targets.exists():
        raise ValidationError(
            {"organization": _("Không thể đổi đơn vị của chương trình đã có chỉ tiêu.")}
        )
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if not changed:
        return current
    old_unit_id = current.organization_id
    for name in changed:
        setattr(current, name, fields[name])
    if "issued_on" in changed or "doc_number" in changed:
        changed += ["doc_serial", "doc_type", "doc_issuer", "doc_year"]
    _clean_programme(current)
    versioning.bump(current, user, set(changed))
    if {"starts_on", "ends_on", "year", "end_year"} & set(changed):
        enqueue_progress_refresh(_programme_unit_ids(current))
    # Whether its unit (old and new) has issued the year's programme in time.
    if {"issued_on", "year", "scope", "body", "organization"} & set(changed):
        enqueue_progress_refresh([old_unit_id, current.organization_id])
    programme.__dict__.update(current.__dict__)
    return current


def _change_status(programme, *, to: str, allowed_from: str, version, user) -> Programme:
    current = lock_programme(programme.pk, version)
    if current.status != allowed_from:
        messages: dict[str, str] = {
            Programme.Status.ISSUED: _("Chỉ chương trình dự thảo mới được ban hành."),
            Programme.Status.CLOSED: _("Chỉ chương trình đã ban hành mới được kết thúc."),
        }
        raise ValidationError({"status": messages[to]})
    current.status = to
    versioning.bump(current, user, ["status"])
    # Only an issued programme counts in the progress figures: its status moves them.
    enqueue_progress_refresh(_programme_unit_ids(current))
    programme.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def issue_programme(*, programme: Programme, version=None, user=None) -> Programme:
    return _change_status(
        programme,
        to=Programme.Status.ISSUED,
        allowed_from=Programme.Status.DRAFT,
        version=version,
        user=user,
    )


@transaction.atomic
def close_programme(*, programme: Programme, version=None, user=None) -> Programme:
    return _change_status(
        programme,
        to=Programme.Status.CLOSED,
        allowed_from=Programme.Status.ISSUED,
        version=version,
        user=user,
    )


# simple_history keeps the reason of a change in a 100-character column.
REASON_MAX_LENGTH = 100


@transaction.atomic
def reopen_programme(*, programme: Programme, reason: str, version=None, user=None) -> Programme:
    """Undo a close: the programme is issued again (editable, amendable, offered to new
    cases), by an administrator of its unit only, with the reason kept in its history.
    Issuing has no undo: an issued programme is a published document; it changes through
    amendments (DESIGN §2)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại chương trình.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Lý do không quá %(max)s ký tự (hiện có %(length)s).")
                % {"max": REASON_MAX_LENGTH, "length": len(reason)}
            }
        )
    current = lock_programme(programme.pk, version)
    if user is not None and not access.can_administer(user, current.organization):
        raise PermissionDenied(_("Chỉ quản trị của đơn vị mới được mở lại chương trình."))
    if current.status != Programme.Status.CLOSED:
        raise ValidationError({"status": _("Chỉ chương trình đã kết thúc mới được mở lại.")})
    current.status = Programme.Status.ISSUED
    current._change_reason = reason  # type: ignore[attr-defined]  # simple_history reads it
    versioning.bump(current, user, ["status"])
    enqueue_progress_refresh(_programme_unit_ids(current))
    programme.__dict__.update(current.__dict__)
    return current


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def copy_programme(
    source: Programme, year: int, doc_number: str, issued_on: datetime.date, user=None
) -> Programme:
    """A new draft for `year` with the source's targets as amended today (those still in
    force), every date shifted by the difference in years. Shares are recomputed from the
    units' current member counts."""
    shift = int(year) - source.year
    title = source.title.replace(str(source.year), str(year))
    programme = create_programme(
        user=user,
        organization=source.organization,
        body=source.body,
        scope=source.scope,
        year=int(year),
        end_year=source.end_year + shift,
        title=title,
        doc_number=doc_number,
        issued_on=issued_on,
        starts_on=_shift_year(source.starts_on, shift),
        ends_on=_shift_year(source.ends_on, shift),
    )
    copies = []
    for old in source.targets.filter(removed_by__isnull=True).select_related("organization"):
        target = Target(
            programme=programme,
            organization=old.organization,
            kind=old.kind,
            counts=old.counts,
            quantity=old.quantity,
            member_share=old.member_share,
            subject_organization_id=old.subject_organization_id,
            subject_text=old.subject_text,
            due_on=_shift_year(old.due_on, shift),
        )
        _clean_target(target, programme)
        copies.append(target)
    if copies:
        bulk_create_with_history(copies, Target, default_user=user)
    return programme
