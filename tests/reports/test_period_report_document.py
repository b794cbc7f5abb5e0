"""The period report as the official document: the paragraph a staffer writes, from the
same figures ("kiểm tra 03 tổ chức đảng (hoàn thành 100% chỉ tiêu kế hoạch); giám sát
chuyên đề 02 tổ chức đảng, 02 cấp ủy viên (đạt 66,67% chỉ tiêu kế hoạch)"; "Đảng bộ cơ
sở 19/33 tổ chức, đạt 57,58%"), shown above the tables; the PDF with a party document's
header, "Nơi nhận" and signature block; the XLSX with one sheet per section."""

import html
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
from reports import documents, engine, queries, services
from reports.models import ReportPeriod
from tests.factories import OrganizationFactory
from tests.reports.test_rollup import case, programme, target

TODAY = date(2026, 10, 20)
ORG, MEMBER = CaseSubject.Kind.ORGANIZATION, CaseSubject.Kind.MEMBER
SECTIONS = [
    "Báo cáo",
    "Chỉ tiêu",
    "Kết quả theo loại",
    "Độ bao phủ",
    "Theo chủ thể",
    "Dấu hiệu vi phạm",
    "Kỷ luật",
    "Đơn thư",
    "Tố cáo",
    "Khiếu nại",
    "Đình chỉ",
]


@pytest.fixture
def bloc(tree):
    """Bloc A: its standing committee set itself 3 inspections and did them (3
    organisations); its inspection commission 3 thematic supervisions, 2 done (2
    organisations, 2 committee members). Below A, 33 grassroots committees set
    themselves one regular supervision each; 19 did it."""
    standing = target(programme(tree.a, body="standing_committee"), tree.a, quantity=3)
    for unit in (tree.a1, tree.a2, tree.a1a):
        case(tree.a, target=standing, body="standing_committee", subjects=[(ORG, unit, False)])
    commission = target(
        programme(tree.a, body="inspection_commission"),
        tree.a,
        kind="supervision_thematic",
        quantity=3,
    )
    for unit in (tree.a1, tree.a2):
        case(
            tree.a,
            kind="supervision_thematic",
            target=commission,
            subjects=[(ORG, unit, False), (MEMBER, None, True)],
        )
    for number in range(33):
        unit = OrganizationFactory(
            parent=tree.a,
            code=f"TN-X{number}",
            name=f"Đảng bộ cơ sở X{number}",
            level=Organization.Level.GRASSROOTS,
            grassroots_form=Organization.GrassrootsForm.COMMITTEE,
        )
        quota = target(
            programme(unit, body="committee"), unit, kind="supervision_regular", quantity=1
        )
        if number < 19:
            case(unit, kind="supervision_regular", target=quota, body="committee")
    engine.rebuild(TODAY)
    return tree


def report_url(unit, **params):
    query = "&".join(f"{k}={v}" for k, v in {"year": 2026, **params}.items())
    return reverse("reports:period_report", args=[unit.pk]) + "?" + query


@time_machine.travel(TODAY, tick=False)
def test_the_paragraph_says_the_figures_as_a_staffer_writes_them(bloc):
    report = queries.period_report(bloc.a, year=2026, period_kind="m9", today=TODAY)
    text = documents.summary_of(report)
    assert text.startswith(
        "Trong 9 tháng 2026, cấp ủy, ủy ban kiểm tra các cấp trong Đảng ủy Khối A đã "
        "kiểm tra 03 tổ chức đảng (hoàn thành 100% chỉ tiêu kế hoạch); giám sát chuyên đề "
        "02 tổ chức đảng, 02 cấp ủy viên (đạt 66,67% chỉ tiêu kế hoạch); giám sát thường "
        "xuyên 19 cuộc (đạt 57,58% chỉ tiêu kế hoạch)."
    )
    # Each body's own work, then the coverage per kind of unit.
    assert "Ban thường vụ: kiểm tra 03 tổ chức đảng (hoàn thành 100% chỉ tiêu kế hoạch)." in text
    assert (
        "Ủy ban kiểm tra: giám sát chuyên đề 02 tổ chức đảng, 02 cấp ủy viên "
        "(đạt 66,67% chỉ tiêu kế hoạch)." in text
    )
    assert "Đảng bộ cơ sở 19/33 tổ chức, đạt 57,58%" in text
    assert text.index("Ban thường vụ:") < text.index("19/33")
    assert all(sentence.endswith(".") for sentence in text.split(". ")[-1:])


