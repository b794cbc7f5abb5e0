"""import_organizations: read, plan, then write in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from ktgs.organization_import.parsing import RowError
from ktgs.organization_import.planning import _plan
from ktgs.organization_import.reading import read_rows
from ktgs.organization_import.writing import _apply


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
