"""The period report (/progress/<pk>/report/): the same figures as the dashboard, the
subject and discipline breakdowns of the subtree, XLSX and PDF downloads, access."""

import re
import subprocess
from datetime import date
from fractions import Fraction
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import CaseSubject, DisciplineDecision
from ktgs import figures as ktgs_figures
from plans.models import ActivityKind
from reports import engine, queries
from reports.engine import periods
from reports.models import ALL_KINDS, ReportPeriod
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 7, 2)
ORG, MEMBER = CaseSubject.Kind.ORGANIZATION, CaseSubject.Kind.MEMBER


def discipline(made_case, subject, form, *, on, by, committee=False):
    return DisciplineDecision.objects.create(
        case=made_case,
        subject=subject,
        form=form,
        decision_number=f"{subject.pk}-QĐ/UBKT",
        decision_serial=str(subject.pk),
        decision_issuer="UBKT",
        decided_on=on,
        deciding_organization=by,
        deciding_body="inspection_commission",
        is_committee_member=committee,
    )


@pytest.fixture
def year_2026(tree):
    """Province programme: A1 3 compliance inspections (subjects counted as cases),
    A1a 2 thematic supervisions, B1 4 members to inspect. Cases in Q1, in May, one the
    year before (not in 2026's report), and discipline inside and outside A's subtree."""
    prog = programme(tree.province)
    t_a1 = target(prog, tree.a1, quantity=3)
    t_a1a = target(prog, tree.a1a, kind="supervision_thematic", quantity=2)
    t_b1 = target(prog, tree.b1, kind="inspection_violation", quantity=4, counts="members")
    c1 = case(
        tree.a1,
        target=t_a1,
        concluded_on=date(2026, 3, 10),
        subjects=[(ORG, tree.a1a, False), (MEMBER, None, True), (MEMBER, None, False)],
    )
    case(tree.a1, target=t_a1, concluded_on=date(2026, 5, 1), subjects=[(ORG, tree.a2, False)])
    case(
        tree.a1a,
        kind="supervision_thematic",
        target=t_a1a,
        concluded_on=date(2026, 2, 1),
        subjects=[(MEMBER, None, False)],
    )
    case(
        tree.a2,
        kind="denunciation",
        concluded_on=date(2026, 1, 20),
        subjects=[(MEMBER, None, True)],
    )  # arising
    case(tree.a1, target=t_a1, concluded_on=date(2025, 12, 20))  # counts, but last year
    c_b = case(
        tree.b1,
        kind="inspection_violation",
        target=t_b1,
        concluded_on=date(2026, 3, 1),
        subjects=[(MEMBER, None, True), (MEMBER, None, False)],
    )
    members = list(c1.subjects.filter(kind=MEMBER).order_by("pk"))
    discipline(c1, members[0], "warning", on=date(2026, 3, 15), by=tree.a1, committee=True)
    discipline(c1, members[1], "reprimand", on=date(2026, 5, 15), by=tree.a1)
    discipline(c1, c1.subjects.get(kind=ORG), "reprimand", on=date(2026, 3, 20), by=tree.a)
    b_member = c_b.subjects.first()
    discipline(c_b, b_member, "expulsion", on=date(2026, 3, 5), by=tree.b)  # B's subtree
    engine.rebuild(TODAY)
    return prog


def period(kind):
    return ReportPeriod.objects.get(kind=kind, year=2026, month=0)


def report_url(unit, **params):
    return (
        reverse("reports:period_report", args=[unit.pk])
        + "?"
        + "&".join(f"{k}={v}" for k, v in {"year": 2026, **params}.items())
    )


def lines_by_kind(report):
    return {line.kind: line for line in report.lines}


def targets_by_kind(report):
    return {(line.kind, line.counts): line for line in report.targets}


