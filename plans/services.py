"""Writes to programmes, amendments and targets. Views, admin, commands and tests all call
these; each validates before writing, writes in one transaction, records who did it in
the history, and enqueues the progress refresh on commit."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ktgs.models import Organization
from plans.documents import parse_document_number
from plans.errors import StaleObjectError, field_changes, lock_version, stale_error
from plans.models import ActivityKind, Amendment, Programme, Target

__all__ = [
    "Share",
    "StaleObjectError",
    "add_target",
    "apply_quota",
    "close_programme",
    "copy_programme",
    "create_amendment",
    "create_programme",
    "enqueue_progress_refresh",
    "issue_programme",
    "remove_target",
    "set_targets",
    "update_programme",
]

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
TERM_YEARS = 5


class Share(Decimal):
    """A quota given as a share of the unit's members, in percent: `Share(30)` = 30%."""


# --- side effects -----------------------------------------------------------------------


def enqueue_progress_refresh(unit_ids: Iterable[int | None]) -> None:
    """After commit, ask reports to recompute these units (and their ancestors).

    By task name, so that plans and cases never import reports (dependencies point
    reports → cases → plans). Nothing is sent when the transaction rolls back."""
    ids = sorted({int(pk) for pk in unit_ids if pk is not None})
    if not ids:
        return
    transaction.on_commit(
        lambda: current_app.send_task("reports.tasks.refresh_progress", args=[ids])
    )


def _programme_unit_ids(programme: Programme) -> set[int]:
    ids = set(programme.targets.values_list("organization_id", flat=True))
    ids.add(programme.organization_id)
    return ids


# --- validation helpers -----------------------------------------------------------------


def _parse_doc_number(obj, field: str = "doc_number") -> None:
    """Fill the split parts of `doc_number` or raise on the field."""
    try:
        parsed = parse_document_number(obj.doc_number)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    obj.doc_number = parsed.text
    obj.doc_serial = parsed.serial
    obj.doc_type = parsed.type
    obj.doc_issuer = parsed.issuer
    obj.doc_year = obj.issued_on.year if obj.issued_on else 0


def _check_doc_number_free(obj) -> None:
    """Numbers restart every year per issuer and programmes and amendments share them, so
    one number may name only one document across both tables."""
    same = Q(doc_issuer=obj.doc_issuer, doc_serial=obj.doc_serial, doc_year=obj.doc_year)
    taken_by_programme = Programme.objects.filter(same)
    taken_by_amendment = Amendment.objects.filter(same)
    if isinstance(obj, Programme) and obj.pk:
        taken_by_programme = taken_by_programme.exclude(pk=obj.pk)
    if isinstance(obj, Amendment) and obj.pk:
        taken_by_amendment = taken_by_amendment.exclude(pk=obj.pk)
    if taken_by_programme.exists() or taken_by_amendment.exists():
        raise ValidationError(
            {
                "doc_number": _(
                    "Số ký hiệu %(number)s đã được dùng cho một văn bản khác của %(issuer)s "
                    "trong năm %(year)s."
                )
                % {"number": obj.doc_number, "issuer": obj.doc_issuer, "year": obj.doc_year}
            }
        )


def _clean_document(obj) -> None:
    if not obj.issued_on:
        raise ValidationError({"issued_on": _("Hãy nhập ngày ban hành.")})
    _parse_doc_number(obj)
    _check_doc_number_free(obj)


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


def _record_user(obj, user) -> None:
    """Who to write in the history row of the next save, for callers outside a request
    (the middleware covers requests; commands and tasks have none)."""
    obj._history_user = user


def _require_draft(programme: Programme) -> None:
    if programme.status != Programme.Status.DRAFT:
        raise ValidationError(
            _(
                "Chương trình đã ban hành hoặc đã kết thúc: chỉ tiêu chỉ được thay đổi bằng "
                "văn bản điều chỉnh, bổ sung."
            ),
            code="not_draft",
        )


def _lock_programme(pk: int, expected_version) -> Programme:
    """The programme locked for update; StaleObjectError (saying what changed, targets
    included) when it is no longer at the version the form was loaded with."""
    rows = Programme.objects.select_related("organization").select_for_update(of=("self",))
    locked = rows.get(pk=pk)
    if expected_version not in (None, "") and locked.version != int(expected_version):
        raise stale_programme_error(locked, int(expected_version))
    return locked


def _bump_version(programme: Programme, expected_version, user) -> Programme:
    """Lock the programme, check the version the form was loaded with and move it on, so a
    second editor of the header or of the targets is refused instead of overwriting."""
    locked = _lock_programme(programme.pk, expected_version)
    locked.version += 1
    _record_user(locked, user)
    locked.save(update_fields=["version"])
    return locked


# --- programmes ---------------------------------------------------------------------------


