"""`make bench`: the performance figures of DESIGN §6, each a ratio to a reference measured
in the same run (the machine is shared and noisy). Timings are the median of several runs
after a warm-up; request latencies are p95 over 200 requests.

Every write the benchmark makes (F3, F4, F7) happens inside a transaction that is rolled
back, so the dataset is the same for the next run. F11 computes a past period on demand
(reports.engine.subtree_figures, what the dashboard runs when the period has no snapshot)
for the nation and for one province.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from devtools import bulk
from devtools.bench import parts as bench_parts
from devtools.bench.measure import Rollback, median_ms, p95_ms
from devtools.bench.reminders import reminder_scan, reminder_sending
from ktgs import services as ktgs_services
from ktgs.models import Organization, User
from plans.models import Target
from reports import engine
from reports.engine import python as python_engine
from reports.engine import statements
from reports.engine.periods import DASHBOARD_PERIODS
from reports.engine.table import row_values
from reports.models import ALL_KINDS, ProgressRow, ReportPeriod
from reports.queries import LAGGING_SHOWN

# F0: the floor. Targets of issued programmes per (unit, kind) merged with their concluded
# cases, plus arising cases per (unit, kind) — the least any roll-up must read.
FLOOR_SQL = """
SELECT t.organization_id, t.kind, SUM(t.quantity), SUM(LEAST(COALESCE(c.n, 0), t.quantity))
FROM plans_target t
JOIN plans_programme p ON p.id = t.programme_id AND p.status IN ('issued', 'closed')
LEFT JOIN (
    SELECT target_id, COUNT(*) AS n FROM cases_case
    WHERE status IN ('concluded', 'closed') AND target_id IS NOT NULL GROUP BY target_id
) c ON c.target_id = t.id
WHERE t.removed_by_id IS NULL
GROUP BY t.organization_id, t.kind
UNION ALL
SELECT organization_id, kind, 0, COUNT(*) FROM cases_case
WHERE status IN ('concluded', 'closed') AND target_id IS NULL
GROUP BY organization_id, kind
"""


@dataclass
class Figures:
    profile: str
    units: int = 0
    targets: int = 0
    cases: int = 0
    rows: int = 0
    values: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


def floor() -> None:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        cursor.fetchall()


def full_computation(today: date) -> None:
    """F1: the whole table computed (on PostgreSQL into the temporary table a rebuild then
    compares and writes from), nothing written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            statements.compute(today, engine.lag_tolerance_cases())
        else:
            python_engine.reference_table(today)


def past_period_end(today: date) -> date:
    """The end of the latest dashboard period that has ended (9 months in December)."""
    ended = (
        ReportPeriod.objects.filter(kind__in=DASHBOARD_PERIODS, ends_on__lt=today)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    return ended or today - timedelta(days=1)


def on_demand(unit: Organization, day: date) -> None:
    """F11: what the dashboard computes for a past period without a snapshot — the unit's
    and its children's subtree figures and the lagging list, as of the period's end."""
    engine.subtree_figures(
        unit, day, range(day.year, day.year + 1), kind=ALL_KINDS, lagging=LAGGING_SHOWN
    )


def sample_units(root: Organization) -> dict[str, Organization]:
    """The root, a provincial-level unit and a grassroots unit with figures."""
    province = (
        Organization.objects.filter(path__startswith=root.path, level="provincial")
        .order_by("path")
        .first()
    )
    grassroots = (
        Organization.objects.filter(
            path__startswith=(province or root).path,
            level="grassroots",
            progress_rows__isnull=False,
        )
        .order_by("path")
        .first()
    )
    return {"root": root, "province": province or root, "grassroots": grassroots or root}


def dashboard_queries(client: Client, units: dict[str, Organization], year: int) -> dict:
    counts = {}
    for level, unit in units.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"year": year})
        assert response.status_code == 200, response.status_code
        counts[level] = len(ctx.captured_queries)
    return counts


def request_p95(
    client: Client,
    method: str,
    url: str,
    data_for: Callable[[int], dict] | None,
    n: int = 200,
    expect: tuple[int, ...] = (200,),
) -> float:
    send = client.get if method == "GET" else client.post
    send(url, data_for(-1) if data_for else None)  # warm-up
    samples = []
    for i in range(n):
        started = time.perf_counter()
        response = send(url, data_for(i) if data_for else None)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {url} answered {response.status_code}")
    return p95_ms(samples)


