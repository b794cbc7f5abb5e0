"""Amendments: the programme as amended at a date, done figures against the original and
the amended targets, validation of the amendment's dates, and the side-by-side view."""

import datetime
import itertools
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Case, CaseSubject
from cases.services.subjects import subject_counts
from plans import queries, services
from plans.models import Target
from tests.plans.factories import INSPECT, SUPERVISE, add_grid, make_programme

D = datetime.date


@pytest.fixture
def issued(tree):
    """A 2025 programme of A: A1 2 inspections, A2 1 inspection, A2 1 supervision."""
    programme = make_programme(tree.a, year=2025, issued_on=D(2025, 1, 10))
    add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1, (tree.a2, SUPERVISE): 1})
    services.issue_programme(programme=programme)
    return programme


# The tests added for issue 12 number their documents apart from the factories' shared
# counter, so the numbers the other tests draw from it (and the ones they type) stay put.
_own_numbers = itertools.count(7000)


def own_number() -> str:
    return f"{next(_own_numbers)}-KH/ĐUK"


@pytest.fixture
def issued_apart(tree):
    """The same programme as `issued`, numbered apart (see own_number)."""
    programme = make_programme(tree.a, year=2025, issued_on=D(2025, 1, 10), doc_number=own_number())
    add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1, (tree.a2, SUPERVISE): 1})
    services.issue_programme(programme=programme)
    return programme


def figures(programme, on):
    return sorted(
        (t.organization.code, t.kind, t.quantity)
        for t in queries.targets_in_force(programme, on=on).select_related("organization")
    )


def test_the_programme_as_amended_at_a_date(cast, tree, issued):
    a1 = issued.targets.get(organization=tree.a1)
    a2_supervision = issued.targets.get(organization=tree.a2, kind=SUPERVISE)
    amendment = services.create_amendment(
        programme=issued,
        doc_number="150-KH/ĐUK",
        issued_on=D(2025, 6, 20),
        effective_on=D(2025, 7, 1),
        summary="Điều chỉnh giữa năm",
        add=[
            {
                "organization": tree.a1a,
                "kind": SUPERVISE,
                "quantity": 1,
                "subject_text": "Chi bộ A1a",
            }
        ],
        change=[(a1, {"quantity": 3})],
        remove=[a2_supervision],
        user=cast.staff_a,
    )
    original = [("TN-A1", INSPECT, 2), ("TN-A2", INSPECT, 1), ("TN-A2", SUPERVISE, 1)]
    amended = [("TN-A1", INSPECT, 3), ("TN-A1a", SUPERVISE, 1), ("TN-A2", INSPECT, 1)]
    assert figures(issued, D(2025, 6, 30)) == original
    assert figures(issued, D(2025, 7, 1)) == amended
    assert sorted((c, k, q) for c, k, q in figures(issued, None)) == amended
    # Nothing was overwritten: the old target is closed and replaced.
    a1.refresh_from_db()
    assert a1.quantity == 2 and a1.removed_by == amendment
    replacement = Target.objects.get(replaces=a1)
    assert replacement.added_by == amendment and replacement.origin == "amendment"
    # targets_in_force accepts a queryset of programmes or of targets as well.
    assert (
        queries.targets_in_force(
            type(issued).objects.filter(pk=issued.pk), on=D(2025, 7, 1)
        ).count()
        == 3
    )
    assert (
        queries.targets_in_force(
            Target.objects.filter(organization=tree.a1), on=D(2025, 1, 2)
        ).get()
        == a1
    )


def _concluded_case(target, on, *, subjects=()):
    case = Case.objects.create(
        organization=target.organization,
        body="inspection_commission",
        kind=target.kind,
        year=on.year,
        target=target,
        title="Cuộc kiểm tra thử",
        status="concluded",
        concluded_on=on,
        # The counts the subjects' services keep on a case (Case.SUBJECT_COUNTS).
        **subject_counts(subjects),
    )
    for kind, committee in subjects:
        if kind == "member":
            CaseSubject.objects.create(
                case=case, kind="member", member_name="Đảng viên Thử", is_committee_member=committee
            )
        else:
            CaseSubject.objects.create(
                case=case, kind="organization", organization=target.organization
            )
    return case


