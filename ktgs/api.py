"""The REST API's shared pieces, and the organisation endpoints.

Every app's `api.py` builds on these: views opened to DRF's own authentication (the
site's LoginRequiredMiddleware would redirect a token client to the login page), a
throttle for token clients, one exception handler that turns the services' Django
ValidationError into DRF's per-field 400 and a stale version into 409, Vietnamese
messages for the serializers' own checks, and the schema's error responses.

Writes follow one rule: an object outside the caller's reach answers 404 (its existence
is not revealed), an object inside it that the caller may only read answers 403.
"""

from __future__ import annotations

import datetime
import re

import django_filters
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import (
    exceptions,
    filters,
    serializers,
    viewsets,
)
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict

from ktgs import access, converters, search
from ktgs.filters import ID_SCHEMA, IdFilter
from ktgs.models import Organization, UnitKind

# --- views opened to DRF's authentication ----------------------------------------------


def open_view(view):
    """LoginRequiredMiddleware runs before DRF authenticates a token: let DRF decide
    (its IsAuthenticated answers 401 to an anonymous client instead of a redirect)."""
    view.login_required = False
    return view


# The largest id PostgreSQL's integer primary keys hold.
MAX_ID = converters.MAX_ID


def path_id(value) -> int:
    """An id taken from a URL path that any text may fill (the viewsets' lookup accepts
    it so that a wrong one gets the API's JSON 404): the id, else 404."""
    text = str(value)
    if not text.isdigit() or int(text) > MAX_ID:
        raise Http404
    return int(text)


class OpenViewMixin:
    @classmethod
    def as_view(cls, *args, **kwargs):
        return open_view(super().as_view(*args, **kwargs))  # type: ignore[misc]

    def initial(self, request, *args, **kwargs):
        """No parameter of the API takes several values: one sent twice is refused (400)
        rather than its last value quietly read."""
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        repeated = [name for name, values in request.query_params.lists() if len(values) > 1]
        if repeated:
            message = _g("Tham số này chỉ được gửi một lần.")
            raise exceptions.ValidationError({name: [message] for name in repeated})


class SchemaView(OpenViewMixin, SpectacularAPIView):
    pass


