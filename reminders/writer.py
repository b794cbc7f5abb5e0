"""The outbox writer: the rows a scan decided on, inserted in one go per rule.

Idempotent by construction: every row has the unique key (rule, unit, period, step,
recipient) and is inserted with ON CONFLICT DO NOTHING, so writing the same reminder
twice (a scan run twice on a day, or again after a crash) inserts nothing the second
time. The Message-ID is derived from the same key: a row is always the same mail.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import connection
from django.utils import timezone

from reminders.models import OutboxMessage, ReminderRule

INSERT_BATCH = 2000


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    language: str


def message_id_for(rule_id: int, unit_id: int, period: str, step: str, user_id: int) -> str:
    """A Message-ID derived from the row's unique key: the same row is always the same
    mail, however often it is retried."""
    digest = hashlib.sha256(f"{rule_id}|{unit_id}|{period}|{step}|{user_id}".encode())
    return f"<ktgs.{digest.hexdigest()[:32]}@{_mail_domain(settings.DEFAULT_FROM_EMAIL)}>"


def grouped_message_id(message_ids: list[str]) -> str:
    """The Message-ID of a mail carrying several rows, derived from theirs: the mail
    keeps it on every retry (reminders.sending.pack)."""
    digest = hashlib.sha256("|".join(sorted(message_ids)).encode())
    return f"<ktgs.day.{digest.hexdigest()[:32]}@{_mail_domain(settings.DEFAULT_FROM_EMAIL)}>"


def mail_domain() -> str:
    """The domain of the Message-IDs: DEFAULT_FROM_EMAIL's."""
    return _mail_domain(settings.DEFAULT_FROM_EMAIL)


@functools.lru_cache(maxsize=8)
def _mail_domain(from_email: str) -> str:
    # Parsing the address cost 40 µs, once per outbox row of a scan.
    return parseaddr(from_email)[1].rpartition("@")[2] or "ktgs.local"


class OutboxWriter:
    """Rows to insert for one rule, written in one go by write()."""

    FIELDS = ("rule_id", "organization_id", "period", "step", "recipient_id", "kind",
              "email", "language", "context", "message_id")  # fmt: skip

    def __init__(self, rule: ReminderRule) -> None:
        self.rule = rule
        # Plain tuples in FIELDS order: a national scan makes 10⁴–10⁵ of them.
        self.rows: list[tuple] = []
        # Rows added, per kind of mail (before the unique key drops those already there).
        self.candidates: dict[str, int] = defaultdict(int)

    def add(
        self, *, unit_id: int, period: str, step: str, kind: str,
        recipients: list[Recipient], context: dict,
    ) -> None:  # fmt: skip
        for person in recipients:
            self.rows.append((
                self.rule.pk, unit_id, period, step, person.user_id, str(kind), person.email,
                person.language, context,
                message_id_for(self.rule.pk, unit_id, period, step, person.user_id),
            ))  # fmt: skip
            self.candidates[kind] += 1

    def write(self) -> int:
        """Insert the rows; returns how many were new."""
        if connection.vendor == "postgresql":
            return self._copy()
        before = OutboxMessage.objects.filter(rule=self.rule).count()
        # The unique key turns a second insert of the same reminder into nothing.
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(**dict(zip(self.FIELDS, row, strict=True))) for row in self.rows],
            batch_size=INSERT_BATCH,
            ignore_conflicts=True,
        )
        return OutboxMessage.objects.filter(rule=self.rule).count() - before

    def _copy(self) -> int:
        """PostgreSQL: COPY the rows into a scratch table and insert them ON CONFLICT DO
        NOTHING in one statement. A national scan writes ~10⁴–10⁵ rows; bulk_create spends
        most of its time adapting the JSON contexts into arrays for UNNEST."""
        if not self.rows:
            return 0
        table = OutboxMessage._meta.db_table
        columns = [*self.FIELDS, "status", "attempts", "last_error", "mail_key", "created_at"]
        fixed = (OutboxMessage.Status.PENDING.value, 0, "", "", timezone.now())
        with connection.cursor() as cursor:
            names = ", ".join(columns)
            cursor.execute("DROP TABLE IF EXISTS pg_temp.outbox_incoming")
            cursor.execute(
                f"CREATE TEMP TABLE outbox_incoming AS SELECT {names} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY outbox_incoming ({names}) FROM STDIN") as copy:
                for row in self.rows:
                    context = json.dumps(row[8], ensure_ascii=False)
                    copy.write_row((*row[:8], context, row[9], *fixed))
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM outbox_incoming "
                "ON CONFLICT DO NOTHING"
            )
            inserted = cursor.rowcount
            cursor.execute("DROP TABLE pg_temp.outbox_incoming")
        return inserted