@pytest.mark.parametrize("period_kind", ["q1", "year"])
@time_machine.travel(TODAY, tick=False)
def test_the_reports_figures_equal_the_dashboards(client, cast, tree, year_2026, period_kind):
    """Every kind's targets count one thing here, so each kind's line is the dashboard's
    row of that kind; the dashboard's all-kinds row is the sum of the report's totals per
    counting unit (the report itself never shows that sum)."""
    periods.snapshot_period(period("q1"), today=TODAY)
    for unit in (tree.province, tree.a, tree.b):
        report = queries.period_report(unit, year=2026, period_kind=period_kind, today=TODAY)
        by_kind = lines_by_kind(report)
        targets = {line.kind: line for line in report.targets}
        assert len(targets) == len(report.targets)  # one counting unit per kind
        for kind in ActivityKind.values:
            shown = queries.dashboard(
                unit, year=2026, kind=kind, today=TODAY, period_kind=period_kind
            ).unit
            line = targets.get(kind)
            figures = (
                (line.quantity, line.capped_done, line.done, line.completion)
                if line is not None
                else (0, 0, 0, None)
            )
            assert figures == (
                shown.quantity,
                shown.capped_done,
                shown.done,
                shown.completion,
            ), (unit, kind)
            assert by_kind[kind].arising == shown.arising
            if line is not None:  # the table keeps expected to 4 decimals
                assert abs(line.expected - shown.expected) <= Fraction(1, 20000)
        everything = queries.dashboard(
            unit, year=2026, kind=ALL_KINDS, today=TODAY, period_kind=period_kind
        ).unit
        assert sum(t.quantity for t in report.target_totals) == everything.quantity
        assert sum(t.capped_done for t in report.target_totals) == everything.capped_done
        assert report.total.arising == everything.arising

    # And on screen: a kind's completion is printed the same way on both pages.
    client.force_login(cast.leader_p)
    report = queries.period_report(tree.province, year=2026, period_kind=period_kind, today=TODAY)
    thematic = targets_by_kind(report)[("supervision_thematic", "cases")]
    shown = ktgs_figures.format_percent(thematic.completion)
    dashboard = client.get(
        reverse("reports:dashboard", args=[tree.province.pk]),
        {"year": 2026, "period": period_kind, "kind": "supervision_thematic"},
    ).content.decode()
    page = client.get(report_url(tree.province, period=period_kind)).content.decode()
    assert shown in dashboard and shown in page


@time_machine.travel(TODAY, tick=False)
def test_the_total_never_adds_cases_and_members(client, cast, tree, year_2026):
    """The province has 3 + 2 targets counted in cases and 4 in members: two totals, one
    per unit, each with its word; never "9"."""
    report = queries.period_report(tree.province, year=2026, period_kind="year", today=TODAY)
    totals = {line.counts: line for line in report.target_totals}
    assert set(totals) == {"cases", "members"}
    assert (totals["cases"].quantity, totals["cases"].capped_done) == (5, 4)
    assert (totals["members"].quantity, totals["members"].capped_done) == (4, 2)
    lines = targets_by_kind(report)
    assert (lines[("inspection_violation", "members")].quantity, len(lines)) == (4, 3)

    client.force_login(cast.leader_p)
    page = client.get(report_url(tree.province, period="year")).content.decode()
    assert "Tổng cộng (cuộc)" in page and "Tổng cộng (đảng viên)" in page
    assert "4/5 cuộc" in page and "2/4 đảng viên" in page
    # (A fraction "…/9", not a link's "/progress/9…/".)
    assert 'num">9<' not in page and "9 cuộc" not in page and not re.search(r"\d/9\b", page)


@time_machine.travel(TODAY, tick=False)
def test_a_cells_member_target_reads_in_members(client, cast, tree):
    """A cell's "supervise 6 members" with one member supervised reads "1/6 đảng viên",
    on the report and on the cell's dashboard; never "1/6 chỉ tiêu"."""
    prog = programme(tree.province)
    quota = target(prog, tree.b1, kind="supervision_regular", quantity=6, counts="members")
    case(
        tree.b1,
        kind="supervision_regular",
        target=quota,
        concluded_on=date(2026, 4, 1),
        subjects=[(MEMBER, None, False)],
    )
    engine.rebuild(TODAY)
    client.force_login(cast.leader_b)
    page = client.get(report_url(tree.b1, period="year")).content.decode()
    assert "1/6 đảng viên" in page
    dashboard = client.get(reverse("reports:dashboard", args=[tree.b1.pk]), {"year": 2026})
    body = dashboard.content.decode()
    assert "1/6 đảng viên" in body and "1/6 chỉ tiêu" not in body


@time_machine.travel(TODAY, tick=False)
def test_the_xlsx_title_names_the_year_once(client, cast, tree, year_2026):
    client.force_login(cast.leader_p)
    response = client.get(report_url(tree.province, period="year", format="xlsx"))
    title = load_workbook(BytesIO(response.content)).active["A1"].value
    assert title.endswith("— Năm 2026") and "Năm năm" not in title
    periods.snapshot_period(period("q1"), today=TODAY)
    response = client.get(report_url(tree.province, period="q1", format="xlsx"))
    assert load_workbook(BytesIO(response.content)).active["A1"].value.endswith("— Quý I năm 2026")


