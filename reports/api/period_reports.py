"""REST API of a unit's period report in the official shape: every figure of the report
as a cell ("lines.<kind>.cases", "findings.members.violation", "records.all.letters.
denunciation.received", …: reports.queries.cells, the keys a submission stores), and its
document (header, recipients, signer and the paragraph: what the staff sent once the
report is submitted, else the default header with the generated paragraph). The same
report as the page, its PDF and its XLSX; 404 outside the caller's reach."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from ktgs import access
from ktgs.api import REPORT_YEAR_SCHEMA, InputSerializer, OpenViewMixin, path_id
from reports import documents, queries
from reports.engine.periods import OFFERED_PERIODS
from reports.queries.cells import report_cells
from reports.queries.submissions import submission_of


class PeriodReportQuery(InputSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    period = serializers.ChoiceField(
        choices=[(str(kind), str(kind.label)) for kind in OFFERED_PERIODS]
    )


class DocumentSerializer(serializers.Serializer):
    parent_name = serializers.CharField(help_text="Đơn vị cấp trên (dòng đầu khối bên trái)")
    issuer_name = serializers.CharField(help_text="Đơn vị ban hành")
    body_label = serializers.CharField(help_text="Cơ quan ban hành (chủ thể)")
    number = serializers.CharField(help_text="Số ký hiệu; rỗng khi chưa đánh số")
    place = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    recipients = serializers.ListField(child=serializers.CharField(), help_text="Nơi nhận")
    signer_capacity = serializers.CharField()
    signer_title = serializers.CharField()
    signer_name = serializers.CharField()
    summary = serializers.CharField(help_text="Đoạn văn tóm tắt kết quả")


class SubmissionStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class PeriodReportSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    period = serializers.CharField(help_text="Loại kỳ")
    year = serializers.IntegerField()
    title = serializers.CharField(help_text='Tên kỳ: "9 tháng 2026"')
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True, help_text="Số liệu tính đến ngày này")
    available = serializers.BooleanField(help_text="Kỳ đã khai báo và có số liệu")
    cells = serializers.DictField(
        child=serializers.IntegerField(), help_text="Khóa ô → số đếm (reports.queries.cells)"
    )
    document = DocumentSerializer(allow_null=True)
    submission = SubmissionStateSerializer(allow_null=True)


class PeriodReportViewSet(OpenViewMixin, viewsets.ViewSet):
    lookup_value_regex = "[^/]+"  # a JSON 404 for any id that is no unit (ktgs.api)

    @extend_schema(
        summary="Báo cáo kỳ của một đơn vị theo mẫu chính thức: mọi ô số liệu và văn bản",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Đơn vị (id)"),
            OpenApiParameter("year", REPORT_YEAR_SCHEMA, description="Năm (mặc định: năm nay)"),
            OpenApiParameter(
                "period",
                str,
                enum=[str(kind) for kind in OFFERED_PERIODS],
                required=True,
                description="Kỳ báo cáo",
            ),
        ],
        responses={200: PeriodReportSerializer},
    )
    def retrieve(self, request, pk=None):
        organization = access.get_organization_for_user(request.user, path_id(pk))
        query = PeriodReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        year = query.validated_data.get("year", today.year)
        kind = query.validated_data["period"]
        report = queries.period_report(organization, year=year, period_kind=kind, today=today)
        period = report.source.period
        available = report.source.available and period is not None
        submission = submission_of(organization, period) if available and period else None
        data = {
            "organization": organization.pk,
            "period": kind,
            "year": year,
            "title": period.title if period is not None else "",
            "starts_on": period.cumulative_start if period is not None else None,
            "ends_on": report.source.day() if available else None,
            "available": available,
            "cells": report_cells(report) if available else {},
            "document": (
                vars(documents.document_of(organization, report, today=today))
                if available
                else None
            ),
            "submission": (
                {"id": submission.pk, "status": submission.status} if submission else None
            ),
        }
        return Response(PeriodReportSerializer(data).data)