class DocsView(OpenViewMixin, SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files, its start-up script served
    as a file of its own: nothing inline, nothing from a CDN (CSP `'self'`)."""

    template_name = "ktgs/api_docs.html"


# Vietnamese for the serializers' own checks (DRF's catalogue is thin).
FIELD_MESSAGES = {
    "required": _("Trường này là bắt buộc."),
    "null": _("Trường này không được để trống."),
    "blank": _("Trường này không được để trống."),
    "invalid": _("Giá trị không hợp lệ."),
    "invalid_choice": _("“{input}” không phải là một lựa chọn hợp lệ."),
    "does_not_exist": _("Đơn vị không thuộc phạm vi của bạn."),
    "incorrect_type": _("Giá trị không hợp lệ."),
    "max_length": _("Tối đa {max_length} ký tự."),
    "min_value": _("Giá trị phải từ {min_value} trở lên."),
    "max_value": _("Giá trị không được lớn hơn {max_value}."),
    "max_string_length": _("Số quá lớn."),
    "date": _("Hãy nhập một ngày, không phải thời điểm."),
    "not_a_list": _("Cần một danh sách."),
    "empty": _("Danh sách không được rỗng."),
    "make_aware": _("Thời điểm không hợp lệ."),
    "overflow": _("Thời điểm không hợp lệ."),
}
DATE_FORMAT_MESSAGE = _("Ngày không đúng định dạng: dùng YYYY-MM-DD.")
IMPOSSIBLE_DATE_MESSAGE = _("Ngày không có thật (ví dụ 30/02): hãy kiểm tra ngày và tháng.")
NO_DATA_MESSAGE = _("Không có dữ liệu gửi lên: cần một đối tượng JSON.")

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateInputField(serializers.DateField):
    """A date in the shape YYYY-MM-DD that names no day ("2026-02-30") is called an
    impossible date, not a wrong format. InputSerializer puts it in place of every
    serializers.DateField it declares."""

    def to_internal_value(self, value):
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            try:
                datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise serializers.ValidationError(
                    str(IMPOSSIBLE_DATE_MESSAGE), code="invalid_date"
                ) from None
        return super().to_internal_value(value)


@extend_schema_field(ID_SCHEMA)
class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """The one rule for an object named by its id in a request: an integer from 1 to
    PostgreSQL's largest (a JSON number, or its digits in a query string). DRF's own field
    reads 3.5 as unit 3 (the model field casts it); here a fraction, a boolean or an id
    the database cannot hold is refused with the field's message. Subclasses give
    get_queryset (the reach)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and data.isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class InputSerializer(serializers.Serializer):
    """Parses a request for a service: no rules here (they live in services.py), only
    types, with Vietnamese messages."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if type(field) is serializers.DateField:
                # The field as declared (DRF keeps its arguments for copies).
                args, kwargs = field._args, field._kwargs  # type: ignore[attr-defined]
                fields[name] = field = DateInputField(*args, **kwargs)
            self._translate(field)
        return fields

    @property
    def errors(self):
        errors = super().errors
        # A body of JSON null: DRF answers "No data provided", a message it does not mark
        # for translation.
        general = errors.get(api_settings.NON_FIELD_ERRORS_KEY, [])
        if len(errors) == 1 and [getattr(e, "code", None) for e in general] == ["null"]:
            detail = exceptions.ErrorDetail(str(NO_DATA_MESSAGE), code="null")
            errors = ReturnDict({api_settings.NON_FIELD_ERRORS_KEY: [detail]}, serializer=self)
        return errors

    def _translate(self, field) -> None:
        for key, message in FIELD_MESSAGES.items():
            if key in field.error_messages:
                field.error_messages[key] = message
        if isinstance(field, serializers.DateField):
            field.error_messages["invalid"] = DATE_FORMAT_MESSAGE
        child = getattr(field, "child", None)
        if child is not None:
            self._translate(child)

    def to_internal_value(self, data):
        if isinstance(data, QueryDict):
            # A query string: an empty parameter is no parameter, as in the filters.
            data = {name: value for name, value in data.items() if value != ""}
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_g("Cần một đối tượng JSON.")]}
            )
        return super().to_internal_value(data)


# The years the reports' query parameters take (as their IntegerField(2000, 2100)).
REPORT_YEAR_SCHEMA = {"type": "integer", "minimum": 2000, "maximum": 2100}


class VersionInput(InputSerializer):
    version = serializers.IntegerField(
        min_value=0,
        max_value=2_147_483_647,
        help_text=_("Phiên bản đã đọc; khác phiên bản hiện tại → 409."),
    )


# --- common view pieces -----------------------------------------------------------------


class ScopedViewSetMixin(OpenViewMixin, viewsets.GenericViewSet):
    """A viewset whose queryset is scoped by ktgs.access (`scope_field`: the FK to the
    unit, "" for Organization itself)."""

    scope_field = "organization"
    # Any id up to the next slash reaches the view, which answers a JSON 404 for one
    # that is no number: the router's default stops at a dot, and Django's HTML 404
    # page would answer instead.
    lookup_value_regex = "[^/]+"

    def scoped(self, queryset):
        return access.scope(queryset, self.request.user, field=self.scope_field)

    def check_write(self, organization: Organization) -> None:
        """Inside reach (the object was found) but read-only → 403."""
        if not access.can_write(self.request.user, organization):
            raise exceptions.PermissionDenied()

    def check_any_write(self) -> None:
        """A create by someone who writes nowhere (a leader, an outsider) → 403."""
        if access.reach_paths(self.request.user, write=True) == []:
            raise exceptions.PermissionDenied()


def run_input(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- organisations ----------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):
    children_count = serializers.IntegerField(source="numchild", read_only=True)
    # Declared: as a read-only model field it would lose allow_blank, and the schema would
    # not admit the blank of every level but grassroots.
    grassroots_form = serializers.ChoiceField(
        choices=Organization.GrassrootsForm.choices, allow_blank=True, read_only=True
    )
    unit_kind = serializers.ChoiceField(choices=UnitKind.choices, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "level",
            "parent",
            "depth",
            "children_count",
            "member_count",
            "committee_member_count",
            "grassroots_form",
            "has_cell_committee",
            "unit_kind",
            "valid_from",
            "valid_to",
            "successor",
        ]
        read_only_fields = fields


class OrganizationFilter(django_filters.FilterSet):
    subtree_of = IdFilter(
        method="filter_subtree_of",
        label=_("Cây con của đơn vị (id), gồm cả đơn vị đó"),
    )
    parent = IdFilter(field_name="parent_id", label=_("Đơn vị cấp trên (id)"))
    level = django_filters.ChoiceFilter(choices=Organization.Level.choices, label=_("Cấp"))

    class Meta:
        model = Organization
        fields = ["subtree_of", "parent", "level"]

    def filter_subtree_of(self, queryset, name, value):
        # Read through the same scope: a unit outside reach gives an empty list, not
        # a hint that it exists.
        top = queryset.filter(pk=value).values_list("path", flat=True).first()
        if top is None:
            return queryset.none()
        return queryset.filter(path__startswith=top)


class FoldedSearchFilter(filters.SearchFilter):
    """`?search=`: every word typed found in the unit's name, short name or code, without
    diacritics and in any case (ktgs.search), as the pages' unit search finds them."""

    def filter_queryset(self, request, queryset, view):
        # get_search_terms validates the parameter (a NUL byte answers 400).
        return queryset.filter(search.matching(" ".join(self.get_search_terms(request))))


@extend_schema_view(
    list=extend_schema(summary="Tổ chức đảng trong phạm vi (search: mã, tên, tên viết tắt)"),
    retrieve=extend_schema(summary="Một tổ chức đảng"),
)
class OrganizationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    filter_backends = [
        django_filters.rest_framework.DjangoFilterBackend,
        FoldedSearchFilter,
        filters.OrderingFilter,
    ]
    # What FoldedSearchFilter searches (named here for the schema's description).
    search_fields = ["code", "name", "short_name"]
    ordering_fields = ["path", "name", "code", "depth", "member_count"]
    ordering = ["path"]
    scope_field = ""

    def get_queryset(self):
        return self.scoped(Organization.objects.all())
