"""REST API of progress: a unit's subtree and each child's, for a year, a report period
(the term included: term-to-date figures) and an activity kind — the dashboard's own
figures (reports.queries.dashboard, read from the roll-up table or the period's snapshot,
or computed on demand), with the year-end forecast, as numbers; and each target of a
programme as of a date, as the programme page shows it.

Every line of progress (the unit and each child) carries `by_body`: all bodies (body "")
then each body (chủ thể) with figures in the subtree, each with `own` (the unit's own
targets and cases, not summed in the subtree), `sub` (the subtree) and `coverage` per kind
of unit among the descendants ("19/33 tổ chức"); the unit asked for also has, per body,
its concluded cases planned and arising with their subjects ("kiểm tra 03 tổ chức đảng,
05 cấp ủy viên"; "25 cuộc theo chương trình, phát sinh 16 cuộc") and what its own targets
count. Quantities of targets that count different things are never given one unit.

`records`: the commission's other records of the subtree in the period, in the same
shape (all bodies first, then each body with any record): letters received by kind (a
forwarding chain once), denunciations received, concluded, in hand and overdue at the
period's end, due soon and overdue today, complaints received and decided by result,
suspensions started by kind and reason, discipline in force at the period's end by form,
and the report's sentence (reports.queries.records for each rule). Counts only.

Percentages are numbers from 0 to 100 rounded half-up to 2 decimals by the one percent
function the pages use (57.58 is shown as 57,58% on the dashboard); null when there is
nothing to divide by. Counts are integers; `expected` keeps 4 decimals."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Min, Q, QuerySet
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from cases.models import Case
from ktgs import access
from ktgs.api import REPORT_YEAR_SCHEMA, InputSerializer, OpenViewMixin, path_id
from ktgs.figures import round_percent
from ktgs.models import Organization
from plans import queries as plan_queries
from plans.models import ActivityKind, Programme, Target
from reports import engine, progress, queries, wording
from reports.engine import counting
from reports.engine.periods import OFFERED_PERIODS
from reports.models import ALL_BODIES, ALL_KINDS, FIGURES, ReportPeriod
from reports.queries import compiled
from reports.queries.bodies import (
    BODY_ORDER,
    COVERAGE_LABELS,
    BodyFigures,
    body_label,
    figures_by_body,
)
from reports.queries.records import BodyRecords, records_of_source
from reports.queries.sources import Source, computed_figures

# --- selector ---------------------------------------------------------------------------


# The figures are built as the JSON they become (floats, not Decimals: the renderer's
# encoder would call its fallback for each of a province's ~2,500 percentages), in the
# output serializers' shape: the view returns them without running the serializers,
# which describe them for the schema (tests/api check that the two give the same bytes).
# DRF's serializers cost more than building the figures: ~70 ms for a province.


def _percent(ratio: Fraction | None) -> float | None:
    return None if ratio is None else float(round_percent(ratio))


@functools.lru_cache(maxsize=4096)
def _completion_percent(capped_done: int, quantity: int) -> float | None:
    """Pure, so kept: the ~800 lines of a province's answer repeat a few pairs."""
    return _percent(progress.completion(capped_done, quantity))


@functools.lru_cache(maxsize=4096)
def _coverage_percent(completed: int, planned: int) -> float | None:
    return _percent(progress.coverage(completed, planned))


def _expected(value: Fraction | Decimal) -> float:
    # float() of a Decimal and of the same Fraction are both correctly rounded: equal.
    return round(float(value), 4)


def _datetime(value: datetime | None) -> str | None:
    """As the serializers' DateTimeField writes it (in the current time zone)."""
    return serializers.DateTimeField().to_representation(value) if value else None


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def unit_figures(unit: queries.UnitProgress) -> dict:
    org = unit.organization
    return {
        "organization": org.pk,
        "code": org.code,
        "name": org.name,
        "level": org.level,
        "quantity": unit.quantity,
        "capped_done": unit.capped_done,
        "done": unit.done,
        "expected": _expected(unit.expected),
        "arising": unit.arising,
        "units_with_targets": unit.units_with_targets,
        "units_completed": unit.units_completed,
        "units_lagging": unit.units_lagging,
        "units_without_programme": unit.units_without_programme,
        "without_programme": unit.without_programme,
        "counts": unit.counts,
        "completion_percent": _percent(unit.completion),
        "expected_percent": _percent(unit.expected_ratio),
        "coverage_percent": _percent(unit.coverage),
        "forecast_percent": _percent(unit.forecast),
        "by_body": [],
    }


