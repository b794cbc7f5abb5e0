"""Who changed a case and what: the history shown on its page, and the refusal of a stale
form (the case's fields and its subjects changed since, and who). The mechanism (lock,
version, diff) is ktgs.versioning."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.models import Case, CaseSubject
from ktgs import versioning
from ktgs.versioning import Change


def lock_case(case: Case, version: int | str | None) -> Case:
    """The current row, locked until commit; StaleObjectError if `version` is old."""
    return versioning.lock(
        Case.objects.select_related("organization"), case.pk, version, refuse=stale_case_error
    )


def stale_case_error(case: Case, version: int) -> versioning.StaleObjectError:
    """The form was opened on an older version of the case: what changed (subjects
    included), who changed it and the current version (the page moves its form on)."""
    return versioning.stale_error(
        case,
        version,
        message=_(
            "Người khác đã sửa cuộc kiểm tra, giám sát này sau khi bạn mở trang. "
            "Hãy xem các thay đổi dưới đây rồi lưu lại nếu vẫn muốn."
        ),
        more_changes=subject_changes_since(case, version),
    )


def subject_changes_since(case: Case, version: int) -> list[Change]:
    """The subjects others added, changed or removed after the case was at `version`."""
    base = case.history.filter(version=version).order_by("-history_date").first()
    if base is None:
        return []
    changes = []
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
    return changes


def case_history(case: Case) -> list[dict]:
    """Every saved change of the case, newest first: when, who, what (before → after) and
    the reason given for it (a cancellation, a reopening)."""
    records = list(case.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    for record in records:
        changes: list[Change] = versioning.changes(record, previous) if previous else []
        entries.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "type": record.history_type,
                "changes": changes,
                "reason": record.history_change_reason or "",
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
                "reason": "",
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return [e for e in entries if e["type"] != "~" or e["changes"]]
