"""The period report: the table a commission sends upward for its subtree and a period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cases.models import Case, CaseSubject, DisciplineDecision
from ktgs.models import Organization
from plans import queries as plan_queries
from plans.models import ActivityKind, Target
from reports import engine, progress
from reports.engine import counting
from reports.models import (
    ALL_BODIES,
    ALL_KINDS,
    ReportPeriod,
)
from reports.queries import compiled
from reports.queries.bodies import BODY_ORDER, Coverage, body_label, figures_by_body
from reports.queries.records import DECIDERS, DisciplineLine, Records, records_of_source
from reports.queries.sources import Source, _Row, computed_figures, period_source


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

    @property
    def subject(self) -> str:
        """The case list's `subject` filter for what the targets count ("" : cases)."""
        return {
            "organizations": "organization",
            "members": "member",
            "committee_members": "committee_member",
        }.get(self.counts, "")

    def add(self, quantity: int, capped_done: int, done: int, expected: Fraction) -> None:
        """Add targets whose quantities, capped done (each target's done capped at its
        own quantity: progress.capped_done) and done add up to these."""
        self.quantity += quantity
        self.capped_done += capped_done
        self.done += done
        self.expected += expected


@dataclass
class BodyActivity:
    """What one body of the unit itself did under one activity kind in the period (its
    own cases, not its subtree's: "Ban thường vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy
    viên"), and the body's own targets of that kind as of the report's day, one line per
    counting unit (never added across units)."""

    kind: str
    cases: int = 0
    organizations: int = 0
    members: int = 0
    committee_members: int = 0
    targets: list[TargetLine] = field(default_factory=list)


@dataclass
class BodySection:
    """One body (or all bodies, body ""): the coverage per kind of unit among the unit's
    descendants, only the kinds that have units with targets of the body; and, for a
    body, what it did itself per activity kind."""

    body: str
    label: str
    coverage: list[Coverage] = field(default_factory=list)
    activities: list[BodyActivity] = field(default_factory=list)


