"""What counts, read from the targets and cases and computed by reports.progress in
Python: the targets in force on a day, the cases that count for them or as arising, the
units that have not issued their programme, and each unit's own figures. The SQL engine
(reports.engine.statements) writes the same rules in SQL; this module is the
specification it is tested against."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, DateField, Exists, F, Func, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from cases.models import Case, CaseSubject
from ktgs.models import Organization
from plans.models import Programme, ProgrammeRequirement, Target
from plans.queries import COUNTED_PROGRAMME_STATUSES, counted_on, orphaned_links
from reports import progress
from reports.engine.table import Key, Own, lag_tolerance_cases
from reports.models import ALL_BODIES, ALL_KINDS, coverage_kinds


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


def target_year(scope: str, programme_year: int, due_on: date) -> int:
    # An annual programme's targets belong to its year; a term programme's to the year
    # they fall due in.
    return programme_year if scope == Programme.Scope.YEAR else due_on.year


def targets_in_force(today: date, *, through: str = "") -> Q:
    """The targets that count on `today`: in an issued or closed programme, added by no
    amendment or by one in effect, and not removed by one in effect. `through`: the
    lookup that leads to the target from another model ("target__" from a case)."""

    return counted_on(today, through=through)


def orphaned_cases(today: date) -> Q:
    """Counting cases linked to a target none of whose lineage is in force on `today`:
    they fulfil no target, so they are arising (plans.queries.orphaned_links, the one
    rule the case list uses too)."""
    return orphaned_links(today)


def subject_counts(*, organizations: str, members: str, committee_members: str) -> dict:
    """The three subject counts of a grouped query of cases (for `.annotate(**...)`, under
    the names given): organisations, members and committee members among the members
    they examined, added up from the counts each case keeps (Case.SUBJECT_COUNTS)."""
    return {
        organizations: Sum("subject_organizations"),
        members: Sum("subject_members"),
        committee_members: Sum("subject_committee_members"),
    }


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
        year = target_year(scope, p_year, due_on)
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


class DateOf(Func):
    """date(year, month, day) in SQL (a rule's deadline in a year)."""

    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="MAKE_DATE", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # 1 January of the year, moved on by whole months then days (no printf: a "%"
        # in the SQL would have to be escaped for the driver's parameter style).
        year, month, day = self.get_source_expressions()
        year_sql, year_params = compiler.compile(year)
        month_sql, month_params = compiler.compile(month)
        day_sql, day_params = compiler.compile(day)
        sql = (
            f"DATE(({year_sql}) || '-01-01', '+' || (({month_sql}) - 1) || ' months', "
            f"'+' || (({day_sql}) - 1) || ' days')"
        )
        return sql, (*year_params, *month_params, *day_params)


def without_programme(day: date) -> QuerySet[Organization]:
    """The units that should have issued the annual programme of `day`'s year and have
    not, as of `day`: a unit of a level with an active plans.models.ProgrammeRequirement
    whose deadline of the year has passed (`day` is after it), that existed on the
    deadline, and that has no annual programme of the year (of the rule's body, when it
    names one) issued or closed with `issued_on` on or before `day`. One query: the rule
    the engine counts (units_without_programme) and the dashboard lists. The SQL engine
    writes the same rule in reports.engine.statements."""
    year = day.year
    issued = Programme.objects.filter(
        organization=OuterRef(OuterRef("pk")),
        scope=Programme.Scope.YEAR,
        year=year,
        status__in=COUNTED_PROGRAMME_STATUSES,
        issued_on__lte=day,
    )
    rules = (
        ProgrammeRequirement.objects.filter(is_active=True, level=OuterRef("level"))
        .annotate(due=DateOf(Value(year), F("due_month"), F("due_day")))
        .filter(
            due__lt=day,
            due__gte=OuterRef("exists_from"),
            due__lte=OuterRef("exists_to"),
        )
        .filter(
            Q(body="") & ~Exists(issued)
            | ~Q(body="") & ~Exists(issued.filter(body=OuterRef("body")))
        )
    )
    return Organization.objects.annotate(
        exists_from=Coalesce("valid_from", Value(date.min), output_field=DateField()),
        exists_to=Coalesce("valid_to", Value(date.max), output_field=DateField()),
    ).filter(Exists(rules))


def units_without_programme(
    today: date, unit_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """(unit, year) of the units `without_programme` on `today` (of `unit_ids` when
    given). Only the current year: a past year's figure is read from its period
    snapshots."""
    units = without_programme(today)
    if unit_ids is not None:
        units = units.filter(pk__in=list(unit_ids))
    return {
        (pk, today.year) for pk in units.values_list("pk", flat=True).iterator(chunk_size=20000)
    }


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
            expected=to_decimal(expected),
            lag_reasons=[reason_dict(r) for r in found.reasons] if found and reasons else [],
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


def reason_dict(reason: progress.LagReason) -> dict:
    return {
        "target_id": reason.target_id,
        "kind": reason.kind,
        "short_by": reason.short_by,
        "behind": reason.behind,
        "days_to_due": reason.days_to_due,
        "counts": reason.counts,
    }


def to_decimal(value: Fraction) -> Decimal:
    """Rounded half-up to 4 decimals, exactly (integer arithmetic on the fraction); the
    SQL path (reports.engine.statements) rounds the same way."""
    scaled = value * 10**4
    return Decimal((2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)).scaleb(
        -4
    )
