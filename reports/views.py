"""The leader's dashboard and the period report: completion for any subtree, read from
the roll-up table (live) or a period's snapshot."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ktgs import access
from ktgs import queries as ktgs_queries
from plans.models import ActivityKind
from reports import exports, queries
from reports.models import ALL_KINDS, ReportPeriod
from reports.services import DASHBOARD_PERIODS


def _filters(request) -> tuple[int, str, str]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    kind = request.GET.get("kind", ALL_KINDS)
    if kind not in ActivityKind.values:
        kind = ALL_KINDS
    period = request.GET.get("period", ReportPeriod.Kind.YEAR)
    if period not in DASHBOARD_PERIODS:
        period = ReportPeriod.Kind.YEAR
    return year, kind, period


def _period_choices() -> list[tuple[str, str]]:
    return [(str(kind), str(kind.label)) for kind in DASHBOARD_PERIODS]


@require_GET
def dashboard_home(request):
    tops = access.top_organizations(request.user)
    if not tops:
        raise Http404
    return redirect("reports:dashboard", pk=tops[0].pk)


@require_GET
def dashboard(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    year, kind, period = _filters(request)
    data = queries.dashboard(
        organization, year=year, kind=kind, today=timezone.localdate(),
        language=translation.get_language(), period_kind=period,
    )
    trend_json = None
    if data.trend is not None and data.trend.labels:
        trend_json = data.trend.as_json(
            done_label=_("Hoàn thành"), expected_label=_("Dự kiến")
        )
    context = {
        "organization": organization,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, organization),
        "data": data,
        "year": year,
        "kind": kind,
        "period": period,
        "kinds": ActivityKind.choices,
        "periods": _period_choices(),
        "trend_json": trend_json,
    }
    template = (
        "reports/partials/dashboard_body.html" if request.htmx else "reports/dashboard.html"
    )
    return render(request, template, context)


@require_GET
def period_report(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    year, _kind, period = _filters(request)
    report = queries.period_report(
        organization, year=year, period_kind=period, today=timezone.localdate()
    )
    context = {
        "organization": organization,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, organization),
        "report": report,
        "year": year,
        "period": period,
        "periods": _period_choices(),
        "years": sorted({year, *range(timezone.localdate().year - 2,
                                      timezone.localdate().year + 2)}, reverse=True),
    }
    wanted = request.GET.get("format", "")
    if wanted in ("xlsx", "pdf") and report.source.available:
        filename = exports.report_filename(report, wanted)
        if wanted == "xlsx":
            body, content_type = exports.period_report_xlsx(report), exports.XLSX_TYPE
        else:
            html = render_to_string("reports/period_report_pdf.html", context, request=request)
            body, content_type = exports.period_report_pdf(html, request), "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "reports/period_report.html", context)
