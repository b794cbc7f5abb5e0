"""The rows of an import file: headers matched to columns (English or Vietnamese), cells
parsed (levels, counts, dates), every cell error reported as a RowError."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from ktgs.models import Organization

# The largest count the database holds (the counts are PositiveIntegerFields).
MAX_COUNT = 2_147_483_647


def _largest_count() -> str:
    return formats.number_format(MAX_COUNT, force_grouping=True)


REQUIRED_COLUMNS = (
    "code",
    "parent_code",
    "name",
    "level",
    "member_count",
    "committee_member_count",
)


# Header aliases, compared after folding (lower case, no diacritics, "_" between words),
# so "Mã đơn vị", "MA DON VI" and "ma_don_vi" are one header.
_HEADER_ALIASES = {
    "code": ["code", "ma", "ma_don_vi", "ma_dv", "ma_to_chuc", "ma_to_chuc_dang"],
    "parent_code": [
        "parent_code",
        "parent",
        "ma_don_vi_cap_tren",
        "ma_dv_cap_tren",
        "ma_cap_tren",
        "ma_to_chuc_cap_tren",
        "cap_tren",
        "don_vi_cap_tren",
    ],
    "name": ["name", "ten", "ten_don_vi", "ten_to_chuc", "ten_to_chuc_dang"],
    "level": ["level", "cap", "cap_to_chuc", "cap_don_vi"],
    "member_count": ["member_count", "so_dang_vien", "dang_vien"],
    "committee_member_count": [
        "committee_member_count",
        "so_cap_uy_vien",
        "cap_uy_vien",
        "so_cap_uy",
    ],
    "short_name": ["short_name", "ten_viet_tat", "ten_ngan"],
    "valid_from": ["valid_from", "hieu_luc_tu", "tu_ngay", "ngay_hieu_luc"],
    "valid_to": ["valid_to", "hieu_luc_den", "den_ngay", "ngay_het_hieu_luc"],
    "grassroots_form": [
        "grassroots_form",
        "loai_co_so",
        "loai_to_chuc_co_so",
        "loai_to_chuc_co_so_dang",
        "hinh_thuc_to_chuc_co_so",
    ],
    "has_cell_committee": ["has_cell_committee", "co_chi_uy", "chi_bo_co_chi_uy", "chi_uy"],
}
_HEADER_TO_COLUMN = {alias: col for col, aliases in _HEADER_ALIASES.items() for alias in aliases}

# Common ways of writing a level besides its code and its label.
_LEVEL_EXTRA_ALIASES = {
    "tw": Organization.Level.CENTRAL,
    "tinh": Organization.Level.PROVINCIAL,
    "cap_tinh": Organization.Level.PROVINCIAL,
    "cap_tren_co_so": Organization.Level.UPPER_GRASSROOTS,
    "co_so": Organization.Level.GRASSROOTS,
    "dang_bo_co_so": Organization.Level.GRASSROOTS,
    "chi_bo_co_so": Organization.Level.GRASSROOTS,
    "bo_phan": Organization.Level.PARTIAL,
    "chi_bo": Organization.Level.CELL,
}

# A level written as the kind of grassroots unit states its form too.
_LEVEL_FORMS = {
    "dang_bo_co_so": Organization.GrassrootsForm.COMMITTEE,
    "chi_bo_co_so": Organization.GrassrootsForm.CELL,
}
_FORM_ALIASES = {
    "committee": Organization.GrassrootsForm.COMMITTEE,
    "dang_bo_co_so": Organization.GrassrootsForm.COMMITTEE,
    "dang_bo": Organization.GrassrootsForm.COMMITTEE,
    "dang_uy_co_so": Organization.GrassrootsForm.COMMITTEE,
    "cell": Organization.GrassrootsForm.CELL,
    "chi_bo_co_so": Organization.GrassrootsForm.CELL,
    "chi_bo": Organization.GrassrootsForm.CELL,
}
_YES = {"co", "x", "1", "yes", "true", "y"}
_NO = {"khong", "0", "no", "false", "n"}

_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_INT_PLAIN = re.compile(r"^\d+$")
_INT_GROUPED = re.compile(r"^\d{1,3}([.\s]\d{3})+$")  # 1.234 or 1 234, as Vietnamese write


@dataclass(frozen=True)
class RowError:
    """One problem: `row` is the spreadsheet row number (header = 1; None for the file)."""

    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class _Row:
    row: int
    code: str = ""
    parent_code: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # FIELDS present in the file


def fold(text: str) -> str:
    """Lower case, no diacritics, words joined by "_": how headers and levels compare."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _level_lookup() -> dict[str, str]:
    lookup: dict[str, str] = dict(_LEVEL_EXTRA_ALIASES)
    with translation.override("vi"):
        for value, label in Organization.Level.choices:
            lookup[fold(value)] = value
            lookup[fold(str(label))] = value
    with translation.override("en"):
        for value, label in Organization.Level.choices:
            lookup.setdefault(fold(str(label)), value)
    return lookup


