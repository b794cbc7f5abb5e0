"""Reminders the whole way: the daily scan writes the outbox, Redis carries the send tasks,
a real Celery worker sends over SMTP to a real server (aiosmtpd) that counts every mail
by Message-ID. Faults: the server refusing for a while, the worker killed mid-batch,
Redis restarted mid-run — every due mail arrives exactly once each time."""

import math
import shutil
import subprocess
import time
from datetime import date

import pytest
import redis
from django.utils import timezone

from devtools.smtp_sink import SmtpSink, free_port
from ktgs import celery_app
from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders import scan, sending, tasks
from reminders.models import OutboxMessage, ReminderRule
from reports import engine
from reports.engine import periods
from tests.factories import OrganizationFactory, UserFactory
from tests.reports.test_rollup import programme, target

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 6, 3)  # a Wednesday; every unit below has 0 of 4 done, ~1.7 expected
UNITS = 12
BATCH = 5
WORKER_ENV = {
    "KTGS_OUTBOX_BATCH": str(BATCH),
    "KTGS_OUTBOX_RETRY_BASE": "0.5",
    "KTGS_OUTBOX_RETRY_MAX": "2",
    "KTGS_SMTP_TIMEOUT": "20",
}


@pytest.fixture
def smtp_server():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def celery_worker_env(smtp_server):
    return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", **WORKER_ENV}


@pytest.fixture
def lagging_units(tree, settings):
    """UNITS cells under B, each behind on a target and with a staff member of its own."""
    settings.KTGS_OUTBOX_BATCH = BATCH
    ReminderRule.objects.all().delete()  # the migration's rules (if any survived a flush)
    make_lagging_units(tree, UNITS, prefix="X")


def make_lagging_units(tree, count: int, *, prefix: str) -> None:
    """A lag rule, and `count` cells under B, each behind on a target (4 planned, none
    done) with a staff member of its own; the progress table rebuilt as of TODAY."""
    periods.ensure_periods(2026)
    ReminderRule.objects.create(name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG,
                                repeat_every_days=7, escalate_after_days=14)  # fmt: skip
    prog = programme(tree.province)
    for i in range(count):
        cell = OrganizationFactory(parent=tree.b, code=f"B-{prefix}{i}", name=f"Chi bộ chậm {i}")
        target(prog, cell, quantity=4)
        person = UserFactory(username=f"canbo_{prefix.lower()}{i}")
        ktgs_services.grant_role(user=person, organization=cell, kind=Role.Kind.STAFF)
    engine.rebuild(TODAY)


def all_sent(worker, *, timeout=60):
    def done():
        return not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()

    try:
        worker.wait_for(done, timeout=timeout, what="every outbox row to be sent")
    except pytest.fail.Exception as failure:
        rows = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT)
        unsent = list(rows.values_list("pk", "status", "attempts", "last_error"))
        pytest.fail(f"not sent: {unsent}\n{failure}")


def assert_each_once(sink: SmtpSink):
    wanted = set(OutboxMessage.objects.values_list("message_id", flat=True))
    assert len(wanted) == UNITS
    assert sorted(sink.message_ids) == sorted(wanted), sink.message_ids  # each exactly once


def test_reminders_arrive_once_in_batches_and_a_second_run_sends_nothing(
    lagging_units,
    smtp_server,
    celery_worker_process,
):
    first = scan.run_daily(TODAY)
    assert (first.inserted, first.enqueued) == (UNITS, UNITS)
    all_sent(celery_worker_process)
    assert_each_once(smtp_server)
    assert smtp_server.connections == math.ceil(UNITS / BATCH)

    again = scan.run_daily(TODAY)
    assert (again.inserted, again.enqueued) == (0, 0)
    time.sleep(2)  # anything wrongly enqueued would have reached the server by now
    assert_each_once(smtp_server)


def test_a_server_refusing_for_a_while_gets_every_mail_once_after_backoff(
    lagging_units,
    smtp_server,
    celery_worker_process,
):
    smtp_server.refuse_first = 2 * UNITS  # every row is refused once or more, then accepted
    scan.run_daily(TODAY)
    all_sent(celery_worker_process)
    assert smtp_server.refused == 2 * UNITS
    assert_each_once(smtp_server)
    retried = OutboxMessage.objects.filter(attempts__gt=1)
    assert retried.count() == UNITS
    assert all("451" in m.last_error for m in retried)  # the failure is on record


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    lagging_units,
    smtp_server,
    celery_worker_process,
    settings,
):
    smtp_server.hold_after = 3  # the 4th mail hangs at RCPT: the server has not accepted it
    scan.run_daily(TODAY)
    celery_worker_process.wait_for(lambda: smtp_server.holding, what="the 4th mail to hang")
    celery_worker_process.kill()
    killed_at = timezone.now()
    stuck = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING)
    assert stuck.count() == BATCH - 3  # claimed by the dead worker, not sent
    assert smtp_server.received == 3

    celery_worker_process.restart()  # takes the batches still queued in Redis
    celery_worker_process.wait_for(
        lambda: OutboxMessage.objects.filter(status="sent").count() == UNITS - stuck.count(),
        what="the queued batches",
    )
    # The sweeper (beat, every few minutes) finds the dead worker's claims stale.
    settings.KTGS_OUTBOX_CLAIM_TIMEOUT = 0
    assert sending.sweep(now=killed_at)["reset"] == BATCH - 3
    all_sent(celery_worker_process)
    assert_each_once(smtp_server)
    # A re-run of the day's task, or the same batch delivered again, sends nothing more.
    scan.run_daily(TODAY)
    again = list(OutboxMessage.objects.values_list("pk", flat=True)[:BATCH])
    tasks.send_outbox_messages.delay(again)
    time.sleep(2)
    assert_each_once(smtp_server)


