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


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_running_beside_refreshes_overwrites_none_of_them(tree):
    """With two workers the nightly rebuild (or `manage.py rebuild_progress`) can run while
    another worker refreshes after a write. A refresh that committed during the rebuild's
    computation was overwritten by figures computed before its case, until the next
    rebuild; the rebuild and the refreshes now exclude each other (engine.ROLLUP_LOCK)."""
    prog = programme(tree.province)
    units = [tree.a1, tree.a1a, tree.a2, tree.b1]
    targets = {unit.pk: target(prog, unit, quantity=40) for unit in units}
    engine.rebuild(TODAY)
    done = threading.Event()
    errors: list[BaseException] = []

    def rebuild_again() -> None:
        try:
            while not done.is_set():
                engine.rebuild(TODAY)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    rebuilder = threading.Thread(target=rebuild_again)
    rebuilder.start()
    try:
        for i in range(60):
            unit = units[i % len(units)]
            case(unit, target=targets[unit.pk])
            with transaction.atomic():
                engine.refresh_units([unit.pk], TODAY)
    finally:
        done.set()
        rebuilder.join(timeout=60)

    assert not errors, errors
    assert not rebuilder.is_alive()
    assert progress_row(tree.root).sub_done == 60
    assert_incremental_equals_rebuild()


@pytest.mark.django_db(transaction=True)
def test_a_refresh_waits_for_a_rebuild_still_open(tree):
    """The exclusion itself, deterministically: a refresh started while a rebuild's
    transaction is open waits for its commit, then adds its case to the rebuilt rows."""
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    engine.rebuild(TODAY)
    rebuilt, release, refreshed = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def rebuild_and_hold() -> None:
        try:
            with transaction.atomic():
                engine.rebuild(TODAY)
                rebuilt.set()
                release.wait(timeout=30)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def refresh() -> None:
        try:
            with transaction.atomic():
                engine.refresh_units([tree.a1.pk], TODAY)
            refreshed.set()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    rebuilder = threading.Thread(target=rebuild_and_hold)
    rebuilder.start()
    assert rebuilt.wait(timeout=30)
    case(tree.a1, target=t_a1)
    refresher = threading.Thread(target=refresh)
    refresher.start()
    try:
        assert not refreshed.wait(timeout=1.5), "the refresh ran inside the open rebuild"
    finally:
        release.set()
        rebuilder.join(timeout=30)
        refresher.join(timeout=30)

    assert not errors, errors
    assert refreshed.is_set()
    assert progress_row(tree.root).sub_done == 1
    assert_incremental_equals_rebuild()
