"""The records' deadline reminders the whole way, as test_reminder_delivery.py does for
lag: the daily scan writes the outbox, Redis carries the send tasks, a real Celery worker
sends over SMTP to a real server (aiosmtpd) that keeps every mail. Each due mail arrives
exactly once, to the right person; a second run, the same day or the next, sends
nothing; the parent's leaders receive no person's name."""

import email
import email.policy
import time
from collections import Counter
from datetime import date

import pytest

from devtools.smtp_sink import SmtpSink
from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders import scan
from reminders.models import OutboxMessage, ReminderRule
from tests.cases.factories import denunciation
from tests.factories import OrganizationFactory, UserFactory
from tests.reminders.test_reminder_delivery import BATCH, WORKER_ENV, all_sent

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Received 1 March 2025, due 30 May: on Monday 16 June 17 days overdue, so escalated
# (14 days after the first overdue reminder) to the leaders of B, the cells' parent.
TODAY = date(2025, 6, 16)
UNITS = 6


class KeepingSink(SmtpSink):
    """The test SMTP server, also keeping who each mail went to and what it said."""

    def __init__(self) -> None:
        super().__init__()
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)  # fmt: skip
        with self._lock:
            self.mails.append((list(envelope.rcpt_tos), parsed))
        return reply


@pytest.fixture
def smtp_server():
    sink = KeepingSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def celery_worker_env(smtp_server):
    return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", **WORKER_ENV}


@pytest.fixture
def overdue_denunciations(tree, settings, deadline_rules):
    """UNITS cells under B, each with a staff member of its own and a denunciation
    against a named member, overdue; a denunciation rule escalating one level."""
    settings.KTGS_OUTBOX_BATCH = BATCH
    ReminderRule.objects.all().delete()  # the migration's rules (if any survived a flush)
    ReminderRule.objects.create(name="Nhắc hạn giải quyết tố cáo",
                                kind=ReminderRule.Kind.DENUNCIATION_DEADLINE,
                                escalate_after_days=14, escalation_levels=1)  # fmt: skip
    staff = {}
    for i in range(UNITS):
        cell = OrganizationFactory(parent=tree.b, code=f"B-T{i}", name=f"Chi bộ có tố cáo {i}")
        person = UserFactory(username=f"canbo_t{i}")
        ktgs_services.grant_role(user=person, organization=cell, kind=Role.Kind.STAFF)
        denunciation(person, cell, letter_fields={"about_member_name": f"Người Bị Tố {i}"})
        staff[person.email] = cell
    return staff


def text_of(message) -> str:
    return " ".join(
        [str(message["Subject"])]
        + [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    )


def test_deadline_reminders_arrive_once_each_and_the_parent_gets_no_name(
    overdue_denunciations,
    cast,
    smtp_server,
    celery_worker_process,
):
    first = scan.run_daily(TODAY)
    # Each cell's staff: one "overdue"; B's leader: one escalation per cell.
    assert (first.inserted, first.enqueued) == (2 * UNITS, 2 * UNITS)
    all_sent(celery_worker_process)
    wanted = list(OutboxMessage.objects.values_list("message_id", flat=True))
    assert sorted(smtp_server.message_ids) == sorted(wanted)  # each exactly once
    assert smtp_server.duplicates() == 0

    received = Counter(address for recipients, _ in smtp_server.mails for address in recipients)
    assert received == Counter({**dict.fromkeys(overdue_denunciations, 1),
                                cast.leader_b.email: UNITS})  # fmt: skip
    for recipients, message in smtp_server.mails:
        text = text_of(message)
        if recipients == [cast.leader_b.email]:
            assert "Báo cáo lãnh đạo" in str(message["Subject"])
            assert "Người Bị Tố" not in text and "Nguyễn Thị Gửi" not in text
        else:
            (address,) = recipients
            i = overdue_denunciations[address].code.removeprefix("B-T")
            assert f"Người Bị Tố {i}" in text  # the unit's own staff: with the name

    # The same day again, and the next day: nothing more is written or sent.
    for day in (TODAY, date(2025, 6, 17)):
        again = scan.run_daily(day)
        assert (again.inserted, again.enqueued) == (0, 0)
    time.sleep(2)  # anything wrongly enqueued would have reached the server by now
    assert sorted(smtp_server.message_ids) == sorted(wanted)
