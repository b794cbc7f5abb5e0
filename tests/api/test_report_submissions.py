"""/api/v1/report-submissions/ and /api/v1/report-comments/: scoped by access (404
outside reach, 403 inside reach for a role that may not act), thin over the services
(400 per field in Vietnamese, 409 on a stale version), in the schema without warnings."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from cases.models import RecordLock
from reports.engine import periods
from reports.models import Comment, ReportDeadline, ReportPeriod, ReportSubmission
from tests.reports.test_rollup import case
from tests.reports.test_submissions import DEADLINES

TODAY = date(2026, 10, 11)  # the day after the 9 months' deadline
URL = "/api/v1/report-submissions/"


@pytest.fixture
def m9(tree) -> ReportPeriod:
    periods.ensure_periods(2026)
    for kind, days in DEADLINES.items():
        ReportDeadline.objects.update_or_create(period_kind=kind, defaults={"days": days})
    case(tree.a1, concluded_on=date(2026, 5, 4))
    return ReportPeriod.objects.get(kind="m9", year=2026, month=0)


def submitted(api, cast, tree, m9) -> dict:
    response = api.as_user(cast.staff_a).post(
        URL,
        {
            "organization": tree.a.pk,
            "period": m9.pk,
            "number": "15-BC/UBKT",
            "recipients": ["- Ủy ban kiểm tra Tỉnh ủy,", "- Lưu."],
            "summary": "Kiểm tra 01 tổ chức đảng.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


@time_machine.travel(TODAY, tick=False)
def test_submit_return_resubmit_approve_and_reopen_through_the_api(api, cast, tree, m9):
    body = submitted(api, cast, tree, m9)
    assert body["status"] == "submitted"
    assert body["title"] == "Báo cáo 9 tháng 2026 — Đảng ủy Khối A"
    assert body["recipients"] == ["- Ủy ban kiểm tra Tỉnh ủy,", "- Lưu."]
    assert body["figures"]["lines.inspection_compliance.cases"] == 1
    pk = body["id"]

    leader = api.as_user(cast.leader_p)
    no_comment = leader.post(f"{URL}{pk}/return/", {"version": 1, "comment": ""}, format="json")
    assert no_comment.status_code == 400
    returned = leader.post(f"{URL}{pk}/return/", {"version": 1, "comment": "Bổ sung."})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    stale = leader.post(f"{URL}{pk}/approve/", {"version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    staff = api.as_user(cast.staff_a)
    again = staff.post(
        URL, {"organization": tree.a.pk, "period": m9.pk, "version": 2}, format="json"
    )
    assert again.status_code == 201 and again.json()["status"] == "submitted"
    twice = staff.post(URL, {"organization": tree.a.pk, "period": m9.pk}, format="json")
    assert twice.status_code == 400
    assert "đang chờ cấp trên duyệt" in twice.json()["non_field_errors"][0]

    leader = api.as_user(cast.leader_p)
    approved = leader.post(f"{URL}{pk}/approve/", {"version": 3})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert RecordLock.objects.filter(key=f"period_report:{pk}").exists()
    reopened = leader.post(f"{URL}{pk}/reopen/", {"version": 4, "reason": "Sai số liệu."})
    assert reopened.status_code == 200
    events = [(e["action"], e["text"]) for e in reopened.json()["events"]]
    assert events[-1] == ("reopened", "Sai số liệu.")
    assert not RecordLock.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_who_sees_and_who_may_act(api, cast, tree, m9):
    pk = submitted(api, cast, tree, m9)["id"]
    # The sibling's leader and an outsider: not found, in the list or by id.
    for user in (cast.leader_b, cast.outsider):
        client = api.as_user(user)
        assert client.get(URL).json()["results"] == []
        assert client.get(f"{URL}{pk}/").status_code == 404
        assert client.post(f"{URL}{pk}/approve/", {"version": 1}).status_code == 404
    # The unit's own staff see it but do not approve it, nor reopen it.
    staff = api.as_user(cast.staff_a)
    assert [row["id"] for row in staff.get(URL).json()["results"]] == [pk]
    assert staff.post(f"{URL}{pk}/approve/", {"version": 1}).status_code == 403
    # A leader does not submit.
    leader = api.as_user(cast.leader_p)
    refused = leader.post(URL, {"organization": tree.a.pk, "period": m9.pk}, format="json")
    assert refused.status_code == 403
    assert ReportSubmission.objects.get().status == "submitted"
    # A unit out of reach reads as not in reach.
    out = api.as_user(cast.staff_a).post(
        URL, {"organization": tree.b.pk, "period": m9.pk}, format="json"
    )
    assert out.status_code == 400 and "organization" in out.json()


@time_machine.travel(TODAY, tick=False)
def test_the_childrens_status_endpoint_flags_the_overdue(api, cast, tree, m9):
    submitted(api, cast, tree, m9)
    response = api.as_user(cast.leader_p).get(
        f"{URL}children-status/", {"organization": tree.province.pk, "period": m9.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["due_on"] == "2026-10-10"
    rows = {row["name"]: (row["status"], row["overdue"]) for row in body["children"]}
    assert rows == {"Đảng ủy Khối A": ("submitted", False), "Đảng ủy xã B": ("missing", True)}
    # A unit out of reach: refused on the parameter.
    sibling = api.as_user(cast.leader_b).get(
        f"{URL}children-status/", {"organization": tree.a.pk, "period": m9.pk}
    )
    assert sibling.status_code == 400


@time_machine.travel(TODAY, tick=False)
def test_comments_are_written_by_readers_and_scoped(api, cast, tree, m9):
    leader = api.as_user(cast.leader_p)
    made = leader.post(
        "/api/v1/report-comments/",
        {"organization": tree.a.pk, "period": m9.pk, "text": "Đề nghị đẩy nhanh tiến độ."},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["author"] == cast.leader_p.username
    blank = leader.post(
        "/api/v1/report-comments/", {"organization": tree.a.pk, "text": " "}, format="json"
    )
    assert blank.status_code == 400 and "text" in blank.json()
    assert len(api.as_user(cast.staff_a).get("/api/v1/report-comments/").json()["results"]) == 1
    assert api.as_user(cast.leader_b).get("/api/v1/report-comments/").json()["results"] == []
    outside = api.as_user(cast.leader_b).post(
        "/api/v1/report-comments/", {"organization": tree.a.pk, "text": "x"}, format="json"
    )
    assert outside.status_code == 400
    assert Comment.objects.count() == 1


def test_the_schema_has_the_round_trip_and_no_warning(api, cast, tree):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    paths = api.as_user(cast.staff_a).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/report-submissions/",
        "/api/v1/report-submissions/{id}/",
        "/api/v1/report-submissions/{id}/return/",
        "/api/v1/report-submissions/{id}/approve/",
        "/api/v1/report-submissions/{id}/reopen/",
        "/api/v1/report-submissions/children-status/",
        "/api/v1/report-comments/",
        "/api/v1/report-comments/{id}/",
    ):
        assert path in paths
    assert {"201", "400", "403", "409"} <= set(
        paths["/api/v1/report-submissions/"]["post"]["responses"]
    )
