from django.contrib import admin

from reminders.models import Holiday, OutboxMessage, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "is_active",
        "tolerance_cases",
        "tolerance_points",
        "first_after_days",
        "repeat_every_days",
        "escalate_after_days",
    )
    list_filter = ("kind", "is_active")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "name")
    date_hierarchy = "day"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the daily scan and changed only by the sender."""

    list_display = ("created_at", "kind", "organization", "email", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "rule")
    search_fields = ("email", "organization__name", "organization__code", "message_id")
    raw_id_fields = ("organization", "recipient")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
