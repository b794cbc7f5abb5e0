"""Import of the organisation tree from a CSV or XLSX file: validate everything, then write
everything in one transaction, or nothing.

The file has a header row and one unit a row: `code`, `parent_code`, `name`, `level`,
`member_count`, `committee_member_count` and optionally `short_name`, `valid_from`,
`valid_to` (Vietnamese headers such as "Mã đơn vị" or "Số đảng viên" are accepted too).
A row whose code exists updates that unit (and moves it when its parent changed); a new
code creates a unit. Units absent from the file are left alone.

A bad file yields a list of (row, column, reason) and changes nothing. Re-importing the
same file changes nothing. New units are written with bulk inserts whose treebeard paths
are computed here (parents before children), so a national file of ~50k rows takes
seconds, not the minutes one `add_child` per row would.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ktgs.models import Organization, Role

REQUIRED_COLUMNS = (
    "code",
    "parent_code",
    "name",
    "level",
    "member_count",
    "committee_member_count",
)
BATCH = 2000  # rows per INSERT/UPDATE statement and per `code IN (...)` lookup

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
class ImportResult:
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    row: int
    code: str = ""
    parent_code: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # FIELDS present in the file


@dataclass
class _Plan:
    creates: list[_Row] = field(default_factory=list)
    updates: list[tuple[Organization, list[str]]] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)  # (code, new parent code)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


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


# --- Reading the file ---------------------------------------------------------------------


def _read_bytes(source: str | Path | IO[bytes], name: str) -> tuple[bytes, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), name or path.name
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read(), name or getattr(source, "name", "") or ""


def _is_xlsx(data: bytes, name: str) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return True
    if suffix == ".csv":
        return False
    return data[:4] == b"PK\x03\x04"  # a zip archive: what an .xlsx file is


def _csv_records(data: bytes) -> Iterator[list[Any]]:
    text = data.decode("utf-8-sig")  # utf-8-sig also reads files without a BOM
    header = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale saves CSV with ";" (the decimal separator is ",").
    delimiter = ";" if header.count(";") > header.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(data: bytes) -> Iterator[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


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


# --- Parsing the cells --------------------------------------------------------------------


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

        counts = {}
        for column in ("member_count", "committee_member_count"):
            counts[column] = _parse_count(cell(column))
            if counts[column] is None:
                error(
                    column,
                    _("«%(value)s» không phải là số nguyên không âm.") % {"value": cell(column)},
                )
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


# --- Checking against the tree and planning -----------------------------------------------


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(codes: set[str]) -> tuple[dict[str, Organization], dict[int, Organization]]:
    """Units with these codes and all their ancestors (whose parent links complete the
    picture of the tree around the file): by code and by pk."""
    by_code: dict[str, Organization] = {}
    for chunk in _chunks(sorted(codes)):
        for unit in Organization.objects.filter(code__in=chunk):
            by_code[unit.code] = unit
    step = Organization.steplen
    wanted = {
        unit.path[:end] for unit in by_code.values() for end in range(step, len(unit.path), step)
    } - {unit.path for unit in by_code.values()}
    for chunk in _chunks(sorted(wanted)):
        for unit in Organization.objects.filter(path__in=chunk):
            by_code[unit.code] = unit
    return by_code, {unit.pk: unit for unit in by_code.values()}


def _admin_paths(user) -> list[str] | None:
    """Subtrees the user administers; None when the user may touch the whole tree."""
    if user is None or user.is_superuser:
        return None
    return list(
        Role.objects.filter(user=user, kind=Role.Kind.ADMIN).values_list(
            "organization__path", flat=True
        )
    )


def _plan(rows: list[_Row], labels: dict[str, str], user) -> _Plan:
    plan = _Plan()

    def error(row: _Row, column: str, reason: str) -> None:
        plan.errors.append(RowError(row.row, labels.get(column, column), reason))

    in_file: dict[str, _Row] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in in_file:
            error(
                row,
                "code",
                _("Mã đơn vị «%(code)s» trùng với dòng %(row)d.")
                % {"code": row.code, "row": in_file[row.code].row},
            )
            continue
        in_file[row.code] = row

    existing, by_pk = _load_existing(set(in_file) | {r.parent_code for r in rows if r.parent_code})

    def current_parent_code(code: str) -> str:
        parent = by_pk.get(existing[code].parent_id) if existing[code].parent_id else None
        return parent.code if parent else ""

    def final_parent_code(code: str) -> str:
        return in_file[code].parent_code if code in in_file else current_parent_code(code)

    admin_paths = _admin_paths(user)

    def administers(unit: Organization) -> bool:
        return admin_paths is None or any(unit.path.startswith(p) for p in admin_paths)

    broken: set[str] = set()
    for code, row in in_file.items():
        parent_code = row.parent_code
        unit = existing.get(code)
        if parent_code == code:
            error(row, "parent_code", _("Đơn vị không thể là cấp trên của chính nó."))
            broken.add(code)
        elif parent_code and parent_code not in in_file and parent_code not in existing:
            error(
                row,
                "parent_code",
                _(
                    "Không tìm thấy đơn vị cấp trên có mã «%(code)s» trong tệp "
                    "hoặc trong cơ sở dữ liệu."
                )
                % {"code": parent_code},
            )
            broken.add(code)
        elif not parent_code and unit is not None and unit.parent_id:
            error(
                row,
                "parent_code",
                _("Đơn vị «%(code)s» đang trực thuộc «%(parent)s»; hãy ghi mã đơn vị cấp trên.")
                % {"code": code, "parent": current_parent_code(code)},
            )
            broken.add(code)
        if unit is not None and not administers(unit):
            error(row, "code", _("Bạn không có quyền quản trị đơn vị «%(code)s».") % {"code": code})
        elif parent_code in existing and not administers(existing[parent_code]):
            error(
                row,
                "parent_code",
                _("Bạn không có quyền quản trị đơn vị «%(code)s».") % {"code": parent_code},
            )
        elif not parent_code and unit is None and admin_paths is not None:
            error(row, "parent_code", _("Chỉ quản trị hệ thống mới được tạo đơn vị gốc."))

    # Cycles in the tree as it would be after the import (file parents over current ones),
    # and each unit's final depth, which orders the moves.
    depth: dict[str, int] = {}
    for start in in_file:
        chain: list[str] = []
        on_chain: set[str] = set()
        code, base, bad = start, 0, False
        while code:
            if code in depth:
                base = depth[code]
                break
            if code in broken or (code not in in_file and code not in existing):
                bad = True
                break
            if code in on_chain:
                cycle = chain[chain.index(code) :]
                for member in cycle:
                    if member in in_file:
                        _report_cycle(plan, in_file[member], cycle, existing, labels)
                bad = True
                break
            chain.append(code)
            on_chain.add(code)
            code = final_parent_code(code)
        if bad:
            broken.update(chain)
            continue
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset

    if plan.errors:
        return plan

    moves: list[tuple[int, str, str]] = []
    for code, row in in_file.items():
        unit = existing.get(code)
        if unit is None:
            plan.creates.append(row)
            continue
        changed = [name for name, value in row.values.items() if getattr(unit, name) != value]
        start = row.values.get("valid_from", unit.valid_from)
        end = row.values.get("valid_to", unit.valid_to)
        if start and end and end < start:
            error(row, "valid_to", _("Ngày hết hiệu lực trước ngày bắt đầu hiệu lực."))
            continue
        for name in changed:
            setattr(unit, name, row.values[name])
        if changed:
            plan.updates.append((unit, changed))
        if row.parent_code != current_parent_code(code):
            moves.append((depth[code], code, row.parent_code))
        elif not changed:
            plan.unchanged += 1
    # Top-down in the final tree: each new parent already sits where it will stay, so no
    # move ever puts a unit under its own (current) descendant.
    plan.moves = [(code, parent) for _, code, parent in sorted(moves)]
    return plan


def _report_cycle(plan: _Plan, row: _Row, cycle: list[str], existing, labels) -> None:
    unit, parent = existing.get(row.code), existing.get(row.parent_code)
    if unit is not None and parent is not None and parent.path.startswith(unit.path):
        reason = _(
            "Không thể chuyển đơn vị «%(code)s» vào dưới đơn vị cấp dưới của chính nó «%(parent)s»."
        ) % {"code": row.code, "parent": row.parent_code}
    else:
        reason = _("Mã đơn vị cấp trên tạo thành vòng lặp: %(cycle)s.") % {
            "cycle": " → ".join([*cycle, cycle[0]])
        }
    plan.errors.append(RowError(row.row, labels.get("parent_code", "parent_code"), reason))


# --- Writing --------------------------------------------------------------------------------


def _apply(plan: _Plan, user) -> None:
    from ktgs import services

    _create_units(plan.creates, user)
    if plan.updates:
        fields = sorted({name for _, changed in plan.updates for name in changed})
        bulk_update_with_history(
            [unit for unit, _ in plan.updates],
            Organization,
            fields,
            batch_size=BATCH,
            default_user=user,
        )
    for code, parent_code in plan.moves:
        services.move_organization(
            organization=Organization.objects.get(code=code),
            new_parent=Organization.objects.get(code=parent_code),
        )


def _create_units(rows: list[_Row], user) -> None:
    """Insert new units generation by generation (a parent's pk and path exist before its
    children are built), numbering each parent's new children after its last child."""
    if not rows:
        return
    new_codes = {row.code for row in rows}
    generation: dict[str, int] = {}

    def generation_of(row: _Row) -> int:
        # Iterative: a chain of new units can be as deep as the tree.
        chain = []
        current: _Row | None = row
        while current is not None and current.code not in generation:
            chain.append(current)
            parent = current.parent_code
            current = by_code[parent] if parent in new_codes else None
        base = generation[current.code] + 1 if current is not None else 0
        for offset, member in enumerate(reversed(chain)):
            generation[member.code] = base + offset
        return generation[row.code]

    by_code = {row.code: row for row in rows}
    layers: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        layers[generation_of(row)].append(row)
    new_children: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        new_children[row.parent_code] += 1

    # Existing parents that receive children: lock them (as create_organization does), so
    # a concurrent insert under the same parent waits instead of taking the same path.
    outside_codes = sorted({row.parent_code for row in layers[0] if row.parent_code})
    parents: dict[str, Organization] = {}
    for chunk in _chunks(outside_codes):
        for unit in Organization.objects.select_for_update().filter(code__in=chunk):
            parents[unit.code] = unit
    next_step: dict[str, int] = {}
    for chunk in _chunks([p.pk for p in parents.values()]):
        last_paths = (
            Organization.objects.filter(parent_id__in=chunk)
            .values("parent_id")
            .annotate(last=Max("path"))
        )
        by_pk = {p.pk: p for p in parents.values()}
        for item in last_paths:
            next_step[by_pk[item["parent_id"]].code] = (
                Organization._str2int(item["last"][-Organization.steplen :]) + 1
            )
    last_root = Organization.objects.filter(depth=1).aggregate(last=Max("path"))["last"]
    next_step[""] = Organization._str2int(last_root) + 1 if last_root else 1

    created: dict[str, Organization] = dict(parents)
    for layer in sorted(layers):
        batch = []
        for row in layers[layer]:
            parent = created.get(row.parent_code) if row.parent_code else None
            step = next_step.get(row.parent_code, 1)
            next_step[row.parent_code] = step + 1
            depth = parent.depth + 1 if parent else 1
            unit = Organization(
                code=row.code,
                parent=parent,
                depth=depth,
                path=Organization._get_path(parent.path if parent else None, depth, step),
                numchild=new_children.get(row.code, 0),
                **row.values,
            )
            if len(Organization._int2str(step)) > Organization.steplen:
                raise ValueError(f"too many children under {row.parent_code!r}")
            batch.append(unit)
        for unit in bulk_create_with_history(
            batch, Organization, batch_size=BATCH, default_user=user
        ):
            created[unit.code] = unit
    for unit in parents.values():
        unit.numchild += new_children[unit.code]
    Organization.objects.bulk_update(list(parents.values()), ["numchild"], batch_size=BATCH)


