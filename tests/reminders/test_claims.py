"""The outbox's claims in one process: a token per claim, renewed before each mail, and
nothing written or sent by a sender whose claim was swept; the sweep on the database's
clock; the rule between the claim timeout and the SMTP timeout; one mail's send cut off
when the server stops answering; and the same claims on SQLite (`make run`'s database).
The race itself, with real workers and a slow server, is test_slow_server_claims."""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from devtools.smtp_sink import SmtpSink
from reminders import sending
from reminders.models import OutboxMessage
from tests.factories import UserFactory
from tests.reminders.test_reminders import lag_rule, outbox_row

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


@pytest.fixture
def three_rows(tree):
    """Three reminders of B1 to one person, each a mail of its own."""
    person = UserFactory(username="staff_b1")
    rule = lag_rule()
    return [outbox_row(rule, tree.b1, person, step=f"r{i}") for i in range(3)]


def test_each_mail_is_claimed_with_a_token_of_its_own_saying_who_holds_it(three_rows):
    mails = sending.by_mail(sending.claim([row.pk for row in three_rows]))
    tokens = [rows[0].claim_token for rows in mails]
    assert len(set(tokens)) == 3
    host, pid, _random = tokens[0].split(":")
    assert pid == str(os.getpid()) and host
    stored = set(OutboxMessage.objects.values_list("status", "claim_token"))
    assert stored == {(Status.SENDING, token) for token in tokens}


def test_a_sender_whose_claim_was_swept_sends_and_writes_nothing(three_rows, settings):
    ids = [row.pk for row in three_rows]
    first = sending.by_mail(sending.claim(ids))  # sender A, then silent past the timeout
    settings.KTGS_OUTBOX_CLAIM_TIMEOUT = 45
    assert sending.sweep(now=timezone.now() + timedelta(seconds=46))["reset"] == 3
    assert sending.send_batch(ids) == []  # sender B takes the mails and sends them
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        row.message_id for row in three_rows
    )
    # A comes back: its claim is gone, so it may neither send nor touch the rows.
    assert sending.renew(first[0]) is False
    statuses = set(OutboxMessage.objects.values_list("status", "attempts"))
    assert statuses == {(Status.SENT, 2)}
    b_tokens = set(OutboxMessage.objects.values_list("claim_token", flat=True))
    assert not b_tokens & {rows[0].claim_token for rows in first}


def test_renewing_before_each_mail_keeps_the_batch_from_the_sweep(three_rows, settings):
    """The sweep compares with the database's clock: a claim renewed now is fresh, the
    batch's mails still to come are renewed with it, one left as it was is stale."""
    settings.KTGS_OUTBOX_CLAIM_TIMEOUT = 45
    first, second, third = sending.by_mail(sending.claim([row.pk for row in three_rows]))
    assert sending.sweep()["reset"] == 0  # just claimed
    OutboxMessage.objects.update(claimed_at=timezone.now() - timedelta(minutes=2))
    assert sending.renew(first, later=[second]) is True
    swept = sending.sweep()
    assert swept["reset"] == 1
    assert set(
        OutboxMessage.objects.filter(status=Status.PENDING).values_list("pk", flat=True)
    ) == {third[0].pk}


def test_a_claim_timeout_under_twice_the_smtp_timeout_stops_the_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ktgs.settings", "DJANGO_DEBUG": "1",
           "KTGS_SMTP_TIMEOUT": "30", "KTGS_OUTBOX_CLAIM_TIMEOUT": "45"}  # fmt: skip
    code = "import django; django.setup()"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, cwd=django_settings.BASE_DIR, timeout=60)  # fmt: skip
    assert refused.returncode != 0
    assert "KTGS_OUTBOX_CLAIM_TIMEOUT (45 s) must be at least twice" in refused.stderr
    env["KTGS_OUTBOX_CLAIM_TIMEOUT"] = "60"
    started = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, cwd=django_settings.BASE_DIR, timeout=60)  # fmt: skip
    assert started.returncode == 0, started.stderr


def test_the_defaults_bring_a_dead_workers_mails_back_within_a_minute():
    claim, sweep_every = (
        django_settings.KTGS_OUTBOX_CLAIM_TIMEOUT,
        django_settings.KTGS_OUTBOX_SWEEP_EVERY,
    )
    assert claim + sweep_every <= 60
    assert claim >= 2 * django_settings.KTGS_SMTP_TIMEOUT
    entry = django_settings.CELERY_BEAT_SCHEDULE["reminders-outbox-sweep"]
    assert entry["schedule"] == sweep_every


def test_a_server_that_stops_answering_is_cut_off_at_the_send_limit(settings):
    sink = SmtpSink(hold_after=0, hold_seconds=8).start()  # the first RCPT hangs 8 s
    try:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host="127.0.0.1", port=sink.port, timeout=30, use_tls=False, use_ssl=False,
            username="", password="",
        )  # fmt: skip
        connection.open()
        message = EmailMessage("s", "b", "from@example.test", ["to@example.test"])
        started = time.monotonic()
        # A lost connection (SMTPServerDisconnected is an OSError), as the batch sees it.
        with pytest.raises(OSError), sending.send_time_limit(connection, 1.0):
            connection.send_messages([message])
        assert time.monotonic() - started < 4  # not the socket's 30 s, nor the server's 8
        assert sink.received == 0
    finally:
        sink.stop()


def test_claims_renewals_and_the_sweep_work_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ktgs.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ktgs.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "KTGS_VAR_DIR": str(tmp_path),
    }
    run = subprocess.run([sys.executable, "-m", "tests.reminders.sqlite_claims"], env=env,
                         capture_output=True, text=True, cwd=django_settings.BASE_DIR,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {
        "claimed": 3,
        "tokens": 3,
        "fresh_reset": 0,  # the database's clock: a claim just made is not stale
        "renewed": True,
        "stale_reset": 2,  # the two mails not renewed for a minute
        "b_retry": [],
        "a_renews_swept": False,  # A's swept mail is B's now
        "a_still_holds_first": True,
        "sent": ["<ktgs.sqlite1@localhost>", "<ktgs.sqlite2@localhost>"],
        "statuses": ["sending", "sent", "sent"],
    }