def progress_for(organization, *, year: int, period: str, kind: str, today, language: str):
    """The dashboard's figures as plain data (the same call the dashboard page makes),
    with every figure per body (chủ thể) of the unit and of each child (by_body)."""
    data = queries.dashboard(
        organization, year=year, kind=kind, today=today, language=language, period_kind=period
    )
    source = data.source
    unit = unit_figures(data.unit) if data.unit is not None else None
    children = [unit_figures(child) for child in data.children]
    if source.available and unit is not None:
        own_bodies, child_bodies = bodies_for(
            organization,
            [child.organization for child in data.children],
            source,
            kind=kind,
            computed=data.computed,
        )
        unit["by_body"] = own_bodies
        for line, child in zip(children, data.children, strict=True):
            line["by_body"] = child_bodies.get(child.organization.pk, [])
    records = None
    if source.available:
        records = [
            records_line(body)
            for body in records_of_source(organization, source, today=today).bodies
        ]
    return {
        "organization": organization.pk,
        "year": year,
        "period": period,
        "kind": kind,
        "available": source.available,
        "live": source.live,
        "as_of": _date(source.as_of),
        "computed_at": _datetime(source.computed_at),
        "period_starts_on": _date(source.period.starts_on) if source.period else None,
        "period_ends_on": _date(source.period.ends_on) if source.period else None,
        "unit": unit,
        "children": children,
        "lagging": [
            {
                "organization": row.organization.pk,
                "code": row.organization.code,
                "name": row.organization.name,
                "capped_done": row.capped_done,
                "quantity": row.quantity,
                "gap": _expected(row.gap),
                "reason": row.reason,
            }
            for row in data.lagging
        ],
        "records": records,
    }


def records_line(body: BodyRecords) -> dict:
    """One body's (or all bodies') records as plain data, with the report's sentence."""
    d = body.denunciations
    return {
        "body": body.body,
        "label": body.label,
        "letters": [
            {
                "kind": line.kind,
                "label": line.label,
                "received": line.received,
                "anonymous": line.anonymous,
            }
            for line in body.letters
        ],
        "letters_received": body.letters_received,
        "letters_anonymous": body.letters_anonymous,
        "denunciations": {
            "received": d.received,
            "concluded": d.concluded,
            "pending": d.pending,
            "overdue": d.overdue,
            "due_soon_today": d.due_soon_today,
            "overdue_today": d.overdue_today,
        },
        "complaints": {"received": body.complaints_received, **body.complaints},
        "suspensions": [
            {
                "kind": line.kind,
                "reason": line.reason,
                "count": line.count,
                "committee_members": line.committee_members,
            }
            for line in body.suspensions
        ],
        "discipline": [
            {
                "form": line.form,
                "label": line.label,
                "organizations": line.organizations,
                "members": line.members,
                "committee_members": line.committee_members,
            }
            for line in body.discipline
        ],
        "sentence": wording.records_summary(body),
        "discipline_sentence": wording.discipline_detail(body),
    }


# --- figures per body -------------------------------------------------------------------


def _totals(figures: engine.Own, *, counts: str | None = None) -> dict:
    return {
        "quantity": figures.quantity,
        "capped_done": figures.capped_done,
        "done": figures.done,
        "expected": _expected(figures.expected),
        "arising": figures.arising,
        "units_with_targets": figures.units_with_targets,
        "units_completed": figures.units_completed,
        "units_lagging": figures.units_lagging,
        "counts": counts,
        "completion_percent": _completion_percent(figures.capped_done, figures.quantity),
        "coverage_percent": _coverage_percent(figures.units_completed, figures.units_with_targets),
    }


def _coverage_line(kind: str, label: str, planned: int, completed: int) -> dict:
    return {
        "kind": kind,
        "label": label,
        "planned": planned,
        "completed": completed,
        "coverage_percent": _coverage_percent(completed, planned),
    }


def _body_line(figures: BodyFigures, *, counts=None, work=None) -> dict:
    """A line of the unit asked for (reports.queries.bodies' figures)."""
    return {
        "body": figures.body,
        "label": figures.label,
        "own": _totals(figures.own, counts=counts),
        "sub": _totals(figures.sub),
        "coverage": [
            _coverage_line(line.kind, line.label, line.planned, line.completed)
            for line in figures.coverage
        ],
        "cases": work,
    }


