"""Letters received (đơn thư): recording them and how each one is handled.

A letter is handled once: kept for information, handled here (a petition or feedback
answered; a denunciation or complaint through its own service), linked to a case it led
to, or forwarded. Forwarding creates the destination unit's own row for that unit to
classify; the chain still counts as one letter (reports.queries.records)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import Case, Letter
from cases.services.locks import check_change, counted_letter
from cases.services.recording import _check_writable
from ktgs import access, versioning
from ktgs.models import Organization

# Fields update_letter may change: the facts of the letter, not its handling.
LETTER_FIELDS = (
    "body",
    "received_on",
    "reference",
    "sender_kind",
    "sender_name",
    "kind",
    "about_kind",
    "about_organization",
    "about_member_name",
    "about_member_position",
    "about_is_committee_member",
    "summary",
)
# What a forwarded letter's new row copies: the facts, not the receiving unit's own.
_COPIED = tuple(name for name in LETTER_FIELDS if name not in ("body", "received_on", "reference"))


def lock_letter(letter: Letter, version: int | str | None) -> Letter:
    """The current row, locked until commit; StaleObjectError if `version` is old."""
    return versioning.lock(Letter.objects.select_related("organization"), letter.pk, version)


def _check_letter(letter: Letter, *, user, today: datetime.date | None) -> None:
    errors: dict[str, str] = {}
    if today is not None and letter.received_on and letter.received_on > today:
        errors["received_on"] = _g("Ngày nhận không được sau ngày hôm nay.")
    # The sender's name is the one personal datum kept, and only for a named sender:
    # whatever a form sent for another kind of sender is dropped, never stored.
    if letter.sender_kind == Letter.SenderKind.NAMED:
        if not letter.sender_name.strip():
            errors["sender_name"] = _g("Hãy nhập họ tên người gửi.")
    else:
        letter.sender_name = ""
    if letter.about_kind == Letter.AboutKind.ORGANIZATION:
        unit = letter.about_organization
        if unit is None:
            errors["about_organization"] = _g("Hãy chọn tổ chức đảng bị phản ánh.")
        elif user is not None and not access.can_read(user, unit):
            errors["about_organization"] = _g("Tổ chức đảng này không thuộc phạm vi của bạn.")
        letter.about_member_name = letter.about_member_position = ""
        letter.about_is_committee_member = False
    elif letter.about_kind == Letter.AboutKind.MEMBER:
        if not letter.about_member_name.strip():
            errors["about_member_name"] = _g("Hãy nhập họ tên đảng viên bị phản ánh.")
        letter.about_organization = None
    if errors:
        raise ValidationError(errors)
    letter.full_clean(exclude=["case", "forwarded_from", "root", "forwarded_to"])


def _check_pending(letter: Letter) -> None:
    if letter.handling != Letter.Handling.PENDING:
        raise ValidationError(
            {
                "handling": _g("Đơn này đã được xử lý (%(handling)s) ngày %(on)s.")
                % {
                    "handling": letter.get_handling_display(),
                    "on": formats.date_format(letter.handled_on, "SHORT_DATE_FORMAT")
                    if letter.handled_on
                    else "—",
                }
            },
            code="handled",
        )


def _check_handled_on(letter: Letter, on: datetime.date) -> None:
    if on is None or on < letter.received_on:
        raise ValidationError(
            {"handled_on": _g("Ngày xử lý không được trước ngày nhận đơn.")}, code="handled_on"
        )


@transaction.atomic
def record_letter(
    *,
    user,
    organization: Organization,
    body: str,
    received_on: datetime.date,
    kind: str,
    about_kind: str,
    summary: str,
    today: datetime.date,
    sender_kind: str = Letter.SenderKind.NAMED,
    sender_name: str = "",
    reference: str = "",
    about_organization: Organization | None = None,
    about_member_name: str = "",
    about_member_position: str = "",
    about_is_committee_member: bool = False,
) -> Letter:
    """A letter as the unit received it, pending."""
    _check_writable(user, organization)
    letter = Letter(
        organization=organization,
        body=body,
        received_on=received_on,
        reference=reference,
        sender_kind=sender_kind,
        sender_name=sender_name,
        kind=kind,
        about_kind=about_kind,
        about_organization=about_organization,
        about_member_name=about_member_name,
        about_member_position=about_member_position,
        about_is_committee_member=about_is_committee_member,
        summary=summary,
        created_by=user,
    )
    _check_letter(letter, user=user, today=today)
    check_change(None, counted_letter(letter))
    versioning.record_user(letter, user)
    letter.save()
    return letter


@transaction.atomic
def update_letter(*, user, letter: Letter, version: int, today: datetime.date, **fields) -> Letter:
    """Correct the facts of a letter (not how it was handled)."""
    unknown = set(fields) - set(LETTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown letter fields: {sorted(unknown)}")
    current = lock_letter(letter, version)
    _check_writable(user, current.organization)
    before = {name: getattr(current, name) for name in LETTER_FIELDS}
    counted_before = counted_letter(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _check_letter(current, user=user, today=today)
    # After the check, which may clear fields the caller did not name (a sender's name).
    changed = [name for name in LETTER_FIELDS if getattr(current, name) != before[name]]
    if not changed:
        return current
    check_change(counted_before, counted_letter(current))
    versioning.bump(current, user, changed)
    return current


def mark_letter(current: Letter, *, user, handling: str, on: datetime.date, **extra) -> Letter:
    """Mark a locked letter handled (`handling`) on `on`: the one write of a letter's
    handling, for this module and the services that handle a denunciation or complaint."""
    before = counted_letter(current)
    current.handling = handling
    current.handled_on = on
    for name, value in extra.items():
        setattr(current, name, value)
    current.full_clean(exclude=["forwarded_from", "root"])
    check_change(before, counted_letter(current))
    versioning.bump(current, user, ["handling", "handled_on", *extra])
    return current


@transaction.atomic
def keep_letter(*, user, letter: Letter, on: datetime.date, version: int) -> Letter:
    """Keep a letter for information only (lưu đơn để tham khảo): the way an anonymous or
    false-name denunciation is dealt with."""
    current = lock_letter(letter, version)
    _check_writable(user, current.organization)
    _check_pending(current)
    _check_handled_on(current, on)
    return mark_letter(current, user=user, handling=Letter.Handling.KEPT, on=on)


@transaction.atomic
def handle_letter(*, user, letter: Letter, on: datetime.date, version: int) -> Letter:
    """A petition or feedback settled by the unit itself (giải quyết theo thẩm quyền).
    A denunciation or a complaint is handled through its own service, which marks the
    letter (open_denunciation, lodge_complaint)."""
    current = lock_letter(letter, version)
    _check_writable(user, current.organization)
    _check_pending(current)
    if current.kind in (Letter.Kind.DENUNCIATION, Letter.Kind.DISCIPLINE_COMPLAINT):
        raise ValidationError(
            {
                "handling": _g(
                    "Đơn tố cáo, khiếu nại kỷ luật được giải quyết bằng việc mở hồ sơ "
                    "giải quyết tố cáo, khiếu nại."
                )
            },
            code="needs_record",
        )
    _check_handled_on(current, on)
    return mark_letter(current, user=user, handling=Letter.Handling.HANDLED_HERE, on=on)


@transaction.atomic
def link_letter_case(
    *, user, letter: Letter, case: Case, on: datetime.date, version: int
) -> Letter:
    """The letter led to an inspection (chuyển thành cuộc kiểm tra): `case`, of a unit
    the user writes for."""
    current = lock_letter(letter, version)
    _check_writable(user, current.organization)
    _check_pending(current)
    if user is not None and not access.can_write(user, case.organization):
        raise ValidationError(
            {"case": _g("Bạn không có quyền nhập liệu cho đơn vị của cuộc kiểm tra này.")}
        )
    _check_handled_on(current, on)
    return mark_letter(current, user=user, handling=Letter.Handling.CASE_OPENED, on=on, case=case)


@transaction.atomic
def forward_letter(
    *,
    user,
    letter: Letter,
    to: Organization,
    on: datetime.date,
    version: int,
    body: str | None = None,
) -> Letter:
    """Forward a letter to the unit competent to handle it (chuyển đơn): this one is marked
    forwarded, and `to` receives on `on` a row of its own (returned), pending, addressed to
    `body` (this letter's body unless told), which it classifies and handles itself. The
    chain keeps its first row as `root`, so it counts once."""
    current = lock_letter(letter, version)
    _check_writable(user, current.organization)
    _check_pending(current)
    if to is None or to.pk == current.organization_id:
        raise ValidationError(
            {"forwarded_to": _g("Hãy chọn đơn vị khác để chuyển đơn đến.")}, code="forward_self"
        )
    _check_handled_on(current, on)
    mark_letter(current, user=user, handling=Letter.Handling.FORWARDED, on=on, forwarded_to=to)
    copy = Letter(
        organization=to,
        body=body or current.body,
        received_on=on,
        forwarded_from=current,
        root_id=current.root_id or current.pk,
        created_by=user,
        **{name: getattr(current, name) for name in _COPIED},
    )
    # Not _check_letter: the facts were checked when this letter was recorded, and the
    # user need not reach the destination unit (nor the unit the letter is about there).
    copy.full_clean(exclude=["case", "forwarded_from", "root", "forwarded_to"])
    # Received by the destination on `on`: a figure of its subtree when it entered it.
    check_change(None, counted_letter(copy))
    versioning.record_user(copy, user)
    copy.save()
    return copy
