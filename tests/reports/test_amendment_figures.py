"""Amendments carry the work (issue 12, finding 1): a target that replaces another counts
the concluded cases of the one it replaces; a removed target's cases become arising and the
period report names them; a past date still shows the old target with its cases. Each test
runs on both roll-up engines (PostgreSQL's SQL and the Python path SQLite takes), through
the amendment service and the incremental refresh, and checks the refresh against a
rebuild."""

import html
import itertools
import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import services as case_services
from cases.models import Case
from plans import services
from plans.models import ActivityKind
from reports import engine, queries
from reports.models import ALL_KINDS, ProgressRow
from tests.plans.factories import add_grid, make_programme
from tests.reports.test_rollup import assert_incremental_equals_rebuild

D = date
TODAY = D(2026, 9, 1)
INSPECT = ActivityKind.INSPECTION_COMPLIANCE
SUPERVISE = ActivityKind.SUPERVISION_THEMATIC


# Numbered apart from the factories' shared counter, so that the numbers other tests draw
# from it (and the ones they type) stay put.
_own_numbers = itertools.count(8000)


def own_number() -> str:
    return f"{next(_own_numbers)}-KH/ĐUK"


@pytest.fixture
def year(tree, rollup_engine):
    """Khối A's 2026 programme: A1 2 inspections (both concluded in spring), A2 one
    inspection (concluded) and one supervision."""
    programme = make_programme(tree.a, year=2026, issued_on=D(2026, 1, 10), doc_number=own_number())
    add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1, (tree.a2, SUPERVISE): 1})
    services.issue_programme(programme=programme)
    a1 = programme.targets.get(organization=tree.a1)
    a2 = programme.targets.get(organization=tree.a2, kind=INSPECT)
    concluded(a1, D(2026, 3, 1))
    concluded(a1, D(2026, 4, 1))
    concluded(a2, D(2026, 5, 1))
    engine.rebuild(TODAY)
    return programme


def concluded(target, on, *, status=Case.Status.CONCLUDED):
    return Case.objects.create(
        organization=target.organization,
        body="inspection_commission",
        kind=target.kind,
        year=on.year,
        target=target,
        title="Cuộc kiểm tra thử",
        status=status,
        concluded_on=on if status in Case.COUNTING else None,
        decided_on=D(on.year, 2, 1),
    )


def amend(programme, effective_on, **changes):
    """The amendment through the service, then the refresh its commit enqueues (for the
    units the service names)."""
    with services.progress_refresh_deferred() as units:
        amendment = services.create_amendment(
            programme=programme,
            doc_number=own_number(),
            issued_on=effective_on,
            effective_on=effective_on,
            **changes,
        )
    engine.refresh_units(units, TODAY)
    return amendment


def own(unit, kind=INSPECT):
    found = ProgressRow.objects.get(organization=unit, year=2026, kind=kind, body="")
    return (found.own_quantity, found.own_done, found.own_capped_done, found.own_arising)


def test_raising_a_target_keeps_the_cases_done(tree, year):
    a1 = year.targets.get(organization=tree.a1)
    amend(year, D(2026, 7, 1), change=[(a1, {"quantity": 3})])
    assert_incremental_equals_rebuild(TODAY)
    assert own(tree.a1) == (3, 2, 2, 0)
    row = ProgressRow.objects.get(organization=tree.a1, year=2026, kind=ALL_KINDS, body="")
    # 2 of 3 done on 1 September (2 expected): not lagging, not complete.
    assert (row.own_units_lagging, row.own_units_completed) == (0, 0)
    # Raised again: the chain of replacements keeps them.
    amend(year, D(2026, 8, 1), change=[(year.targets.get(replaces=a1), {"quantity": 4})])
    assert_incremental_equals_rebuild(TODAY)
    assert own(tree.a1) == (4, 2, 2, 0)


def test_lowering_a_target_keeps_the_done_capped(tree, year):
    a1 = year.targets.get(organization=tree.a1)
    amend(year, D(2026, 7, 1), change=[(a1, {"quantity": 1})])
    assert_incremental_equals_rebuild(TODAY)
    assert own(tree.a1) == (1, 2, 1, 0)
    assert (
        ProgressRow.objects.get(
            organization=tree.a, year=2026, kind=INSPECT, body=""
        ).sub_capped_done
        == 2
    )


def test_replacing_a_target_carries_its_cases(tree, year):
    a1 = year.targets.get(organization=tree.a1)
    amend(
        year,
        D(2026, 7, 1),
        change=[(a1, {"quantity": 2, "due_on": D(2026, 10, 31), "subject_text": "Đổi nội dung"})],
    )
    assert_incremental_equals_rebuild(TODAY)
    assert own(tree.a1) == (2, 2, 2, 0)
    row = ProgressRow.objects.get(organization=tree.a1, year=2026, kind=ALL_KINDS, body="")
    assert row.own_units_completed == 1


