"""Sending the outbox (reminders.models.OutboxMessage): hand rows to the send task, claim,
send, sweep. What a row's mail says is reminders.emails.

At-least-once delivery with a stable Message-ID per row, and no second send while a
sender lives:

* a sender claims a row by a conditional update (pending → sending) that gives it a
  `claim_token` of its own and stamps `claimed_at`; two workers, or a task delivered
  twice, never both win it;
* rows are sent in small batches over one SMTP connection. Right before each mail the
  sender renews its claim (a conditional update on the rows, its token and "sending"
  that moves `claimed_at` to now), and those of the batch's mails still to come; when
  that matches nothing the claim was swept and maybe taken by another sender, and this
  one skips the mail: it is no longer its own.
  "Sent", "failed" and the release back to pending are conditional on the token too;
* one mail's send is cut off (the socket shut) when the server has not answered within
  KTGS_SMTP_TIMEOUT of the renewal, and the settings refuse a KTGS_OUTBOX_CLAIM_TIMEOUT
  shorter than twice that: a claim renewed before a mail outlives that mail's send, so
  the sweeper never resets a row a live sender is still sending;
* a failure puts the row back to pending with the error and the task retries it with
  backoff; after KTGS_OUTBOX_MAX_ATTEMPTS it is left failed;
* a worker that dies mid-batch stops renewing: the sweeper (beat, every
  KTGS_OUTBOX_SWEEP_EVERY seconds) puts a claim not renewed for KTGS_OUTBOX_CLAIM_TIMEOUT
  back to pending and enqueues it again at once (45 s + 15 s by default: within a minute),
  and re-enqueues pending rows whose task was lost (a broker restarted without
  persistence) after KTGS_OUTBOX_REQUEUE_AFTER. `claimed_at` is written and compared on
  the database's clock, so workers whose clocks differ cannot shorten a claim.

A row can still reach the server twice in one way only: the server accepted it ("250
OK") and the sender never recorded it (killed in between, or the connection cut while the
server was still answering). The retry is then the very same mail (same Message-ID),
which receivers dedupe.

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
import os
import secrets
import smtplib
import socket
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Now
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
    """Put claims not renewed for KTGS_OUTBOX_CLAIM_TIMEOUT back to pending and
    re-enqueue rows whose task was lost; run by beat every KTGS_OUTBOX_SWEEP_EVERY seconds
    (and by tests, at will). `now`: a moment to sweep as of (tests); by default the
    database's clock, the one claims are stamped with.

    A live sender renews its claim right before each mail and a mail's send is cut off
    after KTGS_SMTP_TIMEOUT, at most half the claim timeout, so the claims found here are
    those of senders gone. The reset is one conditional update per status: a renewal
    that commits first makes the row's claim fresh and it is left alone; one that comes
    after finds the row pending and its sender skips the mail."""
    timeout = timedelta(seconds=float(settings.KTGS_OUTBOX_CLAIM_TIMEOUT))
    requeue = timedelta(seconds=float(settings.KTGS_OUTBOX_REQUEUE_AFTER))
    cutoff = Now() - timeout if now is None else now - timeout
    now = now or timezone.now()
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
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


def new_token() -> str:
    """A claim's token: unique to one claim, and saying who made it (host and process)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(8)}"


def claim(ids: list[int]) -> list[OutboxMessage]:
    """The rows this sender won (pending → sending) for the rows `ids`, in id order: a
    row of its own, or every row of its mail_key still pending (one conditional update
    claims a grouped mail's rows all or none). Each mail gets a token of its own
    (`claim_token` on the rows returned): what renew, "sent" and release check."""
    keys = dict(OutboxMessage.objects.filter(pk__in=ids).values_list("pk", "mail_key"))
    won_rows: list[int] = []
    won_keys: set[str] = set()
    tokens: list[str] = []
    for pk in sorted(set(ids)):
        key = keys.get(pk)
        if key is None or key in won_keys:  # gone, or its mail is already ours
            continue
        rows = (
            OutboxMessage.objects.filter(mail_key=key)
            if key
            else OutboxMessage.objects.filter(pk=pk)
        )
        token = new_token()
        if rows.filter(status=Status.PENDING).update(
            status=Status.SENDING, claim_token=token, claimed_at=Now(), attempts=F("attempts") + 1
        ):
            tokens.append(token)
            if key:
                won_keys.add(key)
            else:
                won_rows.append(pk)
    return list(
        OutboxMessage.objects.filter(Q(pk__in=won_rows) | Q(mail_key__in=won_keys))
        .filter(status=Status.SENDING, claim_token__in=tokens)
        .select_related("recipient")
        .order_by("pk")
    )


