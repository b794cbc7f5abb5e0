"""The reminder log's filters, one set for the page and the API, so both take the same
parameters: status, kind, organization (id), q (unit code or name, address, user name),
created_after and created_before (dates, both included, in the local time zone)."""

from datetime import date, datetime, time

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ktgs.filters import IdFilter
from reminders.models import OutboxMessage


class ReminderLogForm(forms.Form):
    def clean(self):
        data = super().clean() or {}
        since, until = data.get("created_after"), data.get("created_before")
        if since and until and until < since:
            self.add_error("created_before", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time.max, timezone.get_current_timezone())


class ReminderLogFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), choices=OutboxMessage.Status.choices, empty_label=_("Tất cả")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Loại thư"), choices=OutboxMessage.Kind.choices, empty_label=_("Tất cả")
    )
    # Not offered on the page's form (a hidden field keeps it across pages): links and
    # API clients ask for one unit's mail.
    organization = IdFilter(field_name="organization_id", widget=forms.HiddenInput)
    q = django_filters.CharFilter(
        label=_("Đơn vị hoặc người nhận"),
        method="filter_text",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("mã, tên đơn vị, thư điện tử")}),
    )
    # Bounds on created_at rather than a cast to a date, so an index on it can serve them.
    created_after = django_filters.DateFilter(label=_("Từ ngày"), method="filter_after")
    created_before = django_filters.DateFilter(label=_("Đến ngày"), method="filter_before")

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind", "organization", "q", "created_after", "created_before"]
        form = ReminderLogForm

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(organization__code__iexact=text) | Q(organization__name__icontains=text)
            | Q(email__icontains=text) | Q(recipient__username__iexact=text)
        )  # fmt: skip

    def filter_after(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_before(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lte=_day_end(value))
