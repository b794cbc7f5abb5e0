"""The period report: the table a commission sends upward for its subtree and a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cases.models import Case, CaseSubject, DisciplineDecision
from ktgs.models import Organization
from plans import queries as plan_queries
from plans.models import ActivityKind, Target
from reports import progress, rollup
from reports.models import (
    ALL_BODIES,
    ALL_KINDS,
    ReportPeriod,
)
from reports.queries.sources import Source, _Row, computed_figures, period_source
from reports.rollup import COUNTED_PROGRAMME_STATUSES

DISCIPLINE_FORMS = (
    DisciplineDecision.Form.REPRIMAND,
    DisciplineDecision.Form.WARNING,
    DisciplineDecision.Form.REMOVAL_FROM_POST,
    DisciplineDecision.Form.EXPULSION,
    DisciplineDecision.Form.DISSOLUTION,
    DisciplineDecision.Form.STRUCK_OFF,
)


@dataclass
class ReportLine:
    """What was done under one activity kind (or the total, kind "") in the period: cases
    and their subjects from the cases concluded in the period, arising cases from the
    dashboard's rows. Every column counts one thing, so the total adds like with like."""

    kind: str
    label: str
    arising: int = 0
    cases: int = 0
    organizations: int = 0
    members: int = 0
    committee_members: int = 0
    # Of the arising: cases linked to a target that an amendment removed (or replaced for
    # another unit or kind), "ngoài chương trình sau điều chỉnh".
    outside_after_amendment: int = 0


@dataclass
class TargetLine:
    """The targets of one activity kind that count one thing (`counts`: cases,
    organisations, members or committee members), or, with kind "", the total of every
    kind's targets that count that thing. Targets that count different things are never
    added together: a unit's "2 cuộc" and "6 đảng viên" are two lines, not 8."""

    kind: str
    label: str
    counts: str
    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    expected: Fraction = Fraction(0)

    @property
    def completion(self) -> Fraction | None:
        return progress.completion(self.capped_done, self.quantity)

    def add(self, quantity: int, done: int, expected: Fraction) -> None:
        self.quantity += quantity
        self.capped_done += progress.capped_done(done, quantity)
        self.done += done
        self.expected += expected


@dataclass
class DisciplineLine:
    """One form of discipline: organisations and members are counted apart (never one
    "total" that adds organisations to members)."""

    form: str
    label: str
    organizations: int = 0
    members: int = 0
    committee_members: int = 0


@dataclass
class PeriodReport:
    organization: Organization
    source: Source
    lines: list[ReportLine]  # one per activity kind, then the total
    discipline: list[DisciplineLine]  # one per form, then the total
    # Units of the subtree that had not issued the year's programme by its deadline, as
    # of the report's day (the roll-up rows' figure; plans.models.ProgrammeRequirement).
    units_without_programme: int = 0
    # One per activity kind and counting unit that has targets, in the order of the kinds
    # then of reports.progress.COUNT_UNITS; then one total per counting unit.
    targets: list[TargetLine] = field(default_factory=list)
    target_totals: list[TargetLine] = field(default_factory=list)

    @property
    def period(self) -> ReportPeriod:
        """Only for a report whose source is available (the views check first)."""
        assert self.source.period is not None, "no report for a missing period"
        return self.source.period

    @property
    def total(self) -> ReportLine:
        return self.lines[-1]

    @property
    def outside_after_amendment(self) -> int:
        return self.total.outside_after_amendment if self.lines else 0


def target_lines(
    organization: Organization, *, year: int, day: date
) -> tuple[list[TargetLine], list[TargetLine]]:
    """The subtree's targets of `year` in force on `day`, added up per (activity kind,
    counting unit), and the total per counting unit; done and expected as of `day`, by the
    same rules as the roll-up (reports.progress). One query: the targets with their done
    counts (plans.queries.targets_with_done, the programme page's computation)."""
    targets = Target.objects.filter(
        plan_queries.in_force_on(day),
        plan_queries.targets_of_year(year),
        organization__path__startswith=organization.path,
        programme__status__in=COUNTED_PROGRAMME_STATUSES,
    )
    kind_order = {value: index for index, value in enumerate(ActivityKind.values)}
    labels = dict(ActivityKind.choices)
    by_line: dict[tuple[str, str], TargetLine] = {}
    totals: dict[str, TargetLine] = {}
    for row in plan_queries.targets_with_done(
        targets, day, "kind", "quantity", "due_on", "programme__starts_on"
    ):
        kind, counts, quantity, done = row["kind"], row["counts"], row["quantity"], row["done"]
        expected = progress.expected(quantity, row["programme__starts_on"], row["due_on"], day)
        line = by_line.get((kind, counts))
        if line is None:
            line = by_line[(kind, counts)] = TargetLine(
                kind=kind, label=str(labels.get(kind, kind)), counts=counts
            )
        line.add(quantity, done, expected)
        total = totals.get(counts)
        if total is None:
            total = totals[counts] = TargetLine(kind=ALL_KINDS, label=_("Tổng cộng"), counts=counts)
        total.add(quantity, done, expected)
    unit_order = {value: index for index, value in enumerate(progress.COUNT_UNITS)}
    lines = sorted(
        by_line.values(),
        key=lambda ln: (kind_order.get(ln.kind, len(kind_order)), unit_order.get(ln.counts, 9)),
    )
    return lines, sorted(totals.values(), key=lambda ln: unit_order.get(ln.counts, 9))


