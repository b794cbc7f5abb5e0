"""A list page as an XLSX file (openpyxl): a title row, the filters that made the list,
a header row, one row per item. Numbers and dates stay numbers and dates; the look is
that of the period report's file (reports.exports): bold wrapped headers, thin boxes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
# A file for a leader to read and sort, not a database dump: past this many rows the
# file says how many were left out and asks for narrower filters.
MAX_ROWS = 20_000
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def list_workbook(
    *,
    title: str,
    filters: Sequence[tuple[str, str]],
    headers: Sequence[str],
    rows: Iterable[Sequence],
    total: int,
    widths: Sequence[int] = (),
) -> bytes:
    """The file's bytes. `filters` are (label, value shown) of the filters applied;
    `rows` at most MAX_ROWS are read of the `total` the list holds."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=12)
    row = 2
    for label, value in filters:
        sheet.cell(row=row, column=1, value=label).font = _BOLD
        sheet.cell(row=row, column=2, value=value)
        row += 1
    row += 1
    header_row = row
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=header)
        cell.font, cell.alignment, cell.border = _BOLD, _WRAP, _BOX
    written = 0
    for values in rows:
        if written >= MAX_ROWS:
            break
        row += 1
        written += 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = _BOX
            if isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
    if total > written:
        sheet.cell(
            row=row + 2,
            column=1,
            value=_("Còn %(n)d dòng không có trong tệp: hãy lọc hẹp hơn.") % {"n": total - written},
        ).font = _BOLD
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(row, header_row)}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
