"""The API of the commission's other records: /letters/, /denunciations/, /complaints/,
/suspensions/ — scoped like every endpoint (sibling and outsider 404, names never in
what they read), writes through the services (400 per field in Vietnamese, 403 for a
read-only role, 409 for a stale version)."""

import pytest

from cases.models import Case, Denunciation, Letter
from plans.models import ActivityKind
from tests.api.conftest import ids
from tests.cases.factories import (
    complaint,
    denunciation,
    disciplined,
    doc_number,
    letter,
    suspension,
)

pytestmark = pytest.mark.usefixtures("deadline_rules")

READERS = {"admin": 200, "staff_a": 200, "leader_p": 200, "leader_b": 404, "outsider": 404}
NAMES = ["Nguyễn Thị Gửi", "Trần Văn Bị", "Lê Văn Kỷ", "Đỗ Văn Đình"]


@pytest.fixture
def records(cast, tree):
    decision = disciplined(cast.staff_a, tree.a1)
    return {
        "letters": letter(cast.staff_a, tree.a1, kind="petition"),
        "denunciations": denunciation(cast.staff_a, tree.a1),
        "complaints": complaint(cast.staff_a, decision, tree.a),
        "suspensions": suspension(cast.staff_a, tree.a1),
    }


@pytest.mark.parametrize("endpoint", ["letters", "denunciations", "complaints", "suspensions"])
@pytest.mark.parametrize("who", list(READERS))
def test_list_and_detail_follow_the_access_rules(api, cast, records, endpoint, who):
    client = api.as_user(getattr(cast, who))
    listed = client.get(f"/api/v1/{endpoint}/")
    seen = ids(listed)
    assert (records[endpoint].pk in seen) is (READERS[who] == 200)
    detail = client.get(f"/api/v1/{endpoint}/{records[endpoint].pk}/")
    assert detail.status_code == READERS[who]
    if READERS[who] == 404:
        text = listed.content.decode() + detail.content.decode()
        assert not any(name in text for name in NAMES)


def test_letters_carry_names_inside_the_subtree(api, cast, records):
    data = api.as_user(cast.leader_p).get(f"/api/v1/letters/{records['letters'].pk}/").json()
    assert data["sender_name"] == "Nguyễn Thị Gửi"
    assert data["about_member_name"] == "Trần Văn Bị"


def letter_body(tree, **overrides):
    body = {
        "organization": tree.a1.pk,
        "body": "inspection_commission",
        "received_on": "2025-03-01",
        "sender_kind": "named",
        "sender_name": "Nguyễn Thị Gửi",
        "kind": "denunciation",
        "about_kind": "member",
        "about_member_name": "Trần Văn Bị",
        "summary": "Tố cáo.",
    }
    body.update(overrides)
    return body


