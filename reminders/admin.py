from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization
from reminders.models import Holiday, OutboxMessage, ReminderRule

WEEKDAYS = [
    (0, _("Thứ Hai")),
    (1, _("Thứ Ba")),
    (2, _("Thứ Tư")),
    (3, _("Thứ Năm")),
    (4, _("Thứ Sáu")),
    (5, _("Thứ Bảy")),
    (6, _("Chủ nhật")),
]


class DaysField(forms.CharField):
    """A list of whole days typed as "14, 3": read into [14, 3] (largest first, once
    each); an empty field is []."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").replace(";", ",")
        days = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(
                    _("“%(value)s” không phải số ngày. Nhập các số ngày không âm, cách nhau "
                      "bằng dấu phẩy, ví dụ: 14, 3."),
                    code="invalid",
                    params={"value": part},
                )  # fmt: skip
            if int(part) > 366:
                raise forms.ValidationError(
                    _("Mỗi mốc nhắc trước hạn tối đa 366 ngày."), code="max_value"
                )
            days.append(int(part))
        return sorted(set(days), reverse=True)


class ReminderRuleForm(forms.ModelForm):
    """The rule's two JSON columns edited as people think of them: the levels as
    checkboxes, the "days before" thresholds as numbers; the weekday by its name."""

    levels = forms.MultipleChoiceField(
        label=_("cấp áp dụng"),
        choices=Organization.Level.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Không chọn cấp nào: quy tắc áp dụng cho mọi cấp."),
    )
    days_before = DaysField(
        label=_("nhắc trước hạn (ngày)"),
        required=False,
        help_text=_(
            "Các số ngày trước hạn, cách nhau bằng dấu phẩy, ví dụ: 14, 3. Bắt buộc với "
            "chỉ tiêu sắp đến hạn; với hạn giải quyết tố cáo và hết thời hạn đình chỉ, để "
            "trống là 10 ngày."
        ),
    )
    weekday = forms.TypedChoiceField(
        label=_("ngày gửi thư tổng hợp"), choices=WEEKDAYS, coerce=int, initial=0
    )

    class Meta:
        model = ReminderRule
        fields = [
            "name", "kind", "is_active", "levels", "tolerance_cases", "tolerance_points",
            "first_after_days", "repeat_every_days", "escalate_after_days",
            "escalation_levels", "days_before", "weekday", "skip_weekends", "skip_holidays",
        ]  # fmt: skip

    def clean_levels(self) -> list[str]:
        # In the order of the tree (as Organization.Level lists them), whatever was ticked.
        chosen = set(self.cleaned_data["levels"])
        return [code for code in Organization.Level.values if code in chosen]


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    form = ReminderRuleForm
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
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active", "levels")}),
        (
            _("Khi nào nhắc"),
            {
                "fields": (
                    "first_after_days",
                    "repeat_every_days",
                    "escalate_after_days",
                    "escalation_levels",
                    "days_before",
                    "weekday",
                    "skip_weekends",
                    "skip_holidays",
                )
            },
        ),
        (_("Dung sai (quy tắc chậm tiến độ)"), {"fields": ("tolerance_cases", "tolerance_points")}),
    )


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