@time_machine.travel(TODAY, tick=False)
def test_q1_counts_cases_subjects_and_discipline_of_the_subtree_in_the_period(tree, year_2026):
    periods.snapshot_period(period("q1"), today=TODAY)
    report = queries.period_report(tree.a, year=2026, period_kind="q1", today=TODAY)
    by_kind = lines_by_kind(report)
    compliance = by_kind["inspection_compliance"]
    # 10 March only (May is after Q1; December 2025 before the year).
    assert (
        compliance.cases,
        compliance.organizations,
        compliance.members,
        compliance.committee_members,
    ) == (1, 1, 2, 1)
    # 2025's case still counts toward the target, as on the dashboard: 2 of 3.
    targets = targets_by_kind(report)
    planned = targets[("inspection_compliance", "cases")]
    assert (planned.quantity, planned.capped_done) == (3, 2)
    thematic = by_kind["supervision_thematic"]
    assert (thematic.cases, thematic.members) == (1, 1)
    assert targets[("supervision_thematic", "cases")].capped_done == 1
    denunciation = by_kind["denunciation"]
    assert (denunciation.cases, denunciation.arising, denunciation.committee_members) == (1, 1, 1)
    assert by_kind["inspection_violation"].cases == 0  # B1's case is not in A's subtree
    total = report.total
    assert (total.cases, total.organizations, total.members, total.committee_members) == (
        3,
        1,
        4,
        2,
    )
    forms = {line.form: line for line in report.discipline}
    assert (forms["warning"].members, forms["warning"].committee_members) == (1, 1)
    assert (forms["reprimand"].organizations, forms["reprimand"].members) == (1, 0)
    expulsion = forms["expulsion"]
    assert (expulsion.organizations, expulsion.members) == (0, 0)  # decided by B
    assert (report.discipline[-1].organizations, report.discipline[-1].members) == (1, 1)
    assert [line.label for line in report.discipline[:-1]] == [
        "Khiển trách",
        "Cảnh cáo",
        "Cách chức",
        "Khai trừ",
        "Giải tán",
        "Xóa tên",
    ]

    year = queries.period_report(tree.a, year=2026, period_kind="year", today=TODAY)
    assert lines_by_kind(year)["inspection_compliance"].cases == 2
    assert {line.form: line for line in year.discipline}["reprimand"].members == 1


