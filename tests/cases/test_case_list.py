"""The case list: filters, the subtree narrowing and a fixed number of queries."""

import datetime

import django_filters
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from plans.models import ActivityKind
from tests.cases.factories import YEAR, concluded, make_target, record


def titles(response) -> set[str]:
    return {case["title"] for case in response.context["cases"]}


def test_filters_by_year_kind_status_and_origin(client, cast, tree):
    target = make_target(tree.a1)
    record(cast.staff_a, tree.a1, title="Theo chương trình", target=target)
    record(
        cast.staff_a, tree.a1, title="Phát sinh giám sát", kind=ActivityKind.SUPERVISION_THEMATIC
    )
    concluded(cast.staff_a, tree.a2, title="Đã kết luận")
    record(
        cast.staff_a,
        tree.a2,
        title="Năm trước",
        year=YEAR - 1,
        decided_on=datetime.date(YEAR - 1, 3, 1),
        work_starts_on=None,
        work_ends_on=None,
    )
    client.force_login(cast.staff_a)
    url = reverse("cases:list")
    assert titles(client.get(url, {"year": YEAR - 1})) == {"Năm trước"}
    assert titles(client.get(url, {"kind": "supervision_thematic"})) == {"Phát sinh giám sát"}
    assert titles(client.get(url, {"status": "concluded"})) == {"Đã kết luận"}
    assert titles(client.get(url, {"origin": "planned"})) == {"Theo chương trình"}
    assert "Theo chương trình" not in titles(client.get(url, {"origin": "arising"}))


def test_organization_narrows_to_the_subtree(client, cast, tree):
    record(cast.staff_a, tree.a1a, title="Ở A1a")
    record(cast.staff_a, tree.a2, title="Ở A2")
    client.force_login(cast.leader_p)
    response = client.get(reverse("cases:list"), {"organization": tree.a1.pk})
    assert titles(response) == {"Ở A1a"}


def test_the_unit_page_links_to_its_cases(client, cast, tree):
    client.force_login(cast.staff_a)
    body = client.get(reverse("organization_detail", args=[tree.a1.pk])).content.decode()
    assert f"{reverse('cases:list')}?organization={tree.a1.pk}" in body


def test_the_list_runs_the_same_number_of_queries_for_3_and_15_cases(client, cast, tree):
    client.force_login(cast.staff_a)
    units = [tree.a, tree.a1, tree.a1a, tree.a2]

    def add(n):
        for i in range(n):
            unit = units[i % len(units)]
            target = make_target(unit) if i % 2 else None
            record(
                cast.staff_a,
                unit,
                title=f"Cuộc {i}",
                target=target,
                subjects=[{"kind": "member", "member_name": f"Thử {i}"}],
            )

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("cases:list"))
        assert response.status_code == 200
        return len(context.captured_queries), len(response.context["cases"])

    add(3)
    few, shown_few = count()
    add(12)
    many, shown_many = count()
    assert (shown_few, shown_many) == (3, 15)
    assert few == many


def test_target_proposal_is_visible_as_planned_in_the_list(client, cast, tree):
    make_target(tree.a1)
    case = record(cast.staff_a, tree.a1, target=services.AUTO)
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:list"), {"origin": "planned"})
    assert [c["pk"] for c in response.context["cases"]] == [case.pk]


def test_each_case_shows_its_own_number_of_subjects_whatever_the_filters(client, cast, tree):
    # The count is one subquery per case shown: a drill-down that joins the subjects
    # (subject=member) counts what it matches apart, and never multiplies the count.
    two = record(
        cast.staff_a,
        tree.a1,
        title="Hai đối tượng",
        subjects=[
            {"kind": "member", "member_name": "Thử Một"},
            {"kind": "member", "member_name": "Thử Hai"},
        ],
    )
    none = record(cast.staff_a, tree.a1, title="Không đối tượng")
    client.force_login(cast.staff_a)
    url = reverse("cases:list")

    def shown(response) -> dict[int, int]:
        return {case["pk"]: case["subject_count"] for case in response.context["cases"]}

    assert shown(client.get(url)) == {two.pk: 2, none.pk: 0}
    drilled = client.get(url, {"subject": "member"})
    assert shown(drilled) == {two.pk: 2}
    assert drilled.context["counted"] == 2


def test_the_filter_form_depends_on_nothing_but_the_language_and_the_query():
    """The case list keeps its filter form's HTML per language and query string
    (cases.views.cases._filter_fields), for every user: right only while no filter's
    choices come from the database or depend on who asks. A filter with a queryset, or
    with choices computed at render time, must drop that cache first."""
    from cases.queries import CaseFilter

    for name, found in CaseFilter.base_filters.items():
        assert not isinstance(found, django_filters.ModelChoiceFilter), name
        assert not isinstance(found, django_filters.ModelMultipleChoiceFilter), name
        choices = found.extra.get("choices")
        assert choices is None or isinstance(choices, list | tuple), name


def test_two_users_see_the_same_filter_form_for_the_same_query(client, cast, tree):
    url = reverse("cases:list")
    query = {"year": YEAR, "kind": "supervision_thematic", "status": "concluded"}
    forms = []
    for user in (cast.staff_a, cast.leader_b):
        client.force_login(user)
        page = client.get(url, query).content.decode()
        start = page.index('<form method="get" class="inline-form filters">')
        forms.append(page[start : page.index("</form>", start)])
    assert forms[0] == forms[1]
    assert 'value="supervision_thematic" selected' in forms[0]
