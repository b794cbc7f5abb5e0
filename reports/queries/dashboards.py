"""Reads of the roll-up table for the dashboard. A fixed number of queries whatever the
size of the subtree: the table already holds every subtree's totals."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Exists,
    Expression,
    F,
    FilteredRelation,
    JSONField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils import dateparse, formats, timezone

from ktgs import access, figures
from ktgs.models import Organization
from plans import queries as plan_queries
from plans.models import Target
from reports import engine, progress, wording
from reports.engine import SubtreeFigures
from reports.models import (
    ALL_BODIES,
    ALL_KINDS,
    FIGURES,
    DailySnapshot,
    ProgressRow,
    ReportPeriod,
)
from reports.queries import compiled
from reports.queries.bodies import ROW_COLUMNS, BodyFigures, figures_by_body, figures_from_rows
from reports.queries.records import Records, records_of_source
from reports.queries.sources import Source, UnitProgress, _Row, computed_figures, source_of

LAGGING_SHOWN = 20
WITHOUT_PROGRAMME_SHOWN = 50


@dataclass
class LaggingUnit:
    organization: Organization
    capped_done: int
    quantity: int
    gap: Fraction
    reason: str
    # Names repeat ("Chi bộ Tổ 3" under two communes): the list says whose it is.
    parent_name: str = ""


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
    # Units of the subtree that have not issued the year's programme in time (at most
    # WITHOUT_PROGRAMME_SHOWN, highest levels first; unit.units_without_programme is the
    # count), each with its parent loaded.
    without_programme: list[Organization] = field(default_factory=list)
    # The unit's figures per body (chủ thể), all bodies first: its own and its subtree's,
    # and the coverage per kind of unit among its descendants (reports.queries.bodies).
    bodies: list[BodyFigures] = field(default_factory=list)
    # For a computed source: the subtree figures it was read from (of the kind shown), so
    # that callers needing more of them (the API's per-body lines) do not compute again.
    computed: SubtreeFigures | None = None
    # The commission's other records of the subtree in the period and the denunciations'
    # deadlines as of today (reports.queries.records): counts only, never a name.
    records: Records | None = None


@dataclass
class DashboardPage:
    """The dashboard of a unit the user reaches, with the path down to it."""

    organization: Organization
    breadcrumb: list[Organization]
    data: Dashboard


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
    frame = _frame(organization.pk, year=year, period_kind=period_kind, today=today)
    if not frame.source.available:
        return frame.empty()
    units = _units_with_figures(organization, frame.source, kind)
    return _assemble(organization, units, frame, kind=kind, language=language)


def dashboard_page(
    user,
    pk: int,
    *,
    year: int,
    kind: str,
    today: date,
    language: str = "vi",
    period_kind: str = ReportPeriod.Kind.YEAR,
) -> DashboardPage:
    """The dashboard page of unit `pk`, 404 unless the user reaches it: four queries
    whatever the unit's level and the size of its subtree, plus the user's roles (read
    once per request by ktgs.access; none for a superuser). 1. the unit's path, the
    period, the unit's years and daily points; 2. the unit, its ancestors and children
    with their rows, the unit's rows of every body (figures per body, coverage per kind
    of unit), and the units of the subtree without their year's programme
    (_units_with_figures); 3. the most lagging units of the subtree; 4. the subtree's
    records (letters, denunciations and their deadlines, complaints, suspensions,
    discipline), read only once the user is known to reach the unit. Computed on demand:
    3 is the subtree's computation (which gives the figures per body too), and 2 finds
    the units without their programme by the engine's rule as of the period's end.
    A period that is not declared has no figures: 2 reads the units alone, 3 and 4 are
    not read."""
    frame = _frame(pk, year=year, period_kind=period_kind, today=today)
    if frame.unit is None:
        raise Http404
    # The rows are read even when there are no figures to show: one query count for every
    # filter, and the read is by index (at most the unit, its ancestors and children).
    source = frame.source if frame.source.available else None
    units = _units_with_figures(frame.unit, source, kind)
    organization = next((unit for unit in units.near if unit.pk == pk), None)
    if organization is None or not access.can_read(user, organization):
        raise Http404
    # As ktgs.queries.breadcrumb: the ancestors and the unit, those the user reaches.
    breadcrumb = [
        unit
        for unit in units.near
        if unit.depth <= organization.depth and access.can_read(user, unit)
    ]
    if source is None:
        data = frame.empty()
    else:
        data = _assemble(organization, units, frame, kind=kind, language=language)
        # The root was read with the unit's ancestors (or is the unit): how many units it
        # has below it tells the records' read how large a share of the tree a province is.
        root = units.near[0] if units.near and units.near[0].depth == 1 else None
        data.records = records_of_source(
            organization,
            frame.source,
            today=today,
            second_level_units=root.numchild if root is not None else None,
        )
    return DashboardPage(organization=organization, breadcrumb=breadcrumb, data=data)


def _assemble(
    organization: Organization,
    units: _Units,
    frame: _Frame,
    *,
    kind: str,
    language: str,
) -> Dashboard:
    own = next((unit for unit in units.near if unit.pk == organization.pk), organization)
    children = [unit for unit in units.near if unit.parent_id == organization.pk]
    when = (frame.source.year, frame.source.day())
    if frame.source.computed:
        # A past period without a snapshot, or the term: the subtree computed as of the
        # period's end, in one statement (whatever the subtree's size) in place of the
        # rows and the lagging read.
        computed = computed_figures(organization, frame.source, kind=kind, lagging=LAGGING_SHOWN)

        def row_of(unit: Organization) -> UnitProgress:
            row = _Row.of(computed.totals.get((unit.pk, kind, ALL_BODIES)))
            line = UnitProgress.subtree(unit, row, counts=_counts_of(unit), year_forecast=when)
            # Known for a unit with nothing below it (its subtree is itself), from the
            # all-kinds figures; None otherwise.
            known = not unit.numchild and kind == ALL_KINDS
            line.without_programme = bool(line.units_without_programme) if known else None
            return line

        own_line = row_of(organization)
        lines = [row_of(child) for child in children]
        lagging = [
            _lagging_unit(
                unit,
                capped_done=figures.capped_done,
                quantity=figures.quantity,
                expected=figures.expected,
                reasons=figures.lag_reasons,
                language=language,
            )
            for unit, figures in computed.lagging
        ]
        # Already in the computed totals: no query.
        bodies = figures_by_body(organization, frame.source, kind=kind, computed=computed)
    else:
        computed = None
        own_line = _progress_of(organization, own, when)
        lines = [_progress_of(child, child, when) for child in children]
        lagging = _lagging(organization, frame.source, kind, language=language)
        bodies = figures_from_rows(
            json.loads(getattr(own, "body_rows", None) or "[]", parse_float=Decimal)
        )
    return Dashboard(
        source=frame.source,
        unit=own_line,
        children=lines,
        lagging=lagging,
        years=frame.years,
        trend=_trend_from(organization, frame.points),
        without_programme=units.without_programme,
        bodies=bodies,
        computed=computed,
    )


def _progress_of(
    organization: Organization, read: Organization, when: tuple[int, date]
) -> UnitProgress:
    progress_ = UnitProgress.subtree(
        organization, _row_of(read), counts=_counts_of(read), year_forecast=when
    )
    # Whatever kind is shown, the programme figures are those of the all-kinds row.
    progress_.units_without_programme = getattr(read, "all_sub_without_programme", None) or 0
    progress_.without_programme = bool(getattr(read, "all_own_without_programme", None))
    return progress_


_ROW_FIGURES = tuple(f"sub_{name}" for name in (*FIGURES, "expected"))


@dataclass
class _Units:
    """What _units_with_figures reads: the unit, its ancestors and its children (`near`),
    and the units of the unit's subtree without their year's programme (at most
    WITHOUT_PROGRAMME_SHOWN, upper levels first, then by name; with their parents), both
    by depth then name."""

    near: list[Organization]
    without_programme: list[Organization] = field(default_factory=list)


def _units_with_figures(unit: Organization | _Unit, source: Source | None, kind: str) -> _Units:
    """The unit, its ancestors (the prefixes of its path) and its children, by depth then
    name, each with its row of the source for the year and kind as `row_*` attributes
    (`row_id` None when the unit has no row); with a source, the units of the subtree
    without their year's programme too. One query: the units are those whose id is in a
    UNION ALL of the unit's (the path and parent indexes find them) and of the first units
    without their programme (_without_programme_ids, at most WITHOUT_PROGRAMME_SHOWN); the
    primary key finds each, the unique (unit, year, kind) index its row. For stored rows
    (live, snapshot) the statement is compiled once per process (_read_units)."""
    step = Organization.steplen
    paths = sorted({unit.path[:end] for end in range(step, len(unit.path) + 1, step)})
    if source is not None and not source.computed:
        found = _read_units(unit, paths, source, kind)
    else:
        found = list(_units_query(unit, paths, source, kind))
    if source is None:
        return _Units(near=found)
    flag = "lacks_programme" if source.computed else "all_own_without_programme"
    # The units read that lack their programme, in the subtree, by depth then name: every
    # unit _without_programme_ids picked was read, and any other one read (the unit
    # itself, a child, beyond the cut) is one of the subtree's units without programme in
    # the same order, so the first WITHOUT_PROGRAMME_SHOWN are the ones it picked.
    lacking = [
        found_unit
        for found_unit in found
        if found_unit.path.startswith(unit.path) and getattr(found_unit, flag, None)
    ]
    in_paths = set(paths)
    return _Units(
        near=[u for u in found if u.path in in_paths or u.parent_id == unit.pk],
        without_programme=[_with_parent(u) for u in lacking[:WITHOUT_PROGRAMME_SHOWN]],
    )


def _with_parent(unit: Organization) -> Organization:
    """The unit with its parent named from the `parent_name` read with it, no query: the
    parent as read with its id and name only (compiled.loaded; any other field is read
    if asked for)."""
    if unit.parent_id is not None:
        name = getattr(unit, "parent_name")  # noqa: B009 (an annotation, not a field)
        unit.parent = compiled.loaded(
            Organization, (("id", unit.parent_id), ("name", name)), unit._state.db or "default"
        )
    return unit


def _units_query(
    unit: Organization | _Unit, paths: list[str], source: Source | None, kind: str
) -> QuerySet:
    """_units_with_figures' query, ordered by depth, name and id."""
    near = Q(path__in=paths) | Q(parent_id=unit.pk)
    units = Organization.objects.filter(near)
    if source is not None:
        # The default ordering is cleared in the parts: SQLite refuses ORDER BY (and
        # LIMIT) in a member of a UNION, hence the limited read of ids one level down.
        listed = Organization.objects.filter(pk__in=_without_programme_ids(unit, source))
        ids = units.order_by().values("pk").union(listed.order_by().values("pk"), all=True)
        # Of the parent, only its name, for the units listed without their programme (each
        # is shown with it, _with_parent): select_related("parent") built a second model
        # instance for every unit read, ~180 for a province (~1.5 ms of its dashboard).
        units = Organization.objects.filter(pk__in=ids).annotate(parent_name=F("parent__name"))
    if source is not None and not source.computed:
        relation, condition = _row_condition(source, kind)
        units = units.annotate(row=FilteredRelation(relation, condition=condition)).annotate(
            row_id=F("row__id"), **{f"row_{name}": F(f"row__{name}") for name in _ROW_FIGURES}
        )
        # The programme figures live on the all-kinds row: joined a second time (same
        # query, same index) when another kind is shown.
        all_kinds = "row"
        if kind != ALL_KINDS:
            all_kinds = "all_row"
            units = units.annotate(
                all_row=FilteredRelation(relation, condition=_row_condition(source, ALL_KINDS)[1])
            )
        units = units.annotate(
            all_own_without_programme=F(f"{all_kinds}__own_units_without_programme"),
            all_sub_without_programme=F(f"{all_kinds}__sub_units_without_programme"),
            body_rows=_body_rows(unit.pk, source, kind),
        )
    elif source is not None:
        # No stored row says which units lack their programme: the engine's rule on the
        # period's last day, asked of every unit read (the rule's subqueries go by the
        # unit's level and the programmes' (organization, ...) index: a few lookups each).
        units = units.annotate(
            lacks_programme=Exists(engine.without_programme(source.day()).filter(pk=OuterRef("pk")))
        )
    if source is not None and source.as_of is not None:
        units = units.annotate(**_own_counts(source.year, source.as_of, kind, near))
    return units.order_by("depth", "name", "pk")


