"""Optimistic locking and history diffs, shared by every versioned model (programmes,
targets, cases): refuse the second of two concurrent edits and tell its author what the
first one changed.

A versioned model has a `version` counter and `history = HistoricalRecords()`. A write
locks the row (`lock`), refuses it when the form was loaded at another version
(`StaleObjectError`), moves the counter on (`bump`) and names who did it in the history
(`record_user`). The historical row at the form's version is the state the user saw, the
newest one the state now; simple_history's `diff_against` between them is what to show
(`changes`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class Change(NamedTuple):
    """One field changed, as a person reads it."""

    label: str
    old: str
    new: str


class StaleObjectError(ValidationError):
    """The object changed since the form was loaded: what changed, who changed it, and
    the version it is at now (the page moves its form on to it; the API answers 409)."""

    def __init__(
        self,
        message: str,
        *,
        changes: Iterable[Change] = (),
        changed_by: Iterable[str] = (),
        current_version: int | None = None,
    ):
        super().__init__(message, code="stale")
        self.changes = list(changes)
        self.changed_by = list(changed_by)
        self.current_version = current_version


def record_user(obj: models.Model, user: Any) -> None:
    """Who to write in the history row of the next save, for callers outside a request
    (the middleware covers requests; commands and tasks have none)."""
    if user is not None:
        obj._history_user = user  # type: ignore[attr-defined]


def lock(
    queryset: models.QuerySet,
    pk: int,
    version: int | str | None,
    *,
    refuse: Callable[[Any, int], StaleObjectError] | None = None,
) -> Any:
    """The row `pk`, locked until commit (not the rows it is joined to); StaleObjectError,
    built by `refuse(row, version)` (default `stale_error`), if it is no longer at
    `version`. None or "" skips the check: internal callers hold no form."""
    obj = queryset.select_for_update(of=("self",)).get(pk=pk)
    if version is None or version == "":
        return obj
    if obj.version != int(version):
        raise (refuse or stale_error)(obj, int(version))
    return obj


def bump(obj: Any, user: Any, fields: Iterable[str] = ()) -> Any:
    """Save `fields` of a locked row with its version moved on and `user` in the history."""
    obj.version += 1
    record_user(obj, user)
    obj.save(update_fields=[*fields, "version"])
    return obj


def display(field: models.Field, value: Any, names: dict[Any, str] | None = None) -> str:
    """A stored value as a person reads it: choice labels, the related object's name
    (from `names` when the caller has them, else one query), dd/mm/yyyy dates, "—"."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    related = field.related_model
    if isinstance(field, models.ForeignKey) and isinstance(related, type):
        if names is not None:
            return names.get(value) or f"#{value}"
        obj = related._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def changes(
    new_record: Any, old_record: Any, *, labels: dict[str, dict[Any, str]] | None = None
) -> list[Change]:
    """What differs between two historical rows of one object, in the model's field
    order: the editable fields simple_history's `diff_against` compares (bookkeeping such
    as the version or the document serial is not editable, so never shown). Foreign keys
    are named through `labels[field name][id]` when the caller passes them."""
    labels = labels or {}
    model = new_record.instance_type
    order = {f.name: i for i, f in enumerate(model._meta.concrete_fields)}
    delta = new_record.diff_against(old_record)
    result = []
    for item in sorted(delta.changes, key=lambda c: order.get(c.field, len(order))):
        field = cast(models.Field, model._meta.get_field(item.field))
        names = labels.get(field.name)
        result.append(
            Change(
                label=str(field.verbose_name),
                old=display(field, item.old, names),
                new=display(field, item.new, names),
            )
        )
    return result


def stale_error(
    obj: Any,
    seen_version: int,
    *,
    message: str | None = None,
    more_changes: Iterable[Change] = (),
    more_words: Iterable[str] = (),
) -> StaleObjectError:
    """The refusal for a form loaded at `seen_version`: the fields changed since (and
    `more_changes`, e.g. of rows below the object), who changed them and the current
    version. Without `message`, the words say it all in one sentence each (version, who
    and when, what, `more_words`, what to do)."""
    history = obj.history.select_related("history_user")
    records = list(history.order_by("history_date", "history_id"))
    seen = next((r for r in reversed(records) if r.version == seen_version), None)
    later = [r for r in records if seen is not None and r.history_date > seen.history_date]
    found = changes(records[-1], seen) if seen is not None and later else []
    found += list(more_changes)
    who = sorted({str(r.history_user) for r in later if r.history_user is not None})
    if message is None:
        parts = [
            _("Dữ liệu đã được thay đổi sau khi bạn mở biểu mẫu (phiên bản %(old)s → %(new)s).")
            % {"old": seen_version, "new": obj.version}
        ]
        if records:
            latest = records[-1]
            when = formats.date_format(
                timezone.localtime(latest.history_date), "SHORT_DATETIME_FORMAT"
            )
            parts.append(
                _("Người sửa: %(who)s, lúc %(when)s.")
                % {"who": latest.history_user or _("hệ thống"), "when": when}
            )
        if found:
            parts.append(
                _("Đã thay đổi: %(list)s.")
                % {"list": "; ".join(f"{c.label}: {c.old} → {c.new}" for c in found)}
            )
        parts.extend(more_words)
        parts.append(_("Hãy tải lại trang, xem lại và nhập lại thay đổi của bạn."))
        message = " ".join(parts)
    return StaleObjectError(message, changes=found, changed_by=who, current_version=obj.version)