def test_done_counts_concluded_cases_as_of_a_date_by_the_targets_rule(tree, issued):
    a1 = issued.targets.get(organization=tree.a1)
    _concluded_case(a1, D(2025, 3, 1))
    _concluded_case(a1, D(2025, 8, 1))
    Case.objects.create(
        organization=tree.a1,
        body="inspection_commission",
        kind=INSPECT,
        year=2025,
        target=a1,
        title="Đang làm",
        status="in_progress",
    )
    members = services.create_amendment(
        programme=issued,
        doc_number="151-KH/ĐUK",
        issued_on=D(2025, 2, 1),
        effective_on=D(2025, 2, 1),
        add=[
            {"organization": tree.a2, "kind": SUPERVISE, "quantity": 3, "counts": "members"},
            {
                "organization": tree.a2,
                "kind": SUPERVISE,
                "quantity": 1,
                "counts": "committee_members",
            },
            {"organization": tree.a2, "kind": INSPECT, "quantity": 2, "counts": "organizations"},
        ],
    )
    by_counts = {t.counts: t for t in members.added_targets.all()}
    _concluded_case(
        by_counts["members"],
        D(2025, 4, 1),
        subjects=[("member", True), ("member", False), ("organization", False)],
    )
    _concluded_case(
        by_counts["committee_members"],
        D(2025, 4, 1),
        subjects=[("member", True), ("member", False)],
    )
    _concluded_case(
        by_counts["organizations"],
        D(2025, 4, 1),
        subjects=[("organization", False), ("member", True)],
    )
    ids = issued.targets.values_list("pk", flat=True)
    done = queries.done_by_target(ids, on=D(2025, 6, 30))
    assert done[a1.pk] == 1
    assert done[by_counts["members"].pk] == 2
    assert done[by_counts["committee_members"].pk] == 1
    assert done[by_counts["organizations"].pk] == 1
    assert queries.done_by_target(ids, on=D(2025, 12, 31))[a1.pk] == 2
    assert queries.done_by_target([a1.pk], on=D(2025, 2, 28)) == {a1.pk: 0}


def test_detail_shows_original_and_amended_figures(client, cast, tree, issued):
    a1 = issued.targets.get(organization=tree.a1)
    _concluded_case(a1, D(2025, 3, 1))
    _concluded_case(a1, D(2025, 4, 1))
    services.create_amendment(
        programme=issued,
        doc_number="152-KH/ĐUK",
        issued_on=D(2025, 7, 1),
        effective_on=D(2025, 7, 1),
        change=[(a1, {"quantity": 4})],
    )
    client.force_login(cast.leader_p)
    url = reverse("plans:detail", args=[issued.pk])
    before = client.get(url, {"on": "30/06/2025"}).context["rows"]
    after = client.get(url, {"on": "31/12/2025"}).context["rows"]
    row = {r.target.organization.code + r.target.kind: r for r in before}[f"TN-A1{INSPECT}"]
    assert (row.done, row.target.quantity, row.completion) == (2, 2, 1.0)
    row = {r.target.organization.code + r.target.kind: r for r in after}[f"TN-A1{INSPECT}"]
    # The replacement carries the 2 cases done (this test expected 0 before issue 12: the
    # loss a leader would call wrong). The cases stay linked to the target they fulfilled.
    assert (row.done, row.target.quantity, row.completion) == (2, 4, 0.5)
    assert a1.cases.count() == 2
    response = client.get(url, {"on": "31/12/2025"})
    body = response.content.decode()
    assert "Chương trình gốc" in body and "Sau điều chỉnh 152-KH/ĐUK" in body
    lines = response.context["lines"]
    changed = [line for line in lines if line.changed]
    # Side by side: the work done against the original and against the amendment.
    assert [[(c.done, c.quantity, c.change) for c in line.cells] for line in changed] == [
        [(2, 2, ""), (2, 4, "replaced")]
    ]
    assert "2/2" in body and "2/4" in body
    assert response.context["history"]


