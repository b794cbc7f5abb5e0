"""The reminder log: the outbox rows a person may see, filtered."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone


def reminder_log(messages: QuerySet, filters: dict) -> QuerySet:
    """The outbox rows a person may see (already scoped), filtered, newest first; two
    queries a page (count and rows) whatever the filters."""
    from datetime import time

    rows = messages.select_related("organization", "recipient", "rule")
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("q"):
        q = filters["q"].strip()
        rows = rows.filter(
            Q(organization__code__iexact=q) | Q(organization__name__icontains=q)
            | Q(email__icontains=q) | Q(recipient__username__iexact=q)
        )  # fmt: skip
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        rows = rows.filter(created_at__gte=datetime.combine(filters["since"], time.min, zone))
    if filters.get("until"):
        rows = rows.filter(created_at__lte=datetime.combine(filters["until"], time.max, zone))
    return rows.order_by("-created_at", "-pk")
