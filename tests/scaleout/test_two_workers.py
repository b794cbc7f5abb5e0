"""Scale-out, the way DESIGN §4 promises it: two Celery workers with host names of their
own (w1@…, w2@…) and one `celery beat` in a process of its own, on the same Redis
database and the same PostgreSQL, take a day's reminders (UNITS mails, one per cell's
staffer, to a real SMTP server that counts them by Message-ID) and a burst of progress
refreshes (reports.tasks.refresh_progress, one per unit and some twice, interleaved with
the send tasks). Nothing is lost, no mail arrives twice, and the incremental progress
table equals a fresh rebuild (nothing counted twice) — also when one worker is killed
while it is sending: the survivor and beat's sweep deliver the rest.

The kill is exact: the worker is killed while the server holds one of its mails at RCPT
(before any "250 OK" for it), so no mail can have been accepted without its row marked
sent; each Message-ID must arrive exactly once. The timings are scaled down (beat sweeps
every second, claims time out after CLAIM_TIMEOUT s) so the recovery that takes up to a
minute with the defaults takes seconds here."""

import re
import time
from datetime import date

import pytest
from celery import current_app
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from devtools.smtp_sink import SmtpSink
from ktgs import services as ktgs_services
from ktgs.models import Organization, Role
from reminders import scan
from reminders.models import OutboxMessage, ReminderRule
from reports import engine
from reports.engine import periods
from reports.engine.table import row_values
from reports.models import ALL_BODIES, ALL_KINDS, ProgressRow
from tests.factories import OrganizationFactory, UserFactory
from tests.reports.test_rollup import case, programme, target
from tests.scaleout.processes import celery_processes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 6, 3)  # the reminders' day: every cell below is behind
UNITS = 120  # cells, each with a staffer of its own: UNITS mails
BATCH = 20
TWICE = 30  # units whose refresh is asked for twice
SMTP_TIMEOUT = 3
CLAIM_TIMEOUT = 6  # twice SMTP_TIMEOUT, as the settings require
ENV = {
    "KTGS_OUTBOX_BATCH": str(BATCH),
    "KTGS_OUTBOX_RETRY_BASE": "0.5",
    "KTGS_OUTBOX_RETRY_MAX": "2",
    "KTGS_SMTP_TIMEOUT": str(SMTP_TIMEOUT),
    "KTGS_OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
    "KTGS_OUTBOX_SWEEP_EVERY": "1",
}


class HoldingSink(SmtpSink):
    """Also remembers whose RCPT it holds."""

    held_address: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold_after is not None and len(self.message_ids) >= self.hold_after:
            self.held_address = address
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def smtp_server():
    sink = HoldingSink(delay=0.05).start()
    yield sink
    sink.stop()


@pytest.fixture
def province_of_cells(tree, settings) -> list[Organization]:
    """UNITS cells under the test tree's grassroots units, each behind on a target of its
    own and with a staff member of its own."""
    settings.KTGS_OUTBOX_BATCH = BATCH
    ReminderRule.objects.all().delete()
    periods.ensure_periods(2026)
    ReminderRule.objects.create(name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG,
                                repeat_every_days=7, escalate_after_days=14)  # fmt: skip
    prog = programme(tree.province)
    parents = [tree.a1, tree.a2, tree.b1, tree.a]
    cells = []
    for i in range(UNITS):
        cell = OrganizationFactory(parent=parents[i % len(parents)], code=f"S-{i}",
                                   name=f"Chi bộ {i}", level=Organization.Level.CELL)  # fmt: skip
        target(prog, cell, quantity=4)
        person = UserFactory(username=f"canbo_{i}")
        ktgs_services.grant_role(user=person, organization=cell, kind=Role.Kind.STAFF)
        cells.append(cell)
    engine.rebuild(TODAY)
    return cells


def succeeded(processes, task: str) -> int:
    pattern = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded")
    return sum(len(pattern.findall(worker.log())) for worker in processes.workers())


