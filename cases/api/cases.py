"""REST API of cases, their subjects, conclusion, status and discipline.

Thin, like the pages: ktgs.access scopes every read and write, the input serializers
only parse, cases.services decides and writes (the same functions as the forms, so the
history names the user), the output serializers show the result."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import queries, services
from cases.models import Case, CaseSubject, DisciplineDecision
from ktgs import access
from ktgs.api import InputSerializer, ScopedViewSetMixin, VersionInput, run_input
from ktgs.filters import IdFilter
from plans.api import VisibleUnitField
from plans.models import ActivityKind, Body, DecidingBody, Target

# --- output -----------------------------------------------------------------------------


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseSubject
        fields = [
            "id",
            "kind",
            "organization",
            "member_name",
            "member_position",
            "is_committee_member",
            "is_head",
            "is_probationary",
        ]
        read_only_fields = fields


class DisciplineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisciplineDecision
        fields = [
            "id",
            "subject",
            "form",
            "decision_number",
            "decided_on",
            "deciding_organization",
            "deciding_body",
            "is_committee_member",
            "created_at",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    origin = serializers.SerializerMethodField()
    subject_count = serializers.IntegerField(read_only=True)
    next_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "organization",
            "body",
            "kind",
            "year",
            "target",
            "origin",
            "title",
            "decision_number",
            "decided_on",
            "work_starts_on",
            "work_ends_on",
            "status",
            "next_statuses",
            "concluded_on",
            "conclusion_number",
            "violation_found",
            "shortcomings_found",
            "summary",
            "subject_count",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    def get_origin(self, case: Case) -> str:
        """`planned` (fulfils a target) or `arising` (phát sinh)."""
        return "arising" if case.is_arising else "planned"

    def get_next_statuses(self, case: Case) -> list[str]:
        """The states `POST …/status/` may move the case to."""
        return list(services.allowed_statuses(case))


# --- input ------------------------------------------------------------------------------


class SubjectInput(InputSerializer):
    kind = serializers.ChoiceField(choices=CaseSubject.Kind.choices)
    organization = VisibleUnitField(required=False, allow_null=True)
    member_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    member_position = serializers.CharField(max_length=160, required=False, allow_blank=True)
    is_committee_member = serializers.BooleanField(required=False, default=False)
    is_head = serializers.BooleanField(required=False, default=False)
    is_probationary = serializers.BooleanField(required=False, default=False)


class SubjectAddInput(SubjectInput):
    version = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )


class TargetField(serializers.IntegerField):
    """A target the caller can see; omitted: the service proposes one; null: arising."""


class CaseInput(InputSerializer):
    organization = VisibleUnitField()
    body = serializers.ChoiceField(choices=Body.choices)
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=255)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    target = TargetField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2_147_483_647,
        help_text="Bỏ trống: tự động đề xuất chỉ tiêu; null: phát sinh.",
    )
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)
    work_starts_on = serializers.DateField(required=False, allow_null=True)
    work_ends_on = serializers.DateField(required=False, allow_null=True)
    subjects = SubjectInput(many=True, required=False)
    confirm_body_mismatch = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "true: nhận chỉ tiêu thuộc chương trình của đơn vị do chủ thể khác ban hành "
            "(không có: lỗi 400 ở `target`); chỉ tiêu tự động đề xuất luôn của chủ thể "
            "của cuộc."
        ),
    )


class CaseUpdateInput(VersionInput):
    organization = VisibleUnitField(required=False)
    body = serializers.ChoiceField(choices=Body.choices, required=False)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, required=False)
    title = serializers.CharField(max_length=255, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    target = TargetField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2_147_483_647,
        help_text="null: phát sinh.",
    )
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)
    work_starts_on = serializers.DateField(required=False, allow_null=True)
    work_ends_on = serializers.DateField(required=False, allow_null=True)
    confirm_body_mismatch = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "true: nhận chỉ tiêu (hoặc chủ thể mới) khi chỉ tiêu thuộc chương trình của "
            "đơn vị do chủ thể khác ban hành."
        ),
    )


class StatusInput(VersionInput):
    status = serializers.ChoiceField(choices=Case.Status.choices)


class ConcludeInput(VersionInput):
    concluded_on = serializers.DateField()
    conclusion_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    violation_found = serializers.BooleanField(allow_null=True, required=False, default=None)
    shortcomings_found = serializers.BooleanField(allow_null=True, required=False, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class DisciplineInput(InputSerializer):
    subject = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    form = serializers.ChoiceField(choices=DisciplineDecision.Form.choices)
    decision_number = serializers.CharField(max_length=64)
    decided_on = serializers.DateField()
    deciding_organization = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    deciding_body = serializers.ChoiceField(choices=DecidingBody.choices)
    is_committee_member = serializers.BooleanField(required=False, allow_null=True, default=None)


# --- views ------------------------------------------------------------------------------


class CaseApiFilter(queries.CaseFilter):
    organization = IdFilter(field_name="organization_id")
    subtree_of = IdFilter(method="filter_subtree_of")

    class Meta(queries.CaseFilter.Meta):
        fields = [*queries.CaseFilter.Meta.fields, "organization", "subtree_of"]

    def filter_subtree_of(self, queryset, name, value):
        path = (
            access.visible_organizations(self.request.user)
            .filter(pk=value)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=path)


def _target(user, pk: int | None):
    """The target the caller named, among those they can see; None stays None."""
    if pk is None:
        return None
    targets = access.scope(Target.objects.all(), user) | access.scope(
        Target.objects.all(), user, field="programme__organization"
    )
    found = targets.select_related("programme__organization").filter(pk=pk).first()
    if found is None:
        raise ValidationError({"target": _g("Chỉ tiêu không thuộc phạm vi của bạn.")})
    return found


_CASE_ERRORS = (
    "Lỗi kiểm tra dữ liệu: 400 theo từng trường (thông báo tiếng Việt như trên biểu mẫu; "
    "lỗi của đối tượng thứ i nằm ở subjects[i]); phiên bản cũ: 409 kèm phiên bản hiện tại."
)


@extend_schema_view(
    list=extend_schema(summary="Cuộc kiểm tra, giám sát trong phạm vi"),
    retrieve=extend_schema(summary="Một cuộc kiểm tra, giám sát"),
    create=extend_schema(
        summary="Ghi nhận một cuộc (dự thảo) kèm đối tượng",
        description=_CASE_ERRORS,
        request=CaseInput,
        responses={201: CaseSerializer},
    ),
    partial_update=extend_schema(
        summary="Sửa thông tin cuộc kiểm tra, giám sát",
        description=_CASE_ERRORS,
        request=CaseUpdateInput,
        responses={200: CaseSerializer},
    ),
)
class CaseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CaseSerializer
    filterset_class = CaseApiFilter
    ordering_fields = ["year", "decided_on", "concluded_on", "created_at", "id"]
    ordering = ["-year", "-decided_on", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return queries.cases_for(self.request.user)

    def _writable_case(self) -> Case:
        case = self.get_object()
        self.check_write(case.organization)
        return case

    def _output(self, case: Case, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(fresh).data, status=code)

    def create(self, request):
        self.check_any_write()
        data = run_input(CaseInput, request)
        self.check_write(data["organization"])
        data["target"] = (
            _target(request.user, data["target"]) if "target" in data else services.AUTO
        )
        data["subjects"] = [dict(subject) for subject in data.get("subjects", [])]
        case = services.record_case(user=request.user, **data)
        return self._output(case, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        case = self._writable_case()
        data = run_input(CaseUpdateInput, request)
        if "organization" in data:
            self.check_write(data["organization"])
        if "target" in data:
            data["target"] = _target(request.user, data["target"])
        for name in ("decision_number",):
            if name in data and data[name] is None:
                data[name] = ""
        version = data.pop("version")
        case = services.update_case(user=request.user, case=case, version=version, **data)
        return self._output(case)

    @extend_schema(
        summary="Chuyển trạng thái (theo các bước cho phép: next_statuses)",
        request=StatusInput,
        responses={200: CaseSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        case = self._writable_case()
        data = run_input(StatusInput, request)
        case = services.change_status(user=request.user, case=case, **data)
        return self._output(case)

    @extend_schema(
        summary="Ghi nhận (hoặc sửa) kết luận: từ đây cuộc được tính vào tiến độ",
        request=ConcludeInput,
        responses={200: CaseSerializer},
    )
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        case = self._writable_case()
        data = run_input(ConcludeInput, request)
        case = services.conclude_case(user=request.user, case=case, **data)
        return self._output(case)

    @extend_schema(
        methods=["GET"], summary="Đối tượng của cuộc", responses={200: SubjectSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        summary="Thêm một đối tượng",
        request=SubjectAddInput,
        responses={201: SubjectSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def subjects(self, request, pk=None):
        if request.method == "GET":
            case = self.get_object()
            rows = case.subjects.order_by("pk")
            return Response(SubjectSerializer(rows, many=True).data)
        case = self._writable_case()
        data = run_input(SubjectAddInput, request)
        version = data.pop("version", None)
        subject = services.add_subject(user=request.user, case=case, version=version, **data)
        return Response(SubjectSerializer(subject).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Quyết định kỷ luật của cuộc",
        responses={200: DisciplineSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Ghi nhận một quyết định kỷ luật (cuộc đã có kết luận)",
        request=DisciplineInput,
        responses={201: DisciplineSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def disciplines(self, request, pk=None):
        if request.method == "GET":
            case = self.get_object()
            rows = case.disciplines.order_by("decided_on", "pk")
            return Response(DisciplineSerializer(rows, many=True).data)
        case = self._writable_case()
        data = run_input(DisciplineInput, request)
        subject = case.subjects.filter(pk=data.pop("subject")).first()
        if subject is None:
            raise ValidationError(
                {"subject": _g("Đối tượng này không thuộc cuộc kiểm tra, giám sát.")}
            )
        deciding = (
            queries.deciding_organizations(case.organization)
            .filter(pk=data.pop("deciding_organization"))
            .first()
        )
        if deciding is None:
            raise ValidationError(
                {
                    "deciding_organization": _g(
                        "Đơn vị quyết định phải là đơn vị tiến hành hoặc một đơn vị cấp trên."
                    )
                }
            )
        decision = services.add_discipline(
            user=request.user,
            case=case,
            subject=subject,
            deciding_organization=deciding,
            **data,
        )
        return Response(DisciplineSerializer(decision).data, status=status.HTTP_201_CREATED)
