"""The leader's dashboard: completion for any subtree, read from the roll-up table."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from ktgs import access
from ktgs import queries as ktgs_queries
from plans.models import ActivityKind
from reports import queries
from reports.models import ALL_KINDS


def _filters(request) -> tuple[int, str]:
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
    return year, kind


@require_GET
def dashboard_home(request):
    tops = access.top_organizations(request.user)
    if not tops:
        raise Http404
    return redirect("reports:dashboard", pk=tops[0].pk)


@require_GET
def dashboard(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    year, kind = _filters(request)
    data = queries.dashboard(
        organization, year=year, kind=kind, today=timezone.localdate(),
        language=translation.get_language(),
    )
    context = {
        "organization": organization,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, organization),
        "data": data,
        "year": year,
        "kind": kind,
        "kinds": ActivityKind.choices,
    }
    template = (
        "reports/partials/dashboard_body.html" if request.htmx else "reports/dashboard.html"
    )
    return render(request, template, context)
