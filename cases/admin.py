from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import (
    Case,
    CaseSubject,
    DeadlineRule,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    RecordLock,
    Suspension,
)


class WrittenThroughServices:
    """The records are written only through cases.services (the staff pages and the API):
    they check the dates, the two-editor versions and the locks of approved reports, and
    refresh the progress figures. The admin shows them and their history, and writes
    none of them: a row changed here would bypass every one of those rules."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseSubjectInline(WrittenThroughServices, admin.TabularInline):
    model = CaseSubject
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Case)
class CaseAdmin(WrittenThroughServices, SimpleHistoryAdmin):
    """Read only: see WrittenThroughServices."""

    list_display = ["title", "organization", "kind", "year", "status", "decision_number"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["title", "decision_number", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "target", "created_by"]
    readonly_fields = ["version", "decision_serial", "decision_issuer", "created_at"]
    inlines = [CaseSubjectInline]


@admin.register(DisciplineDecision)
class DisciplineDecisionAdmin(WrittenThroughServices, SimpleHistoryAdmin):
    list_display = ["subject", "form", "decision_number", "decided_on", "deciding_body"]
    list_filter = ["form", "deciding_body"]
    search_fields = ["decision_number", "subject__member_name"]
    raw_id_fields = ["case", "subject", "deciding_organization"]
    readonly_fields = [
        "decision_serial",
        "decision_issuer",
        "ended_on",
        "replaced_by",
        "created_at",
    ]


@admin.register(Letter)
class LetterAdmin(WrittenThroughServices, SimpleHistoryAdmin):
    """Read only: see WrittenThroughServices."""

    list_display = ["__str__", "organization", "kind", "sender_kind", "received_on", "handling"]
    list_filter = ["kind", "sender_kind", "handling"]
    search_fields = ["reference", "summary", "about_member_name", "organization__name"]
    list_select_related = ["organization", "about_organization"]
    raw_id_fields = [
        "organization",
        "about_organization",
        "forwarded_to",
        "case",
        "forwarded_from",
        "root",
        "created_by",
    ]
    readonly_fields = ["version", "created_at"]


@admin.register(Denunciation)
class DenunciationAdmin(WrittenThroughServices, SimpleHistoryAdmin):
    list_display = ["case", "received_on", "due_on", "extended_to", "conclusion", "concluded_on"]
    list_filter = ["conclusion"]
    search_fields = ["case__title", "case__organization__name"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "letter"]
    readonly_fields = ["version", "due_on", "extension_days", "created_at"]


@admin.register(DisciplineComplaint)
class DisciplineComplaintAdmin(WrittenThroughServices, SimpleHistoryAdmin):
    list_display = ["case", "complainant", "lodged_on", "result", "decided_on"]
    list_filter = ["result"]
    search_fields = ["complainant", "case__title", "case__organization__name"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "discipline", "letter"]
    readonly_fields = ["version", "created_at"]


@admin.register(Suspension)
class SuspensionAdmin(WrittenThroughServices, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "organization",
        "kind",
        "reason",
        "starts_on",
        "ends_on",
        "lifted_on",
    ]
    list_filter = ["kind", "reason", "outcome"]
    search_fields = ["member_name", "decision_number", "organization__name"]
    list_select_related = ["organization", "subject_organization"]
    raw_id_fields = ["organization", "subject_organization", "created_by"]
    readonly_fields = ["version", "cap_days", "created_at"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SimpleHistoryAdmin):
    """Edited here by administrators: a change applies to records opened afterwards (the
    dates a rule gives are stored on each record when it is opened)."""

    list_display = ["kind", "level", "length", "length_unit", "extension", "total_cap", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(RecordLock)
class RecordLockAdmin(admin.ModelAdmin):
    """Read only: a lock is written and removed by the report's approval and reopening
    (reports, through cases.services.locks), never by hand, so that a reopening keeps
    its reason and history there."""

    list_display = ["report", "organization", "starts_on", "ends_on", "key", "created_at"]
    list_filter = ["starts_on", "ends_on"]
    search_fields = ["report", "key", "organization__name"]
    list_select_related = ["organization"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
