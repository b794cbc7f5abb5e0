"""REST API of letters received: list, record, correct, and handle (keep, settle here,
forward, link to a case, open the handling of the denunciation it makes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _g
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import queries, services
from cases.api.denunciations import DenunciationSerializer
from cases.api.records import ERRORS, RecordViewSetMixin, UnitFilterMixin
from cases.models import Case, Letter
from ktgs import access
from ktgs.api import InputSerializer, VersionInput, run_input
from plans.api import VisibleUnitField
from plans.models import Body, DecidingBody


class LetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = [
            "id",
            "organization",
            "body",
            "received_on",
            "reference",
            "sender_kind",
            "sender_name",
            "kind",
            "about_kind",
            "about_organization",
            "about_member_name",
            "about_member_position",
            "about_is_committee_member",
            "summary",
            "handling",
            "handled_on",
            "forwarded_to",
            "case",
            "forwarded_from",
            "root",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class LetterInput(InputSerializer):
    organization = VisibleUnitField()
    body = serializers.ChoiceField(choices=Body.choices)
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=32, required=False, allow_blank=True)
    sender_kind = serializers.ChoiceField(
        choices=Letter.SenderKind.choices, default=Letter.SenderKind.NAMED
    )
    sender_name = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Chỉ lưu khi người gửi có họ tên, địa chỉ (named).",
    )
    kind = serializers.ChoiceField(choices=Letter.Kind.choices)
    about_kind = serializers.ChoiceField(choices=Letter.AboutKind.choices)
    about_organization = VisibleUnitField(required=False, allow_null=True)
    about_member_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    about_member_position = serializers.CharField(max_length=160, required=False, allow_blank=True)
    about_is_committee_member = serializers.BooleanField(required=False, default=False)
    summary = serializers.CharField(max_length=20_000)


class LetterUpdateInput(VersionInput):
    body = serializers.ChoiceField(choices=Body.choices, required=False)
    received_on = serializers.DateField(required=False)
    reference = serializers.CharField(max_length=32, required=False, allow_blank=True)
    sender_kind = serializers.ChoiceField(choices=Letter.SenderKind.choices, required=False)
    sender_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Letter.Kind.choices, required=False)
    about_kind = serializers.ChoiceField(choices=Letter.AboutKind.choices, required=False)
    about_organization = VisibleUnitField(required=False, allow_null=True)
    about_member_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    about_member_position = serializers.CharField(max_length=160, required=False, allow_blank=True)
    about_is_committee_member = serializers.BooleanField(required=False)
    summary = serializers.CharField(max_length=20_000, required=False)


class HandledInput(VersionInput):
    handled_on = serializers.DateField()


class ForwardInput(HandledInput):
    forwarded_to = serializers.IntegerField(
        min_value=1,
        max_value=2_147_483_647,
        help_text="Đơn vị cấp trên của đơn vị nhận, hoặc đơn vị trong phạm vi.",
    )
    body = serializers.ChoiceField(choices=Body.choices, required=False)


class LinkCaseInput(HandledInput):
    case = serializers.IntegerField(min_value=1, max_value=2_147_483_647)


class OpenDenunciationInput(VersionInput):
    body = serializers.ChoiceField(choices=DecidingBody.choices)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)


class LetterFilter(UnitFilterMixin, queries.LetterFilter):
    unit_field = "organization"

    class Meta(queries.LetterFilter.Meta):
        fields = [*queries.LetterFilter.Meta.fields, "organization", "subtree_of"]


@extend_schema_view(
    list=extend_schema(summary="Đơn thư trong phạm vi"),
    retrieve=extend_schema(summary="Một đơn thư"),
    create=extend_schema(
        summary="Ghi nhận một đơn thư (chưa xử lý)",
        description=ERRORS,
        request=LetterInput,
        responses={201: LetterSerializer},
    ),
    partial_update=extend_schema(
        summary="Sửa thông tin đơn thư (không phải việc xử lý)",
        description=ERRORS,
        request=LetterUpdateInput,
        responses={200: LetterSerializer},
    ),
)
class LetterViewSet(
    RecordViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LetterSerializer
    output_serializer = LetterSerializer
    filterset_class = LetterFilter
    ordering_fields = ["received_on", "handled_on", "created_at", "id"]
    ordering = ["-received_on", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return queries.letters_for(self.request.user)

    def _writable(self) -> Letter:
        letter = self.get_object()
        self.check_write(letter.organization)
        return letter

    def create(self, request):
        self.check_any_write()
        data = run_input(LetterInput, request)
        self.check_write(data["organization"])
        letter = services.record_letter(user=request.user, today=timezone.localdate(), **data)
        return self.output(letter, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        letter = self._writable()
        data = run_input(LetterUpdateInput, request)
        version = data.pop("version")
        letter = services.update_letter(
            user=request.user,
            letter=letter,
            version=version,
            today=timezone.localdate(),
            **data,
        )
        return self.output(letter)

    @extend_schema(
        summary="Lưu đơn để tham khảo", request=HandledInput, responses={200: LetterSerializer}
    )
    @action(detail=True, methods=["post"])
    def keep(self, request, pk=None):
        letter = self._writable()
        data = run_input(HandledInput, request)
        letter = services.keep_letter(
            user=request.user, letter=letter, on=data["handled_on"], version=data["version"]
        )
        return self.output(letter)

    @extend_schema(
        summary="Giải quyết theo thẩm quyền (kiến nghị, phản ánh)",
        request=HandledInput,
        responses={200: LetterSerializer},
    )
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        letter = self._writable()
        data = run_input(HandledInput, request)
        letter = services.handle_letter(
            user=request.user, letter=letter, on=data["handled_on"], version=data["version"]
        )
        return self.output(letter)

    @extend_schema(
        summary="Chuyển đơn đến đơn vị khác: trả về đơn này (đã chuyển)",
        request=ForwardInput,
        responses={200: LetterSerializer},
    )
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        letter = self._writable()
        data = run_input(ForwardInput, request)
        to = queries.forward_destinations(letter, request.user).filter(pk=data["forwarded_to"])
        if not to.exists():
            raise ValidationError(
                {"forwarded_to": _g("Đơn vị không thuộc phạm vi của bạn.")}, code="invalid"
            )
        services.forward_letter(
            user=request.user,
            letter=letter,
            to=to.get(),
            on=data["handled_on"],
            version=data["version"],
            body=data.get("body"),
        )
        return self.output(letter)

    @extend_schema(
        summary="Gắn đơn với cuộc kiểm tra mà đơn dẫn đến",
        request=LinkCaseInput,
        responses={200: LetterSerializer},
    )
    @action(detail=True, methods=["post"], url_path="link-case")
    def link_case(self, request, pk=None):
        letter = self._writable()
        data = run_input(LinkCaseInput, request)
        case = access.scope(Case.objects.all(), request.user).filter(pk=data["case"]).first()
        if case is None:
            raise ValidationError({"case": _g("Cuộc kiểm tra không thuộc phạm vi của bạn.")})
        letter = services.link_letter_case(
            user=request.user,
            letter=letter,
            case=case,
            on=data["handled_on"],
            version=data["version"],
        )
        return self.output(letter)

    @extend_schema(
        summary="Mở hồ sơ giải quyết tố cáo từ đơn tố cáo",
        description=ERRORS,
        request=OpenDenunciationInput,
        responses={201: DenunciationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="open-denunciation")
    def open_denunciation(self, request, pk=None):
        letter = self._writable()
        data = run_input(OpenDenunciationInput, request)
        denunciation = services.open_denunciation(
            user=request.user, letter=letter, today=timezone.localdate(), **data
        )
        fresh = queries.denunciation_rows(request.user).get(pk=denunciation.pk)
        return Response(DenunciationSerializer(fresh).data, status=status.HTTP_201_CREATED)
