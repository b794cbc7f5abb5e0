"""The year, activity kind and period a reports page is asked for (its query string),
with a safe default for anything else."""

from django.utils import timezone

from plans.models import ActivityKind
from reports.engine.periods import OFFERED_PERIODS
from reports.models import ALL_KINDS, ReportPeriod


def filters(request) -> tuple[int, str, str]:
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
    if period not in OFFERED_PERIODS:
        period = ReportPeriod.Kind.YEAR
    return year, kind, period


def period_choices() -> list[tuple[str, str]]:
    return [(str(kind), str(kind.label)) for kind in OFFERED_PERIODS]
