"""Sending the outbox (reminders.models.OutboxMessage): hand rows to the send task, claim,
send, sweep. What a row's mail says is reminders.emails.

At-least-once delivery with a stable Message-ID per row:

* a sender claims a row by a conditional update (pending → sending); two workers, or a
  task delivered twice, never both send it;
* rows are sent in small batches over one SMTP connection, each marked sent right after
  the server accepted it;
* a failure puts the row back to pending with the error and the task retries it with
  backoff; after KTGS_OUTBOX_MAX_ATTEMPTS it is left failed;
* a worker that dies mid-batch leaves rows "sending": the sweeper puts a claim older than
  KTGS_OUTBOX_CLAIM_TIMEOUT back to pending, and re-enqueues pending rows whose task was
  lost (a broker restarted without persistence) after KTGS_OUTBOX_REQUEUE_AFTER.

Only a worker killed between the server's "250 OK" and the row's update can send a row
twice; the retry is then the very same mail (same Message-ID), which receivers dedupe.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reminders import emails
from reminders.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# The send task (reminders.tasks.send_outbox_messages), enqueued by name: the task calls
# this module, so importing the task here would make a cycle.
SEND_TASK = "reminders.tasks.send_outbox_messages"


def batch_size() -> int:
    return int(settings.KTGS_OUTBOX_BATCH)


def max_attempts() -> int:
    return int(settings.KTGS_OUTBOX_MAX_ATTEMPTS)


def retry_delay(retries: int) -> float:
    """Seconds before the next try: doubling from KTGS_OUTBOX_RETRY_BASE, capped."""
    base = float(settings.KTGS_OUTBOX_RETRY_BASE)
    return min(base * 2**retries, float(settings.KTGS_OUTBOX_RETRY_MAX))


def _enqueue_on_commit(ids: list[int]) -> None:
    transaction.on_commit(lambda: current_app.send_task(SEND_TASK, args=[ids]))


# --- enqueueing ----------------------------------------------------------------------


def enqueue_pending(*, requeue_before=None) -> int:
    """Hand pending rows to the send task in batches, once this transaction commits.

    Rows never enqueued go first; with `requeue_before` also rows enqueued before that
    moment (their task was lost). Enqueueing a row twice is harmless: the claim decides.
    """
    rows = OutboxMessage.objects.filter(status=Status.PENDING)
    never = list(rows.filter(enqueued_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    stale = []
    if requeue_before is not None:
        stale = list(
            rows.filter(enqueued_at__lt=requeue_before).order_by("pk").values_list("pk", flat=True)
        )
    ids = never + stale
    size = batch_size()
    now = timezone.now()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        OutboxMessage.objects.filter(pk__in=batch).update(enqueued_at=now)
        _enqueue_on_commit(batch)
    return len(ids)


def sweep(now=None) -> dict:
    """Put claims older than the timeout back to pending and re-enqueue rows whose task
    was lost; run by beat every few minutes (and by tests, at will)."""
    now = now or timezone.now()
    timeout = timedelta(seconds=float(settings.KTGS_OUTBOX_CLAIM_TIMEOUT))
    requeue = timedelta(seconds=float(settings.KTGS_OUTBOX_REQUEUE_AFTER))
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - timeout)
    # Rows that used up their attempts while stuck are failed, not retried for ever.
    failed = stuck.filter(attempts__gte=max_attempts()).update(
        status=Status.FAILED, last_error="claim timed out (worker lost?)"
    )
    reset = stuck.update(
        status=Status.PENDING, enqueued_at=None, last_error="claim timed out (worker lost?)"
    )
    requeued = enqueue_pending(requeue_before=now - requeue)
    if reset or failed:
        logger.warning("outbox sweep: %d stuck claims reset, %d failed", reset, failed)
    return {"reset": reset, "failed": failed, "enqueued": requeued}


# --- sending -------------------------------------------------------------------------


def claim(ids: list[int]) -> list[OutboxMessage]:
    """The rows of `ids` this sender won (pending → sending), in id order."""
    now = timezone.now()
    won = [
        pk
        for pk in sorted(set(ids))
        if OutboxMessage.objects.filter(pk=pk, status=Status.PENDING).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    ]
    return list(OutboxMessage.objects.filter(pk__in=won).select_related("recipient").order_by("pk"))


def _release(message: OutboxMessage, error: str) -> bool:
    """Back to pending for another try, or failed for good; True when it will be retried."""
    retry = message.attempts < max_attempts()
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.PENDING if retry else Status.FAILED,
        last_error=error[:2000],
        enqueued_at=timezone.now(),
    )
    return retry


# Errors after which the connection cannot be trusted for the rest of the batch. Checked
# before smtplib.SMTPException, which is itself an OSError: a refused recipient (4xx/5xx)
# concerns one message, and the connection goes on with the next.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def _is_connection_error(error: Exception) -> bool:
    return isinstance(error, CONNECTION_ERRORS) or not isinstance(error, smtplib.SMTPException)


def send_batch(ids: list[int]) -> list[int]:
    """Claim and send the rows of `ids` over one connection; returns the ids to retry."""
    messages = claim(ids)
    if not messages:
        return []
    retry: list[int] = []
    mails = []
    for message in messages:
        try:
            mails.append((message, emails.render(message)))
        except Exception as error:  # a template bug: retrying would not help
            logger.exception("outbox %s: cannot render", message.pk)
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=Status.FAILED, last_error=f"render: {error}"[:2000]
            )
    connection = get_connection(timeout=float(settings.KTGS_SMTP_TIMEOUT))
    try:
        connection.open()
    except Exception as error:
        logger.warning("outbox: cannot connect: %s", error)
        return [m.pk for m, _ in mails if _release(m, f"connect: {error}")]
    try:
        for index, (message, mail) in enumerate(mails):
            try:
                sent = connection.send_messages([mail])
            except OSError as error:
                reason = f"{type(error).__name__}: {error}"
                if not _is_connection_error(error):
                    if _release(message, reason):
                        retry.append(message.pk)
                    continue
                # This row and the rest of the batch go back; a new connection next time.
                for later, _mail in mails[index:]:
                    if _release(later, reason):
                        retry.append(later.pk)
                break
            if sent:
                OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
                    status=Status.SENT, sent_at=timezone.now()
                )
            elif _release(message, "not sent"):
                retry.append(message.pk)
    finally:
        try:
            connection.close()
        except Exception:  # the connection is already gone; nothing to tidy
            logger.debug("outbox: closing a broken connection", exc_info=True)
    return retry


def send_pending_now(limit: int | None = None) -> int:
    """Send every pending row in this process, batch by batch, one try each (for
    `send_reminders_now --sync` and the demo); returns how many were sent."""
    ids = list(
        OutboxMessage.objects.filter(status=Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:limit]
    size = batch_size()
    for start in range(0, len(ids), size):
        send_batch(ids[start : start + size])
    return OutboxMessage.objects.filter(pk__in=ids, status=Status.SENT).count()
