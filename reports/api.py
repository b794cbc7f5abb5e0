"""REST API of progress: a unit's subtree and each child's, for a year, a report period
(the term included: term-to-date figures) and an activity kind — the dashboard's own
figures (reports.queries.dashboard, read from the roll-up table or the period's snapshot,
or computed on demand), with the year-end forecast, as numbers; and each target of a
programme as of a date, as the programme page shows it.

Percentages are numbers from 0 to 100 rounded half-up to 2 decimals by the one percent
function the pages use (57.58 is shown as 57,58% on the dashboard); null when there is
nothing to divide by. Counts are integers; `expected` keeps 4 decimals."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import django_filters
from django.http import Http404
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ktgs import access
from ktgs.api import InputSerializer, OpenViewMixin, ScopedViewSetMixin
from ktgs.figures import round_percent
from plans import queries as plan_queries
from plans.models import ActivityKind, Programme
from reports import progress, queries
from reports.models import ALL_KINDS, OutboxMessage, ReportPeriod
from reports.services import OFFERED_PERIODS

# --- selector ---------------------------------------------------------------------------


def _percent(ratio: Fraction | None):
    return None if ratio is None else round_percent(ratio)


def _expected(value: Fraction):
    return round(float(value), 4)


def unit_figures(unit: queries.UnitProgress) -> dict:
    org = unit.organization
    return {
        "organization": org.pk,
        "code": org.code,
        "name": org.name,
        "level": org.level,
        "quantity": unit.quantity,
        "capped_done": unit.capped_done,
        "done": unit.done,
        "expected": _expected(unit.expected),
        "arising": unit.arising,
        "units_with_targets": unit.units_with_targets,
        "units_completed": unit.units_completed,
        "units_lagging": unit.units_lagging,
        "units_without_programme": unit.units_without_programme,
        "without_programme": unit.without_programme,
        "counts": unit.counts,
        "completion_percent": _percent(unit.completion),
        "expected_percent": _percent(unit.expected_ratio),
        "coverage_percent": _percent(unit.coverage),
        "forecast_percent": _percent(unit.forecast),
    }


def progress_for(organization, *, year: int, period: str, kind: str, today, language: str):
    """The dashboard's figures as plain data (the same call the dashboard page makes)."""
    data = queries.dashboard(
        organization, year=year, kind=kind, today=today, language=language, period_kind=period
    )
    source = data.source
    return {
        "organization": organization.pk,
        "year": year,
        "period": period,
        "kind": kind,
        "available": source.available,
        "live": source.live,
        "as_of": source.as_of,
        "computed_at": source.computed_at,
        "period_starts_on": source.period.starts_on if source.period else None,
        "period_ends_on": source.period.ends_on if source.period else None,
        "unit": unit_figures(data.unit) if data.unit is not None else None,
        "children": [unit_figures(child) for child in data.children],
        "lagging": [
            {
                "organization": row.organization.pk,
                "code": row.organization.code,
                "name": row.organization.name,
                "capped_done": row.capped_done,
                "quantity": row.quantity,
                "gap": _expected(row.gap),
                "reason": row.reason,
            }
            for row in data.lagging
        ],
    }


def target_figures(programme: Programme, on: date) -> dict:
    """Every target of the programme in force on `on`, with what it has done by then, as
    the programme page shows them (plans.queries.progress_rows: two queries, whatever the
    number of targets), and its capped done, expected figure and gap behind the linear
    schedule (reports.progress)."""
    rows = plan_queries.progress_rows(plan_queries.programme_targets(programme), on)
    targets = []
    for row in rows:
        target = row.target
        quantity = target.quantity
        capped = progress.capped_done(row.done, quantity)
        expected = progress.expected(quantity, programme.starts_on, target.due_on, on)
        targets.append(
            {
                "target": target.pk,
                "organization": target.organization_id,
                "code": target.organization.code,
                "name": target.organization.name,
                "kind": target.kind,
                "counts": target.counts,
                "quantity": quantity,
                "due_on": target.due_on,
                "origin": target.origin,
                "done": row.done,
                "capped_done": capped,
                "expected": _expected(expected),
                "gap": _expected(max(Fraction(0), expected - capped)),
                "completion_percent": _percent(progress.completion(row.done, quantity)),
            }
        )
    return {"programme": programme.pk, "on": on, "targets": targets}


