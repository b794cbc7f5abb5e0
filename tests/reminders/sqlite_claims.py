"""Claims, renewals and the sweep on SQLite, the embedded default's database (`make run`):
run as its own process by tests/reminders/test_claims.py with DATABASE_URL=sqlite:///…,
since the suite's own database is PostgreSQL. Makes the four tables the outbox needs
with Django's SQLite schema editor, plays two senders and the sweeper on the database's
clock, and prints what it saw as JSON."""

import json
import os
from datetime import timedelta


def main() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ktgs.settings")
    django.setup()

    from django.core import mail
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from ktgs import search
    from ktgs.models import Organization, User
    from reminders import sending
    from reminders.models import OutboxMessage, ReminderRule

    assert connection.vendor == "sqlite", connection.vendor
    with connection.schema_editor() as editor:
        for model in (Organization, User, ReminderRule, OutboxMessage):
            editor.create_model(model)
    # Written as the bulk writers write: no save(), so no history table is needed.
    unit = Organization(code="B1", name="Chi bộ B1", level="cell", path="0001", depth=1)
    search.fill_search_text([unit])
    [unit] = Organization.objects.bulk_create([unit])
    [person] = User.objects.bulk_create([User(username="canbo", email="canbo@example.test")])
    rule = ReminderRule.objects.create(name="Nhắc chậm tiến độ", kind="lag")
    context = {
        "unit": unit.name, "unit_id": unit.pk, "url": "http://x/", "quantity": 4,
        "capped_done": 0, "expected": "2", "behind": 2, "reasons": [],
        "as_of": "2026-06-03", "escalation": 0,
    }  # fmt: skip
    rows = [
        OutboxMessage.objects.create(
            rule=rule,
            organization=unit,
            period="lag:2026-06-01",
            step=f"r{i}",
            recipient=person,
            kind="lag",
            email=person.email,
            context=context,
            message_id=f"<ktgs.sqlite{i}@localhost>",
        )
        for i in range(3)
    ]
    ids = [row.pk for row in rows]
    seen: dict = {}
    mail.outbox = []
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        KTGS_OUTBOX_CLAIM_TIMEOUT=45,
        CELERY_TASK_ALWAYS_EAGER=False,
    ):
        first = sending.by_mail(sending.claim(ids))  # sender A: three mails
        seen["claimed"] = len(first)
        seen["tokens"] = len({m[0].claim_token for m in first})
        seen["fresh_reset"] = sending.sweep()["reset"]  # the database's clock: all fresh
        # A minute passes; A renews its first mail only (say it stalled after that).
        OutboxMessage.objects.update(claimed_at=timezone.now() - timedelta(minutes=1))
        seen["renewed"] = sending.renew(first[0])
        seen["stale_reset"] = sending.sweep()["reset"]  # the two not renewed
        # Sender B takes the swept mails and sends them; A, back, finds them gone.
        seen["b_retry"] = sending.send_batch(ids)
        seen["a_renews_swept"] = sending.renew(first[1])
        seen["a_still_holds_first"] = sending.renew(first[0])
        seen["sent"] = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
        seen["statuses"] = sorted(OutboxMessage.objects.values_list("status", flat=True))
    return seen


if __name__ == "__main__":
    print(json.dumps(main()))
