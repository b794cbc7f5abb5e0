"""Checking the rows against the tree (parents, rights, cycles) and planning what to
create, update and move."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ktgs.models import Organization, Role
from ktgs.organization_import.parsing import RowError, _Row

BATCH = 2000  # rows per INSERT/UPDATE statement and per `code IN (...)` lookup


@dataclass
class _Plan:
    creates: list[_Row] = field(default_factory=list)
    updates: list[tuple[Organization, list[str]]] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)  # (code, new parent code)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


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

    parents_in_file = {row.parent_code for row in in_file.values()}
    moves: list[tuple[int, str, str]] = []
    for code, row in in_file.items():
        unit = existing.get(code)
        if not _complete_kind(row, unit, code in parents_in_file):
            error(
                row,
                "has_cell_committee",
                _("Chỉ chi bộ trực thuộc và chi bộ cơ sở mới có thể có chi ủy."),
            )
            continue
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


def _complete_kind(row: _Row, unit: Organization | None, has_children_in_file: bool) -> bool:
    """Fill the grassroots form and the cell committee where the file leaves them blank, as
    the data migration did: an existing unit keeps what it has; a grassroots unit with
    units below it (in the file or in the tree) is a đảng bộ cơ sở, one without a chi bộ
    cơ sở; a new cell has a chi ủy when it has at least 3 committee members. Fields with
    no meaning at the final level are blanked. False when the file gives a chi ủy to a
    unit that is not a cell."""
    L, F = Organization.Level, Organization.GrassrootsForm
    values = row.values
    level = values["level"]
    if level != L.GRASSROOTS:
        values["grassroots_form"] = ""
    elif "grassroots_form" not in values:
        if unit is not None and unit.grassroots_form:
            values["grassroots_form"] = unit.grassroots_form
        else:
            below = has_children_in_file or (unit is not None and unit.numchild > 0)
            values["grassroots_form"] = F.COMMITTEE if below else F.CELL
    is_cell = level == L.CELL or values["grassroots_form"] == F.CELL
    if "has_cell_committee" in values:
        return is_cell or not values["has_cell_committee"]
    if not is_cell:
        values["has_cell_committee"] = False
    elif unit is not None and (unit.level == L.CELL or unit.grassroots_form == F.CELL):
        values["has_cell_committee"] = unit.has_cell_committee
    else:
        values["has_cell_committee"] = (values.get("committee_member_count") or 0) >= 3
    return True


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
