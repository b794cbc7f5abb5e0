"""Discipline decisions on the subjects of a concluded case."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from cases.models import CHECKED_IN_SERVICES, Case, CaseSubject, DisciplineDecision
from cases.services.decision_numbers import _check_decision_number
from cases.services.history import lock_case
from cases.services.locks import check_change, check_unlocked, counted_discipline
from ktgs import versioning
from ktgs.models import Organization
from plans.services import enqueue_progress_refresh


def forms_for(subject: CaseSubject) -> tuple[str, ...]:
    """The discipline forms that fit a subject (Điều lệ Đảng)."""
    if subject.kind == CaseSubject.Kind.ORGANIZATION:
        return DisciplineDecision.FORMS_FOR_ORGANIZATION
    if subject.is_probationary:
        return DisciplineDecision.FORMS_FOR_PROBATIONARY
    return DisciplineDecision.FORMS_FOR_MEMBER


@transaction.atomic
def add_discipline(
    *,
    user,
    case: Case,
    subject: CaseSubject,
    form: str,
    decision_number: str,
    decided_on: datetime.date,
    deciding_organization: Organization,
    deciding_body: str,
    is_committee_member: bool | None = None,
) -> DisciplineDecision:
    """A discipline decision on one subject of a concluded case."""
    current = lock_case(case, None)
    if subject.case_id != current.pk:
        raise ValidationError({"subject": _g("Đối tượng này không thuộc cuộc kiểm tra, giám sát.")})
    if current.status not in Case.COUNTING:
        raise ValidationError(
            {"form": _g("Chỉ thi hành kỷ luật sau khi cuộc kiểm tra, giám sát đã có kết luận.")},
            code="not_concluded",
        )
    if form not in forms_for(subject):
        allowed = ", ".join(str(DisciplineDecision.Form(f).label) for f in forms_for(subject))
        raise ValidationError(
            {
                "form": _g("Hình thức này không áp dụng cho %(who)s. Chỉ được: %(allowed)s.")
                % {"who": _subject_type_label(subject), "allowed": allowed}
            },
            code="form_not_allowed",
        )
    if decided_on and current.decided_on and decided_on < current.decided_on:
        raise ValidationError(
            {"decided_on": _g("Ngày quyết định kỷ luật không được trước ngày quyết định kiểm tra.")}
        )
    if not decision_number:
        raise ValidationError({"decision_number": _g("Hãy nhập số quyết định kỷ luật.")})
    text, serial, issuer = _check_decision_number(
        field="decision_number",
        number=decision_number,
        decided_on=decided_on,
        organization=deciding_organization,
        body=deciding_body,
    )
    decision = DisciplineDecision(
        case=current,
        subject=subject,
        form=form,
        decision_number=text,
        decision_serial=serial,
        decision_issuer=issuer,
        decided_on=decided_on,
        deciding_organization=deciding_organization,
        deciding_body=deciding_body,
        is_committee_member=(
            subject.is_committee_member if is_committee_member is None else is_committee_member
        ),
    )
    decision.full_clean(exclude=CHECKED_IN_SERVICES)
    # The decision counts where it was decided; the case's "disciplined" as of that day.
    check_change(None, counted_discipline(decision))
    check_unlocked(current.organization, decided_on)
    versioning.record_user(decision, user)
    decision.save()
    enqueue_progress_refresh([current.organization_id])
    return decision


def _subject_type_label(subject: CaseSubject) -> str:
    if subject.kind == CaseSubject.Kind.ORGANIZATION:
        return _g("tổ chức đảng")
    return _g("đảng viên dự bị") if subject.is_probationary else _g("đảng viên")
