"""Optimistic locking shared by plans and cases: refuse the second of two concurrent edits
and tell its author what the first one changed.

Every `Versioned` model with `history = HistoricalRecords()` can use `lock_version`: the
historical row whose `version` is the one the form was loaded with is the state the user
saw, the newest historical row is the state now; the difference is what to show."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# Bookkeeping fields nobody typed: never shown as "what changed".
_HIDDEN_FIELDS = {"version", "doc_serial", "doc_type", "doc_issuer", "doc_year", "created_at"}


class StaleObjectError(ValidationError):
    """The object changed since the form was loaded; `changes` lists (label, before, after)."""

    def __init__(self, message: str, *, changes: list[tuple[str, str, str]] | None = None):
        super().__init__(message, code="stale")
        self.changes = changes or []


def display_value(field: models.Field, value: Any) -> str:
    """A value as a person reads it: choice labels, dd/mm/yyyy dates, "—" for empty."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return str(value)


def field_changes(
    model: type[models.Model],
    before: Any,
    after: Any,
    labels: dict[str, dict[Any, str]] | None = None,
) -> list[tuple[str, str, str]]:
    """(label, before, after) for every tracked, visible field that differs between two
    historical rows (or instances) of `model`. Foreign keys are compared by id and shown
    through `labels[field name][id]` when given."""
    labels = labels or {}
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in _HIDDEN_FIELDS or field.primary_key:
            continue
        old = getattr(before, field.attname, None)
        new = getattr(after, field.attname, None)
        if old != new:
            names = labels.get(field.name, {})
            changes.append(
                (
                    str(field.verbose_name),
                    names.get(old) or display_value(field, old),
                    names.get(new) or display_value(field, new),
                )
            )
    return changes


def lock_version(queryset: models.QuerySet, pk: int, expected_version: int | str | None):
    """The row `pk`, locked for update; StaleObjectError if its version is no longer
    `expected_version` (None skips the check: internal callers that hold no form)."""
    obj = queryset.select_for_update().get(pk=pk)
    if expected_version is None or expected_version == "":
        return obj
    expected = int(expected_version)
    if obj.version != expected:
        raise stale_error(obj, expected)
    return obj


def stale_error(obj: Any, expected: int, *, extra: list[str] | None = None):
    """The refusal, in Vietnamese, naming who changed what since version `expected`."""
    history = obj.history.select_related("history_user")
    seen = history.filter(version=expected).order_by("-history_date").first()
    latest = history.order_by("-history_date").first()
    changes = field_changes(type(obj), seen, obj) if seen is not None else []
    parts = [
        _("Dữ liệu đã được thay đổi sau khi bạn mở biểu mẫu (phiên bản %(old)s → %(new)s).")
        % {"old": expected, "new": obj.version}
    ]
    if latest is not None:
        who = latest.history_user or _("hệ thống")
        when = formats.date_format(timezone.localtime(latest.history_date), "SHORT_DATETIME_FORMAT")
        parts.append(_("Người sửa: %(who)s, lúc %(when)s.") % {"who": who, "when": when})
    if changes:
        parts.append(
            _("Đã thay đổi: %(list)s.")
            % {"list": "; ".join(f"{label}: {old} → {new}" for label, old, new in changes)}
        )
    parts.extend(extra or [])
    parts.append(_("Hãy tải lại trang, xem lại và nhập lại thay đổi của bạn."))
    return StaleObjectError(" ".join(parts), changes=changes)