class _ChildLines:
    """A child's lines per body, as reports.queries.bodies builds the unit's: coverage of
    the kinds of unit among the descendants (sub − own). Built straight from the figures,
    each label translated once per answer (not per line: a province has ~400 lines)."""

    def __init__(self) -> None:
        self.body_labels = {body: body_label(body) for body in BODY_ORDER}
        self.coverage = [
            (name, str(label), f"{name}_planned", f"{name}_completed")
            for name, label in COVERAGE_LABELS.items()
        ]

    def line(self, body: str, own: engine.Own | None, sub: engine.Own) -> dict:
        """`own` None: not known (`own` and `coverage` null)."""
        return {
            "body": body,
            "label": self.body_labels[body],
            "own": None if own is None else _totals(own),
            "sub": _totals(sub),
            "coverage": None
            if own is None
            else [
                _coverage_line(
                    name,
                    label,
                    getattr(sub, planned) - getattr(own, planned),
                    getattr(sub, completed) - getattr(own, completed),
                )
                for name, label, planned, completed in self.coverage
            ],
            "cases": None,
        }


_ROW_NAMES = (*FIGURES, "expected")
# engine.Own built from a row's columns by position (a keyword dict per row costs more
# than the rest of the line): its fields begin with the row's, in the same order.
assert tuple(field.name for field in dataclasses.fields(engine.Own))[: len(_ROW_NAMES)] == (
    _ROW_NAMES
)
_ROW_COLUMNS = (
    *(f"own_{name}" for name in _ROW_NAMES),
    *(f"sub_{name}" for name in _ROW_NAMES),
)


def bodies_for(
    organization: Organization,
    children: list[Organization],
    source: Source,
    *,
    kind: str,
    computed: engine.SubtreeFigures | None = None,
) -> tuple[list[dict], dict[int, list[dict]]]:
    """The unit's figures per body (all bodies first), with its own targets' counting unit
    and the cases concluded (own and subtree), and each child's figures per body.

    Four queries whatever the subtree (a live or snapshot source): the unit's rows of every
    body, the children's, what the unit's own targets count per body, the cases. For a
    computed source the subtree figures are those the dashboard computed (`computed`), or
    computed here once (one statement) in place of the rows;
    a child's own figures are then known only when nothing is below it (its subtree is
    itself): `own` and `coverage` are null for the others, as `without_programme` is."""
    day = source.day()
    child_lines: dict[int, list[dict]] = {}
    lines = _ChildLines()
    if source.computed:
        if computed is None:
            computed = computed_figures(organization, source, kind=kind)
        unit_bodies = figures_by_body(organization, source, kind=kind, computed=computed)
        leaves = {child.pk for child in children if not child.numchild}
        found: dict[int, dict[str, engine.Own]] = {}
        for (unit_id, row_kind, body), sub in computed.totals.items():
            if unit_id != organization.pk and row_kind == kind:
                found.setdefault(unit_id, {})[body] = sub
        for unit_id, bodies in found.items():
            known = unit_id in leaves
            child_lines[unit_id] = [
                lines.line(body, bodies[body] if known else None, bodies[body])
                for body in BODY_ORDER
                if body in bodies
            ]
    else:
        unit_bodies = figures_by_body(organization, source, kind=kind)
        pairs: dict[int, dict[str, tuple[engine.Own, engine.Own]]] = {}
        width = len(_ROW_NAMES)
        # The figures only, not model instances (~80 columns each, ~450 rows a province).
        for unit_id, body, *values in (
            source.rows(body=None)
            .filter(organization_id__in=[child.pk for child in children], kind=kind)
            .values_list("organization_id", "body", *_ROW_COLUMNS)
        ):
            own = engine.Own(*values[:width])
            sub = engine.Own(*values[width:])
            pairs.setdefault(unit_id, {})[body] = (own, sub)
        for unit_id, read in pairs.items():
            child_lines[unit_id] = [
                lines.line(body, *read[body]) for body in BODY_ORDER if body in read
            ]
    counts = own_counts(organization, source, kind=kind)
    work = concluded_cases(organization, source, kind=kind, day=day)
    unit_lines = [
        _body_line(
            figures,
            counts=counts.get(figures.body),
            work=work.get(figures.body, {"own": _no_cases(), "sub": _no_cases()}),
        )
        for figures in unit_bodies
    ]
    return unit_lines, child_lines


