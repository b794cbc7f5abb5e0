"""Maintains the roll-up table (reports.models.ProgressRow).

Two ways in, one arithmetic (reports.progress):

* `refresh_units(unit_ids, today)` — incremental, after a write: recompute the *own*
  figures of the touched units, then add the difference to the *subtree* figures of each
  unit and its ancestors (≤ depth rows per year and kind). Nothing else is re-aggregated.
* `rebuild(today)` — full: every unit's own figures and every subtree's, compared with the
  table, and only the rows that differ written. Run nightly by beat (as a check: a
  difference is a bug and is logged as an error) and on demand (`manage.py
  rebuild_progress`).

On PostgreSQL both run set-based in SQL (reports.rollup_sql: a national rebuild in one
statement, a refresh in one prepared statement after locking the unit's chain). Elsewhere
(SQLite, the embedded default) they run here in Python: `leaf_figures` reads the targets
and cases, `own_figures` applies reports.progress, and `reference_table` rolls up the
tree. That Python path is the specification: the tests check that the SQL computes
exactly the same table (tests/reports/test_rollup_sql.py) and that the incremental table
equals a rebuild after random writes (tests/reports/test_rollup.py).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from cases.models import Case, CaseSubject
from ktgs.models import Organization
from plans.models import Programme, ProgrammeRequirement, Target
from reports import progress, rollup_sql
from reports.models import (
    ALL_BODIES,
    ALL_KINDS,
    FIGURES,
    PeriodSnapshot,
    ProgressRow,
    coverage_kinds,
)

logger = logging.getLogger(__name__)

COUNTED_PROGRAMME_STATUSES = (Programme.Status.ISSUED, Programme.Status.CLOSED)

Key = tuple[int, int, str, str]  # (organization id, year, kind, body)


def lag_tolerance_cases() -> Decimal:
    """How far behind the linear schedule (in cases) a unit may be before the dashboard
    calls it lagging; reminder rules (reminders.models.ReminderRule) set their own."""
    return Decimal(str(getattr(settings, "KTGS_LAG_TOLERANCE_CASES", "1")))


@dataclass
class Own:
    """A unit's own figures for one year and kind (or all kinds)."""

    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    arising: int = 0
    units_with_targets: int = 0
    units_completed: int = 0
    units_lagging: int = 0
    units_without_programme: int = 0
    grassroots_committees_planned: int = 0
    grassroots_committees_completed: int = 0
    grassroots_cells_planned: int = 0
    grassroots_cells_completed: int = 0
    committee_cells_planned: int = 0
    committee_cells_completed: int = 0
    below_grassroots_planned: int = 0
    below_grassroots_completed: int = 0
    expected: Decimal = Decimal(0)
    lag_reasons: list = field(default_factory=list)  # own figures only; never summed

    def values(self) -> tuple:
        return (*(getattr(self, name) for name in FIGURES), self.expected)

    def is_empty(self) -> bool:
        return not any(self.values())


