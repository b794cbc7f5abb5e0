"""The demo province's reminder run (the issue's "107 mails to canbo.khoi"): every lagging
unit still gets its outbox row, but each person receives at most one lag mail that day,
over a real SMTP server (aiosmtpd), each row sent exactly once."""

import datetime
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from devtools.demo.province import EMAIL_DOMAIN
from reminders import scan, sending
from reminders.models import OutboxMessage, ReminderRule
from tests.reminders.test_record_deadline_delivery import KeepingSink, text_of

TODAY = datetime.date(2026, 7, 2)  # half-way through the demo year: some units behind
NOON = datetime.datetime(2026, 7, 2, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Hà Nội


@pytest.fixture
def demo(db, deadline_rules, programme_rules):
    with time_machine.travel(NOON, tick=False):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
        yield


@pytest.fixture
def smtp(settings):
    sink = KeepingSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.stop()


def test_a_demo_run_sends_each_person_at_most_one_lag_mail(demo, smtp):
    # Only the lag rule, escalating at once: every mail of the run is a lag mail.
    ReminderRule.objects.all().delete()
    rule = ReminderRule.objects.create(
        name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG, escalate_after_days=1
    )
    with time_machine.travel(NOON, tick=False):
        scan.run_daily(TODAY, enqueue=False)
        scan.run_daily(TODAY + datetime.timedelta(days=1), enqueue=False)  # escalations too
        sent = sending.send_pending_now()
    rows = OutboxMessage.objects.filter(rule=rule)
    per_person = Counter(rows.values_list("email", flat=True))
    staffer = f"canbo.khoi@{EMAIL_DOMAIN}"
    assert per_person[staffer] > 20  # the bloc's staffer keeps the records of many units
    assert rows.filter(kind=OutboxMessage.Kind.LAG_ESCALATION).exists()

    received = Counter(address for to, _ in smtp.mails for address in to)
    assert received == dict.fromkeys(per_person, 1)  # one mail each, however many units
    assert sent == len(per_person)
    # Every row sent once, in the one mail of its person (its Message-ID: the mail_key).
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    keys = {key or message_id for key, message_id in rows.values_list("mail_key", "message_id")}
    assert sorted(smtp.message_ids) == sorted(keys)

    (message,) = [m for to, m in smtp.mails if to == [staffer]]
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    units = set(rows.filter(email=staffer).values_list("organization_id", flat=True))
    for unit_id in units:  # each unit once, with its link
        assert body.count(f"/progress/{unit_id}/\n") == 1
    assert f"{len(units)} đơn vị do đồng chí theo dõi đang chậm" in text_of(message)
