"""Celery tasks of reports: thin wrappers that take ids and call reports.rollup."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reports import rollup

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=8
)
def refresh_progress(unit_ids: list[int]) -> int:
    """Enqueued on commit by every plans/cases service write that may change a count."""
    return rollup.refresh_units(unit_ids, timezone.localdate())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def move_progress(unit_id: int, old_ancestor_ids: list[int]) -> None:
    rollup.move_subtree_totals(
        unit_id=unit_id, old_ancestor_ids=old_ancestor_ids, today=timezone.localdate()
    )


@shared_task
def nightly_progress() -> dict:
    checked, rebuilt = rollup.nightly(timezone.localdate())
    logger.info("nightly progress: check changed %d rows, rebuild changed %d rows",
                checked.changed, rebuilt.changed)
    return {"checked_changed": checked.changed, "rebuilt_changed": rebuilt.changed}
