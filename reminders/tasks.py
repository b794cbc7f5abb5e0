"""Celery tasks of reminders: the daily scan that fills the outbox, the send task that
empties it, and the sweeper (reminders.scan writes, reminders.sending sends)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reminders import scan, sending


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def queue_daily_reminders() -> dict:
    """Beat, daily: lag, deadlines and the weekly digest into the outbox, then the
    pending rows handed to send_outbox_messages (this task sends nothing itself)."""
    return scan.run_daily(timezone.localdate()).as_dict()


def _send(task, message_ids: list[int]) -> int:
    retry = sending.send_batch(message_ids)
    if retry:
        raise task.retry(args=[retry], countdown=sending.retry_delay(task.request.retries))
    return len(message_ids)


@shared_task(bind=True, max_retries=None)
def send_outbox_messages(self, message_ids: list[int]) -> int:
    """One small batch of outbox rows over one SMTP connection (enqueued by name from
    reminders.sending). The rows themselves count attempts (and give up after
    KTGS_OUTBOX_MAX_ATTEMPTS), so the task retries whatever the batch handed back, with
    backoff, until nothing is left."""
    return _send(self, message_ids)


# The send task's name before reminders left reports. Its retries wait in the broker with
# a countdown (up to KTGS_OUTBOX_RETRY_MAX), so a deploy finds some queued under this
# name; without it they would be dropped as unregistered and wait for the sweeper. Remove
# it one release after the move. (The old daily and sweep tasks need no alias: beat runs
# inside the worker, so their messages never wait in the broker across a deploy.)
@shared_task(bind=True, max_retries=None, name="reports.tasks.send_reminders")
def send_reminders_under_old_name(self, message_ids: list[int]) -> int:
    return _send(self, message_ids)


@shared_task
def sweep_outbox() -> dict:
    """Beat, every few minutes: stuck claims back to pending, lost tasks re-enqueued."""
    return sending.sweep()
