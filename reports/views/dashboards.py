"""The leader's dashboard: completion for any subtree, read from the roll-up table (live)
or a period's snapshot, or computed on demand for a past period without one."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TypedDict

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ktgs import access, figures
from ktgs import queries as ktgs_queries
from ktgs.models import Organization
from plans.models import ActivityKind
from reports import queries, wording
from reports.queries import dashboards as dashboard_queries
from reports.queries.bodies import COVERAGE_LABELS, BodyFigures, Coverage
from reports.queries.dashboards import LaggingUnit
from reports.queries.sources import Source
from reports.templatetags.progress_bars import bar_widths
from reports.views.filters import filters, period_choices


@require_GET
def dashboard_home(request):
    tops = access.top_organizations(request.user)
    if not tops:
        raise Http404
    return redirect("reports:dashboard", pk=tops[0].pk)


class ChildLine(TypedDict):
    """One line of the dashboard's children table, formatted in the view: a province has
    up to ~120 children, and filters, a url tag and an include per cell cost more than
    all the page's queries. The strings are those the `number` and `percent` filters and
    the progress bar print (the filters call the same ktgs.figures functions). A dict:
    the template engine tries a key before an attribute."""

    url: str  # the child's dashboard with the same filters
    name: str
    code: str  # shown beside the name when two children share it, else ""
    capped_done: str
    quantity: str
    unit: str  # what the figures count ("đảng viên"), "" when not one thing
    mixed: bool  # targets whose figures may count different things: marked with a note
    completion: str
    expected: str  # the child's own expected figure (a count), not a share of the year
    gap: str  # how far behind its expected figure (0 when on schedule), "—" without targets
    forecast: str  # dự báo cuối năm
    bar_label: str
    bar_done: str
    bar_expected: str
    units_lagging: str
    arising: str
    # The child has not issued the year's programme in time; with no targets in its
    # subtree either, its figures are replaced by that finding (not "0/0 —").
    without_programme: bool | None
    no_targets: bool
    units_without_programme: str
    # The drill-down: the child's own targets, its subtree's cases (year, kind), the
    # cases behind "done" and behind "arising" (the period report's filters); "" when
    # the period has no figures.
    targets_url: str
    cases_url: str
    done_url: str
    arising_url: str
    lagging_url: str  # the child's dashboard at its list of lagging units
    without_programme_url: str  # … at its list of units without their programme


class LaggingLine(TypedDict):
    """One line of the dashboard's list of lagging units, formatted in the view as the
    children's lines are (a url tag and two filters per line of twenty)."""

    url: str  # the unit's dashboard for the same filters
    name: str
    parent: str  # the parent's name ("Chi bộ Tổ 3 — Đảng ủy xã …"), "" for none
    capped_done: str
    quantity: str
    reason: str
    targets_url: str  # the unit's own targets (what its figures are)
    cases_url: str


class WithoutProgrammeLine(TypedDict):
    """One line of the dashboard's list of units without their programme (up to 50)."""

    url: str  # the unit's dashboard for the same year and period
    name: str
    parent: str  # the parent's name, "" for a unit without parent


# The children table's orders: the key of a child's figures, and the direction a click on
# a column not yet sorted gives (the worst first: lowest completion, largest gap, most
# lagging units; names A to Z). A child without targets has no completion: last in
# either direction.
SORTS = ("completion", "gap", "lag", "name")
FIRST_DIRECTION = {"completion": "asc", "gap": "desc", "lag": "desc", "name": "asc"}
# What a leader asks first ("which of my units are behind?"): the lowest completion.
DEFAULT_SORT = "completion"


def sort_param(request) -> tuple[str, str]:
    """The children table's order from `?sort=` ("gap", "-gap", …), else the default."""
    value = request.GET.get("sort", "")
    column = value.removeprefix("-")
    if column not in SORTS:
        return DEFAULT_SORT, FIRST_DIRECTION[DEFAULT_SORT]
    return column, "desc" if value.startswith("-") else "asc"


def sort_value(column: str, direction: str) -> str:
    return column if direction == "asc" else f"-{column}"