@dataclass
class Leaf:
    """Everything the engine reads for a set of units: targets with their done counts,
    arising cases, and the kinds of unit they count as. Built by `leaf_figures`."""

    targets: dict[tuple[int, int], list[progress.TargetFigures]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (unit, year) -> targets
    arising: dict[Key, int] = field(default_factory=lambda: defaultdict(int))  # body: case's
    # unit -> the reports.models.COVERAGE_KINDS it counts in (absent: none).
    coverage: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # (unit, year) of the units that have not issued the year's programme in time.
    without_programme: set[tuple[int, int]] = field(default_factory=set)


def _target_year(scope: str, programme_year: int, due_on: date) -> int:
    # An annual programme's targets belong to its year; a term programme's to the year
    # they fall due in.
    return programme_year if scope == Programme.Scope.YEAR else due_on.year


def targets_in_force(today: date) -> Q:
    """The targets that count on `today`: in an issued or closed programme, added by no
    amendment or by one in effect, and not removed by one in effect."""
    return Q(programme__status__in=COUNTED_PROGRAMME_STATUSES) & (
        (Q(added_by__isnull=True) | Q(added_by__effective_on__lte=today))
        & (Q(removed_by__isnull=True) | Q(removed_by__effective_on__gt=today))
    )


def orphaned_cases(today: date) -> Q:
    """Counting cases linked to a target none of whose lineage is in force on `today` (it
    was removed, or replaced for another unit or kind, by an amendment in effect; or its
    own is not yet): they fulfil no target, so they are arising (DESIGN §2)."""
    live = Target.objects.filter(targets_in_force(today)).annotate(
        line=Coalesce("lineage_id", "id")
    )
    return Q(target__isnull=False) & ~Q(
        Exists(live.filter(line=Coalesce(OuterRef("target__lineage_id"), OuterRef("target_id"))))
    )


def lineage_members(lines: Iterable[int]):
    """The ids of every target of these lineages, as a subquery: cases are then found by
    their target index (an OR across the join to targets would scan every case)."""
    lines = list(lines)
    return Target.objects.filter(Q(pk__in=lines) | Q(lineage_id__in=lines)).values("pk")


def leaf_figures(today: date, unit_ids: Iterable[int] | None = None) -> Leaf:
    """The leaf aggregate: targets in force today (issued or closed programmes) with the
    count each has done, and arising cases per (unit, year, kind). Restricted to `unit_ids`
    when given.

    A target's done counts the concluded cases linked to it and to the targets of its
    lineage that are not in force (the ones it replaced): the link follows the
    replacements (plans.models.Target.lineage). Cases linked to a lineage with no target
    in force are arising."""
    units = None if unit_ids is None else sorted(set(unit_ids))
    targets = Target.objects.filter(targets_in_force(today))
    counting = Q(status__in=Case.COUNTING, concluded_on__lte=today)
    cases = Case.objects.filter(counting)
    if units is not None:
        targets = targets.filter(organization_id__in=units)

    target_rows = list(
        targets.annotate(line=Coalesce("lineage_id", "id")).values_list(
            "id",
            "organization_id",
            "kind",
            "counts",
            "quantity",
            "due_on",
            "programme__starts_on",
            "programme__year",
            "programme__scope",
            "line",
            "programme__body",
        )
    )
    # Which in-force target each lineage's cases count for (one; a target in force keeps
    # its own cases even if, against the rule create_amendment keeps, two were in force).
    holders: dict[int, list[int]] = defaultdict(list)
    for row in target_rows:
        holders[row[9]].append(row[0])

    # Done per in-force target by counting rule: cases, organisations, members, committee
    # members (the rule of the target in force, whatever the linked one's was).
    done: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if target_rows:
        lines = list(holders)
        linked = cases.filter(target__isnull=False)
        if units is not None:
            linked = linked.filter(target_id__in=lineage_members(lines))
        # Per linked target: its lineage, and what its cases count by every rule.
        line_of: dict[int, int] = {}
        per_target: dict[int, dict[str, int]] = {}
        for target_id, line, n in (
            linked.values("target_id")
            .annotate(n=Count("id"), line=Coalesce("target__lineage_id", "target_id"))
            .values_list("target_id", "line", "n")
        ):
            line_of[target_id] = line
            per_target[target_id] = {Target.Counts.CASES: n}
        subject_lines = [row[9] for row in target_rows if row[3] != Target.Counts.CASES]
        if subject_lines:
            subjects = CaseSubject.objects.filter(
                case__in=linked.filter(target_id__in=lineage_members(subject_lines))
            )
            for target_id, orgs, members, committee in (
                subjects.values("case__target_id")
                .annotate(
                    orgs=Count("id", filter=Q(kind=CaseSubject.Kind.ORGANIZATION)),
                    members=Count("id", filter=Q(kind=CaseSubject.Kind.MEMBER)),
                    committee=Count(
                        "id", filter=Q(kind=CaseSubject.Kind.MEMBER, is_committee_member=True)
                    ),
                )
                .values_list("case__target_id", "orgs", "members", "committee")
            ):
                per_target[target_id].update(
                    {
                        Target.Counts.ORGANIZATIONS: orgs,
                        Target.Counts.MEMBERS: members,
                        Target.Counts.COMMITTEE_MEMBERS: committee,
                    }
                )
        in_force_ids = {row[0] for row in target_rows}
        for target_id, counted in per_target.items():
            # A target in force counts its own cases; one not in force (replaced, removed,
            # not yet added) hands them to the target in force of its lineage, if any.
            receivers = (
                [target_id] if target_id in in_force_ids else holders.get(line_of[target_id], [])
            )
            for receiver in receivers:
                for rule, n in counted.items():
                    done[receiver][rule] += n

    leaf = Leaf()
    for tid, unit, kind, counts, quantity, due_on, starts_on, p_year, scope, _, body in target_rows:
        year = _target_year(scope, p_year, due_on)
        leaf.targets[(unit, year)].append(
            progress.TargetFigures(
                target_id=tid,
                unit_id=unit,
                kind=kind,
                quantity=quantity,
                done=done[tid][counts] if tid in done else 0,
                start=starts_on,
                due=due_on,
                counts=counts,
                body=body,
            )
        )

    arising = cases.filter(Q(target__isnull=True) | orphaned_cases(today))
    if units is not None:
        arising = arising.filter(organization_id__in=units)
    for unit, year, kind, body, n in (
        arising.values("organization_id", "year", "kind", "body")
        .annotate(n=Count("id"))
        .values_list("organization_id", "year", "kind", "body", "n")
    ):
        leaf.arising[(unit, year, kind, body)] += n
    leaf.without_programme = units_without_programme(today, units)
    leaf.coverage = unit_coverage(
        {unit for unit, _ in leaf.targets} | {unit for unit, *_ in leaf.arising}
    )
    return leaf


def unit_coverage(unit_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The coverage kinds (reports.models.coverage_kinds) of the units that have one."""
    found = {}
    ids = sorted(set(unit_ids))
    for start in range(0, len(ids), 20000):
        for pk, level, form, cell_committee in Organization.objects.filter(
            pk__in=ids[start : start + 20000]
        ).values_list("pk", "level", "grassroots_form", "has_cell_committee"):
            kinds = coverage_kinds(level, form, cell_committee)
            if kinds:
                found[pk] = kinds
    return found


def units_without_programme(
    today: date, unit_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """(unit, year) of the units that should have issued this year's programme and have
    not: a unit of a level with an active plans.models.ProgrammeRequirement whose deadline
    has passed (today is after it), that existed on the deadline, and that has no annual
    programme of the year (of the rule's body, when it names one) issued or closed with
    `issued_on` on or before today. Only the current year: a past year's figure is read
    from its period snapshots. One query per active rule whose deadline has passed."""
    year = today.year
    found: set[tuple[int, int]] = set()
    for rule in ProgrammeRequirement.objects.filter(is_active=True):
        due = rule.due_on(year)
        if today <= due:
            continue
        issued = Programme.objects.filter(
            organization=OuterRef("pk"),
            scope=Programme.Scope.YEAR,
            year=year,
            status__in=COUNTED_PROGRAMME_STATUSES,
            issued_on__lte=today,
        )
        if rule.body:
            issued = issued.filter(body=rule.body)
        units = Organization.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=due),
            Q(valid_to__isnull=True) | Q(valid_to__gte=due),
            ~Exists(issued),
            level=rule.level,
        )
        if unit_ids is not None:
            units = units.filter(pk__in=list(unit_ids))
        found.update(
            (pk, year) for pk in units.values_list("pk", flat=True).iterator(chunk_size=20000)
        )
    return found


def own_figures(leaf: Leaf, today: date) -> dict[Key, Own]:
    """Each unit's own figures per (year, kind, body), for all kinds (kind "") and for
    all bodies (body ""), computed by reports.progress from the leaf aggregate; the
    coverage figures of the unit's kinds of unit are its units_with_targets and
    units_completed of the row."""
    tolerance = lag_tolerance_cases()
    result: dict[Key, Own] = {}

    def one(targets: list[progress.TargetFigures], arising: int, *, reasons: bool) -> Own:
        rollup, found = progress.unit_rollup(
            targets, arising, today=today, tolerance_cases=tolerance
        )
        # Expected is linear in the quantity: sum the quantities of targets that share a
        # period, then take one exact expected figure per period.
        by_period: dict[tuple[date, date], int] = defaultdict(int)
        for t in targets:
            by_period[(t.start, t.due)] += t.quantity
        expected = sum(
            (progress.expected(q, start, due, today) for (start, due), q in by_period.items()),
            Fraction(0),
        )
        return Own(
            quantity=rollup.quantity_total,
            capped_done=rollup.capped_done_total,
            done=rollup.done_total,
            arising=rollup.arising,
            units_with_targets=rollup.units_with_targets,
            units_completed=rollup.units_completed,
            units_lagging=rollup.units_lagging,
            expected=_decimal(expected),
            lag_reasons=[_reason_dict(r) for r in found.reasons] if found and reasons else [],
        )

    # Every (kind, body) a unit has something of in a year; each row of the unit is one
    # of those, or all kinds, or all bodies, or both (the grouping sets of the SQL path).
    pairs: dict[tuple[int, int], set[tuple[str, str]]] = defaultdict(set)
    for (unit, year), targets in leaf.targets.items():
        pairs[(unit, year)].update((t.kind, t.body) for t in targets)
    for unit, year, kind, body in leaf.arising:
        pairs[(unit, year)].add((kind, body))

    for (unit, year), found in pairs.items():
        targets = leaf.targets.get((unit, year), [])
        arising = {(k, b): leaf.arising.get((unit, year, k, b), 0) for k, b in found}
        keys = {
            (k, b) for kind, body in found for k in (kind, ALL_KINDS) for b in (body, ALL_BODIES)
        }
        coverage = leaf.coverage.get(unit, ())
        for kind, body in keys:

            def chosen(k: str, b: str, kind=kind, body=body) -> bool:
                return kind in (ALL_KINDS, k) and body in (ALL_BODIES, b)

            figures = one(
                [t for t in targets if chosen(t.kind, t.body)],
                sum(n for (k, b), n in arising.items() if chosen(k, b)),
                # The reasons in words only on the all-bodies rows (nothing reads them on
                # a body's row).
                reasons=body == ALL_BODIES,
            )
            for name in coverage:
                setattr(figures, f"{name}_planned", figures.units_with_targets)
                setattr(figures, f"{name}_completed", figures.units_completed)
            result[(unit, year, kind, body)] = figures
    # A unit without its programme has an all-kinds row even with nothing else in it.
    for unit, year in leaf.without_programme:
        result.setdefault((unit, year, ALL_KINDS, ALL_BODIES), Own()).units_without_programme = 1
    return result


def _reason_dict(reason: progress.LagReason) -> dict:
    return {
        "target_id": reason.target_id,
        "kind": reason.kind,
        "short_by": reason.short_by,
        "behind": reason.behind,
        "days_to_due": reason.days_to_due,
        "counts": reason.counts,
    }


def _decimal(value: Fraction) -> Decimal:
    """Rounded half-up to 4 decimals, exactly (integer arithmetic on the fraction); the
    SQL path (reports.rollup_sql) rounds the same way."""
    scaled = value * 10**4
    return Decimal((2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)).scaleb(
        -4
    )


# --- full rebuild ---------------------------------------------------------------------


@dataclass
class RebuildResult:
    rows: int
    inserted: int
    updated: int
    deleted: int

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


def _sql() -> bool:
    """The automatic choice (see `engine`): PostgreSQL computes the table set-based
    (reports.rollup_sql); elsewhere (SQLite, the embedded default with small data) the
    Python path here does."""
    return connection.vendor == "postgresql"


_OWN = len(FIGURES) + 1  # the own figures and expected, in read_wanted's columns


def _table_sql(today: date) -> dict[Key, tuple[Own, Own]]:
    with transaction.atomic():
        rollup_sql.compute(today, lag_tolerance_cases())
        return {
            (unit, year, kind, body): (
                # Django has psycopg hand jsonb over as text (JSONField decodes it).
                Own(*own, lag_reasons=json.loads(reasons)),  # type: ignore[misc]
                Own(*sub),  # type: ignore[misc]
            )
            for unit, year, kind, body, *rest in rollup_sql.read_wanted()
            for own, reasons, sub in [(rest[:_OWN], rest[_OWN], rest[_OWN + 1 :])]
        }


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
        _add(sub.setdefault(key, Own()), figures)
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
            _add(sub[parent_key], sub[key])
    return {
        key: (own.get(key, Own()), figures)
        for key, figures in sub.items()
        if not figures.is_empty()
    }


def _add(total: Own, other: Own, sign: int = 1) -> None:
    for name in (*FIGURES, "expected"):
        setattr(total, name, getattr(total, name) + sign * getattr(other, name))


_WRITTEN = [
    *(f"{p}_{n}" for p in ("own", "sub") for n in (*FIGURES, "expected")),
    "own_lag_reasons",
    "computed_on",
]


def _update_rows(rows: list[ProgressRow]) -> None:
    """Write the figures of existing rows: one parameterised UPDATE run for every row
    (executemany). bulk_update's CASE WHEN expression per row and column cost ~30 ms of
    query building for the dozen rows of one refresh, and most of a rebuild's writing."""
    if not rows:
        return
    table = ProgressRow._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in _WRITTEN)
    sql = f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE id = %s"
    params = [
        [
            *(getattr(row, c) for c in _WRITTEN[:-2]),
            json.dumps(row.own_lag_reasons),
            row.computed_on,
            row.pk,
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _row_values(row: ProgressRow) -> tuple[Own, Own]:
    own = Own(
        **{name: getattr(row, f"own_{name}") for name in (*FIGURES, "expected")},
        lag_reasons=row.own_lag_reasons,
    )
    sub = Own(**{name: getattr(row, f"sub_{name}") for name in (*FIGURES, "expected")})
    return own, sub


def _apply(row: ProgressRow | PeriodSnapshot, own: Own, sub: Own, today: date) -> None:
    for name in (*FIGURES, "expected"):
        setattr(row, f"own_{name}", getattr(own, name))
        setattr(row, f"sub_{name}", getattr(sub, name))
    row.own_lag_reasons = own.lag_reasons
    row.computed_on = today


def _rebuild_python(today: date, *, logged: int) -> tuple[RebuildResult, list]:
    wanted = reference_table(today)
    existing = {(r.organization_id, r.year, r.kind, r.body): r for r in ProgressRow.objects.all()}
    to_insert, to_update = [], []
    found: list[tuple] = []
    for key, (own, sub) in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            row = ProgressRow(organization_id=key[0], year=key[1], kind=key[2], body=key[3])
            found.append((*key, None, (own, sub)))
            _apply(row, own, sub, today)
            to_insert.append(row)
        elif _row_values(row) != (own, sub):
            found.append((*key, _row_values(row), (own, sub)))
            _apply(row, own, sub, today)
            to_update.append(row)
    for key, row in existing.items():
        found.append((*key, _row_values(row), None))
    stale_ids = [row.pk for row in existing.values()]
    ProgressRow.objects.bulk_create(to_insert, batch_size=5000)
    _update_rows(to_update)
    for start in range(0, len(stale_ids), 5000):
        ProgressRow.objects.filter(pk__in=stale_ids[start : start + 5000]).delete()
    result = RebuildResult(
        rows=len(wanted), inserted=len(to_insert), updated=len(to_update), deleted=len(stale_ids)
    )
    return result, found[:logged]


def _rebuild_sql(today: date, *, logged: int) -> tuple[RebuildResult, list]:
    rows, inserted, updated, deleted, found = rollup_sql.rebuild(
        today, lag_tolerance_cases(), logged=logged
    )
    return RebuildResult(rows=rows, inserted=inserted, updated=updated, deleted=deleted), found


CHECK_LOGGED = 50  # differences logged one by one by a checking rebuild


def _snapshot_sql(period, years: range) -> int:
    rollup_sql.compute(period.ends_on, lag_tolerance_cases())
    return rollup_sql.insert_snapshot(period.pk, list(years), period.ends_on)


def _snapshot_python(period, years: range) -> int:
    rows = []
    for (unit, year, kind, body), (own, sub) in reference_table(period.ends_on).items():
        if year not in years:
            continue
        row = PeriodSnapshot(period=period, organization_id=unit, year=year, kind=kind, body=body)
        _apply(row, own, sub, period.ends_on)
        rows.append(row)
    PeriodSnapshot.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- one subtree, on demand ----------------------------------------------------------


@dataclass
class SubtreeFigures:
    """One unit's subtree computed as of a day, for a past period that has no snapshot
    (or the term): what the dashboard and the period report read from a snapshot.

    `totals[(unit, kind, body)]` are the subtree figures of the unit and of each child
    that has something (as a snapshot's sub_* of those rows); `lagging` the most lagging
    units of the kind asked (all bodies), with their own figures, in the dashboard's
    order (gap, name, id)."""

    totals: dict[tuple[int, str, str], Own]
    lagging: list[tuple[Organization, Own]]


def _subtree_sql(
    unit: Organization,
    day: date,
    years: range,
    *,
    kind: str | None = None,
    lagging: int = 0,
) -> SubtreeFigures:
    rows = rollup_sql.subtree(
        unit=unit.pk,
        path=unit.path,
        depth=unit.depth,
        day=day,
        years=years,
        kind=kind,
        lagging_kind=ALL_KINDS if kind is None else kind,
        lagging=lagging,
        tolerance=lag_tolerance_cases(),
    )
    result = SubtreeFigures(totals={}, lagging=[])
    for what, unit_id, row_kind, body, *rest in rows:
        figures, (reasons, name, code) = rest[:_OWN], rest[_OWN : _OWN + 3]
        if what == "sub":
            result.totals[(unit_id, row_kind, body)] = Own(*figures)  # type: ignore[misc]
        else:
            # Django has psycopg hand jsonb over as text (JSONField decodes it).
            own = Own(*figures, lag_reasons=json.loads(reasons))  # type: ignore[misc]
            result.lagging.append((Organization(pk=unit_id, name=name, code=code), own))
    return result


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
        _add(totals.setdefault((unit.pk, row_kind, body), Own()), figures)
        if unit_id != unit.pk:
            child = child_of[units[unit_id][0][:child_length]]
            _add(totals.setdefault((child, row_kind, body), Own()), figures)
    lagging_kind = ALL_KINDS if kind is None else kind
    behind = sorted(
        (
            (unit_id, figures)
            for (unit_id, _, row_kind, body), figures in own.items()
            if row_kind == lagging_kind and body == ALL_BODIES and figures.units_lagging
        ),
        key=lambda item: (item[1].capped_done - item[1].expected, units[item[0]][1], item[0]),
    )[:lagging]
    return SubtreeFigures(
        totals={k: v for k, v in totals.items() if not v.is_empty()},
        lagging=[
            (Organization(pk=unit_id, name=units[unit_id][1], code=units[unit_id][2]), figures)
            for unit_id, figures in behind
        ],
    )


# --- incremental ----------------------------------------------------------------------


def _refresh_sql(units: list[int], today: date) -> int:
    return rollup_sql.refresh(units, rollup_sql.lock_chains(units), today, lag_tolerance_cases())


def _refresh_python(units: list[int], today: date) -> int:
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
        old = _row_values(old_rows[key])[0] if key in old_rows else Own()
        if new.values() != old.values():
            delta = Own()
            _add(delta, new)
            _add(delta, old, sign=-1)
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
    _update_rows(list(changed.values()))
    # A row whose subtree no longer has anything is dropped, as a rebuild would not make it.
    empty = Q(**{f"sub_{name}": 0 for name in FIGURES}, sub_expected=0)
    ProgressRow.objects.filter(empty, pk__in=[r.pk for r in changed.values()]).delete()
    return len(deltas)


@transaction.atomic
def move_subtree_totals(*, unit_id: int, old_ancestor_ids: Iterable[int], today: date) -> None:
    """After a unit moved under another parent: its subtree totals leave the old
    ancestors and join the new ones. The moved subtree's own rows do not change."""
    unit = Organization.objects.get(pk=unit_id)
    new_ancestor_ids = list(
        Organization.objects.filter(path__in=unit.ancestor_paths()).values_list("pk", flat=True)
    )
    for row in ProgressRow.objects.filter(organization_id=unit_id):
        _, sub = _row_values(row)
        for ancestor_id, sign in [
            *((a, -1) for a in old_ancestor_ids),
            *((a, +1) for a in new_ancestor_ids),
        ]:
            _shift((ancestor_id, row.year, row.kind, row.body), sub, sign, today)


def _shift(key: Key, figures: Own, sign: int, today: date) -> None:
    unit_id, year, kind, body = key
    found = {"organization_id": unit_id, "year": year, "kind": kind, "body": body}
    ProgressRow.objects.get_or_create(**found, defaults={"computed_on": today})
    row = ProgressRow.objects.select_for_update().get(**found)
    for name in (*FIGURES, "expected"):
        setattr(row, f"sub_{name}", getattr(row, f"sub_{name}") + sign * getattr(figures, name))
    row.computed_on = today
    if all(getattr(row, f"sub_{name}") == 0 for name in (*FIGURES, "expected")):
        row.delete()
    else:
        row.save()


def nightly(today: date) -> tuple[RebuildResult, RebuildResult]:
    """The nightly job. During the day every row was maintained as of that day, so a
    rebuild as of yesterday must find nothing to change (a check: any difference is logged
    as an error); then a rebuild as of today moves the date-dependent figures (expected,
    lagging, amendments and conclusions that take effect today)."""
    from datetime import timedelta

    checked = rebuild(today - timedelta(days=1), check=True)
    return checked, rebuild(today)


# --- the facade: one engine, chosen in one place ---------------------------------------


@dataclass(frozen=True)
class Engine:
    """One way of computing the roll-up table. Both engines give the same figures, rows,
    return values and log messages (tests/reports/test_rollup_sql.py compares them; the
    roll-up, period and concurrency tests run on both)."""

    name: str
    table: Callable[[date], dict[Key, tuple[Own, Own]]]
    # (result, up to `logged` differences as (unit, year, kind, body, the table's row or
    # None, the rebuild's row or None))
    rebuild: Callable[..., tuple[RebuildResult, list]]
    snapshot: Callable[[Any, range], int]
    subtree: Callable[..., SubtreeFigures]
    refresh: Callable[[list[int], date], int]


ENGINES = {
    "sql": Engine("sql", _table_sql, _rebuild_sql, _snapshot_sql, _subtree_sql, _refresh_sql),
    "python": Engine(
        "python",
        reference_table,
        _rebuild_python,
        _snapshot_python,
        reference_subtree,
        _refresh_python,
    ),
}


def engine() -> Engine:
    """The engine for the default database: settings.KTGS_ROLLUP_ENGINE ("sql",
    "python"), or by default the SQL engine on PostgreSQL and the Python one elsewhere.
    The Python engine runs on any database; the SQL one needs PostgreSQL."""
    name = getattr(settings, "KTGS_ROLLUP_ENGINE", "auto")
    if name == "auto":
        name = "sql" if _sql() else "python"
    if name == "sql" and connection.vendor != "postgresql":
        raise ImproperlyConfigured("KTGS_ROLLUP_ENGINE=sql needs PostgreSQL")
    return ENGINES[name]


def compute_table(today: date) -> dict[Key, tuple[Own, Own]]:
    """(own, subtree) figures for every row the table should hold, from scratch."""
    return engine().table(today)


@transaction.atomic
def rebuild(today: date, *, check: bool = False) -> RebuildResult:
    """Recompute the whole table and write only the rows that differ.

    With `check`, every difference is logged as an error: the incremental maintenance
    should have left the table exactly as a rebuild computes it (after the day's expected
    figures, which move with the date, are taken into account by refreshing)."""
    result, found = engine().rebuild(today, logged=CHECK_LOGGED if check else 0)
    for difference in found:
        logger.error("progress row differs from the rebuild: %s", difference)
    if check and result.changed > len(found):
        logger.error(
            "progress rows that differed from the rebuild: %d (the first %d logged)",
            result.changed,
            len(found),
        )
    return result


def write_snapshot(period, years: range) -> int:
    """Write the table as computed at the end of `period` into its PeriodSnapshot rows
    (for the years given); the caller has removed any earlier ones. Returns the count."""
    return engine().snapshot(period, years)


def subtree_figures(
    unit: Organization,
    day: date,
    years: range,
    *,
    kind: str | None = None,
    lagging: int = 0,
) -> SubtreeFigures:
    """The figures `compute_table(day)` would give the unit and its children (and the
    lagging list of `kind`), computed for the unit's subtree only: one statement on the
    SQL engine (reports.rollup_sql.subtree), reference_subtree on the Python one. `kind`
    None: every kind's totals (the period report). `years` of more than one year (a term)
    are gathered: each unit's targets of all those years count as one set."""
    return engine().subtree(unit, day, years, kind=kind, lagging=lagging)


@transaction.atomic(savepoint=False)  # its own transaction in the task; no savepoint else
def refresh_units(unit_ids: Iterable[int], today: date) -> int:
    """Bring the rows of `unit_ids` and of their ancestors up to date after a write.

    Returns the number of (unit, year, kind, body) own rows whose figures changed."""
    units = sorted(set(unit_ids))
    if not units:
        return 0
    return engine().refresh(units, today)
