"""Case writes ask reports to refresh the unit's progress, on commit, by task name."""

import base64
import json
import pathlib

import pytest
import redis
from django.conf import settings
from django.core.exceptions import ValidationError

from cases import services
from tests.cases.factories import record

QUEUE = "celery"


@pytest.fixture
def broker():
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("these tests read the Redis broker: set CELERY_BROKER_URL=redis://…")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE)
    yield client
    client.delete(QUEUE)


def sent_tasks(client) -> list[tuple[str, list]]:
    tasks = []
    for raw in client.lrange(QUEUE, 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args))
    return tasks


@pytest.mark.django_db(transaction=True)
def test_recording_a_case_enqueues_the_refresh_of_its_unit_after_commit(cast, tree, broker):
    case = record(cast.staff_a, tree.a1)
    assert sent_tasks(broker) == [("reports.tasks.refresh_progress", [[tree.a1.pk]])]
    broker.delete(QUEUE)
    services.update_case(user=cast.staff_a, case=case, version=1, organization=tree.a2)
    assert sent_tasks(broker) == [
        ("reports.tasks.refresh_progress", [sorted([tree.a1.pk, tree.a2.pk])])
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refused_write_enqueues_nothing(cast, tree, broker):
    with pytest.raises(ValidationError):
        record(cast.staff_a, tree.b)
    assert sent_tasks(broker) == []


@pytest.mark.django_db(transaction=True)
def test_a_title_change_moves_no_figure_and_enqueues_nothing(cast, tree, broker):
    case = record(cast.staff_a, tree.a1)
    broker.delete(QUEUE)
    services.update_case(user=cast.staff_a, case=case, version=1, title="Chỉ đổi tên")
    assert sent_tasks(broker) == []


def test_cases_never_imports_reports():
    root = pathlib.Path(__file__).resolve().parents[2] / "cases"
    offenders = [
        str(path)
        for path in root.rglob("*.py")
        if "import reports" in path.read_text() or "from reports" in path.read_text()
    ]
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_bulk_work_collects_its_units_instead_of_enqueueing(cast, tree, broker):
    from plans.services import progress_refresh_deferred

    with progress_refresh_deferred() as units:
        record(cast.staff_a, tree.a1)
        record(cast.staff_a, tree.a2)
    assert units == {tree.a1.pk, tree.a2.pk}
    assert sent_tasks(broker) == []
    record(cast.staff_a, tree.a1)  # outside the block: enqueued again
    assert sent_tasks(broker) == [("reports.tasks.refresh_progress", [[tree.a1.pk]])]
