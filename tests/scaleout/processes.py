"""Several real Celery processes on the test database: workers with host names of their
own and one separate `celery beat`, as production runs them on more than one machine
(DESIGN §4). tests/worker.py starts the single worker most delivery tests need; this
starts any number, side by side, on the same Redis database and PostgreSQL.

    with celery_processes(tmp_path, env) as start:
        w1, w2 = start.worker("w1"), start.worker("w2")
        beat = start.beat()
        start.wait_ready()

Every process is stopped when the block ends (before the test's database is flushed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.worker import STARTUP_TIMEOUT, STOP_TIMEOUT, WorkerProcess, worker_database_url


def base_env(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a worker or beat on this test's database and broker."""
    broker = django_settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        pytest.fail(f"these tests need CELERY_BROKER_URL=redis://… (got {broker!r})")
    var_dir = tmp_path / "worker-var"
    (var_dir / "media").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ktgs.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "KTGS_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class Processes:
    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.env = base_env(tmp_path, env)
        self.started: list[WorkerProcess] = []
        self.beat_process: WorkerProcess | None = None

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> WorkerProcess:
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=django_settings.BASE_DIR, env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        started = WorkerProcess(process, log_path, command=command, env=env)
        self.started.append(started)
        return started

    def worker(self, name: str, **env: str) -> WorkerProcess:
        """`celery worker -n <name>@%h`, one task at a time (solo pool: the worker's own
        process runs the task, so its pid is the one that holds the claims)."""
        command = [
            sys.executable, "-m", "celery", "-A", "ktgs", "worker", "--pool", "solo",
            "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        return self._start(name, command, {**self.env, **env})

    def beat(self, **env: str) -> WorkerProcess:
        """`celery beat`, alone in its process: the schedule of the settings (the
        environment may shorten it), the database scheduler of production."""
        command = [
            sys.executable, "-m", "celery", "-A", "ktgs", "beat", "--loglevel", "INFO",
            "--max-interval", "1", "--pidfile", str(self.tmp_path / "beat.pid"),
            "--schedule", str(self.tmp_path / "beat-schedule"),
        ]  # fmt: skip
        self.beat_process = self._start("beat", command, {**self.env, **env})
        return self.beat_process

    def workers(self) -> list[WorkerProcess]:
        return [process for process in self.started if process is not self.beat_process]

    def wait_ready(self) -> None:
        """Until every worker says "ready." and beat has started its scheduler."""
        for process in self.started:
            word = " ready." if "worker" in process.command else "beat: Starting..."
            process.wait_for(lambda p=process, w=word: w in p.log(), timeout=STARTUP_TIMEOUT * 2,
                             what=f"{process.log_path.stem} to start")  # fmt: skip

    def stop_all(self) -> None:
        for process in self.started:
            if process.process.poll() is None:
                process.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.started:
            try:
                process.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.process.kill()
                process.process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def celery_processes(tmp_path: Path, env: dict[str, str]) -> Iterator[Processes]:
    processes = Processes(tmp_path, env)
    try:
        yield processes
    finally:
        processes.stop_all()
