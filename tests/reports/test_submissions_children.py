"""The parent's side of the round trip: its children's status for a period (submitted,
returned, approved, missing; overdue after the deadline, as data), in a fixed number of
queries; the report built from the approved children's figures plus the parent's own
records, its difference from the live figures shown and never balanced; the cells a
submission stores."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cases.models import Letter
from ktgs.models import Organization
from reports import engine, queries, services
from reports.models import ReportDeadline, ReportSubmission
from reports.queries import submissions
from reports.queries.cells import report_cells
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target
from tests.reports.test_submissions import TODAY, figures_2026, m9, report_deadlines, submit

__all__ = ["figures_2026", "m9", "report_deadlines"]  # fixtures used here

DUE = date(2026, 10, 10)  # 30/9 + 10 days


@pytest.fixture
def more_children(tree) -> list[Organization]:
    """Three more cells under A, and one dissolved before the 9 months ended (not
    counted as a child of the period)."""
    cells: list = [
        OrganizationFactory(parent=tree.a, code=f"TN-A-X{i}", name=f"Chi bộ X{i}") for i in range(3)
    ]
    OrganizationFactory(
        parent=tree.a, code="TN-A-OLD", name="Chi bộ đã giải thể", valid_to=date(2026, 6, 30)
    )
    return cells


@pytest.fixture
def statuses(cast, tree, m9, figures_2026, more_children):
    """A1 approved, A2 returned, X0 submitted, X1 reopened, X2 nothing."""
    x0, x1, _x2 = more_children
    with time_machine.travel(TODAY, tick=False):
        a1 = submit(cast.staff_a, tree.a1, m9)
        services.approve_report(user=cast.staff_a, submission=a1, version=1)
        a2 = submit(cast.staff_a, tree.a2, m9)
        services.return_report(user=cast.staff_a, submission=a2, comment="Sửa", version=1)
        submit(cast.staff_a, x0, m9)
        s1 = submit(cast.staff_a, x1, m9)
        services.approve_report(user=cast.leader_p, submission=s1, version=1)
        services.reopen_report(user=cast.leader_p, submission=s1, reason="Sai", version=2)


def by_code(found) -> dict[str, tuple[str, bool]]:
    return {c.organization.code: (c.status, c.overdue) for c in found.children}


def test_the_childrens_status_before_and_after_the_deadline(
    tree, m9, statuses, django_assert_num_queries
):
    before = submissions.children_status(tree.a, m9, today=DUE)
    assert before.due_on == DUE
    assert by_code(before) == {
        "TN-A1": ("approved", False),
        "TN-A2": ("returned", False),
        "TN-A-X0": ("submitted", False),
        "TN-A-X1": ("reopened", False),
        "TN-A-X2": ("missing", False),
    }
    # The day after the deadline: what is still owed is overdue.
    with django_assert_num_queries(3):
        after = submissions.children_status(tree.a, m9, today=date(2026, 10, 11))
    assert by_code(after) == {
        "TN-A1": ("approved", False),
        "TN-A2": ("returned", True),
        "TN-A-X0": ("submitted", False),
        "TN-A-X1": ("reopened", True),
        "TN-A-X2": ("missing", True),
    }
    assert [c.organization.code for c in after.overdue] == ["TN-A2", "TN-A-X1", "TN-A-X2"]


def test_the_deadline_is_data(tree, m9, statuses):
    ReportDeadline.objects.filter(period_kind="m9").update(days=20)
    found = submissions.children_status(tree.a, m9, today=date(2026, 10, 11))
    assert found.due_on == date(2026, 10, 20)
    assert not found.overdue
    ReportDeadline.objects.all().delete()
    assert not submissions.children_status(tree.a, m9, today=date(2027, 1, 1)).overdue


def test_the_childrens_status_costs_the_same_with_more_children(
    tree, m9, statuses, django_assert_num_queries
):
    for i in range(6):
        OrganizationFactory(parent=tree.a, code=f"TN-A-Y{i}", name=f"Chi bộ Y{i}")
    with django_assert_num_queries(3):
        found = submissions.children_status(tree.a, m9, today=date(2026, 10, 11))
    assert len(found.children) == 11


@time_machine.travel(date(2026, 10, 11), tick=False)
def test_the_parents_page_flags_the_overdue_children(client, cast, tree, m9, statuses):
    client.force_login(cast.leader_p)
    page = client.get(reverse("reports:period_report", args=[tree.a.pk]) + "?year=2026&period=m9")
    assert page.status_code == 200
    children = page.context["submission_panel"]["children"]
    assert {c.organization.code for c in children.overdue} == {"TN-A2", "TN-A-X1", "TN-A-X2"}
    html = page.content.decode()
    assert html.count('class="overdue"') == 3
    assert reverse("reports:built_report", args=[tree.a.pk]) in html


def cells_by_key(built) -> dict[str, tuple[int, int, int]]:
    return {cell.key: (cell.live, cell.own, cell.built) for cell in built.cells}


@time_machine.travel(TODAY, tick=False)
def test_the_report_built_from_the_approved_children_shows_every_difference(
    client, cast, tree, m9, figures_2026
):
    # A's own case (arising, in April), A1's report approved, A2's not.
    case(tree.a, kind="inspection_violation", concluded_on=date(2026, 4, 2))
    engine.rebuild(TODAY)
    a1 = submit(cast.staff_a, tree.a1, m9)
    services.approve_report(user=cast.staff_a, submission=a1, version=1)
    # A case of A1 concluded in June added after the approval, behind the services' back.
    prog = programme(tree.a1, body="inspection_commission")
    case(tree.a1, target=target(prog, tree.a1, quantity=1), concluded_on=date(2026, 6, 1))
    engine.rebuild(TODAY)

    built = submissions.built_from_children(tree.a, m9, today=TODAY)
    assert [u.code for u in built.approved] == ["TN-A1"]
    assert [u.code for u in built.not_approved] == ["TN-A2"]
    cells = cells_by_key(built)
    # (live, own, built): A's own case is its own figure, equal in both.
    assert cells["lines.inspection_violation.cases"] == (1, 1, 1)
    # A1 reported one compliance inspection; two are counted now.
    assert cells["lines.inspection_compliance.cases"] == (2, 0, 1)
    # A2's arising supervision is not in any approved report.
    assert cells["lines.supervision_thematic.arising"] == (1, 0, 0)
    differences = {cell.key: cell.difference for cell in built.differences}
    assert differences["lines.inspection_compliance.cases"] == 1
    assert differences["lines.supervision_thematic.arising"] == 1
    assert "lines.inspection_violation.cases" not in differences

    client.force_login(cast.staff_a)
    page = client.get(reverse("reports:built_report", args=[tree.a.pk]) + f"?period_id={m9.pk}")
    assert page.status_code == 200
    assert "không được chỉnh, sửa số liệu theo suy đoán cân đối" in page.content.decode()
    assert page.content.decode().count('class="difference"') == len(built.differences)
    # Each cell is named as the report's tables name it, never by its storage key.
    html = page.content.decode()
    assert "lines.inspection_compliance.cases" not in html and "<code>" not in html
    labels = {cell.key: cell.label for cell in built.cells}
    compliance = labels["lines.inspection_compliance.cases"]
    assert compliance.startswith("Kết quả · ") and compliance.endswith(" · số cuộc")
    assert compliance in html
    assert len(set(labels.values())) == len(labels)  # no two cells read the same
    client.force_login(cast.leader_b)
    url = reverse("reports:built_report", args=[tree.a.pk]) + f"?period_id={m9.pk}"
    assert client.get(url).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_cells_are_the_reports_integer_figures_under_stable_keys(cast, tree, m9, figures_2026):
    report = queries.period_report(tree.a, year=2026, period_kind="m9", today=TODAY)
    cells = report_cells(report)
    assert all(isinstance(value, int) for value in cells.values())
    lines = {line.kind: line for line in report.lines}
    assert cells["lines.inspection_compliance.cases"] == lines["inspection_compliance"].cases == 1
    assert cells["lines.supervision_thematic.arising"] == 1
    assert cells["lines.total.cases"] == lines[""].cases == 2
    assert cells["targets.inspection_compliance.cases.quantity"] == 2
    assert cells["targets.inspection_compliance.cases.done"] == 1
    assert cells["discipline.total.members"] == 0
    assert cells["records.all.denunciations.received"] == 0
    for kind in Letter.Kind.values:
        assert cells[f"records.all.letters.{kind}.received"] == 0
    # Stored at submission and read back the same.
    submission = submit(cast.staff_a, tree.a, m9)
    submission.refresh_from_db()
    assert submission.figures == cells
    assert ReportSubmission.objects.count() == 1
