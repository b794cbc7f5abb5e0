"""Suspensions (đình chỉ sinh hoạt đảng / sinh hoạt cấp ủy / hoạt động): recorded with
the planned end the rule gives, extended within the rule's total cap, lifted.

The decision number is checked for its shape and stored as written, in no numbering:
the decisions of cases and discipline share one numbering under a lock
(cases.services.decision_numbers), and a suspension's decision joining it is a choice
to make with the people who number them, not a side effect of recording one."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _g

from cases import deadlines
from cases.models import DeadlineRule, Suspension
from cases.services.deadline_rules import rule_for
from cases.services.locks import check_change, counted_suspension
from cases.services.recording import _check_writable
from ktgs import access, versioning
from ktgs.models import Organization
from plans.documents import parse_document_number
from plans.models import DecidingBody


def lock_suspension(suspension: Suspension, version: int | str | None) -> Suspension:
    return versioning.lock(
        Suspension.objects.select_related("organization"), suspension.pk, version
    )


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _check_subject(suspension: Suspension, *, user) -> None:
    if suspension.kind == Suspension.Kind.ORGANIZATION_ACTIVITY:
        unit = suspension.subject_organization
        if unit is None:
            raise ValidationError(
                {"subject_organization": _g("Hãy chọn tổ chức đảng bị đình chỉ hoạt động.")}
            )
        if user is not None and not access.can_read(user, unit):
            raise ValidationError(
                {"subject_organization": _g("Tổ chức đảng này không thuộc phạm vi của bạn.")}
            )
        suspension.member_name = suspension.member_position = ""
        suspension.is_committee_member = False
    elif suspension.kind in Suspension.MEMBER_KINDS:
        if not suspension.member_name.strip():
            raise ValidationError({"member_name": _g("Hãy nhập họ tên đảng viên bị đình chỉ.")})
        suspension.subject_organization = None
        # Only a committee member's committee activity can be suspended.
        if suspension.kind == Suspension.Kind.COMMITTEE_ACTIVITY:
            suspension.is_committee_member = True
    else:
        raise ValidationError({"kind": _g("Hãy chọn hình thức đình chỉ.")})


@transaction.atomic
def record_suspension(
    *,
    user,
    organization: Organization,
    body: str,
    kind: str,
    reason: str,
    starts_on: datetime.date,
    decision_number: str = "",
    decided_on: datetime.date | None = None,
    member_name: str = "",
    member_position: str = "",
    is_committee_member: bool = False,
    subject_organization: Organization | None = None,
    reason_detail: str = "",
) -> Suspension:
    """A suspension decided by `body` of `organization`, from `starts_on` to the end the
    rule in force gives (stored, with the rule's total cap)."""
    _check_writable(user, organization)
    if body not in DecidingBody.values:
        raise ValidationError({"body": _g("Hãy chọn cơ quan có thẩm quyền quyết định đình chỉ.")})
    suspension = Suspension(
        organization=organization,
        body=body,
        kind=kind,
        reason=reason,
        reason_detail=reason_detail.strip(),
        starts_on=starts_on,
        decided_on=decided_on,
        member_name=member_name,
        member_position=member_position,
        is_committee_member=is_committee_member,
        subject_organization=subject_organization,
        created_by=user,
    )
    _check_subject(suspension, user=user)
    if reason == Suspension.Reason.OTHER and not suspension.reason_detail:
        raise ValidationError({"reason_detail": _g("Hãy nêu lý do đình chỉ.")})
    if decision_number:
        try:
            suspension.decision_number = parse_document_number(decision_number).text
        except ValidationError as error:
            raise ValidationError({"decision_number": error.messages}) from None
    if starts_on is None:
        raise ValidationError({"starts_on": _g("Hãy nhập ngày bắt đầu đình chỉ.")})
    if decided_on and starts_on < decided_on:
        raise ValidationError(
            {"starts_on": _g("Ngày bắt đầu đình chỉ không được trước ngày quyết định.")}
        )
    rule_kind = (
        DeadlineRule.Kind.SUSPENSION_MEMBER
        if suspension.is_member
        else DeadlineRule.Kind.SUSPENSION_ORGANIZATION
    )
    rule = rule_for(kind=rule_kind, organization=organization)
    suspension.ends_on = rule.due_on(starts_on)
    suspension.cap_days = rule.total_cap
    suspension.full_clean()
    check_change(None, counted_suspension(suspension))
    versioning.record_user(suspension, user)
    suspension.save()
    return suspension


@transaction.atomic
def extend_suspension(
    *, user, suspension: Suspension, to: datetime.date, reason: str, version: int
) -> Suspension:
    """Move the planned end to `to`: later than now planned, and the whole suspension
    from its start no longer than the cap stored when it was recorded."""
    current = lock_suspension(suspension, version)
    _check_writable(user, current.organization)
    if current.lifted_on is not None:
        raise ValidationError(
            {
                "ends_on": _g("Việc đình chỉ đã chấm dứt ngày %(on)s: không gia hạn được.")
                % {"on": _date(current.lifted_on)}
            },
            code="lifted",
        )
    if to is None or to <= current.ends_on:
        raise ValidationError(
            {
                "ends_on": _g("Ngày gia hạn phải sau hạn hiện tại (%(end)s).")
                % {"end": _date(current.ends_on)}
            },
            code="not_later",
        )
    if not deadlines.within_cap(start=current.starts_on, end=to, cap_days=current.cap_days):
        assert current.cap_days is not None
        raise ValidationError(
            {
                "ends_on": _g(
                    "Tổng thời gian đình chỉ không được quá %(cap)s ngày kể từ ngày %(start)s, "
                    "tức là đến hết ngày %(last)s."
                )
                % {
                    "cap": current.cap_days,
                    "start": _date(current.starts_on),
                    "last": _date(current.starts_on + datetime.timedelta(days=current.cap_days)),
                }
            },
            code="over_cap",
        )
    if not reason.strip():
        raise ValidationError({"extension_reason": _g("Hãy nêu lý do gia hạn.")})
    before = counted_suspension(current)
    current.ends_on = to
    current.extension_reason = reason.strip()
    current.full_clean()
    # A suspension counts from the day it starts: an extension is checked by its own day.
    check_change(before, counted_suspension(current), to)
    return versioning.bump(current, user, ["ends_on", "extension_reason"])


@transaction.atomic
def lift_suspension(
    *,
    user,
    suspension: Suspension,
    lifted_on: datetime.date,
    outcome: str,
    version: int,
    outcome_note: str = "",
) -> Suspension:
    """End a suspension on `lifted_on` with its outcome (reinstated, disciplined,
    expelled — a member only —, other with a note)."""
    current = lock_suspension(suspension, version)
    _check_writable(user, current.organization)
    if lifted_on is None or lifted_on < current.starts_on:
        raise ValidationError(
            {"lifted_on": _g("Ngày chấm dứt đình chỉ không được trước ngày bắt đầu.")}
        )
    if outcome not in Suspension.Outcome.values:
        raise ValidationError({"outcome": _g("Hãy chọn kết quả.")})
    if outcome == Suspension.Outcome.EXPELLED and not current.is_member:
        raise ValidationError(
            {"outcome": _g("Khai trừ chỉ áp dụng cho đảng viên.")}, code="expelled_organization"
        )
    if outcome == Suspension.Outcome.OTHER and not outcome_note.strip():
        raise ValidationError({"outcome_note": _g("Hãy ghi rõ kết quả.")})
    before = counted_suspension(current)
    current.lifted_on = lifted_on
    current.outcome = outcome
    current.outcome_note = outcome_note.strip()
    current.full_clean()
    check_change(before, counted_suspension(current))
    return versioning.bump(current, user, ["lifted_on", "outcome", "outcome_note"])
