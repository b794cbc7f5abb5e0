"""A unit's period report submitted up the tree: the unit's staff submit, the parent's
staff or leaders return it with a comment or approve it, an approved report locks the
records it counted, a leader of the parent reopens it (reason kept). Who may do what,
through the services and the pages (404 outside the subtree)."""

from datetime import date
from typing import cast

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, RecordLock
from cases.services import check_unlocked
from ktgs import services as ktgs_services
from ktgs.models import Role, User
from ktgs.versioning import StaleObjectError
from reports import engine, services
from reports.models import ReportDeadline, ReportEvent, ReportPeriod, ReportSubmission
from tests.factories import UserFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 10, 5)  # the 9-month report (1/1–30/9) is due on 10/10
DEADLINES = {"month": 5, "q1": 10, "h1": 10, "m9": 10, "year": 15, "term": 30}


@pytest.fixture
def report_deadlines(db):
    """The deadlines reports/migrations/0014 seeds, made again (a transactional test
    elsewhere flushes every table, migration rows included)."""
    for kind, days in DEADLINES.items():
        ReportDeadline.objects.update_or_create(period_kind=kind, defaults={"days": days})


@pytest.fixture
def m9(tree, report_deadlines) -> ReportPeriod:
    return ReportPeriod.objects.get(kind="m9", year=2026, month=0)


@pytest.fixture
def figures_2026(tree):
    """A's programme: A1 two compliance inspections, one concluded in May (in the 9
    months), one in November (after them); an arising case in A2 in March."""
    prog = programme(tree.a)
    t_a1 = target(prog, tree.a1, quantity=2)
    in_period = case(tree.a1, target=t_a1, concluded_on=date(2026, 5, 4))
    case(tree.a2, kind="supervision_thematic", concluded_on=date(2026, 3, 2))
    engine.rebuild(TODAY)
    return in_period


@pytest.fixture
def staff_p(tree):
    person = cast(User, UserFactory(username="staff_p"))
    ktgs_services.grant_role(user=person, organization=tree.province, kind=Role.Kind.STAFF)
    return person


def submit(user, unit, period, **fields):
    return services.submit_report(
        user=user, organization=unit, period=period, today=TODAY, **fields
    )


def actions(submission) -> list[tuple[str, str]]:
    return [(e.action, e.text) for e in submission.events.order_by("at", "pk")]


@time_machine.travel(TODAY, tick=False)
def test_staff_submit_the_parent_returns_staff_resubmit_and_the_parent_approves(
    cast, tree, m9, figures_2026
):
    first = submit(cast.staff_a, tree.a, m9, number="15-BC/UBKT", recipients="- Tỉnh ủy,\n- Lưu.")
    assert first.status == ReportSubmission.Status.SUBMITTED
    assert first.recipient_lines == ("- Tỉnh ủy,", "- Lưu.")
    # The figures as of submission: the case concluded in May and the arising one.
    assert first.figures["lines.inspection_compliance.cases"] == 1
    assert first.figures["lines.supervision_thematic.arising"] == 1
    assert first.figures["lines.total.cases"] == 2

    with pytest.raises(ValidationError) as refused:
        services.return_report(user=cast.leader_p, submission=first, comment=" ", version=1)
    assert refused.value.message_dict == {"comment": ["Hãy ghi ý kiến khi trả lại báo cáo."]}

    returned = services.return_report(
        user=cast.leader_p, submission=first, comment="Thiếu số liệu tố cáo.", version=1
    )
    assert returned.status == ReportSubmission.Status.RETURNED
    again = submit(cast.staff_a, tree.a, m9, number="16-BC/UBKT", version=returned.version)
    assert again.pk == first.pk and again.status == ReportSubmission.Status.SUBMITTED
    approved = services.approve_report(user=cast.leader_p, submission=again, version=again.version)
    assert approved.status == ReportSubmission.Status.APPROVED
    assert approved.decided_by == cast.leader_p
    assert actions(approved) == [
        ("submitted", ""),
        ("returned", "Thiếu số liệu tố cáo."),
        ("submitted", ""),
        ("approved", ""),
    ]
    assert approved.history.count() == 4