def peak_rebuild_mb() -> tuple[float, float]:
    """F8: memory a full rebuild adds, in a fresh process: (this Python process, the
    PostgreSQL backend serving it), in MB.

    Python: from /proc/self/status VmHWM (the peak of this process's own memory; the
    child's ru_maxrss is not usable, Linux carries the parent's peak across fork+exec).
    The backend does the work now (reports.engine.statements): its private memory (RssAnon, not
    the shared buffers it touches) sampled every 5 ms while the rebuild runs."""
    code = (
        "import django, json, threading, time\n"
        "def status(pid, key):\n"
        "    for line in open(f'/proc/{pid}/status'):\n"
        "        if line.startswith(key + ':'):\n"
        "            return int(line.split()[1])\n"
        "django.setup()\n"
        "from django.utils import timezone\n"
        "from django.db import connection\n"
        "from reports import engine\n"
        "import cases.models, plans.models\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SELECT pg_backend_pid()')\n"
        "    backend = cursor.fetchone()[0]\n"
        "base, backend_base = status('self', 'VmHWM'), status(backend, 'RssAnon')\n"
        "peak, done = [backend_base], threading.Event()\n"
        "def sample():\n"
        "    while not done.is_set():\n"
        "        peak[0] = max(peak[0], status(backend, 'RssAnon'))\n"
        "        time.sleep(0.005)\n"
        "sampler = threading.Thread(target=sample)\n"
        "sampler.start()\n"
        "engine.rebuild(timezone.localdate())\n"
        "done.set()\n"
        "sampler.join()\n"
        "print(json.dumps([(status('self', 'VmHWM') - base) / 1024,"
        " (peak[0] - backend_base) / 1024]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    python_mb, backend_mb = json.loads(out.stdout.strip().splitlines()[-1])
    return python_mb, backend_mb


def random_writes(root: Organization, today: date, n: int, seed: int) -> int:
    """F4: n random writes (adds, status changes, deletes, retargets, one subtree move),
    each followed by the incremental refresh its task would run; then the rows in which
    the table differs from a full rebuild. Rolled back afterwards."""
    rng = random.Random(seed)
    units = list(
        Organization.objects.filter(path__startswith=root.path, targets__isnull=False)
        .values_list("pk", flat=True)
        .distinct()[:5000]
    )
    targets = list(
        Target.objects.filter(organization_id__in=units).values_list(
            "pk", "organization_id", "kind"
        )[:20000]
    )
    case_ids = list(
        Case.objects.filter(organization_id__in=units).values_list("pk", flat=True)[:20000]
    )
    year = today.year
    differ = 0
    try:
        with transaction.atomic():
            for i in range(n):
                action = rng.random()
                if action < 0.4 or not case_ids:
                    tid, unit, kind = rng.choice(targets)
                    made = Case.objects.create(
                        organization_id=unit,
                        body="inspection_commission",
                        kind=kind,
                        year=year,
                        target_id=tid if rng.random() < 0.8 else None,
                        title=f"Bench {i}",
                        status="concluded",
                        concluded_on=today - timedelta(days=1),
                        decided_on=today - timedelta(days=30),
                    )
                    case_ids.append(made.pk)
                    touched = [unit]
                elif action < 0.8:
                    made = Case.objects.get(pk=rng.choice(case_ids))
                    if made.status in ("concluded", "closed"):
                        made.status, made.concluded_on = "cancelled", None
                    else:
                        made.status, made.concluded_on = "concluded", today - timedelta(days=1)
                    made.save(update_fields=["status", "concluded_on"])
                    touched = [made.organization_id]
                    if made.target_id:
                        touched.append(Target.objects.get(pk=made.target_id).organization_id)
                else:
                    pk = case_ids.pop(rng.randrange(len(case_ids)))
                    made = Case.objects.get(pk=pk)
                    touched = [made.organization_id]
                    if made.target_id:
                        touched.append(Target.objects.get(pk=made.target_id).organization_id)
                    made.delete()
                engine.refresh_units(touched, today)
            # One subtree move: a grassroots unit with figures under another parent.
            moved = Organization.objects.filter(pk__in=units, level="grassroots").first()
            new_parent = (
                Organization.objects.filter(level="upper_grassroots", path__startswith=root.path)
                .exclude(pk=moved.parent_id)
                .first()
                if moved
                else None
            )
            if moved and new_parent:
                old = list(
                    Organization.objects.filter(path__in=moved.ancestor_paths()).values_list(
                        "pk", flat=True
                    )
                )
                ktgs_services.move_organization(organization=moved, new_parent=new_parent)
                engine.move_subtree_totals(unit_id=moved.pk, old_ancestor_ids=old, today=today)
            wanted = engine.compute_table(today)
            have = {
                (r.organization_id, r.year, r.kind, r.body): row_values(r)
                for r in ProgressRow.objects.all()
            }
            differ = sum(1 for k in set(wanted) | set(have) if wanted.get(k) != have.get(k))
            raise Rollback
    except Rollback:
        pass
    return differ


def incremental_refresh(today: date, user: User, n: int = 100) -> tuple[float, float, float]:
    """F3: concluding a case through the service, without and with the refresh its task
    runs (the task's work done inline), alternately on 2n targets that count cases. Median
    ms of each, and of the refresh alone; rolled back afterwards."""
    # Targets that count cases: the concluded case then changes the unit's figures and its
    # ancestors' (a case concluded against a target that counts members, without subjects,
    # changes nothing, and the median measured such no-op refreshes).
    candidates = list(
        Target.objects.filter(
            programme__status="issued", due_on__year=today.year, counts=Target.Counts.CASES
        ).select_related("organization", "programme")[: 2 * n]
    )
    plain, refreshed, alone = [], [], []
    try:
        with transaction.atomic():
            for i, target in enumerate(candidates):
                made = case_services.record_case(
                    user=user,
                    organization=target.organization,
                    # The programme's body: a case of another body needs a confirmation.
                    body=target.programme.body,
                    kind=target.kind,
                    title=f"Bench F3 {i}",
                    year=today.year,
                    target=target,
                    decision_number=f"{900000 + i}-QĐ/BENCH",
                    decided_on=today - timedelta(days=20),
                    work_starts_on=today - timedelta(days=10),
                )
                for status in ("decided", "in_progress"):
                    made = case_services.change_status(
                        user=user, case=made, status=status, version=made.version
                    )
                started = time.perf_counter()
                case_services.conclude_case(
                    user=user,
                    case=made,
                    version=made.version,
                    concluded_on=today - timedelta(days=1),
                    violation_found=False,
                    shortcomings_found=False,
                    summary="",
                )
                if i % 2:
                    concluded = time.perf_counter()
                    engine.refresh_units([target.organization_id], today)
                    refreshed.append((time.perf_counter() - started) * 1000)
                    alone.append((time.perf_counter() - concluded) * 1000)
                else:
                    plain.append((time.perf_counter() - started) * 1000)
            raise Rollback
    except Rollback:
        pass
    return statistics.median(plain), statistics.median(refreshed), statistics.median(alone)


def tidy(log=print) -> None:
    """Vacuum what autovacuum would have vacuumed by now (devtools.bulk.vacuum)."""
    started = time.perf_counter()
    tables = bulk.vacuum()
    if tables:
        log(f"vacuumed {len(tables)} tables in {time.perf_counter() - started:.1f} s")


FIGURE_NAMES = ("F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11")


def run(
    profile: str,
    root_code: str,
    out_path: Path,
    writes: int,
    log=print,
    runs: int = 5,
    only: frozenset[str] = frozenset(FIGURE_NAMES),
    parts: bool = False,
) -> Figures:
    """Measure the figures in `only` (F0, the reference, always); with `parts`, F1's
    parts too (devtools.bench.parts)."""
    today = timezone.localdate()
    root = Organization.objects.get(code=root_code)
    figures = Figures(profile=profile)
    figures.units = Organization.objects.filter(path__startswith=root.path).count()
    figures.targets = Target.objects.count()
    figures.cases = Case.objects.count()
    log(f"dataset: {figures.units} units, {figures.targets} targets, {figures.cases} cases")

    started = time.perf_counter()
    first = engine.rebuild(today)
    log(
        f"first rebuild: {first.rows} rows ({first.changed} written) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    figures.rows = first.rows
    # The tables vacuumed and their statistics up to date, as autovacuum keeps them on a
    # production server (it may be off where the benchmark runs); again before the
    # figures that read what earlier figures wrote and rolled back.
    tidy(log)
    bulk.analyze()
    v = figures.values

    f0 = median_ms(floor, runs)
    v["F0_ms"] = round(f0, 1)
    log(f"F0 floor: {f0:.0f} ms")
    if "F1" in only:
        f1 = median_ms(lambda: full_computation(today), runs)
        v["F1_ratio"] = round(f1 / f0, 2)
        figures.notes["F1_ms"] = round(f1, 1)
        log(f"F1 full roll-up computation: {f1:.0f} ms")
        if parts and connection.vendor == "postgresql":
            measured = bench_parts.measure(today, FLOOR_SQL, runs)
            figures.notes["F1_parts"] = measured
            for name, part in measured.items():
                log(
                    f"F1 part {name:<18} {part['wall_ms']:>8.0f} ms wall, "
                    f"{part['cpu_ms'] if part['cpu_ms'] is not None else '-':>8} ms CPU"
                )
    if "F2" in only:
        f2 = median_ms(lambda: engine.rebuild(today), runs)
        v["F2_ratio"] = round(f2 / f0, 2)
        figures.notes["F2_ms"] = round(f2, 1)
        log(f"F2 full rebuild: {f2:.0f} ms")

    units = sample_units(root)
    day = past_period_end(today)
    if "F11" in only:
        nation = median_ms(lambda: on_demand(root, day), runs)
        province = median_ms(lambda: on_demand(units["province"], day), runs)
        v["F11_ratio"] = round(nation / f0, 2)
        v["F11_province_ms"] = round(province, 1)
        figures.notes.update(F11_nation_ms=round(nation, 1), F11_as_of=day.isoformat())
        log(
            f"F11 past period on demand (as of {day}): nation {nation:.0f} ms, "
            f"province {province:.0f} ms"
        )

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench", "bench@example.test", "bench-password"
    )
    if "F3" in only:
        if figures.targets:
            plain, refreshed, alone = incremental_refresh(today, admin)
            v["F3_ratio"] = round(refreshed / plain, 2)
            v["F3_extra_ms"] = round(refreshed - plain, 2)
            figures.notes["F3_refresh_alone_ms"] = round(alone, 2)
            log(
                f"F3 conclude through the service: {plain:.1f} ms; with refresh {refreshed:.1f} ms"
                f" (the refresh alone {alone:.2f} ms)"
            )
        else:
            log("F3 skipped: the dataset has no targets")

    if "F4" in only:
        started = time.perf_counter()
        v["F4_rows_differ"] = random_writes(root, today, writes, seed=20261121)
        figures.notes["F4_writes"] = writes
        figures.notes["F4_s"] = round(time.perf_counter() - started, 1)
        log(f"F4 after {writes} writes: {v['F4_rows_differ']} rows differ")

    tidy(log)
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    if "F5" in only:
        v["F5_queries"] = dashboard_queries(client, units, today.year)
        log(f"F5 dashboard queries: {v['F5_queries']}")

    if "F6" in only:
        trivial = request_p95(client, "GET", reverse("healthz"), None)
        dash = max(
            request_p95(client, "GET", reverse("reports:dashboard", args=[u.pk]), None)
            for u in units.values()
        )
        v["F6_extra_ms"] = round(dash - trivial, 2)
        figures.notes.update(
            F6_trivial_p95_ms=round(trivial, 2), F6_dashboard_p95_ms=round(dash, 2)
        )
        log(f"F6 dashboard p95 {dash:.1f} ms vs trivial {trivial:.1f} ms")

    if "F7" in only:
        unit = units["grassroots"]
        try:
            with transaction.atomic():
                trivial_post = request_p95(
                    client, "POST", reverse("profile"), lambda i: {"language": "vi"}, expect=(302,)
                )
                record = request_p95(
                    client,
                    "POST",
                    reverse("cases:create") + f"?organization={unit.pk}",
                    lambda i: {
                        "organization": unit.pk,
                        "body": "inspection_commission",
                        "kind": "supervision_thematic",
                        "title": f"Bench F7 {i}",
                        "year": today.year,
                        "target": "auto",  # the proposal, as a script posts it (cases.forms)
                        "decision_number": "",
                        "subjects-TOTAL_FORMS": "0",
                        "subjects-INITIAL_FORMS": "0",
                    },
                    expect=(302,),
                )
                raise Rollback
        except Rollback:
            pass
        v["F7_extra_ms"] = round(record - trivial_post, 2)
        figures.notes.update(
            F7_trivial_post_p95_ms=round(trivial_post, 2), F7_record_p95_ms=round(record, 2)
        )
        log(f"F7 record-a-case POST p95 {record:.1f} ms vs trivial POST {trivial_post:.1f} ms")

    if "F8" in only:
        python_mb, backend_mb = peak_rebuild_mb()
        v["F8_mb"] = round(python_mb + backend_mb, 1)
        figures.notes.update(F8_python_mb=round(python_mb, 1), F8_backend_mb=round(backend_mb, 1))
        log(
            f"F8 rebuild peak memory: +{python_mb:.1f} MB (Python)"
            f" + {backend_mb:.1f} MB (PostgreSQL)"
        )

    if "F9" in only:
        tidy(log)
        f9, outbox_rows = reminder_scan(root, today)
        v["F9_ratio"] = round(f9 / f0, 2)
        figures.notes.update(F9_ms=round(f9, 1), F9_outbox_rows=outbox_rows)
        log(f"F9 lag scan + outbox: {f9:.0f} ms, {outbox_rows} rows")
    if "F10" in only:
        sending = reminder_sending(root, today)
        v["F10_connections"] = sending["connections"]
        v["F10_received"] = sending["received"]
        v["F10_duplicates"] = sending["duplicates"]
        figures.notes.update(
            F10_expected_connections=sending.get("expected_connections"),
            F10_expected_received=sending.get("expected"),
        )
        log(f"F10 sending: {sending}")

    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(
        json.dumps(
            {
                "profile": profile,
                "units": figures.units,
                "targets": figures.targets,
                "cases": figures.cases,
                "rows": figures.rows,
                **v,
                "notes": figures.notes,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    return figures


# DESIGN.md §6, as it stands: F3, F7 and F9 were tightened once met (+3 → +1 ms, +25 →
# +10 ms, 10× → 5×); a goal here never lags DESIGN's, so "met" means met today.
GOALS = {
    "F1_ratio": ("≤ 3", lambda x: x <= 3),
    "F2_ratio": ("≤ 6", lambda x: x <= 6),
    "F3_ratio": ("≤ 3 (with F3_extra_ms)", lambda x: x <= 3),
    "F3_extra_ms": ("≤ +1 ms", lambda x: x <= 1),
    "F4_rows_differ": ("0", lambda x: x == 0),
    "F5_queries": (
        "same everywhere, ≤ 6",
        lambda x: len(set(x.values())) == 1 and max(x.values()) <= 6,
    ),
    "F6_extra_ms": ("≤ +25 ms", lambda x: x <= 25),
    "F7_extra_ms": ("≤ +10 ms", lambda x: x <= 10),
    "F8_mb": ("≤ 100 MB", lambda x: x <= 100),
    "F9_ratio": ("≤ 5", lambda x: x <= 5),
    # ⌈N / batch⌉ with N = 200 and the default batch of 20 (KTGS_OUTBOX_BATCH).
    "F10_connections": ("≤ ⌈N / batch⌉ = 10", lambda x: x <= 10),
    "F10_received": ("N + 1 batch = 220", lambda x: x == 220),
    "F10_duplicates": ("0", lambda x: x == 0),
    "F11_ratio": ("≤ 3", lambda x: x <= 3),
    "F11_province_ms": ("< 1,000 ms", lambda x: x < 1000),
}


def table(figures: Figures) -> str:
    lines = [
        f"ktgs benchmark — profile {figures.profile}: {figures.units:,} units, "
        f"{figures.targets:,} targets, {figures.cases:,} cases, {figures.rows:,} rows",
        f"{'figure':<16}{'value':>28}  {'goal':<24}met",
    ]
    for key, value in figures.values.items():
        goal, check = GOALS.get(key, ("reported", None))
        met = "" if check is None else ("yes" if check(value) else "NO")
        lines.append(f"{key:<16}{json.dumps(value, ensure_ascii=False):>28}  {goal:<24}{met}")
    return "\n".join(lines)