# The units' statement for stored rows is the same for every unit of a depth, year, kind
# and period: only its parameters change, and building and compiling it through the ORM
# (forty-odd annotations, three subqueries) cost ~10-20 ms of every dashboard (benchmark
# F6). As the records' union, it is compiled once per vendor and shape with stand-ins for
# the values (reports.queries.compiled). The stand-in path has the unit's depth: its
# prefixes (path__in) and its LIKE prefix are parameters.
_UNIT_STAND_IN = 987654321
_PERIOD_STAND_IN = 987654322
_YEAR_STAND_IN = 1901
_AS_OF_STAND_IN = date(1903, 3, 3)
_KIND_STAND_IN = "~units-kind~"


def _stand_in_source(source: Source) -> Source:
    """A source of the same kind (live or a snapshot) with the stand-ins for its values."""
    return Source(
        period=None if source.live else ReportPeriod(pk=_PERIOD_STAND_IN),
        year=_YEAR_STAND_IN,
        as_of=None if source.as_of is None else _AS_OF_STAND_IN,
        live=source.live,
    )


def _source_values(source: Source, kind: str) -> dict[str, Any]:
    return {
        "period": source.period.pk if source.period is not None else None,
        "year": source.year,
        "year_start": date(source.year, 1, 1),
        "year_end": date(source.year, 12, 31),
        "as_of": source.as_of,
        "kind": kind,
    }


