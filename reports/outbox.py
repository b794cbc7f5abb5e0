"""Sending the outbox (reports.models.OutboxMessage): claim, render, send, sweep.

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
from datetime import date, timedelta
from fractions import Fraction

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from reports import progress
from reports.models import OutboxMessage

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "reports.digest-unsubscribe"
Status = OutboxMessage.Status


def _setting(name: str, default):
    return getattr(settings, name, default)


def batch_size() -> int:
    return int(_setting("KTGS_OUTBOX_BATCH", 20))


def max_attempts() -> int:
    return int(_setting("KTGS_OUTBOX_MAX_ATTEMPTS", 8))


def retry_delay(retries: int) -> float:
    """Seconds before the next try: doubling from KTGS_OUTBOX_RETRY_BASE, capped."""
    base = float(_setting("KTGS_OUTBOX_RETRY_BASE", 30))
    return min(base * 2**retries, float(_setting("KTGS_OUTBOX_RETRY_MAX", 1800)))


# --- enqueueing ----------------------------------------------------------------------


def enqueue_pending(*, requeue_before=None) -> int:
    """Hand pending rows to the send task in batches, once this transaction commits.

    Rows never enqueued go first; with `requeue_before` also rows enqueued before that
    moment (their task was lost). Enqueueing a row twice is harmless: the claim decides.
    """
    from reports import tasks

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
        tasks.send_reminders.delay_on_commit(batch)
    return len(ids)


def sweep(now=None) -> dict:
    """Put claims older than the timeout back to pending and re-enqueue rows whose task
    was lost; run by beat every few minutes (and by tests, at will)."""
    now = now or timezone.now()
    timeout = timedelta(seconds=float(_setting("KTGS_OUTBOX_CLAIM_TIMEOUT", 600)))
    requeue = timedelta(seconds=float(_setting("KTGS_OUTBOX_REQUEUE_AFTER", 600)))
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


# --- rendering -----------------------------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"user": user_id, "what": "digest"}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("what") != "digest":
        return None
    user = data.get("user")
    return user if isinstance(user, int) else None


def unsubscribe_url(user_id: int) -> str:
    path = reverse("reports:digest_unsubscribe", args=[unsubscribe_token(user_id)])
    return settings.SITE_URL.rstrip("/") + path


def _reasons(reasons: list[dict], language: str) -> list[str]:
    return [progress.LagReason(**reason).describe(language) for reason in reasons]


def _context(message: OutboxMessage) -> dict:
    data = dict(message.context)
    language = message.language
    for name in ("as_of", "due_on", "work_ends_on"):
        if data.get(name):
            data[name] = date.fromisoformat(data[name])
    if "reasons" in data:
        data["reasons"] = _reasons(data["reasons"], language)
    for name in ("completion", "forecast"):
        if data.get(name) is not None:
            data[name] = Fraction(data[name])
    if "units" in data:
        data["units"] = [
            {
                **u,
                "reasons": _reasons(u["reasons"], language),
                "forecast": Fraction(u["forecast"]) if u.get("forecast") is not None else None,
            }
            for u in data["units"]
        ]
        data["more"] = max(0, data.get("total", 0) - len(data["units"]))
    if "kind" in data:
        data["kind_label"] = progress.kind_label(data["kind"], language)
    data["message"] = message
    data["recipient_name"] = str(message.recipient) if message.recipient_id else ""
    if message.kind == OutboxMessage.Kind.DIGEST:
        data["unsubscribe_url"] = unsubscribe_url(message.recipient_id)
    return data


def render(message: OutboxMessage) -> EmailMultiAlternatives:
    """The mail of one row, in the recipient's language as it was when the row was
    written; the same row always renders the same mail."""
    with translation.override(message.language):
        context = _context(message)
        prefix = f"emails/{message.kind}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    headers = {"Message-ID": message.message_id}
    if message.kind == OutboxMessage.Kind.DIGEST:
        # RFC 8058: mail clients offer their own one-click unsubscribe (a POST).
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail = EmailMultiAlternatives(subject=subject, body=text, to=[message.email], headers=headers)
    mail.attach_alternative(html, "text/html")
    return mail


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
            mails.append((message, render(message)))
        except Exception as error:  # a template bug: retrying would not help
            logger.exception("outbox %s: cannot render", message.pk)
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=Status.FAILED, last_error=f"render: {error}"[:2000]
            )
    connection = get_connection(timeout=float(_setting("KTGS_SMTP_TIMEOUT", 60)))
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
