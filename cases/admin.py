from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Case, CaseSubject, DisciplineDecision


class CaseSubjectInline(admin.TabularInline):
    model = CaseSubject
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    """Read mostly: writes with business rules go through cases.services (the staff pages)."""

    list_display = ["title", "organization", "kind", "year", "status", "decision_number"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["title", "decision_number", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "target", "created_by"]
    readonly_fields = ["version", "decision_serial", "decision_issuer", "created_at"]
    inlines = [CaseSubjectInline]


@admin.register(DisciplineDecision)
class DisciplineDecisionAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "form", "decision_number", "decided_on", "deciding_body"]
    list_filter = ["form", "deciding_body"]
    search_fields = ["decision_number", "subject__member_name"]
    raw_id_fields = ["case", "subject", "deciding_organization"]
    readonly_fields = ["decision_serial", "decision_issuer", "created_at"]