def _source_stand_ins(source: Source, *, targets: bool = False) -> dict[str, Any]:
    """The stand-ins of _stand_in_source(source)'s values that a statement takes: the
    year, the period of a snapshot, and with `targets` (the units' own targets, asked as
    of the day) the day and the year's bounds (Target.due_on__year)."""
    found: dict[str, Any] = {"year": _YEAR_STAND_IN}
    if not source.live:
        found["period"] = _PERIOD_STAND_IN
    if targets and source.as_of is not None:
        found["year_start"] = date(_YEAR_STAND_IN, 1, 1)
        found["year_end"] = date(_YEAR_STAND_IN, 12, 31)
        found["as_of"] = _AS_OF_STAND_IN
    return found


def _stand_in_path(depth: int) -> str:
    """A path of `depth` steps whose prefixes are strings no real path is (ktgs paths are
    digits and capital letters)."""
    step = Organization.steplen
    return "".join(f"~{index:x}".ljust(step, "~") for index in range(depth))


def _units_statement(depth: int, source: Source, kind: str) -> compiled.Statement:
    path = _stand_in_path(depth)
    step = Organization.steplen
    paths = [path[:end] for end in range(step, len(path) + 1, step)]
    stand_ins: dict[str, Any] = {
        **_source_stand_ins(source, targets=True),
        "pk": _UNIT_STAND_IN,
        **{f"path{index}": value for index, value in enumerate(paths)},
    }
    # A province's units without their programme are found by its path (the last of
    # `paths`), not by a LIKE prefix (_without_programme_ids): every value of its
    # statement is compared by equality, which a generic plan serves as well as one
    # planned for the values, and it is prepared (compiled.statement).
    second_level = _second_level(path)
    if not second_level:
        stand_ins["prefix"] = compiled.like_prefix(path)
    if kind != ALL_KINDS:
        stand_ins["kind"] = _KIND_STAND_IN
    return compiled.statement(
        ("dashboard units", depth, source.live, kind == ALL_KINDS, source.as_of is None),
        lambda: _units_query(
            _Unit(pk=_UNIT_STAND_IN, path=path),
            paths,
            _stand_in_source(source),
            stand_ins.get("kind", ALL_KINDS),
        ),
        stand_ins,
        prepare=second_level,
    )


