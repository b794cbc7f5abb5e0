"""Decision and document numbers through the API: unique per issuing body of one unit and
year, a duplicate answered with 400 and the Vietnamese message on its field (never 500)."""

from datetime import date

from cases import services as case_services
from plans import services as plan_services
from plans.models import ActivityKind
from tests.cases.factories import concluded, record

NUMBER = "69-QĐ/UBKTĐU"
CASE = {
    "body": "inspection_commission",
    "kind": "inspection_compliance",
    "title": "Kiểm tra việc thực hiện quy chế làm việc",
    "year": 2025,
    "target": None,
    "decided_on": "2025-03-01",
    "work_starts_on": "2025-03-10",
    "work_ends_on": "2025-03-20",
}
TAKEN_BY_A1_COMMISSION = (
    "Số quyết định 69-QĐ/UBKTĐU đã được Ủy ban kiểm tra của Đảng bộ cơ sở A1 dùng trong năm 2025."
)


def post_case(client, unit, **fields):
    return client.post(
        "/api/v1/cases/",
        {**CASE, "organization": unit.pk, "decision_number": NUMBER, **fields},
        format="json",
    )


def test_case_numbers_through_the_api(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    for unit, fields in [
        (tree.a1, {}),
        (tree.a, {}),  # another unit's commission
        (tree.a2, {}),
        (tree.a1, {"body": "committee"}),  # another body of A1
        (
            tree.a1,
            {
                "year": 2026,
                "decided_on": "2026-03-01",
                "work_starts_on": "2026-03-10",
                "work_ends_on": "2026-03-20",
            },
        ),
    ]:
        response = post_case(client, unit, **fields)
        assert response.status_code == 201, response.content
    refused = post_case(client, tree.a1, kind="supervision_thematic", decided_on="2025-10-01",
                        work_starts_on=None, work_ends_on=None)  # fmt: skip
    assert refused.status_code == 400
    assert refused.json() == {"decision_number": [TAKEN_BY_A1_COMMISSION]}


def test_changing_a_case_to_its_bodys_used_number_answers_400(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    assert post_case(client, tree.a1).status_code == 201
    case = world.case_a1  # A1's commission, another number
    response = client.patch(
        f"/api/v1/cases/{case.pk}/",
        {"version": case.version, "decision_number": NUMBER},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"decision_number": [TAKEN_BY_A1_COMMISSION]}
    other = record(cast.staff_a, tree.a1, body="committee", decision_number=NUMBER)
    response = client.patch(
        f"/api/v1/cases/{other.pk}/",
        {"version": other.version, "body": "inspection_commission"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"decision_number": [TAKEN_BY_A1_COMMISSION]}


def test_a_discipline_decision_reusing_its_bodys_case_number_answers_400(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    assert post_case(client, tree.a1).status_code == 201
    case = concluded(cast.staff_a, tree.a1a, subjects=[{"kind": "member", "member_name": "Thử"}])
    decision = {
        "subject": case.subjects.get().pk,
        "form": "reprimand",
        "decision_number": NUMBER,
        "decided_on": "2025-05-02",
        "deciding_organization": tree.a1.pk,
        "deciding_body": "inspection_commission",
    }
    response = client.post(f"/api/v1/cases/{case.pk}/disciplines/", decision, format="json")
    assert response.status_code == 400
    assert response.json() == {"decision_number": [TAKEN_BY_A1_COMMISSION]}
    response = client.post(
        f"/api/v1/cases/{case.pk}/disciplines/",
        {**decision, "deciding_body": "standing_committee"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert case_services.case_history(case)


PROGRAMME = {
    "body": "inspection_commission",
    "year": 2025,
    "title": "Chương trình kiểm tra, giám sát năm 2025",
    "doc_number": "05-CTr/ĐU",
    "issued_on": "2025-01-05",
}


def test_programme_numbers_through_the_api(api, world, cast, tree):
    client = api.as_user(cast.staff_a)
    issued = plan_services.create_programme(
        organization=tree.a1, scope="term", **{**PROGRAMME, "doc_number": "01-CTr/ĐU",
                                               "issued_on": date(2025, 1, 5)}
    )  # fmt: skip
    plan_services.issue_programme(programme=issued)
    plan_services.create_amendment(
        programme=issued,
        doc_number="09-CTr/ĐU",
        issued_on=date(2025, 6, 1),
        effective_on=date(2025, 6, 1),
        add=[{"organization": tree.a1a, "kind": ActivityKind.INSPECTION_FINANCE, "quantity": 1}],
    )
    for unit, fields in [(tree.a1, {}), (tree.a2, {}), (tree.a1, {"body": "committee"})]:
        response = client.post(
            "/api/v1/plans/", {**PROGRAMME, "organization": unit.pk, **fields}, format="json"
        )
        assert response.status_code == 201, response.content
    taken = "Số ký hiệu %s đã được Ủy ban kiểm tra của Đảng bộ cơ sở A1 dùng cho một văn bản "
    taken += "khác trong năm 2025."
    for number in ("05-CTr/ĐU", "09-CTr/ĐU"):  # a programme's, an amendment's
        response = client.post(
            "/api/v1/plans/",
            {**PROGRAMME, "organization": tree.a1.pk, "year": 2026, "doc_number": number,
             "issued_on": "2025-12-20"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 400
        assert response.json() == {"doc_number": [taken % number]}
    committee = plan_services.create_programme(
        organization=tree.a1, **{**PROGRAMME, "body": "committee", "doc_number": "09-CTr/ĐU",
                                 "issued_on": date(2025, 2, 1), "year": 2026}
    )  # fmt: skip
    response = client.patch(
        f"/api/v1/plans/{committee.pk}/",
        {"version": committee.version, "body": "inspection_commission"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"doc_number": [taken % "09-CTr/ĐU"]}
