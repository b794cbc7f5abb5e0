"""`make loadtest`'s users (devtools.load.locustfile) against the live server: each task of
each class once, in Locust's own process as the load test runs them (devtools.load.drive
--smoke), through the pages and the API with real requests."""

import json
import os
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