def _read_units(
    unit: Organization | _Unit, paths: list[str], source: Source, kind: str
) -> list[Organization]:
    """_units_query's units for stored rows, through the statement compiled once."""
    values = {
        **_source_values(source, kind),
        "pk": unit.pk,
        "prefix": compiled.like_prefix(unit.path),
        **{f"path{index}": value for index, value in enumerate(paths)},
    }
    return _units_statement(len(paths), source, kind).objects(values)


class _JsonArray(Aggregate):
    """A group's values as one JSON array, as text: json_agg on PostgreSQL,
    json_group_array on SQLite."""

    function = "JSON_AGG"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return f"({sql})::text", params

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


class _RowObject(Expression):
    """The ROW_COLUMNS of the row being read as one JSON object: what
    JSONObject(**{name: F(name) for name in ROW_COLUMNS}) writes (JSONB_BUILD_OBJECT on
    PostgreSQL, JSON_OBJECT on SQLite), written out here from the columns of the query's
    table. Through the ORM, resolving and compiling the 40-odd pairs took ~3 ms of every
    dashboard request (benchmark F6) for the same statement. The keys are the fixed
    names of ROW_COLUMNS, never user input."""

    output_field = JSONField()

    def as_sql(self, compiler, connection, function="JSONB_BUILD_OBJECT", **extra_context):
        query = compiler.query
        opts = query.get_meta()
        table = compiler.quote_name_unless_alias(query.base_table)
        quote = connection.ops.quote_name
        pairs = ", ".join(
            f"'{name}', {table}.{quote(opts.get_field(name).column)}" for name in ROW_COLUMNS
        )
        return f"{function}({pairs})", []

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_OBJECT", **extra_context)