def period_report(
    organization: Organization, *, year: int, period_kind: str, today: date
) -> PeriodReport:
    """The table a commission sends upward for its subtree and a period, in six queries:
    the period, the roll-up rows (live or snapshot, as the dashboard reads them, or the
    subtree computed on demand: arising cases, units without their programme), the
    targets with what each has done (target_lines: two), cases and their subjects per
    kind, the arising left by amendments per kind, discipline per form."""
    source = period_source(year=year, period_kind=period_kind, today=today)
    if not source.available:
        return PeriodReport(organization, source, lines=[], discipline=[])
    rows: dict[str, Any]
    if source.computed:
        # A past period without a snapshot, or the term: computed for the subtree.
        computed = computed_figures(organization, source, kind=None)
        rows = {
            kind: _Row.of(figures)
            for (unit, kind, body), figures in computed.totals.items()
            if unit == organization.pk and body == ALL_BODIES
        }
    else:
        rows = {r.kind: r for r in source.rows().filter(organization=organization)}
    lines = [ReportLine(kind=value, label=str(label)) for value, label in ActivityKind.choices]
    total = ReportLine(kind=ALL_KINDS, label=_("Tổng cộng"))
    all_kinds = rows.get(ALL_KINDS)
    without_programme = all_kinds.sub_units_without_programme if all_kinds else 0
    for line in [*lines, total]:
        row = rows.get(line.kind)
        if row is not None:
            line.arising = row.sub_arising

    assert source.period is not None
    start, end = source.period.cumulative_start, source.day()
    targets, target_totals = target_lines(organization, year=year, day=end)
    by_kind = {line.kind: line for line in lines}
    for kind, cases, orgs, members, committee in (
        Case.objects.filter(
            organization__path__startswith=organization.path,
            status__in=Case.COUNTING,
            concluded_on__gte=start,
            concluded_on__lte=end,
        )
        .values("kind")
        .annotate(
            # The join with subjects repeats a case once per subject: count cases distinct.
            n=Count("id", distinct=True),
            orgs=Count("subjects", filter=Q(subjects__kind=CaseSubject.Kind.ORGANIZATION)),
            members=Count("subjects", filter=Q(subjects__kind=CaseSubject.Kind.MEMBER)),
            committee=Count(
                "subjects",
                filter=Q(
                    subjects__kind=CaseSubject.Kind.MEMBER, subjects__is_committee_member=True
                ),
            ),
        )
        .values_list("kind", "n", "orgs", "members", "committee")
    ):
        found = by_kind.get(kind)
        if found is None:
            continue
        found.cases, found.organizations, found.members = cases, orgs, members
        found.committee_members = committee
    # The arising cases that an amendment left without a target, as of the same day.
    for kind, n in (
        Case.objects.filter(
            rollup.orphaned_cases(end),
            organization__path__startswith=organization.path,
            status__in=Case.COUNTING,
            concluded_on__lte=end,
            year=year,
        )
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    ):
        if kind in by_kind:
            by_kind[kind].outside_after_amendment = n
    for name in (
        "cases",
        "organizations",
        "members",
        "committee_members",
        "outside_after_amendment",
    ):
        setattr(total, name, sum(getattr(line, name) for line in lines))

    # Discipline is counted where it was decided: by the committees of the subtree.
    forms = {
        str(form): DisciplineLine(form=str(form), label=str(form.label))
        for form in DISCIPLINE_FORMS
    }
    for form, orgs, members, committee in (
        DisciplineDecision.objects.filter(
            deciding_organization__path__startswith=organization.path,
            decided_on__gte=start,
            decided_on__lte=end,
        )
        .values("form")
        .annotate(
            orgs=Count("id", filter=Q(subject__kind=CaseSubject.Kind.ORGANIZATION)),
            members=Count("id", filter=Q(subject__kind=CaseSubject.Kind.MEMBER)),
            committee=Count(
                "id", filter=Q(subject__kind=CaseSubject.Kind.MEMBER, is_committee_member=True)
            ),
        )
        .values_list("form", "orgs", "members", "committee")
    ):
        if form in forms:
            forms[form].organizations, forms[form].members = orgs, members
            forms[form].committee_members = committee
    discipline = list(forms.values())
    discipline.append(
        DisciplineLine(
            form="",
            label=_("Tổng cộng"),
            organizations=sum(d.organizations for d in discipline),
            members=sum(d.members for d in discipline),
            committee_members=sum(d.committee_members for d in discipline),
        )
    )
    return PeriodReport(
        organization,
        source,
        lines=[*lines, total],
        discipline=discipline,
        units_without_programme=without_programme,
        targets=targets,
        target_totals=target_totals,
    )