def own_counts(organization: Organization, source: Source, *, kind: str) -> dict[str, str]:
    """What the unit's own targets count (cases, organizations, members, committee_members)
    per body and for all bodies, where all of them count one thing: then the own figures
    of that body are of that unit ("cuộc", "tổ chức", "đảng viên"); absent, they add up
    targets of different units, each target in its own (see target_figures). One query."""
    day = source.day()
    targets = Target.objects.filter(
        plan_queries.counted_on(day, years=source.years()), organization=organization
    )
    if kind:
        targets = targets.filter(kind=kind)
    found: dict[str, tuple[str, str]] = {}
    for body, first, last in (
        targets.values("programme__body")
        .annotate(first=Min("counts"), last=Max("counts"))
        .values_list("programme__body", "first", "last")
        .order_by()
    ):
        found[body] = (first, last)
    result = {body: first for body, (first, last) in found.items() if first == last}
    firsts = {first for first, _ in found.values()} | {last for _, last in found.values()}
    if len(firsts) == 1:
        result[ALL_BODIES] = firsts.pop()
    return result


def _no_cases() -> dict:
    return {
        "planned": 0,
        "arising": 0,
        "organizations": 0,
        "members": 0,
        "committee_members": 0,
    }


def concluded_cases(
    organization: Organization, source: Source, *, kind: str, day: date
) -> dict[str, dict[str, dict]]:
    """The cases concluded by `day` (of the source's years, as the roll-up counts them),
    per body that recorded them and for all bodies, of the unit itself (own) and of its
    whole subtree (sub): those that fulfil a target in force (planned, "theo chương
    trình") and the arising ones ("phát sinh": no target, or one an amendment removed),
    and their subjects: organisations, members, members who sit on a committee ("kiểm
    tra 03 tổ chức đảng, 05 cấp ủy viên"). One grouped query over the subtree's cases."""
    years = sorted(source.years())
    values: dict[str, Any] = {
        "prefix": compiled.like_prefix(organization.path),
        "unit": organization.pk,
        "day": day,
        **{f"year{index}": year for index, year in enumerate(years)},
    }
    if kind:
        values["kind"] = kind
    result: dict[str, dict[str, dict]] = {}
    for body, is_own, arising_case, n, *subjects in _concluded_statement(
        len(years), bool(kind)
    ).rows(values):
        for line_body in (ALL_BODIES, body):
            lines = result.setdefault(line_body, {"own": _no_cases(), "sub": _no_cases()})
            for where in ("own", "sub") if is_own else ("sub",):
                line = lines[where]
                line["arising" if arising_case else "planned"] += n
                for name, count in zip(_SUBJECT_COUNTS, subjects, strict=True):
                    line[name] += count
    return result


_SUBJECT_COUNTS = ("organizations", "members", "committee_members")


def concluded_rows(path: str, unit: int, day: date, years: list[int], kind: str) -> QuerySet:
    """concluded_cases' grouped query (body, is_own, arising_case, n, then the subjects'
    counts): the cases of the subtree at `path`, the unit's own by its id."""
    cases = Case.objects.filter(
        organization__path__startswith=path,
        status__in=Case.COUNTING,
        concluded_on__lte=day,
        year__in=years,
    )
    if kind:
        cases = cases.filter(kind=kind)
    return (
        cases.annotate(
            is_own=ExpressionWrapper(Q(organization_id=unit), output_field=BooleanField()),
            arising_case=ExpressionWrapper(
                Q(target__isnull=True) | counting.orphaned_cases(day), output_field=BooleanField()
            ),
        )
        .values("body", "is_own", "arising_case")
        .annotate(
            n=Count("id"),
            **counting.subject_counts(
                organizations="organizations",
                members="members",
                committee_members="committee_members",
            ),
        )
        .values_list(
            "body", "is_own", "arising_case", "n", "organizations", "members", "committee_members"
        )
        .order_by()
    )


# concluded_rows compiled once per shape (reports.queries.compiled): building it through
# the ORM (the orphaned-link rule's subquery) cost 8-18 ms of every request, as much as
# running it for a grassroots unit. Stand-ins for the values: the years are small
# integers that are no year (and no constant of the statement), the unit an id no tree
# reaches.
_STAND_IN_PATH = "~concluded-subtree~"
_STAND_IN_UNIT = 1_900_000_001
_STAND_IN_DAY = date(1901, 1, 1)
_STAND_IN_KIND = "~kind~"