def _body_rows(pk: int, source: Source, kind: str) -> Case:
    """The unit's rows of every body (all bodies included) for the year and `kind`, as one
    JSON array (reports.queries.bodies.figures_from_rows reads it): a subquery of the
    units' query rather than a query of its own, so that the page keeps its number of
    queries. Asked only on the unit's line (CASE), by the unique (unit, year, kind, body)
    index: at most six rows."""
    rows = (
        source.rows(body=None)
        .filter(organization=OuterRef("pk"), kind=kind)
        .order_by()
        .values("organization")
        .annotate(found=_JsonArray(_RowObject()))
        .values("found")
    )
    return Case(When(pk=pk, then=Subquery(rows)), default=None, output_field=TextField())


def _row_condition(source: Source, kind: str) -> tuple[str, Q]:
    """The relation from a unit to its rows in the source, and the condition that picks
    its row of the year and `kind`."""
    if source.live:
        return "progress_rows", Q(
            progress_rows__year=source.year,
            progress_rows__kind=kind,
            progress_rows__body=ALL_BODIES,
        )
    return "period_snapshots", Q(
        period_snapshots__period=source.period,
        period_snapshots__year=source.year,
        period_snapshots__kind=kind,
        period_snapshots__body=ALL_BODIES,
    )


def _without_programme_ids(unit: Organization | _Unit, source: Source) -> QuerySet:
    """The ids of the subtree's first units without the year's programme (the unit itself
    included), upper levels first, then by name (at most WITHOUT_PROGRAMME_SHOWN), as a
    subquery of _units_with_figures. Stored rows (live, snapshot): the units whose
    all-kinds row says so. For the nation, the organisations are read in (depth, name)
    order (org_depth_name_idx), for a province its own in that order
    (org_second_level_order_idx), each looked up in the rows by the partial index of the
    rows that say so (progress_without_prog_idx), until enough are found; below, the
    subtree's units are read by path and sorted (_without_programme_order).
    Computed on demand (a past period without a snapshot, the term), where no stored row
    says which units lack their programme: the units of the subtree that the engine
    counts on the period's last day (reports.engine.without_programme, the one rule); the
    figure beside the list is the computed one, and a test holds the list to the
    snapshot's."""
    if source.computed:
        return (
            engine.without_programme(source.day())
            .filter(path__startswith=unit.path)
            .order_by("depth", "name", "pk")
            .values("pk")[:WITHOUT_PROGRAMME_SHOWN]
        )
    rows = source.rows().filter(kind=ALL_KINDS, own_units_without_programme=1)
    if _second_level(unit.path):
        # A second-level unit (a province): its units in order by org_second_level_order_idx
        # (walking org_depth_name_idx read ~62,000 units of the tree at the national
        # profile, ~40 ms as the parallel plan it got; this index ~160, under 1 ms). Its
        # path's first two steps are its path: the same units as the LIKE below, which
        # is not asked as well (the planner, taking the two for independent, then read
        # the subtree by both indexes and sorted it).
        rows = rows.alias(
            second_level=Substr("organization__path", 1, 2 * Organization.steplen)
        ).filter(second_level=unit.path)
    else:
        rows = rows.filter(organization__path__startswith=unit.path)
    return rows.order_by(
        _without_programme_order(unit), "organization__name", "organization_id"
    ).values("organization_id")[:WITHOUT_PROGRAMME_SHOWN]


