"""Every programme page for the cast: admin and staff_a write in A's subtree, leader_p
reads only (no edit buttons, writes answer 404), leader_b and outsider get 404. Plus the
list filters and a constant query count on the detail page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseSubject
from plans import services
from plans.models import ActivityKind, Programme
from tests.plans.factories import INSPECT, SUPERVISE, add_grid, make_programme

D = datetime.date
READERS = {"admin": 200, "staff_a": 200, "leader_p": 200, "leader_b": 404, "outsider": 404}
WRITERS = {"admin": True, "staff_a": True, "leader_p": False, "leader_b": False, "outsider": False}


@pytest.fixture
def draft(tree):
    programme = make_programme(tree.a)
    add_grid(programme, {(tree.a1, INSPECT): 2})
    return programme


@pytest.fixture
def issued(tree):
    programme = make_programme(tree.a, issued_on=D(2025, 1, 3))
    add_grid(programme, {(tree.a1, INSPECT): 2})
    services.issue_programme(programme=programme)
    return programme


@pytest.mark.parametrize("who", list(READERS))
def test_detail_is_read_by_reach(client, cast, draft, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("plans:detail", args=[draft.pk]))
    assert response.status_code == READERS[who]
    if response.status_code == 200:
        edit_link = reverse("plans:edit", args=[draft.pk])
        assert (edit_link in response.content.decode()) is WRITERS[who]


@pytest.mark.parametrize("who", list(READERS))
@pytest.mark.parametrize("name", ["edit", "targets", "quota", "copy"])
def test_write_pages_answer_404_outside_write_reach(client, cast, draft, who, name):
    client.force_login(getattr(cast, who))
    url = reverse(f"plans:{name}", args=[draft.pk])
    assert client.get(url).status_code == (200 if WRITERS[who] else 404)
    if not WRITERS[who]:
        assert client.post(url, {"version": draft.version}).status_code == 404


@pytest.mark.parametrize("who", list(READERS))
def test_amend_page_answers_404_outside_write_reach(client, cast, issued, who):
    client.force_login(getattr(cast, who))
    url = reverse("plans:amend", args=[issued.pk])
    assert client.get(url).status_code == (200 if WRITERS[who] else 404)
    if not WRITERS[who]:
        assert client.post(url, {}).status_code == 404
        assert issued.amendments.count() == 0


@pytest.mark.parametrize("who", list(READERS))
def test_issue_and_close_are_writes(client, cast, draft, who):
    client.force_login(getattr(cast, who))
    response = client.post(reverse("plans:issue", args=[draft.pk]), {"version": draft.version})
    draft.refresh_from_db()
    if WRITERS[who]:
        assert response.status_code == 302
        assert draft.status == Programme.Status.ISSUED
        response = client.post(reverse("plans:close", args=[draft.pk]), {"version": draft.version})
        draft.refresh_from_db()
        assert draft.status == Programme.Status.CLOSED
    else:
        assert response.status_code == 404
        assert draft.status == Programme.Status.DRAFT
        assert client.post(reverse("plans:close", args=[draft.pk])).status_code == 404


def test_issue_with_a_stale_version_is_refused_with_a_message(client, cast, draft):
    client.force_login(cast.staff_a)
    services.update_programme(programme=draft, title="Đã sửa", user=cast.admin)
    response = client.post(reverse("plans:issue", args=[draft.pk]), {"version": 1}, follow=True)
    assert "sau khi bạn mở biểu mẫu" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Programme.Status.DRAFT


def test_issue_get_only_asks_for_confirmation(client, cast, draft):
    client.force_login(cast.staff_a)
    assert client.get(reverse("plans:issue", args=[draft.pk])).status_code == 200
    draft.refresh_from_db()
    assert draft.status == Programme.Status.DRAFT


@pytest.mark.parametrize("who", list(READERS))
def test_create_needs_a_writable_unit(client, cast, tree, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("plans:create"), {"organization": tree.a1.pk})
    assert response.status_code == (200 if WRITERS[who] else 404)
    picker = client.get(reverse("plans:create"))
    assert picker.status_code == (200 if WRITERS[who] else 404)
    data = {
        "organization": tree.a1.pk,
        "body": "committee",
        "scope": "year",
        "year": "2025",
        "title": "Chương trình",
        "doc_number": "90-KH/ĐUK",
        "issued_on": "02/01/2025",
    }
    response = client.post(reverse("plans:create"), data)
    assert response.status_code == (302 if WRITERS[who] else 404)
    assert Programme.objects.exists() is WRITERS[who]


def test_staff_cannot_create_for_a_sibling_unit(client, cast, tree):
    client.force_login(cast.staff_a)
    assert client.get(reverse("plans:create"), {"organization": tree.b.pk}).status_code == 404
    assert (
        client.get(reverse("plans:create"), {"organization": tree.province.pk}).status_code == 404
    )


def test_edit_page_saves_and_shows_stale_refusal(client, cast, draft):
    client.force_login(cast.staff_a)
    url = reverse("plans:edit", args=[draft.pk])
    data = {
        "version": draft.version,
        "body": draft.body,
        "scope": draft.scope,
        "year": "2025",
        "title": "Tiêu đề mới",
        "doc_number": draft.doc_number,
        "issued_on": "10/01/2025",
    }
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Tiêu đề mới"
    stale = client.post(url, {**data, "version": 1, "title": "Tiêu đề cũ"})
    assert stale.status_code == 200
    assert "Tiêu đề mới" in str(stale.context["form"].non_field_errors())
    bad = client.post(
        url, {**data, "version": draft.version, "starts_on": "01/06/2025", "ends_on": "01/03/2025"}
    )
    assert "Ngày kết thúc phải sau" in str(bad.context["form"].errors["ends_on"])


def test_list_shows_programmes_in_reach_with_filters(client, cast, tree, draft, issued):
    other = make_programme(tree.b, doc_number="5-KH/ĐUX", year=2024, issued_on=D(2024, 1, 5))
    client.force_login(cast.leader_p)
    url = reverse("plans:list")
    assert {p.pk for p in client.get(url).context["programmes"]} == {draft.pk, issued.pk, other.pk}
    assert [p.pk for p in client.get(url, {"status": "issued"}).context["programmes"]] == [
        issued.pk
    ]
    assert [p.pk for p in client.get(url, {"year": "2024"}).context["programmes"]] == [other.pk]
    assert [p.pk for p in client.get(url, {"unit": "TN-B"}).context["programmes"]] == [other.pk]
    client.force_login(cast.staff_a)
    assert {p.pk for p in client.get(url).context["programmes"]} == {draft.pk, issued.pk}
    assert list(client.get(url, {"unit": "TN-B"}).context["programmes"]) == []
    client.force_login(cast.outsider)
    assert list(client.get(url).context["programmes"]) == []


def test_organization_page_links_to_its_programmes(client, cast, tree):
    client.force_login(cast.staff_a)
    body = client.get(reverse("organization_detail", args=[tree.a.pk])).content.decode()
    assert reverse("plans:list") + f"?organization={tree.a.pk}" in body


def _programme_with_targets(tree, count: int, doc_number: str) -> Programme:
    programme = make_programme(tree.a, doc_number=doc_number)
    units = [tree.a, tree.a1, tree.a1a, tree.a2]
    kinds = list(ActivityKind.values)
    cells = {(units[i % 4], kinds[i // 4]): 1 + i % 3 for i in range(count)}
    add_grid(programme, cells)
    services.issue_programme(programme=programme)
    for target in programme.targets.all():
        case = Case.objects.create(
            organization=target.organization,
            body="inspection_commission",
            kind=target.kind,
            year=2025,
            target=target,
            title="Cuộc thử",
            status="concluded",
            concluded_on=D(2025, 3, 1),
            subject_members=1,  # the count the subjects' services keep
        )
        CaseSubject.objects.create(case=case, kind="member", member_name="Đảng viên Thử")
    first = programme.targets.first()
    services.create_amendment(
        programme=programme,
        doc_number=doc_number.replace("-", "1-", 1),
        issued_on=D(2025, 6, 1),
        effective_on=D(2025, 6, 1),
        change=[(first, {"quantity": 5})],
        add=[
            {"organization": tree.a2, "kind": SUPERVISE, "quantity": 1, "subject_text": "Chuyên đề"}
        ],
    )
    return programme


def test_detail_page_runs_a_constant_number_of_queries(client, cast, tree):
    small = _programme_with_targets(tree, 3, "301-KH/ĐUK")
    large = _programme_with_targets(tree, 12, "302-KH/ĐUK")
    client.force_login(cast.leader_p)
    counts = []
    for programme, expected_rows in ((small, 4), (large, 13)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                reverse("plans:detail", args=[programme.pk]), {"on": "31/12/2025"}
            )
        assert response.status_code == 200
        assert len(response.context["rows"]) == expected_rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