def _clean(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _parse_count(value: Any) -> int | None:
    if value == "":
        return 0  # blank counts are common for upper levels; the model's default is 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    if _INT_PLAIN.match(text):
        return int(text)
    if _INT_GROUPED.match(text):
        return int(re.sub(r"[.\s]", "", text))
    return None


def _parse_date(value: Any) -> dt.date | None:
    """A date from a dd/mm/yyyy or ISO string or an Excel date cell; None when invalid."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        match = _DATE_DMY.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse_kind(row: _Row, level, level_form, cell, error, positions) -> None:
    """The grassroots form and the cell committee when the file states them (a blank cell
    states nothing: planning completes them, see planning._complete_kind)."""
    L, F = Organization.Level, Organization.GrassrootsForm
    form = level_form
    raw_form = _as_text(cell("grassroots_form")) if "grassroots_form" in positions else ""
    if raw_form:
        stated = _FORM_ALIASES.get(fold(raw_form))
        if stated is None:
            error(
                "grassroots_form",
                _(
                    "Loại tổ chức cơ sở «%(value)s» không hợp lệ; ghi «Đảng bộ cơ sở» hoặc "
                    "«Chi bộ cơ sở»."
                )
                % {"value": raw_form},
            )
        elif level is not None and level != L.GRASSROOTS:
            error(
                "grassroots_form",
                _("Loại tổ chức cơ sở chỉ ghi cho tổ chức cơ sở đảng; để trống với cấp khác."),
            )
        elif form is not None and stated != form:
            error(
                "grassroots_form",
                _("Loại tổ chức cơ sở «%(value)s» không khớp với cấp đã ghi.")
                % {"value": raw_form},
            )
        form = stated
    if form is not None:
        row.values["grassroots_form"] = form
    elif level is not None and level != L.GRASSROOTS:
        row.values["grassroots_form"] = ""

    raw_flag = _as_text(cell("has_cell_committee")) if "has_cell_committee" in positions else ""
    if not raw_flag:
        return
    folded = fold(raw_flag)
    if folded not in _YES and folded not in _NO:
        error(
            "has_cell_committee",
            _("«%(value)s» không hợp lệ; ghi «Có» hoặc «Không».") % {"value": raw_flag},
        )
        return
    flag = folded in _YES
    is_cell = level == L.CELL or (level == L.GRASSROOTS and form == F.CELL)
    undecided = level == L.GRASSROOTS and form is None  # planning decides, then checks
    if flag and level is not None and not is_cell and not undecided:
        error(
            "has_cell_committee",
            _("Chỉ chi bộ trực thuộc và chi bộ cơ sở mới có thể có chi ủy."),
        )
        return
    row.values["has_cell_committee"] = flag


def _max_length(name: str) -> int:
    return Organization._meta.get_field(name).max_length or 0


def _parse_records(
    records: Iterable[list[Any]],
) -> tuple[list[_Row], dict[str, str], list[RowError]]:
    """Rows of the file, the header as written for each column, and every cell error."""
    errors: list[RowError] = []
    iterator = iter(records)
    header_cells = next(iterator, None)
    if header_cells is None or not any(_clean(c) != "" for c in header_cells):
        return [], {}, [RowError(1, "", _("Tệp trống hoặc không có dòng tiêu đề."))]

    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, cell in enumerate(header_cells):
        written = _as_text(_clean(cell))
        column = _HEADER_TO_COLUMN.get(fold(written))
        if column is None:
            continue  # extra columns (STT, notes…) are ignored
        if column in positions:
            errors.append(
                RowError(
                    1,
                    written,
                    _("Cột bị lặp lại: «%(first)s» và «%(second)s».")
                    % {"first": labels[column], "second": written},
                )
            )
            continue
        positions[column] = index
        labels[column] = written
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            errors.append(
                RowError(1, column, _("Thiếu cột bắt buộc «%(column)s».") % {"column": column})
            )
    if errors:
        return [], labels, errors

    levels = _level_lookup()
    rows: list[_Row] = []
    for row_number, cells in enumerate(iterator, start=2):
        cells = [_clean(c) for c in cells]
        if not any(c != "" for c in cells):
            continue

        def cell(column: str, cells=cells) -> Any:
            index = positions.get(column)
            return cells[index] if index is not None and index < len(cells) else ""

        def error(column: str, reason: str, row_number=row_number) -> None:
            errors.append(RowError(row_number, labels.get(column, column), reason))

        # PostgreSQL stores no NUL character in text, and no one types one: a cell that
        # holds one comes from a damaged export. Refused (named, so it can be fixed at the
        # source) rather than stripped, which would store a name nobody wrote.
        for column, index in positions.items():
            value = cells[index] if index < len(cells) else ""
            if isinstance(value, str) and "\x00" in value:
                error(column, _("Ô chứa ký tự NUL (mã 0); hãy xóa ký tự này trong tệp."))
                cells[index] = value.replace("\x00", "")

        row = _Row(row=row_number)
        row.code = _as_text(cell("code"))
        row.parent_code = _as_text(cell("parent_code"))
        if not row.code:
            error("code", _("Thiếu mã đơn vị."))
        elif len(row.code) > _max_length("code"):
            error("code", _("Mã đơn vị dài quá %(n)d ký tự.") % {"n": _max_length("code")})
            row.code = ""
        name = _as_text(cell("name"))
        if not name:
            error("name", _("Thiếu tên đơn vị."))
        elif len(name) > _max_length("name"):
            error("name", _("Tên đơn vị dài quá %(n)d ký tự.") % {"n": _max_length("name")})
        row.values["name"] = name

        raw_level = _as_text(cell("level"))
        level = levels.get(fold(raw_level))
        if level is None:
            error(
                "level",
                _(
                    "Cấp «%(value)s» không hợp lệ; ghi tên cấp (ví dụ «Chi bộ trực thuộc») "
                    "hoặc mã cấp (%(choices)s)."
                )
                % {"value": raw_level, "choices": ", ".join(Organization.Level.values)},
            )
        row.values["level"] = level
        _parse_kind(row, level, _LEVEL_FORMS.get(fold(raw_level)), cell, error, positions)

        counts = {}
        for column in ("member_count", "committee_member_count"):
            count = _parse_count(cell(column))
            if count is None:
                error(
                    column,
                    _("«%(value)s» không phải là số nguyên không âm.") % {"value": cell(column)},
                )
            elif count > MAX_COUNT:
                error(
                    column,
                    _("«%(value)s» quá lớn: tối đa %(max)s.")
                    % {"value": cell(column), "max": _largest_count()},
                )
                count = None
            counts[column] = count
            row.values[column] = counts[column]
        members, committee = counts["member_count"], counts["committee_member_count"]
        # Mirrors the model's constraint: a member count of 0 means "not counted here".
        if members and committee is not None and committee > members:
            error(
                "committee_member_count",
                _("Số cấp ủy viên (%(committee)d) lớn hơn số đảng viên (%(members)d).")
                % {"committee": committee, "members": members},
            )

        if "short_name" in positions:
            short_name = _as_text(cell("short_name"))
            if len(short_name) > _max_length("short_name"):
                error(
                    "short_name",
                    _("Tên viết tắt dài quá %(n)d ký tự.") % {"n": _max_length("short_name")},
                )
            row.values["short_name"] = short_name
        for column in ("valid_from", "valid_to"):
            if column not in positions:
                continue
            raw = cell(column)
            day = None if raw == "" else _parse_date(raw)
            if raw != "" and day is None:
                error(
                    column,
                    _("Ngày «%(value)s» không hợp lệ; viết theo dạng dd/mm/yyyy.") % {"value": raw},
                )
            row.values[column] = day
        start, end = row.values.get("valid_from"), row.values.get("valid_to")
        if start and end and end < start:
            error("valid_to", _("Ngày hết hiệu lực trước ngày bắt đầu hiệu lực."))
        rows.append(row)
    if not rows:
        errors.append(RowError(None, "", _("Tệp không có dòng dữ liệu nào.")))
    return rows, labels, errors