def _second_level(path: str) -> bool:
    """Whether `path` is a second-level unit's (a province's), whose units without their
    programme are read by org_second_level_order_idx (the first two steps of a path)."""
    return len(path) == 2 * Organization.steplen


def _without_programme_order(unit: Organization | _Unit) -> str | CombinedExpression:
    """The first key of _without_programme_ids' order: the units' depth. Below the second
    level it is written `depth + 0`, the same order that org_depth_name_idx cannot give,
    so that the planner starts from the subtree (by the path index) and sorts it rather
    than walk every unit of the tree in (depth, name) order, looking each up, until the
    subtree's first ones come: at the national profile an upper-grassroots unit of 1,900
    units whose units without their programme are two levels down walked ~70 ms, ~5 ms
    from its subtree. The nation's subtree is the whole tree: walking it stays the
    fastest (~5 ms; sorting its 307,000 units ~200 ms), and a province walks its own
    units (org_second_level_order_idx; from its subtree it took ~20 ms at 10%, where a
    province is a quarter of the tree, and 10-20 ms at the national profile)."""
    if len(unit.path) <= 2 * Organization.steplen:  # the nation, a province
        return "organization__depth"
    return F("organization__depth") + 0


def _own_counts(year: int, day: date, kind: str, near: Q) -> dict:
    """What a unit's own targets of the year (in force on `day`, of `kind` if one) count,
    when they all count the same thing (their least and greatest value are equal), else
    None. One correlated subquery of the same query, served by the (organization, kind)
    index of targets: no query per unit. The roll-up table adds quantities whatever they
    count, and only for a unit with no unit below it (a cell, most often) are its own
    targets its subtree's: for those, the dashboard can name what its figures count.
    Asked only of the units `near` picks (the dashboard's unit and its children: the
    ancestors have units below them), not of the units listed without their programme.
    (It was two subqueries, the first and the last value in order: one aggregate costs
    the page half as much to build, compile and run — benchmark F6.)"""
    own = Target.objects.filter(
        plan_queries.counted_on(day, years=[year]), organization=OuterRef("pk")
    )
    if kind:
        own = own.filter(kind=kind)
    one = Case(
        When(Exact(Min("counts"), Max("counts")), then=Min("counts")),
        default=None,
        output_field=CharField(),
    )
    counts = own.order_by().values("organization").annotate(one=one).values("one")
    # Only asked of units with no unit below them: CASE keeps the subquery from running
    # for the others (most children of a province or a bloc).
    leaf = Q(numchild=0) & near
    return {
        "own_counts": Case(
            When(leaf, then=Subquery(counts)), default=None, output_field=CharField()
        )
    }


def _counts_of(unit: Organization) -> str | None:
    """What every target of the unit's subtree counts, when that is known to be one
    thing: a unit with no unit below it whose own targets all count the same."""
    if unit.numchild:
        return None
    return getattr(unit, "own_counts", None)


def _row_of(unit: Organization) -> _Row | None:
    if getattr(unit, "row_id", None) is None:
        return None
    return _Row(**{name: getattr(unit, f"row_{name}") for name in _ROW_FIGURES})


def _lagging(
    organization: Organization, source: Source, kind: str, *, language: str
) -> list[LaggingUnit]:
    # A second-level unit's subtree is asked by its path's first two steps (its path), by
    # equality: its statement is prepared (compiled.statement), as its units' statement.
    second_level = _second_level(organization.path)
    path = _stand_in_path(2 if second_level else 1)
    stand_ins = {**_source_stand_ins(source)}
    values = {**_source_values(source, kind)}
    if second_level:
        stand_ins["path"], values["path"] = path, organization.path
    else:
        stand_ins["prefix"] = compiled.like_prefix(path)
        values["prefix"] = compiled.like_prefix(organization.path)
    if kind != ALL_KINDS:
        stand_ins["kind"] = _KIND_STAND_IN
    # Compiled once per shape, as the units' statement (_units_statement).
    statement = compiled.statement(
        ("dashboard lagging", source.live, kind == ALL_KINDS, second_level),
        lambda: _lagging_query(path, _stand_in_source(source), stand_ins.get("kind", ALL_KINDS)),
        stand_ins,
        prepare=second_level,
    )
    return _lagging_with_reasons(statement.objects(values), language=language)