def _concluded_statement(years: int, kind: bool) -> compiled.Statement:
    """The statement for `years` years (a term has several) and one kind or all."""
    stand_in_years = [1901 + index for index in range(years)]
    stand_ins: dict[str, Any] = {
        "prefix": compiled.like_prefix(_STAND_IN_PATH),
        "unit": _STAND_IN_UNIT,
        "day": _STAND_IN_DAY,
        **{f"year{index}": year for index, year in enumerate(stand_in_years)},
    }
    if kind:
        stand_ins["kind"] = _STAND_IN_KIND
    return compiled.statement(
        ("progress_concluded_cases", years, kind),
        lambda: concluded_rows(
            _STAND_IN_PATH,
            _STAND_IN_UNIT,
            _STAND_IN_DAY,
            stand_in_years,
            _STAND_IN_KIND if kind else ALL_KINDS,
        ),
        stand_ins,
    )


def target_figures(programme: Programme, on: date) -> dict:
    """Every target of the programme in force on `on`, with what it has done by then, as
    the programme page shows them (plans.queries.progress_rows: two queries, whatever the
    number of targets), and its capped done, expected figure and gap behind the linear
    schedule (reports.progress)."""
    rows = plan_queries.progress_rows(plan_queries.programme_targets(programme), on)
    targets = []
    for row in rows:
        target = row.target
        quantity = target.quantity
        capped = progress.capped_done(row.done, quantity)
        expected = progress.expected(quantity, programme.starts_on, target.due_on, on)
        targets.append(
            {
                "target": target.pk,
                "organization": target.organization_id,
                "code": target.organization.code,
                "name": target.organization.name,
                "kind": target.kind,
                "counts": target.counts,
                "quantity": quantity,
                "due_on": target.due_on,
                "origin": target.origin,
                "done": row.done,
                "capped_done": capped,
                "expected": _expected(expected),
                "gap": _expected(max(Fraction(0), expected - capped)),
                "completion_percent": _percent(progress.completion(row.done, quantity)),
            }
        )
    return {"programme": programme.pk, "on": on, "targets": targets}


# --- serializers (output and query) -----------------------------------------------------


def percent_field(help_text: str = "") -> serializers.DecimalField:
    """A percentage 0–100 with 2 decimals, always a JSON number (never "57,58")."""
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        help_text=help_text or None,
    )


class BodyTotalsSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="Σ số lượng chỉ tiêu")
    capped_done = serializers.IntegerField(help_text="Σ min(đã thực hiện, chỉ tiêu)")
    done = serializers.IntegerField(help_text="Σ đã thực hiện (có thể vượt chỉ tiêu)")
    expected = serializers.FloatField(help_text="Σ dự kiến đến ngày tính")
    arising = serializers.IntegerField(help_text="Số cuộc phát sinh")
    units_with_targets = serializers.IntegerField()
    units_completed = serializers.IntegerField()
    units_lagging = serializers.IntegerField()
    counts = serializers.CharField(
        allow_null=True,
        help_text=(
            "Chỉ tiêu đếm gì (cases, organizations, members, committee_members) khi mọi chỉ "
            "tiêu riêng của đơn vị của chủ thể đếm cùng một thứ; null: quantity, done cộng "
            "chung các chỉ tiêu, mỗi chỉ tiêu theo đơn vị của nó (luôn null với sub)"
        ),
    )
    completion_percent = percent_field("capped_done / quantity, phần trăm 0–100")
    coverage_percent = percent_field("units_completed / units_with_targets, phần trăm 0–100")


class CoverageSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(name, name) for name in COVERAGE_LABELS],
        help_text="grassroots_committees: đảng bộ cơ sở; grassroots_cells: chi bộ cơ sở; "
        "committee_cells: chi bộ cơ sở có chi ủy (thuộc grassroots_cells); "
        "below_grassroots: đảng bộ bộ phận và chi bộ dưới cơ sở",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    planned = serializers.IntegerField(help_text="Số đơn vị loại này (dưới đơn vị) có chỉ tiêu")
    completed = serializers.IntegerField(help_text="Số đơn vị trong đó đã hoàn thành")
    coverage_percent = percent_field("completed / planned, phần trăm 0–100")