@pytest.mark.parametrize(
    ("issued_on", "effective_on", "words"),
    [
        (D(2025, 6, 1), D(2026, 1, 5), "nằm trong thời gian của chương trình"),
        (D(2025, 1, 2), D(2025, 1, 5), "trước ngày ban hành chương trình"),
        (D(2025, 6, 1), D(2025, 5, 1), "trước ngày ban hành văn bản điều chỉnh"),
    ],
)
def test_amendment_dates_are_checked_on_effective_on(tree, issued, issued_on, effective_on, words):
    with pytest.raises(ValidationError) as caught:
        services.create_amendment(
            programme=issued,
            doc_number="160-KH/ĐUK",
            issued_on=issued_on,
            effective_on=effective_on,
            add=[{"organization": tree.a1, "kind": SUPERVISE, "quantity": 1}],
        )
    assert words in caught.value.message_dict["effective_on"][0]
    assert not issued.amendments.exists()


def test_only_an_issued_programme_is_amended_and_targets_only_once(tree, issued):
    draft = make_programme(tree.a2)
    with pytest.raises(ValidationError, match="Chỉ chương trình đã ban hành"):
        services.create_amendment(
            programme=draft,
            doc_number="161-KH/ĐUK",
            issued_on=D(2025, 6, 1),
            effective_on=D(2025, 6, 1),
            add=[{"organization": tree.a2, "kind": INSPECT, "quantity": 1}],
        )
    a1 = issued.targets.get(organization=tree.a1)
    services.create_amendment(
        programme=issued,
        doc_number="162-KH/ĐUK",
        issued_on=D(2025, 6, 1),
        effective_on=D(2025, 6, 1),
        remove=[a1],
    )
    with pytest.raises(ValidationError) as caught:
        services.create_amendment(
            programme=issued,
            doc_number="163-KH/ĐUK",
            issued_on=D(2025, 7, 1),
            effective_on=D(2025, 7, 1),
            remove=[a1],
        )
    assert "không còn hiệu lực" in caught.value.message_dict["remove"][0]
    assert issued.amendments.count() == 1  # the refused one left nothing behind


def test_amend_page_changes_removes_and_adds(client, cast, tree, issued):
    a1 = issued.targets.get(organization=tree.a1)
    a2_supervision = issued.targets.get(organization=tree.a2, kind=SUPERVISE)
    client.force_login(cast.staff_a)
    url = reverse("plans:amend", args=[issued.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "version": issued.version,
        "doc_number": "170-KH/ĐUK",
        "issued_on": "01/07/2025",
        "effective_on": "01/07/2025",
        "summary": "Bổ sung",
        f"qty-{a1.pk}": "3",
        f"remove-{a2_supervision.pk}": "on",
        "add-TOTAL_FORMS": "3",
        "add-INITIAL_FORMS": "0",
        "add-0-organization": "TN-A1a",
        "add-0-kind": SUPERVISE,
        "add-0-counts": "members",
        "add-0-quantity": "30%",
        "add-0-due_on": "30/11/2025",
        # What a browser posts for the untouched extra rows: the selects' first options.
        "add-1-kind": INSPECT,
        "add-1-counts": "cases",
        "add-2-kind": INSPECT,
        "add-2-counts": "cases",
    }
    bad = client.post(url, {**data, "effective_on": "01/01/2024"})
    assert bad.status_code == 200
    assert "nằm trong thời gian" in str(bad.context["form"].errors["effective_on"])
    preview = client.post(url, data)  # recording cannot be undone: it asks first
    assert preview.status_code == 200 and issued.amendments.count() == 0
    response = client.post(url, {**data, "confirmed": preview.context["preview"]["fingerprint"]})
    assert response.status_code == 302
    assert figures(issued, D(2025, 7, 2)) == [
        ("TN-A1", INSPECT, 3),
        ("TN-A1a", SUPERVISE, 8),
        ("TN-A2", INSPECT, 1),
    ]


def test_a_target_is_not_closed_before_it_came_into_force(tree, issued_apart):
    """Else it and its replacement would both be in force for a while, and the cases of
    their lineage would count twice."""
    a1 = issued_apart.targets.get(organization=tree.a1)
    services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 7, 1),
        effective_on=D(2025, 7, 1),
        change=[(a1, {"quantity": 3})],
    )
    raised = issued_apart.targets.get(replaces=a1)
    assert raised.lineage == a1  # the replacement carries a1's cases
    with pytest.raises(ValidationError) as caught:
        services.create_amendment(
            programme=issued_apart,
            doc_number=own_number(),
            issued_on=D(2025, 3, 1),
            effective_on=D(2025, 3, 1),
            change=[(raised, {"quantity": 4})],
        )
    assert "chỉ có hiệu lực từ 01/07/2025" in caught.value.message_dict["effective_on"][0]
    moved = services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 8, 1),
        effective_on=D(2025, 8, 1),
        change=[(raised, {"organization": tree.a2})],
    )
    # Another unit's target starts its own lineage: a1's cases are not a2's.
    assert moved.added_targets.get().lineage is None


