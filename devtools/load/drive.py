"""Locust against one running server, in Locust's own single process (gevent), for the
runner (devtools.load.runner): `python -m devtools.load.drive --host … --plan … --out …`.

Phases, each timed on its own (the users sign in before a phase's clock starts):

- warm-up: one cycle of every page by one user at a time, not measured;
- alone: one user at a time without think time — a leader on each level, then a staff
  user — calling its tasks in turn (locustfile.TASK_CYCLE) for `--alone` seconds (staff
  twice that), for each page's latency with nobody else on the server;
- load: `--users` users (4 leaders : 1 staff), 1–2 s think time. They all sign in first,
  each waiting after its sign-in until all have (the logins are measured apart: a login
  costs ~0.5 s of CPU in the password hasher), then the statistics start, like Locust's
  `--reset-stats`, for `--seconds`;
- refresh backlog: during the load, `--probes` times, and once after it, the probe account
  concludes a case through the API and polls the progress API of its unit (the
  dashboard's figures) until the case shows; the broker's queue length is sampled
  throughout and, after the load, until it is empty;
- CPU: seconds used during the load by Locust, gunicorn, the Celery worker, PostgreSQL
  (all its processes) and the rest of the machine.

`--smoke` instead signs in one user of each class and calls each task once (the test).
Prints nothing but errors; writes its figures as JSON to `--out`.
"""

# Locust patches the standard library for gevent when imported: before anything else.
import locust  # isort: skip  # noqa: F401

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import gevent
import psutil
import redis
import requests
from locust import between, constant, events
from locust.env import Environment

from devtools.load import locustfile as lf
from devtools.load import pages

SPAWN_RATE = 10  # users a second
LOGIN_TIMEOUT = 180  # seconds for every user of the load to have signed in
DRAIN_TIMEOUT = 120  # seconds for the broker's queue to empty after the load
PROBE_TIMEOUT = 60  # seconds for a concluded case to show


