"""One lag mail per person and day, the whole way: the daily scan writes one outbox row per
(rule, unit, step, recipient) as before, the rows of one person are packed into one mail,
a real Celery worker sends it over SMTP to a real server (aiosmtpd). A bloc's staffer who
keeps the records of a dozen cells gets one mail listing them all (most behind first, each
with its parent, reasons and link), the province's leader one mail of escalations; the
server refusing for a while or the worker killed mid-mail still delivers each mail once
and marks every row sent once."""

import re
import time
from collections import Counter
from datetime import date

import pytest
from django.utils import timezone

from ktgs.models import Organization
from reminders import scan, sending, tasks
from reminders.models import OutboxMessage, ReminderRule
from reports import engine
from reports.engine import periods
from tests.factories import OrganizationFactory
from tests.reminders.test_record_deadline_delivery import KeepingSink, text_of
from tests.reminders.test_reminder_delivery import WORKER_ENV, all_sent
from tests.reports.test_rollup import programme, target

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FIRST_DAY = date(2026, 6, 3)  # a Wednesday: the units fall behind, the staffer is told
LATER_DAY = date(2026, 6, 17)  # two weeks on: the second repeat, and the escalation
UNITS = 12


@pytest.fixture
def smtp_server():
    sink = KeepingSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def celery_worker_env(smtp_server):
    return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", **WORKER_ENV}


@pytest.fixture
def cells_kept_by_the_bloc(tree, cast, settings) -> list[Organization]:
    """UNITS cells without staff of their own, half under Khối A and half under its A1,
    named in pairs alike ("Chi bộ Tổ 0" under each), each behind on a target of its own
    size (a bigger target, a bigger gap): their records are kept by Khối A's staffer
    (cast.staff_a); the province's leader (cast.leader_p) is the first leader above."""
    settings.KTGS_OUTBOX_BATCH = 5
    ReminderRule.objects.all().delete()  # the migration's rules (if any survived a flush)
    periods.ensure_periods(2026)
    ReminderRule.objects.create(name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG,
                                repeat_every_days=7, escalate_after_days=14)  # fmt: skip
    prog = programme(tree.province)
    cells = []
    for i in range(UNITS):
        cell = OrganizationFactory(
            parent=tree.a if i % 2 == 0 else tree.a1,
            code=f"A-T{i}",
            name=f"Chi bộ Tổ {i // 2}",
            level=Organization.Level.CELL,
        )
        target(prog, cell, quantity=4 + i)
        cells.append(cell)
    engine.rebuild(FIRST_DAY)
    return cells


def lag_mails(sink: KeepingSink) -> Counter:
    return Counter(address for recipients, _ in sink.mails for address in recipients)


def dashboard_ids(text: str) -> list[int]:
    return [int(pk) for pk in re.findall(r"/progress/(\d+)/", text)]


def assert_each_row_sent_once(sink: KeepingSink) -> None:
    """Every row sent, each in exactly one mail received once: a grouped mail's Message-ID
    is its rows' mail_key, a single row's its own."""
    rows = OutboxMessage.objects.all()
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    mails = {key or message_id for key, message_id in rows.values_list("mail_key", "message_id")}
    assert sorted(sink.message_ids) == sorted(mails)  # each mail exactly once
    assert sink.duplicates() == 0


