"""Reads for the reports pages, the API and the exports (no writes):

- sources: where figures come from (live table or a period's snapshot), a unit's subtree
  figures (UnitProgress)
- dashboards: the leader's dashboard (six queries at any level)
- period_reports: the table a commission sends upward
"""

from reports.queries.dashboards import (
    LAGGING_SHOWN,
    WITHOUT_PROGRAMME_SHOWN,
    Dashboard,
    DashboardPage,
    LaggingUnit,
    Trend,
    dashboard,
    dashboard_page,
)
from reports.queries.period_reports import (
    DISCIPLINE_FORMS,
    DisciplineLine,
    PeriodReport,
    ReportLine,
    TargetLine,
    period_report,
)
from reports.queries.sources import Source, UnitProgress, period_source

__all__ = [
    "DISCIPLINE_FORMS",
    "LAGGING_SHOWN",
    "WITHOUT_PROGRAMME_SHOWN",
    "Dashboard",
    "DashboardPage",
    "DisciplineLine",
    "LaggingUnit",
    "PeriodReport",
    "ReportLine",
    "Source",
    "TargetLine",
    "Trend",
    "UnitProgress",
    "dashboard",
    "dashboard_page",
    "period_report",
    "period_source",
]
