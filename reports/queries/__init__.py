"""Reads for the reports pages, the API and the exports (no writes):

- sources: where figures come from (live table or a period's snapshot), a unit's subtree
  figures (UnitProgress)
- dashboards: the leader's dashboard (six queries at any level)
- period_reports: the table a commission sends upward
- bodies: the figures per conducting body
- records: the commission's other records (letters, denunciations, complaints,
  suspensions, discipline) of a subtree and a period, per body, in one query
- cells: a period report flattened into stable "cell key" → count (what a submission
  stores and a parent adds up)
- submissions: the round trip of period reports (a unit's submission and history, who
  may decide, the children's status with overdue, comments, the report built from the
  approved children's figures)

The package exports what the views, the API, the exports and the tests use; the rest is
imported from its module.
"""

from reports.queries.dashboards import LAGGING_SHOWN, dashboard, dashboard_page
from reports.queries.period_reports import PeriodReport, period_report
from reports.queries.sources import UnitProgress, period_source

__all__ = [
    "LAGGING_SHOWN",
    "PeriodReport",
    "UnitProgress",
    "dashboard",
    "dashboard_page",
    "period_report",
    "period_source",
]
