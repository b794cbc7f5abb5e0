"""The admin of the core. Units are written through ktgs.services like everywhere else:
a unit's place is its `parent` field, and a change of it is services.move_organization
(treebeard's path and the parent move together, and the subtree's progress figures follow
on commit). treebeard's own admin (drag and drop, the move form) wrote the path alone, so
it is not used."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ktgs import services
from ktgs.models import Organization, Role, User


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Django's user admin names first_name and last_name; ours is one họ và tên field.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
        (_("ktgs"), {"fields": ("language", "digest_enabled")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "full_name", "email", "is_staff")
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    inlines = [RoleInline]


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["parent", *services.ORGANIZATION_FIELDS]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        unit = self.instance
        if unit.pk is None:
            return parent
        if parent is None and unit.parent_id is not None:
            raise ValidationError(_("Đơn vị đang có cấp trên: hãy chọn đơn vị cấp trên mới."))
        if parent is not None and parent.path.startswith(unit.path):
            raise ValidationError(
                _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị trực thuộc nó.")
            )
        return parent


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    form = OrganizationForm
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
    autocomplete_fields = ["parent", "successor"]
    ordering = ["path"]

    def save_model(self, request, obj, form, change):
        """Through the services: create, or update the fields and move to the new parent."""
        fields = {name: form.cleaned_data[name] for name in services.ORGANIZATION_FIELDS}
        parent = form.cleaned_data["parent"]
        if not change:
            created = services.create_organization(parent=parent, **fields)
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        # The form has already set the new values on `obj`: compare with the stored row.
        current = Organization.objects.get(pk=obj.pk)
        current = services.update_organization(organization=current, **fields)
        if parent is not None and parent.pk != current.parent_id:
            services.move_organization(organization=current, new_parent=parent)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organization"]
    list_filter = ["kind"]
    autocomplete_fields = ["user", "organization"]
    search_fields = ["user__username", "organization__name", "organization__code"]


admin.site.site_header = _("Quản trị ktgs")
admin.site.site_title = _("Quản trị ktgs")
admin.site.index_title = _("Người dùng, vai trò, đơn vị và quy tắc nhắc việc")
