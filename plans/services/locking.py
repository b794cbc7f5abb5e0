"""Two editors of a programme (header or targets): the row locked, its version checked and
moved on, the refusal saying what changed; and who to write in the history."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans.errors import StaleObjectError, stale_error
from plans.models import Programme, Target


def _record_user(obj, user) -> None:
    """Who to write in the history row of the next save, for callers outside a request
    (the middleware covers requests; commands and tasks have none)."""
    obj._history_user = user


def _lock_programme(pk: int, expected_version) -> Programme:
    """The programme locked for update; StaleObjectError (saying what changed, targets
    included) when it is no longer at the version the form was loaded with."""
    rows = Programme.objects.select_related("organization").select_for_update(of=("self",))
    locked = rows.get(pk=pk)
    if expected_version not in (None, "") and locked.version != int(expected_version):
        raise stale_programme_error(locked, int(expected_version))
    return locked


def _bump_version(programme: Programme, expected_version, user) -> Programme:
    """Lock the programme, check the version the form was loaded with and move it on, so a
    second editor of the header or of the targets is refused instead of overwriting."""
    locked = _lock_programme(programme.pk, expected_version)
    locked.version += 1
    _record_user(locked, user)
    locked.save(update_fields=["version"])
    return locked


def describe_target_changes_since(programme: Programme, version: int) -> list[str]:
    """Words for the targets changed since the programme was at `version` (for the
    refusal shown to the second editor of a grid)."""
    seen = programme.history.filter(version=version).order_by("-history_date").first()
    if seen is None:
        return []
    rows = Target.history.filter(programme_id=programme.pk, history_date__gt=seen.history_date)
    added = rows.filter(history_type="+").count()
    changed = rows.filter(history_type="~").count()
    removed = rows.filter(history_type="-").count()
    if not (added or changed or removed):
        return []
    return [
        _("Chỉ tiêu: thêm %(added)s, sửa %(changed)s, xóa %(removed)s.")
        % {"added": added, "changed": changed, "removed": removed}
    ]


def stale_programme_error(programme: Programme, version: int) -> StaleObjectError:
    """The refusal for a programme form, including the target changes since `version`."""
    return stale_error(programme, version, extra=describe_target_changes_since(programme, version))
