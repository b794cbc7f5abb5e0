"""REST API of programmes (with their amendments, read-only) and targets.

Thin: the queryset comes from ktgs.access, the input serializer only parses, the service
in plans.services decides and writes (the same functions as the staff pages), the output
serializer shows the result."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ktgs import access
from ktgs.api import (
    IdRelatedField,
    InputSerializer,
    ScopedViewSetMixin,
    VersionInput,
    run_input,
)
from ktgs.filters import IdFilter, YearFilter
from plans import services
from plans.models import ActivityKind, Amendment, Body, Programme, Target

# --- output -----------------------------------------------------------------------------


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Amendment
        fields = ["id", "doc_number", "issued_on", "effective_on", "summary", "created_at"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    amendments = AmendmentSerializer(many=True, read_only=True)
    target_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "organization",
            "body",
            "scope",
            "year",
            "end_year",
            "title",
            "doc_number",
            "issued_on",
            "starts_on",
            "ends_on",
            "status",
            "version",
            "target_count",
            "amendments",
            "created_at",
        ]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    origin = serializers.ChoiceField(
        choices=[("original", "original"), ("amendment", "amendment")], read_only=True
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "programme",
            "organization",
            "kind",
            "counts",
            "quantity",
            "member_share",
            "subject_organization",
            "subject_text",
            "due_on",
            "added_by",
            "removed_by",
            "replaces",
            "origin",
            "version",
        ]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------


class VisibleUnitField(IdRelatedField):
    """A unit id the caller can see; any other id reads as "not in your reach"."""

    def get_queryset(self):
        return access.visible_organizations(self.context["request"].user)


class ProgrammeInput(InputSerializer):
    organization = VisibleUnitField()
    body = serializers.ChoiceField(choices=Body.choices)
    scope = serializers.ChoiceField(choices=Programme.Scope.choices, default=Programme.Scope.YEAR)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    end_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    title = serializers.CharField(max_length=255)
    doc_number = serializers.CharField(max_length=64)
    issued_on = serializers.DateField()
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)


class ProgrammeUpdateInput(VersionInput):
    organization = VisibleUnitField(required=False)
    body = serializers.ChoiceField(choices=Body.choices, required=False)
    scope = serializers.ChoiceField(choices=Programme.Scope.choices, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    end_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    title = serializers.CharField(max_length=255, required=False)
    doc_number = serializers.CharField(max_length=64, required=False)
    issued_on = serializers.DateField(required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)


class TargetInput(VersionInput):
    """A target added to a DRAFT programme; `version` is the programme's."""

    programme = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    organization = VisibleUnitField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    counts = serializers.ChoiceField(choices=Target.Counts.choices, default=Target.Counts.CASES)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    member_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    subject_organization = VisibleUnitField(required=False, allow_null=True)
    subject_text = serializers.CharField(max_length=255, required=False, allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True)


# --- views ------------------------------------------------------------------------------


class ProgrammeFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")
    subtree_of = IdFilter(method="filter_subtree_of")
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=Programme.Status.choices)
    scope = django_filters.ChoiceFilter(choices=Programme.Scope.choices)
    body = django_filters.ChoiceFilter(choices=Body.choices)

    class Meta:
        model = Programme
        fields = ["organization", "subtree_of", "year", "status", "scope", "body"]

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


_ERRORS_NOTE = _(
    "Lỗi kiểm tra dữ liệu: 400 theo từng trường (thông báo tiếng Việt như trên biểu mẫu); "
    "phiên bản cũ: 409."
)