def sorted_children(
    children: list[queries.UnitProgress], column: str, direction: str
) -> list[queries.UnitProgress]:
    """The children in the order asked, on the rows already read (no query). They come by
    name from the database: that order breaks ties and is the name order itself."""
    if column == "name":
        return list(reversed(children)) if direction == "desc" else list(children)
    sign = -1 if direction == "desc" else 1

    def key(item: tuple[int, queries.UnitProgress]):
        index, child = item
        value: Fraction | int | None
        if column == "completion":
            value = child.completion
        elif column == "gap":
            value = child.expected - child.capped_done if child.quantity else None
        else:
            value = child.units_lagging
        # The float first: ordered as the exact value (rounding to a float never swaps
        # two values), it settles most comparisons in C; the exact value breaks its ties
        # (a Fraction comparison costs microseconds, and a province sorts ~110 children).
        exact = sign * (value or 0)
        return (value is None, float(exact), exact, index)

    return [child for _, child in sorted(enumerate(children), key=key)]


# reverse() costs ~15 µs, a hundred children ~1.5 ms: reverse once with this marker as
# the pk (one path segment of the URL) and put each child's pk in its place.
_PK_MARKER = 987654321


def _urls(name: str, query: str, anchor: str = "") -> Callable[[int], str]:
    """The URL of `name` for a unit's pk with `query` as the query string."""
    url = reverse(name, args=[_PK_MARKER]) + "?" + query + anchor
    marker = str(_PK_MARKER)
    return lambda pk: url.replace(marker, str(pk))


def _dashboard_urls(filters: str) -> Callable[[int], str]:
    """The dashboard URL of a unit's pk with `filters` as the query string."""
    return _urls("reports:dashboard", filters)


@dataclass
class DrillDown:
    """The links from a dashboard row to the lists behind it, for the page's filters."""

    year: int
    kind: str
    period: str
    source: Source | None  # the figures' source; None when the period has none
    dashboard: str  # the query string a unit's dashboard keeps (year, period, kind, order)

    def __post_init__(self) -> None:
        self.dashboard_of = _dashboard_urls(self.dashboard)
        self.anchored = {
            anchor: _urls("reports:dashboard", self.dashboard, anchor)
            for anchor in ("#lagging", "#without-programme")
        }
        filters = {"year": str(self.year), "period": self.period, "kind": self.kind}
        self.targets_of = _urls("reports:unit_targets", urlencode(filters))
        cases = {"year": str(self.year), **({"kind": self.kind} if self.kind else {})}
        self._cases = reverse("cases:list") + "?"
        self._cases_query = self._after_unit(cases)
        self._done = self._arising = None
        if self.source is not None and self.source.available:
            day, years = self.source.day().isoformat(), self.source.years()
            span = {"min": str(years.start), "max": str(years.stop - 1)}
            # The period report's drill-down filters (reports.queries.period_reports).
            self._done = self._after_unit(
                {
                    "planned_on": day,
                    "target_years_min": span["min"],
                    "target_years_max": span["max"],
                    **({"target_kind": self.kind} if self.kind else {}),
                }
            )
            self._arising = self._after_unit(
                {
                    "years_min": span["min"],
                    "years_max": span["max"],
                    "arising_on": day,
                    **({"kind": self.kind} if self.kind else {}),
                }
            )

    @staticmethod
    def _after_unit(params: dict) -> str:
        """What follows `organization=<pk>` in a case list's query string: the same as
        urlencode({"organization": pk, **params}) writes, encoded once per page rather
        than four times per row (a province has ~120 rows)."""
        return "&" + urlencode(params) if params else ""

    def _case_list(self, pk: int, rest: str | None) -> str:
        if rest is None:
            return ""
        return f"{self._cases}organization={pk}{rest}"

    def cases_of(self, pk: int) -> str:
        return self._case_list(pk, self._cases_query)

    def done_of(self, pk: int) -> str:
        return self._case_list(pk, self._done)

    def arising_of(self, pk: int) -> str:
        return self._case_list(pk, self._arising)