# --- Entry point ------------------------------------------------------------------------------


def read_rows(
    source: str | Path | IO[bytes], *, name: str = ""
) -> tuple[list[_Row], dict[str, str], list[RowError]]:
    """Parse the file (no database access): rows, header labels, cell errors."""
    data, name = _read_bytes(source, name)
    try:
        records = _xlsx_records(data) if _is_xlsx(data, name) else _csv_records(data)
        return _parse_records(records)
    except UnicodeDecodeError:
        return [], {}, [RowError(None, "", _("Tệp CSV phải được lưu với mã hóa UTF-8."))]
    except csv.Error as exc:
        return [], {}, [RowError(None, "", _("Tệp CSV không đọc được: %(e)s") % {"e": exc})]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        # What openpyxl raises for a damaged file or one that is not a workbook.
        if not _is_xlsx(data, name):
            raise
        return [], {}, [RowError(None, "", _("Tệp Excel không đọc được: %(e)s") % {"e": exc})]


def import_organizations(
    source: str | Path | IO[bytes], *, name: str = "", user=None, dry_run: bool = False
) -> ImportResult:
    """Validate the whole file, then create, update and move units in one transaction.

    `source` is a path or a binary file; `name` (for a file object) tells XLSX from CSV by
    its suffix. With a `user`, rows may only touch units that user administers. With
    `dry_run`, the counts say what would change and nothing is written.
    """
    rows, labels, errors = read_rows(source, name=name)
    result = ImportResult(dry_run=dry_run)
    if errors and not rows:
        result.errors = errors
        return result
    with transaction.atomic():
        plan = _plan(rows, labels, user)
        errors = sorted(errors + plan.errors, key=lambda e: (e.row or 0, e.column))
        if errors:
            result.errors = errors
            return result
        if not dry_run:
            _apply(plan, user)
    moved = {code for code, _ in plan.moves}
    updated = {unit.code for unit, _ in plan.updates}
    result.created = len(plan.creates)
    result.updated = len(updated)
    result.moved = len(moved)
    result.unchanged = plan.unchanged
    return result