@time_machine.travel(TODAY, tick=False)
def test_a_period_without_cases_says_so(tree):
    report = queries.period_report(tree.b, year=2026, period_kind="m9", today=TODAY)
    assert documents.summary_of(report) == (
        "Trong 9 tháng 2026, Đảng ủy xã B chưa có cuộc kiểm tra, giám sát nào được kết luận."
    )


@time_machine.travel(TODAY, tick=False)
def test_the_page_shows_the_paragraph_above_the_tables(client, cast, bloc):
    client.force_login(cast.leader_p)
    body = client.get(report_url(bloc.a, period="m9")).content.decode()
    assert 'id="report-summary"' in body
    assert body.index('id="report-summary"') < body.index('id="report-targets"')
    assert "đạt 57,58%" in body.split('id="report-summary"')[1].split("</section>")[0]


def pdf_text(content: bytes, tmp_path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


@time_machine.travel(TODAY, tick=False)
def test_the_pdf_has_the_official_header_closing_and_signature(client, cast, bloc, tmp_path):
    client.force_login(cast.leader_p)
    response = client.get(report_url(bloc.a, period="m9", format="pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    # Left block: the parent, the issuing unit and body, the number's blank.
    for line in ("TỈNH ỦY THỬ NGHIỆM", "ĐẢNG ỦY KHỐI A", "ỦY BAN KIỂM TRA", "Số: -BC/…"):
        assert line in text, line
    # Right block, title and subject line.
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "……, ngày 20 tháng 10 năm 2026" in text
    assert "BÁO CÁO kết quả kiểm tra, giám sát 9 tháng 2026" in text
    # The paragraph before the tables, then the closing.
    assert text.index("hoàn thành 100% chỉ tiêu kế hoạch") < text.index("Kết quả thực hiện")
    assert "Nơi nhận: - Tỉnh ủy Thử Nghiệm, - Lưu." in text
    assert "T/M ỦY BAN KIỂM TRA" in text
    assert text.index("Nơi nhận:") > text.index("Thi hành kỷ luật")


def test_a_numbered_header_prints_its_number_place_and_date():
    header = documents.DocumentHeader(
        parent_name="Đảng bộ Khối các cơ quan tỉnh",
        issuer_name="Đảng ủy Sở Tài chính",
        body_label="Ủy ban kiểm tra",
        number="15-BC/UBKT",
        place="Lạng Sơn",
        signed_on=date(2026, 10, 5),
        recipients=("- Ủy ban kiểm tra Đảng ủy Khối,", "Lưu."),
    )
    assert documents.number_text(header) == "Số: 15-BC/UBKT"
    assert documents.place_and_date(header) == "Lạng Sơn, ngày 05 tháng 10 năm 2026"
    assert [documents.recipient_line(r) for r in header.recipients] == [
        "- Ủy ban kiểm tra Đảng ủy Khối,",
        "- Lưu.",
    ]


def test_the_issuing_body_follows_the_kind_of_unit(tree):
    assert documents.issuing_body(tree.a) == "inspection_commission"
    assert documents.issuing_body(tree.a1) == "inspection_commission"
    assert documents.issuing_body(tree.a1a) == "cell"
    assert documents.issuing_body(tree.a2) == "cell"  # a grassroots cell


@time_machine.travel(TODAY, tick=False)
def test_the_xlsx_has_one_sheet_per_section_with_numbers_as_numbers(client, cast, bloc):
    client.force_login(cast.leader_p)
    response = client.get(report_url(bloc.a, period="m9", format="xlsx"))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == SECTIONS
    document = {
        row[0].value: row[1].value for row in book["Báo cáo"].iter_rows(min_row=4) if row[0].value
    }
    assert document["Đơn vị ban hành"] == "Đảng ủy Khối A"
    assert document["Trích yếu"] == "kết quả kiểm tra, giám sát 9 tháng 2026"
    assert "Đảng bộ cơ sở 19/33 tổ chức, đạt 57,58%" in document["Nội dung báo cáo"]
    numeric = re.compile(r"^\d[\d.,]*%?$")
    for name in SECTIONS[1:]:
        values = [cell.value for row in book[name].iter_rows(min_row=3) for cell in row]
        assert any(isinstance(value, int) for value in values), name
        assert not [v for v in values if isinstance(v, str) and numeric.match(v)], name
    coverage = [[c.value for c in row] for row in book["Độ bao phủ"].iter_rows(min_row=3)]
    assert coverage[0][2:6] == ["Đảng bộ cơ sở", 33, 19, pytest.approx(0.5758)]


@time_machine.travel(TODAY, tick=False)
def test_the_report_takes_eight_queries(bloc, django_assert_num_queries):
    """The period, the roll-up rows, the targets with their done counts added up, cases and
    subjects per kind and body, the arising an amendment left, the findings of the
    inspections on signs of violation (the one query that section adds), the records
    (one union), the unit's rows per body; whatever the subtree (tests/reports/
    test_records.py grows it)."""
    with django_assert_num_queries(8):
        queries.period_report(bloc.a, year=2026, period_kind="year", today=TODAY)


@time_machine.travel(TODAY, tick=False)
def test_each_bodys_line_opens_its_own_cases(client, cast, bloc):
    client.force_login(cast.leader_p)
    page = client.get(report_url(bloc.a, period="m9")).content.decode()
    block = page.split('class="report-lines body-lines"')[1].split("</ul>")[0]
    found = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', block)
    assert [text.split(":")[0] for _href, text in found] == ["Ban thường vụ", "Ủy ban kiểm tra"]
    report = queries.period_report(bloc.a, year=2026, period_kind="m9", today=TODAY)
    activities = [a for section in report.bodies for a in section.activities]
    for (href, _text), activity in zip(found, activities, strict=True):
        listed = client.get(html.unescape(href)).content.decode()
        assert f'class="total-cases">{activity.cases}<' in listed, href


@time_machine.travel(TODAY, tick=False)
def test_a_submitted_reports_pdf_says_what_its_staff_sent(client, cast, bloc, tmp_path):
    period = ReportPeriod.objects.get(kind="m9", year=2026, month=0)
    services.submit_report(
        user=cast.staff_a,
        organization=bloc.a,
        period=period,
        today=TODAY,
        number="15-BC/UBKT",
        place="Lạng Sơn",
        signed_on=date(2026, 10, 8),
        recipients="Ủy ban kiểm tra Tỉnh ủy,\nLưu.",
        signer_capacity="T/M ỦY BAN KIỂM TRA",
        signer_title="CHỦ NHIỆM",
        signer_name="Trần Văn Mẫu",
        summary="Đoạn tóm tắt do cán bộ sửa trước khi gửi.",
    )
    client.force_login(cast.leader_p)
    response = client.get(report_url(bloc.a, period="m9", format="pdf"))
    text = pdf_text(response.content, tmp_path)
    assert "Số: 15-BC/UBKT" in text
    assert "Lạng Sơn, ngày 08 tháng 10 năm 2026" in text
    assert "Đoạn tóm tắt do cán bộ sửa trước khi gửi." in text
    assert "CHỦ NHIỆM" in text and "Trần Văn Mẫu" in text
    assert "Nơi nhận: - Ủy ban kiểm tra Tỉnh ủy, - Lưu." in text
    # The generated paragraph gives way to the one sent.
    assert "hoàn thành 100% chỉ tiêu kế hoạch" not in text.split("Kết quả thực hiện")[0]