def _child_lines(
    children: list[queries.UnitProgress], *, links: DrillDown, language: str
) -> list[ChildLine]:
    names = Counter(child.organization.name for child in children)
    lines = []
    for child in children:
        bar = bar_widths(child)
        unit = (
            wording.count_unit_label(child.counts, child.quantity, language) if child.counts else ""
        )
        pk = child.organization.pk
        gap = max(Fraction(0), child.expected - child.capped_done)
        line = ChildLine(
            url=links.dashboard_of(pk),
            name=child.organization.name,
            code=child.organization.code if names[child.organization.name] > 1 else "",
            capped_done=figures.format_count(child.capped_done, language),
            quantity=figures.format_count(child.quantity, language),
            unit=unit,
            mixed=bool(child.quantity) and not unit,
            completion=figures.format_percent(child.completion, language),
            expected=figures.format_amount(child.expected, language) if child.quantity else "—",
            gap=figures.format_amount(gap, language) if child.quantity else "—",
            forecast=figures.format_percent(child.forecast, language),
            bar_label=bar["label"],
            bar_done=bar["done"],
            bar_expected=bar["expected"],
            units_lagging=figures.format_count(child.units_lagging, language),
            arising=figures.format_count(child.arising, language),
            without_programme=child.without_programme,
            no_targets=not child.quantity,
            units_without_programme=figures.format_count(child.units_without_programme, language),
            targets_url=links.targets_of(pk),
            cases_url=links.cases_of(pk),
            done_url=links.done_of(pk),
            arising_url=links.arising_of(pk),
            lagging_url=links.anchored["#lagging"](pk),
            without_programme_url=links.anchored["#without-programme"](pk),
        )
        lines.append(line)
    return lines


def _lagging_lines(
    lagging: list[LaggingUnit], *, links: DrillDown, language: str
) -> list[LaggingLine]:
    return [
        LaggingLine(
            url=links.dashboard_of(item.organization.pk),
            name=item.organization.name,
            parent=item.parent_name,
            capped_done=figures.format_count(item.capped_done, language),
            quantity=figures.format_count(item.quantity, language),
            reason=item.reason,
            targets_url=links.targets_of(item.organization.pk),
            cases_url=links.cases_of(item.organization.pk),
        )
        for item in lagging
    ]


def _without_programme_lines(
    units: list[Organization], *, url_of: Callable[[int], str]
) -> list[WithoutProgrammeLine]:
    return [
        WithoutProgrammeLine(
            url=url_of(unit.pk), name=unit.name, parent=unit.parent.name if unit.parent else ""
        )
        for unit in units
    ]


def _sort_links(query: dict, column: str, direction: str) -> dict[str, dict]:
    """Each sortable column's header link (the other direction on the column sorted, else
    its first direction) and its aria-sort ("" on the columns not sorted)."""
    links = {}
    for name in SORTS:
        if name == column:
            new = "desc" if direction == "asc" else "asc"
            aria = "ascending" if direction == "asc" else "descending"
        else:
            new, aria = FIRST_DIRECTION[name], ""
        url = "?" + urlencode({**query, "sort": sort_value(name, new)}) + "#children"
        links[name] = {"url": url, "aria": aria, "direction": direction if aria else ""}
    return links


def coverage_table(
    bodies: list[BodyFigures],
) -> tuple[list[BodyFigures], list[tuple[str, list[Coverage | None]]]]:
    """The coverage per kind of unit as one table a leader reads at a glance: the columns
    are all bodies together then each body whose targets reach some kind of unit below,
    the rows the kinds of unit that have units with targets, each cell that body's
    Coverage (None: no unit of the kind has a target of the body)."""
    columns = [body for body in bodies if any(c.planned for c in body.coverage)]
    rows = []
    for kind, label in COVERAGE_LABELS.items():
        cells = [next((c for c in body.coverage if c.kind == kind), None) for body in columns]
        if any(cell is not None and cell.planned for cell in cells):
            rows.append((str(label), [cell if cell and cell.planned else None for cell in cells]))
    return columns, rows


