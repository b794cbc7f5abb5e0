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
from reports import wording
from reports.models import ReportPeriod
from reports.queries import PeriodReport

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


def period_report_xlsx(report: PeriodReport) -> bytes:
    """The tables of the page: the targets per activity kind and counting unit (a column
    says what each number counts; totals per counting unit), what was done in the period
    per kind, coverage, each body's own work, discipline, and the other records (letters,
    denunciations, complaints, suspensions) per body with the report's sentence."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Báo cáo")[:31]
    language = translation.get_language() or "vi"
    width = 7
    sheet.cell(row=1, column=1, value=report_title(report)).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=report_subtitle(report)).font = Font(italic=True)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)

    row_number = 4
    _section(sheet, row_number, _("Thực hiện chỉ tiêu theo chương trình"))
    row_number += 1
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

    row_number += 2
    _section(sheet, row_number, _("Kết quả thực hiện trong kỳ"))
    row_number += 1
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

    row_number = _coverage_rows(sheet, row_number + 2, report)
    row_number = _body_rows(sheet, row_number + 2, report, language)

    row_number += 2
    _section(sheet, row_number, _("Thi hành kỷ luật"))
    row_number += 1
    _header(
        sheet,
        row_number,
        [
            _("STT"),
            _("Hình thức kỷ luật"),
            _("Tổ chức đảng"),
            _("Đảng viên"),
            _("Trong đó cấp ủy viên"),
        ],
    )
    last = len(report.discipline)
    for index, form in enumerate(report.discipline, start=1):
        row_number += 1
        is_total = index == last
        _write_row(
            sheet,
            row_number,
            [
                None if is_total else index,
                form.label,
                form.organizations,
                form.members,
                form.committee_members,
            ],
            counts=range(3, 6),
            bold=is_total,
        )

    if report.records is not None:
        row_number = _records_rows(sheet, row_number + 2, report)

    widths = [6, 52, 22, 12, 14, 12, 14, 12, 10, 10, 12, 70, 12, 70]
    for column, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = value

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def _records_rows(sheet, row_number: int, report: PeriodReport) -> int:
    """The records per body, all bodies first (the page's table, and the report's
    sentence in the last column), then the suspensions per kind and reason and the
    letters per kind of all bodies. Returns the last row."""
    assert report.records is not None
    _section(sheet, row_number, _("Đơn thư, tố cáo, khiếu nại kỷ luật, đình chỉ sinh hoạt"))
    row_number += 1
    _header(
        sheet,
        row_number,
        [
            _("STT"),
            _("Chủ thể"),
            _("Đơn thư tiếp nhận"),
            _("Trong đó nặc danh, mạo tên"),
            _("Tố cáo tiếp nhận"),
            _("Tố cáo đã kết luận"),
            _("Tố cáo đang giải quyết"),
            _("Tố cáo quá hạn"),
            _("Khiếu nại tiếp nhận"),
            _("Khiếu nại: chuẩn y"),
            _("Khiếu nại: thay đổi hình thức"),
            _("Khiếu nại: xóa bỏ kỷ luật"),
            _("Đình chỉ"),
            _("Câu báo cáo"),
        ],
    )
    sheet.row_dimensions[row_number].height = 45
    for index, body in enumerate(report.records.bodies, start=1):
        row_number += 1
        d = body.denunciations
        label = body.label if body.body else ""
        _write_row(
            sheet,
            row_number,
            [
                None if not body.body else index - 1,
                body.label,
                body.letters_received,
                body.letters_anonymous,
                d.received,
                d.concluded,
                d.pending,
                d.overdue,
                body.complaints_received,
                body.complaints.get("upheld", 0),
                body.complaints.get("changed", 0),
                body.complaints.get("annulled", 0),
                body.suspended,
                " ".join(
                    text
                    for text in (
                        wording.records_summary(body, label),
                        "" if body.body else wording.discipline_detail(body),
                    )
                    if text
                ),
            ],
            counts=range(3, 14),
            bold=not body.body,
        )
    every = report.records.all
    if every.suspensions:
        row_number += 2
        _header(
            sheet,
            row_number,
            [
                _("STT"),
                _("Hình thức đình chỉ"),
                _("Lý do"),
                _("Số trường hợp"),
                _("Trong đó cấp ủy viên"),
            ],
        )
        for index, line in enumerate(every.suspensions, start=1):
            row_number += 1
            _write_row(
                sheet,
                row_number,
                [index, line.label, line.reason_label, line.count, line.committee_members],
                counts=range(4, 6),
                bold=False,
            )
    row_number += 2
    _header(
        sheet,
        row_number,
        [_("STT"), _("Loại đơn"), _("Tiếp nhận"), _("Trong đó nặc danh, mạo tên")],
    )
    for index, letter in enumerate(every.letters, start=1):
        row_number += 1
        _write_row(
            sheet,
            row_number,
            [index, letter.label, letter.received, letter.anonymous],
            counts=range(3, 5),
            bold=False,
        )
    return row_number


def period_report_pdf(html: str, request=None) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDF download needs.
    from weasyprint import HTML

    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()
