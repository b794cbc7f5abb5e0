"""REST API of denunciations: list with deadlines, open one without a letter (from a
letter: `POST /letters/{id}/open-denunciation/`), extend once, conclude. Discipline is
added on its case (`POST /cases/{case}/disciplines/`)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from cases import queries, services
from cases.api.cases import SubjectInput
from cases.api.records import (
    ERRORS,
    DeadlineSerializer,
    RecordViewSetMixin,
    UnitFilterMixin,
    deadline_data,
)
from cases.models import Denunciation
from ktgs.api import InputSerializer, VersionInput, run_input
from plans.api import VisibleUnitField
from plans.models import DecidingBody


class DenunciationSerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="case.organization_id", read_only=True)
    body = serializers.ChoiceField(source="case.body", choices=DecidingBody.choices, read_only=True)
    # Declared: blank until concluded, which the model field's enum would not admit.
    conclusion = serializers.ChoiceField(
        choices=Denunciation.Conclusion.choices, allow_blank=True, read_only=True
    )
    title = serializers.CharField(source="case.title", read_only=True)
    case_status = serializers.CharField(source="case.status", read_only=True)
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = Denunciation
        fields = [
            "id",
            "case",
            "organization",
            "body",
            "title",
            "case_status",
            "letter",
            "received_on",
            "due_on",
            "extension_days",
            "extended_to",
            "extension_reason",
            "deadline",
            "conclusion",
            "concluded_on",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DeadlineSerializer)
    def get_deadline(self, denunciation: Denunciation) -> dict:
        return deadline_data(denunciation.deadline, denunciation.concluded_on)


class DenunciationInput(InputSerializer):
    organization = VisibleUnitField()
    body = serializers.ChoiceField(choices=DecidingBody.choices)
    received_on = serializers.DateField()
    accused = SubjectInput(help_text="Người (tổ chức) bị tố cáo: đối tượng của cuộc.")
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)


class ExtendInput(VersionInput):
    extended_to = serializers.DateField()
    extension_reason = serializers.CharField(max_length=20_000)


class ConcludeDenunciationInput(VersionInput):
    conclusion = serializers.ChoiceField(choices=Denunciation.Conclusion.choices)
    concluded_on = serializers.DateField()
    conclusion_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    violation_found = serializers.BooleanField(allow_null=True, required=False, default=None)
    shortcomings_found = serializers.BooleanField(allow_null=True, required=False, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class DenunciationFilter(UnitFilterMixin, queries.DenunciationFilter):
    unit_field = "case__organization"

    class Meta(queries.DenunciationFilter.Meta):
        fields = [*queries.DenunciationFilter.Meta.fields, "organization", "subtree_of"]


@extend_schema_view(
    list=extend_schema(summary="Hồ sơ giải quyết tố cáo trong phạm vi"),
    retrieve=extend_schema(summary="Một hồ sơ giải quyết tố cáo"),
    create=extend_schema(
        summary="Mở hồ sơ giải quyết tố cáo không qua đơn thư",
        description=ERRORS,
        request=DenunciationInput,
        responses={201: DenunciationSerializer},
    ),
)
class DenunciationViewSet(
    RecordViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DenunciationSerializer
    output_serializer = DenunciationSerializer
    filterset_class = DenunciationFilter
    scope_field = "case__organization"
    ordering_fields = ["received_on", "due_on", "concluded_on", "created_at", "id"]
    ordering = ["due_on", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return queries.denunciation_rows(self.request.user)

    def _writable(self) -> Denunciation:
        denunciation = self.get_object()
        self.check_write(denunciation.case.organization)
        return denunciation

    def create(self, request):
        self.check_any_write()
        data = run_input(DenunciationInput, request)
        self.check_write(data["organization"])
        data["accused"] = dict(data["accused"])
        denunciation = services.open_denunciation(
            user=request.user, letter=None, today=timezone.localdate(), **data
        )
        return self.output(denunciation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Gia hạn thời hạn giải quyết (một lần)",
        description=ERRORS,
        request=ExtendInput,
        responses={200: DenunciationSerializer},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        denunciation = self._writable()
        data = run_input(ExtendInput, request)
        denunciation = services.extend_denunciation(
            user=request.user,
            denunciation=denunciation,
            to=data["extended_to"],
            reason=data["extension_reason"],
            version=data["version"],
        )
        return self.output(denunciation)

    @extend_schema(
        summary="Kết luận nội dung tố cáo (kết luận cả cuộc kiểm tra)",
        description=ERRORS,
        request=ConcludeDenunciationInput,
        responses={200: DenunciationSerializer},
    )
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        denunciation = self._writable()
        data = run_input(ConcludeDenunciationInput, request)
        denunciation = services.conclude_denunciation(
            user=request.user, denunciation=denunciation, **data
        )
        return self.output(denunciation)
