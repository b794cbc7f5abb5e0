"""Refreshes running at the same time, as several Celery workers run them: each takes the
locks of its unit's chain of ancestors in id order, so none deadlocks another and none
loses another's addition to a shared ancestor's row."""

import threading

import pytest
from django.db import connection, transaction

from reports import engine
from tests.reports.test_rollup import (
    TODAY,
    assert_incremental_equals_rebuild,
    case,
    programme,
    target,
)
from tests.reports.test_rollup import row as progress_row

# Every test here runs on both roll-up engines (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("rollup_engine")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_unit", [False, True], ids=["siblings", "one-unit"])
def test_concurrent_refreshes_lose_nothing(tree, same_unit):
    prog = programme(tree.province)
    units = [tree.a1] * 4 if same_unit else [tree.a1, tree.a1a, tree.a2, tree.b1]
    targets = {unit.pk: target(prog, unit, quantity=5 * units.count(unit)) for unit in units}
    engine.rebuild(TODAY)
    rounds = 5
    step = threading.Barrier(len(units))
    errors: list[BaseException] = []

    def work(unit) -> None:
        # As in production: the case is committed by the service, then the refresh runs
        # later in its own transaction (a task), alongside the other workers' refreshes,
        # which all see every committed case.
        try:
            for _ in range(rounds):
                case(unit, target=targets[unit.pk])
                step.wait(timeout=30)
                with transaction.atomic():
                    engine.refresh_units([unit.pk], TODAY)
                step.wait(timeout=30)
        except BaseException as error:  # reported below
            errors.append(error)
            step.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(unit,)) for unit in units]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert progress_row(tree.province).sub_done == 20
    assert progress_row(tree.root).sub_capped_done == 20
    assert progress_row(tree.a1).own_done == (20 if same_unit else 5)
    assert_incremental_equals_rebuild()