@require_GET
def dashboard(request, pk: int):
    year, kind, period = filters(request)
    column, direction = sort_param(request)
    only_lagging = request.GET.get("lagging") == "1"
    page = queries.dashboard_page(
        request.user,
        pk,
        year=year,
        kind=kind,
        today=timezone.localdate(),
        language=translation.get_language(),
        period_kind=period,
    )
    data = page.data
    trend_json = None
    if data.trend is not None and data.trend.labels:
        trend_json = data.trend.as_json(done_label=_("Hoàn thành"), expected_label=_("Dự kiến"))
    language = translation.get_language() or "vi"
    # Every link to a dashboard keeps the page's filters and order.
    query = {"year": str(year), "period": period, "kind": kind}
    kept = {
        **query,
        "sort": sort_value(column, direction),
        **({"lagging": "1"} if only_lagging else {}),
    }
    links = DrillDown(
        year=year, kind=kind, period=period, source=data.source, dashboard=urlencode(kept)
    )
    children = sorted_children(data.children, column, direction)
    if only_lagging:
        children = [child for child in children if child.units_lagging]
    child_lines = _child_lines(children, links=links, language=language)
    coverage_columns, coverage_rows = coverage_table(data.bodies)
    context = {
        "organization": page.organization,
        "breadcrumb": page.breadcrumb,
        "kept_query": urlencode(kept),
        "data": data,
        "coverage_columns": coverage_columns,
        "coverage_rows": coverage_rows,
        "child_lines": child_lines,
        "children_mixed": any(line["mixed"] for line in child_lines),
        "sort_links": _sort_links(
            {**query, **({"lagging": "1"} if only_lagging else {})}, column, direction
        ),
        "sort": sort_value(column, direction),
        "only_lagging": only_lagging,
        "lagging_lines": _lagging_lines(data.lagging, links=links, language=language),
        "without_programme_lines": _without_programme_lines(
            data.without_programme, url_of=links.dashboard_of
        ),
        "organization_targets_url": links.targets_of(page.organization.pk),
        "organization_cases_url": links.cases_of(page.organization.pk),
        # The unit's cards link to the cases behind them too.
        "organization_done_url": links.done_of(page.organization.pk),
        "organization_arising_url": links.arising_of(page.organization.pk),
        "year": year,
        "kind": kind,
        "period": period,
        "kinds": ActivityKind.choices,
        "periods": period_choices(),
        "trend_json": trend_json,
        "oversees": access.oversees(request.user),
        "htmx": bool(request.htmx),
    }
    template = "reports/partials/dashboard_body.html" if request.htmx else "reports/dashboard.html"
    return render(request, template, context)


@require_GET
def unit_targets(request, pk: int):
    """The targets set for one unit (its own, what a dashboard row's own figures count),
    each with what is done by the period's day and a link to the cases that count for it:
    the drill-down from a dashboard row to the work."""
    organization = access.get_organization_for_user(request.user, pk)
    year, kind, period = filters(request)
    today = timezone.localdate()
    source = queries.period_source(year=year, period_kind=period, today=today)
    # A period not declared: the year as of today (or its last day, for a past year).
    day = source.day() if source.available else min(today, date(year, 12, 31))
    years = source.years() if source.available else range(year, year + 1)
    rows = dashboard_queries.unit_targets(organization, years=years, kind=kind, day=day)
    query = urlencode({"year": str(year), "period": period, "kind": kind})
    case_list = reverse("cases:list")
    lines = [
        {
            "row": row,
            # The cases that count for the target by the day: its lineage, concluded then.
            "cases_url": case_list
            + "?"
            + urlencode({"target": str(row.target.pk), "concluded_before": day.isoformat()}),
            "all_cases_url": case_list + "?" + urlencode({"target": str(row.target.pk)}),
        }
        for row in rows
    ]
    context = {
        "organization": organization,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, organization),
        "lines": lines,
        "query": query,  # the breadcrumb's links keep the year, period and kind
        "year": year,
        "kind": kind,
        "kind_label": ActivityKind(kind).label if kind else "",
        "day": day,
        "dashboard_url": reverse("reports:dashboard", args=[organization.pk]) + "?" + query,
        "cases_url": case_list
        + "?"
        + urlencode(
            {
                "organization": str(organization.pk),
                "year": str(year),
                **({"kind": kind} if kind else {}),
            }
        ),
    }
    return render(request, "reports/unit_targets.html", context)
