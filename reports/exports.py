"""The period report as files: XLSX (openpyxl; numbers stay numbers, percentages are
numeric cells with a percent format) and PDF (WeasyPrint, from an HTML template whose
font, DejaVu Sans, covers Vietnamese)."""

from __future__ import annotations

from io import BytesIO

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ktgs import figures
from reports.models import ReportPeriod
from reports.queries import PeriodReport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def report_title(report: PeriodReport) -> str:
    if report.period.kind == ReportPeriod.Kind.TERM:  # "Nhiệm kỳ 2025–2030": no year after it
        return _("Báo cáo kết quả kiểm tra, giám sát — %(unit)s — %(period)s") % {
            "unit": report.organization.name,
            "period": report.period.title,
        }
    return _("Báo cáo kết quả kiểm tra, giám sát — %(unit)s — %(period)s năm %(year)d") % {
        "unit": report.organization.name,
        "period": report.period.label,
        "year": report.source.year,
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


def period_report_xlsx(report: PeriodReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Báo cáo")[:31]

    activity_headers = [
        _("STT"),
        _("Loại hoạt động"),
        _("Chỉ tiêu"),
        _("Đạt chỉ tiêu"),
        _("Số cuộc"),
        _("Tổ chức đảng"),
        _("Đảng viên"),
        _("Trong đó cấp ủy viên"),
        _("Phát sinh"),
        _("Tỷ lệ hoàn thành"),
    ]
    width = len(activity_headers)
    sheet.cell(row=1, column=1, value=report_title(report)).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=report_subtitle(report)).font = Font(italic=True)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)

    # Two header rows: "Đã thực hiện" spans the four subject columns.
    top, sub = 4, 5
    for column, header in enumerate(activity_headers, start=1):
        in_done_group = 5 <= column <= 8
        cell = sheet.cell(row=sub if in_done_group else top, column=column, value=header)
        if not in_done_group:
            sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
    sheet.cell(row=top, column=5, value=_("Đã thực hiện"))
    sheet.merge_cells(start_row=top, start_column=5, end_row=top, end_column=8)
    for row in (top, sub):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.alignment, cell.border = _BOLD, _WRAP, _BOX

    row_number = sub
    for index, line in enumerate(report.lines, start=1):
        row_number += 1
        is_total = line is report.total
        values = [
            None if is_total else index,
            line.label,
            line.quantity,
            line.capped_done,
            line.cases,
            line.organizations,
            line.members,
            line.committee_members,
            line.arising,
            _ratio_cell_value(line.completion),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            cell.border = _BOX
            if 3 <= column <= 9:
                cell.number_format = COUNT_FORMAT
            if column == width:
                cell.number_format = PERCENT_FORMAT
            if is_total:
                cell.font = _BOLD

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
    sheet.cell(row=row_number, column=1, value=_("Thi hành kỷ luật")).font = Font(
        bold=True, size=12
    )
    row_number += 1
    discipline_headers = [
        _("STT"),
        _("Hình thức kỷ luật"),
        _("Tổ chức đảng"),
        _("Đảng viên"),
        _("Trong đó cấp ủy viên"),
        _("Tổng số"),
    ]
    for column, header in enumerate(discipline_headers, start=1):
        cell = sheet.cell(row=row_number, column=column, value=header)
        cell.font, cell.alignment, cell.border = _BOLD, _WRAP, _BOX
    last = len(report.discipline)
    for index, form in enumerate(report.discipline, start=1):
        row_number += 1
        is_total = index == last
        values = [
            None if is_total else index,
            form.label,
            form.organizations,
            form.members,
            form.committee_members,
            form.total,
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            cell.border = _BOX
            if column >= 3:
                cell.number_format = COUNT_FORMAT
            if is_total:
                cell.font = _BOLD

    widths = [6, 52, 11, 11, 10, 12, 11, 14, 11, 14]
    for column, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = value
    sheet.row_dimensions[sub].height = 32
    sheet.freeze_panes = sheet.cell(row=sub + 1, column=3)

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def period_report_pdf(html: str, request=None) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDF download needs.
    from weasyprint import HTML

    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()