@pytest.fixture
def units_without_programme(tree, settings, programme_rules):
    """UNITS cells under B that have not issued their 2026 programme (the province has),
    each with a staff member of its own, under a no_programme rule for cells."""
    settings.KTGS_OUTBOX_BATCH = BATCH
    ReminderRule.objects.all().delete()
    periods.ensure_periods(2026)
    ReminderRule.objects.create(name="Nhắc chưa có chương trình", levels=["cell"],
                                kind=ReminderRule.Kind.NO_PROGRAMME,
                                repeat_every_days=7, escalate_after_days=14)  # fmt: skip
    programme(tree.province)
    for i in range(UNITS):
        cell = OrganizationFactory(parent=tree.b, code=f"B-P{i}", name=f"Chi bộ chưa có {i}")
        person = UserFactory(username=f"canbo_p{i}")
        ktgs_services.grant_role(user=person, organization=cell, kind=Role.Kind.STAFF)
    engine.rebuild(TODAY)


def test_no_programme_reminders_arrive_once_and_a_second_run_sends_nothing(
    units_without_programme,
    smtp_server,
    celery_worker_process,
):
    first = scan.run_daily(TODAY)
    # One to each cell's staff (B1 and A1a have no staff of their own, nobody above).
    assert (first.inserted, first.enqueued) == (UNITS, UNITS)
    assert set(OutboxMessage.objects.values_list("kind", flat=True)) == {"no_programme"}
    all_sent(celery_worker_process)
    assert_each_once(smtp_server)
    again = scan.run_daily(TODAY)
    assert (again.inserted, again.enqueued) == (0, 0)
    time.sleep(2)
    assert_each_once(smtp_server)


# --- Redis restarted mid-run (a private Redis: never the machine's shared one) -----------


@pytest.fixture
def private_redis(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (scripts/system-packages.sh test)"
    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(tmp_path)]  # fmt: skip

    class Private:
        url = f"redis://127.0.0.1:{port}/0"
        process: subprocess.Popen

        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            client = redis.Redis(port=port)
            for _ in range(100):
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
            pytest.fail("the private redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    private = Private()
    private.start()
    yield private
    private.stop()


def _use_broker(url: str | None) -> None:
    # broker_write_url, not broker_url: celery reads a CELERY_BROKER_URL environment
    # variable (set by `make test`) before conf.broker_url, but conf.broker_write_url first.
    celery_app.conf.broker_write_url = url
    # The producer pool was made for the old URL; drop it so the next publish reconnects.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_broker(private_redis, settings):
    settings.CELERY_BROKER_URL = private_redis.url
    _use_broker(private_redis.url)
    yield private_redis
    _use_broker(None)


@pytest.fixture
def redis_worker_env(private_broker, smtp_server):
    return {
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "CELERY_BROKER_URL": private_broker.url,
        **WORKER_ENV,
    }


class TestRedisRestart:
    @pytest.fixture
    def celery_worker_env(self, redis_worker_env):
        return redis_worker_env

    def test_redis_restarted_mid_run_loses_nothing_and_sends_nothing_twice(
        self,
        lagging_units,
        smtp_server,
        private_broker,
        celery_worker_process,
        settings,
    ):
        smtp_server.delay = 0.4  # slow enough to pull the broker out from under the run
        scan.run_daily(TODAY)
        celery_worker_process.wait_for(lambda: smtp_server.received >= 2, what="a first mail")
        private_broker.stop()  # the queued batches die with it (no persistence)
        private_broker.start()
        settings.KTGS_OUTBOX_CLAIM_TIMEOUT = 20  # longer than any live send here
        settings.KTGS_OUTBOX_REQUEUE_AFTER = 2

        requeued = []

        def swept_until_sent():
            requeued.append(sending.sweep()["enqueued"])  # as beat would, every few minutes
            return not OutboxMessage.objects.exclude(status="sent").exists()

        celery_worker_process.wait_for(swept_until_sent, timeout=90, interval=1,
                                       what="every row sent after the restart")  # fmt: skip
        time.sleep(1)
        assert_each_once(smtp_server)
        assert sum(requeued) > 0  # the batches queued in the old Redis were lost, and redone
