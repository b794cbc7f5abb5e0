"""`make loadtest`'s users (devtools.load.locustfile) against the live server: each task of
each class once, in Locust's own process as the load test runs them (devtools.load.drive
--smoke), through the pages and the API with real requests."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from cases.models import Case
from devtools.load import pages, plan, runner
from plans.models import Programme

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_task_of_the_load_test_runs_without_failure(tree, live_server, tmp_path):
    today = timezone.localdate()
    cast = plan.ensure_cast(tree.root, today)
    plan_path, out = tmp_path / "plan.json", tmp_path / "smoke.json"
    plan_path.write_text(json.dumps(plan.build_plan(cast, today)))

    subprocess.run(
        [sys.executable, "-m", "devtools.load.drive", "--smoke", "--host", live_server.url,
         "--plan", str(plan_path), "--out", str(out)],
        cwd=settings.BASE_DIR, env=os.environ.copy(), check=True, timeout=120,
    )  # fmt: skip
    result = json.loads(out.read_text())

    assert result["errors"] == 0, result["messages"]
    # The first leader's role is on the root: its dashboard, then a child's (the province).
    expected = {
        "dashboard · nation",
        "dashboard · province",
        "unit targets",
        "case list",
        "period report",
        "API progress",
        *pages.STAFF_PAGES,
    }
    assert expected <= set(result["pages"])
    assert all(result["pages"][name]["requests"] >= 1 for name in expected)
    assert result["logins"]["login · POST"]["requests"] == 2

    # The writes happened: the staff user's two cases (one recorded by the page, one by
    # the API) are concluded, one through each, and its draft programme's grid was saved.
    staff_user, staff_unit = cast.staff[0]
    recorded = Case.objects.filter(created_by=staff_user, organization=staff_unit)
    assert sorted(recorded.values_list("status", flat=True)) == ["concluded", "concluded"]
    programme = Programme.objects.get(organization=staff_unit, title=plan.PROGRAMME_TITLE)
    assert programme.status == Programme.Status.DRAFT
    assert programme.targets.filter(quantity__gte=1).exists()


def test_the_servers_keep_their_database_connections_as_production_does(monkeypatch):
    monkeypatch.delenv("DJANGO_CONN_MAX_AGE", raising=False)
    assert runner.server_environment()["DJANGO_CONN_MAX_AGE"] == "60"
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "0")
    assert runner.server_environment()["DJANGO_CONN_MAX_AGE"] == "0"


def _gunicorn_settings(env: dict[str, str]) -> dict[str, str]:
    """deploy/gunicorn.conf.py as gunicorn itself reads it (`--print-config`)."""
    printed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(runner.GUNICORN_SETTINGS), "ktgs.wsgi",
         "--print-config"],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.M))


def test_production_web_processes_come_from_the_settings_file(monkeypatch):
    """The web processes of production and of the load test: by default two sync
    processes per core; the processes, threads (gunicorn's threaded worker) and address
    from the environment (README, "Running in production")."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"WEB_CONCURRENCY", "KTGS_WEB_THREADS", "KTGS_BIND", "GUNICORN_CMD_ARGS"}
    }
    default = _gunicorn_settings(env)
    assert (default["worker_class"], default["threads"]) == ("sync", "1")
    assert default["workers"] == str(2 * len(os.sched_getaffinity(0)))
    assert default["bind"] == "['127.0.0.1:8000']"
    chosen = _gunicorn_settings(
        {**env, "WEB_CONCURRENCY": "3", "KTGS_WEB_THREADS": "3", "KTGS_BIND": "10.0.0.5:8001"}
    )
    assert (chosen["workers"], chosen["threads"], chosen["bind"]) == ("3", "3", "['10.0.0.5:8001']")
    assert chosen["worker_class"] == "gthread"
    # The load test says how many threads it measured with, as the file reads them.
    monkeypatch.delenv("KTGS_WEB_THREADS", raising=False)
    assert runner.gunicorn_threads() == 1
    monkeypatch.setenv("KTGS_WEB_THREADS", "3")
    assert runner.gunicorn_threads() == 3


def test_every_production_web_command_uses_the_settings_file():
    """deploy/Procfile and the systemd unit start gunicorn with deploy/gunicorn.conf.py."""
    base = settings.BASE_DIR
    procfile = (base / "deploy" / "Procfile").read_text()
    (web,) = [line for line in procfile.splitlines() if line.startswith("web:")]
    assert "gunicorn -c deploy/gunicorn.conf.py ktgs.wsgi" in web
    unit = (base / "deploy" / "systemd" / "ktgs-web.service").read_text()
    (start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert "gunicorn -c /srv/ktgs/deploy/gunicorn.conf.py ktgs.wsgi" in start