def test_create_a_letter_and_open_extend_conclude_its_denunciation(api, cast, tree):
    client = api.as_user(cast.staff_a)
    created = client.post("/api/v1/letters/", letter_body(tree), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    opened = client.post(
        f"/api/v1/letters/{pk}/open-denunciation/",
        {
            "version": 1,
            "body": "inspection_commission",
            "decision_number": doc_number(),
            "decided_on": "2025-03-05",
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    data = opened.json()
    assert data["due_on"] == "2025-05-30" and data["deadline"]["status"] == "overdue"
    extended = client.post(
        f"/api/v1/denunciations/{data['id']}/extend/",
        {"version": data["version"], "extended_to": "2025-06-20", "extension_reason": "Xác minh"},
        format="json",
    )
    assert extended.status_code == 200, extended.content
    assert extended.json()["deadline"]["due"] == "2025-06-20"
    concluded = client.post(
        f"/api/v1/denunciations/{data['id']}/conclude/",
        {"version": extended.json()["version"], "conclusion": "true", "concluded_on": "2025-06-15"},
        format="json",
    )
    assert concluded.status_code == 200, concluded.content
    assert concluded.json()["case_status"] == "concluded"
    assert concluded.json()["deadline"]["status"] == "in_time"
    assert Letter.objects.get(pk=pk).handling == "handled_here"


def test_bad_input_is_a_400_on_the_field_and_writes_nothing(api, cast, tree):
    client = api.as_user(cast.staff_a)
    response = client.post(
        "/api/v1/letters/",
        letter_body(tree, sender_name="", received_on="2099-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["received_on"] == ["Ngày nhận không được sau ngày hôm nay."]
    anonymous = letter(cast.staff_a, tree.a1, sender_kind="anonymous", sender_name="")
    response = client.post(
        f"/api/v1/letters/{anonymous.pk}/open-denunciation/",
        {"version": 1, "body": "inspection_commission"},
        format="json",
    )
    assert response.status_code == 400
    assert "nặc danh" in response.json()["sender_kind"][0]
    assert not Denunciation.objects.exists()


def test_a_stale_version_is_a_409_with_the_changes(api, cast, tree, records):
    client = api.as_user(cast.staff_a)
    pk = records["letters"].pk
    first = client.patch(f"/api/v1/letters/{pk}/", {"version": 1, "summary": "Một"}, format="json")
    assert first.status_code == 200
    second = client.patch(f"/api/v1/letters/{pk}/", {"version": 1, "summary": "Hai"}, format="json")
    assert second.status_code == 409
    body = second.json()
    assert body["current_version"] == 2
    assert any(change["after"] == "Một" for change in body["changes"])
    suspended = records["suspensions"]
    client.post(
        f"/api/v1/suspensions/{suspended.pk}/extend/",
        {"version": 1, "ends_on": "2025-06-01", "extension_reason": "Chờ"},
        format="json",
    )
    stale = client.post(
        f"/api/v1/suspensions/{suspended.pk}/lift/",
        {"version": 1, "lifted_on": "2025-04-01", "outcome": "reinstated"},
        format="json",
    )
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("who", "status"), [("leader_p", 403), ("leader_b", 404), ("outsider", 404)]
)
def test_writes_by_a_reader_are_403_and_outside_reach_404(api, cast, records, who, status):
    client = api.as_user(getattr(cast, who))
    pk = records["letters"].pk
    response = client.post(
        f"/api/v1/letters/{pk}/keep/", {"version": 1, "handled_on": "2025-04-01"}, format="json"
    )
    assert response.status_code == status
    assert Letter.objects.get(pk=pk).handling == "pending"


def test_letter_actions(api, cast, tree, records):
    client = api.as_user(cast.staff_a)
    handled = client.post(
        f"/api/v1/letters/{records['letters'].pk}/handle/",
        {"version": 1, "handled_on": "2025-04-01"},
        format="json",
    )
    assert handled.status_code == 200 and handled.json()["handling"] == "handled_here"
    other = letter(cast.staff_a, tree.a1)
    refused = client.post(
        f"/api/v1/letters/{other.pk}/forward/",
        {"version": 1, "handled_on": "2025-04-01", "forwarded_to": tree.b.pk},
        format="json",
    )
    assert refused.status_code == 400 and "forwarded_to" in refused.json()
    forwarded = client.post(
        f"/api/v1/letters/{other.pk}/forward/",
        {"version": 1, "handled_on": "2025-04-01", "forwarded_to": tree.province.pk},
        format="json",
    )
    assert forwarded.status_code == 200 and forwarded.json()["forwarded_to"] == tree.province.pk
    kept = letter(cast.staff_a, tree.a1)
    response = client.post(
        f"/api/v1/letters/{kept.pk}/keep/",
        {"version": 1, "handled_on": "2025-04-01"},
        format="json",
    )
    assert response.json()["handling"] == "kept"


def test_complaints_and_suspensions_create_and_act(api, cast, tree):
    client = api.as_user(cast.staff_a)
    decision = disciplined(cast.staff_a, tree.a1)
    lodged = client.post(
        "/api/v1/complaints/",
        {
            "discipline": decision.pk,
            "organization": tree.a.pk,
            "body": "inspection_commission",
            "decision_received_on": "2025-04-12",
            "lodged_on": "2025-04-20",
            "decision_number": doc_number(),
            "decided_on": "2025-04-25",
        },
        format="json",
    )
    assert lodged.status_code == 201, lodged.content
    decided = client.post(
        f"/api/v1/complaints/{lodged.json()['id']}/decide/",
        {"version": lodged.json()["version"], "result": "upheld", "decided_on": "2025-05-10"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["result"] == "upheld"
    created = client.post(
        "/api/v1/suspensions/",
        {
            "organization": tree.a1.pk,
            "body": "inspection_commission",
            "kind": "party_activity",
            "reason": "prosecuted",
            "starts_on": "2025-02-01",
            "member_name": "Đỗ Văn Đình",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["ends_on"] == "2025-05-02"
    over = client.post(
        f"/api/v1/suspensions/{created.json()['id']}/extend/",
        {"version": 1, "ends_on": "2025-12-01", "extension_reason": "Chờ"},
        format="json",
    )
    assert over.status_code == 400 and "180 ngày" in over.json()["ends_on"][0]


def test_filters_by_unit_and_deadline(api, cast, tree, records):
    client = api.as_user(cast.leader_p)
    assert ids(client.get("/api/v1/denunciations/", {"deadline": "overdue"})) == {
        records["denunciations"].pk
    }
    assert ids(client.get("/api/v1/denunciations/", {"deadline": "due_soon"})) == set()
    assert ids(client.get("/api/v1/suspensions/", {"subtree_of": tree.b.pk})) == set()
    in_a1 = {records["letters"].pk, records["denunciations"].letter_id}
    assert ids(client.get("/api/v1/letters/", {"organization": tree.a1.pk})) == in_a1
    assert ids(client.get("/api/v1/letters/", {"organization": tree.a.pk})) == set()
    assert ids(client.get("/api/v1/letters/", {"subtree_of": tree.a.pk})) == in_a1
    assert ids(client.get("/api/v1/complaints/", {"subtree_of": tree.a.pk})) == {
        records["complaints"].pk
    }


def test_the_api_refuses_to_change_the_kind_of_a_denunciations_case_on_the_field(api, cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    response = api.as_user(cast.staff_a).patch(
        f"/api/v1/cases/{opened.case.pk}/",
        {"version": opened.case.version, "kind": ActivityKind.INSPECTION_VIOLATION},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "kind": [
            "Cuộc này giải quyết một tố cáo hoặc khiếu nại kỷ luật đã ghi nhận: loại của nó "
            "luôn là “Giải quyết tố cáo”."
        ]
    }
    assert Case.objects.get().kind == ActivityKind.DENUNCIATION
