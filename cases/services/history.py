"""Who changed a case and what: the history shown on its page and in StaleObjectError."""

from __future__ import annotations

import datetime
from typing import NamedTuple, cast

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import Case, CaseSubject


class Change(NamedTuple):
    """One field another editor changed, for display: the same (label, before, after)
    shape as plans' StaleObjectError.changes."""

    label: str
    old: str
    new: str


def _record_history_user(obj, user) -> None:
    if user is not None:
        obj._history_user = user


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