@time_machine.travel(TODAY, tick=False)
def test_a_report_waiting_or_approved_is_not_submitted_again(cast, tree, m9, figures_2026):
    first = submit(cast.staff_a, tree.a, m9)
    with pytest.raises(ValidationError, match="đang chờ cấp trên duyệt"):
        submit(cast.staff_a, tree.a, m9, version=first.version)
    services.approve_report(user=cast.leader_p, submission=first, version=first.version)
    with pytest.raises(ValidationError, match="đã được duyệt"):
        submit(cast.staff_a, tree.a, m9)
    assert ReportSubmission.objects.count() == 1
    assert ReportEvent.objects.filter(action="submitted").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_who_may_submit_decide_and_reopen(cast, tree, m9, figures_2026, staff_p):
    # A leader does not submit; staff of the unit do.
    with pytest.raises(ValidationError, match="Chỉ cán bộ của đơn vị"):
        submit(cast.leader_p, tree.a, m9)
    submission = submit(cast.staff_a, tree.a, m9)
    # The unit's own staff do not approve their own report; the sibling's leader neither.
    for user in (cast.staff_a, cast.leader_b, cast.outsider):
        with pytest.raises(ValidationError, match="Chỉ cán bộ hoặc lãnh đạo của cấp trên"):
            services.approve_report(user=user, submission=submission, version=1)
    # Staff of the parent approve; they do not reopen, a leader of the parent does.
    services.approve_report(user=staff_p, submission=submission, version=1)
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo của cấp trên"):
        services.reopen_report(user=staff_p, submission=submission, reason="Sai số", version=2)
    reopened = services.reopen_report(
        user=cast.admin, submission=submission, reason="Sai số", version=2
    )
    assert reopened.status == ReportSubmission.Status.REOPENED


@time_machine.travel(TODAY, tick=False)
def test_a_stale_version_is_refused(cast, tree, m9, figures_2026):
    submission = submit(cast.staff_a, tree.a, m9)
    services.return_report(user=cast.leader_p, submission=submission, comment="Sửa", version=1)
    with pytest.raises(StaleObjectError):
        services.approve_report(user=cast.leader_p, submission=submission, version=1)


@time_machine.travel(TODAY, tick=False)
def test_approval_locks_the_counted_records_naming_the_report_and_reopen_unlocks(
    cast, tree, m9, figures_2026
):
    submission = submit(cast.staff_a, tree.a, m9)
    services.approve_report(user=cast.leader_p, submission=submission, version=1)
    lock = RecordLock.objects.get()
    assert lock.report == "Báo cáo 9 tháng 2026 — Đảng ủy Khối A"
    assert (lock.starts_on, lock.ends_on) == (date(2026, 1, 1), date(2026, 9, 30))
    # A record of A1 (below A) concluded in May is counted: refused, naming the report.
    with pytest.raises(ValidationError, match="Báo cáo 9 tháng 2026 — Đảng ủy Khối A"):
        check_unlocked(tree.a1, figures_2026.concluded_on)
    check_unlocked(tree.a1, date(2026, 11, 2))  # after the period: free
    check_unlocked(tree.b1, date(2026, 5, 4))  # the sibling's subtree: free
    # Through the cases services as staff change it: a new subject of the counted case
    # is refused with the report's name, and nothing is written.
    counted = Case.objects.get(pk=figures_2026.pk)
    with pytest.raises(ValidationError, match="Báo cáo 9 tháng 2026 — Đảng ủy Khối A"):
        case_services.add_subject(
            user=cast.staff_a,
            case=counted,
            version=counted.version,
            kind="member",
            member_name="Mới",
        )
    assert not counted.subjects.exists()

    with pytest.raises(ValidationError) as refused:
        services.reopen_report(user=cast.leader_p, submission=submission, reason="", version=2)
    assert refused.value.message_dict == {"reason": ["Hãy ghi lý do mở lại báo cáo."]}
    services.reopen_report(
        user=cast.leader_p,
        submission=submission,
        reason="Đơn vị A1 báo bổ sung một cuộc kiểm tra.",
        version=2,
    )
    assert not RecordLock.objects.exists()
    check_unlocked(tree.a1, figures_2026.concluded_on)
    counted = Case.objects.get(pk=figures_2026.pk)
    case_services.add_subject(
        user=cast.staff_a, case=counted, version=counted.version, kind="member", member_name="Mới"
    )
    assert actions(submission)[-1] == ("reopened", "Đơn vị A1 báo bổ sung một cuộc kiểm tra.")
    # Staff submit again after the reopening.
    again = submit(cast.staff_a, tree.a, m9, version=3)
    assert again.status == ReportSubmission.Status.SUBMITTED


# --- the pages -------------------------------------------------------------------------


def report_page(unit, period):
    return reverse("reports:period_report", args=[unit.pk]) + f"?year=2026&period={period.kind}"


def decide(client, submission, action, **data):
    url = reverse("reports:submission_decide", args=[submission.pk, action])
    return client.post(url, {"version": submission.version, **data})


