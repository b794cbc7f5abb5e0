"""Recording a case and changing its own fields."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from cases.models import CHECKED_IN_SERVICES, Case, Denunciation, DisciplineComplaint
from cases.services.decision_numbers import _check_decision_number
from cases.services.history import lock_case
from cases.services.locks import (
    check_change,
    counted_case,
    counted_complaint,
    counted_denunciation,
)
from cases.services.subjects import _create_subject, _subject_error, subject_counts
from cases.services.targets import AUTO, _check_target, _resolve_target
from ktgs import access, versioning
from ktgs.models import Organization
from plans.models import ActivityKind
from plans.services import enqueue_progress_refresh

# Fields update_case may change; the rest move through their own services.
CASE_FIELDS = (
    "organization",
    "body",
    "kind",
    "title",
    "year",
    "target",
    "decision_number",
    "decided_on",
    "work_starts_on",
    "work_ends_on",
)
# A change to one of these may move a figure of the progress table.
_COUNTED_FIELDS = {"organization", "kind", "year", "target"}
# What a decision number is unique within: the issuing unit and body, and the year.
_NUMBERED_BY = {"decision_number", "decided_on", "organization", "body"}


def _check_dates(case: Case) -> None:
    errors: dict[str, list[str]] = {}
    if case.work_starts_on and case.work_ends_on and case.work_ends_on < case.work_starts_on:
        errors.setdefault("work_ends_on", []).append(
            _g("Ngày kết thúc làm việc không được trước ngày bắt đầu.")
        )
    if case.decided_on and case.work_starts_on and case.work_starts_on < case.decided_on:
        errors.setdefault("work_starts_on", []).append(
            _g("Ngày bắt đầu làm việc không được trước ngày quyết định.")
        )
    if case.concluded_on and case.decided_on and case.concluded_on < case.decided_on:
        errors.setdefault("concluded_on", []).append(
            _g("Ngày thông báo kết luận không được trước ngày quyết định.")
        )
    if errors:
        raise ValidationError(errors)


def _check_writable(user, organization: Organization) -> None:
    if user is not None and not access.can_write(user, organization):
        raise ValidationError(
            {"organization": _g("Bạn không có quyền nhập liệu cho đơn vị này.")},
            code="not_writable",
        )


@transaction.atomic
def record_case(
    *,
    user,
    organization: Organization,
    body: str,
    kind: str,
    title: str,
    year: int,
    target=AUTO,
    decision_number: str = "",
    decided_on: datetime.date | None = None,
    work_starts_on: datetime.date | None = None,
    work_ends_on: datetime.date | None = None,
    subjects: Sequence[dict] = (),
    confirm_body_mismatch: bool = False,
    decided_when_numbered: bool = False,
) -> Case:
    """A new case (draft) with its subjects. `target=AUTO` proposes a target of (unit,
    body, kind, year) in force on its date (see propose_target: the only open one, or of
    several the one due first that still lacks cases); None records it as arising. A
    target of the unit's programme of another body is refused unless
    `confirm_body_mismatch` (see _check_target). With `decided_when_numbered` (the case
    page) a case recorded with its decision number and date starts as decided."""
    _check_writable(user, organization)
    case = Case(
        organization=organization,
        body=body,
        kind=kind,
        title=title,
        year=year,
        decided_on=decided_on,
        work_starts_on=work_starts_on,
        work_ends_on=work_ends_on,
        created_by=user,
    )
    case.decision_number, case.decision_serial, case.decision_issuer = _check_decision_number(
        field="decision_number",
        number=decision_number,
        decided_on=decided_on,
        organization=organization,
        body=body,
    )
    if decided_when_numbered and case.decision_number and case.decided_on:
        case.status = Case.Status.DECIDED
    _check_dates(case)
    # Not asked of the database again (each a query, the constraints' with a savepoint
    # around it; benchmark F7): the unit and the user are rows the caller holds, and the
    # case's check constraints are the rules checked just above (_check_dates orders the
    # work period; a new case is a draft or decided, never counting without its date).
    # PostgreSQL still enforces all of them on the insert.
    case.full_clean(
        exclude=["target", "organization", "created_by", *CHECKED_IN_SERVICES],
        validate_constraints=False,
    )
    _resolve_target(case, target)
    _check_target(case, confirm_body_mismatch=confirm_body_mismatch)
    # A new case (draft or decided) has no counting date yet (kept for the rule's sake).
    check_change(None, counted_case(case))
    versioning.record_user(case, user)
    case.save()
    created = []
    for index, data in enumerate(subjects):
        try:
            created.append(_create_subject(case=case, user=user, data=data))
        except ValidationError as error:
            raise _subject_error(index, error) from None
    if created:
        # The subjects' counts, from the subjects as they were stored.
        counts = subject_counts((subject.kind, subject.is_committee_member) for subject in created)
        Case.objects.filter(pk=case.pk).update(**counts)
        for name, value in counts.items():
            setattr(case, name, value)
    enqueue_progress_refresh([case.organization_id])
    return case


# The handlings a case may hold (one at most), the kind of a case that holds one and the
# function that counts it (cases.services.locks). A case that handles a recorded
# denunciation or disciplinary complaint is that handling: the records count it as one
# (reports.queries.records reads the denunciations through the cases of their kind, by
# case_denunciation_idx), so its kind is kept.
_HANDLINGS = (
    (Denunciation, ActivityKind.DENUNCIATION, counted_denunciation),
    (DisciplineComplaint, ActivityKind.DISCIPLINE_COMPLAINT, counted_complaint),
)


def _handled_in(case: Case, fields: dict) -> list[tuple]:
    """The denunciation or complaint handled in `case`, with the kind it keeps and the
    function that counts it, when `fields` may change its figures (unit, body) or its kind."""
    if not {"organization", "body", "kind"} & set(fields):
        return []
    found: list[tuple] = []
    for model, kind, counted in _HANDLINGS:
        record = model.objects.filter(case=case).first()
        if record is not None:
            found.append((record, kind, counted))
    return found


def _check_kind_kept(handled: list[tuple]) -> None:
    """A change of kind is refused on a case that holds a handling (_handled_in)."""
    if handled:
        _record, kind, _counted = handled[0]
        raise ValidationError(
            {
                "kind": _g(
                    "Cuộc này giải quyết một tố cáo hoặc khiếu nại kỷ luật đã ghi nhận: "
                    "loại của nó luôn là “%(kind)s”."
                )
                % {"kind": kind.label}
            },
            code="handling_kind",
        )


@transaction.atomic
def update_case(
    *,
    user,
    case: Case,
    version: int,
    confirm_body_mismatch: bool = False,
    decided_when_numbered: bool = False,
    **fields,
) -> Case:
    """Change a case's own fields. Refused (StaleObjectError) when `version` is not the
    current one; `target=AUTO` proposes the target again. A change of target or body that
    links the case to a target of its unit's programme of another body is refused unless
    `confirm_body_mismatch`; a link confirmed before is kept through other edits. With
    `decided_when_numbered` (the case page) a draft saved with its decision number and
    date becomes decided."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    current = lock_case(case, version)
    old_unit = current.organization_id
    before = counted_case(current)
    handled = _handled_in(current, fields)
    handled_before = [counted(record, current) for record, _kind, counted in handled]
    target = fields.pop("target", current.target)
    if "organization" in fields and fields["organization"].pk != old_unit:
        _check_writable(user, fields["organization"])
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if "kind" in changed:
        _check_kind_kept(handled)
    for name in changed:
        setattr(current, name, fields[name])
    # The number is the issuing body's (unit and body) of the decision's year: moving the
    # case to another unit or body checks it again in that body's numbering.
    if _NUMBERED_BY & set(changed):
        (
            current.decision_number,
            current.decision_serial,
            current.decision_issuer,
        ) = _check_decision_number(
            field="decision_number",
            number=current.decision_number,
            decided_on=current.decided_on,
            organization=current.organization,
            body=current.body,
            exclude_case=current.pk,
        )
        changed += ["decision_serial", "decision_issuer"]
    if (
        decided_when_numbered
        and current.status == Case.Status.DRAFT
        and current.decision_number
        and current.decided_on
    ):
        current.status = Case.Status.DECIDED
        changed.append("status")
    _check_dates(current)
    current.full_clean(exclude=["target", *CHECKED_IN_SERVICES])
    old_target = current.target_id
    _resolve_target(current, target)
    if current.target_id != old_target:
        changed.append("target")
    # The body question is asked of a new pairing of target and body only.
    _check_target(
        current,
        confirm_body_mismatch=confirm_body_mismatch or not {"target", "body"} & set(changed),
    )
    if not changed:
        return current
    check_change(before, counted_case(current))
    for (record, _kind, counted), old in zip(handled, handled_before, strict=True):
        check_change(old, counted(record, current))
    versioning.bump(current, user, sorted(set(changed)))
    if _COUNTED_FIELDS & set(changed) or "decided_on" in changed:
        enqueue_progress_refresh([old_unit, current.organization_id])
    return current
