"""The case list as an XLSX file, with the filters that made it (ktgs.spreadsheets)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from ktgs import spreadsheets


def _shown(bound) -> str:
    """A filter's value or a range's end as the export's header shows it."""
    if bound is None:
        return "…"
    if isinstance(bound, datetime.date):  # a datetime too (a range's ends)
        return bound.strftime("%d/%m/%Y")
    return str(bound)


def applied_filters(filters) -> list[tuple[str, str]]:
    """(label, value as shown) of every filter of the list's form that holds a value:
    a choice by its label, a date as dd/mm/yyyy, a range as "from – to" (one value when
    both ends are the same: the drill-down's one year)."""
    if not filters.form.is_valid():
        return []
    shown = []
    for name, field in filters.form.fields.items():
        value = filters.form.cleaned_data.get(name)
        if value in (None, "", []) or not field.label:
            continue
        if isinstance(value, slice):  # a range of dates or of years, either end open
            ends = (value.start, value.stop)
            value = _shown(value.start) if ends[0] == ends[1] else " – ".join(map(_shown, ends))
        elif isinstance(value, datetime.date):
            value = _shown(value)
        elif getattr(field, "choices", None):
            value = dict(field.choices).get(value, value)
        shown.append((str(field.label), str(value)))
    return shown


def cases_workbook(cases: QuerySet[Case], *, title: str, filters) -> bytes:
    """Every case of the filtered list, in the list's order (up to the file's cap)."""
    headers = [
        _("Năm"),
        _("Nội dung"),
        _("Đơn vị tiến hành"),
        _("Mã đơn vị"),
        _("Loại"),
        _("Số quyết định"),
        _("Ngày quyết định"),
        _("Trạng thái"),
        _("Số thông báo kết luận"),
        _("Ngày thông báo kết luận"),
        _("Nguồn"),
        _("Đối tượng"),
    ]
    planned, arising = _("Theo chương trình"), _("Phát sinh")
    rows = (
        [
            case.year,
            case.title,
            case.organization.name,
            case.organization.code,
            case.get_kind_display(),
            case.decision_number,
            case.decided_on,
            case.get_status_display(),
            case.conclusion_number,
            case.concluded_on,
            planned if case.target_id else arising,
            case.subject_count,  # type: ignore[attr-defined]
        ]
        for case in cases[: spreadsheets.MAX_ROWS].iterator(chunk_size=2000)
    )
    return spreadsheets.list_workbook(
        title=title,
        filters=[
            *applied_filters(filters),
            (_("Xuất lúc"), timezone.localtime().strftime("%H:%M %d/%m/%Y")),
        ],
        headers=headers,
        rows=rows,
        total=cases.count(),
        widths=[7, 50, 30, 12, 28, 16, 12, 16, 16, 12, 16, 9],
    )