# --- serializers (output and query) -----------------------------------------------------


def percent_field(help_text: str = "") -> serializers.DecimalField:
    """A percentage 0–100 with 2 decimals, always a JSON number (never "57,58")."""
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        help_text=help_text or None,
    )


class UnitFiguresSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Σ số lượng chỉ tiêu")
    capped_done = serializers.IntegerField(help_text="Σ min(đã thực hiện, chỉ tiêu)")
    done = serializers.IntegerField(help_text="Σ đã thực hiện (có thể vượt chỉ tiêu)")
    expected = serializers.FloatField(help_text="Σ dự kiến đến ngày tính")
    arising = serializers.IntegerField(help_text="Số cuộc phát sinh")
    units_with_targets = serializers.IntegerField()
    units_completed = serializers.IntegerField()
    units_lagging = serializers.IntegerField()
    units_without_programme = serializers.IntegerField(
        help_text="Số đơn vị (trong cây) đã quá hạn mà chưa ban hành chương trình năm"
    )
    without_programme = serializers.BooleanField(
        allow_null=True,
        help_text="Đơn vị này đã quá hạn mà chưa ban hành chương trình năm (null: không biết, "
        "với số liệu tính lại theo yêu cầu của đơn vị có đơn vị trực thuộc)",
    )
    counts = serializers.CharField(
        allow_null=True,
        help_text=(
            "Chỉ tiêu đếm gì (cases, organizations, members, committee_members) khi mọi chỉ "
            "tiêu của dòng đếm cùng một thứ và điều đó biết được; null: quantity, done cộng "
            "chung các chỉ tiêu, mỗi chỉ tiêu theo đơn vị của nó"
        ),
    )
    completion_percent = percent_field("capped_done / quantity, phần trăm 0–100")
    expected_percent = percent_field("expected / quantity, phần trăm 0–100")
    coverage_percent = percent_field("units_completed / units_with_targets, phần trăm 0–100")
    forecast_percent = percent_field(
        "Dự báo cuối năm: tỷ lệ hoàn thành ngày 31/12 nếu giữ tốc độ từ 1/1 đến ngày tính"
    )


class LaggingSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    capped_done = serializers.IntegerField()
    quantity = serializers.IntegerField()
    gap = serializers.FloatField()
    reason = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    year = serializers.IntegerField()
    period = serializers.CharField()
    kind = serializers.CharField(help_text="Chuỗi rỗng: mọi loại hoạt động")
    available = serializers.BooleanField(help_text="false: chưa khai báo kỳ báo cáo này")
    live = serializers.BooleanField(help_text="true: bảng tiến độ hiện tại")
    as_of = serializers.DateField(allow_null=True, help_text="Số liệu tính đến ngày")
    computed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Kỳ đã qua chưa chốt số liệu, hoặc nhiệm kỳ: số liệu tính lại lúc này "
        "(null: bảng tiến độ hiện tại hoặc số liệu chốt kỳ)",
    )
    period_starts_on = serializers.DateField(allow_null=True)
    period_ends_on = serializers.DateField(allow_null=True)
    unit = UnitFiguresSerializer(allow_null=True)
    children = UnitFiguresSerializer(many=True)
    lagging = LaggingSerializer(many=True)


class TargetFiguresSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    organization = serializers.IntegerField(help_text="Đơn vị thực hiện (id)")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    counts = serializers.CharField(help_text="cases, organizations, members, committee_members")
    quantity = serializers.IntegerField()
    due_on = serializers.DateField()
    origin = serializers.CharField(help_text="original: chương trình gốc; amendment: bổ sung")
    done = serializers.IntegerField(help_text="Đã thực hiện đến ngày tính (có thể vượt)")
    capped_done = serializers.IntegerField(help_text="min(done, quantity)")
    expected = serializers.FloatField(help_text="Dự kiến đến ngày tính (4 chữ số thập phân)")
    gap = serializers.FloatField(help_text="max(0, expected − capped_done): chậm so với dự kiến")
    completion_percent = percent_field("capped_done / quantity, phần trăm 0–100")


class ProgrammeProgressSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    on = serializers.DateField()
    targets = TargetFiguresSerializer(many=True)


