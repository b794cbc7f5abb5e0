"""Two editors: the case row locked for a write, refused when the form's version is old."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.services.history import _record_history_user, changes_since
from plans import errors as plans_errors


class StaleObjectError(plans_errors.StaleObjectError):
    """The form was opened on an older version of the case than the current one. Also
    says who changed it and the current version (the page moves its form on to it)."""

    def __init__(self, message, *, changes=(), changed_by=(), current_version=0):
        super().__init__(message, changes=list(changes))
        self.changed_by = list(changed_by)
        self.current_version = current_version


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
