"""The subjects of a case: the party organisations and members it examines."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import Case, CaseSubject
from cases.services.history import lock_case
from cases.services.locks import check_change, check_touched, counted_case, counted_discipline
from cases.services.targets import reference_date
from ktgs import access, versioning
from ktgs.models import Organization
from plans.services import enqueue_progress_refresh

logger = logging.getLogger(__name__)

SUBJECT_FIELDS = (
    "kind",
    "organization",
    "member_name",
    "member_position",
    "is_committee_member",
    "is_head",
    "is_probationary",
)


def outside_subtree(unit: Organization, conducting: Organization) -> bool:
    """The subject unit is not the conducting unit nor one below it. Allowed (a unit may
    examine any unit in the user's reach), but the case form asks the user to confirm it:
    nine units can share a name, and a unit of another branch is more often a wrong pick."""
    return not unit.path.startswith(conducting.path)


def _check_subject(subject: CaseSubject, *, user, case: Case) -> None:
    if subject.kind not in CaseSubject.Kind.values:
        raise ValidationError({"kind": _g("Hãy chọn loại đối tượng.")})
    if subject.kind == CaseSubject.Kind.ORGANIZATION:
        if subject.organization is None:
            raise ValidationError({"organization": _g("Hãy chọn tổ chức đảng được kiểm tra.")})
        unit = subject.organization
        if user is not None and not access.can_read(user, unit):
            raise ValidationError(
                {"organization": _g("Tổ chức đảng này không thuộc phạm vi của bạn.")}
            )
        day = reference_date(case)
        if day is not None:
            valid = unit.is_valid_on(day)
            when = formats.date_format(day, "SHORT_DATE_FORMAT")
        else:
            # No date yet: the unit must exist at some time in the case's year.
            valid = (unit.valid_from is None or unit.valid_from.year <= case.year) and (
                unit.valid_to is None or unit.valid_to.year >= case.year
            )
            when = str(case.year)
        if not valid:
            raise ValidationError(
                {
                    "organization": _g("%(unit)s không tồn tại vào %(when)s.")
                    % {"unit": unit, "when": when}
                },
                code="unit_not_valid",
            )
        # A unit subject carries no member data.
        subject.member_name = subject.member_position = ""
        subject.is_probationary = False
    else:
        if not subject.member_name.strip():
            raise ValidationError({"member_name": _g("Hãy nhập họ tên đảng viên.")})
        subject.organization = None
    subject.full_clean(exclude=["case"])


def subject_counts(subjects: Iterable[tuple[str, bool]]) -> dict[str, int]:
    """A case's subject counts (Case.SUBJECT_COUNTS) from its subjects' (kind, is a
    committee member): party organisations, members, and committee members among the
    members."""
    counts = dict.fromkeys(Case.SUBJECT_COUNTS, 0)
    for kind, committee in subjects:
        if kind == CaseSubject.Kind.ORGANIZATION:
            counts["subject_organizations"] += 1
        elif kind == CaseSubject.Kind.MEMBER:
            counts["subject_members"] += 1
            counts["subject_committee_members"] += bool(committee)
    return counts


def _count_subjects(case: Case) -> list[str]:
    """Set the case's subject counts from its subjects as they are now in the database
    (inside the caller's transaction, the case locked) and name the fields, for the
    save that moves its version on."""
    found = CaseSubject.objects.filter(case=case).values_list("kind", "is_committee_member")
    for name, value in subject_counts(found).items():
        setattr(case, name, value)
    return list(Case.SUBJECT_COUNTS)


# The cases whose kept counts are not those of their subjects (subject_counts' rule in SQL,
# for every case at once: one scan of each table).
_MISCOUNTED_SQL = f"""
SELECT c.id FROM {Case._meta.db_table} c
LEFT JOIN (
    SELECT case_id,
        COUNT(*) FILTER (WHERE kind = %(organization)s) AS organizations,
        COUNT(*) FILTER (WHERE kind = %(member)s) AS members,
        COUNT(*) FILTER (WHERE kind = %(member)s AND is_committee_member) AS committee
    FROM {CaseSubject._meta.db_table} GROUP BY case_id
) s ON s.case_id = c.id
WHERE c.subject_organizations <> COALESCE(s.organizations, 0)
   OR c.subject_members <> COALESCE(s.members, 0)
   OR c.subject_committee_members <> COALESCE(s.committee, 0)
"""


def recount_subjects() -> list[int]:
    """The nightly check of the counts the cases keep (Case.SUBJECT_COUNTS): every case
    whose counts are not those of its subjects is counted again and logged, and the ids
    are returned (their units' figures follow at the nightly rebuild, or on the refresh
    the caller asks for). None is ever expected: the subjects' services keep the counts,
    so a case found here means a write that went round them."""
    with connection.cursor() as cursor:
        cursor.execute(
            _MISCOUNTED_SQL,
            {
                "organization": str(CaseSubject.Kind.ORGANIZATION),
                "member": str(CaseSubject.Kind.MEMBER),
            },
        )
        found = sorted(pk for (pk,) in cursor.fetchall())
    for pk in found:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            fields = _count_subjects(case)
            Case.objects.filter(pk=pk).update(**{name: getattr(case, name) for name in fields})
        logger.warning("case %s: its subject counts did not match its subjects; counted again", pk)
    return found


def _subject_error(index: int, error: ValidationError) -> ValidationError:
    """Keep the field of a subject's error and say which subject it was."""
    if hasattr(error, "error_dict"):
        wrapped = ValidationError({f"subjects.{index}.{k}": v for k, v in error.error_dict.items()})
    else:
        wrapped = ValidationError({f"subjects.{index}": error.messages})
    return wrapped


def _create_subject(*, case: Case, user, data: dict) -> CaseSubject:
    unknown = set(data) - set(SUBJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown subject fields: {sorted(unknown)}")
    subject = CaseSubject(case=case, **data)
    _check_subject(subject, user=user, case=case)
    versioning.record_user(subject, user)
    subject.save()
    return subject


@transaction.atomic
def add_subject(*, user, case: Case, version: int | None = None, **data) -> CaseSubject:
    """Add a unit or a member to a case's subjects."""
    current = lock_case(case, version)
    check_touched(counted_case(current))
    subject = _create_subject(case=current, user=user, data=data)
    versioning.bump(current, user, _count_subjects(current))
    enqueue_progress_refresh([current.organization_id])
    return subject


@transaction.atomic
def update_subject(
    *, user, subject: CaseSubject, version: int | None = None, **data
) -> CaseSubject:
    unknown = set(data) - set(SUBJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown subject fields: {sorted(unknown)}")
    current = lock_case(subject.case, version)
    subject = CaseSubject.objects.select_for_update().get(pk=subject.pk, case=current)
    changed = [name for name, value in data.items() if getattr(subject, name) != value]
    if not changed:
        return subject
    for name in changed:
        setattr(subject, name, data[name])
    _check_subject(subject, user=user, case=current)
    check_touched(counted_case(current))
    versioning.record_user(subject, user)
    subject.save()
    versioning.bump(current, user, _count_subjects(current))
    enqueue_progress_refresh([current.organization_id])
    return subject


@transaction.atomic
def remove_subject(*, user, subject: CaseSubject, version: int | None = None) -> None:
    """Remove a subject (and the discipline decisions recorded on it)."""
    current = lock_case(subject.case, version)
    check_touched(counted_case(current))
    decisions = list(subject.disciplines.select_related("deciding_organization"))
    for decision in decisions:
        check_change(counted_discipline(decision), None)
    versioning.record_user(subject, user)
    for decision in decisions:
        versioning.record_user(decision, user)
        decision.delete()
    subject.delete()
    versioning.bump(current, user, _count_subjects(current))
    enqueue_progress_refresh([current.organization_id])
