"""What the API of the commission's other records shares: the unit filters, the
deadline as a list or detail shows it, and a viewset's write helpers."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.response import Response

from cases import deadlines, queries
from ktgs import access
from ktgs.api import ScopedViewSetMixin
from ktgs.filters import IdFilter

ERRORS = (
    "Lỗi kiểm tra dữ liệu: 400 theo từng trường (thông báo tiếng Việt như trên trang); "
    "phiên bản cũ: 409 kèm phiên bản hiện tại và các thay đổi."
)


class UnitFilterMixin(django_filters.FilterSet):
    """`organization` (the unit itself) and `subtree_of` (the unit and those below it)
    over the record's unit (`unit_field`), read through the caller's reach."""

    unit_field = "organization"

    organization = IdFilter(method="filter_organization", label="Đơn vị (id)")
    subtree_of = IdFilter(
        method="filter_subtree_of", label="Cây con của đơn vị (id), gồm cả đơn vị đó"
    )

    def filter_organization(self, queryset, name, value):
        return queryset.filter(**{f"{self.unit_field}_id": value})

    def filter_subtree_of(self, queryset, name, value):
        path = (
            access.visible_organizations(self.request.user)
            .filter(pk=value)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.unit_field}__path__startswith": path})


class DeadlineSerializer(serializers.Serializer):
    due = serializers.DateField(help_text="Hạn (đã gồm gia hạn).")
    status = serializers.ChoiceField(
        choices=[(s.value, s.value) for s in deadlines.Status],
        help_text="in_time: trong hạn; due_soon: còn ≤ 10 ngày; overdue: quá hạn.",
    )
    days_left = serializers.IntegerField(help_text="Số ngày còn lại hôm nay (âm: quá hạn).")


def deadline_data(due, done_on) -> dict:
    view = queries.deadline_view(due, done_on, timezone.localdate())
    return {"due": view.due, "status": view.status.value, "days_left": view.days_left}


class RecordViewSetMixin(ScopedViewSetMixin):
    """Answers with the record read again through the scoped queryset."""

    output_serializer: type[serializers.Serializer]

    def output(self, record, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.output_serializer(fresh).data, status=code)
