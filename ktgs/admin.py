from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from ktgs.models import Organization, Role, User


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("ktgs"), {"fields": ("language", "digest_enabled")}),
    )
    inlines = [RoleInline]


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Organization, exclude=["parent"])
    list_display = [
        "name",
        "code",
        "level",
        "grassroots_form",
        "has_cell_committee",
        "member_count",
        "committee_member_count",
    ]
    list_filter = ["level", "grassroots_form", "has_cell_committee"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["successor"]

    def save_model(self, request, obj, form, change):
        # treebeard's move form places the node; keep the parent FK in step with the path.
        super().save_model(request, obj, form, change)
        obj.refresh_from_db()
        parent = obj.get_parent(update=True)
        if obj.parent_id != (parent.pk if parent else None):
            obj.parent = parent
            obj.save(update_fields=["parent"])


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organization"]
    list_filter = ["kind"]
    autocomplete_fields = ["user", "organization"]
    search_fields = ["user__username", "organization__name", "organization__code"]
