"""Writing a plan: new units in bulk with their treebeard paths, updates in bulk, moves
through ktgs.services."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ktgs import search, services
from ktgs.models import Organization
from ktgs.organization_import.parsing import _Row
from ktgs.organization_import.planning import BATCH, _chunks, _Plan


def _apply(plan: _Plan, user) -> None:
    _create_units(plan.creates, user)
    if plan.updates:
        units = [unit for unit, _ in plan.updates]
        fields = sorted({name for _, changed in plan.updates for name in changed})
        if set(fields) & set(Organization.SEARCH_FIELDS):
            # bulk_update calls no save(): the search column follows the names here.
            search.fill_search_text(units)
            fields.append("search_text")
        bulk_update_with_history(
            units,
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
            unit.refresh_search_text()
            batch.append(unit)
        for unit in bulk_create_with_history(
            batch, Organization, batch_size=BATCH, default_user=user
        ):
            created[unit.code] = unit
    for unit in parents.values():
        unit.numchild += new_children[unit.code]
    Organization.objects.bulk_update(list(parents.values()), ["numchild"], batch_size=BATCH)
