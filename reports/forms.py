"""Forms of reports' pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import OutboxMessage


class ReminderLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *list(OutboxMessage.Status.choices)],
    )
    kind = forms.ChoiceField(
        label=_("Loại thư"),
        required=False,
        choices=[("", _("Tất cả")), *list(OutboxMessage.Kind.choices)],
    )
    q = forms.CharField(
        label=_("Đơn vị hoặc người nhận"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("mã, tên đơn vị, thư điện tử")}),
    )
    since = forms.DateField(label=_("Từ ngày"), required=False)
    until = forms.DateField(label=_("Đến ngày"), required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data
