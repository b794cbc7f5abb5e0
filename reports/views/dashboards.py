"""The leader's dashboard: completion for any subtree, read from the roll-up table (live)
or a period's snapshot, or computed on demand for a past period without one."""

from collections.abc import Callable
from typing import TypedDict

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ktgs import access, figures
from ktgs.models import Organization
from plans.models import ActivityKind
from reports import queries, wording
from reports.queries.bodies import COVERAGE_LABELS, BodyFigures, Coverage
from reports.queries.dashboards import LaggingUnit
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
    capped_done: str
    quantity: str
    unit: str  # what the figures count ("đảng viên"), "" when not one thing
    mixed: bool  # targets whose figures may count different things: marked with a note
    completion: str
    expected: str  # the child's own expected figure (a count), not a share of the year
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


class LaggingLine(TypedDict):
    """One line of the dashboard's list of lagging units, formatted in the view as the
    children's lines are (a url tag and two filters per line of twenty)."""

    url: str  # the unit's dashboard for the same year and period
    name: str
    capped_done: str
    quantity: str
    reason: str


class WithoutProgrammeLine(TypedDict):
    """One line of the dashboard's list of units without their programme (up to 50)."""

    url: str  # the unit's dashboard for the same year and period
    name: str
    parent: str  # the parent's name, "" for a unit without parent


# reverse() costs ~15 µs, a hundred children ~1.5 ms: reverse once with this marker as
# the pk (one path segment of the URL) and put each child's pk in its place.
_PK_MARKER = 987654321


def _dashboard_urls(filters: str) -> Callable[[int], str]:
    """The dashboard URL of a unit's pk with `filters` as the query string."""
    url = reverse("reports:dashboard", args=[_PK_MARKER]) + "?" + filters
    marker = str(_PK_MARKER)
    return lambda pk: url.replace(marker, str(pk))


def _child_lines(
    children: list[queries.UnitProgress], *, filters: str, language: str
) -> list[ChildLine]:
    url_of = _dashboard_urls(filters)
    lines = []
    for child in children:
        bar = bar_widths(child)
        unit = (
            wording.count_unit_label(child.counts, child.quantity, language) if child.counts else ""
        )
        line = ChildLine(
            url=url_of(child.organization.pk),
            name=child.organization.name,
            capped_done=figures.format_count(child.capped_done, language),
            quantity=figures.format_count(child.quantity, language),
            unit=unit,
            mixed=bool(child.quantity) and not unit,
            completion=figures.format_percent(child.completion, language),
            expected=figures.format_amount(child.expected, language) if child.quantity else "—",
            forecast=figures.format_percent(child.forecast, language),
            bar_label=bar["label"],
            bar_done=bar["done"],
            bar_expected=bar["expected"],
            units_lagging=figures.format_count(child.units_lagging, language),
            arising=figures.format_count(child.arising, language),
            without_programme=child.without_programme,
            no_targets=not child.quantity,
            units_without_programme=figures.format_count(child.units_without_programme, language),
        )
        lines.append(line)
    return lines


def _lagging_lines(
    lagging: list[LaggingUnit], *, url_of: Callable[[int], str], language: str
) -> list[LaggingLine]:
    return [
        LaggingLine(
            url=url_of(item.organization.pk),
            name=item.organization.name,
            capped_done=figures.format_count(item.capped_done, language),
            quantity=figures.format_count(item.quantity, language),
            reason=item.reason,
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
    child_lines = _child_lines(
        data.children,
        filters=urlencode({"year": str(year), "period": period, "kind": kind}),
        language=language,
    )
    # The lists link to a unit's dashboard for the year and period (the kind is not kept).
    url_of = _dashboard_urls(urlencode({"year": str(year), "period": period}))
    coverage_columns, coverage_rows = coverage_table(data.bodies)
    context = {
        "organization": page.organization,
        "breadcrumb": page.breadcrumb,
        "data": data,
        "coverage_columns": coverage_columns,
        "coverage_rows": coverage_rows,
        "child_lines": child_lines,
        "children_mixed": any(line["mixed"] for line in child_lines),
        "lagging_lines": _lagging_lines(data.lagging, url_of=url_of, language=language),
        "without_programme_lines": _without_programme_lines(data.without_programme, url_of=url_of),
        "year": year,
        "kind": kind,
        "period": period,
        "kinds": ActivityKind.choices,
        "periods": period_choices(),
        "trend_json": trend_json,
        "oversees": access.oversees(request.user),
    }
    template = "reports/partials/dashboard_body.html" if request.htmx else "reports/dashboard.html"
    return render(request, template, context)
