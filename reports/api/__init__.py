"""REST API of reports, one module per sub-domain: `period_reports` (a unit's report in
the official shape: its cells and its document), `progress` (a unit's subtree and its
children for a year, a period and a kind; a programme's targets as of a date) and
`submissions` (period reports sent up the tree, returned, approved and reopened; the
children's status; comments). Thin, like the pages: ktgs.access scopes every read and
write, reports.queries reads, reports.services decides and writes."""

from rest_framework.routers import DefaultRouter

from reports.api.period_reports import PeriodReportViewSet
from reports.api.progress import ProgrammeProgressViewSet, ProgressViewSet
from reports.api.submissions import CommentViewSet, ReportSubmissionViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("progress", ProgressViewSet, basename="progress")
router.register("programme-progress", ProgrammeProgressViewSet, basename="programme-progress")
router.register("period-reports", PeriodReportViewSet, basename="period-report")
router.register("report-submissions", ReportSubmissionViewSet, basename="report-submission")
router.register("report-comments", CommentViewSet, basename="report-comment")
urlpatterns = router.urls