@transaction.atomic
def create_programme(*, user=None, **fields: Any) -> Programme:
    """A new draft programme. `end_year`, `starts_on`, `ends_on` default to the year (or the
    5-year term) when not given."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    programme = Programme(created_by=user, status=Programme.Status.DRAFT, **fields)
    _clean_programme(programme)
    _record_user(programme, user)
    programme.save()
    return programme


@transaction.atomic
def update_programme(*, programme: Programme, version=None, user=None, **fields: Any) -> Programme:
    """Change the header of a draft or issued programme; StaleObjectError if someone else
    saved it since `version` was read."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    current = _lock_programme(programme.pk, version)
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
    for name in changed:
        setattr(current, name, fields[name])
    if "issued_on" in changed or "doc_number" in changed:
        changed += ["doc_serial", "doc_type", "doc_issuer", "doc_year"]
    _clean_programme(current)
    current.version += 1
    _record_user(current, user)
    current.save(update_fields=[*set(changed), "version"])
    if {"starts_on", "ends_on", "year", "end_year"} & set(changed):
        enqueue_progress_refresh(_programme_unit_ids(current))
    programme.__dict__.update(current.__dict__)
    return current


def _change_status(programme, *, to: str, allowed_from: str, version, user) -> Programme:
    current = _lock_programme(programme.pk, version)
    if current.status != allowed_from:
        messages: dict[str, str] = {
            Programme.Status.ISSUED: _("Chỉ chương trình dự thảo mới được ban hành."),
            Programme.Status.CLOSED: _("Chỉ chương trình đã ban hành mới được kết thúc."),
        }
        raise ValidationError({"status": messages[to]})
    current.status = to
    current.version += 1
    _record_user(current, user)
    current.save(update_fields=["status", "version"])
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


# --- targets of a draft ------------------------------------------------------------------


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


def _grid_q() -> Q:
    return Q(
        counts=Target.Counts.CASES,
        member_share__isnull=True,
        subject_organization__isnull=True,
        subject_text="",
    )


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
    All or nothing: a bad cell raises and nothing is written."""
    current = _bump_version(programme, version, user)
    _require_draft(current)
    wanted = {(int(org_id), kind): qty for (org_id, kind), qty in cells.items()}
    bad_kinds = {kind for _org, kind in wanted} - set(ActivityKind.values)
    if bad_kinds:
        raise ValidationError({"kind": _("Loại hoạt động không hợp lệ.")})
    units = Organization.objects.in_bulk({org_id for org_id, _kind in wanted})
    existing: dict[tuple[int, str], Target] = {}
    for target in current.targets.filter(_grid_q()).select_related("organization"):
        existing.setdefault((target.organization_id, target.kind), target)
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
    if to_delete:
        # Deleting one by one writes the "-" history row with the user on it.
        for target in Target.objects.filter(pk__in=to_delete):
            _record_user(target, user)
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
    current = _bump_version(programme, version, user)
    _require_draft(current)
    target = Target(programme=current, **fields)
    _clean_target(target, current)
    _record_user(target, user)
    target.save()
    enqueue_progress_refresh([target.organization_id])
    return target


@transaction.atomic
def remove_target(*, target: Target, user=None, version=None) -> None:
    current = _bump_version(target.programme, version, user)
    _require_draft(current)
    unit_id = target.organization_id
    _record_user(target, user)
    target.delete()
    enqueue_progress_refresh([unit_id])


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
    one, so running the same quota twice changes nothing. Returns created/updated counts."""
    current = _bump_version(programme, None, user)
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
    existing = {
        (t.organization_id, t.kind, t.counts): t
        for t in current.targets.filter(
            organization__in=units,
            kind__in=list(specs),
            subject_organization__isnull=True,
            subject_text="",
        )
    }
    to_create, to_update = [], []
    for unit in units:
        for kind, (qty, share, rule) in specs.items():
            target = existing.get((unit.pk, kind, rule))
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


# --- amendments ---------------------------------------------------------------------------


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
    current = _bump_version(programme, version, user)
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
    _record_user(amendment, user)
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
    for old in closing:
        old.removed_by = amendment
        old.version += 1
        _record_user(old, user)
        old.save(update_fields=["removed_by", "version"])
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
        _clean_target(new, current)
        _record_user(new, user)
        new.save()
        touched.add(new.organization_id)
    for values in add:
        unknown = set(values) - set(TARGET_FIELDS)
        if unknown:
            raise TypeError(f"unknown target fields: {sorted(unknown)}")
        new = Target(programme=current, added_by=amendment, **values)
        _clean_target(new, current)
        _record_user(new, user)
        new.save()
        touched.add(new.organization_id)
    enqueue_progress_refresh(touched)
    programme.__dict__.update(current.__dict__)
    return amendment


def describe_target_changes_since(programme: Programme, version: int) -> list[str]:
    """Words for the targets changed since the programme was at `version` (for the
    refusal shown to the second editor of a grid)."""
    seen = programme.history.filter(version=version).order_by("-history_date").first()
    if seen is None:
        return []
    rows = Target.history.filter(programme_id=programme.pk, history_date__gt=seen.history_date)
    added = rows.filter(history_type="+").count()
    changed = rows.filter(history_type="~").count()
    removed = rows.filter(history_type="-").count()
    if not (added or changed or removed):
        return []
    return [
        _("Chỉ tiêu: thêm %(added)s, sửa %(changed)s, xóa %(removed)s.")
        % {"added": added, "changed": changed, "removed": removed}
    ]


def stale_programme_error(programme: Programme, version: int) -> StaleObjectError:
    """The refusal for a programme form, including the target changes since `version`."""
    return stale_error(programme, version, extra=describe_target_changes_since(programme, version))


# Kept importable from services for callers that diff two states.
__all__ += ["field_changes", "lock_version", "share_quantity", "stale_programme_error"]