@time_machine.travel(TODAY, tick=False)
def test_the_journey_through_the_pages(client, cast, tree, m9, figures_2026):
    client.force_login(cast.staff_a)
    page = client.get(report_page(tree.a, m9))
    assert page.status_code == 200
    panel = page.context["submission_panel"]
    assert panel["can_submit"] and not panel["can_decide"]
    # The form starts from the default header and the generated paragraph.
    initial = panel["submit_form"].initial
    assert initial["recipients"].startswith("Tỉnh ủy Thử Nghiệm,")
    assert initial["signed_on"] == TODAY

    posted = client.post(
        reverse("reports:submission_submit", args=[tree.a.pk]),
        {"period_id": m9.pk, "number": "15-BC/UBKT", "summary": "Đã kiểm tra 01 tổ chức."},
    )
    assert posted.status_code == 302
    submission = ReportSubmission.objects.get()
    assert submission.summary == "Đã kiểm tra 01 tổ chức."
    # The unit's staff cannot approve their own report: refused, nothing changes.
    own = decide(client, submission, "approve")
    assert own.status_code == 400
    assert "Chỉ cán bộ hoặc lãnh đạo của cấp trên" in own.content.decode()
    submission.refresh_from_db()
    assert submission.status == ReportSubmission.Status.SUBMITTED

    # The sibling's leader and an outsider do not see it at all.
    for user in (cast.leader_b, cast.outsider):
        client.force_login(user)
        assert decide(client, submission, "approve").status_code == 404
        assert client.get(report_page(tree.a, m9)).status_code == 404

    client.force_login(cast.leader_p)
    page = client.get(report_page(tree.a, m9))
    assert page.context["submission_panel"]["can_decide"]
    missing_comment = decide(client, submission, "return", comment="")
    assert missing_comment.status_code == 400
    returned = decide(client, submission, "return", comment="Bổ sung số liệu.")
    assert returned.status_code == 302
    submission.refresh_from_db()
    assert submission.status == ReportSubmission.Status.RETURNED
    page = client.get(report_page(tree.a, m9))
    assert "Bổ sung số liệu." in page.content.decode()

    client.force_login(cast.staff_a)
    page = client.get(report_page(tree.a, m9))
    assert page.context["submission_panel"]["submit_form"].initial["number"] == "15-BC/UBKT"
    client.post(
        reverse("reports:submission_submit", args=[tree.a.pk]),
        {"period_id": m9.pk, "number": "16-BC/UBKT", "version": submission.version},
    )
    submission.refresh_from_db()
    assert (submission.status, submission.number) == ("submitted", "16-BC/UBKT")

    client.force_login(cast.leader_p)
    assert decide(client, submission, "approve").status_code == 302
    submission.refresh_from_db()
    assert submission.status == ReportSubmission.Status.APPROVED
    page = client.get(report_page(tree.a, m9))
    assert page.context["submission_panel"]["can_reopen"]
    # htmx: the panel comes back in place.
    reopened = client.post(
        reverse("reports:submission_decide", args=[submission.pk, "reopen"]),
        {"version": submission.version, "reason": "Sai số liệu A1."},
        HTTP_HX_REQUEST="true",
    )
    assert reopened.status_code == 200
    assert 'id="submission-panel"' in reopened.content.decode()
    assert "Sai số liệu A1." in reopened.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_a_refused_post_says_why_and_writes_nothing(client, cast, tree, m9, figures_2026):
    client.force_login(cast.leader_p)
    url = reverse("reports:submission_submit", args=[tree.a.pk])
    refused = client.post(url, {"period_id": m9.pk, "number": "1-BC"})
    assert refused.status_code == 400
    assert "Chỉ cán bộ của đơn vị mới được gửi báo cáo" in refused.content.decode()
    client.force_login(cast.staff_a)
    bad_date = client.post(url, {"period_id": m9.pk, "signed_on": "31/02/2026"})
    assert bad_date.status_code == 400
    assert bad_date.context["submission_panel"]["submit_form"].errors["signed_on"]
    assert client.post(url, {"period_id": "x"}).status_code == 404
    assert not ReportSubmission.objects.exists()
    # A stale decision: refused, the form moved on to the current version.
    submission = submit(cast.staff_a, tree.a, m9)
    services.return_report(user=cast.leader_p, submission=submission, comment="Sửa", version=1)
    submit(cast.staff_a, tree.a, m9, version=2)
    client.force_login(cast.leader_p)
    stale = client.post(
        reverse("reports:submission_decide", args=[submission.pk, "approve"]), {"version": 1}
    )
    assert stale.status_code == 400
    moved_on = stale.context["submission_panel"]["forms"]["approve"]
    assert int(moved_on["version"].value()) == 3
    assert "phiên bản 1 → 3" in stale.content.decode()
    submission.refresh_from_db()
    assert submission.status == ReportSubmission.Status.SUBMITTED


def test_a_decision_on_a_submission_out_of_reach_or_unknown_is_404(client, cast):
    client.force_login(cast.staff_a)
    url = reverse("reports:submission_decide", args=[999999, "approve"])
    assert client.post(url, {"version": 1}).status_code == 404
    assert client.get(url).status_code == 405
