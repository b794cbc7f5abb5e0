from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import ReportDeadline, ReportPeriod, ReportSubmission


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    """Periods are explicit rows: a unit whose cut-off dates differ edits them here."""

    list_display = ("__str__", "kind", "year", "month", "starts_on", "ends_on", "snapshot_taken_at")
    list_filter = ("kind", "year")
    readonly_fields = ("snapshot_taken_at",)


@admin.register(ReportDeadline)
class ReportDeadlineAdmin(admin.ModelAdmin):
    """When each kind of period's report is due, in days after the period ends."""

    list_display = ("period_kind", "days")
    list_editable = ("days",)


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(SimpleHistoryAdmin):
    """Read only: submissions move through reports.services (the locks follow them)."""

    list_display = ("__str__", "status", "submitted_at", "decided_at")
    list_filter = ("status", "period__kind", "period__year")
    search_fields = ("organization__name", "number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
