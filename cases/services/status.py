"""Moving a case through its states, and its conclusion; what each step leads to (the
confirmation page says it) and the warnings a careful colleague would give before it;
the one way back: a cancelled case reopened by an administrator of its unit."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import CHECKED_IN_SERVICES, Case, Denunciation
from cases.services.history import lock_case
from cases.services.locks import check_change, counted_case, counted_denunciation
from cases.services.recording import _check_dates
from ktgs import access, versioning
from plans.documents import parse_document_number
from plans.services import enqueue_progress_refresh

# The longest reason kept with a step (simple_history's change reason column).
REASON_MAX_LENGTH = 100


def allowed_statuses(case: Case) -> tuple[str, ...]:
    return Case.TRANSITIONS.get(case.status, ())


def what_follows(case: Case, status: str) -> list[str]:
    """What moving `case` to `status` leads to, in the words the confirmation shows."""
    S = Case.Status
    if status == S.DECIDED:
        return [
            _g("Cuộc này sẽ không trở lại “Dự thảo” được nữa."),
            _g("Số và ngày quyết định được giữ trong sổ số quyết định của cơ quan ban hành."),
        ]
    if status == S.IN_PROGRESS:
        return [
            _g("Cuộc này sẽ không trở lại “Đã có quyết định” được nữa."),
            _g("Khi có thông báo kết luận, hãy nhập kết luận để cuộc được tính vào chỉ tiêu."),
        ]
    if status == S.CONCLUDED:
        return [
            _g("Cuộc này sẽ được tính vào chỉ tiêu từ ngày thông báo kết luận."),
            _g("Sau đó chỉ còn sửa được kết luận, không trở lại “Đang tiến hành” được nữa."),
        ]
    if status == S.CLOSED:
        return [
            _g("Kết luận sẽ không sửa được nữa; cuộc vẫn được tính vào chỉ tiêu."),
        ]
    if status == S.CANCELLED:
        follows = [_g("Cuộc này sẽ không còn được tính vào chỉ tiêu.")]
        if Denunciation.objects.filter(case=case).exists():
            follows.append(
                _g("Hồ sơ tố cáo giải quyết trong cuộc này không còn được tính thời hạn.")
            )
        follows.append(_g("Chỉ quản trị viên của đơn vị mới mở lại được cuộc đã hủy, kèm lý do."))
        return follows
    return []


def what_reopening_does(case: Case) -> list[str]:
    """What reopening a cancelled case leads to, in the words the confirmation shows."""
    previous = Case.Status(status_before_cancelling(case)).label
    return [
        _g("Cuộc trở lại trạng thái “%(status)s” như trước khi hủy.") % {"status": previous},
        _g("Cuộc lại được tính vào chỉ tiêu khi có kết luận."),
        _g("Lý do được ghi vào lịch sử thay đổi của cuộc."),
    ]


def status_warnings(case: Case, status: str, today: datetime.date) -> list[str]:
    """What a careful colleague would point out before the move (never a refusal)."""
    warnings = []
    if status == Case.Status.IN_PROGRESS and case.work_starts_on and today < case.work_starts_on:
        warnings.append(
            _g("Thời gian làm việc bắt đầu từ %(start)s: hôm nay cuộc này chưa đến ngày tiến hành.")
            % {"start": formats.date_format(case.work_starts_on, "SHORT_DATE_FORMAT")}
        )
    return warnings


def conclusion_warnings(concluded_on: datetime.date | None, today: datetime.date) -> list[str]:
    """A conclusion notice dated after today is most likely a typing slip."""
    if concluded_on is not None and concluded_on > today:
        return [
            _g(
                "Ngày thông báo kết luận %(day)s là một ngày trong tương lai: cuộc sẽ chỉ được "
                "tính vào chỉ tiêu từ ngày đó."
            )
            % {"day": formats.date_format(concluded_on, "SHORT_DATE_FORMAT")}
        ]
    return []


def _check_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _g("Hãy nhập lý do.")}, code="reason_missing")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _g("Lý do dài tối đa %(max)s ký tự.") % {"max": REASON_MAX_LENGTH}},
            code="reason_too_long",
        )
    return reason


@transaction.atomic
def change_status(*, user, case: Case, status: str, version: int, reason: str = "") -> Case:
    """Move a case to one of the next states TRANSITIONS allows; `reason`, if given, is
    kept with the step in the case's history."""
    reason = _check_reason(reason, required=False)
    current = lock_case(case, version)
    if status not in allowed_statuses(current):
        raise ValidationError(
            {
                "status": _g("Không thể chuyển từ “%(old)s” sang “%(new)s”.")
                % {
                    "old": current.get_status_display(),
                    "new": dict(Case.Status.choices).get(status, status),
                }
            },
            code="transition",
        )
    if status == Case.Status.DECIDED:
        errors = {}
        if not current.decision_number:
            errors["decision_number"] = _g("Cần có số quyết định trước khi chuyển trạng thái.")
        if not current.decided_on:
            errors["decided_on"] = _g("Cần có ngày quyết định trước khi chuyển trạng thái.")
        if errors:
            raise ValidationError(errors, code="decision_missing")
    if status == Case.Status.CONCLUDED and not current.concluded_on:
        raise ValidationError(
            {"concluded_on": _g("Cần có ngày thông báo kết luận: hãy nhập kết luận.")},
            code="conclusion_missing",
        )
    before = counted_case(current)
    # A cancelled case leaves the denunciation it handled out of the deadline figures.
    denunciation = (
        Denunciation.objects.filter(case=current).first()
        if status == Case.Status.CANCELLED
        else None
    )
    denunciation_before = (
        counted_denunciation(denunciation, current) if denunciation is not None else None
    )
    current.status = status
    check_change(before, counted_case(current))
    if denunciation is not None:
        check_change(denunciation_before, counted_denunciation(denunciation, current))
    if reason:
        current._change_reason = reason  # type: ignore[attr-defined]
    versioning.bump(current, user, ["status"])
    enqueue_progress_refresh([current.organization_id])
    return current


