"""Who changed a programme and what, for the refusal of a stale form: the programme row
locked through ktgs.versioning, with the targets changed since the form's version named
in the words (the grid and the header share the programme's version)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ktgs import versioning
from plans.models import Programme, Target


def lock_programme(pk: int, version) -> Programme:
    """The programme locked for update; StaleObjectError (saying what changed, targets
    included) when it is no longer at the version the form was loaded with."""
    rows = Programme.objects.select_related("organization")
    return versioning.lock(rows, pk, version, refuse=stale_programme_error)


def bump_programme(programme: Programme, version, user) -> Programme:
    """Lock the programme, check the version the form was loaded with and move it on, so a
    second editor of the header or of the targets is refused instead of overwriting."""
    return versioning.bump(lock_programme(programme.pk, version), user)


def describe_target_changes_since(programme: Programme, version: int) -> list[str]:
    """Words for the targets changed since the programme was at `version`."""
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


def stale_programme_error(programme: Programme, version: int) -> versioning.StaleObjectError:
    """The refusal for a programme form, including the target changes since `version`."""
    return versioning.stale_error(
        programme, version, more_words=describe_target_changes_since(programme, version)
    )
