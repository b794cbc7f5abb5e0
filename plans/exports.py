"""The programme list as an XLSX file, with the filters that made it (ktgs.spreadsheets)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ktgs import spreadsheets
from ktgs.models import Organization
from plans.forms import ProgrammeListForm
from plans.models import Programme


def applied_filters(
    form: ProgrammeListForm, organization: Organization | None
) -> list[tuple[str, str]]:
    shown = []
    if organization is not None:
        shown.append((_("Đơn vị và các đơn vị trực thuộc"), organization.name))
    if form.is_valid():
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if name == "status":
                value = Programme.Status(str(value)).label
            shown.append((str(field.label), str(value)))
    return shown


def programmes_workbook(
    programmes: QuerySet[Programme], *, form: ProgrammeListForm, organization
) -> bytes:
    """Every programme of the filtered list, in the list's order (up to the file's cap)."""
    headers = [
        _("Số ký hiệu"),
        _("Đơn vị"),
        _("Mã đơn vị"),
        _("Chủ thể"),
        _("Năm"),
        _("Năm kết thúc"),
        _("Trích yếu"),
        _("Ngày ban hành"),
        _("Trạng thái"),
    ]
    rows = (
        [
            programme.doc_number,
            programme.organization.name,
            programme.organization.code,
            programme.get_body_display(),
            programme.year,
            programme.end_year,
            programme.title,
            programme.issued_on,
            programme.get_status_display(),
        ]
        for programme in programmes[: spreadsheets.MAX_ROWS].iterator(chunk_size=2000)
    )
    return spreadsheets.list_workbook(
        title=_("Chương trình kiểm tra, giám sát"),
        filters=[
            *applied_filters(form, organization),
            (_("Xuất lúc"), timezone.localtime().strftime("%H:%M %d/%m/%Y")),
        ],
        headers=headers,
        rows=rows,
        total=programmes.count(),
        widths=[16, 36, 12, 20, 7, 9, 50, 12, 14],
    )