class Collector:
    """Every request's time and outcome, by phase and page name (exact percentiles, not
    Locust's rounded buckets)."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.failures: dict[str, Counter] = defaultdict(Counter)
        self.messages: list[str] = []

    def on_request(
        self, request_type, name, response_time, response_length, exception=None, **kwargs
    ) -> None:
        if self.phase is None:
            return
        self.times[self.phase][name].append(response_time)
        if exception is not None:
            self.failed(name, f"{request_type} {name}: {exception}")

    def on_user_error(self, user_instance, exception, tb, **kwargs) -> None:
        if self.phase is not None:
            self.failed("task error", f"{type(user_instance).__name__}: {exception!r}")

    def failed(self, name: str, message: str) -> None:
        self.failures[self.phase or "none"][name] += 1
        if len(self.messages) < 20:
            self.messages.append(f"[{self.phase}] {message}")

    def pages(self, phase: str, names=None) -> dict[str, dict]:
        return {
            name: summary(times, self.failures[phase][name])
            for name, times in sorted(self.times[phase].items())
            if names is None or name in names
        }

    def errors(self, phase: str) -> int:
        return sum(self.failures[phase].values())


def summary(times: list[float], failures: int = 0) -> dict:
    if len(times) >= 2:
        cuts = statistics.quantiles(times, n=100, method="inclusive")
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    else:
        p50 = p95 = p99 = times[0] if times else 0.0
    return {
        "requests": len(times),
        "failures": failures,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
    }


COLLECTOR = Collector()
events.request.add_listener(COLLECTOR.on_request)
events.user_error.add_listener(COLLECTOR.on_user_error)


def environment(host: str, counts: dict[type[lf.SignedInUser], int], wait) -> Environment:
    for user_class, count in counts.items():
        user_class.fixed_count = count
        user_class.wait_time = wait
        user_class.host = host
    return Environment(user_classes=list(counts), host=host, events=events)


def run_users(
    host: str,
    counts: dict[type[lf.SignedInUser], int],
    seconds: float,
    wait,
    phase: str,
    spawn_rate: float = SPAWN_RATE,
    during=None,
) -> dict:
    """Start the users, wait until all have signed in (phase "<phase> login"), then
    measure `seconds` (phase `phase`), calling `during(started_at)` in a greenlet."""
    env = environment(host, counts, wait)
    runner = env.create_local_runner()
    users = sum(counts.values())
    COLLECTOR.phase = f"{phase} login"
    ramp_started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    while (
        lf.SIGNED_IN["count"] + lf.SIGNED_IN["failed"] < users
        and time.monotonic() - ramp_started < LOGIN_TIMEOUT
    ):
        gevent.sleep(0.05)
    ramp = time.monotonic() - ramp_started
    lf.START.set()
    COLLECTOR.phase = phase
    started = time.monotonic()
    helper = gevent.spawn(during, started) if during else None
    gevent.sleep(seconds)
    COLLECTOR.phase = None
    elapsed = time.monotonic() - started
    runner.quit()
    if helper is not None:
        helper.join(timeout=PROBE_TIMEOUT + 5)
    return {"signed_in": lf.SIGNED_IN["count"], "ramp_s": round(ramp, 1), "seconds": elapsed}


class Probe:
    """The probe account: concludes one case of its unit through the API and polls the
    progress API (the dashboard's figures of the unit) until the case counts."""

    def __init__(self, host: str, plan: dict) -> None:
        self.host = host
        self.account = plan["probe"]
        self.plan = plan
        self.serial = self.account["serial"]
        self.session = requests.Session()
        page = self.session.get(f"{host}/login/", timeout=60)
        token = lf.form_with(page.text, "csrfmiddlewaretoken")["csrfmiddlewaretoken"]
        signed = self.session.post(
            f"{host}/login/",
            data={
                "username": self.account["username"],
                "password": plan["password"],
                "csrfmiddlewaretoken": token,
            },
            allow_redirects=False,
            timeout=60,
        )
        if signed.status_code != 302:
            raise RuntimeError(f"the probe could not sign in ({signed.status_code})")

    def post(self, path: str, body: dict, expect: int = 200) -> dict:
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken") or ""}
        response = self.session.post(f"{self.host}{path}", json=body, headers=headers, timeout=60)
        if response.status_code != expect:
            raise RuntimeError(f"probe {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def figure(self) -> int:
        """Concluded cases of the unit as its dashboard counts them: toward its targets
        (done) or arising."""
        response = self.session.get(
            f"{self.host}/api/v1/progress/{self.account['unit']}/", timeout=60
        )
        response.raise_for_status()
        unit = response.json()["unit"]
        return unit["done"] + unit["arising"]

    def conclude_and_wait(self) -> dict:
        self.serial += 1
        case = self.post(
            "/api/v1/cases/",
            {
                "organization": self.account["unit"],
                "body": self.plan["body"],
                "kind": lf.KIND,
                "title": "Cuộc đo độ trễ (thử tải)",
                "year": self.plan["year"],
                "target": None,
                "decision_number": f"{self.serial}-QĐ/{self.account['issuer']}",
                "decided_on": self.plan["today"],
            },
            expect=201,
        )
        for status in ("decided", "in_progress"):
            case = self.post(
                f"/api/v1/cases/{case['id']}/status/",
                {"status": status, "version": case["version"]},
            )
        # Whatever the earlier writes left to refresh has shown before the clock starts.
        before = self.figure()
        self.post(
            f"/api/v1/cases/{case['id']}/conclude/",
            {"version": case["version"], "concluded_on": self.plan["today"]},
        )
        written = time.monotonic()
        polls = 0
        while time.monotonic() - written < PROBE_TIMEOUT:
            polls += 1
            if self.figure() > before:
                return {"shown_after_s": round(time.monotonic() - written, 3), "polls": polls}
            gevent.sleep(0.05)
        return {"shown_after_s": None, "polls": polls}


class QueueWatch:
    """The Celery queue's length in the broker (tasks waiting for the worker)."""

    def __init__(self, broker: str, queue: str = "celery") -> None:
        self.client = redis.Redis.from_url(broker)
        self.queue = queue
        self.samples: list[int] = []

    def length(self) -> int:
        return int(self.client.llen(self.queue))

    def sample_until(self, stop_at: float) -> None:
        while time.monotonic() < stop_at:
            self.samples.append(self.length())
            gevent.sleep(0.5)

    def drained_after(self) -> float | None:
        started = time.monotonic()
        while time.monotonic() - started < DRAIN_TIMEOUT:
            if self.length() == 0:
                return round(time.monotonic() - started, 2)
            gevent.sleep(0.1)
        return None


def _tree_seconds(process: psutil.Process) -> float:
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    snapshot = {}
    for group, pid in pids.items():
        try:
            snapshot[group] = _tree_seconds(psutil.Process(pid))
        except psutil.NoSuchProcess:
            snapshot[group] = 0.0
    snapshot["locust"] = _tree_seconds(psutil.Process())
    postgres = 0.0
    for p in psutil.process_iter(["name"]):
        if p.info["name"] in ("postgres", "postmaster"):
            try:
                t = p.cpu_times()
                # A backend that exited is counted in its parent's children times.
                postgres += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    snapshot["postgresql"] = postgres
    machine = psutil.cpu_times()
    # Busy time (guest time is already inside user time on Linux).
    snapshot["machine"] = sum(
        getattr(machine, field, 0.0)
        for field in ("user", "nice", "system", "irq", "softirq", "steal")
    )
    return snapshot


def cpu_split(before: dict, after: dict, seconds: float) -> dict:
    """Each group's share of the machine's cores over the load, in percent of one core."""
    used = {k: max(0.0, after[k] - before[k]) for k in before}
    groups = [k for k in used if k != "machine"]
    used["other"] = max(0.0, used["machine"] - sum(used[k] for k in groups))
    return {
        "cores": psutil.cpu_count(),
        "seconds": round(seconds, 1),
        "percent_of_one_core": {k: round(100 * v / seconds, 1) for k, v in used.items()},
    }


def cycle_alone(
    host: str,
    plan: dict,
    user_class: type[lf.SignedInUser],
    account: dict,
    seconds: float,
    phase: str,
) -> None:
    """One user alone, without think time: sign in (phase "<phase> login"), then its
    class's TASK_CYCLE, whole cycles until `seconds` have passed (at least one)."""
    if user_class is lf.Leader:
        lf.configure(plan, leaders=[account], staff=[])
    else:
        lf.configure(plan, leaders=[], staff=[account])
    env = environment(host, {user_class: 1}, constant(0))
    user = user_class(env)
    COLLECTOR.phase = f"{phase} login"
    try:
        user.on_start()
    except Exception as error:
        COLLECTOR.failed("task error", f"{user_class.__name__} sign-in: {error!r}")
        return
    COLLECTOR.phase = phase
    started = time.monotonic()
    while True:
        for step in lf.TASK_CYCLE[user_class]:
            try:
                getattr(user, step)()
            except Exception as error:  # a task that raises is an error, not a crash
                COLLECTOR.failed("task error", f"{user_class.__name__}.{step}: {error!r}")
        if time.monotonic() - started >= seconds:
            break
    COLLECTOR.phase = None


def smoke(host: str, plan: dict) -> dict:
    """Each task of each class once, as one user alone."""
    cycle_alone(host, plan, lf.Leader, plan["leaders"][0], 0, "smoke")
    cycle_alone(host, plan, lf.Staff, plan["staff"][0], 0, "smoke")
    return {
        "pages": COLLECTOR.pages("smoke"),
        "logins": COLLECTOR.pages("smoke login"),
        "errors": COLLECTOR.errors("smoke") + COLLECTOR.errors("smoke login"),
        "messages": COLLECTOR.messages,
    }


def alone_accounts(plan: dict) -> list[tuple[type[lf.SignedInUser], dict]]:
    """A leader on each level the plan has, then a staff user."""
    seen: dict[str, dict] = {}
    for leader in plan["leaders"]:
        seen.setdefault(leader["level"], leader)
    return [*((lf.Leader, a) for a in seen.values()), (lf.Staff, plan["staff"][0])]


def full(args, plan: dict) -> dict:
    host = args.host
    probe = Probe(host, plan)
    queue = QueueWatch(args.broker)
    result: dict[str, Any] = {}

    for user_class, account in alone_accounts(plan):
        cycle_alone(host, plan, user_class, account, 0, "warm-up")
    for user_class, account in alone_accounts(plan):
        seconds = args.alone * (2 if user_class is lf.Staff else 1)
        cycle_alone(host, plan, user_class, account, seconds, "alone")

    lf.configure(plan, hold=True)
    leaders = round(args.users * 4 / 5)
    counts = {lf.Leader: leaders, lf.Staff: args.users - leaders}
    probes: list[dict] = []
    cpu: dict[str, Any] = {}

    def cpu_window(stop_at: float) -> None:
        before, started = cpu_snapshot(args.pids), time.monotonic()
        gevent.sleep(max(0.0, stop_at - started))
        cpu.update(split=cpu_split(before, cpu_snapshot(args.pids), time.monotonic() - started))

    def during(started: float) -> None:
        stop_at = started + args.seconds
        sampler = gevent.spawn(queue.sample_until, stop_at)
        window = gevent.spawn(cpu_window, stop_at)
        for i in range(args.probes):
            # Spread over the run, the first after a fifth of it.
            at = started + args.seconds * (i + 1) / (args.probes + 1)
            gevent.sleep(max(0.0, at - time.monotonic()))
            if time.monotonic() < stop_at - 2:
                probes.append(probe.conclude_and_wait())
        sampler.join()
        window.join()

    load = run_users(host, counts, args.seconds, between(1, 2), "load", during=during)
    at_end = queue.length()
    drained = queue.drained_after()
    after = probe.conclude_and_wait()

    result["load"] = {
        "users": args.users,
        "leaders": leaders,
        "staff": args.users - leaders,
        "signed_in": load["signed_in"],
        "login_ramp_s": load["ramp_s"],
        "seconds": round(load["seconds"], 1),
        "requests": sum(len(t) for t in COLLECTOR.times["load"].values()),
    }
    result["rps"] = round(result["load"]["requests"] / load["seconds"], 1)
    result["alone"] = COLLECTOR.pages("alone")
    result["under_load"] = COLLECTOR.pages("load")
    result["logins"] = {
        "alone": summary(
            [t for name in pages.LOGIN_PAGES[1:] for t in COLLECTOR.times["alone login"][name]]
        ),
        "load": summary(
            [t for name in pages.LOGIN_PAGES[1:] for t in COLLECTOR.times["load login"][name]],
            COLLECTOR.errors("load login"),
        ),
    }
    dashboards = [n for n in pages.LEADER_PAGES if n.startswith("dashboard")]
    result["dashboard"] = {
        "alone": summary([t for n in dashboards for t in COLLECTOR.times["alone"].get(n, [])]),
        "under_load": summary([t for n in dashboards for t in COLLECTOR.times["load"].get(n, [])]),
    }
    result["errors"] = {
        phase: COLLECTOR.errors(phase)
        for phase in ("warm-up login", "warm-up", "alone login", "alone", "load login", "load")
    }
    result["error_messages"] = COLLECTOR.messages
    result["refresh"] = {
        "under_load_s": [p["shown_after_s"] for p in probes],
        "after_load_s": after["shown_after_s"],
        "queue_max": max(queue.samples, default=0),
        "queue_at_end": at_end,
        "queue_drained_after_s": drained,
    }
    if "split" in cpu:
        result["cpu"] = cpu["split"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--plan", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=50)
    parser.add_argument("--alone", type=float, default=4, help="seconds per leader level")
    parser.add_argument("--probes", type=int, default=3)
    parser.add_argument(
        "--pid", action="append", default=[], help="group=pid whose CPU to count (repeat)"
    )
    args = parser.parse_args()
    args.pids = {group: int(pid) for group, pid in (p.split("=", 1) for p in args.pid)}
    plan = json.loads(args.plan.read_text())
    result = smoke(args.host, plan) if args.smoke else full(args, plan)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
