"""`make bench`, the reminder figures: F9 (the daily lag scan writing the outbox for the
whole dataset) and F10 (sending through a local SMTP server, re-run and killed). Every
write happens inside a transaction that is rolled back."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from devtools.bench.measure import Rollback, median_ms
from devtools.smtp_sink import SmtpSink
from ktgs.models import Organization, Role, User
from reminders import scan, sending
from reminders.models import OutboxMessage, ReminderRule


def _reminder_cast(root: Organization) -> None:
    """F9/F10: someone to write to. The synthetic tree has no users: give every
    upper-grassroots unit a staff member and every provincial unit a leader (inside the
    caller's rolled-back transaction), so every lagging unit below has recipients."""

    ReminderRule.objects.update(is_active=False)
    for kind in ("lag", "target_due", "case_overdue"):
        ReminderRule.objects.create(
            name=f"bench {kind}", kind=kind, days_before=[14, 3] if kind == "target_due" else [],
            skip_weekends=False, skip_holidays=False,
        )  # fmt: skip
    units = list(
        Organization.objects.filter(
            path__startswith=root.path, level__in=["provincial", "upper_grassroots"]
        ).values_list("pk", "level")
    )
    users = User.objects.bulk_create(
        [User(username=f"bench-r-{pk}", email=f"bench-r-{pk}@example.test") for pk, _ in units]
    )
    Role.objects.bulk_create(
        [
            Role(user=user, organization_id=pk,
                 kind=Role.Kind.LEADER if level == "provincial" else Role.Kind.STAFF)
            for user, (pk, level) in zip(users, units, strict=True)
        ]
    )  # fmt: skip


def reminder_scan(root: Organization, today: date) -> tuple[float, int]:
    """F9: the daily scan (lag from the roll-up table, due targets, overdue cases) writing
    the outbox for the whole dataset; median ms (each run writes every row afresh) and
    how many rows one run writes. Rolled back afterwards."""

    inserted = 0

    def once() -> None:
        nonlocal inserted
        try:
            with transaction.atomic():
                inserted = scan.run_daily(today, enqueue=False).inserted
                raise Rollback
        except Rollback:
            pass

    try:
        with transaction.atomic():
            _reminder_cast(root)
            OutboxMessage.objects.all().delete()
            ms = median_ms(once)
            raise Rollback
    except Rollback:
        pass
    return ms, inserted


def reminder_sending(root: Organization, today: date, n: int = 200) -> dict:
    """F10: n reminders sent in batches (reminders.sending.send_batch, the send task's body)
    to a local aiosmtpd server; then the day's scan and the same send tasks run again, and
    a batch is killed after its claim (its rows left "sending") and swept: how many SMTP
    connections were opened, mails received, and duplicates by Message-ID. The real worker
    killed mid-batch and Redis restarted are tests/reminders/test_reminder_delivery.py."""

    sink = SmtpSink().start()
    result: dict = {}
    try:
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
            ),
            transaction.atomic(),
        ):  # fmt: skip
            _reminder_cast(root)
            OutboxMessage.objects.all().delete()
            scan.run_daily(today, enqueue=False)
            ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
            sent_ids, killed_ids = ids[:n], ids[n : n + sending.batch_size()]
            size = sending.batch_size()
            batches = [sent_ids[i : i + size] for i in range(0, len(sent_ids), size)]
            for batch in batches:
                sending.send_batch(batch)
            result["connections"] = sink.connections
            result["expected_connections"] = len(batches)
            # Re-run: the day's scan again, and every send task delivered a second time.
            scan.run_daily(today, enqueue=False)
            for batch in batches:
                sending.send_batch(batch)
            # Killed: a batch claimed by a worker that died before the server accepted
            # anything; the sweeper puts it back and it is sent once.
            sending.claim(killed_ids)
            with override_settings(KTGS_OUTBOX_CLAIM_TIMEOUT=0):
                sending.sweep(now=timezone.now() + timedelta(seconds=1))
            sending.send_batch(killed_ids)
            sending.send_batch(killed_ids)
            result["received"] = sink.received
            result["expected"] = len(sent_ids) + len(killed_ids)
            result["duplicates"] = sink.duplicates()
            raise Rollback
    except Rollback:
        pass
    finally:
        sink.stop()
    return result
