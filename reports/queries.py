"""Reads of the roll-up table for the dashboard. A fixed number of queries whatever the
size of the subtree: the table already holds every subtree's totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from cases.models import Case, CaseSubject, DisciplineDecision
from ktgs import figures
from ktgs.models import Organization
from plans.models import ActivityKind
from reports import progress
from reports.models import ALL_KINDS, DailySnapshot, PeriodSnapshot, ProgressRow, ReportPeriod

LAGGING_SHOWN = 20


@dataclass
class UnitProgress:
    organization: Organization
    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    expected: Fraction = Fraction(0)
    arising: int = 0
    units_with_targets: int = 0
    units_completed: int = 0
    units_lagging: int = 0

    @classmethod
    def subtree(
        cls, organization: Organization, row: ProgressRow | PeriodSnapshot | None
    ) -> UnitProgress:
        if row is None:
            return cls(organization)
        return cls(
            organization,
            quantity=row.sub_quantity,
            capped_done=row.sub_capped_done,
            done=row.sub_done,
            expected=Fraction(row.sub_expected),
            arising=row.sub_arising,
            units_with_targets=row.sub_units_with_targets,
            units_completed=row.sub_units_completed,
            units_lagging=row.sub_units_lagging,
        )

    @property
    def completion(self) -> Fraction | None:
        return progress.completion(self.capped_done, self.quantity)

    @property
    def expected_ratio(self) -> Fraction | None:
        if not self.quantity:
            return None
        return min(Fraction(1), self.expected / self.quantity)

    @property
    def coverage(self) -> Fraction | None:
        return progress.coverage(self.units_completed, self.units_with_targets)


@dataclass
class LaggingUnit:
    organization: Organization
    capped_done: int
    quantity: int
    gap: Fraction
    reason: str


@dataclass
class Source:
    """Where a period's figures come from: the live table while the period runs (its end
    is today or later), the period's snapshot once it has ended. `period` is None when no
    such period row exists; `available` is False when a past period has no snapshot."""

    period: ReportPeriod | None
    year: int
    as_of: date | None
    live: bool

    @property
    def available(self) -> bool:
        return self.period is not None and (self.live or self.period.snapshot_taken_at is not None)

    def day(self) -> date:
        """The day the figures are as of; only for an available source."""
        assert self.as_of is not None, "no figures for a missing period"
        return self.as_of

    def rows(self) -> QuerySet:
        """The rows of the year (every kind): ProgressRow or the period's PeriodSnapshot."""
        if self.live:
            return ProgressRow.objects.filter(year=self.year)
        return PeriodSnapshot.objects.filter(period=self.period, year=self.year)


def period_source(*, year: int, period_kind: str, today: date) -> Source:
    """One query (the period row), whatever the subtree: the dashboard's fixed cost."""
    period = ReportPeriod.objects.filter(kind=period_kind, year=year, month=0).first()
    if period is None:
        return Source(period=None, year=year, as_of=None, live=False)
    live = period.ends_on >= today
    return Source(period=period, year=year, as_of=min(period.ends_on, today), live=live)


@dataclass
class Trend:
    """A unit's daily points for the year, as percentages of its targets (floats for
    the chart; the figures themselves are rounded by ktgs.figures.round_percent)."""

    labels: list[str]
    done: list[float | None]
    expected: list[float | None]

    def as_json(self, *, done_label: str, expected_label: str) -> dict:
        return {
            "labels": self.labels,
            "done": self.done,
            "expected": self.expected,
            "doneLabel": done_label,
            "expectedLabel": expected_label,
        }


@dataclass
class Dashboard:
    source: Source
    unit: UnitProgress | None
    children: list[UnitProgress]
    lagging: list[LaggingUnit]
    years: list[int]
    trend: Trend | None  # None: the unit is deeper than the trend lines are kept for


def dashboard(
    organization: Organization,
    *,
    year: int,
    kind: str,
    today: date,
    language: str = "vi",
    period_kind: str = ReportPeriod.Kind.YEAR,
) -> Dashboard:
    """The figures of one unit's subtree and of each child's subtree as of the end of the
    period (or today), and the most lagging units below it with the reason in words."""
    source = period_source(year=year, period_kind=period_kind, today=today)
    years = sorted(
        set(
            ProgressRow.objects.filter(organization=organization, kind=ALL_KINDS).values_list(
                "year", flat=True
            )
        )
        | {year},
        reverse=True,
    )
    if not source.available:
        return Dashboard(source=source, unit=None, children=[], lagging=[], years=years, trend=None)
    rows = source.rows().filter(kind=kind)
    children = list(Organization.objects.filter(parent=organization).order_by("name"))
    # The unit's row and its children's in one read by id, which the unique (unit, year,
    # kind) index serves; "unit = x OR parent = x" made PostgreSQL scan the year's rows.
    by_unit = {
        r.organization_id: r
        for r in rows.filter(organization_id__in=[organization.pk, *(c.pk for c in children)])
    }
    own_row = by_unit.get(organization.pk)
    child_rows = by_unit
    lagging_rows = list(
        rows.filter(organization__path__startswith=organization.path, own_units_lagging=1)
        .select_related("organization")
        .annotate(gap=F("own_expected") - F("own_capped_done"))
        .order_by("-gap", "organization__name")[:LAGGING_SHOWN]
    )
    lagging = _lagging_with_reasons(lagging_rows, language=language)
    return Dashboard(
        source=source,
        unit=UnitProgress.subtree(organization, own_row),
        children=[UnitProgress.subtree(c, child_rows.get(c.pk)) for c in children],
        lagging=lagging,
        years=years,
        trend=trend(organization, year=year, until=source.day()),
    )