def can_reopen(user, case: Case) -> bool:
    """A cancelled case is reopened by an administrator of its unit (or above)."""
    return case.status == Case.Status.CANCELLED and access.can_administer(user, case.organization)


def status_before_cancelling(case: Case) -> str:
    """The state the case was in when it was cancelled (its history's last other state)."""
    earlier = (
        case.history.exclude(status=Case.Status.CANCELLED)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
        .first()
    )
    return earlier or Case.Status.DRAFT


@transaction.atomic
def reopen_case(*, user, case: Case, version: int, reason: str) -> Case:
    """Undo a cancellation: the case goes back to the state it was cancelled from, with
    the reason in its history. Only an administrator of the case's unit may; a record
    lock holds as for any change (the denunciation handled in it counts again)."""
    reason = _check_reason(reason, required=True)
    current = lock_case(case, version)
    if current.status != Case.Status.CANCELLED:
        raise ValidationError(
            {
                "status": _g("Chỉ mở lại được cuộc đã hủy; cuộc này đang “%(status)s”.")
                % {"status": current.get_status_display()}
            },
            code="not_cancelled",
        )
    if user is not None and not access.can_administer(user, current.organization):
        raise ValidationError(
            _g("Chỉ quản trị viên của đơn vị mới mở lại được cuộc đã hủy."),
            code="not_admin",
        )
    before = counted_case(current)
    denunciation = Denunciation.objects.filter(case=current).first()
    denunciation_before = (
        counted_denunciation(denunciation, current) if denunciation is not None else None
    )
    current.status = status_before_cancelling(current)
    check_change(before, counted_case(current))
    if denunciation is not None:
        check_change(denunciation_before, counted_denunciation(denunciation, current))
    current._change_reason = reason  # type: ignore[attr-defined]
    versioning.bump(current, user, ["status"])
    enqueue_progress_refresh([current.organization_id])
    return current


@transaction.atomic
def conclude_case(
    *,
    user,
    case: Case,
    version: int,
    concluded_on: datetime.date,
    conclusion_number: str = "",
    violation_found: bool | None,
    shortcomings_found: bool | None,
    summary: str = "",
) -> Case:
    """Record the conclusion of a case in progress (it then counts toward completion), or
    correct the conclusion of a concluded one. A case not yet decided has no conclusion."""
    current = lock_case(case, version)
    if current.status in (Case.Status.DRAFT, Case.Status.DECIDED):
        message = (
            _g("Cuộc này chưa có quyết định: chưa thể kết luận.")
            if current.status == Case.Status.DRAFT
            else _g("Cuộc này chưa tiến hành: hãy chuyển sang “Đang tiến hành” trước khi kết luận.")
        )
        raise ValidationError({"status": message}, code="not_decided")
    if current.status not in (Case.Status.IN_PROGRESS, Case.Status.CONCLUDED):
        raise ValidationError(
            {
                "status": _g("Không thể kết luận một cuộc ở trạng thái “%(status)s”.")
                % {"status": current.get_status_display()}
            },
            code="transition",
        )
    if concluded_on is None:
        raise ValidationError({"concluded_on": _g("Hãy nhập ngày thông báo kết luận.")})
    if conclusion_number:
        try:
            conclusion_number = parse_document_number(conclusion_number).text
        except ValidationError as error:
            raise ValidationError({"conclusion_number": error.messages}) from None
    before = counted_case(current)
    current.concluded_on = concluded_on
    current.conclusion_number = conclusion_number
    current.violation_found = violation_found
    current.shortcomings_found = shortcomings_found
    current.summary = summary
    current.status = Case.Status.CONCLUDED
    _check_dates(current)
    current.full_clean(exclude=["target", *CHECKED_IN_SERVICES])
    check_change(before, counted_case(current))
    versioning.bump(
        current,
        user,
        [
            "concluded_on",
            "conclusion_number",
            "violation_found",
            "shortcomings_found",
            "summary",
            "status",
        ],
    )
    enqueue_progress_refresh([current.organization_id])
    return current