def test_the_migration_backfills_the_lineage_of_existing_replacements(tree, issued_apart):
    migration = import_module("plans.migrations.0003_target_lineage")
    a1 = issued_apart.targets.get(organization=tree.a1)
    services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 7, 1),
        effective_on=D(2025, 7, 1),
        change=[(a1, {"quantity": 3})],
    )
    second = issued_apart.targets.get(replaces=a1)
    services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 8, 1),
        effective_on=D(2025, 8, 1),
        change=[(second, {"quantity": 4})],
    )
    third = issued_apart.targets.get(replaces=second)
    services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 9, 1),
        effective_on=D(2025, 9, 1),
        change=[(third, {"organization": tree.a2})],
    )
    moved = issued_apart.targets.get(replaces=third)
    Target.objects.update(lineage=None)  # as before the migration
    migration.backfill_lineage(apps, None)
    lineages = dict(Target.objects.values_list("pk", "lineage_id"))
    assert (lineages[second.pk], lineages[third.pk], lineages[moved.pk]) == (a1.pk, a1.pk, None)


def test_detail_shows_removed_and_added_targets_side_by_side_in_fixed_queries(
    client, cast, tree, issued_apart, django_assert_max_num_queries
):
    client.force_login(cast.leader_p)
    url = reverse("plans:detail", args=[issued_apart.pk])
    client.get(url)  # warm the session and the access caches
    with django_assert_max_num_queries(100) as few:
        client.get(url, {"on": "31/12/2025"})
    a1 = issued_apart.targets.get(organization=tree.a1)
    a2_supervision = issued_apart.targets.get(organization=tree.a2, kind=SUPERVISE)
    _concluded_case(a2_supervision, D(2025, 3, 1))
    services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 7, 1),
        effective_on=D(2025, 7, 1),
        change=[(a1, {"quantity": 3})],
        remove=[a2_supervision],
        add=[{"organization": tree.a1a, "kind": SUPERVISE, "quantity": 1}],
    )
    services.create_amendment(
        programme=issued_apart,
        doc_number=own_number(),
        issued_on=D(2025, 9, 1),
        effective_on=D(2025, 9, 1),
        change=[(issued_apart.targets.get(replaces=a1), {"quantity": 4})],
        add=[{"organization": tree.a2, "kind": INSPECT, "quantity": 1, "subject_text": "Thêm"}],
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"on": "31/12/2025"})
    cells = {
        (line.first.organization.code, line.first.kind, line.first.subject_text): [
            (c.done, c.quantity, c.change) for c in line.cells
        ]
        for line in response.context["lines"]
    }
    assert cells[("TN-A1", INSPECT, "")] == [
        (0, 2, ""),
        (0, 3, "replaced"),
        (0, 4, "replaced"),
    ]
    assert cells[("TN-A2", SUPERVISE, "")] == [(1, 1, ""), (0, None, "removed"), (0, None, "")]
    assert cells[("TN-A1a", SUPERVISE, "")] == [(0, None, ""), (0, 1, "added"), (0, 1, "")]
    assert "bãi bỏ" in response.content.decode()
