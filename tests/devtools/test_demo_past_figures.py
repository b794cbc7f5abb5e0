"""`seed_demo` leaves what beat would have left had it run all the demo year: the
snapshots of the periods that have ended and the trend points, so the leader's dashboard
shows Q1, 6 months and 9 months figures and a trend line."""

import datetime
import itertools
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from devtools.demo import province as demo
from ktgs.models import User
from reports import engine
from reports.engine.table import row_values
from reports.models import ALL_KINDS, DailySnapshot, PeriodSnapshot, ReportPeriod

# The demo's today: December, every period of the year but the year itself has ended.
NOON = datetime.datetime(2026, 12, 6, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Hà Nội
TODAY = datetime.date(2026, 12, 6)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def pinned():
    with time_machine.travel(NOON, tick=False):
        yield


def test_seed_demo_takes_the_years_past_snapshots_and_trend_points(db, client, pinned):
    output = seed()
    assert "Past figures 2026: 3 period snapshots" in output
    tree = demo.load_demo_tree()
    for kind in ("q1", "h1", "m9"):
        period = ReportPeriod.objects.get(kind=kind, year=2026, month=0)
        assert period.snapshot_taken_at is not None
        # What a snapshot at the period's end holds: the table as of that day.
        wanted = {k: v for k, v in engine.compute_table(period.ends_on).items() if k[1] == 2026}
        frozen = {
            (s.organization_id, s.year, s.kind, s.body): row_values(s)
            for s in PeriodSnapshot.objects.filter(period=period)
        }
        assert frozen == wanted
    assert not PeriodSnapshot.objects.filter(period__kind="year").exists()  # not ended

    # Weekly trend points from 1 January, the periods' ends and today, each as of its day.
    days = sorted(
        DailySnapshot.objects.filter(organization=tree.bloc).values_list("taken_on", flat=True)
    )
    assert days[0] == datetime.date(2026, 1, 1) and days[-1] == TODAY
    assert datetime.date(2026, 3, 31) in days and datetime.date(2026, 9, 30) in days
    assert len(days) >= 49 and all((b - a).days <= 7 for a, b in itertools.pairwise(days))
    march = DailySnapshot.objects.get(organization=tree.bloc, taken_on=datetime.date(2026, 3, 31))
    sub = engine.compute_table(datetime.date(2026, 3, 31))[(tree.bloc.pk, 2026, ALL_KINDS, "")][1]
    assert (march.sub_quantity, march.sub_capped_done, march.sub_expected) == (
        sub.quantity,
        sub.capped_done,
        sub.expected,
    )

    client.force_login(User.objects.get(username="lanhdao.khoi"))
    for kind in ("q1", "h1", "m9"):
        body = client.get(
            reverse("reports:dashboard", args=[tree.bloc.pk]), {"year": 2026, "period": kind}
        ).content.decode()
        assert "số liệu chốt kỳ" in body and "Hoàn thành chỉ tiêu" in body, kind
        data = json.loads(body.split('id="trend-data" type="application/json">')[1].split("<")[0])
        assert len(data["labels"]) > 10 and any(data["done"]), kind

    # A second run adds nothing and takes nothing again.
    before = (PeriodSnapshot.objects.count(), DailySnapshot.objects.count())
    output = seed()
    assert "Past figures" not in output
    assert (PeriodSnapshot.objects.count(), DailySnapshot.objects.count()) == before
