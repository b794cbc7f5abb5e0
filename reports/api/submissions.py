"""REST API of the report round trip: submissions of period reports (list, retrieve,
submit, return, approve, reopen), the children's status of a parent for a period, and
comments on a unit's progress or report.

Scoped by ktgs.access: a submission or comment of a unit outside the caller's reach is
404. Inside reach, a caller whose role does not allow the action (a leader submitting,
the unit's own staff approving, staff reopening) gets 403. The rules themselves are
reports.services'; their refusals are 400 per field in Vietnamese, a stale version 409.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _g
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.records import UnitFilterMixin
from ktgs import access
from ktgs.api import IdRelatedField, InputSerializer, ScopedViewSetMixin, VersionInput, run_input
from ktgs.api_schema import FieldErrorsSerializer
from ktgs.filters import ID_SCHEMA, IdFilter
from plans.api import VisibleUnitField
from reports import services
from reports.models import Comment, ReportEvent, ReportPeriod, ReportSubmission
from reports.queries import submissions as queries

ERRORS = (
    "Lỗi kiểm tra dữ liệu: 400 theo từng trường (thông báo tiếng Việt); "
    "vai trò không cho phép: 403; phiên bản cũ: 409 kèm phiên bản hiện tại."
)


class ReportEventSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ReportEvent
        fields = ["id", "action", "user", "at", "text"]
        read_only_fields = fields


class ReportSubmissionSerializer(serializers.ModelSerializer):
    recipients = serializers.SerializerMethodField()
    figures = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text='Số liệu khi gửi: khóa ô ("lines.<loại>.cases", …) → số đếm.',
    )
    submitted_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    title = serializers.CharField(read_only=True)
    events = ReportEventSerializer(many=True, read_only=True)

    class Meta:
        model = ReportSubmission
        fields = [
            "id",
            "organization",
            "period",
            "title",
            "status",
            "number",
            "place",
            "signed_on",
            "recipients",
            "signer_capacity",
            "signer_title",
            "signer_name",
            "summary",
            "figures",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
            "version",
            "events",
        ]
        read_only_fields = fields

    def get_recipients(self, submission: ReportSubmission) -> list[str]:
        return list(submission.recipient_lines)


class PeriodField(IdRelatedField):
    """A report period's id (reports.models.ReportPeriod)."""

    def get_queryset(self):
        return ReportPeriod.objects.all()

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            # InputSerializer words "does not exist" for units; a period says its own.
            if error.get_codes() == ["does_not_exist"]:
                raise serializers.ValidationError(
                    _g("Kỳ báo cáo không tồn tại."), code="does_not_exist"
                ) from None
            raise


class SubmitInput(InputSerializer):
    organization = VisibleUnitField()
    period = PeriodField()
    number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    place = serializers.CharField(max_length=120, required=False, allow_blank=True)
    signed_on = serializers.DateField(required=False, allow_null=True)
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=50
    )
    signer_capacity = serializers.CharField(max_length=120, required=False, allow_blank=True)
    signer_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    signer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=0,
        max_value=2_147_483_647,
        required=False,
        allow_null=True,
        help_text="Khi gửi lại một báo cáo bị trả lại hoặc đã mở lại: phiên bản đã đọc.",
    )


class ReturnInput(VersionInput):
    comment = serializers.CharField(max_length=20_000)


class ReopenInput(VersionInput):
    reason = serializers.CharField(max_length=20_000)


class ChildStatusSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk")
    name = serializers.CharField(source="organization.name")
    status = serializers.ChoiceField(
        choices=[*ReportSubmission.Status.values, queries.MISSING],
        help_text="missing: chưa gửi.",
    )
    overdue = serializers.BooleanField(help_text="Quá hạn gửi mà chưa gửi (hoặc chưa gửi lại).")
    submission = serializers.IntegerField(source="submission.pk", allow_null=True, default=None)


class ChildrenStatusSerializer(serializers.Serializer):
    period = serializers.IntegerField(source="period.pk")
    due_on = serializers.DateField(allow_null=True)
    children = ChildStatusSerializer(many=True)


class ChildrenStatusQuery(InputSerializer):
    organization = VisibleUnitField()
    period = PeriodField()


class SubmissionFilter(UnitFilterMixin):
    period = IdFilter(field_name="period_id", label="Kỳ báo cáo (id)")
    status = django_filters.ChoiceFilter(
        choices=ReportSubmission.Status.choices, label="Trạng thái"
    )

    class Meta:
        model = ReportSubmission
        fields = ["organization", "subtree_of", "period", "status"]


