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

One mail per person and day for lag: before rows are first handed to the send task
(`pack`, from enqueue_pending), a person's pending lag rows (reminders.models
.MAIL_FAMILIES) that were never tried are given one `mail_key`, the Message-ID of the
mail that carries them all.
From then on the key is the unit of sending: a claim, a "sent", a release and the
sweeper's reset each change every row of the key in one conditional update, so the
rows of a mail share one status and one attempt count, and a retry is the same mail
(same Message-ID, same rows less any cancelled meanwhile). A row still counts once: it
is written once per (rule, unit, period, step, recipient) and is in at most one mail.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from reminders import emails
from reminders.models import MAIL_FAMILIES, OutboxMessage
from reminders.writer import grouped_message_id

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


# --- grouping -------------------------------------------------------------------------


def pack(*, created_before=None) -> int:
    """Give each person's pending, never tried rows of one family (MAIL_FAMILIES) one
    mail_key, the Message-ID of the mail that carries them, when there are two or more;
    returns how many rows were packed. `created_before`: only rows written before then
    (the sweeper's: not the rows of a scan still running).

    A row already tried (attempts > 0) is never packed: it may have reached the server
    under its own Message-ID. The update is conditional (mail_key still blank, still
    pending, never tried), so a row goes in one mail only, whoever packs at the same time.
    """
    rows = OutboxMessage.objects.filter(
        status=Status.PENDING, mail_key="", attempts=0, kind__in=list(MAIL_FAMILIES)
    )
    if created_before is not None:
        rows = rows.filter(created_at__lt=created_before)
    groups: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    for pk, user_id, email, language, kind, message_id in rows.order_by("pk").values_list(
        "pk", "recipient_id", "email", "language", "kind", "message_id"
    ):
        groups[(user_id, email, language, MAIL_FAMILIES[OutboxMessage.Kind(kind)])].append(
            (pk, message_id)
        )
    packed = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        key = grouped_message_id([message_id for _pk, message_id in members])
        packed += OutboxMessage.objects.filter(
            pk__in=[pk for pk, _message_id in members],
            status=Status.PENDING,
            mail_key="",
            attempts=0,
        ).update(mail_key=key)
    return packed


def _leads(rows) -> list[int]:
    """One row id per mail among `rows` (the lowest of a grouped mail's): what is handed
    to the send task, which claims the whole mail from it."""
    seen: set[str] = set()
    leads = []
    for pk, key in rows.order_by("pk").values_list("pk", "mail_key"):
        if key:
            if key in seen:
                continue
            seen.add(key)
        leads.append(pk)
    return leads


# --- enqueueing ----------------------------------------------------------------------


def enqueue_pending(*, requeue_before=None) -> int:
    """Pack the pending lag rows into mails (pack), then hand the pending mails to the
    send task in batches, once this transaction commits; returns how many mails.

    Rows never enqueued go first; with `requeue_before` (the sweeper) those put back
    after a stuck claim, rows never tried only when written before that moment (a scan
    still running packs and enqueues its own), and rows enqueued before it (their task
    was lost). Enqueueing a mail twice is harmless: the claim decides.
    """
    pack(created_before=requeue_before)
    rows = OutboxMessage.objects.filter(status=Status.PENDING)
    never = rows.filter(enqueued_at__isnull=True)
    if requeue_before is not None:
        # Claims the sweeper has just put back go at once; rows never tried only when
        # their scan is surely over.
        never = never.filter(Q(created_at__lt=requeue_before) | Q(attempts__gt=0))
    ids = _leads(never)
    if requeue_before is not None:
        first = set(ids)
        ids += [pk for pk in _leads(rows.filter(enqueued_at__lt=requeue_before)) if pk not in first]
    size = batch_size()
    now = timezone.now()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        keys = OutboxMessage.objects.filter(pk__in=batch).exclude(mail_key="")
        rows.filter(
            Q(pk__in=batch) | Q(mail_key__in=keys.values_list("mail_key", flat=True))
        ).update(enqueued_at=now)
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
    """The rows this sender won (pending → sending) for the rows `ids`, in id order: a
    row of its own, or every row of its mail_key still pending (one conditional update
    claims a grouped mail's rows all or none)."""
    now = timezone.now()
    keys = dict(OutboxMessage.objects.filter(pk__in=ids).values_list("pk", "mail_key"))
    won_rows: list[int] = []
    won_keys: set[str] = set()
    for pk in sorted(set(ids)):
        key = keys.get(pk)
        if key is None or key in won_keys:  # gone, or its mail is already ours
            continue
        rows = (
            OutboxMessage.objects.filter(mail_key=key)
            if key
            else OutboxMessage.objects.filter(pk=pk)
        )
        if rows.filter(status=Status.PENDING).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        ):
            if key:
                won_keys.add(key)
            else:
                won_rows.append(pk)
    return list(
        OutboxMessage.objects.filter(Q(pk__in=won_rows) | Q(mail_key__in=won_keys))
        .filter(status=Status.SENDING)
        .select_related("recipient")
        .order_by("pk")
    )


