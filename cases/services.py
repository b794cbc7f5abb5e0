"""Writes to cases: record, edit, move through states, conclude, subjects, discipline.

Views, the API, admin actions and tests all call these functions. Each one validates
(messages in Vietnamese on the field that is wrong), writes in one transaction, records
who did it in the history (`_history_user`, for callers outside a request) and, when a
count may change, enqueues the progress refresh of the affected units on commit.

Two editors: every write that takes `version` locks the case row (select_for_update) and
refuses a stale version with StaleObjectError, which lists what the other person changed.
"""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseSubject, DisciplineDecision
from ktgs import access
from ktgs.models import Organization
from plans import errors as plans_errors
from plans.documents import parse_document_number
from plans.models import Programme, Target
from plans.services import enqueue_progress_refresh


class _Auto:
    """Sentinel: let the service propose the target (see propose_target)."""

    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()

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
SUBJECT_FIELDS = (
    "kind",
    "organization",
    "member_name",
    "member_position",
    "is_committee_member",
    "is_head",
    "is_probationary",
)
# A change to one of these may move a figure of the progress table.
_COUNTED_FIELDS = {"organization", "kind", "year", "target"}


class Change(NamedTuple):
    """One field another editor changed, for display: the same (label, before, after)
    shape as plans' StaleObjectError.changes."""

    label: str
    old: str
    new: str


class StaleObjectError(plans_errors.StaleObjectError):
    """The form was opened on an older version of the case than the current one. Also
    says who changed it and the current version (the page moves its form on to it)."""

    def __init__(self, message, *, changes=(), changed_by=(), current_version=0):
        super().__init__(message, changes=list(changes))
        self.changed_by = list(changed_by)
        self.current_version = current_version


# --- Reads the services need ------------------------------------------------------------


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


# --- Validation -------------------------------------------------------------------------


def _lock_number(issuer: str, serial: str, year: int) -> None:
    """Serialise writers of the same decision number so that the duplicate check below
    cannot pass twice concurrently (PostgreSQL; SQLite already has one writer)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"decision:{issuer}:{serial}:{year}".encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _check_decision_number(
    *,
    field: str,
    number: str,
    decided_on: datetime.date | None,
    exclude_case: int | None = None,
    exclude_discipline: int | None = None,
) -> tuple[str, str, str]:
    """(text, serial, issuer) of a decision number, refusing a number already used by the
    same issuer in the same year, by a case's decision or a discipline decision."""
    if not number:
        return "", "", ""
    try:
        parsed = parse_document_number(number)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if decided_on is None:
        return parsed.text, parsed.serial, parsed.issuer
    year = decided_on.year
    _lock_number(parsed.issuer, parsed.serial, year)
    cases = Case.objects.filter(
        decision_issuer=parsed.issuer, decision_serial=parsed.serial, decided_on__year=year
    )
    disciplines = DisciplineDecision.objects.filter(
        decision_issuer=parsed.issuer, decision_serial=parsed.serial, decided_on__year=year
    )
    if exclude_case is not None:
        cases = cases.exclude(pk=exclude_case)
    if exclude_discipline is not None:
        disciplines = disciplines.exclude(pk=exclude_discipline)
    if cases.exists() or disciplines.exists():
        raise ValidationError(
            {
                field: _g("Số quyết định %(number)s đã được %(issuer)s dùng trong năm %(year)s.")
                % {"number": parsed.text, "issuer": parsed.issuer, "year": year}
            },
            code="duplicate_number",
        )
    return parsed.text, parsed.serial, parsed.issuer


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


def _check_writable(user, organization: Organization) -> None:
    if user is not None and not access.can_write(user, organization):
        raise ValidationError(
            {"organization": _g("Bạn không có quyền nhập liệu cho đơn vị này.")},
            code="not_writable",
        )


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


def _record_history_user(obj, user) -> None:
    if user is not None:
        obj._history_user = user


