"""The target a case fulfils: which targets are open, the one proposed, the checks."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext as _g

from cases.models import Case, CaseSubject
from ktgs.models import Organization
from plans.models import Programme, Target


class _Auto:
    """Sentinel: let the service propose the target (see propose_target)."""

    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()


def reference_date(case: Case) -> datetime.date | None:
    """The date a case is judged at: its decision, else the start of the work."""
    return case.decided_on or case.work_starts_on


def open_targets(*, organization: Organization, kind: str, year: int, on: datetime.date | None):
    """Targets a new case of (unit, kind, year) could fulfil.

    Open = for this unit, of this kind, in an ISSUED programme covering the year, in force
    on `on` (the programme runs that day, the target was added on or before it and not
    removed by then), and not yet fully done: fewer concluded cases (as of `on`) than the
    quantity. `done` counts cases here; subject-counted targets are compared by their
    counted subjects. Without a date, the programme only has to cover the year.
    """
    targets = Target.objects.filter(
        organization=organization,
        kind=kind,
        programme__status=Programme.Status.ISSUED,
        programme__year__lte=year,
        programme__end_year__gte=year,
    )
    if on is not None:
        targets = targets.filter(
            programme__starts_on__lte=on,
            programme__ends_on__gte=on,
        ).filter(
            Q(added_by__isnull=True) | Q(added_by__effective_on__lte=on),
            Q(removed_by__isnull=True) | Q(removed_by__effective_on__gt=on),
        )
    else:
        targets = targets.filter(removed_by__isnull=True)
    counting = Q(cases__status__in=Case.COUNTING)
    if on is not None:
        counting &= Q(cases__concluded_on__lte=on)
    subjects = Q(cases__subjects__isnull=False) & counting
    targets = targets.annotate(
        done_cases=Count("cases", filter=counting, distinct=True),
        done_organizations=Count(
            "cases__subjects",
            filter=subjects & Q(cases__subjects__kind=CaseSubject.Kind.ORGANIZATION),
            distinct=True,
        ),
        done_members=Count(
            "cases__subjects",
            filter=subjects & Q(cases__subjects__kind=CaseSubject.Kind.MEMBER),
            distinct=True,
        ),
        done_committee=Count(
            "cases__subjects",
            filter=subjects
            & Q(cases__subjects__kind=CaseSubject.Kind.MEMBER)
            & Q(cases__subjects__is_committee_member=True),
            distinct=True,
        ),
    )
    not_done = (
        Q(counts=Target.Counts.CASES, done_cases__lt=models.F("quantity"))
        | Q(counts=Target.Counts.ORGANIZATIONS, done_organizations__lt=models.F("quantity"))
        | Q(counts=Target.Counts.MEMBERS, done_members__lt=models.F("quantity"))
        | Q(counts=Target.Counts.COMMITTEE_MEMBERS, done_committee__lt=models.F("quantity"))
    )
    return targets.filter(not_done)


def propose_target(
    *, organization: Organization, kind: str, year: int, on: datetime.date | None
) -> Target | None:
    """The target a new case fulfils when exactly one open target matches; with none or
    several, None (arising, or staff choose)."""
    found = list(open_targets(organization=organization, kind=kind, year=year, on=on)[:2])
    return found[0] if len(found) == 1 else None


def _check_target(case: Case) -> None:
    """A case fulfils a target set for its own unit — by the unit's own programme or by a
    programme of one of its ancestors (a programme sets targets for its unit and the
    units below) — of the same kind, in a programme covering the case's year."""
    target = case.target
    if target is None:
        return
    programme = target.programme
    if target.organization_id != case.organization_id or not case.organization.path.startswith(
        programme.organization.path
    ):
        raise ValidationError(
            {"target": _g("Chỉ tiêu này không giao cho đơn vị tiến hành cuộc kiểm tra, giám sát.")},
            code="target_unit",
        )
    if not programme.year <= case.year <= programme.end_year:
        raise ValidationError(
            {"target": _g("Chỉ tiêu thuộc chương trình của năm khác với năm của cuộc này.")},
            code="target_year",
        )
    if target.kind != case.kind:
        raise ValidationError(
            {"target": _g("Loại của chỉ tiêu khác với loại của cuộc kiểm tra, giám sát.")},
            code="target_kind",
        )
    if programme.status == Programme.Status.DRAFT:
        raise ValidationError(
            {"target": _g("Chương trình của chỉ tiêu này chưa được ban hành.")},
            code="target_draft",
        )


def _resolve_target(case: Case, target) -> None:
    if target is AUTO:
        case.target = propose_target(
            organization=case.organization,
            kind=case.kind,
            year=case.year,
            on=reference_date(case),
        )
    else:
        case.target = target
