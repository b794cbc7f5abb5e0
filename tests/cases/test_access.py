"""Every case page for the fixed cast: admin and staff_a write in A's subtree; leader_p
reads but its writes get 404; leader_b and outsider get 404 on A's cases."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.cases.factories import YEAR, concluded, doc_number, record

READERS = {"admin": 200, "staff_a": 200, "leader_p": 200, "leader_b": 404, "outsider": 404}
WRITERS = {"admin": True, "staff_a": True, "leader_p": False, "leader_b": False, "outsider": False}


@pytest.fixture
def case_a1(cast, tree):
    return concluded(
        cast.staff_a,
        tree.a1,
        subjects=[
            {"kind": "member", "member_name": "Phạm Văn Mẫu", "member_position": "Đảng viên"}
        ],
    )


@pytest.mark.parametrize("who", list(READERS))
def test_case_detail_access(client, cast, case_a1, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("cases:detail", args=[case_a1.pk]))
    assert response.status_code == READERS[who]
    if response.status_code == 200:
        # Buttons and edit links only for writers.
        assert (reverse("cases:edit", args=[case_a1.pk]) in response.content.decode()) is (
            WRITERS[who]
        )


@pytest.mark.parametrize("who", list(READERS))
def test_case_list_shows_only_cases_in_reach(client, cast, tree, case_a1, who):
    b_case = record(cast.admin, tree.b1, title="Giám sát chi bộ B1")
    client.force_login(getattr(cast, who))
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    shown = {c["pk"] for c in response.context["cases"]}
    expected = {
        "admin": {case_a1.pk, b_case.pk},
        "staff_a": {case_a1.pk},
        "leader_p": {case_a1.pk, b_case.pk},
        "leader_b": {b_case.pk},
        "outsider": set(),
    }[who]
    assert shown == expected


@pytest.mark.parametrize("who", list(READERS))
def test_case_list_narrowed_to_a_unit_outside_reach_is_404(client, cast, tree, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("cases:list"), {"organization": tree.a1.pk})
    assert response.status_code == READERS[who]


@pytest.mark.parametrize("who", list(READERS))
def test_edit_page_get_and_post(client, cast, case_a1, who):
    client.force_login(getattr(cast, who))
    url = reverse("cases:edit", args=[case_a1.pk])
    expected = 200 if WRITERS[who] else 404
    assert client.get(url).status_code == expected
    data = {
        "version": case_a1.version,
        "organization": case_a1.organization_id,
        "body": case_a1.body,
        "kind": case_a1.kind,
        "title": "Đổi nội dung",
        "year": YEAR,
        "target": "arising",
        "decision_number": case_a1.decision_number,
        "decided_on": "01/03/2025",
        "work_starts_on": "10/03/2025",
        "work_ends_on": "20/03/2025",
        "subjects-TOTAL_FORMS": 0,
        "subjects-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == (302 if WRITERS[who] else 404)
    case_a1.refresh_from_db()
    assert (case_a1.title == "Đổi nội dung") is WRITERS[who]


@pytest.mark.parametrize("who", list(READERS))
def test_status_post(client, cast, case_a1, who):
    client.force_login(getattr(cast, who))
    response = client.post(
        reverse("cases:status", args=[case_a1.pk]),
        {"status": Case.Status.CLOSED, "version": case_a1.version, "confirmed": "on"},
    )
    assert response.status_code == (302 if WRITERS[who] else 404)
    case_a1.refresh_from_db()
    assert (case_a1.status == Case.Status.CLOSED) is WRITERS[who]


@pytest.mark.parametrize("who", list(READERS))
def test_status_get_is_not_allowed(client, cast, case_a1, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("cases:status", args=[case_a1.pk])).status_code == 405


@pytest.mark.parametrize("who", list(READERS))
def test_conclude_page(client, cast, case_a1, who):
    client.force_login(getattr(cast, who))
    url = reverse("cases:conclude", args=[case_a1.pk])
    assert client.get(url).status_code == (200 if WRITERS[who] else 404)
    response = client.post(
        url,
        {
            "version": case_a1.version,
            "concluded_on": "20/04/2025",
            "conclusion_number": "",
            "violation_found": "true",
            "shortcomings_found": "true",
            "summary": "Sửa kết luận",
        },
    )
    assert response.status_code == (302 if WRITERS[who] else 404)
    case_a1.refresh_from_db()
    assert (case_a1.summary == "Sửa kết luận") is WRITERS[who]


@pytest.mark.parametrize("who", list(READERS))
def test_discipline_page(client, cast, tree, case_a1, who):
    client.force_login(getattr(cast, who))
    subject = case_a1.subjects.get()
    url = reverse("cases:discipline", args=[case_a1.pk, subject.pk])
    assert client.get(url).status_code == (200 if WRITERS[who] else 404)
    response = client.post(
        url,
        {
            "form": "reprimand",
            "decision_number": doc_number(),
            "decided_on": "02/05/2025",
            "deciding_organization": tree.a1.pk,
            "deciding_body": "inspection_commission",
            "confirmed": "on",
        },
    )
    assert response.status_code == (302 if WRITERS[who] else 404)
    assert subject.disciplines.exists() is WRITERS[who]


@pytest.mark.parametrize("who", list(READERS))
def test_create_page(client, cast, tree, who):
    client.force_login(getattr(cast, who))
    url = reverse("cases:create")
    # Narrowed to A1: only writers of A1 may open it.
    assert client.get(url, {"organization": tree.a1.pk}).status_code == (
        200 if WRITERS[who] else 404
    )
    response = client.post(
        url,
        {
            "organization": tree.a1.pk,
            "body": "inspection_commission",
            "kind": "inspection_compliance",
            "title": "Cuộc mới",
            "year": YEAR,
            "target": "auto",
            "decision_number": "",
            "decided_on": "",
            "work_starts_on": "",
            "work_ends_on": "",
            "subjects-TOTAL_FORMS": 0,
            "subjects-INITIAL_FORMS": 0,
        },
    )
    created = Case.objects.filter(title="Cuộc mới").exists()
    assert created is WRITERS[who]
    if not WRITERS[who]:
        # The unit is not offered: the form refuses it on its field.
        assert response.status_code == 200
        assert response.context["form"].errors["organization"]


@pytest.mark.parametrize("who", list(READERS))
def test_subject_search_lists_only_units_in_reach(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("cases:subject_search"), {"q": "Chi bộ"})
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Chi bộ A1a" in body) is (READERS[who] == 200)
    assert ("Chi bộ B1" in body) is (who in ("admin", "leader_p", "leader_b"))


def test_subject_search_for_the_conducting_unit_lists_only_writable_units(client, cast):
    client.force_login(cast.leader_p)
    response = client.get(reverse("cases:subject_search"), {"q": "Chi bộ", "scope": "write"})
    assert "Chi bộ A1a" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, case_a1):
    response = client.get(reverse("cases:detail", args=[case_a1.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