class CaseCountsSerializer(serializers.Serializer):
    planned = serializers.IntegerField(help_text="Số cuộc đã kết luận theo chương trình")
    arising = serializers.IntegerField(help_text="Số cuộc đã kết luận phát sinh")
    organizations = serializers.IntegerField(help_text="Đối tượng: số tổ chức đảng")
    members = serializers.IntegerField(help_text="Đối tượng: số đảng viên")
    committee_members = serializers.IntegerField(help_text="Trong đó: số cấp ủy viên")


class CaseWorkSerializer(serializers.Serializer):
    own = CaseCountsSerializer(help_text="Của chính đơn vị (không cộng đơn vị cấp dưới)")
    sub = CaseCountsSerializer(help_text="Của cả đơn vị và các đơn vị cấp dưới")


# The body of a per-body line, "" for all bodies together: one enum in the schema
# (ktgs.settings SPECTACULAR_SETTINGS ENUM_NAME_OVERRIDES).
BODY_OR_ALL_CHOICES = [(ALL_BODIES, "—"), *[(body, body) for body in BODY_ORDER if body]]


class BodyFiguresSerializer(serializers.Serializer):
    body = serializers.ChoiceField(
        choices=BODY_OR_ALL_CHOICES,
        allow_blank=True,
        help_text="Chuỗi rỗng: mọi chủ thể; committee, standing_committee, "
        "inspection_commission, cell, party_boards",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    own = BodyTotalsSerializer(
        allow_null=True,
        help_text="Chỉ tiêu và cuộc của chính đơn vị, của chủ thể (không cộng đơn vị cấp "
        "dưới); null: không biết (đơn vị trực thuộc có đơn vị cấp dưới, số liệu tính lại "
        "theo yêu cầu)",
    )
    sub = BodyTotalsSerializer(help_text="Cả đơn vị và các đơn vị cấp dưới, của chủ thể")
    coverage = CoverageSerializer(
        many=True,
        allow_null=True,
        help_text="Theo loại đơn vị, trong các đơn vị cấp dưới (không tính chính đơn vị): "
        "số có chỉ tiêu của chủ thể, số đã hoàn thành; null: như own",
    )
    cases = CaseWorkSerializer(
        allow_null=True,
        help_text="Cuộc đã kết luận đến ngày tính, với đối tượng (chỉ với đơn vị được hỏi; "
        "null với các đơn vị trực thuộc)",
    )


class UnitFiguresSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Σ số lượng chỉ tiêu")
    capped_done = serializers.IntegerField(help_text="Σ min(đã thực hiện, chỉ tiêu)")
    done = serializers.IntegerField(help_text="Σ đã thực hiện (có thể vượt chỉ tiêu)")
    expected = serializers.FloatField(help_text="Σ dự kiến đến ngày tính")
    arising = serializers.IntegerField(help_text="Số cuộc phát sinh")
    units_with_targets = serializers.IntegerField()
    units_completed = serializers.IntegerField()
    units_lagging = serializers.IntegerField()
    units_without_programme = serializers.IntegerField(
        help_text="Số đơn vị (trong cây) đã quá hạn mà chưa ban hành chương trình năm"
    )
    without_programme = serializers.BooleanField(
        allow_null=True,
        help_text="Đơn vị này đã quá hạn mà chưa ban hành chương trình năm (null: không biết, "
        "với số liệu tính lại theo yêu cầu của đơn vị có đơn vị trực thuộc)",
    )
    counts = serializers.CharField(
        allow_null=True,
        help_text=(
            "Chỉ tiêu đếm gì (cases, organizations, members, committee_members) khi mọi chỉ "
            "tiêu của dòng đếm cùng một thứ và điều đó biết được; null: quantity, done cộng "
            "chung các chỉ tiêu, mỗi chỉ tiêu theo đơn vị của nó"
        ),
    )
    completion_percent = percent_field("capped_done / quantity, phần trăm 0–100")
    expected_percent = percent_field("expected / quantity, phần trăm 0–100")
    coverage_percent = percent_field("units_completed / units_with_targets, phần trăm 0–100")
    forecast_percent = percent_field(
        "Dự báo cuối năm: tỷ lệ hoàn thành ngày 31/12 nếu giữ tốc độ từ 1/1 đến ngày tính"
    )
    by_body = BodyFiguresSerializer(
        many=True,
        help_text="Mọi số liệu cho tất cả chủ thể (body rỗng, đầu tiên) và cho từng chủ thể "
        "có số liệu trong cây (cấp ủy, ban thường vụ, UBKT, chi bộ, các ban xây dựng Đảng)",
    )


class LetterCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            (kind, kind)
            for kind in ("denunciation", "discipline_complaint", "petition", "feedback")
        ],
        help_text="denunciation: tố cáo; discipline_complaint: khiếu nại kỷ luật; petition: "
        "kiến nghị; feedback: phản ánh",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    received = serializers.IntegerField(
        help_text="Số đơn tiếp nhận trong kỳ (đơn chuyển qua nhiều đơn vị trong cây tính một lần)"
    )
    anonymous = serializers.IntegerField(help_text="Trong đó: nặc danh, mạo tên")


class DenunciationCountsSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Tiếp nhận trong kỳ")
    concluded = serializers.IntegerField(help_text="Đã kết luận trong kỳ")
    pending = serializers.IntegerField(help_text="Đang giải quyết đến cuối kỳ (chưa kết luận)")
    overdue = serializers.IntegerField(
        help_text="Quá hạn tính đến cuối kỳ: chưa kết luận khi đã hết hạn, hoặc kết luận sau hạn "
        "trong kỳ"
    )
    due_soon_today = serializers.IntegerField(help_text="Chưa kết luận, sắp hết hạn (hôm nay)")
    overdue_today = serializers.IntegerField(help_text="Chưa kết luận, đã quá hạn (hôm nay)")


class ComplaintCountsSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Khiếu nại gửi trong kỳ")
    upheld = serializers.IntegerField(help_text="Giải quyết trong kỳ: chuẩn y")
    changed = serializers.IntegerField(help_text="Giải quyết trong kỳ: thay đổi hình thức")
    annulled = serializers.IntegerField(help_text="Giải quyết trong kỳ: xóa bỏ kỷ luật")


class SuspensionCountSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="party_activity, committee_activity, organization_activity"
    )
    reason = serializers.CharField(help_text="prosecuted, detained, obstructing, other")
    count = serializers.IntegerField(help_text="Số trường hợp bắt đầu đình chỉ trong kỳ")
    committee_members = serializers.IntegerField(help_text="Trong đó cấp ủy viên")


class DisciplineCountSerializer(serializers.Serializer):
    form = serializers.CharField(help_text="Hình thức; chuỗi rỗng: tổng cộng (dòng cuối)")
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    organizations = serializers.IntegerField()
    members = serializers.IntegerField()
    committee_members = serializers.IntegerField(help_text="Trong đó: đảng viên là cấp ủy viên")


class BodyRecordsSerializer(serializers.Serializer):
    body = serializers.ChoiceField(
        choices=BODY_OR_ALL_CHOICES,
        allow_blank=True,
        help_text="Chuỗi rỗng: mọi chủ thể; hoặc chủ thể nhận đơn, giải quyết, quyết định",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    letters = LetterCountSerializer(many=True)
    letters_received = serializers.IntegerField()
    letters_anonymous = serializers.IntegerField()
    denunciations = DenunciationCountsSerializer()
    complaints = ComplaintCountsSerializer()
    suspensions = SuspensionCountSerializer(many=True)
    discipline = DisciplineCountSerializer(
        many=True,
        help_text="Quyết định kỷ luật trong kỳ còn hiệu lực đến cuối kỳ, theo hình thức; "
        "dòng cuối là tổng cộng",
    )
    sentence = serializers.CharField(help_text="Câu báo cáo (rỗng: không có gì)")
    discipline_sentence = serializers.CharField(help_text="Kỷ luật theo hình thức, thành câu")


class LaggingSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    capped_done = serializers.IntegerField()
    quantity = serializers.IntegerField()
    gap = serializers.FloatField()
    reason = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    year = serializers.IntegerField()
    period = serializers.CharField()
    kind = serializers.CharField(help_text="Chuỗi rỗng: mọi loại hoạt động")
    available = serializers.BooleanField(help_text="false: chưa khai báo kỳ báo cáo này")
    live = serializers.BooleanField(help_text="true: bảng tiến độ hiện tại")
    as_of = serializers.DateField(allow_null=True, help_text="Số liệu tính đến ngày")
    computed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Kỳ đã qua chưa chốt số liệu, hoặc nhiệm kỳ: số liệu tính lại lúc này "
        "(null: bảng tiến độ hiện tại hoặc số liệu chốt kỳ)",
    )
    period_starts_on = serializers.DateField(allow_null=True)
    period_ends_on = serializers.DateField(allow_null=True)
    unit = UnitFiguresSerializer(allow_null=True)
    children = UnitFiguresSerializer(many=True)
    lagging = LaggingSerializer(many=True)
    records = BodyRecordsSerializer(
        many=True,
        allow_null=True,
        help_text="Đơn thư, tố cáo, khiếu nại kỷ luật, đình chỉ, kỷ luật của cả cây trong kỳ: "
        "tất cả chủ thể (đầu tiên) rồi từng chủ thể; null: chưa khai báo kỳ",
    )


class TargetFiguresSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    organization = serializers.IntegerField(help_text="Đơn vị thực hiện (id)")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    counts = serializers.CharField(help_text="cases, organizations, members, committee_members")
    quantity = serializers.IntegerField()
    due_on = serializers.DateField()
    origin = serializers.CharField(help_text="original: chương trình gốc; amendment: bổ sung")
    done = serializers.IntegerField(help_text="Đã thực hiện đến ngày tính (có thể vượt)")
    capped_done = serializers.IntegerField(help_text="min(done, quantity)")
    expected = serializers.FloatField(help_text="Dự kiến đến ngày tính (4 chữ số thập phân)")
    gap = serializers.FloatField(help_text="max(0, expected − capped_done): chậm so với dự kiến")
    completion_percent = percent_field("capped_done / quantity, phần trăm 0–100")


class ProgrammeProgressSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    on = serializers.DateField()
    targets = TargetFiguresSerializer(many=True)


class ProgrammeProgressQuery(InputSerializer):
    on = serializers.DateField(required=False)


class ProgressQuery(InputSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    period = serializers.ChoiceField(
        choices=[(str(kind), str(kind.label)) for kind in OFFERED_PERIODS],
        default=ReportPeriod.Kind.YEAR,
    )
    kind = serializers.ChoiceField(
        choices=[(ALL_KINDS, "—"), *ActivityKind.choices], default=ALL_KINDS, allow_blank=True
    )


# --- view -------------------------------------------------------------------------------


class ProgressViewSet(OpenViewMixin, viewsets.ViewSet):
    lookup_value_regex = "[^/]+"  # a JSON 404 for any id that is no unit (ktgs.api)

    @extend_schema(
        summary="Tiến độ của một đơn vị và các đơn vị trực thuộc (số liệu của bảng điều khiển)",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Đơn vị (id)"),
            OpenApiParameter("year", REPORT_YEAR_SCHEMA, description="Năm (mặc định: năm nay)"),
            OpenApiParameter(
                "period",
                str,
                enum=[str(kind) for kind in OFFERED_PERIODS],
                description="Kỳ báo cáo (mặc định: year); term: từ đầu nhiệm kỳ "
                "(nhiệm kỳ chứa năm) đến nay",
            ),
            OpenApiParameter(
                "kind",
                str,
                enum=["", *ActivityKind.values],
                description="Loại hoạt động; bỏ trống: mọi loại",
            ),
        ],
        responses={200: ProgressSerializer},
    )
    def retrieve(self, request, pk=None):
        organization = access.get_organization_for_user(request.user, path_id(pk))
        query = ProgressQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        data = progress_for(
            organization,
            year=query.validated_data.get("year", today.year),
            period=query.validated_data["period"],
            kind=query.validated_data["kind"],
            today=today,
            language=translation.get_language(),
        )
        # Already the JSON ProgressSerializer describes (see _percent): not run through it.
        return Response(data)


class ProgrammeProgressViewSet(OpenViewMixin, viewsets.ViewSet):
    lookup_value_regex = "[^/]+"

    @extend_schema(
        summary="Tiến độ từng chỉ tiêu của một chương trình đến một ngày (như trang chương trình)",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Chương trình (id)"),
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description="Ngày tính, YYYY-MM-DD (mặc định: hôm nay)"
            ),
        ],
        responses={200: ProgrammeProgressSerializer},
    )
    def retrieve(self, request, pk=None):
        # The programme's unit in the caller's reach, as the programme page: else 404.
        programme = access.get_object_for_user(request.user, Programme.objects.all(), path_id(pk))
        query = ProgrammeProgressQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        return Response(ProgrammeProgressSerializer(target_figures(programme, on)).data)
