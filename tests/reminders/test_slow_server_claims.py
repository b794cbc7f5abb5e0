"""A slow SMTP server and a short claim timeout: the sweep must not take a live sender's
claims (issue 17's double send). Two real Celery workers on Redis and the test database,
a real SMTP server (aiosmtpd) that takes a second over each DATA and counts every mail by
Message-ID, and the sweep run every half second meanwhile, as beat would.

One batch of BATCH mails takes about BATCH seconds on this server, well past the claim
timeout. Before claims were renewed per mail, the sweep put the batch's unsent rows back
to pending while the first worker was still sending them, the second worker sent them,
and the first sent them again."""

import time

import pytest

from devtools.smtp_sink import SmtpSink
from reminders import scan, sending
from reminders.models import OutboxMessage, ReminderRule
from tests.reminders.test_reminder_delivery import TODAY, make_lagging_units
from tests.scaleout.processes import celery_processes
from tests.worker import STARTUP_TIMEOUT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BATCH = 8
DATA_SECONDS = 1.0  # the server's pause before answering each DATA
SMTP_TIMEOUT = 2.5  # one mail's send is cut off past this; well above DATA_SECONDS
CLAIM_TIMEOUT = 5  # twice SMTP_TIMEOUT, as the settings require; a batch takes ~8 s


@pytest.fixture
def slow_server(smtp_sink):
    smtp_sink.delay = DATA_SECONDS
    return smtp_sink


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def one_batch_of_lagging_units(tree, settings):
    """BATCH cells under B, each behind on a target and with a staff member of its own:
    the day's scan enqueues their BATCH mails as one send task."""
    settings.KTGS_OUTBOX_BATCH = BATCH
    settings.KTGS_OUTBOX_CLAIM_TIMEOUT = CLAIM_TIMEOUT  # the sweep below runs here
    ReminderRule.objects.all().delete()
    make_lagging_units(tree, BATCH, prefix="S")


def test_a_slow_server_outliving_the_claim_timeout_gets_each_mail_once(
    one_batch_of_lagging_units, slow_server, tmp_path
):
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{slow_server.port}",
        "KTGS_OUTBOX_BATCH": str(BATCH),
        "KTGS_OUTBOX_RETRY_BASE": "0.5",
        "KTGS_OUTBOX_RETRY_MAX": "2",
        "KTGS_SMTP_TIMEOUT": str(SMTP_TIMEOUT),
        "KTGS_OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
    }
    with celery_processes(tmp_path, env) as processes:
        first, second = processes.worker("w1"), processes.worker("w2")
        processes.wait_ready()

        started = time.monotonic()
        assert scan.run_daily(TODAY).enqueued == BATCH  # one send task for the whole batch
        first.wait_for(lambda: slow_server.received >= 1, timeout=STARTUP_TIMEOUT,
                       what="the first mail")  # fmt: skip
        # The sweep, as beat runs it, every half second while the batch is being sent
        # (and after); the second worker is idle and takes whatever it enqueues.
        swept = []
        quiet_since = None
        deadline = started + 4 * BATCH * DATA_SECONDS + 20
        while time.monotonic() < deadline:
            swept.append(sending.sweep())
            unsent = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
            received = slow_server.received
            if not unsent and received >= BATCH:
                # Everything is marked sent; a sender still holding a stolen row would
                # send it within a DATA's time: wait for two more.
                quiet_since = quiet_since or (time.monotonic(), received)
                if time.monotonic() - quiet_since[0] > 2.5 * DATA_SECONDS:
                    if slow_server.received == quiet_since[1]:
                        break
                    quiet_since = None
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        for process in (first, second):  # neither died meanwhile
            assert process.process.poll() is None, process.log()

    wanted = sorted(OutboxMessage.objects.values_list("message_id", flat=True))
    assert len(wanted) == BATCH
    statuses = set(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboxMessage.Status.SENT}, statuses
    # The batch outlived the claim timeout, so the sweep ran over a live batch...
    assert elapsed > CLAIM_TIMEOUT + 1 and len(swept) > CLAIM_TIMEOUT * 2
    # ...and each mail reached the server exactly once: none twice, none lost.
    assert slow_server.duplicates() == 0, slow_server.message_ids
    assert sorted(slow_server.message_ids) == wanted
    # The claims were renewed mail by mail: the sweep found none stale to reset.
    assert sum(result["reset"] for result in swept) == 0
    # Each mail was claimed once, by one worker's sending process.
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
