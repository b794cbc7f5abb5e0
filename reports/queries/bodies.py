"""One unit's figures per body (chủ thể) and its coverage per kind of unit, as the
official reports state them: "Ban Thường vụ … kiểm tra 03 tổ chức đảng"; "Đảng ủy cơ sở
đã kiểm tra, giám sát 19/33 tổ chức, đạt 57,58%"; "Ủy ban kiểm tra cơ sở … 16/33 tổ chức,
đạt 48,48%"; "17/29 chi bộ cơ sở có chi ủy"; "18/152 đảng bộ bộ phận và chi bộ dưới cơ sở".

Read from the roll-up rows of the unit for every body (one query), or from a subtree
computed on demand for a period without a snapshot. A target counts under the body whose
programme set it; an arising case under the body that recorded it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization
from plans.models import Body
from reports import engine, progress
from reports.models import ALL_BODIES, ALL_KINDS, COVERAGE_KINDS, FIGURES
from reports.queries.sources import Source, computed_figures

# The lines of the official reports, in their order.
COVERAGE_LABELS = {
    "grassroots_committees": _("Đảng bộ cơ sở"),
    "grassroots_cells": _("Chi bộ cơ sở"),
    "committee_cells": _("Chi bộ cơ sở có chi ủy"),
    "below_grassroots": _("Đảng bộ bộ phận và chi bộ dưới cơ sở"),
}
assert tuple(COVERAGE_LABELS) == COVERAGE_KINDS
BODY_ORDER = (ALL_BODIES, *Body.values)


@dataclass
class Coverage:
    """Units of one kind below the unit: how many had targets (of the body), how many
    completed them."""

    kind: str
    label: str
    planned: int
    completed: int

    @property
    def ratio(self) -> Fraction | None:
        return progress.coverage(self.completed, self.planned)


@dataclass
class BodyFigures:
    """The unit's figures for one body, or for all bodies (body ""): `own` its own targets
    and cases (not summed in the subtree), `sub` its whole subtree, `coverage` the kinds
    of unit among its descendants (the unit itself excluded)."""

    body: str
    label: str
    own: engine.Own
    sub: engine.Own
    coverage: list[Coverage] = field(default_factory=list)

    @property
    def own_completion(self) -> Fraction | None:
        return progress.completion(self.own.capped_done, self.own.quantity)

    @property
    def sub_completion(self) -> Fraction | None:
        return progress.completion(self.sub.capped_done, self.sub.quantity)


def body_label(body: str) -> str:
    return str(_("Tất cả chủ thể")) if body == ALL_BODIES else str(Body(body).label)


def figures_by_body(
    organization: Organization,
    source: Source,
    *,
    kind: str = ALL_KINDS,
    computed: engine.SubtreeFigures | None = None,
) -> list[BodyFigures]:
    """All bodies first, then each body that has something in the subtree, in Body's
    order. One query from the table or a snapshot; for a computed source, the subtree
    figures already computed (`computed`, of this kind or of every kind) or one
    computation."""
    if not source.available:
        return []
    pairs: dict[str, tuple[engine.Own, engine.Own]] = {}
    if source.computed:
        if computed is None:
            computed = computed_figures(organization, source, kind=kind)
        pairs = _from_totals(organization, computed, kind)
    else:
        for row in source.rows(body=None).filter(organization=organization, kind=kind):
            pairs[row.body] = _row_pair(row)
    return _assemble(pairs)


def figures_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[BodyFigures]:
    """figures_by_body from the unit's rows of every body already read (mappings with
    `body` and the own_* and sub_* figures), for a page that reads them inside another
    query (reports.queries.dashboards)."""
    pairs = {}
    for row in rows:
        own = engine.Own(**{name: row[f"own_{name}"] for name in _NAMES})
        sub = engine.Own(**{name: row[f"sub_{name}"] for name in _NAMES})
        pairs[row["body"]] = (own, sub)
    return _assemble(pairs)


def _assemble(pairs: dict[str, tuple[engine.Own, engine.Own]]) -> list[BodyFigures]:
    found = []
    for body in BODY_ORDER:
        if body not in pairs:
            continue
        own, sub = pairs[body]
        found.append(
            BodyFigures(
                body=body,
                label=body_label(body),
                own=own,
                sub=sub,
                coverage=[
                    Coverage(
                        kind=name,
                        label=str(label),
                        planned=getattr(sub, f"{name}_planned") - getattr(own, f"{name}_planned"),
                        completed=getattr(sub, f"{name}_completed")
                        - getattr(own, f"{name}_completed"),
                    )
                    for name, label in COVERAGE_LABELS.items()
                ],
            )
        )
    return found


_NAMES = (*FIGURES, "expected")
# The columns of a row that figures_from_rows reads.
ROW_COLUMNS = ("body", *(f"{side}_{name}" for side in ("own", "sub") for name in _NAMES))


def _row_pair(row) -> tuple[engine.Own, engine.Own]:
    own = engine.Own(**{name: getattr(row, f"own_{name}") for name in _NAMES})
    sub = engine.Own(**{name: getattr(row, f"sub_{name}") for name in _NAMES})
    return own, sub


def _from_totals(
    organization: Organization, computed: engine.SubtreeFigures, kind: str
) -> dict[str, tuple[engine.Own, engine.Own]]:
    """The unit's own figures are its subtree's less its children's subtrees."""
    pairs: dict[str, tuple[engine.Own, engine.Own]] = {}
    for (unit, row_kind, body), sub in computed.totals.items():
        if unit == organization.pk and row_kind == kind:
            pairs[body] = (engine.Own(), sub)
    for (unit, row_kind, body), child in computed.totals.items():
        if unit != organization.pk and row_kind == kind and body in pairs:
            own = pairs[body][0]
            for name in _NAMES:
                setattr(own, name, getattr(own, name) - getattr(child, name))
    for own, sub in pairs.values():
        for name in _NAMES:
            setattr(own, name, getattr(own, name) + getattr(sub, name))
    return pairs
