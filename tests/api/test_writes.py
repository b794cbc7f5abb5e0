"""Writes through the API call the same services as the forms: the history names the
user, errors carry the forms' Vietnamese messages on their fields (400), a stale
version answers 409 with the current one."""

from datetime import date

from cases import services as case_services
from cases.models import Case, CaseSubject, DisciplineDecision
from plans.models import Programme, Target
from tests.cases import factories as case_factories
from tests.cases.factories import doc_number

CASE = {
    "body": "inspection_commission",
    "kind": "inspection_compliance",
    "title": "Kiểm tra việc thực hiện quy chế làm việc",
    "year": 2025,
    "decided_on": "2025-03-01",
    "work_starts_on": "2025-03-10",
    "work_ends_on": "2025-03-20",
}


def test_a_case_recorded_through_the_api_shows_in_the_history_with_the_user(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    body = {
        **CASE,
        "organization": tree.a1.pk,
        "decision_number": doc_number(),
        "subjects": [
            {"kind": "organization", "organization": tree.a1a.pk},
            {"kind": "member", "member_name": "Nguyễn Văn Thử", "is_committee_member": True},
        ],
    }
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    # The service proposed the one open target of (A1, kind, 2025), as the form does.
    assert data["target"] == world.target.pk and data["origin"] == "planned"
    assert data["decided_on"] == "2025-03-01" and data["subject_count"] == 2
    history = case_services.case_history(case)
    assert history and {entry["user"] for entry in history} == {cast.staff_a}
    assert case.history.earliest().history_user == cast.staff_a


def test_the_case_life_through_the_api(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    case = world.case_a1
    url = f"/api/v1/cases/{case.pk}"
    response = client.post(f"{url}/status/", {"status": "decided", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["next_statuses"] == ["in_progress", "cancelled"]
    version = response.json()["version"]
    response = client.post(
        f"{url}/status/", {"status": "in_progress", "version": version}, format="json"
    )
    version = response.json()["version"]
    subject = client.post(
        f"{url}/subjects/",
        {"kind": "member", "member_name": "Trần Thị Mẫu", "version": version},
        format="json",
    )
    assert subject.status_code == 201, subject.content
    version = Case.objects.get(pk=case.pk).version
    response = client.post(
        f"{url}/conclude/",
        {
            "version": version,
            "concluded_on": "2025-04-15",
            "violation_found": True,
            "shortcomings_found": None,
            "summary": "Có vi phạm.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "concluded"
    assert response.json()["concluded_on"] == "2025-04-15"
    response = client.post(
        f"{url}/disciplines/",
        {
            "subject": subject.json()["id"],
            "form": "warning",
            "decision_number": doc_number(),
            "decided_on": "2025-05-02",
            "deciding_organization": tree.a.pk,
            "deciding_body": "inspection_commission",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    decision = DisciplineDecision.objects.get()
    assert decision.history.earliest().history_user == cast.staff_a
    listed = client.get(f"{url}/disciplines/").json()
    assert [row["form"] for row in listed] == ["warning"]
    assert [row["member_name"] for row in client.get(f"{url}/subjects/").json()] == ["Trần Thị Mẫu"]


def test_errors_are_the_forms_vietnamese_messages_on_their_fields(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    response = client.post(
        "/api/v1/cases/",
        {**CASE, "organization": tree.a1.pk, "work_ends_on": "2025-03-05"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "work_ends_on": ["Ngày kết thúc làm việc không được trước ngày bắt đầu."]
    }
    response = client.post(
        "/api/v1/cases/", {"organization": tree.a1.pk, "year": "năm"}, format="json"
    )
    errors = response.json()
    assert response.status_code == 400
    assert errors["title"] == ["Trường này là bắt buộc."]
    assert errors["year"] == ["Giá trị không hợp lệ."]
    response = client.post(
        "/api/v1/cases/",
        {**CASE, "organization": tree.a1.pk, "subjects": [{"kind": "member"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"subjects": [{"member_name": ["Hãy nhập họ tên đảng viên."]}]}
    assert Case.objects.count() == 2  # nothing half-written
    response = client.post(
        f"/api/v1/cases/{world.case_a1.pk}/status/",
        {"status": "concluded", "version": world.case_a1.version},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"status": ["Không thể chuyển từ “Dự thảo” sang “Đã kết luận”."]}


def test_a_stale_version_answers_409_with_the_current_version(api, world, cast):
    client = api.as_user(cast.staff_a)
    case = world.case_a1
    first = client.patch(
        f"/api/v1/cases/{case.pk}/", {"version": case.version, "title": "Lần một"}, format="json"
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/cases/{case.pk}/", {"version": case.version, "title": "Lần hai"}, format="json"
    )
    assert second.status_code == 409
    body = second.json()
    assert body["current_version"] == first.json()["version"] == case.version + 1
    assert "Người khác đã sửa" in body["detail"]
    assert {"field": "nội dung", "before": case.title, "after": "Lần một"} in body["changes"]
    assert Case.objects.get(pk=case.pk).title == "Lần một"


def test_programmes_and_targets_are_written_through_the_plans_services(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    response = client.post(
        "/api/v1/plans/",
        {
            "organization": tree.a1.pk,
            "body": "committee",
            "year": 2026,
            "title": "Chương trình năm 2026",
            "doc_number": "7-CTr/ĐUA1",
            "issued_on": "2026-01-05",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    programme = Programme.objects.get(pk=response.json()["id"])
    assert response.json()["ends_on"] == "2026-12-31"  # the service's default
    assert programme.history.earliest().history_user == cast.staff_a
    added = client.post(
        "/api/v1/targets/",
        {
            "programme": programme.pk,
            "version": programme.version,
            "organization": tree.a1a.pk,
            "kind": "supervision_thematic",
            "quantity": 3,
            "due_on": "2027-01-10",
        },
        format="json",
    )
    assert added.status_code == 400
    assert added.json() == {
        "due_on": ["Thời hạn phải nằm trong thời gian của chương trình (01/01/2026 – 31/12/2026)."]
    }
    added = client.post(
        "/api/v1/targets/",
        {
            "programme": programme.pk,
            "version": programme.version,
            "organization": tree.a1a.pk,
            "kind": "supervision_thematic",
            "quantity": 3,
        },
        format="json",
    )
    assert added.status_code == 201, added.content
    stale = client.post(f"/api/v1/plans/{programme.pk}/issue/", {"version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    issued = client.post(f"/api/v1/plans/{programme.pk}/issue/", {"version": 2}, format="json")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    gone = client.delete(f"/api/v1/targets/{added.json()['id']}/")
    assert gone.status_code == 400  # an issued programme changes only by amendment
    assert Target.objects.filter(pk=added.json()["id"]).exists()


def test_a_discipline_form_that_does_not_fit_the_subject_is_refused_on_its_field(
    api, world, cast, tree
):
    client = api.as_user(cast.admin)
    case = world.case_b
    for status in ("decided", "in_progress"):
        case = case_services.change_status(
            user=cast.admin, case=case, status=status, version=case.version
        )
    subject = case_services.add_subject(
        user=cast.admin, case=case, kind=CaseSubject.Kind.ORGANIZATION, organization=tree.b1
    )
    case = Case.objects.get(pk=case.pk)
    client.post(
        f"/api/v1/cases/{case.pk}/conclude/",
        {"version": case.version, "concluded_on": "2025-04-15"},
        format="json",
    )
    response = client.post(
        f"/api/v1/cases/{case.pk}/disciplines/",
        {
            "subject": subject.pk,
            "form": "expulsion",
            "decision_number": doc_number(),
            "decided_on": "2025-05-02",
            "deciding_organization": tree.b.pk,
            "deciding_body": "committee",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["form"]
    assert "Hình thức này không áp dụng cho tổ chức đảng" in response.json()["form"][0]


def test_the_api_proposes_the_target_due_first_of_several_as_the_form_does(api, cast, tree):
    programme = case_factories.make_programme(tree.a1)
    case_factories.make_target(tree.a1, programme=programme, due_on=date(2025, 9, 30))
    first = case_factories.make_target(tree.a1, programme=programme, due_on=date(2025, 6, 30))
    client = api.as_user(cast.staff_a)
    body = {**CASE, "organization": tree.a1.pk, "decision_number": doc_number()}
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["target"], response.json()["origin"]) == (first.pk, "planned")
    body = {**body, "decision_number": doc_number(), "target": None}
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.json()["origin"] == "arising"  # only when asked for
