"""`make loadtest` (`manage.py loadtest`): DESIGN §6's F12 from outside, over HTTP.

On the database the command runs on (PostgreSQL, seeded with a synthetic profile), with
the broker it is given (Redis): one real Celery worker as the Procfile starts it, so
progress refreshes run; then for each gunicorn worker count (1, 2, 4) a gunicorn with
production's settings (deploy/gunicorn.conf.py) on 127.0.0.1 and a port of its own, and
Locust against it in a process of its own (devtools.load.drive: warm-up, each page alone,
then the users under load). The writes persist: the load test wants a database of its
own, never the benchmark's.

The client shares the machine with the server: Locust runs as one process (gevent,
FastHttpUser), and the table says how the CPU was split during each run.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from devtools import bulk
from devtools.load import pages, plan
from ktgs import celery_app
from ktgs.models import Organization

START_TIMEOUT = 60  # seconds for gunicorn or the worker to be ready
STOP_TIMEOUT = 30
# DESIGN §6, F12.
GOAL_RATIO = 5


@dataclass(frozen=True)
class Options:
    workers: tuple[int, ...] = (1, 2, 4)
    users: int = 50
    seconds: float = 50
    alone: float = 4
    probes: int = 3


# Production's database connections (deploy/ktgs.env.example): each process keeps its
# connection for a minute instead of opening one per request, as a deployment is told to.
# Without it every request paid PostgreSQL a new backend and its catalogue reads (~9 ms
# of a ~45 ms dashboard); the environment may still set its own value.
PRODUCTION_CONN_MAX_AGE = "60"
# The web processes' settings in production (the worker class and its threads).
GUNICORN_SETTINGS = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"


def gunicorn_threads() -> int:
    """The threads of each gunicorn process, as its settings file reads the environment."""
    return int(runpy.run_path(str(GUNICORN_SETTINGS))["threads"])


def server_environment() -> dict[str, str]:
    """The environment of the command, served over plain HTTP on loopback (cookies
    without the Secure flag, no redirect to HTTPS), DEBUG off and persistent database
    connections as in production."""
    return {
        "DJANGO_CONN_MAX_AGE": PRODUCTION_CONN_MAX_AGE,
        **os.environ,
        "DJANGO_DEBUG": "0",
        "KTGS_PLAIN_HTTP": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`command` from the checkout, its output (both streams) into `log_path`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def _wait(ready: Callable[[], bool], process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} did not start:\n{tail}")
        time.sleep(0.2)


@contextlib.contextmanager
def celery_worker(env: dict[str, str], workdir: Path) -> Iterator[subprocess.Popen]:
    """The Procfile's worker (solo pool, one task at a time), without beat."""
    # Tasks an interrupted earlier run left would be counted in this run's backlog.
    celery_app.control.purge()
    log_path = workdir / "celery.log"
    command = [
        sys.executable, "-m", "celery", "-A", "ktgs", "worker", "--pool", "solo",
        "--concurrency", "1", "--loglevel", "INFO",
        "--hostname", f"loadtest-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = _start(command, env, log_path)
    try:
        _wait(
            lambda: " ready." in log_path.read_text(errors="replace"), process, "celery", log_path
        )
        yield process
    finally:
        _stop(process)


@contextlib.contextmanager
def gunicorn(workers: int, env: dict[str, str], workdir: Path) -> Iterator[tuple[str, int]]:
    """gunicorn as deploy/Procfile starts it (its settings file), with `workers` processes;
    yields (URL, pid)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / f"gunicorn-{workers}.log"
    command = [
        sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_SETTINGS), "ktgs.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    process = _start(command, env, log_path)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        _wait(healthy, process, "gunicorn", log_path)
        yield url, process.pid
    finally:
        _stop(process)


def drive(
    url: str,
    plan_path: Path,
    out: Path,
    options: Options,
    pids: dict[str, int],
    env: dict[str, str],
) -> dict:
    command = [
        sys.executable, "-m", "devtools.load.drive", "--host", url, "--plan", str(plan_path),
        "--out", str(out), "--broker", settings.CELERY_BROKER_URL,
        "--users", str(options.users), "--seconds", str(options.seconds),
        "--alone", str(options.alone),
        "--probes", str(options.probes),
        *[f"--pid={group}={pid}" for group, pid in pids.items()],
    ]  # fmt: skip
    subprocess.run(command, cwd=settings.BASE_DIR, env=env, check=True)
    return json.loads(out.read_text())


def run(root_code: str, options: Options, out: Path, log: Callable[[str], None]) -> dict:
    if connection.vendor != "postgresql":
        raise RuntimeError("the load test runs on PostgreSQL (DATABASE_URL=postgres://…)")
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        raise RuntimeError("the load test needs Redis (CELERY_BROKER_URL=redis://…)")
    root = Organization.objects.get(code=root_code)
    units = Organization.objects.filter(path__startswith=root.path).count()
    today = timezone.localdate()
    started = time.monotonic()
    cast = plan.ensure_cast(root, today)
    log(f"cast: {len(cast.leaders)} leaders, {len(cast.staff)} staff, 1 probe")
    workdir = Path(settings.VAR_DIR) / "load"
    workdir.mkdir(parents=True, exist_ok=True)
    env = server_environment()
    runs: dict[str, dict] = {}
    with celery_worker(env, workdir) as worker:
        for workers in options.workers:
            plan_path = workdir / "plan.json"
            plan_path.write_text(json.dumps(plan.build_plan(cast, today), ensure_ascii=False))
            # What the earlier runs wrote (this database keeps its writes) vacuumed, as
            # autovacuum would have by now on a production server (here it may be off).
            vacuumed = bulk.vacuum()
            if vacuumed:
                log(f"vacuumed {len(vacuumed)} tables")
            with gunicorn(workers, env, workdir) as (url, pid):
                log(f"{workers} gunicorn worker(s) on {url}: warm-up, alone, {options.users} users")
                pids = {"gunicorn": pid, "celery": worker.pid}
                result = drive(
                    url, plan_path, workdir / f"drive-{workers}.json", options, pids, env
                )
            runs[str(workers)] = result
            log(
                f"  {result['rps']} requests/s, {sum(result['errors'].values())} errors, "
                f"{result['load']['signed_in']}/{options.users} signed in "
                f"in {result['load']['login_ramp_s']} s"
            )
    report = summarise(runs, options, profile_root=root_code, units=units)
    report["elapsed_s"] = round(time.monotonic() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


def _ratio(under: float, alone: float) -> float | None:
    return round(under / alone, 2) if alone else None


def summarise(runs: dict[str, dict], options: Options, *, profile_root: str, units: int) -> dict:
    ratios = {
        n: _ratio(r["dashboard"]["under_load"]["p95_ms"], r["dashboard"]["alone"]["p95_ms"])
        for n, r in runs.items()
    }
    known = [r for r in ratios.values() if r is not None]
    rps = {n: r["rps"] for n, r in runs.items()}
    errors = {n: sum(r["errors"].values()) for n, r in runs.items()}
    return {
        "root": profile_root,
        "units": units,
        "users": options.users,
        "seconds": options.seconds,
        "think_time_s": [1, 2],
        "threads_per_worker": gunicorn_threads(),
        "errors": sum(errors.values()),
        "errors_by_workers": errors,
        # The worst over the worker counts; each one's below.
        "dashboard_p95_ratio": max(known) if known else None,
        "dashboard_p95_ratio_by_workers": ratios,
        "rps": rps,
        "goals": {
            "no_errors": sum(errors.values()) == 0,
            f"dashboard_p95_within_{GOAL_RATIO}x": bool(known) and max(known) <= GOAL_RATIO,
            "throughput_grows_1_to_2": "1" in rps and "2" in rps and rps["2"] > rps["1"],
        },
        "pages": {
            n: {
                name: {"alone": r["alone"].get(name), "under_load": r["under_load"].get(name)}
                for name in (*pages.LEADER_PAGES, *pages.STAFF_PAGES)
                if name in r["alone"] or name in r["under_load"]
            }
            for n, r in runs.items()
        },
        "runs": runs,
    }


def _ms(entry: dict | None, key: str) -> str:
    return "—" if not entry else f"{entry[key]:,.0f}"


def _threads_text(threads: int) -> str:
    return "sync workers" if threads == 1 else f"{threads} threads a worker"


def table(report: dict) -> str:
    lines = [
        f"ktgs load test — {report['root']} ({report['units']:,} units): {report['users']} users "
        f"(4 leaders : 1 staff), 1–2 s think time, {report['seconds']:.0f} s each; gunicorn "
        f"({_threads_text(report['threads_per_worker'])}) + PostgreSQL + Redis + 1 Celery "
        "worker on 127.0.0.1",
        "",
        f"{'workers':>7}  {'req/s':>6}  {'errors':>6}  {'login p50/p95 s':>16}  "
        f"{'dash p95 alone→load ms':>23}  {'ratio':>6}  {'refresh shown after s':>24}  "
        f"{'queue max':>9}",
    ]
    for n, run in report["runs"].items():
        login = run["logins"]["load"]
        dash = run["dashboard"]
        refresh = run["refresh"]
        shown = ", ".join("—" if s is None else f"{s:.2f}" for s in refresh["under_load_s"])
        after = refresh["after_load_s"]
        shown += f" | after {'—' if after is None else f'{after:.2f}'}"
        ratio = report["dashboard_p95_ratio_by_workers"][n]
        ratio_text = "—" if ratio is None else f"{ratio:.1f}×"
        lines.append(
            f"{n:>7}  {run['rps']:>6.1f}  {report['errors_by_workers'][n]:>6}  "
            f"{login['p50_ms'] / 1000:>7.1f}/{login['p95_ms'] / 1000:<8.1f}  "
            f"{dash['alone']['p95_ms']:>10,.0f} → {dash['under_load']['p95_ms']:<10,.0f}  "
            f"{ratio_text:>6}  {shown:>24}  {refresh['queue_max']:>9}"
        )
    for n, run in report["runs"].items():
        cpu = run.get("cpu", {}).get("percent_of_one_core", {})
        lines += [
            "",
            f"{n} gunicorn worker(s): {run['load']['signed_in']}/{run['load']['users']} signed in "
            f"in {run['load']['login_ramp_s']} s, then {run['load']['requests']:,} requests in "
            f"{run['load']['seconds']:.0f} s; queue at the end {run['refresh']['queue_at_end']}, "
            f"empty {run['refresh']['queue_drained_after_s']} s later",
            "  CPU during the load, % of one core ("
            f"{run.get('cpu', {}).get('cores', '?')} cores): "
            + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items() if k != "machine")
            + f" (machine {cpu.get('machine', 0):.0f})",
            f"  {'page':<30}{'alone p95':>10}{'p50':>9}{'p95':>9}{'p99':>9}{'requests':>10}"
            f"{'failures':>9}",
        ]
        for name, entry in report["pages"][n].items():
            alone, under = entry["alone"], entry["under_load"]
            lines.append(
                f"  {name:<30}{_ms(alone, 'p95_ms'):>10}{_ms(under, 'p50_ms'):>9}"
                f"{_ms(under, 'p95_ms'):>9}{_ms(under, 'p99_ms'):>9}"
                f"{under['requests'] if under else 0:>10}{under['failures'] if under else 0:>9}"
            )
        if run["error_messages"]:
            lines.append("  first errors: " + " / ".join(run["error_messages"][:5]))
    goals = report["goals"]
    lines += [
        "",
        f"goals (DESIGN §6 F12): 0 errors: {'yes' if goals['no_errors'] else 'NO'} "
        f"({report['errors']}); dashboard p95 under load ≤ {GOAL_RATIO}× alone: "
        f"{'yes' if goals[f'dashboard_p95_within_{GOAL_RATIO}x'] else 'NO'} "
        f"(worst {report['dashboard_p95_ratio']}×); throughput grows from 1 to 2 workers: "
        f"{'yes' if goals['throughput_grows_1_to_2'] else 'NO'} ({report['rps']})",
        "ms are milliseconds; 'alone' is one user at a time without think time; 'refresh "
        "shown after' is the time from a concluded case's API answer to the progress API "
        "(the dashboard's figures) showing it, during the load and after it",
    ]
    return "\n".join(lines)