@dataclass
class FindingsLine:
    """The subjects of the inspections on signs of violation concluded in the period, of
    one kind (organisations, members, or of the members the committee members), and what
    the conclusions found about them: with violation, with shortcomings (the case's
    conclusion), must be disciplined (a discipline decision is recorded on the subject),
    disciplined (one decided by the period's end)."""

    who: str  # "organizations", "members", "committee_members"
    label: str
    subjects: int = 0
    violation: int = 0
    shortcomings: int = 0
    must_discipline: int = 0
    disciplined: int = 0

    FINDINGS = ("violation", "shortcomings", "must_discipline", "disciplined")

    @property
    def subject(self) -> str:
        """The case list's `subject` filter for these subjects."""
        return {"organizations": "organization", "members": "member"}.get(
            self.who, "committee_member"
        )

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(the case list's `finding` filter, count) per finding, in the table's order."""
        return [(name, getattr(self, name)) for name in self.FINDINGS]


@dataclass
class DeciderDiscipline:
    """One form of discipline split by who decided it, as the official table does: the
    party committees (cấp ủy, ban thường vụ, chi bộ) apart from the inspection
    commissions (UBKT); organisations, members and of them committee members."""

    form: str
    label: str
    organizations: dict[str, int] = field(default_factory=dict)  # decider → count
    members: dict[str, int] = field(default_factory=dict)
    committee_members: dict[str, int] = field(default_factory=dict)
    total: DisciplineLine | None = None  # all deciders

    @property
    def cells(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Per column group (the case list's `subject` filter): (decider, count) per
        decider then ("", all deciders)."""
        found = []
        for who, subject in (
            ("organizations", "organization"),
            ("members", "member"),
            ("committee_members", "committee_member"),
        ):
            counts = getattr(self, who)
            row = [(decider, counts.get(decider, 0)) for decider in DECIDERS]
            row.append(("", getattr(self.total, who) if self.total is not None else 0))
            found.append((subject, row))
        return found


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
    # then of Target.Counts; then one total per counting unit.
    targets: list[TargetLine] = field(default_factory=list)
    target_totals: list[TargetLine] = field(default_factory=list)
    # All bodies, then each body present in the subtree (reports.queries.bodies order).
    bodies: list[BodySection] = field(default_factory=list)
    # The commission's other records of the subtree in the period (letters,
    # denunciations, complaints, suspensions, discipline), all bodies then each body.
    records: Records | None = None
    # Inspections on signs of violation: organisations, members, committee members.
    findings: list[FindingsLine] = field(default_factory=list)

    @property
    def discipline_by_decider(self) -> list[DeciderDiscipline]:
        """The discipline per form (then the total) split by deciding body group
        (reports.queries.records.DECIDERS), from the records' per-body figures."""
        if self.records is None:
            return []
        lines = [
            DeciderDiscipline(form=line.form, label=line.label, total=line)
            for line in self.discipline
        ]
        for line in lines:
            for who in ("organizations", "members", "committee_members"):
                getattr(line, who).update(dict.fromkeys(DECIDERS, 0))
        for body in self.records.by_body:
            decider = next((key for key, bodies in DECIDERS.items() if body.body in bodies), None)
            if decider is None:
                continue
            for line, counted in zip(lines, body.discipline, strict=True):
                for who in ("organizations", "members", "committee_members"):
                    getattr(line, who)[decider] += getattr(counted, who)
        return lines

    # --- the drill-down: the list filters that show the records behind each count -----
    # (cases.queries' FilterSets; dates in ISO, which every language's formats parse)
    # Each is worked out once per report: the page writes them in ~100 links.

    def _query(self, **params) -> str:
        return urlencode({"organization": self.organization.pk, **params})

    def _range(self, name: str) -> dict[str, str]:
        start, end = self.period.cumulative_start, self.source.day()
        return {f"{name}_after": start.isoformat(), f"{name}_before": end.isoformat()}

    @cached_property
    def cases_query(self) -> str:
        """The subtree's cases concluded in the period (add kind, subject, finding)."""
        return self._query(**self._range("concluded"))

    @cached_property
    def targets_query(self) -> str:
        """The cases that count toward the subtree's targets of the period on its day
        (add target_kind, target_counts, subject)."""
        years = self.source.years()
        return self._query(
            planned_on=self.source.day(),
            target_years_min=years.start,
            target_years_max=years.stop - 1,
        )

    @cached_property
    def arising_query(self) -> str:
        """The subtree's arising cases as the roll-up counts them (add kind; with
        origin=planned, those an amendment left without a target)."""
        years = self.source.years()
        return self._query(
            years_min=years.start, years_max=years.stop - 1, arising_on=self.source.day()
        )

    @cached_property
    def own_cases_query(self) -> str:
        """The unit's own cases concluded in the period (add body and kind)."""
        return self._query(unit=self.organization.pk, **self._range("concluded"))

    @cached_property
    def discipline_query(self) -> str:
        """The cases with discipline decided in the period by the subtree's bodies and in
        force at its end (add discipline form, decider, subject)."""
        return self._query(**self._range("decided"))

    @cached_property
    def letters_query(self) -> str:
        return self._query(**self._range("received"))

    @cached_property
    def denunciations_received_query(self) -> str:
        return self._query(**self._range("received"))

    @cached_property
    def denunciations_concluded_query(self) -> str:
        return self._query(**self._range("concluded"))

    @cached_property
    def denunciations_pending_query(self) -> str:
        return self._query(pending_on=self.source.day().isoformat())

    @cached_property
    def denunciations_overdue_query(self) -> str:
        return self._query(**self._range("overdue"))

    @cached_property
    def complaints_lodged_query(self) -> str:
        return self._query(**self._range("lodged"))

    @cached_property
    def complaints_decided_query(self) -> str:
        return self._query(**self._range("decided"))

    @cached_property
    def suspensions_query(self) -> str:
        return self._query(**self._range("started"))

    @property
    def period(self) -> ReportPeriod:
        """Only for a report whose source is available (the views check first)."""
        assert self.source.period is not None, "no report for a missing period"
        return self.source.period

    @property
    def total(self) -> ReportLine:
        return self.lines[-1]

    @property
    def has_coverage(self) -> bool:
        return any(section.coverage for section in self.bodies)

    @property
    def has_body_activities(self) -> bool:
        return any(section.activities for section in self.bodies)

    @property
    def outside_after_amendment(self) -> int:
        return self.total.outside_after_amendment if self.lines else 0


def target_lines(
    organization: Organization, *, years: range, day: date
) -> tuple[list[TargetLine], list[TargetLine], dict[tuple[str, str], list[TargetLine]]]:
    """The subtree's targets of `years` (one year, or every year of a term) in force on
    `day`, added up per (activity kind, counting unit), and the total per counting unit;
    done and expected as of `day`, by the same rules as the roll-up (reports.progress).
    Third: the unit's own targets per (body of their programme, activity kind), one
    line per counting unit. One query: the targets with what their lineages have done,
    added up in the database (plans.queries.done_totals, by the programme page's rule)."""
    kind_order = {value: index for index, value in enumerate(ActivityKind.values)}
    unit_order = {value: index for index, value in enumerate(Target.Counts.values)}
    labels = dict(ActivityKind.choices)
    # The targets are added up in the database per (counting unit, kind, start, due,
    # body if the unit's own): what a target expects is linear in its quantity, so each
    # group's expected is one Fraction (adding 55,000 Fractions one by one took ~1 s for
    # the nation's report at 10% scale), and the 55,000 targets never reach Python.
    statement = _targets_statement(len(years))
    values: dict[str, Any] = {
        "prefix": compiled.like_prefix(organization.path),
        "pk": organization.pk,
        "day": day,
    }
    values |= _year_values(years)
    groups = plan_queries.done_totals_of(
        statement.compiler, statement.sql, statement.params(values), on=day
    )
    by_line: dict[tuple[str, str], TargetLine] = {}
    totals: dict[str, TargetLine] = {}
    own: dict[tuple[str, str, str], TargetLine] = {}
    for counts, kind, starts_on, due_on, own_body, quantity, capped, done in groups:
        expected = progress.expected(quantity, starts_on, due_on, day)
        line = by_line.get((kind, counts))
        if line is None:
            line = by_line[(kind, counts)] = TargetLine(
                kind=kind, label=str(labels.get(kind, kind)), counts=counts
            )
        line.add(quantity, capped, done, expected)
        total = totals.get(counts)
        if total is None:
            total = totals[counts] = TargetLine(kind=ALL_KINDS, label=_("Tổng cộng"), counts=counts)
        total.add(quantity, capped, done, expected)
        if own_body is not None:
            own_key = (own_body, kind, counts)
            mine = own.get(own_key)
            if mine is None:
                mine = own[own_key] = TargetLine(
                    kind=kind, label=str(labels.get(kind, kind)), counts=counts
                )
            mine.add(quantity, capped, done, expected)
    lines = sorted(
        by_line.values(),
        key=lambda ln: (kind_order.get(ln.kind, len(kind_order)), unit_order.get(ln.counts, 9)),
    )
    own_lines: dict[tuple[str, str], list[TargetLine]] = {}
    for body, kind, counts in sorted(own, key=lambda key: unit_order.get(key[2], 9)):
        own_lines.setdefault((body, kind), []).append(own[(body, kind, counts)])
    return lines, sorted(totals.values(), key=lambda ln: unit_order.get(ln.counts, 9)), own_lines


def period_report(
    organization: Organization, *, year: int, period_kind: str, today: date
) -> PeriodReport:
    """The table a commission sends upward for its subtree and a period, in eight
    queries: the period, the roll-up rows (live or snapshot, as the dashboard reads them,
    or the subtree computed on demand: arising cases, units without their programme), the
    unit's rows of every body (none when computed: figures_by_body reads the computed
    subtree), the targets with what each has done (target_lines), cases and their
    subjects per kind and per body of the unit's own, the arising left by amendments per
    kind, and the records (reports.queries.records: letters, denunciations, complaints,
    suspensions, discipline per form, in one query), and the findings of the
    inspections on signs of violation (findings_of). A term gathers the targets and
    cases of all its years."""
    source = period_source(year=year, period_kind=period_kind, today=today)
    if not source.available:
        return PeriodReport(organization, source, lines=[], discipline=[])
    rows: dict[str, Any]
    computed = None
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
    targets, target_totals, own_targets = target_lines(organization, years=source.years(), day=end)
    by_kind = {line.kind: line for line in lines}
    own_done: dict[tuple[str, str], BodyActivity] = {}
    for kind, body, own, cases, orgs, members, committee in _run(
        _done_statement(), organization, start=start, end=end
    ):
        found = by_kind.get(kind)
        if found is None:
            continue
        found.cases += cases
        found.organizations += orgs
        found.members += members
        found.committee_members += committee
        if own:
            own_done[(body, kind)] = BodyActivity(
                kind=kind,
                cases=cases,
                organizations=orgs,
                members=members,
                committee_members=committee,
            )
    # The arising cases that an amendment left without a target, as of the same day.
    years = source.years()
    for kind, n in _run(_orphaned_statement(len(years)), organization, end=end, years=years):
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

    findings = findings_of(organization, start=start, end=end)

    # The records, discipline among them: counted where they were decided, by the bodies
    # of the subtree's units; a discipline decided in the period that is still in force
    # at its end (reports.queries.records).
    subtree_records = records_of_source(organization, source, today=today)
    discipline = subtree_records.all.discipline
    return PeriodReport(
        organization,
        source,
        lines=[*lines, total],
        discipline=discipline,
        units_without_programme=without_programme,
        targets=targets,
        target_totals=target_totals,
        bodies=_body_sections(organization, source, computed, own_done, own_targets),
        records=subtree_records,
        findings=findings,
    )


def findings_of(organization: Organization, *, start: date, end: date) -> list[FindingsLine]:
    """The subjects of the subtree's inspections on signs of violation concluded in
    [start, end] and their findings, in one query: per subject kind and committee flag,
    the subjects, those of a case that found a violation, shortcomings, those with a
    discipline decision recorded, and with one decided by `end` (a later complaint's
    result does not undo that they were disciplined)."""
    found = {
        (kind, committee): counts
        for kind, committee, *counts in _run(
            _findings_statement(), organization, start=start, end=end
        )
    }
    lines = [
        FindingsLine(who="organizations", label=_("Tổ chức đảng")),
        FindingsLine(who="members", label=_("Đảng viên")),
        FindingsLine(who="committee_members", label=_("Trong đó cấp ủy viên")),
    ]
    names = ("subjects", "violation", "shortcomings", "must_discipline", "disciplined")
    for (kind, committee), counts in found.items():
        targets = [lines[0]] if kind == CaseSubject.Kind.ORGANIZATION else [lines[1]]
        if kind == CaseSubject.Kind.MEMBER and committee:
            targets.append(lines[2])
        for line in targets:
            for name, value in zip(names, counts, strict=True):
                setattr(line, name, getattr(line, name) + value)
    return lines


# --- the report's statements, compiled once per process ----------------------------------
# Building and compiling these three grouped queries through the ORM cost ~25 ms of every
# report (a grassroots unit's report: ~35 ms of Python around ~20 ms of SQL), while their
# SQL is the same for every unit and period: only the values change. Each is compiled once
# per database vendor (and number of years) with these stand-ins for the values
# (reports.queries.compiled, which holds the rule for them), and each call runs the same
# SQL as the ORM would with the call's values put back
# (tests/reports/test_period_report_statements.py compares them).
_STAND_IN_PATH = "~period-report-subtree~"
_UNIT_STAND_IN = 987654331
_START_STAND_IN = date(1901, 1, 1)
_END_STAND_IN = date(1902, 1, 1)
_DAY_STAND_IN = date(1909, 6, 6)
_FIRST_YEAR_STAND_IN = 1901


def _done_query(path: str, pk: int, start: date, end: date) -> QuerySet:
    """The subtree's cases concluded in [start, end] per kind, body (a case counts under
    its target's programme body, as the roll-up counts it, an arising case under the body
    that recorded it) and whether the unit `pk` owns them: cases, organisations, members
    and committee members among their subjects."""
    return (
        Case.objects.filter(
            organization__path__startswith=path,
            status__in=Case.COUNTING,
            concluded_on__gte=start,
            concluded_on__lte=end,
        )
        .annotate(
            counted_body=Coalesce("target__programme__body", "body"),
            own=ExpressionWrapper(Q(organization_id=pk), BooleanField()),
        )
        .values("kind", "counted_body", "own")
        .annotate(
            n=Count("id"),
            **counting.subject_counts(
                organizations="orgs", members="members", committee_members="committee"
            ),
        )
        .values_list("kind", "counted_body", "own", "n", "orgs", "members", "committee")
        .order_by()
    )


def _orphaned_query(path: str, end: date, years: Sequence[int]) -> QuerySet:
    """The subtree's arising cases of `years` per kind that an amendment left without a
    target, as of `end`."""
    return (
        Case.objects.filter(
            counting.orphaned_cases(end),
            organization__path__startswith=path,
            status__in=Case.COUNTING,
            concluded_on__lte=end,
            year__in=list(years),
        )
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )


def _findings_query(path: str, start: date, end: date) -> QuerySet:
    """findings_of's counts per subject kind and committee flag."""
    decisions = DisciplineDecision.objects.filter(subject=OuterRef("pk"))
    return (
        CaseSubject.objects.filter(
            case__organization__path__startswith=path,
            case__kind=ActivityKind.INSPECTION_VIOLATION,
            case__status__in=Case.COUNTING,
            case__concluded_on__gte=start,
            case__concluded_on__lte=end,
        )
        .annotate(
            must=Exists(decisions),
            done=Exists(decisions.filter(decided_on__lte=end)),
        )
        .values("kind", "is_committee_member")
        .annotate(
            n=Count("id"),
            violation=Count("id", filter=Q(case__violation_found=True)),
            shortcomings=Count("id", filter=Q(case__shortcomings_found=True)),
            must_n=Count("id", filter=Q(must=True)),
            done_n=Count("id", filter=Q(done=True)),
        )
        .values_list(
            "kind", "is_committee_member", "n", "violation", "shortcomings", "must_n", "done_n"
        )
        .order_by()
    )


def _year_stand_ins(count: int) -> list[int]:
    return [_FIRST_YEAR_STAND_IN + index for index in range(count)]


def _year_values(years: Sequence[int]) -> dict[str, Any]:
    """The targets statement's values for each year: the year and its first and last day
    (a term programme's targets fall in a year by Target.due_on__year)."""
    values: dict[str, Any] = {}
    for index, year in enumerate(years):
        values |= {
            f"year{index}": year,
            f"year_start{index}": date(year, 1, 1),
            f"year_end{index}": date(year, 12, 31),
        }
    return values


def _targets_query(path: str, pk: int, day: date, years: Sequence[int]) -> QuerySet:
    """The subtree's targets of `years` in force on `day` as done_totals adds them up per
    (kind, start, due, body of their programme if the unit `pk`'s own)."""
    targets = Target.objects.filter(
        plan_queries.counted_on(day, years=years), organization__path__startswith=path
    ).annotate(own_body=CaseWhen(When(organization_id=pk, then=F("programme__body"))))
    return plan_queries.done_totals_targets(
        targets, ("kind", "programme__starts_on", "due_on", "own_body")
    )


def _targets_statement(years: int) -> compiled.Statement:
    """For a report of `years` years (one, or a term's): each year with its bounds (a
    term programme's targets fall in a year by Target.due_on__year)."""
    year_stand_ins = _year_stand_ins(years)
    stand_ins: dict[str, Any] = {
        "prefix": compiled.like_prefix(_STAND_IN_PATH),
        "pk": _UNIT_STAND_IN,
        "day": _DAY_STAND_IN,
    }
    stand_ins |= _year_values(year_stand_ins)
    return compiled.statement(
        ("period_report_targets", years),
        lambda: _targets_query(_STAND_IN_PATH, _UNIT_STAND_IN, _DAY_STAND_IN, year_stand_ins),
        stand_ins,
    )


def _done_statement() -> compiled.Statement:
    stand_ins = {"start": _START_STAND_IN, "end": _END_STAND_IN}
    return compiled.statement(
        ("period_report_done",),
        lambda: _done_query(_STAND_IN_PATH, _UNIT_STAND_IN, **stand_ins),
        {"prefix": compiled.like_prefix(_STAND_IN_PATH), "pk": _UNIT_STAND_IN, **stand_ins},
    )


def _orphaned_statement(years: int) -> compiled.Statement:
    """For a report of `years` years (one, or a term's)."""
    stand_ins: dict[str, Any] = {
        f"year{index}": year for index, year in enumerate(_year_stand_ins(years))
    }
    return compiled.statement(
        ("period_report_orphaned", years),
        lambda: _orphaned_query(_STAND_IN_PATH, _END_STAND_IN, _year_stand_ins(years)),
        {"prefix": compiled.like_prefix(_STAND_IN_PATH), "end": _END_STAND_IN, **stand_ins},
    )


def _findings_statement() -> compiled.Statement:
    stand_ins = {"start": _START_STAND_IN, "end": _END_STAND_IN}
    return compiled.statement(
        ("period_report_findings",),
        lambda: _findings_query(_STAND_IN_PATH, **stand_ins),
        {"prefix": compiled.like_prefix(_STAND_IN_PATH), **stand_ins},
    )


def _run(
    statement: compiled.Statement,
    organization: Organization,
    *,
    end: date,
    start: date | None = None,
    years: Sequence[int] = (),
) -> list:
    """The statement's rows for the organisation's subtree and these values, as the ORM
    reads them (its converters: a boolean from SQLite's integer)."""
    values: dict[str, Any] = {
        "prefix": compiled.like_prefix(organization.path),
        "pk": organization.pk,
        "start": start,
        "end": end,
        **{f"year{index}": year for index, year in enumerate(years)},
    }
    rows = statement.rows(values)
    return list(statement.compiler.results_iter(results=[rows]))


def _body_sections(
    organization: Organization,
    source: Source,
    computed: engine.SubtreeFigures | None,
    own_done: dict[tuple[str, str], BodyActivity],
    own_targets: dict[tuple[str, str], list[TargetLine]],
) -> list[BodySection]:
    """All bodies' coverage, then each body's coverage and its own activities (a kind
    it did something in, or set itself targets of), in the order of the kinds."""
    sections = [
        BodySection(
            body=found.body,
            label=found.label,
            coverage=[line for line in found.coverage if line.planned],
        )
        for found in figures_by_body(organization, source, computed=computed)
    ]
    present = {section.body for section in sections}
    for body in BODY_ORDER:
        if (
            body != ALL_BODIES
            and body not in present
            and any(key[0] == body for key in (*own_done, *own_targets))
        ):
            sections.append(BodySection(body=body, label=body_label(body)))
    sections.sort(key=lambda section: BODY_ORDER.index(section.body))
    for section in sections:
        if section.body == ALL_BODIES:
            continue
        for kind in ActivityKind.values:
            done = own_done.get((section.body, kind))
            planned = own_targets.get((section.body, kind), [])
            if done is None and not planned:
                continue
            activity = done or BodyActivity(kind=kind)
            activity.targets = planned
            section.activities.append(activity)
    return sections