def by_mail(rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Claimed rows by the mail that carries them: one each, or those of one mail_key."""
    mails: dict[object, list[OutboxMessage]] = {}
    for row in rows:
        mails.setdefault(row.mail_key or row.pk, []).append(row)
    return list(mails.values())


def _held(mail: list[OutboxMessage]):
    """The rows of `mail` while this sender's claim on them stands: every write after the
    claim goes through this filter, so a sender whose claim was swept (and maybe taken
    by another) writes nothing."""
    return OutboxMessage.objects.filter(
        pk__in=[m.pk for m in mail], claim_token=mail[0].claim_token, status=Status.SENDING
    )


def renew(mail: list[OutboxMessage], later: Sequence[list[OutboxMessage]] = ()) -> bool:
    """Renew the claim on `mail` right before sending it, and those on the batch's `later`
    mails (still waiting their turn, they must not look abandoned either); False when
    `mail` is no longer ours (swept back to pending, perhaps claimed by another sender):
    then it must not be sent. The rows of a mail are claimed, renewed and swept together,
    so they match all or none; a token is one claim's, so it names a mail's rows."""
    if not _held(mail).update(claimed_at=Now()):
        return False
    if later:
        OutboxMessage.objects.filter(
            claim_token__in=[rows[0].claim_token for rows in later], status=Status.SENDING
        ).update(claimed_at=Now())
    return True


def _release(mail: list[OutboxMessage], error: str) -> bool:
    """Back to pending for another try, or failed for good; True when it will be retried
    (by this sender's task). Every row of a mail was claimed together, so they share one
    attempt count. A claim already lost releases nothing: the mail is another's now."""
    retry = mail[0].attempts < max_attempts()
    released = _held(mail).update(
        status=Status.PENDING if retry else Status.FAILED,
        last_error=error[:2000],
        enqueued_at=timezone.now(),
    )
    return retry and released > 0


@contextmanager
def send_time_limit(connection, seconds: float) -> Iterator[None]:
    """Shut the SMTP connection's socket when the block (one mail's send) outlasts
    `seconds`: the socket timeout bounds each read, not a server answering a byte at a
    time or a send of several commands, and a mail must be done (or given up) before its
    claim could be swept. The blocked read then fails as a lost connection. Backends
    without a socket (files, memory) run unbounded: they do not wait on anyone."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    if sock is None:
        yield
        return

    def cut() -> None:
        logger.warning("outbox: no answer within %s s; cutting the connection", seconds)
        # socket.socket's own shutdown, not SSLSocket's, which would drop its state under
        # the reading thread's feet: the read fails as a closed connection. OSError: the
        # socket is closed already.
        with suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


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
            _held(rows).update(status=Status.FAILED, last_error=f"render: {error}"[:2000])
    limit = float(settings.KTGS_SMTP_TIMEOUT)
    connection = get_connection(timeout=limit)
    try:
        connection.open()
    except Exception as error:
        logger.warning("outbox: cannot connect: %s", error)
        return [rows[0].pk for rows, _ in mails if _release(rows, f"connect: {error}")]
    try:
        for index, (rows, mail) in enumerate(mails):
            if not renew(rows, later=[waiting for waiting, _mail in mails[index + 1 :]]):
                logger.warning("outbox %s: claim lost before sending; not sent", rows[0].pk)
                continue
            try:
                with send_time_limit(connection, limit):
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
                if not _held(rows).update(status=Status.SENT, sent_at=timezone.now()):
                    # Cannot happen while the settings hold (the claim outlives the
                    # send); if it does, the mail went out and its new holder sends it
                    # again under the same Message-ID.
                    logger.error("outbox %s: sent, but the claim was lost meanwhile", rows[0].pk)
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