def trend(organization: Organization, *, year: int, until: date) -> Trend | None:
    """The unit's daily points from 1 January to `until`; None (and no query) for a unit
    deeper than KTGS_TREND_MAX_DEPTH, whose points are not kept."""
    if organization.depth > int(getattr(settings, "KTGS_TREND_MAX_DEPTH", 4)):
        return None
    points = (
        DailySnapshot.objects.filter(
            organization=organization,
            year=year,
            taken_on__gte=date(year, 1, 1),
            taken_on__lte=until,
        )
        .order_by("taken_on")
        .values_list("taken_on", "sub_quantity", "sub_capped_done", "sub_expected")
    )
    result = Trend(labels=[], done=[], expected=[])
    for taken_on, quantity, capped, expected in points:
        result.labels.append(formats.date_format(taken_on, "SHORT_DATE_FORMAT"))
        result.done.append(_chart_percent(capped, quantity))
        result.expected.append(_chart_percent(Fraction(expected), quantity))
    return result


def _chart_percent(part, whole: int) -> float | None:
    if not whole:
        return None
    return float(figures.round_percent(min(Fraction(1), Fraction(part) / whole)))


def _lagging_with_reasons(rows: list[ProgressRow], *, language: str) -> list[LaggingUnit]:
    # The reasons were stored with the row when it was computed: no further reads.
    return [
        LaggingUnit(
            organization=row.organization,
            capped_done=row.own_capped_done,
            quantity=row.own_quantity,
            gap=Fraction(row.own_expected) - row.own_capped_done,
            reason="; ".join(
                progress.LagReason(**reason).describe(language) for reason in row.own_lag_reasons
            ),
        )
        for row in rows
    ]


# --- period report --------------------------------------------------------------------

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
    """One activity kind (or the total, kind "") of the period report. quantity,
    capped_done, done and arising come from the dashboard's rows; cases and subjects from
    the cases concluded in the period."""

    kind: str
    label: str
    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    arising: int = 0
    cases: int = 0
    organizations: int = 0
    members: int = 0
    committee_members: int = 0

    @property
    def completion(self) -> Fraction | None:
        return progress.completion(self.capped_done, self.quantity)


@dataclass
class DisciplineLine:
    form: str
    label: str
    organizations: int = 0
    members: int = 0
    committee_members: int = 0

    @property
    def total(self) -> int:
        return self.organizations + self.members


@dataclass
class PeriodReport:
    organization: Organization
    source: Source
    lines: list[ReportLine]  # one per activity kind, then the total
    discipline: list[DisciplineLine]  # one per form, then the total

    @property
    def period(self) -> ReportPeriod:
        """Only for a report whose source is available (the views check first)."""
        assert self.source.period is not None, "no report for a missing period"
        return self.source.period

    @property
    def total(self) -> ReportLine:
        return self.lines[-1]


def period_report(
    organization: Organization, *, year: int, period_kind: str, today: date
) -> PeriodReport:
    """The table a commission sends upward for its subtree and a period, in four queries:
    the period, the roll-up rows (live or snapshot, as the dashboard reads them), cases
    and their subjects per kind, discipline per form."""
    source = period_source(year=year, period_kind=period_kind, today=today)
    if not source.available:
        return PeriodReport(organization, source, lines=[], discipline=[])
    rows = {r.kind: r for r in source.rows().filter(organization=organization)}
    lines = [ReportLine(kind=value, label=str(label)) for value, label in ActivityKind.choices]
    total = ReportLine(kind=ALL_KINDS, label=_("Tổng cộng"))
    for line in [*lines, total]:
        row = rows.get(line.kind)
        if row is not None:
            line.quantity, line.capped_done = row.sub_quantity, row.sub_capped_done
            line.done, line.arising = row.sub_done, row.sub_arising

    assert source.period is not None
    start, end = source.period.cumulative_start, source.day()
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
    for name in ("cases", "organizations", "members", "committee_members"):
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
    return PeriodReport(organization, source, lines=[*lines, total], discipline=discipline)


# --- reminder log -----------------------------------------------------------------------


def reminder_log(messages: QuerySet, filters: dict) -> QuerySet:
    """The outbox rows a person may see (already scoped), filtered, newest first; two
    queries a page (count and rows) whatever the filters."""
    from datetime import datetime, time

    from django.utils import timezone

    rows = messages.select_related("organization", "recipient", "rule")
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("q"):
        q = filters["q"].strip()
        rows = rows.filter(
            Q(organization__code__iexact=q) | Q(organization__name__icontains=q)
            | Q(email__icontains=q) | Q(recipient__username__iexact=q)
        )  # fmt: skip
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        rows = rows.filter(created_at__gte=datetime.combine(filters["since"], time.min, zone))
    if filters.get("until"):
        rows = rows.filter(created_at__lte=datetime.combine(filters["until"], time.max, zone))
    return rows.order_by("-created_at", "-pk")
