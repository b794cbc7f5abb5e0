"""A real Celery worker for tests where a task's delivery matters.

Ask for the fixture (tests/conftest.py loads this module as a plugin) and mark the test
`@pytest.mark.worker` and `@pytest.mark.django_db(transaction=True)`:
the worker is another process, so it only sees rows the test has committed.

The worker consumes the default queue of the broker in settings (CELERY_BROKER_URL: a
Redis database of its own per test run) and works on the *test* database. To give it more
environment (an SMTP port for reminder tests, say), override `celery_worker_env` in the
test module:

    @pytest.fixture
    def celery_worker_env(smtp_server):
        return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"}

To start a worker only once the test has set things up, or with an environment and a
working directory of its own (another machine's, say), call start_celery_worker() and
stop it with stop_celery_worker() in a `finally`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

STARTUP_TIMEOUT = 30  # seconds for the worker to say "ready"
STOP_TIMEOUT = 15  # seconds for a warm shutdown before it is killed


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path
    # How it was started, so a test can kill it mid-task and start it again (restart()).
    command: list[str] | None = None
    env: dict[str, str] | None = None
    cwd: Path | None = None

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, the task in hand is lost as in a crash."""
        self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT)

    def restart(self) -> None:
        """Start the same worker again (after kill()) and wait until it is ready."""
        assert self.command is not None, "started without its command"
        ready_before = self.log().count(" ready.")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd or django_settings.BASE_DIR, env=self.env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        self.wait_for(lambda: self.log().count(" ready.") > ready_before,
                      timeout=STARTUP_TIMEOUT, what="the worker to start again")  # fmt: skip

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for(self, condition, *, timeout: float = 30, interval: float = 0.2, what: str = ""):
        """Poll `condition()` until it returns something truthy; fail with the worker's log
        (not hang) when it does not within `timeout` seconds or the worker died."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(
                    f"celery worker exited ({self.process.returncode}) while waiting for "
                    f"{what or condition}:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what or condition}; "
                            f"worker log:\n{self.log()}")  # fmt: skip
            time.sleep(interval)


def worker_database_url() -> str:
    """DATABASE_URL of the database this test runs on (the test_… one pytest-django made)."""
    db = connection.settings_dict
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(db['NAME'], safe='')}"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def start_celery_worker(
    log_path: Path, env: dict[str, str], *, cwd: Path | None = None
) -> WorkerProcess:
    """Start `celery -A ktgs worker --pool solo` on the test database with `env` over the
    test's environment, in `cwd` (the checkout by default), and wait until it is ready.
    The caller stops it (stop_celery_worker) before the database is flushed."""
    broker = django_settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        pytest.fail(f"the worker tests need CELERY_BROKER_URL=redis://… (got {broker!r})")
    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("CELERY_TASK_ALWAYS_EAGER is on: tasks would never reach the worker")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ktgs.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        # ktgs importable whatever the working directory (`python -m` puts only it first).
        "PYTHONPATH": str(django_settings.BASE_DIR),
        **env,
    }
    node = f"pytest-{uuid.uuid4().hex[:8]}@%h"
    command = [
        sys.executable, "-m", "celery", "-A", "ktgs", "worker",
        "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO", "--hostname", node,
        # Nothing to synchronise with: skip the start-up chatter with other workers.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd or django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    worker = WorkerProcess(process, log_path, command=command, env=env, cwd=cwd)
    try:
        worker.wait_for(
            lambda: " ready." in worker.log(), timeout=STARTUP_TIMEOUT, what="the worker to start"
        )
    except BaseException:
        stop_celery_worker(worker)
        raise
    return worker


def stop_celery_worker(worker: WorkerProcess) -> None:
    _stop(worker.process)


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker; override it in a test module."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_env, settings, tmp_path):
    """A worker started before the test (start_celery_worker), always stopped after it."""
    # The worker's var/ (mail files, …) is a folder of the test's, and its uploads folder
    # is the one the test writes to (settings.MEDIA_ROOT), so the files the test uploads
    # are the files the worker reads.
    var_dir = tmp_path / "worker-var"
    (var_dir / "media").mkdir(parents=True)
    settings.MEDIA_ROOT = var_dir / "media"
    env = {
        "KTGS_VAR_DIR": str(var_dir),
        "KTGS_STORAGE": "local",
        "KTGS_MEDIA_ROOT": str(var_dir / "media"),
        **celery_worker_env,
    }
    worker = start_celery_worker(tmp_path / "celery-worker.log", env)
    try:
        yield worker
    finally:
        stop_celery_worker(worker)