class ProgrammeProgressQuery(InputSerializer):
    on = serializers.DateField(required=False)


class ProgressQuery(InputSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    period = serializers.ChoiceField(
        choices=[(str(kind), str(kind.label)) for kind in OFFERED_PERIODS],
        default=ReportPeriod.Kind.YEAR,
    )
    kind = serializers.ChoiceField(
        choices=[(ALL_KINDS, "—"), *ActivityKind.choices], default=ALL_KINDS, allow_blank=True
    )


# --- view -------------------------------------------------------------------------------


class ProgressViewSet(OpenViewMixin, viewsets.ViewSet):
    lookup_value_regex = "[^/]+"  # a JSON 404 for any id that is no unit (ktgs.api)

    @extend_schema(
        summary="Tiến độ của một đơn vị và các đơn vị trực thuộc (số liệu của bảng điều khiển)",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Đơn vị (id)"),
            OpenApiParameter("year", int, description="Năm (mặc định: năm nay)"),
            OpenApiParameter(
                "period",
                str,
                enum=[str(kind) for kind in OFFERED_PERIODS],
                description="Kỳ báo cáo (mặc định: year); term: từ đầu nhiệm kỳ "
                "(nhiệm kỳ chứa năm) đến nay",
            ),
            OpenApiParameter(
                "kind",
                str,
                enum=["", *ActivityKind.values],
                description="Loại hoạt động; bỏ trống: mọi loại",
            ),
        ],
        responses={200: ProgressSerializer},
    )
    def retrieve(self, request, pk=None):
        if not str(pk).isdigit() or int(pk) > 2_147_483_647:
            raise Http404
        organization = access.get_organization_for_user(request.user, int(pk))
        query = ProgressQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        data = progress_for(
            organization,
            year=query.validated_data.get("year", today.year),
            period=query.validated_data["period"],
            kind=query.validated_data["kind"],
            today=today,
            language=translation.get_language(),
        )
        return Response(ProgressSerializer(data).data)


class ProgrammeProgressViewSet(OpenViewMixin, viewsets.ViewSet):
    lookup_value_regex = "[^/]+"

    @extend_schema(
        summary="Tiến độ từng chỉ tiêu của một chương trình đến một ngày (như trang chương trình)",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Chương trình (id)"),
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description="Ngày tính, YYYY-MM-DD (mặc định: hôm nay)"
            ),
        ],
        responses={200: ProgrammeProgressSerializer},
    )
    def retrieve(self, request, pk=None):
        if not str(pk).isdigit() or int(pk) > 2_147_483_647:
            raise Http404
        # The programme's unit in the caller's reach, as the programme page: else 404.
        programme = access.get_object_for_user(request.user, Programme.objects.all(), int(pk))
        query = ProgrammeProgressQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        return Response(ProgrammeProgressSerializer(target_figures(programme, on)).data)


# --- reminders (the log, read only) ------------------------------------------------------


class ReminderSerializer(serializers.ModelSerializer):
    recipient_username = serializers.CharField(source="recipient.username", read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "kind",
            "organization",
            "period",
            "step",
            "recipient",
            "recipient_username",
            "email",
            "language",
            "status",
            "attempts",
            "last_error",
            "message_id",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class ReminderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboxMessage.Status.choices)
    kind = django_filters.ChoiceFilter(choices=OutboxMessage.Kind.choices)
    organization = django_filters.NumberFilter(field_name="organization_id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind", "organization", "created_after", "created_before"]


@extend_schema_view(
    list=extend_schema(summary="Nhật ký thư nhắc việc (lãnh đạo, quản trị: trong phạm vi)"),
    retrieve=extend_schema(summary="Một thư nhắc việc"),
)
class ReminderViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The same log as the reminder log page, scoped the same way: leaders and admins see
    the mail about the units they lead; staff see none (they do not oversee it)."""

    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
    ordering_fields = ["created_at", "sent_at", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return access.scope_led(
            OutboxMessage.objects.select_related("recipient"), self.request.user
        )


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("progress", ProgressViewSet, basename="progress")
router.register("programme-progress", ProgrammeProgressViewSet, basename="programme-progress")
router.register("reminders", ReminderViewSet, basename="reminder")
urlpatterns = router.urls
