"""The period report as files: XLSX (openpyxl; numbers stay numbers, percentages are
numeric cells with a percent format) and PDF (WeasyPrint, from an HTML template whose
font, DejaVu Sans, covers Vietnamese)."""

from __future__ import annotations

import math
from fractions import Fraction
from io import BytesIO

from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ktgs import figures
from plans.models import ActivityKind
from reports import documents, wording
from reports.documents import DocumentHeader
from reports.models import ReportPeriod
from reports.queries import PeriodReport
from reports.queries.records import DECIDER_LABELS, DECIDERS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
AMOUNT_FORMAT = "#,##0.0"  # an expected figure: a count that may be fractional
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def report_title(report: PeriodReport) -> str:
    """ "… — Tỉnh ủy X — Quý I năm 2026"; the year period is "Năm 2026" (its label is
    already "Năm": never "Năm năm 2026"); the term is "Nhiệm kỳ 2025–2030" (no year)."""
    if report.period.kind == ReportPeriod.Kind.TERM:
        when = report.period.title
    elif report.period.kind == ReportPeriod.Kind.YEAR:
        when = _("Năm %(year)d") % {"year": report.source.year}
    else:
        when = _("%(period)s năm %(year)d") % {
            "period": report.period.label,
            "year": report.source.year,
        }
    return _("Báo cáo kết quả kiểm tra, giám sát — %(unit)s — %(when)s") % {
        "unit": report.organization.name,
        "when": when,
    }


def report_subtitle(report: PeriodReport) -> str:
    text = _("Số liệu tính đến ngày %(day)s") % {
        "day": formats.date_format(report.source.day(), "SHORT_DATE_FORMAT")
    }
    if report.source.snapshot:
        text += " " + _("(số liệu chốt kỳ)")
    elif report.source.computed_at is not None:
        at = timezone.localtime(report.source.computed_at)
        text += " (" + _("tính lại lúc %(at)s") % {"at": at.strftime("%H:%M %d/%m/%Y")} + ")"
    return text


def report_filename(report: PeriodReport, extension: str) -> str:
    unit = slugify(report.organization.code) or str(report.organization.pk)
    return f"bao-cao-ktgs-{unit}-{report.period.kind}-{report.source.year}.{extension}"


def _ratio_cell_value(ratio) -> float | None:
    # The same half-up rounding as every displayed percentage, kept as a number: 57,58%
    # is stored as 0.5758 and shown by the cell's percent format.
    if ratio is None:
        return None
    return float(figures.round_percent(ratio) / 100)


def _header(sheet, row: int, headers: list[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=header)
        cell.font, cell.alignment, cell.border = _BOLD, _WRAP, _BOX


def _section(sheet, row: int, title: str) -> None:
    sheet.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)


def _write_row(
    sheet,
    row: int,
    values: list,
    *,
    counts: range,
    percent: int | None = None,
    amount: int | None = None,
    bold: bool,
) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = _BOX
        if column in counts:
            cell.number_format = COUNT_FORMAT
        if column == percent:
            cell.number_format = PERCENT_FORMAT
        if column == amount:
            cell.number_format = AMOUNT_FORMAT
        if bold:
            cell.font = _BOLD


def _amount_cell_value(value: Fraction) -> float:
    # Half-up to one decimal, as the page's `amount` filter shows it.
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def _sheet(book, title: str, heading: str):
    """A new sheet for one section, its heading in the first row; returns the sheet."""
    sheet = book.create_sheet(title=title[:31])
    _section(sheet, 1, heading)
    return sheet


def _widths(sheet, widths: list[int]) -> None:
    for column, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = value