def test_removing_a_target_makes_its_cases_arising_and_the_report_names_them(tree, year):
    a2 = year.targets.get(organization=tree.a2, kind=INSPECT)
    amend(year, D(2026, 7, 1), remove=[a2])
    assert_incremental_equals_rebuild(TODAY)
    assert own(tree.a2) == (0, 0, 0, 1)
    a_row = ProgressRow.objects.get(organization=tree.a, year=2026, kind=ALL_KINDS, body="")
    assert (a_row.sub_done, a_row.sub_arising) == (2, 1)  # A1's 2, A2's 1: none lost

    report = queries.period_report(tree.a, year=2026, period_kind="year", today=TODAY)
    assert report.total.arising == 1
    assert report.outside_after_amendment == 1
    by_kind = {line.kind: line for line in report.lines}
    assert by_kind[INSPECT].outside_after_amendment == 1
    assert by_kind[SUPERVISE].outside_after_amendment == 0


def test_the_report_line_is_shown(client, cast, tree, year, time_machine):
    time_machine.move_to(TODAY)
    amend(year, D(2026, 7, 1), remove=[year.targets.get(organization=tree.a2, kind=INSPECT)])
    client.force_login(cast.leader_p)
    page = client.get(
        reverse("reports:period_report", args=[tree.a.pk]), {"year": 2026, "period": "year"}
    ).content.decode()
    assert "ngoài chương trình sau điều chỉnh" in page
    # The arising and "outside after amendment" counts open the cases that make them.
    outside = page.split('class="outside-after-amendment"')[1].split("</tr>")[0]
    href = html.unescape(re.search(r'<a href="([^"]+)">1</a>', outside).group(1))
    listed = client.get(href).content.decode()
    assert 'class="total-cases">1<' in listed
    activities = page.split('id="report-activities"')[1].split("</table>")[0]
    arising = re.findall(r'<a href="([^"]+arising_on[^"]+)">(\d+)</a>', activities)
    per_kind = [int(n) for link, n in arising if "kind=" in link]
    assert sum(per_kind[:-1]) == per_kind[-1] == 1  # the kinds, then the total
    for link, n in arising:
        found = re.search(
            r'class="total-cases">(\d+)<', client.get(html.unescape(link)).content.decode()
        )
        assert (int(found.group(1)) if found else 0) == int(n), link
    xlsx = client.get(
        reverse("reports:period_report", args=[tree.a.pk]),
        {"year": 2026, "period": "year", "format": "xlsx"},
    )
    sheet = load_workbook(BytesIO(xlsx.content))["Kết quả theo loại"]  # the activities' sheet
    rows = [
        row for row in sheet.iter_rows(values_only=True) if row[1] and "sau điều chỉnh" in row[1]
    ]
    assert [row[6] for row in rows] == [1]


def test_a_case_in_progress_under_a_replaced_target_counts_for_the_new_one(tree, year):
    a2 = year.targets.get(organization=tree.a2, kind=SUPERVISE)
    running = concluded(a2, D(2026, 6, 1), status=Case.Status.IN_PROGRESS)
    engine.refresh_units([tree.a2.pk], TODAY)
    amend(year, D(2026, 7, 1), change=[(a2, {"quantity": 2})])
    with services.progress_refresh_deferred() as units:
        case_services.conclude_case(
            user=None,
            case=running,
            version=running.version,
            concluded_on=D(2026, 8, 15),
            violation_found=False,
            shortcomings_found=False,
        )
    engine.refresh_units(units, TODAY)
    assert_incremental_equals_rebuild(TODAY)
    assert own(tree.a2, SUPERVISE) == (2, 1, 1, 0)


def test_a_date_before_the_amendment_shows_the_old_target_with_its_cases(tree, year):
    a1 = year.targets.get(organization=tree.a1)
    a2 = year.targets.get(organization=tree.a2, kind=INSPECT)
    amend(year, D(2026, 7, 1), change=[(a1, {"quantity": 5})], remove=[a2])
    before = engine.compute_table(D(2026, 6, 30))
    assert before[(tree.a1.pk, 2026, INSPECT, "")][0].quantity == 2
    assert before[(tree.a1.pk, 2026, INSPECT, "")][0].done == 2
    assert before[(tree.a2.pk, 2026, INSPECT, "")][0].done == 1
    assert before[(tree.a2.pk, 2026, INSPECT, "")][0].arising == 0
    after = engine.compute_table(D(2026, 7, 1))
    assert after[(tree.a1.pk, 2026, INSPECT, "")][0].quantity == 5
    assert after[(tree.a1.pk, 2026, INSPECT, "")][0].done == 2
    assert after[(tree.a2.pk, 2026, INSPECT, "")][0].arising == 1
