"""The rules saying which units must issue their year's programme, and by when
(plans.models.ProgrammeRequirement), edited by administrators in the admin."""

from __future__ import annotations

from celery import current_app
from django.db import transaction

from plans.models import ProgrammeRequirement
from plans.services.progress_refresh import _deferred


def _enqueue_rebuild() -> None:
    # A rule concerns every unit of a level: the whole roll-up table is recomputed (by
    # task name, as every plans write reaches reports), not unit by unit.
    if _deferred.get() is not None:
        return
    transaction.on_commit(lambda: current_app.send_task("reports.tasks.rebuild_progress"))


@transaction.atomic
def save_programme_requirement(*, requirement: ProgrammeRequirement) -> ProgrammeRequirement:
    """Create or change a rule; the "chưa có chương trình" figures follow after commit."""
    requirement.full_clean()
    requirement.save()
    _enqueue_rebuild()
    return requirement


@transaction.atomic
def delete_programme_requirement(*, requirement: ProgrammeRequirement) -> None:
    requirement.delete()
    _enqueue_rebuild()
