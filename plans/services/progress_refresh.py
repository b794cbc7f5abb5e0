"""The one side effect of plans' writes: ask reports to refresh the progress figures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.db import transaction

from plans.models import Programme

_deferred: ContextVar[set[int] | None] = ContextVar("ktgs_deferred_progress_refresh", default=None)


@contextmanager
def progress_refresh_deferred() -> Iterator[set[int]]:
    """Within this block, writes collect their units in the yielded set instead of
    asking for refreshes: for bulk work whose caller rebuilds the progress table right
    after (the demo seeding makes ~1,000 service calls)."""
    units: set[int] = set()
    token = _deferred.set(units)
    try:
        yield units
    finally:
        _deferred.reset(token)


def enqueue_progress_refresh(unit_ids: Iterable[int | None]) -> None:
    """After commit, ask reports to recompute these units (and their ancestors).

    By task name, so that plans and cases never import reports (dependencies point
    reports → cases → plans). Nothing is sent when the transaction rolls back, nor inside
    `progress_refresh_deferred()`."""
    ids = sorted({int(pk) for pk in unit_ids if pk is not None})
    if not ids:
        return
    collecting = _deferred.get()
    if collecting is not None:
        collecting.update(ids)
        return
    transaction.on_commit(
        lambda: current_app.send_task("reports.tasks.refresh_progress", args=[ids])
    )


def _programme_unit_ids(programme: Programme) -> set[int]:
    ids = set(programme.targets.values_list("organization_id", flat=True))
    ids.add(programme.organization_id)
    return ids