def test_a_staffer_gets_one_mail_for_all_the_units_and_a_leader_one_for_the_escalations(
    cells_kept_by_the_bloc, cast, smtp_server, celery_worker_process
):
    cells = cells_kept_by_the_bloc
    first = scan.run_daily(FIRST_DAY)
    # One row per unit (rule, unit, step, recipient), as before; handed over as one mail.
    assert (first.inserted, first.enqueued) == (UNITS, 1)
    all_sent(celery_worker_process)
    assert lag_mails(smtp_server) == {cast.staff_a.email: 1}
    assert_each_row_sent_once(smtp_server)
    ((_to, message),) = smtp_server.mails
    assert str(message["Subject"]).strip() == (
        f"[ktgs] Ngày 03/06/2026: {UNITS} đơn vị chậm tiến độ kiểm tra, giám sát"
    )
    # Most behind first (the biggest target), each unit once, with its link.
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert dashboard_ids(body) == [cell.pk for cell in reversed(cells)]
    # Two "Chi bộ Tổ 0", told apart by their parents; the reasons of each unit.
    assert "Chi bộ Tổ 0 — Đảng ủy Khối A\n" in body
    assert "Chi bộ Tổ 0 — Đảng bộ cơ sở A1\n" in body
    assert body.count("còn thiếu") >= UNITS
    html = message.get_body(("html",)).get_content()
    assert dashboard_ids(html) == dashboard_ids(body)
    assert "Chi bộ Tổ 0</strong></a> — Đảng bộ cơ sở A1" in html

    # The same day again: nothing more.
    again = scan.run_daily(FIRST_DAY)
    assert (again.inserted, again.enqueued) == (0, 0)

    # Two weeks on: the staffer's second repeat and the province leader's escalation,
    # one mail each, whatever the number of units.
    engine.rebuild(LATER_DAY)
    later = scan.run_daily(LATER_DAY)
    assert later.inserted == 2 * UNITS
    assert Counter(OutboxMessage.objects.values_list("step", "recipient_id")) == {
        ("r0", cast.staff_a.pk): UNITS,
        ("r2", cast.staff_a.pk): UNITS,
        ("e1", cast.leader_p.pk): UNITS,
    }
    all_sent(celery_worker_process)
    assert lag_mails(smtp_server) == {cast.staff_a.email: 2, cast.leader_p.email: 1}
    assert_each_row_sent_once(smtp_server)
    escalation = next(m for to, m in smtp_server.mails if to == [cast.leader_p.email])
    assert str(escalation["Subject"]).strip() == (
        f"[ktgs] Báo cáo lãnh đạo ngày 17/06/2026: {UNITS} đơn vị vẫn chậm tiến độ kiểm tra, "
        "giám sát"
    )
    assert f"{UNITS} đơn vị trực thuộc đã được nhắc nhưng đến ngày 17/06/2026" in text_of(
        escalation
    )
    time.sleep(2)  # anything wrongly enqueued would have reached the server by now
    assert_each_row_sent_once(smtp_server)


def test_a_grouped_mail_refused_for_a_while_arrives_once_with_every_row_sent_once(
    cells_kept_by_the_bloc, cast, smtp_server, celery_worker_process
):
    smtp_server.refuse_first = 2  # the one mail is refused twice, then accepted
    scan.run_daily(FIRST_DAY)
    all_sent(celery_worker_process)
    assert smtp_server.refused == 2
    assert lag_mails(smtp_server) == {cast.staff_a.email: 1}
    assert_each_row_sent_once(smtp_server)
    # The mail's rows were claimed, refused and retried together.
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {3}
    assert all(
        "451" in error for error in OutboxMessage.objects.values_list("last_error", flat=True)
    )


def test_a_worker_killed_while_sending_a_grouped_mail_sends_it_once_after_the_sweep(
    cells_kept_by_the_bloc, cast, smtp_server, celery_worker_process, settings
):
    smtp_server.hold_after = 0  # the first mail hangs at RCPT: the server has not accepted it
    scan.run_daily(FIRST_DAY)
    celery_worker_process.wait_for(lambda: smtp_server.holding, what="the mail to hang")
    celery_worker_process.kill()
    killed_at = timezone.now()
    # Every row of the mail was claimed with it, none sent.
    assert Counter(OutboxMessage.objects.values_list("status", flat=True)) == {"sending": UNITS}
    assert smtp_server.received == 0

    celery_worker_process.restart()
    settings.KTGS_OUTBOX_CLAIM_TIMEOUT = 0
    swept = sending.sweep(now=killed_at)
    assert (swept["reset"], swept["enqueued"]) == (UNITS, 1)  # the rows, in one mail
    all_sent(celery_worker_process)
    assert lag_mails(smtp_server) == {cast.staff_a.email: 1}
    assert_each_row_sent_once(smtp_server)
    # A re-run of the day, or the mail's task delivered again, sends nothing more.
    scan.run_daily(FIRST_DAY)
    tasks.send_outbox_messages.delay(list(OutboxMessage.objects.values_list("pk", flat=True)))
    time.sleep(2)
    assert lag_mails(smtp_server) == {cast.staff_a.email: 1}
    assert_each_row_sent_once(smtp_server)
