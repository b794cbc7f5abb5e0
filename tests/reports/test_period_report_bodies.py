"""The period report's coverage per kind of unit (all bodies and each body) and its lines
per body of what the unit itself did, as the official reports write them ("Ban thường
vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy viên (hoàn thành 100% chỉ tiêu kế hoạch)"), rebuilt from
records through the page, the XLSX and the PDF; and the term's targets of every year."""

import re
import subprocess
from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import CaseSubject
from ktgs.models import Organization
from reports import engine, queries
from reports.engine import periods
from reports.models import ReportPeriod
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 10, 20)
ORG, MEMBER = CaseSubject.Kind.ORGANIZATION, CaseSubject.Kind.MEMBER
INSPECT, SUPERVISE = "inspection_compliance", "supervision_thematic"


@pytest.fixture
def engine_name(rollup_engine):
    """Both roll-up engines (tests/conftest.py)."""
    return rollup_engine


@pytest.fixture
def bloc(tree, engine_name):
    """The bloc A's standing committee set itself 3 inspections and did them (3
    organisations, 5 members who all sit on a committee); its inspection commission set
    itself 3 thematic supervisions and did 2 (2 organisations, 2 committee members), and
    settled a denunciation (arising). Below A: three grassroots committees whose
    committees set themselves one inspection each, two done; A1's standing committee
    did an inspection of its own (A1's, not A's)."""
    x1, x2 = (
        OrganizationFactory(
            parent=tree.a, code=code, name=name, level=Organization.Level.GRASSROOTS
        )
        for code, name in (("TN-X1", "Đảng bộ cơ sở X1"), ("TN-X2", "Đảng bộ cơ sở X2"))
    )
    standing = target(programme(tree.a, body="standing_committee"), tree.a, quantity=3)
    subjects = [
        [(ORG, tree.a1, False), (MEMBER, None, True), (MEMBER, None, True)],
        [(ORG, tree.a2, False), (MEMBER, None, True), (MEMBER, None, True)],
        [(ORG, x1, False), (MEMBER, None, True)],
    ]
    for found in subjects:
        case(tree.a, target=standing, body="standing_committee", subjects=found)
    commission = target(
        programme(tree.a, body="inspection_commission"), tree.a, kind=SUPERVISE, quantity=3
    )
    for unit in (tree.a1, x2):
        case(
            tree.a,
            kind=SUPERVISE,
            target=commission,
            subjects=[(ORG, unit, False), (MEMBER, None, True)],
        )
    case(tree.a, kind="denunciation", subjects=[(MEMBER, None, False)])
    for unit, done in ((tree.a1, 1), (x1, 1), (x2, 0)):
        made = target(programme(unit, body="committee"), unit, quantity=1)
        if done:
            case(unit, target=made, body="committee", subjects=[(ORG, tree.a1a, False)])
    case(tree.a1, body="standing_committee", subjects=[(MEMBER, None, True)])
    engine.rebuild(TODAY)
    return tree


def report_url(unit, **params):
    query = "&".join(f"{k}={v}" for k, v in {"year": 2026, **params}.items())
    return reverse("reports:period_report", args=[unit.pk]) + "?" + query


def items(body: str, css: str) -> list[str]:
    found = []
    for block in body.split(f'class="report-lines {css}"')[1:]:
        listed = block.split("</ul>")[0]
        found += [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li>(.*?)</li>", listed)
        ]
    return found


BODY_LINES = [
    "Ban thường vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy viên (hoàn thành 100% chỉ tiêu kế hoạch)",
    "Ủy ban kiểm tra: giám sát chuyên đề 02 tổ chức đảng, 02 cấp ủy viên "
    "(đạt 66,67% chỉ tiêu kế hoạch)",
    "Ủy ban kiểm tra: giải quyết tố cáo 01 đảng viên",
]


@pytest.mark.parametrize("period", ["year", "m9_computed", "m9_snapshot"])
@time_machine.travel(TODAY, tick=False)
def test_the_page_writes_the_coverage_and_each_bodys_own_lines(client, cast, bloc, period):
    tree = bloc
    kind = period.split("_")[0]
    if period == "m9_snapshot":
        periods.snapshot_period(ReportPeriod.objects.get(kind="m9", year=2026), today=TODAY)
    client.force_login(cast.leader_p)
    body = client.get(report_url(tree.a, period=kind)).content.decode()
    assert ("tính lại lúc" in body) == (period == "m9_computed")
    # All bodies: A1 and X1 completed everything they had, X2 not.
    assert items(body, "coverage-lines") == [
        "Đảng bộ cơ sở: 2/3 tổ chức, đạt 66,67%",
        "Đảng bộ cơ sở: 2/3 tổ chức, đạt 66,67%",
    ]
    coverage = body.split('id="report-coverage"')[1].split('id="report-bodies"')[0]
    assert coverage.index("Tất cả chủ thể") < coverage.index("Cấp ủy")
    # A's own, per body; A1's standing committee's inspection is A1's, not A's.
    assert items(body, "body-lines") == BODY_LINES


