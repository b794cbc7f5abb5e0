"""Through the API as on the form: a case of one body on a target of its unit's programme
of another body is refused (400, on `target`) unless `confirm_body_mismatch` is sent."""

from plans.models import Body
from tests.cases import factories as case_factories
from tests.cases.factories import doc_number

CASE = {
    "body": "inspection_commission",
    "kind": "inspection_compliance",
    "title": "Kiểm tra việc thực hiện quy chế làm việc",
    "year": 2025,
    "decided_on": "2025-03-01",
}


def test_another_bodys_target_is_400_on_target_and_201_when_confirmed(api, cast, tree):
    programme = case_factories.make_programme(
        tree.a1, body=Body.COMMITTEE, number=doc_number("CTr", "ĐU")
    )
    target = case_factories.make_target(tree.a1, programme=programme)
    client = api.as_user(cast.staff_a)
    body = {**CASE, "organization": tree.a1.pk, "decision_number": doc_number()}
    response = client.post("/api/v1/cases/", {**body, "target": target.pk}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["target"]
    assert "chương trình của Cấp ủy" in response.json()["target"][0]
    response = client.post(
        "/api/v1/cases/",
        {**body, "target": target.pk, "confirm_body_mismatch": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["target"] == target.pk
    case = response.json()
    # Omitted target: only the case's own body's targets are proposed.
    response = client.post(
        "/api/v1/cases/", {**body, "decision_number": doc_number()}, format="json"
    )
    assert response.status_code == 201 and response.json()["target"] is None
    # Changing the body later asks again.
    response = client.patch(
        f"/api/v1/cases/{case['id']}/",
        {"version": case["version"], "body": "standing_committee"},
        format="json",
    )
    assert response.status_code == 400 and "Ban thường vụ" in response.json()["target"][0]
    response = client.patch(
        f"/api/v1/cases/{case['id']}/",
        {"version": case["version"], "body": "standing_committee", "confirm_body_mismatch": True},
        format="json",
    )
    assert response.status_code == 200, response.content
