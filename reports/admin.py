from django.contrib import admin

from reports.models import ReportPeriod


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    """Periods are explicit rows: a unit whose cut-off dates differ edits them here."""

    list_display = ("__str__", "kind", "year", "month", "starts_on", "ends_on", "snapshot_taken_at")
    list_filter = ("kind", "year")
    readonly_fields = ("snapshot_taken_at",)