def period_report_xlsx(report: PeriodReport, document: DocumentHeader | None = None) -> bytes:
    """One sheet per section of the page, numbers as numbers: the document (its header,
    the paragraph, "Nơi nhận", the signature), the targets per activity kind and counting
    unit, what was done per kind, coverage, each body's own work, the findings of the
    inspections on signs of violation, discipline by form and deciding body, then
    letters, denunciations, complaints and suspensions per body."""
    book = Workbook()
    language = translation.get_language() or "vi"
    _document_sheet(book.active, report, document)
    _targets_sheet(
        _sheet(book, _("Chỉ tiêu"), _("Thực hiện chỉ tiêu theo chương trình")), report, language
    )
    _activities_sheet(_sheet(book, _("Kết quả theo loại"), _("Kết quả thực hiện trong kỳ")), report)
    coverage = _sheet(book, _("Độ bao phủ"), _("Độ bao phủ theo loại tổ chức"))
    _coverage_rows(coverage, 1, report)
    _widths(coverage, [6, 28, 40, 14, 14, 12])
    bodies = _sheet(
        book,
        _("Theo chủ thể"),
        _("Kết quả của %(unit)s theo chủ thể (không cộng cấp dưới)")
        % {"unit": report.organization.name},
    )
    _body_rows(bodies, 1, report, language)
    _widths(bodies, [6, 22, 40, 10, 12, 12, 14, 12, 10, 12, 12, 70])
    _findings_sheet(
        _sheet(book, _("Dấu hiệu vi phạm"), _("Kiểm tra khi có dấu hiệu vi phạm: kết quả")), report
    )
    _discipline_sheet(_sheet(book, _("Kỷ luật"), _("Thi hành kỷ luật")), report)
    if report.records is not None:
        _records_sheets(book, report)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _document_sheet(sheet, report: PeriodReport, document: DocumentHeader | None) -> None:
    """The title, the day the figures are as of, then the document's header fields, the
    paragraph and its closing, one per row (label, value)."""
    sheet.title = _("Báo cáo")[:31]
    sheet.cell(row=1, column=1, value=report_title(report)).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    sheet.cell(row=2, column=1, value=report_subtitle(report)).font = Font(italic=True)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=2)
    _widths(sheet, [28, 110])
    if document is None:
        return
    fields = [
        (_("Đơn vị cấp trên"), document.parent_name),
        (_("Đơn vị ban hành"), document.issuer_name),
        (_("Cơ quan ban hành"), document.body_label),
        (_("Số"), documents.number_text(document)),
        (_("Địa điểm, ngày"), documents.place_and_date(document)),
        (_("Tiêu đề"), _("BÁO CÁO")),
        (_("Trích yếu"), documents.subject_line(report)),
        (_("Nội dung báo cáo"), document.summary),
        (_("Nơi nhận"), "\n".join(documents.recipient_line(line) for line in document.recipients)),
        (_("Thẩm quyền ký"), document.signer_capacity),
        (_("Chức vụ"), document.signer_title),
        (_("Người ký"), document.signer_name),
    ]
    for row, (label, value) in enumerate(fields, start=4):
        sheet.cell(row=row, column=1, value=label).font = _BOLD
        cell = sheet.cell(row=row, column=2, value=value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary_row = 4 + [label for label, _value in fields].index(_("Nội dung báo cáo"))
    sheet.row_dimensions[summary_row].height = max(30, 15 * (len(document.summary) // 120 + 1))


def _targets_sheet(sheet, report: PeriodReport, language: str) -> None:
    row_number = 2
    _header(
        sheet,
        row_number,
        [
            _("STT"),
            _("Loại hoạt động"),
            _("Đơn vị tính"),
            _("Chỉ tiêu"),
            _("Dự kiến đến ngày tính"),
            _("Đạt chỉ tiêu"),
            _("Tỷ lệ hoàn thành"),
        ],
    )
    sheet.row_dimensions[row_number].height = 32
    for index, line in enumerate([*report.targets, *report.target_totals], start=1):
        row_number += 1
        is_total = index > len(report.targets)
        unit = wording.count_unit_label(line.counts, 2, language)
        _write_row(
            sheet,
            row_number,
            [
                None if is_total else index,
                f"{line.label} ({unit})" if is_total else line.label,
                unit,
                line.quantity,
                _amount_cell_value(line.expected),
                line.capped_done,
                _ratio_cell_value(line.completion),
            ],
            counts=range(4, 7),
            percent=7,
            amount=5,
            bold=is_total,
        )
    row_number += 2
    sheet.cell(
        row=row_number,
        column=2,
        value=_("Đơn vị đã quá hạn mà chưa ban hành chương trình kiểm tra, giám sát năm %(year)d")
        % {"year": report.source.year},
    )
    cell = sheet.cell(row=row_number, column=3, value=report.units_without_programme)
    cell.number_format = COUNT_FORMAT
    _widths(sheet, [6, 52, 14, 12, 14, 12, 14])


def _activities_sheet(sheet, report: PeriodReport) -> None:
    row_number = 2
    _header(
        sheet,
        row_number,
        [
            _("STT"),
            _("Loại hoạt động"),
            _("Số cuộc"),
            _("Tổ chức đảng"),
            _("Đảng viên"),
            _("Trong đó cấp ủy viên"),
            _("Phát sinh (cuộc)"),
        ],
    )
    sheet.row_dimensions[row_number].height = 32
    for index, activity in enumerate(report.lines, start=1):
        row_number += 1
        is_total = activity is report.total
        _write_row(
            sheet,
            row_number,
            [
                None if is_total else index,
                activity.label,
                activity.cases,
                activity.organizations,
                activity.members,
                activity.committee_members,
                activity.arising,
            ],
            counts=range(3, 8),
            bold=is_total,
        )
    if report.outside_after_amendment:
        # Of the arising: cases that an amendment left without a target (as on the page).
        row_number += 1
        _write_row(
            sheet,
            row_number,
            [
                None,
                _("Trong đó: ngoài chương trình sau điều chỉnh"),
                *[None] * 4,
                report.outside_after_amendment,
            ],
            counts=range(7, 8),
            bold=False,
        )
    _widths(sheet, [6, 52, 12, 12, 12, 14, 14])


def _findings_sheet(sheet, report: PeriodReport) -> None:
    _header(
        sheet,
        2,
        [
            _("Đối tượng"),
            _("Đã kiểm tra"),
            _("Có vi phạm"),
            _("Có khuyết điểm"),
            _("Phải thi hành kỷ luật"),
            _("Đã thi hành kỷ luật"),
        ],
    )
    for row_number, line in enumerate(report.findings, start=3):
        _write_row(
            sheet,
            row_number,
            [line.label, line.subjects, *(value for _name, value in line.cells)],
            counts=range(2, 7),
            bold=False,
        )
    _widths(sheet, [28, 14, 14, 14, 16, 16])


def _discipline_sheet(sheet, report: PeriodReport) -> None:
    """Forms down, and across: organisations, members and of them committee members,
    each by the party committees (cấp ủy, ban thường vụ, chi bộ), by the inspection
    commissions, and all together."""
    groups = [_("Tổ chức đảng"), _("Đảng viên"), _("Trong đó cấp ủy viên")]
    deciders = [str(DECIDER_LABELS[key]) for key in DECIDERS]
    headers = [_("STT"), _("Hình thức kỷ luật")]
    for group in groups:
        headers += [f"{group}: {label}" for label in deciders] + [f"{group}: {_('Cộng')}"]
    _header(sheet, 2, headers)
    sheet.row_dimensions[2].height = 45
    lines = report.discipline_by_decider
    for index, line in enumerate(lines, start=1):
        is_total = index == len(lines)
        values = [value for _subject, cells in line.cells for _decider, value in cells]
        _write_row(
            sheet,
            index + 2,
            [None if is_total else index, line.label, *values],
            counts=range(3, 3 + len(values)),
            bold=is_total,
        )
    _widths(sheet, [6, 20, *[14] * 9])


def _coverage_rows(sheet, row_number: int, report: PeriodReport) -> int:
    """Coverage per kind of unit among the descendants, for all bodies then each body:
    one row per (body, kind of unit) with units that had targets. Returns the last row."""
    _section(sheet, row_number, _("Độ bao phủ theo loại tổ chức"))
    row_number += 1
    _header(
        sheet,
        row_number,
        [
            _("STT"),
            _("Chủ thể"),
            _("Loại tổ chức"),
            _("Có chỉ tiêu (tổ chức)"),
            _("Hoàn thành (tổ chức)"),
            _("Tỷ lệ"),
        ],
    )
    sheet.row_dimensions[row_number].height = 32
    index = 0
    for section in report.bodies:
        for line in section.coverage:
            index += 1
            row_number += 1
            _write_row(
                sheet,
                row_number,
                [
                    index,
                    section.label,
                    line.label,
                    line.planned,
                    line.completed,
                    _ratio_cell_value(line.ratio),
                ],
                counts=range(4, 6),
                percent=6,
                bold=not section.body,
            )
    return row_number


def _body_rows(sheet, row_number: int, report: PeriodReport, language: str) -> int:
    """What each body of the unit itself did per activity kind (its own cases in the
    period, not its subtree's) and its own targets of the kind, one row per counting
    unit of the targets; the last column is the report's sentence. Returns the last row."""
    _section(
        sheet,
        row_number,
        _("Kết quả của %(unit)s theo chủ thể (không cộng cấp dưới)")
        % {"unit": report.organization.name},
    )
    row_number += 1
    _header(
        sheet,
        row_number,
        [
            _("STT"),
            _("Chủ thể"),
            _("Loại hoạt động"),
            _("Số cuộc"),
            _("Tổ chức đảng"),
            _("Đảng viên"),
            _("Trong đó cấp ủy viên"),
            _("Đơn vị tính"),
            _("Chỉ tiêu"),
            _("Đạt chỉ tiêu"),
            _("Tỷ lệ hoàn thành"),
            _("Câu báo cáo"),
        ],
    )
    sheet.row_dimensions[row_number].height = 32
    index = 0
    for section in report.bodies:
        for activity in section.activities:
            index += 1
            done = [
                index,
                section.label,
                str(ActivityKind(activity.kind).label),
                activity.cases,
                activity.organizations,
                activity.members,
                activity.committee_members,
            ]
            sentence = wording.body_activity_line(section.label, activity)
            for number, target in enumerate(activity.targets or [None]):
                row_number += 1
                planned: list = (
                    [None] * 4
                    if target is None
                    else [
                        wording.count_unit_label(target.counts, 2, language),
                        target.quantity,
                        target.capped_done,
                        _ratio_cell_value(target.completion),
                    ]
                )
                _write_row(
                    sheet,
                    row_number,
                    [
                        *(done if number == 0 else [None] * len(done)),
                        *planned,
                        sentence if number == 0 else None,
                    ],
                    counts=range(4, 11),
                    percent=11,
                    bold=False,
                )
    return row_number


def _records_sheets(book, report: PeriodReport) -> None:
    """Letters (per kind, then per body, with the report's sentence on the records per
    body), denunciations, complaints and suspensions per body; all bodies first."""
    assert report.records is not None
    records = report.records
    sheet = _sheet(book, _("Đơn thư"), _("Đơn thư tiếp nhận"))
    _header(sheet, 2, [_("STT"), _("Loại đơn"), _("Tiếp nhận"), _("Trong đó nặc danh, mạo tên")])
    row_number = 2
    for index, letter in enumerate(records.all.letters, start=1):
        row_number += 1
        _write_row(
            sheet,
            row_number,
            [index, letter.label, letter.received, letter.anonymous],
            counts=range(3, 5),
            bold=False,
        )
    row_number += 2
    _header(
        sheet,
        row_number,
        [_("STT"), _("Chủ thể"), _("Tiếp nhận"), _("Trong đó nặc danh, mạo tên"), _("Câu báo cáo")],
    )
    for index, body in enumerate(records.bodies):
        row_number += 1
        sentence = " ".join(
            text
            for text in (
                wording.records_summary(body, body.label if body.body else ""),
                "" if body.body else wording.discipline_detail(body),
            )
            if text
        )
        _write_row(
            sheet,
            row_number,
            [index or None, body.label, body.letters_received, body.letters_anonymous, sentence],
            counts=range(3, 5),
            bold=not body.body,
        )
    _widths(sheet, [6, 30, 12, 14, 90])

    per_body = [
        (
            _("Tố cáo"),
            _("Giải quyết tố cáo"),
            [_("Tiếp nhận"), _("Đã kết luận"), _("Đang giải quyết"), _("Quá hạn")],
            lambda b: [
                b.denunciations.received,
                b.denunciations.concluded,
                b.denunciations.pending,
                b.denunciations.overdue,
            ],
        ),
        (
            _("Khiếu nại"),
            _("Giải quyết khiếu nại kỷ luật"),
            [
                _("Tiếp nhận"),
                _("Đã giải quyết"),
                _("Chuẩn y"),
                _("Thay đổi hình thức"),
                _("Xóa bỏ kỷ luật"),
            ],
            lambda b: [
                b.complaints_received,
                b.complaints_decided,
                b.complaints.get("upheld", 0),
                b.complaints.get("changed", 0),
                b.complaints.get("annulled", 0),
            ],
        ),
    ]
    for title, heading, headers, values in per_body:
        sheet = _sheet(book, title, heading)
        _header(sheet, 2, [_("STT"), _("Chủ thể"), *headers])
        for index, body in enumerate(records.bodies):
            figures_ = values(body)
            _write_row(
                sheet,
                index + 3,
                [index or None, body.label, *figures_],
                counts=range(3, 3 + len(figures_)),
                bold=not body.body,
            )
        _widths(sheet, [6, 30, *[14] * len(headers)])

    sheet = _sheet(book, _("Đình chỉ"), _("Đình chỉ sinh hoạt, hoạt động"))
    _header(
        sheet,
        2,
        [
            _("STT"),
            _("Hình thức đình chỉ"),
            _("Lý do"),
            _("Số trường hợp"),
            _("Trong đó cấp ủy viên"),
        ],
    )
    row_number = 2
    for index, line in enumerate(records.all.suspensions, start=1):
        row_number += 1
        _write_row(
            sheet,
            row_number,
            [index, line.label, line.reason_label, line.count, line.committee_members],
            counts=range(4, 6),
            bold=False,
        )
    row_number += 2
    _header(sheet, row_number, [_("STT"), _("Chủ thể"), _("Đình chỉ")])
    for index, body in enumerate(records.bodies):
        row_number += 1
        _write_row(
            sheet,
            row_number,
            [index or None, body.label, body.suspended],
            counts=range(3, 4),
            bold=not body.body,
        )
    _widths(sheet, [6, 36, 30, 14, 14])


def period_report_pdf(html: str, request=None) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDF download needs.
    from weasyprint import HTML

    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()