def by_mail(rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Claimed rows by the mail that carries them: one each, or those of one mail_key."""
    mails: dict[object, list[OutboxMessage]] = {}
    for row in rows:
        mails.setdefault(row.mail_key or row.pk, []).append(row)
    return list(mails.values())


def _release(mail: list[OutboxMessage], error: str) -> bool:
    """Back to pending for another try, or failed for good; True when it will be retried.
    Every row of a mail was claimed together, so they share one attempt count."""
    retry = mail[0].attempts < max_attempts()
    OutboxMessage.objects.filter(pk__in=[m.pk for m in mail], status=Status.SENDING).update(
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
    """Claim and send the mails of the rows `ids` over one connection; returns the row
    ids to retry (one per mail)."""
    claimed = by_mail(claim(ids))
    if not claimed:
        return []
    retry: list[int] = []
    mails = []
    for rows in claimed:
        try:
            mails.append((rows, emails.render_mail(rows)))
        except Exception as error:  # a template bug: retrying would not help
            logger.exception("outbox %s: cannot render", rows[0].pk)
            OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).update(
                status=Status.FAILED, last_error=f"render: {error}"[:2000]
            )
    connection = get_connection(timeout=float(settings.KTGS_SMTP_TIMEOUT))
    try:
        connection.open()
    except Exception as error:
        logger.warning("outbox: cannot connect: %s", error)
        return [rows[0].pk for rows, _ in mails if _release(rows, f"connect: {error}")]
    try:
        for index, (rows, mail) in enumerate(mails):
            try:
                sent = connection.send_messages([mail])
            except OSError as error:
                reason = f"{type(error).__name__}: {error}"
                if not _is_connection_error(error):
                    if _release(rows, reason):
                        retry.append(rows[0].pk)
                    continue
                # This mail and the rest of the batch go back; a new connection next time.
                for later, _mail in mails[index:]:
                    if _release(later, reason):
                        retry.append(later[0].pk)
                break
            if sent:
                OutboxMessage.objects.filter(
                    pk__in=[m.pk for m in rows], status=Status.SENDING
                ).update(status=Status.SENT, sent_at=timezone.now())
            elif _release(rows, "not sent"):
                retry.append(rows[0].pk)
    finally:
        try:
            connection.close()
        except Exception:  # the connection is already gone; nothing to tidy
            logger.debug("outbox: closing a broken connection", exc_info=True)
    return retry


def send_pending_now(limit: int | None = None) -> int:
    """Send every pending mail in this process, batch by batch, one try each (for
    `send_reminders_now --sync` and the demo); returns how many mails were sent."""
    pack()
    pending = OutboxMessage.objects.filter(status=Status.PENDING)
    ids = _leads(pending)[:limit]
    keys = set(pending.filter(pk__in=ids).exclude(mail_key="").values_list("mail_key", flat=True))
    size = batch_size()
    for start in range(0, len(ids), size):
        send_batch(ids[start : start + size])
    sent = OutboxMessage.objects.filter(Q(pk__in=ids) | Q(mail_key__in=keys), status=Status.SENT)
    return len({key or pk for pk, key in sent.values_list("pk", "mail_key")})