def _lock(case: Case, version: int | None) -> Case:
    """The current row, locked until commit; StaleObjectError if `version` is old."""
    current = Case.objects.select_for_update().select_related("organization").get(pk=case.pk)
    if version is not None and int(version) != current.version:
        changes, who = changes_since(current, int(version))
        raise StaleObjectError(
            _(
                "Người khác đã sửa cuộc kiểm tra, giám sát này sau khi bạn mở trang. "
                "Hãy xem các thay đổi dưới đây rồi lưu lại nếu vẫn muốn."
            ),
            changes=changes,
            changed_by=who,
            current_version=current.version,
        )
    return current


def _bump(case: Case, user, fields: list[str]) -> None:
    case.version += 1
    _record_history_user(case, user)
    case.save(update_fields=[*fields, "version"])


# --- History ----------------------------------------------------------------------------


def _display(field: models.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    related = field.related_model
    if isinstance(field, models.ForeignKey) and isinstance(related, type):
        obj = related._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if isinstance(field, models.BooleanField):
        return _g("Có") if value else _g("Không")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def describe_changes(new_record, old_record) -> list[Change]:
    """Field-by-field changes between two historical records of a case."""
    delta = new_record.diff_against(old_record, excluded_fields=["version"])
    result = []
    for item in delta.changes:
        field = cast(models.Field, Case._meta.get_field(item.field))
        result.append(
            Change(
                label=str(field.verbose_name),
                old=_display(field, item.old),
                new=_display(field, item.new),
            )
        )
    return result


def changes_since(case: Case, version: int) -> tuple[list[Change], list[str]]:
    """What others changed after `version` (case fields and subjects), and who."""
    records = list(case.history.order_by("history_date", "history_id"))
    base = next((r for r in reversed(records) if r.version == version), None)
    if base is None or not records:
        return [], []
    later = [r for r in records if r.history_date > base.history_date]
    changes = describe_changes(records[-1], base) if later else []
    subjects = CaseSubject.history.filter(case_id=case.pk, history_date__gt=base.history_date)
    for record in subjects.order_by("history_date"):
        label = str(CaseSubject._meta.verbose_name)
        name = str(record.instance)
        if record.history_type == "+":
            changes.append(Change(label, "—", name))
        elif record.history_type == "-":
            changes.append(Change(label, name, "—"))
        else:
            changes.append(Change(label, name, name))
    who = sorted({str(r.history_user) for r in later if r.history_user is not None})
    return changes, who


def case_history(case: Case) -> list[dict]:
    """Every saved change of the case, newest first: when, who, what (before → after)."""
    records = list(case.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    for record in records:
        changes: list[Change] = describe_changes(record, previous) if previous else []
        entries.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "type": record.history_type,
                "changes": changes,
            }
        )
        previous = record
    subjects = CaseSubject.history.filter(case_id=case.pk).select_related("history_user")
    for record in subjects.order_by("history_date"):
        name = str(record.instance)
        old, new = {"+": ("—", name), "-": (name, "—")}.get(record.history_type, (name, name))
        entries.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "type": record.history_type,
                "changes": [Change(str(CaseSubject._meta.verbose_name), old, new)],
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return [e for e in entries if e["type"] != "~" or e["changes"]]


# --- Cases ------------------------------------------------------------------------------


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
) -> Case:
    """A new case (draft) with its subjects. `target=AUTO` proposes the one open target of
    (unit, kind, year) if there is exactly one; None records it as arising."""
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
        field="decision_number", number=decision_number, decided_on=decided_on
    )
    _check_dates(case)
    case.full_clean(exclude=["target"])
    _resolve_target(case, target)
    _check_target(case)
    _record_history_user(case, user)
    case.save()
    for index, data in enumerate(subjects):
        try:
            _create_subject(case=case, user=user, data=data)
        except ValidationError as error:
            raise _subject_error(index, error) from None
    enqueue_progress_refresh([case.organization_id])
    return case


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
    _record_history_user(subject, user)
    subject.save()
    return subject


