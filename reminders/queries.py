"""Reads of reminders for the log page and the API (no writes)."""

from __future__ import annotations

from django.db.models import QuerySet

from ktgs import access
from reminders.models import OutboxMessage


def reminder_log(user) -> QuerySet[OutboxMessage]:
    """The outbox rows `user` may see: the mail about the units they lead (leaders and
    administrators; staff oversee nobody's mail), newest first. Filtered by
    reminders.filters.ReminderLogFilter; a page is two queries (count and rows)."""
    rows = OutboxMessage.objects.select_related("organization__parent", "recipient", "rule")
    return access.scope_led(rows, user).order_by("-created_at", "-pk")
