"""`seed_demo`'s period reports sent up the tree (devtools.demo.submissions): a 9-month
report approved (and locked), one submitted, one returned with a comment, one overdue,
and comments, made through reports.services; seeding again adds nothing."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from cases.models import RecordLock
from devtools.demo import province as demo
from devtools.demo.submissions import PROGRESS_COMMENT, RETURN_COMMENT, SUBMISSION_COMMENT
from ktgs.models import Organization
from reports.models import Comment, ReportEvent, ReportPeriod, ReportSubmission
from reports.queries.submissions import MISSING, children_status
from tests.reports.test_submissions import report_deadlines  # noqa: F401

# The 9-month report of 2026 was due on 10 October: overdue on the 20th.
TODAY = datetime.date(2026, 10, 20)
NOON = datetime.datetime(2026, 10, 20, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Hà Nội
S = ReportSubmission.Status


def seed() -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def seeded(db, report_deadlines):  # noqa: F811
    with time_machine.travel(NOON, tick=False):
        yield seed()


def test_the_demo_has_an_approved_a_submitted_a_returned_and_an_overdue_9_month_report(seeded):
    m9 = ReportPeriod.objects.get(kind="m9", year=2026, month=0)
    province = Organization.objects.get(code=demo.PROVINCE_CODE)
    bloc = Organization.objects.get(code=demo.BLOC_CODE)
    first_commune = Organization.objects.get(code=demo.FIRST_COMMUNE_CODE)
    assert "Demo reports 9 tháng 2026:" in seeded

    by_unit = {c.organization.code: c for c in children_status(province, m9, today=TODAY).children}
    assert by_unit[demo.BLOC_CODE].status == S.APPROVED
    assert by_unit[demo.FIRST_COMMUNE_CODE].status == S.SUBMITTED
    second_commune = by_unit["TDM.X02"]
    assert (second_commune.status, second_commune.overdue) == (MISSING, True)
    assert not any(c.overdue for c in by_unit.values() if c.status in (S.APPROVED, S.SUBMITTED))

    # The approved report is locked, under its name; its figures were stored.
    approved = ReportSubmission.objects.get(organization=bloc, period=m9)
    lock = RecordLock.objects.get(key=approved.lock_key())
    assert lock.report == f"Báo cáo 9 tháng 2026 — {bloc.name}"
    assert approved.figures["lines.total.cases"] > 0
    assert approved.decided_by is not None and approved.decided_by.username == "lanhdao.tinh"
    waiting = ReportSubmission.objects.get(organization=first_commune, period=m9)
    assert waiting.submitted_by is not None and waiting.submitted_by.username == "canbo.xa"

    # The bloc's first committee: returned with the leader's comment, overdue again.
    (returned_child,) = [c for c in children_status(bloc, m9, today=TODAY).children
                         if c.status == S.RETURNED]  # fmt: skip
    assert returned_child.overdue
    returned = returned_child.submission
    assert returned is not None
    events = [(e.action, e.text, e.user.username if e.user else "") for e in returned.events.all()]
    assert events == [
        (ReportEvent.Action.SUBMITTED, "", "canbo.khoi"),
        (ReportEvent.Action.RETURNED, RETURN_COMMENT, "lanhdao.khoi"),
        (ReportEvent.Action.COMMENTED, SUBMISSION_COMMENT, "lanhdao.khoi"),
    ]
    comments = {(c.organization_id, c.text) for c in Comment.objects.all()}
    assert comments == {(returned.organization_id, SUBMISSION_COMMENT), (bloc.pk, PROGRESS_COMMENT)}


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (ReportSubmission, ReportEvent, Comment))


def test_seeding_the_demo_again_adds_no_report(seeded):
    before = counts()
    with time_machine.travel(NOON, tick=False):
        output = seed()
    assert "Demo reports" not in output
    # Submitted + approved, submitted, submitted + returned + commented; two comments.
    assert counts() == before == (3, 6, 2)


def test_before_this_years_deadline_the_demo_reports_last_years_9_months(db, report_deadlines):  # noqa: F811
    with time_machine.travel(datetime.datetime(2026, 7, 2, 5, 0, tzinfo=datetime.UTC), tick=False):
        output = seed()
    assert "Demo reports 9 tháng 2025:" in output
    assert set(ReportSubmission.objects.values_list("period__year", flat=True)) == {2025}