@extend_schema_view(
    list=extend_schema(summary="Chương trình kiểm tra, giám sát trong phạm vi"),
    retrieve=extend_schema(summary="Một chương trình, kèm các văn bản điều chỉnh"),
    create=extend_schema(
        summary="Tạo chương trình (dự thảo)",
        description=str(_ERRORS_NOTE),
        request=ProgrammeInput,
        responses={201: ProgrammeSerializer},
    ),
    partial_update=extend_schema(
        summary="Sửa đầu mục chương trình",
        description=str(_ERRORS_NOTE),
        request=ProgrammeUpdateInput,
        responses={200: ProgrammeSerializer},
    ),
)
class ProgrammeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["year", "issued_on", "doc_number", "id"]
    ordering = ["-year", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return self.scoped(
            Programme.objects.annotate(target_count=Count("targets")).prefetch_related(
                Prefetch("amendments", queryset=Amendment.objects.order_by("effective_on", "pk"))
            )
        )

    def _output(self, programme: Programme, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=programme.pk)
        return Response(ProgrammeSerializer(fresh).data, status=code)

    def create(self, request):
        self.check_any_write()
        data = run_input(ProgrammeInput, request)
        self.check_write(data["organization"])
        programme = services.create_programme(user=request.user, **data)
        return self._output(programme, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        programme = self.get_object()
        self.check_write(programme.organization)
        data = run_input(ProgrammeUpdateInput, request)
        if "organization" in data:
            self.check_write(data["organization"])
        version = data.pop("version")
        programme = services.update_programme(
            programme=programme, version=version, user=request.user, **data
        )
        return self._output(programme)

    def _status_action(self, request, service):
        programme = self.get_object()
        self.check_write(programme.organization)
        data = run_input(VersionInput, request)
        programme = service(programme=programme, version=data["version"], user=request.user)
        return self._output(programme)

    @extend_schema(
        summary="Ban hành chương trình dự thảo",
        request=VersionInput,
        responses={200: ProgrammeSerializer},
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._status_action(request, services.issue_programme)

    @extend_schema(
        summary="Kết thúc chương trình đã ban hành",
        request=VersionInput,
        responses={200: ProgrammeSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._status_action(request, services.close_programme)


class TargetFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id")
    organization = IdFilter(field_name="organization_id")
    year = YearFilter(field_name="programme__year")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    counts = django_filters.ChoiceFilter(choices=Target.Counts.choices)
    in_force = django_filters.BooleanFilter(field_name="removed_by", lookup_expr="isnull")

    class Meta:
        model = Target
        fields = ["programme", "organization", "year", "kind", "counts", "in_force"]


@extend_schema_view(
    list=extend_schema(
        summary="Chỉ tiêu: của các chương trình trong phạm vi và giao cho đơn vị trong phạm vi"
    ),
    retrieve=extend_schema(summary="Một chỉ tiêu"),
    create=extend_schema(
        summary="Thêm chỉ tiêu vào chương trình dự thảo (version: phiên bản chương trình)",
        description=str(_ERRORS_NOTE),
        request=TargetInput,
        responses={201: TargetSerializer},
    ),
    destroy=extend_schema(
        summary="Xóa chỉ tiêu của chương trình dự thảo",
        parameters=[
            OpenApiParameter(
                "version",
                int,
                required=False,
                description="Phiên bản chương trình đã đọc; khác phiên bản hiện tại → 409.",
            )
        ],
    ),
)
class TargetViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["due_on", "quantity", "kind", "id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        targets = Target.objects.all()
        # A target is seen with its programme, and by the unit it is set for.
        visible = access.scope(targets, user, field="programme__organization") | access.scope(
            targets, user
        )
        return visible.select_related("programme__organization", "organization").distinct()

    def create(self, request):
        self.check_any_write()
        data = run_input(TargetInput, request)
        programme = access.get_object_for_user(
            request.user, Programme.objects.all(), data["programme"]
        )
        self.check_write(programme.organization)
        version = data.pop("version")
        data.pop("programme")
        target = services.add_target(
            programme=programme, user=request.user, version=version, **data
        )
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        target = self.get_object()
        self.check_write(target.programme.organization)
        raw = request.query_params.get("version")
        if raw not in (None, "") and not str(raw).isdigit():
            raise serializers.ValidationError({"version": [str(_("Giá trị không hợp lệ."))]})
        services.remove_target(target=target, user=request.user, version=raw or None)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("plans", ProgrammeViewSet, basename="programme")
router.register("targets", TargetViewSet, basename="target")
urlpatterns = router.urls
