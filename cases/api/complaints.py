"""REST API of disciplinary complaints: list, lodge, decide."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _g
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from cases import queries, services
from cases.api.records import ERRORS, RecordViewSetMixin, UnitFilterMixin
from cases.models import DisciplineComplaint, DisciplineDecision, Letter
from ktgs import access
from ktgs.api import InputSerializer, VersionInput, run_input
from plans.api import VisibleUnitField
from plans.models import DecidingBody


class ComplaintSerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="case.organization_id", read_only=True)
    body = serializers.ChoiceField(source="case.body", choices=DecidingBody.choices, read_only=True)
    title = serializers.CharField(source="case.title", read_only=True)
    case_status = serializers.CharField(source="case.status", read_only=True)
    result = serializers.ChoiceField(
        choices=DisciplineComplaint.Result.choices, allow_blank=True, read_only=True
    )
    new_form = serializers.ChoiceField(
        choices=DisciplineDecision.Form.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = DisciplineComplaint
        fields = [
            "id",
            "case",
            "organization",
            "body",
            "title",
            "case_status",
            "discipline",
            "letter",
            "complainant",
            "decision_received_on",
            "lodged_on",
            "late_reason",
            "result",
            "new_form",
            "decided_on",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ComplaintInput(InputSerializer):
    discipline = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    organization = VisibleUnitField(help_text="Đơn vị giải quyết.")
    body = serializers.ChoiceField(choices=DecidingBody.choices)
    decision_received_on = serializers.DateField()
    lodged_on = serializers.DateField()
    complainant = serializers.CharField(max_length=255, required=False, allow_blank=True)
    late_reason = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    letter = serializers.IntegerField(
        min_value=1, max_value=2_147_483_647, required=False, allow_null=True
    )
    letter_version = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)


class DecideInput(VersionInput):
    result = serializers.ChoiceField(choices=DisciplineComplaint.Result.choices)
    decided_on = serializers.DateField()
    new_form = serializers.ChoiceField(
        choices=DisciplineDecision.Form.choices, required=False, allow_blank=True
    )
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    conclusion_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class ComplaintFilter(UnitFilterMixin, queries.ComplaintFilter):
    unit_field = "case__organization"

    class Meta(queries.ComplaintFilter.Meta):
        fields = [*queries.ComplaintFilter.Meta.fields, "organization", "subtree_of"]


@extend_schema_view(
    list=extend_schema(summary="Hồ sơ giải quyết khiếu nại kỷ luật trong phạm vi"),
    retrieve=extend_schema(summary="Một hồ sơ giải quyết khiếu nại kỷ luật"),
    create=extend_schema(
        summary="Ghi nhận khiếu nại đối với một quyết định kỷ luật",
        description=ERRORS,
        request=ComplaintInput,
        responses={201: ComplaintSerializer},
    ),
)
class ComplaintViewSet(
    RecordViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ComplaintSerializer
    output_serializer = ComplaintSerializer
    filterset_class = ComplaintFilter
    scope_field = "case__organization"
    ordering_fields = ["lodged_on", "decided_on", "created_at", "id"]
    ordering = ["-lodged_on", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return queries.complaints_for(self.request.user)

    def create(self, request):
        self.check_any_write()
        data = run_input(ComplaintInput, request)
        self.check_write(data["organization"])
        discipline = queries.open_disciplines(request.user).filter(pk=data["discipline"]).first()
        if discipline is None:
            raise ValidationError(
                {"discipline": _g("Quyết định kỷ luật không thuộc phạm vi của bạn.")}
            )
        data["discipline"] = discipline
        letter_pk = data.pop("letter", None)
        if letter_pk is not None:
            letter = access.scope(Letter.objects.all(), request.user).filter(pk=letter_pk).first()
            if letter is None:
                raise ValidationError({"letter": _g("Đơn thư không thuộc phạm vi của bạn.")})
            data["letter"] = letter
        complaint = services.lodge_complaint(user=request.user, today=timezone.localdate(), **data)
        return self.output(complaint, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Kết quả giải quyết khiếu nại (kết luận cả cuộc kiểm tra)",
        description=ERRORS,
        request=DecideInput,
        responses={200: ComplaintSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        complaint = self.get_object()
        self.check_write(complaint.case.organization)
        data = run_input(DecideInput, request)
        complaint = services.decide_complaint(user=request.user, complaint=complaint, **data)
        return self.output(complaint)
