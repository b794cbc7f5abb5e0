"""REST API of suspensions: list with planned ends, record, extend, lift."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from cases import queries, services
from cases.api.records import (
    ERRORS,
    DeadlineSerializer,
    RecordViewSetMixin,
    UnitFilterMixin,
    deadline_data,
)
from cases.models import Suspension
from ktgs.api import InputSerializer, VersionInput, run_input
from plans.api import VisibleUnitField
from plans.models import DecidingBody


class SuspensionSerializer(serializers.ModelSerializer):
    deadline = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(
        choices=Suspension.Outcome.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Suspension
        fields = [
            "id",
            "organization",
            "body",
            "kind",
            "member_name",
            "member_position",
            "is_committee_member",
            "subject_organization",
            "decision_number",
            "decided_on",
            "reason",
            "reason_detail",
            "starts_on",
            "ends_on",
            "cap_days",
            "extension_reason",
            "deadline",
            "lifted_on",
            "outcome",
            "outcome_note",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DeadlineSerializer)
    def get_deadline(self, suspension: Suspension) -> dict:
        return deadline_data(suspension.ends_on, suspension.lifted_on)


class SuspensionInput(InputSerializer):
    organization = VisibleUnitField()
    body = serializers.ChoiceField(choices=DecidingBody.choices)
    kind = serializers.ChoiceField(choices=Suspension.Kind.choices)
    reason = serializers.ChoiceField(choices=Suspension.Reason.choices)
    starts_on = serializers.DateField()
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)
    member_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    member_position = serializers.CharField(max_length=160, required=False, allow_blank=True)
    is_committee_member = serializers.BooleanField(required=False, default=False)
    subject_organization = VisibleUnitField(required=False, allow_null=True)
    reason_detail = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


class ExtendSuspensionInput(VersionInput):
    ends_on = serializers.DateField()
    extension_reason = serializers.CharField(max_length=20_000)


class LiftInput(VersionInput):
    lifted_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Suspension.Outcome.choices)
    outcome_note = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


class SuspensionFilter(UnitFilterMixin, queries.SuspensionFilter):
    unit_field = "organization"

    class Meta(queries.SuspensionFilter.Meta):
        fields = [*queries.SuspensionFilter.Meta.fields, "organization", "subtree_of"]


@extend_schema_view(
    list=extend_schema(summary="Quyết định đình chỉ trong phạm vi"),
    retrieve=extend_schema(summary="Một quyết định đình chỉ"),
    create=extend_schema(
        summary="Ghi nhận một quyết định đình chỉ",
        description=ERRORS,
        request=SuspensionInput,
        responses={201: SuspensionSerializer},
    ),
)
class SuspensionViewSet(
    RecordViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SuspensionSerializer
    output_serializer = SuspensionSerializer
    filterset_class = SuspensionFilter
    ordering_fields = ["starts_on", "ends_on", "lifted_on", "created_at", "id"]
    ordering = ["-starts_on", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return queries.suspension_rows(self.request.user)

    def _writable(self) -> Suspension:
        suspension = self.get_object()
        self.check_write(suspension.organization)
        return suspension

    def create(self, request):
        self.check_any_write()
        data = run_input(SuspensionInput, request)
        self.check_write(data["organization"])
        suspension = services.record_suspension(user=request.user, **data)
        return self.output(suspension, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Gia hạn đình chỉ (trong tổng thời gian tối đa)",
        description=ERRORS,
        request=ExtendSuspensionInput,
        responses={200: SuspensionSerializer},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        suspension = self._writable()
        data = run_input(ExtendSuspensionInput, request)
        suspension = services.extend_suspension(
            user=request.user,
            suspension=suspension,
            to=data["ends_on"],
            reason=data["extension_reason"],
            version=data["version"],
        )
        return self.output(suspension)

    @extend_schema(
        summary="Chấm dứt đình chỉ",
        description=ERRORS,
        request=LiftInput,
        responses={200: SuspensionSerializer},
    )
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        suspension = self._writable()
        data = run_input(LiftInput, request)
        suspension = services.lift_suspension(user=request.user, suspension=suspension, **data)
        return self.output(suspension)
