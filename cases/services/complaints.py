"""Disciplinary complaints (giải quyết khiếu nại kỷ luật): lodged within the period the
rule gives from the day the complainant received the decision, settled by a unit at or
above the one that decided, by a body that is not the one that decided. A discipline
changed or annulled is ended on the day of the result, never deleted, so the figures of
earlier periods stay as they were (cases.queries.disciplines_in_force)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import (
    CHECKED_IN_SERVICES,
    DeadlineRule,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
)
from cases.services.deadline_rules import rule_for
from cases.services.discipline import add_discipline
from cases.services.handling import check_deciding_body, open_handling_case
from cases.services.letters import lock_letter, mark_letter
from cases.services.locks import check_change, counted_complaint, counted_discipline
from cases.services.recording import _check_writable
from cases.services.status import conclude_case
from ktgs import access, versioning
from ktgs.models import Organization
from plans.models import ActivityKind
from plans.services import enqueue_progress_refresh

_SUBJECT_FIELDS = (
    "kind",
    "organization",
    "member_name",
    "member_position",
    "is_committee_member",
    "is_head",
    "is_probationary",
)


def lock_complaint(complaint: DisciplineComplaint, version: int | str | None):
    return versioning.lock(
        DisciplineComplaint.objects.select_related("case", "case__organization"),
        complaint.pk,
        version,
    )


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _check_handler(discipline: DisciplineDecision, organization: Organization, body: str) -> None:
    """A complaint goes up: to the deciding unit or one above it, never to the body that
    decided."""
    deciding = discipline.deciding_organization
    if not deciding.path.startswith(organization.path) or (
        organization.pk == deciding.pk and body == discipline.deciding_body
    ):
        raise ValidationError(
            {
                "organization": _g(
                    "Khiếu nại kỷ luật do cơ quan cấp trên của cơ quan đã quyết định kỷ luật "
                    "giải quyết."
                )
            },
            code="handler_not_above",
        )


def _check_lodging(
    *,
    user,
    discipline: DisciplineDecision,
    organization: Organization,
    decision_received_on: datetime.date,
    lodged_on: datetime.date,
    late_reason: str,
    today: datetime.date,
) -> str:
    """The late reason to store ("" when lodged in time). Lodged after the period from
    the day the decision was received: refused, unless an administrator records it and
    says why."""
    if decision_received_on is None or decision_received_on < discipline.decided_on:
        raise ValidationError(
            {
                "decision_received_on": _g(
                    "Ngày nhận quyết định không được trước ngày quyết định kỷ luật (%(on)s)."
                )
                % {"on": _date(discipline.decided_on)}
            }
        )
    if lodged_on is None or lodged_on < decision_received_on:
        raise ValidationError(
            {"lodged_on": _g("Ngày gửi khiếu nại không được trước ngày nhận quyết định.")}
        )
    if lodged_on > today:
        raise ValidationError({"lodged_on": _g("Ngày gửi khiếu nại không được sau hôm nay.")})
    rule = rule_for(kind=DeadlineRule.Kind.COMPLAINT_LODGING, organization=organization)
    last = rule.due_on(decision_received_on)
    if lodged_on <= last:
        return ""
    if user is None or not access.is_admin(user):
        raise ValidationError(
            {
                "lodged_on": _g(
                    "Khiếu nại phải gửi trong %(length)s %(unit)s kể từ ngày nhận quyết định "
                    "kỷ luật, tức là đến hết ngày %(last)s; khiếu nại gửi ngày %(lodged)s đã "
                    "quá hạn. Chỉ quản trị viên được ghi nhận khiếu nại quá hạn, kèm lý do."
                )
                % {
                    "length": rule.length,
                    "unit": rule.get_length_unit_display(),
                    "last": _date(last),
                    "lodged": _date(lodged_on),
                }
            },
            code="lodged_late",
        )
    if not late_reason.strip():
        raise ValidationError(
            {"late_reason": _g("Khiếu nại gửi quá hạn: hãy nêu lý do vẫn nhận giải quyết.")},
            code="late_reason_missing",
        )
    return late_reason.strip()


@transaction.atomic
def lodge_complaint(
    *,
    user,
    discipline: DisciplineDecision,
    organization: Organization,
    body: str,
    decision_received_on: datetime.date,
    lodged_on: datetime.date,
    today: datetime.date,
    complainant: str = "",
    late_reason: str = "",
    letter: Letter | None = None,
    letter_version: int | None = None,
    title: str = "",
    decision_number: str = "",
    decided_on: datetime.date | None = None,
) -> DisciplineComplaint:
    """A complaint against `discipline`, settled by `body` of `organization`: a case of
    kind discipline_complaint whose subject is the one disciplined (under way at once
    when `decision_number` and `decided_on` are given). `complainant` defaults to the
    disciplined member or organisation. A `letter` of kind complaint it came in (at
    `letter_version`) is marked handled here."""
    _check_writable(user, organization)
    check_deciding_body(body)
    discipline = DisciplineDecision.objects.select_related(
        "subject", "subject__organization", "deciding_organization"
    ).get(pk=discipline.pk)
    if discipline.ended_on is not None:
        raise ValidationError(
            {"discipline": _g("Quyết định kỷ luật này đã hết hiệu lực.")}, code="ended"
        )
    if DisciplineComplaint.objects.filter(discipline=discipline, result="").exists():
        raise ValidationError(
            {"discipline": _g("Quyết định kỷ luật này đang có khiếu nại chưa giải quyết.")},
            code="open_complaint",
        )
    _check_handler(discipline, organization, body)
    late_reason = _check_lodging(
        user=user,
        discipline=discipline,
        organization=organization,
        decision_received_on=decision_received_on,
        lodged_on=lodged_on,
        late_reason=late_reason,
        today=today,
    )
    if letter is not None:
        letter = lock_letter(letter, letter_version)
        if letter.kind != Letter.Kind.DISCIPLINE_COMPLAINT or letter.handling != (
            Letter.Handling.PENDING
        ):
            raise ValidationError(
                {"letter": _g("Đơn này không phải đơn khiếu nại kỷ luật chưa xử lý.")},
                code="letter_kind",
            )
    subject = discipline.subject
    who = complainant.strip() or str(subject)
    case = open_handling_case(
        user=user,
        organization=organization,
        body=body,
        kind=ActivityKind.DISCIPLINE_COMPLAINT,
        title=title or _g("Giải quyết khiếu nại kỷ luật của %(who)s") % {"who": who},
        today=today,
        subject={name: getattr(subject, name) for name in _SUBJECT_FIELDS},
        decision_number=decision_number,
        decided_on=decided_on,
        subject_fields={},
        subject_prefix="discipline.",
    )
    complaint = DisciplineComplaint(
        case=case,
        discipline=discipline,
        letter=letter,
        complainant=who,
        decision_received_on=decision_received_on,
        lodged_on=lodged_on,
        late_reason=late_reason,
    )
    complaint.full_clean()
    check_change(None, counted_complaint(complaint, case))
    versioning.record_user(complaint, user)
    complaint.save()
    if letter is not None:
        mark_letter(
            letter,
            user=user,
            handling=Letter.Handling.HANDLED_HERE,
            on=max(today, letter.received_on),
        )
    return complaint


def _end(decision: DisciplineDecision, *, user, on: datetime.date, replaced_by=None) -> None:
    before = counted_discipline(decision)
    decision.ended_on = on
    decision.replaced_by = replaced_by
    decision.full_clean(exclude=CHECKED_IN_SERVICES)
    check_change(before, counted_discipline(decision))
    versioning.record_user(decision, user)
    decision.save(update_fields=["ended_on", "replaced_by"])


@transaction.atomic
def decide_complaint(
    *,
    user,
    complaint: DisciplineComplaint,
    result: str,
    decided_on: datetime.date,
    version: int,
    new_form: str = "",
    decision_number: str = "",
    conclusion_number: str = "",
    summary: str = "",
) -> DisciplineComplaint:
    """Settle a complaint: its case is concluded on `decided_on` through conclude_case
    (it must be in progress; it then counts toward its target). Upheld changes nothing;
    annulled ends the discipline on `decided_on`; changed records the new form as a
    discipline decision numbered `decision_number` of the handling unit and body on the
    same subject and ends the old one on that day, replaced by it."""
    current = lock_complaint(complaint, version)
    case = current.case
    _check_writable(user, case.organization)
    if current.result:
        raise ValidationError({"result": _g("Khiếu nại này đã được giải quyết.")}, code="decided")
    if result not in DisciplineComplaint.Result.values:
        raise ValidationError(
            {"result": _g("Hãy chọn kết quả: chuẩn y, thay đổi hình thức hoặc xóa bỏ kỷ luật.")}
        )
    if decided_on is None or decided_on < current.lodged_on:
        raise ValidationError(
            {"decided_on": _g("Ngày quyết định không được trước ngày gửi khiếu nại.")}
        )
    # Locked: two complaints (or a complaint and an edit) must not end it twice.
    old = DisciplineDecision.objects.select_for_update().get(pk=current.discipline_id)
    if old.ended_on is not None:
        raise ValidationError(
            {"result": _g("Quyết định kỷ luật này đã hết hiệu lực.")}, code="ended"
        )
    if result == DisciplineComplaint.Result.CHANGED:
        if not new_form or new_form == old.form:
            raise ValidationError(
                {"new_form": _g("Hãy chọn hình thức kỷ luật mới, khác hình thức cũ.")}
            )
        if not decision_number:
            raise ValidationError(
                {"decision_number": _g("Hãy nhập số quyết định thay đổi hình thức kỷ luật.")}
            )
    else:
        new_form = ""
    before = counted_complaint(current)
    # The concluded row, so that the complaint returned carries its case as it is now.
    current.case = case = conclude_case(
        user=user,
        case=case,
        version=case.version,
        concluded_on=decided_on,
        conclusion_number=conclusion_number,
        violation_found=None,
        shortcomings_found=None,
        summary=summary,
    )
    if result == DisciplineComplaint.Result.CHANGED:
        try:
            replacement = add_discipline(
                user=user,
                case=old.case,
                subject=old.subject,
                form=new_form,
                decision_number=decision_number,
                decided_on=decided_on,
                deciding_organization=case.organization,
                deciding_body=case.body,
                is_committee_member=old.is_committee_member,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "form" in error.error_dict:
                raise ValidationError({"new_form": error.error_dict["form"]}) from None
            raise
        _end(old, user=user, on=decided_on, replaced_by=replacement)
    elif result == DisciplineComplaint.Result.ANNULLED:
        _end(old, user=user, on=decided_on)
        enqueue_progress_refresh([old.case.organization_id])
    current.result = result
    current.new_form = new_form
    current.decided_on = decided_on
    current.full_clean(exclude=["case", "discipline", "letter"])
    check_change(before, counted_complaint(current))
    return versioning.bump(current, user, ["result", "new_form", "decided_on"])
