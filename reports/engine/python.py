"""The Python engine: the roll-up table computed from reports.engine.counting's own
figures and rolled up the tree in Python. It runs on any database; SQLite (the embedded
default, `make run`) uses it, and on PostgreSQL it is the reference the SQL engine is
tested against (tests/reports/test_rollup_sql.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q

from ktgs.models import Organization
from reports.engine.counting import Leaf, leaf_figures, own_figures
from reports.engine.table import (
    Engine,
    Key,
    Own,
    RebuildResult,
    SubtreeFigures,
    add,
    apply_figures,
    rollup_lock,
    row_values,
    update_rows,
)
from reports.models import ALL_BODIES, ALL_KINDS, FIGURES, PeriodSnapshot, ProgressRow


def reference_table(today: date) -> dict[Key, tuple[Own, Own]]:
    """compute_table by reports.progress in Python, on any database: the specification
    the SQL path is tested against, and the path SQLite takes."""
    own = own_figures(leaf_figures(today), today)
    parent_of: dict[int, int | None] = dict(
        Organization.objects.values_list("id", "parent_id").iterator(chunk_size=20000)
    )
    depth_of: dict[int, int] = dict(
        Organization.objects.values_list("id", "depth").iterator(chunk_size=20000)
    )
    sub: dict[Key, Own] = {}
    for key, figures in own.items():
        add(sub.setdefault(key, Own()), figures)
    # Deepest level first, so a unit's subtree total is complete before it is added to its
    # parent (which sits one level up and is processed after).
    by_depth: dict[int, set[Key]] = defaultdict(set)
    for key in sub:
        by_depth[depth_of[key[0]]].add(key)
    for depth in range(max(by_depth, default=0), 1, -1):
        for key in by_depth[depth]:
            parent = parent_of[key[0]]
            if parent is None:
                continue
            parent_key = (parent, *key[1:])
            if parent_key not in sub:
                sub[parent_key] = Own()
                by_depth[depth - 1].add(parent_key)
            add(sub[parent_key], sub[key])
    return {
        key: (own.get(key, Own()), figures)
        for key, figures in sub.items()
        if not figures.is_empty()
    }


def rebuild(today: date, *, logged: int) -> tuple[RebuildResult, list]:
    wanted = reference_table(today)
    existing = {(r.organization_id, r.year, r.kind, r.body): r for r in ProgressRow.objects.all()}
    to_insert, to_update = [], []
    found: list[tuple] = []
    for key, (own, sub) in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            row = ProgressRow(organization_id=key[0], year=key[1], kind=key[2], body=key[3])
            found.append((*key, None, (own, sub)))
            apply_figures(row, own, sub, today)
            to_insert.append(row)
        elif row_values(row) != (own, sub):
            found.append((*key, row_values(row), (own, sub)))
            apply_figures(row, own, sub, today)
            to_update.append(row)
    for key, row in existing.items():
        found.append((*key, row_values(row), None))
    stale_ids = [row.pk for row in existing.values()]
    ProgressRow.objects.bulk_create(to_insert, batch_size=5000)
    update_rows(to_update)
    for start in range(0, len(stale_ids), 5000):
        ProgressRow.objects.filter(pk__in=stale_ids[start : start + 5000]).delete()
    result = RebuildResult(
        rows=len(wanted), inserted=len(to_insert), updated=len(to_update), deleted=len(stale_ids)
    )
    return result, found[:logged]


def snapshot(period, years: range) -> int:
    rows = []
    for (unit, year, kind, body), (own, sub) in reference_table(period.ends_on).items():
        if year not in years:
            continue
        row = PeriodSnapshot(period=period, organization_id=unit, year=year, kind=kind, body=body)
        apply_figures(row, own, sub, period.ends_on)
        rows.append(row)
    PeriodSnapshot.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def reference_subtree(
    unit: Organization,
    day: date,
    years: range,
    *,
    kind: str | None = None,
    lagging: int = 0,
) -> SubtreeFigures:
    """subtree_figures by reports.progress in Python (leaf_figures and own_figures on the
    subtree's units), on any database: the path SQLite takes, and the specification the
    SQL path is tested against."""
    units = {
        pk: (path, name, code)
        for pk, path, name, code in Organization.objects.filter(
            path__startswith=unit.path
        ).values_list("pk", "path", "name", "code")
    }
    leaf = leaf_figures(day, units)
    key = years.start  # the year the rows are gathered under
    gathered = Leaf()
    for (unit_id, year), targets in leaf.targets.items():
        if year in years:
            gathered.targets[(unit_id, key)].extend(targets)
    for (unit_id, year, row_kind, body), n in leaf.arising.items():
        if year in years:
            gathered.arising[(unit_id, key, row_kind, body)] += n
    gathered.coverage = leaf.coverage
    gathered.without_programme = {
        (unit_id, key) for unit_id, year in leaf.without_programme if year in years
    }
    own = own_figures(gathered, day)

    child_length = len(unit.path) + Organization.steplen
    child_of = {path: pk for pk, (path, _, _) in units.items() if len(path) == child_length}
    totals: dict[tuple[int, str, str], Own] = {}
    for (unit_id, _, row_kind, body), figures in own.items():
        if kind is not None and row_kind != kind:
            continue
        add(totals.setdefault((unit.pk, row_kind, body), Own()), figures)
        if unit_id != unit.pk:
            child = child_of[units[unit_id][0][:child_length]]
            add(totals.setdefault((child, row_kind, body), Own()), figures)
    lagging_kind = ALL_KINDS if kind is None else kind
    behind = sorted(
        (
            (unit_id, figures)
            for (unit_id, _, row_kind, body), figures in own.items()
            if row_kind == lagging_kind and body == ALL_BODIES and figures.units_lagging
        ),
        key=lambda item: (item[1].capped_done - item[1].expected, units[item[0]][1], item[0]),
    )[:lagging]
    # The parent's name as the SQL engine gives it, from the subtree read: a lagging unit
    # below the unit has its parent there (the unit's own, above it, is not read: the
    # breadcrumb names it).
    name_of = {path: name for path, name, _ in units.values()}

    def parent_of(unit_id: int) -> Organization | None:
        name = name_of.get(units[unit_id][0][: -Organization.steplen])
        return Organization(name=name) if name is not None else None

    return SubtreeFigures(
        totals={k: v for k, v in totals.items() if not v.is_empty()},
        lagging=[
            (
                Organization(
                    pk=unit_id,
                    name=units[unit_id][1],
                    code=units[unit_id][2],
                    parent=parent_of(unit_id),
                ),
                figures,
            )
            for unit_id, figures in behind
        ],
    )


def refresh(units: list[int], today: date) -> int:
    rollup_lock(shared=True)  # first: a rebuild and the refreshes exclude each other
    # One lock per touched unit, always in id order: two refreshes of the same unit wait
    # for each other (the second then reads the first one's committed figures), and two
    # refreshes of different units never deadlock on their shared ancestors' rows below.
    paths = dict(
        Organization.objects.select_for_update()
        .filter(pk__in=units)
        .order_by("pk")
        .values_list("pk", "path")
    )
    new_own = own_figures(leaf_figures(today, units), today)
    old_rows = {
        (r.organization_id, r.year, r.kind, r.body): r
        for r in ProgressRow.objects.filter(organization_id__in=units)
    }
    deltas: dict[Key, Own] = {}
    reasons: dict[Key, list] = {}
    for key in set(new_own) | set(old_rows):
        new = new_own.get(key, Own())
        old = row_values(old_rows[key])[0] if key in old_rows else Own()
        if new.values() != old.values():
            delta = Own()
            add(delta, new)
            add(delta, old, sign=-1)
            deltas[key] = delta
        if new.lag_reasons != old.lag_reasons:
            reasons[key] = new.lag_reasons
            deltas.setdefault(key, Own())
    if not deltas:
        return 0

    step = Organization.steplen
    chains: dict[int, list[str]] = {
        unit: [path[:i] for i in range(step, len(path) + 1, step)] for unit, path in paths.items()
    }
    all_paths = {p for chain in chains.values() for p in chain}
    id_of = dict(Organization.objects.filter(path__in=all_paths).values_list("path", "pk"))

    # Make sure every row the deltas touch exists, then lock them in a fixed order.
    needed = {(id_of[p], *key[1:]) for key in deltas for p in chains[key[0]]}
    ProgressRow.objects.bulk_create(
        [
            ProgressRow(organization_id=u, year=y, kind=k, body=b, computed_on=today)
            for u, y, k, b in needed
        ],
        ignore_conflicts=True,
    )
    touched_units = sorted({u for u, *_ in needed})
    rows = {
        (r.organization_id, r.year, r.kind, r.body): r
        for r in ProgressRow.objects.select_for_update()
        .filter(organization_id__in=touched_units, year__in={y for _, y, _, _ in needed})
        .order_by("organization_id", "year", "kind", "body")
    }
    changed: dict[Key, ProgressRow] = {}
    for key, delta in deltas.items():
        own_row = rows[key]
        for name in (*FIGURES, "expected"):
            setattr(own_row, f"own_{name}", getattr(own_row, f"own_{name}") + getattr(delta, name))
        if key in reasons:
            own_row.own_lag_reasons = reasons[key]
        changed[key] = own_row
        for path in chains[key[0]]:
            ancestor_key = (id_of[path], *key[1:])
            row = rows[ancestor_key]
            for name in (*FIGURES, "expected"):
                setattr(row, f"sub_{name}", getattr(row, f"sub_{name}") + getattr(delta, name))
            row.computed_on = today
            changed[ancestor_key] = row
    update_rows(list(changed.values()))
    # A row whose subtree no longer has anything is dropped, as a rebuild would not make it.
    empty = Q(**{f"sub_{name}": 0 for name in FIGURES}, sub_expected=0)
    ProgressRow.objects.filter(empty, pk__in=[r.pk for r in changed.values()]).delete()
    return len(deltas)


ENGINE = Engine("python", reference_table, rebuild, snapshot, reference_subtree, refresh)