def _lagging_query(path: str, source: Source, kind: str) -> QuerySet:
    # The partial index on (year, kind, own_gap DESC) of lagging rows serves a large
    # subtree in gap order (the first rows are the answer); for a small one the planner
    # starts from the subtree's units (path index) and sorts their few rows. A
    # second-level unit's units are those whose path begins with its path, asked as an
    # equality on the first two steps (the same units as the LIKE prefix), which a
    # generic plan serves as well.
    rows = source.rows().filter(kind=kind, own_units_lagging=1)
    if _second_level(path):
        rows = rows.alias(
            second_level=Substr("organization__path", 1, 2 * Organization.steplen)
        ).filter(second_level=path)
    else:
        rows = rows.filter(organization__path__startswith=path)
    return (
        rows.select_related("organization__parent")
        .only(
            "own_capped_done",
            "own_quantity",
            "own_expected",
            "own_lag_reasons",
            "organization__id",
            # The progress API lists each lagging unit's code: deferred, it cost a query
            # per unit (up to LAGGING_SHOWN).
            "organization__code",
            "organization__name",
            "organization__parent__name",
        )
        .order_by("-own_gap", "organization__name", "organization_id")[:LAGGING_SHOWN]
    )


@dataclass
class _Unit:
    pk: int
    path: str


@dataclass
class _Frame:
    """What the dashboard reads first: where its figures come from (as period_source),
    the years of the unit's rows (with the year asked for, newest first), the unit's
    daily points for the trend line (taken_on, quantity, capped done, expected) and the
    unit's path (None when no unit has the id)."""

    source: Source
    years: list[int]
    points: list[tuple]
    unit: _Unit | None

    def empty(self) -> Dashboard:
        return Dashboard(
            source=self.source, unit=None, children=[], lagging=[], years=self.years, trend=None
        )


# Points, years and a row for the requested year (so that something comes back even for
# a unit with neither) as one list; the points come first so that each column takes their
# types. The period and the unit are joined to every row.
_FRAME_SQL = """
SELECT t.year, t.taken_on, t.sub_quantity, t.sub_capped_done, t.sub_expected, u.path,
       p.id, p.kind, p.year, p.month, p.starts_on, p.ends_on, p.snapshot_taken_at
FROM (
    SELECT NULL AS year, taken_on, sub_quantity, sub_capped_done, sub_expected
    FROM {points}
    WHERE organization_id = %s AND year = %s AND taken_on >= %s AND taken_on <= %s
        AND taken_on <= (SELECT ends_on FROM {periods} WHERE id = {period})
    UNION ALL
    SELECT year, NULL, NULL, NULL, NULL FROM {rows}
    WHERE organization_id = %s AND kind = %s AND body = %s
    UNION ALL
    SELECT %s, NULL, NULL, NULL, NULL
) t
LEFT JOIN {units} u ON u.id = %s
LEFT JOIN {periods} p ON p.id = {period}
ORDER BY t.taken_on
"""
# The period row (as reports.queries.sources.period_filter): the year's, or the term that
# covers the year (the latest begun).
_PERIOD_SQL = """(
    SELECT id FROM {periods} WHERE kind = %s AND month = 0
        AND CASE WHEN kind = %s THEN starts_on <= %s AND ends_on >= %s ELSE year = %s END
    ORDER BY starts_on DESC LIMIT 1
)"""


