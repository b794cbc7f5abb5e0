"""Celery tasks of reports: thin wrappers that take ids and call reports.engine or
reports.engine.periods."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from cases.services import subjects as subject_services
from reports import engine, mail
from reports.engine import periods

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=8
)
def refresh_progress(unit_ids: list[int]) -> int:
    """Enqueued on commit by every plans/cases service write that may change a count."""
    return engine.refresh_units(unit_ids, timezone.localdate())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def move_progress(unit_id: int, old_ancestor_ids: list[int]) -> None:
    engine.move_subtree_totals(
        unit_id=unit_id, old_ancestor_ids=old_ancestor_ids, today=timezone.localdate()
    )


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def rebuild_progress() -> int:
    """Enqueued by name when a rule that moves every unit's figures changes (plans'
    programme requirements): the whole table recomputed as of today."""
    return engine.rebuild(timezone.localdate()).changed


@shared_task
def nightly_progress() -> dict:
    today = timezone.localdate()
    # The coming year's periods exist before its programmes are entered (in December).
    periods.ensure_periods(today.year)
    periods.ensure_periods(today.year + 1)
    periods.ensure_term(today.year)
    periods.ensure_term(today.year + 1)
    # The counts each case keeps of its subjects, checked before the figures that add them
    # up are rebuilt (none is expected to be wrong).
    recounted = subject_services.recount_subjects()
    checked, rebuilt = engine.nightly(today)
    logger.info(
        "nightly progress: check changed %d rows, rebuild changed %d rows",
        checked.changed,
        rebuilt.changed,
    )
    return {
        "checked_changed": checked.changed,
        "rebuilt_changed": rebuilt.changed,
        "cases_recounted": len(recounted),
    }


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def snapshot_periods() -> list[int]:
    """The night after a period ends: freeze its figures (any ended period still without
    a snapshot, so a night missed is caught up on the next)."""
    return periods.snapshot_ended_periods(timezone.localdate())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def take_daily_snapshot() -> int:
    """Today's point of every trend line; after the nightly rebuild moved the figures."""
    return periods.take_daily_snapshot(timezone.localdate())


@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=True, max_retries=8)
def send_report_event_mail(event_id: int) -> int:
    """Enqueued on commit by reports.services.reopen_report: the parent's leaders told."""
    return mail.send_event_mail(event_id)