@time_machine.travel(TODAY, tick=False)
def test_the_report_page_shows_the_table(client, cast, tree, year_2026):
    client.force_login(cast.leader_p)
    response = client.get(report_url(tree.province, period="year"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Giám sát chuyên đề" in body and "Trong đó cấp ủy viên" in body
    assert "Khai trừ" in body and "Tổng cộng" in body
    assert "format=xlsx" in body and "format=pdf" in body


def report_figures(report):
    targets = [
        (t.kind, t.counts, t.quantity, t.capped_done, t.done, t.expected)
        for t in [*report.targets, *report.target_totals]
    ]
    lines = [(line.kind, line.arising, line.cases, line.members) for line in report.lines]
    return targets, lines, [(d.form, d.organizations, d.members) for d in report.discipline]


@time_machine.travel(TODAY, tick=False)
def test_a_past_period_without_a_snapshot_is_computed_as_a_snapshot_would_hold_it(
    client, cast, tree, year_2026
):
    computed = {
        unit: queries.period_report(unit, year=2026, period_kind="q1", today=TODAY)
        for unit in (tree.province, tree.a, tree.b1)
    }
    periods.snapshot_period(period("q1"), today=TODAY)
    for unit, report in computed.items():
        assert report.source.computed and report.source.computed_at is not None
        frozen = queries.period_report(unit, year=2026, period_kind="q1", today=TODAY)
        assert report_figures(report) == report_figures(frozen), unit
    assert sum(t.quantity for t in computed[tree.province].target_totals) > 0


@time_machine.travel(TODAY, tick=False)
def test_a_computed_period_says_when_and_downloads(client, cast, tree, year_2026):
    client.force_login(cast.leader_p)
    body = client.get(report_url(tree.province, period="q1")).content.decode()
    assert "Tổng cộng" in body and "format=xlsx" in body
    assert "tính lại lúc 07:00 02/07/2026" in body
    assert "snapshot_progress" not in body and "số liệu chốt kỳ" not in body
    response = client.get(report_url(tree.province, period="q1", format="xlsx"))
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert "tính lại lúc 07:00 02/07/2026" in sheet["A2"].value


@time_machine.travel(TODAY, tick=False)
def test_the_term_report_counts_from_the_start_of_the_term(client, cast, tree, year_2026):
    periods.ensure_term(2026)
    report = queries.period_report(tree.a, year=2026, period_kind="term", today=TODAY)
    year = queries.period_report(tree.a, year=2026, period_kind="year", today=TODAY)
    assert report.period.title == "Nhiệm kỳ 2025–2030"
    assert report.source.computed and report.source.as_of == TODAY
    # The targets are 2026's alone here; the cases since 1 January 2025, so the one of
    # 20 December 2025 counts in the term and not in the year.
    assert [(t.counts, t.quantity) for t in report.target_totals] == [
        (t.counts, t.quantity) for t in year.target_totals
    ]
    by_kind, in_year = lines_by_kind(report), lines_by_kind(year)
    assert by_kind["inspection_compliance"].cases == in_year["inspection_compliance"].cases + 1
    client.force_login(cast.leader_p)
    body = client.get(report_url(tree.a, period="term")).content.decode()
    assert "Nhiệm kỳ 2025–2030" in body and "tính lại lúc" in body
    response = client.get(report_url(tree.a, period="term", format="xlsx"))
    title = load_workbook(BytesIO(response.content)).active["A1"].value
    assert title.endswith("— Nhiệm kỳ 2025–2030") and "năm" not in title


@time_machine.travel(TODAY, tick=False)
def test_the_xlsx_keeps_numbers_as_numbers(client, cast, tree, year_2026):
    periods.snapshot_period(period("q1"), today=TODAY)
    client.force_login(cast.leader_p)
    response = client.get(report_url(tree.province, period="q1", format="xlsx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')

    book = load_workbook(BytesIO(response.content))
    sheet = book.active  # the document: title, figures' day, header, paragraph
    title = sheet["A1"].value
    assert "Tỉnh ủy Thử Nghiệm" in title and "Quý I" in title and "2026" in title
    assert "31/03/2026" in sheet["A2"].value

    def rows_of(name):
        rows: dict = {}
        for cells in book[name].iter_rows(min_row=3):
            rows.setdefault(cells[1].value, cells)  # the first of each label
        return rows

    rows = rows_of("Chỉ tiêu")
    report = queries.period_report(tree.province, year=2026, period_kind="q1", today=TODAY)
    totals = {line.counts: line for line in report.target_totals}
    for counts, word in (("cases", "cuộc"), ("members", "đảng viên")):
        cells = rows[f"Tổng cộng ({word})"]
        assert cells[2].value == word
        quantity, capped = cells[3].value, cells[5].value
        assert (quantity, capped) == (totals[counts].quantity, totals[counts].capped_done)
        assert all(isinstance(v, int) for v in (quantity, capped))
        completion = cells[6]
        assert isinstance(completion.value, float)
        assert completion.number_format == "0.00%"
        assert completion.value == pytest.approx(
            float(ktgs_figures.round_percent(totals[counts].completion)) / 100
        )
        assert cells[4].value == pytest.approx(float(totals[counts].expected), abs=0.05)
    thematic = rows["Giám sát chuyên đề"]  # the targets table: one line per kind and unit
    assert thematic[0].value == 3 and isinstance(thematic[3].value, int)
    done = rows_of("Kết quả theo loại")["Tổng cộng"]  # one count per column
    assert (done[2].value, done[3].value, done[4].value) == (
        report.total.cases,
        report.total.organizations,
        report.total.members,
    )
    sheet = book["Chỉ tiêu"]
    assert sheet.column_dimensions["B"].width > 30
    expulsion = rows_of("Kỷ luật")["Khai trừ"]
    # Members decided by the committees, by the commissions (B's), all together.
    assert [c.value for c in expulsion[5:8]] == [0, 1, 1]  # B's decision, in the province


@time_machine.travel(TODAY, tick=False)
def test_the_pdf_is_a_pdf_with_vietnamese_text(client, cast, tree, year_2026, tmp_path):
    client.force_login(cast.leader_p)
    response = client.get(report_url(tree.province, period="year", format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Giám sát chuyên đề" in text
    assert "Tỉnh ủy Thử Nghiệm" in text
    assert "Trong đó cấp ủy viên" in text
    assert "Khiển trách" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff_a", 404),
        ("leader_p", 200),
        ("leader_b", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("fmt", ["", "xlsx"])
def test_the_province_report_is_scoped(client, cast, tree, who, status, fmt):
    client.force_login(getattr(cast, who))
    response = client.get(report_url(tree.province, period="year", format=fmt))
    assert response.status_code == status


def test_the_report_of_an_own_unit_is_open_to_its_leader(client, cast, tree):
    client.force_login(cast.leader_b)
    assert client.get(report_url(tree.b1, period="year")).status_code == 200