@time_machine.travel(TODAY, tick=False)
def test_a_body_that_set_targets_of_several_units_says_each(client, cast, bloc):
    tree = bloc
    members = target(
        programme(tree.a, body="inspection_commission"),
        tree.a,
        kind=SUPERVISE,
        quantity=4,
        counts="members",
    )
    case(tree.a, kind=SUPERVISE, target=members, subjects=[(MEMBER, None, False)])
    engine.rebuild(TODAY)
    report = queries.period_report(tree.a, year=2026, period_kind="year", today=TODAY)
    commission = next(s for s in report.bodies if s.body == "inspection_commission")
    thematic = next(a for a in commission.activities if a.kind == SUPERVISE)
    assert (thematic.cases, thematic.organizations, thematic.members) == (3, 2, 3)
    client.force_login(cast.leader_p)
    body = client.get(report_url(tree.a, period="year")).content.decode()
    assert (
        "Ủy ban kiểm tra: giám sát chuyên đề 02 tổ chức đảng, 03 đảng viên (trong đó 02 cấp "
        "ủy viên) (đạt 66,67% chỉ tiêu kế hoạch tính theo cuộc; đạt 25% chỉ tiêu kế hoạch "
        "tính theo đảng viên)"
    ) in items(body, "body-lines")


@time_machine.travel(TODAY, tick=False)
def test_the_xlsx_has_the_coverage_and_body_blocks_with_numbers(client, cast, bloc):
    tree = bloc
    client.force_login(cast.leader_p)
    response = client.get(report_url(tree.a, period="year", format="xlsx"))
    book = load_workbook(BytesIO(response.content))
    sheet = book["Độ bao phủ"]  # one sheet per section
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    titles = [row[0] for row in rows]
    start = titles.index("Độ bao phủ theo loại tổ chức")
    assert rows[start + 1][:6] == [
        "STT",
        "Chủ thể",
        "Loại tổ chức",
        "Có chỉ tiêu (tổ chức)",
        "Hoàn thành (tổ chức)",
        "Tỷ lệ",
    ]
    assert [row[:6] for row in rows[start + 2 : start + 4]] == [
        [1, "Tất cả chủ thể", "Đảng bộ cơ sở", 3, 2, pytest.approx(0.6667)],
        [2, "Cấp ủy", "Đảng bộ cơ sở", 3, 2, pytest.approx(0.6667)],
    ]
    assert sheet.cell(row=start + 3, column=6).number_format == "0.00%"
    rows = [[cell.value for cell in row] for row in book["Theo chủ thể"].iter_rows()]
    titles = [row[0] for row in rows]
    start = next(i for i, title in enumerate(titles) if str(title).startswith("Kết quả của"))
    assert rows[start][0] == "Kết quả của Đảng ủy Khối A theo chủ thể (không cộng cấp dưới)"
    standing = rows[start + 2]
    assert standing[:7] == [1, "Ban thường vụ", "Kiểm tra chấp hành (chuyên đề)", 3, 3, 5, 5]
    assert standing[7:11] == ["cuộc", 3, 3, 1.0]
    assert standing[11] == BODY_LINES[0]
    assert all(isinstance(value, int) for value in standing[3:7])
    supervision = rows[start + 3]
    assert supervision[3:11] == [2, 2, 2, 2, "cuộc", 3, 2, pytest.approx(0.6667)]
    denunciation = rows[start + 4]
    assert denunciation[3:11] == [1, 0, 1, 0, None, None, None, None]


@time_machine.travel(TODAY, tick=False)
def test_the_pdf_writes_the_lines(client, cast, bloc, tmp_path):
    tree = bloc
    client.force_login(cast.leader_p)
    response = client.get(report_url(tree.a, period="year", format="pdf"))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Độ bao phủ theo loại tổ chức" in flat
    assert "Đảng bộ cơ sở: 2/3 tổ chức, đạt 66,67%" in flat
    assert "Ban thường vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy viên" in flat


@time_machine.travel(TODAY, tick=False)
def test_english_keeps_plain_counts(client, cast, bloc):
    tree = bloc
    cast.leader_p.language = "en"
    cast.leader_p.save()
    client.force_login(cast.leader_p)
    body = client.get(report_url(tree.a, period="year")).content.decode()
    assert "3 party organisations, 5 committee members (100% of the targets met)" in body
    assert "2/3 organisations, 66.67%" in body


@time_machine.travel(date(2026, 7, 2), tick=False)
def test_the_term_report_gathers_the_targets_of_every_year(tree):
    """A1's 2025 programme (2 inspections, one done in 2025) and the province's 2026
    targets: the term to date counts both years' targets, as its other figures do."""
    periods.ensure_term(2026)
    last_year = target(programme(tree.a1, year=2025, body="committee"), tree.a1, quantity=2)
    last_year.due_on = date(2025, 12, 31)
    last_year.save(update_fields=["due_on"])
    made = case(tree.a1, target=last_year, body="committee", concluded_on=date(2025, 6, 1))
    made.year = 2025
    made.save(update_fields=["year"])
    this_year = target(programme(tree.province), tree.a1, quantity=3)
    case(tree.a1, target=this_year, concluded_on=date(2026, 5, 1), body="standing_committee")
    day = date(2026, 7, 2)
    engine.rebuild(day)
    term = queries.period_report(tree.a, year=2026, period_kind="term", today=day)
    year = queries.period_report(tree.a, year=2026, period_kind="year", today=day)
    assert [(t.counts, t.quantity, t.capped_done) for t in year.target_totals] == [("cases", 3, 1)]
    assert [(t.counts, t.quantity, t.capped_done) for t in term.target_totals] == [("cases", 5, 2)]
    # The term's targets are its dashboard's: the same totals.
    shown = queries.dashboard(tree.a, year=2026, kind="", today=day, period_kind="term").unit
    assert (shown.quantity, shown.capped_done) == (5, 2)
