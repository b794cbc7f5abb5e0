"""Moving a case through its states, and its conclusion."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from cases.models import CHECKED_IN_SERVICES, Case, Denunciation
from cases.services.history import lock_case
from cases.services.locks import check_change, counted_case, counted_denunciation
from cases.services.recording import _check_dates
from ktgs import versioning
from plans.documents import parse_document_number
from plans.services import enqueue_progress_refresh


def allowed_statuses(case: Case) -> tuple[str, ...]:
    return Case.TRANSITIONS.get(case.status, ())


@transaction.atomic
def change_status(*, user, case: Case, status: str, version: int) -> Case:
    """Move a case to one of the next states TRANSITIONS allows."""
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