@extend_schema_view(
    list=extend_schema(summary="Báo cáo kỳ đã gửi trong phạm vi"),
    retrieve=extend_schema(summary="Một báo cáo kỳ đã gửi, với diễn biến"),
    create=extend_schema(
        summary="Gửi (hoặc gửi lại) báo cáo kỳ của một đơn vị lên cấp trên",
        description=ERRORS,
        request=SubmitInput,
        responses={201: ReportSubmissionSerializer},
    ),
)
class ReportSubmissionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReportSubmissionSerializer
    filterset_class = SubmissionFilter
    ordering_fields = ["submitted_at", "id"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return self.scoped(
            ReportSubmission.objects.select_related(
                "organization", "period", "submitted_by", "decided_by"
            ).prefetch_related("events__user")
        )

    def output(self, submission, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(ReportSubmissionSerializer(fresh).data, status=code)

    def create(self, request):
        self.check_any_write()
        data = run_input(SubmitInput, request)
        self.check_write(data["organization"])
        data["recipients"] = "\n".join(data.get("recipients", []))
        submission = services.submit_report(user=request.user, today=timezone.localdate(), **data)
        return self.output(submission, status.HTTP_201_CREATED)

    def _decided(self, *, reopen: bool = False) -> ReportSubmission:
        submission = self.get_object()
        allowed = queries.may_reopen if reopen else queries.may_decide
        if not allowed(self.request.user, submission.organization):
            raise exceptions.PermissionDenied()
        return submission

    @extend_schema(
        summary="Trả lại báo cáo kèm ý kiến (cấp trên)",
        description=ERRORS,
        request=ReturnInput,
        responses={200: ReportSubmissionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        submission = self._decided()
        data = run_input(ReturnInput, request)
        submission = services.return_report(user=request.user, submission=submission, **data)
        return self.output(submission)

    @extend_schema(
        summary="Duyệt báo cáo (cấp trên); các hồ sơ báo cáo đã tính bị khóa",
        description=ERRORS,
        request=VersionInput,
        responses={200: ReportSubmissionSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        submission = self._decided()
        data = run_input(VersionInput, request)
        submission = services.approve_report(user=request.user, submission=submission, **data)
        return self.output(submission)

    @extend_schema(
        summary="Mở lại báo cáo đã duyệt (lãnh đạo cấp trên), ghi lý do",
        description=ERRORS,
        request=ReopenInput,
        responses={200: ReportSubmissionSerializer},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        submission = self._decided(reopen=True)
        data = run_input(ReopenInput, request)
        submission = services.reopen_report(user=request.user, submission=submission, **data)
        return self.output(submission)

    @extend_schema(
        summary="Tình trạng báo cáo kỳ của các đơn vị trực thuộc (quá hạn được đánh dấu)",
        parameters=[
            OpenApiParameter("organization", ID_SCHEMA, required=True, description="Đơn vị (id)"),
            OpenApiParameter("period", ID_SCHEMA, required=True, description="Kỳ báo cáo (id)"),
        ],
        filters=False,
        responses={200: ChildrenStatusSerializer, 400: FieldErrorsSerializer},
    )
    @action(detail=False, methods=["get"], url_path="children-status", pagination_class=None)
    def children_status(self, request):
        query = ChildrenStatusQuery(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        found = queries.children_status(
            query.validated_data["organization"],
            query.validated_data["period"],
            today=timezone.localdate(),
        )
        return Response(ChildrenStatusSerializer(found).data)


class CommentSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Comment
        fields = ["id", "organization", "period", "submission", "author", "text", "created_at"]
        read_only_fields = fields


class SubmissionField(IdRelatedField):
    def get_queryset(self):
        return access.scope(ReportSubmission.objects.all(), self.context["request"].user)


class CommentInput(InputSerializer):
    organization = VisibleUnitField()
    text = serializers.CharField(max_length=20_000)
    period = PeriodField(required=False, allow_null=True)
    submission = SubmissionField(required=False, allow_null=True)


class CommentFilter(UnitFilterMixin):
    period = IdFilter(field_name="period_id", label="Kỳ báo cáo (id)")

    class Meta:
        model = Comment
        fields = ["organization", "subtree_of", "period"]


@extend_schema_view(
    list=extend_schema(summary="Góp ý về tiến độ, báo cáo của đơn vị trong phạm vi"),
    retrieve=extend_schema(summary="Một góp ý"),
    create=extend_schema(
        summary="Góp ý về tiến độ hoặc báo cáo của một đơn vị",
        description=ERRORS,
        request=CommentInput,
        responses={201: CommentSerializer},
    ),
)
class CommentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return self.scoped(Comment.objects.select_related("author"))

    def create(self, request):
        data = run_input(CommentInput, request)
        comment = services.add_comment(user=request.user, **data)
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(CommentSerializer(fresh).data, status=status.HTTP_201_CREATED)