@transaction.atomic
def update_case(*, user, case: Case, version: int, **fields) -> Case:
    """Change a case's own fields. Refused (StaleObjectError) when `version` is not the
    current one; `target=AUTO` proposes the target again."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    current = _lock(case, version)
    old_unit = current.organization_id
    target = fields.pop("target", current.target)
    if "organization" in fields and fields["organization"].pk != old_unit:
        _check_writable(user, fields["organization"])
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, fields[name])
    if "decision_number" in changed or "decided_on" in changed:
        (
            current.decision_number,
            current.decision_serial,
            current.decision_issuer,
        ) = _check_decision_number(
            field="decision_number",
            number=current.decision_number,
            decided_on=current.decided_on,
            exclude_case=current.pk,
        )
        changed += ["decision_serial", "decision_issuer"]
    _check_dates(current)
    current.full_clean(exclude=["target"])
    old_target = current.target_id
    _resolve_target(current, target)
    _check_target(current)
    if current.target_id != old_target:
        changed.append("target")
    if not changed:
        return current
    _bump(current, user, sorted(set(changed)))
    if _COUNTED_FIELDS & set(changed) or "decided_on" in changed:
        enqueue_progress_refresh([old_unit, current.organization_id])
    return current


def allowed_statuses(case: Case) -> tuple[str, ...]:
    return Case.TRANSITIONS.get(case.status, ())


@transaction.atomic
def change_status(*, user, case: Case, status: str, version: int) -> Case:
    """Move a case to one of the next states TRANSITIONS allows."""
    current = _lock(case, version)
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
    current.status = status
    _bump(current, user, ["status"])
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
    current = _lock(case, version)
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
    current.concluded_on = concluded_on
    current.conclusion_number = conclusion_number
    current.violation_found = violation_found
    current.shortcomings_found = shortcomings_found
    current.summary = summary
    current.status = Case.Status.CONCLUDED
    _check_dates(current)
    current.full_clean(exclude=["target"])
    _bump(
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


# --- Subjects ---------------------------------------------------------------------------


@transaction.atomic
def add_subject(*, user, case: Case, version: int | None = None, **data) -> CaseSubject:
    """Add a unit or a member to a case's subjects."""
    current = _lock(case, version)
    subject = _create_subject(case=current, user=user, data=data)
    _bump(current, user, [])
    enqueue_progress_refresh([current.organization_id])
    return subject


@transaction.atomic
def update_subject(
    *, user, subject: CaseSubject, version: int | None = None, **data
) -> CaseSubject:
    unknown = set(data) - set(SUBJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown subject fields: {sorted(unknown)}")
    current = _lock(subject.case, version)
    subject = CaseSubject.objects.select_for_update().get(pk=subject.pk, case=current)
    changed = [name for name, value in data.items() if getattr(subject, name) != value]
    if not changed:
        return subject
    for name in changed:
        setattr(subject, name, data[name])
    _check_subject(subject, user=user, case=current)
    _record_history_user(subject, user)
    subject.save()
    _bump(current, user, [])
    enqueue_progress_refresh([current.organization_id])
    return subject


@transaction.atomic
def remove_subject(*, user, subject: CaseSubject, version: int | None = None) -> None:
    """Remove a subject (and the discipline decisions recorded on it)."""
    current = _lock(subject.case, version)
    _record_history_user(subject, user)
    for decision in subject.disciplines.all():
        _record_history_user(decision, user)
        decision.delete()
    subject.delete()
    _bump(current, user, [])
    enqueue_progress_refresh([current.organization_id])


# --- Discipline -------------------------------------------------------------------------


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
    current = _lock(case, None)
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
        field="decision_number", number=decision_number, decided_on=decided_on
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
    decision.full_clean()
    _record_history_user(decision, user)
    decision.save()
    enqueue_progress_refresh([current.organization_id])
    return decision


def _subject_type_label(subject: CaseSubject) -> str:
    if subject.kind == CaseSubject.Kind.ORGANIZATION:
        return _g("tổ chức đảng")
    return _g("đảng viên dự bị") if subject.is_probationary else _g("đảng viên")