def run_the_day(cells, smtp_server, tmp_path, *, kill_while_sending: bool) -> dict:
    # The table as of today, the day the workers' refreshes compute; and no task from the
    # set-up (the cells' and roles' own refreshes) left in the queue: what the workers
    # take is the day's work below, counted exactly.
    day = timezone.localdate()
    engine.rebuild(day)
    root = Organization.objects.get_first_root_node()
    before = row(root).sub_done
    current_app.control.purge()
    with celery_processes(
        tmp_path, {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", **ENV}
    ) as processes:
        workers = {"w1": processes.worker("w1"), "w2": processes.worker("w2")}
        beat = processes.beat()
        processes.wait_ready()
        if kill_while_sending:
            smtp_server.hold_after = UNITS // 3  # a mail a third of the way in hangs at RCPT
            smtp_server.hold_seconds = 4 * CLAIM_TIMEOUT

        # The day's reminders (as beat's morning task: scan, then the send tasks)...
        assert scan.run_daily(TODAY).enqueued == UNITS
        # ...and a burst of writes, each asking for its unit's refresh as the services do.
        refreshes = 0
        for i, cell in enumerate(cells):
            case(cell, target=cell.targets.get(), concluded_on=date(2026, 5, 1))
            for _ in range(2 if i < TWICE else 1):
                current_app.send_task("reports.tasks.refresh_progress", args=[[cell.pk]])
                refreshes += 1

        killed = None
        if kill_while_sending:
            workers["w1"].wait_for(lambda: smtp_server.holding, timeout=60,
                                   what="a mail held at RCPT")  # fmt: skip
            held = OutboxMessage.objects.get(email=smtp_server.held_address)
            assert held.status == OutboxMessage.Status.SENDING
            pid = int(held.claim_token.split(":")[1])
            killed = next(name for name, w in workers.items() if w.process.pid == pid)
            workers[killed].kill()
            killed_at = time.monotonic()
            # Every claim the dead worker holds: the held mail and the rest of its batch.
            holder = held.claim_token.rsplit(":", 1)[0] + ":"
            stranded = set(
                OutboxMessage.objects.filter(
                    status=OutboxMessage.Status.SENDING, claim_token__startswith=holder
                ).values_list("pk", flat=True)
            )

        survivor = next(w for name, w in workers.items() if name != killed)
        if killed:
            # The dead worker's mails: swept once their claims are CLAIM_TIMEOUT old, then
            # sent by the survivor once it reaches the sweep's task in the queue (behind
            # whatever refreshes are still waiting there).
            survivor.wait_for(
                lambda: not OutboxMessage.objects.filter(pk__in=stranded)
                .exclude(status=OutboxMessage.Status.SENT).exists(),
                timeout=90, interval=0.25, what="the dead worker's mails sent",
            )  # fmt: skip
            recovered_at = time.monotonic()
        survivor.wait_for(
            lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
            and succeeded(processes, "reports.tasks.refresh_progress") == refreshes,
            timeout=90, interval=0.5, what="every mail sent and every refresh run",
        )  # fmt: skip
        time.sleep(1)  # a mail sent twice would reach the server by now
        beat_log = beat.log()
        result = {
            "workers": workers,
            "killed": killed,
            "recovery": recovered_at - killed_at if killed else None,
            "stranded": stranded if killed else set(),
            "refreshes": refreshes,
            "before": before,
            "root": root,
            "day": day,
            "beat_sweeps": beat_log.count("reminders.tasks.sweep_outbox"),
        }
    return result


def progress_table() -> dict:
    return {
        (r.organization_id, r.year, r.kind, r.body): row_values(r)
        for r in ProgressRow.objects.all()
    }


def row(unit) -> ProgressRow:
    return ProgressRow.objects.get(organization=unit, year=2026, kind=ALL_KINDS, body=ALL_BODIES)


def assert_nothing_lost_nothing_twice(cells, smtp_server, result) -> None:
    wanted = sorted(OutboxMessage.objects.values_list("message_id", flat=True))
    assert len(wanted) == UNITS
    assert smtp_server.duplicates() == 0
    assert sorted(smtp_server.message_ids) == wanted  # each exactly once, none lost
    # The incremental table is the one a full rebuild computes: nothing missed, nothing
    # counted twice (a unit refreshed twice, or by two workers at once, counts once).
    incremental = progress_table()
    assert engine.rebuild(result["day"]).changed == 0, [
        (key, values, rebuilt)
        for key, values in incremental.items()
        if values != (rebuilt := progress_table().get(key))
    ][:3]
    assert row(result["root"]).sub_done == result["before"] + UNITS
    assert result["beat_sweeps"] > 0  # beat, in its own process, ran the sweep
    # ...from the settings' schedule, which the database scheduler stored with its expiry
    # (an entry's "expires" would have been dropped on the way).
    sweep = PeriodicTask.objects.get(name="reminders-outbox-sweep")
    assert (sweep.interval.every, sweep.interval.period, sweep.expire_seconds) == (1, "seconds", 1)
    assert PeriodicTask.objects.get(name="progress-nightly").expire_seconds == 20 * 3600


def senders(workers) -> dict[str, int]:
    """Mails sent per worker, from the claim tokens (host:pid:random) on the rows."""
    by_pid = {str(w.process.pid): name for name, w in workers.items()}
    counts = dict.fromkeys(workers, 0)
    for token in OutboxMessage.objects.values_list("claim_token", flat=True):
        counts[by_pid[token.split(":")[1]]] += 1
    return counts


def test_two_workers_and_a_beat_take_a_day_of_reminders_and_refreshes(
    province_of_cells, smtp_server, tmp_path
):
    result = run_the_day(province_of_cells, smtp_server, tmp_path, kill_while_sending=False)
    assert_nothing_lost_nothing_twice(province_of_cells, smtp_server, result)
    sent_by = senders(result["workers"])
    assert sum(sent_by.values()) == UNITS and all(sent_by.values()), sent_by  # both sent
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    for worker in result["workers"].values():  # and both refreshed
        assert "reports.tasks.refresh_progress" in worker.log()


def test_a_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(
    province_of_cells, smtp_server, tmp_path
):
    result = run_the_day(province_of_cells, smtp_server, tmp_path, kill_while_sending=True)
    assert_nothing_lost_nothing_twice(province_of_cells, smtp_server, result)
    stranded = result["stranded"]
    assert stranded  # the dead worker's claims: the held mail and the rest of its batch
    survivor = next(name for name in result["workers"] if name != result["killed"])
    by_pid = {str(w.process.pid): name for name, w in result["workers"].items()}
    for token in OutboxMessage.objects.filter(pk__in=stranded).values_list(
        "claim_token", flat=True
    ):
        assert by_pid[token.split(":")[1]] == survivor  # swept, then sent by the survivor
    assert set(
        OutboxMessage.objects.filter(pk__in=stranded).values_list("attempts", flat=True)
    ) == {2}
    # Out again within a minute (here the claim timeout is 6 s and beat sweeps every
    # second: the rest is the wait behind the refreshes queued before the sweep's task).
    assert result["recovery"] < 60, result["recovery"]
