from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.models import Amendment, Programme, ProgrammeRequirement, Target


class TargetInline(admin.TabularInline):
    model = Target
    fk_name = "programme"
    extra = 0
    fields = [
        "organization",
        "kind",
        "counts",
        "quantity",
        "member_share",
        "due_on",
        "added_by",
        "removed_by",
    ]
    raw_id_fields = ["organization", "subject_organization", "added_by", "removed_by", "replaces"]
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["doc_number", "organization", "body", "year", "status", "issued_on"]
    list_filter = ["status", "scope", "body", "year"]
    search_fields = ["doc_number", "title", "organization__name", "organization__code"]
    raw_id_fields = ["organization", "created_by"]
    readonly_fields = ["version", "doc_serial", "doc_type", "doc_issuer", "doc_year"]
    inlines = [TargetInline]


@admin.register(Amendment)
class AmendmentAdmin(SimpleHistoryAdmin):
    list_display = ["doc_number", "programme", "issued_on", "effective_on"]
    search_fields = ["doc_number", "programme__doc_number"]
    raw_id_fields = ["programme", "created_by"]
    readonly_fields = ["doc_serial", "doc_type", "doc_issuer", "doc_year"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "organization", "kind", "counts", "quantity", "due_on"]
    list_filter = ["kind", "counts"]
    search_fields = ["programme__doc_number", "organization__name", "organization__code"]
    raw_id_fields = [
        "programme",
        "organization",
        "subject_organization",
        "added_by",
        "removed_by",
        "replaces",
    ]
    readonly_fields = ["version"]


@admin.register(ProgrammeRequirement)
class ProgrammeRequirementAdmin(admin.ModelAdmin):
    list_display = ["level", "body", "due_day", "due_month", "is_active"]
    list_filter = ["is_active"]

    # Through the services: a changed rule recomputes the roll-up table after commit.
    def save_model(self, request, obj, form, change):
        services.save_programme_requirement(requirement=obj)

    def delete_model(self, request, obj):
        services.delete_programme_requirement(requirement=obj)

    def delete_queryset(self, request, queryset):
        for requirement in queryset:
            services.delete_programme_requirement(requirement=requirement)