def _frame(pk: int, *, year: int, period_kind: str, today: date) -> _Frame:
    """One query, whatever the unit."""
    quote = connection.ops.quote_name
    periods = quote(ReportPeriod._meta.db_table)
    sql = _FRAME_SQL.format(
        points=quote(DailySnapshot._meta.db_table),
        periods=periods,
        rows=quote(ProgressRow._meta.db_table),
        units=quote(Organization._meta.db_table),
        period=_PERIOD_SQL.format(periods=periods),
    )
    period = (period_kind, ReportPeriod.Kind.TERM, date(year, 12, 31), date(year, 1, 1), year)
    params = (
        *(pk, year, date(year, 1, 1), today, *period),
        *(pk, ALL_KINDS, ALL_BODIES),
        year,
        pk,
        *period,
    )
    # Every value compared by equality or to a date, on unique keys: prepared, with one
    # generic plan (planning it cost as much as running it, ~0.3 ms of every dashboard).
    with compiled.preparing_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    years = sorted({row[0] for row in found if row[0] is not None}, reverse=True)
    points = [row[1:5] for row in found if row[1] is not None]
    path = found[0][5]
    unit = _Unit(pk=pk, path=path) if path is not None else None
    period_id, kind, period_year, month, starts_on, ends_on, taken_at = found[0][6:]
    if period_id is None:
        source = source_of(None, year=year, today=today)
        return _Frame(source=source, years=years, points=points, unit=unit)
    found = ReportPeriod(
        id=period_id,
        kind=kind,
        year=period_year,
        month=month,
        starts_on=_as_date(starts_on),
        ends_on=_as_date(ends_on),
        snapshot_taken_at=_as_datetime(taken_at),
    )
    source = source_of(found, year=year, today=today)
    return _Frame(source=source, years=years, points=points, unit=unit)


def _trend_from(organization: Organization, points: list[tuple]) -> Trend | None:
    """The trend of the frame's points (taken_on, quantity, capped done,
    expected), or None for a unit deeper than the trend lines are kept for."""
    if organization.depth > settings.KTGS_TREND_MAX_DEPTH:
        return None
    result = Trend(labels=[], done=[], expected=[])
    for taken_on, quantity, capped, expected in points:
        result.labels.append(formats.date_format(_as_date(taken_on), "SHORT_DATE_FORMAT"))
        result.done.append(_chart_percent(capped, quantity))
        result.expected.append(_chart_percent(Fraction(_as_decimal(expected)), quantity))
    return result


def _chart_percent(part, whole: int) -> float | None:
    if not whole:
        return None
    return float(figures.round_percent(min(Fraction(1), Fraction(part) / whole)))


# A raw cursor returns what the driver gives: PostgreSQL's types, SQLite's text and floats.


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = dateparse.parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def _as_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _lagging_with_reasons(rows: list[ProgressRow], *, language: str) -> list[LaggingUnit]:
    # The reasons were stored with the row when it was computed: no further reads.
    return [
        _lagging_unit(
            row.organization,
            capped_done=row.own_capped_done,
            quantity=row.own_quantity,
            expected=row.own_expected,
            reasons=row.own_lag_reasons,
            language=language,
        )
        for row in rows
    ]


def _lagging_unit(
    organization: Organization,
    *,
    capped_done: int,
    quantity: int,
    expected: Decimal,
    reasons: list[dict],
    language: str,
) -> LaggingUnit:
    # The parent comes with the unit (the stored rows' join, the engine's column): no query.
    parent = organization.parent
    return LaggingUnit(
        organization=organization,
        capped_done=capped_done,
        quantity=quantity,
        gap=Fraction(expected) - capped_done,
        reason=wording.describe_lag(reasons, language),
        parent_name=parent.name if parent is not None else "",
    )


@dataclass
class UnitTarget:
    """One target set for a unit, with what is done on it by the day (its own rule)."""

    target: Target
    done: int

    @property
    def capped_done(self) -> int:
        return min(self.done, self.target.quantity)

    @property
    def completion(self) -> Fraction | None:
        return progress.completion(self.done, self.target.quantity)


def unit_targets(
    organization: Organization, *, years: range, kind: str, day: date
) -> list[UnitTarget]:
    """The targets set for the unit itself (not the units below) that its dashboard's own
    figures count on `day`: of the years, in force then, in a counted programme, of
    `kind` if one; each with its done by then (plans.queries.done_by_lineage, the
    engine's rule). Two queries."""
    targets = Target.objects.filter(
        plan_queries.counted_on(day, years=years), organization=organization
    )
    if kind:
        targets = targets.filter(kind=kind)
    found = list(
        targets.select_related("programme", "subject_organization", "added_by").order_by(
            "due_on", "kind", "pk"
        )
    )
    done = plan_queries.done_by_lineage([t.lineage_key for t in found], on=day)
    return [UnitTarget(target=t, done=plan_queries.done_of(t, done)) for t in found]
