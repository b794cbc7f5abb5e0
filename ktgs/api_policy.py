"""The REST API's policies that REST_FRAMEWORK names: token throttling, pagination and
the exception handler.

Kept apart from ktgs.api because DRF imports them while its own views module is being
defined (APIView's class body reads the throttle and pagination settings): this module
must not import rest_framework.views at import time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

# --- throttling -------------------------------------------------------------------------


class TokenRateThrottle(SimpleRateThrottle):
    """Limits clients that authenticate with a token (scripts, other systems); the pages'
    own htmx calls (session) are not throttled. Rate: REST_FRAMEWORK's
    DEFAULT_THROTTLE_RATES["token"], read at request time so a test can change it."""

    scope = "token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# --- errors -----------------------------------------------------------------------------

_DETAILS = {
    exceptions.NotAuthenticated: _("Chưa đăng nhập: hãy gửi mã truy cập (Authorization: Token …)."),
    exceptions.AuthenticationFailed: _("Mã truy cập không hợp lệ."),
    exceptions.PermissionDenied: _("Bạn không có quyền thực hiện thao tác này."),
    exceptions.NotFound: _("Không tìm thấy."),
    exceptions.ParseError: _("Không đọc được dữ liệu gửi lên."),
    exceptions.UnsupportedMediaType: _("Định dạng dữ liệu gửi lên không được hỗ trợ."),
    exceptions.NotAcceptable: _("Không có định dạng trả về phù hợp."),
    exceptions.MethodNotAllowed: _("Phương thức này không được hỗ trợ."),
}


def _nest(errors: dict[str, list[str]]) -> dict[str, Any]:
    """Django's flat keys to DRF's shape: "subjects.0.organization" → {"subjects":
    [{"organization": [...]}]} and "__all__" → "non_field_errors"."""
    result: dict[str, Any] = {}
    for key, messages in errors.items():
        if key == NON_FIELD_ERRORS:
            key = api_settings.NON_FIELD_ERRORS_KEY
        parts = key.split(".")
        node: Any = result
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append({})
                if last:
                    node[position] = list(messages)
                else:
                    node = node[position]
                continue
            if last:
                node.setdefault(part, []).extend(messages)
            else:
                following_is_index = parts[index + 1].isdigit()
                node = node.setdefault(part, [] if following_is_index else {})
    return result


def validation_error_body(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return _nest(error.message_dict)
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def stale_error_body(error: DjangoValidationError) -> dict[str, Any]:
    changes = getattr(error, "changes", [])
    return {
        "detail": " ".join(error.messages),
        "current_version": getattr(error, "current_version", None),
        "changes": [
            {"field": str(label), "before": str(old), "after": str(new)}
            for label, old, new in changes
        ],
    }


def exception_handler(exc, context):
    """The services' Django ValidationError → 400 per field (their Vietnamese messages
    unchanged); a stale version (`code="stale"`) → 409 with the current version."""
    if isinstance(exc, DjangoValidationError):
        if getattr(exc, "code", None) == "stale":
            return Response(stale_error_body(exc), status=status.HTTP_409_CONFLICT)
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # A validator outside a serializer (a filter's query parameter, e.g. a NUL byte
        # in ?search=) raises a bare list: answer in the documented shape, as a form would.
        exc.detail = {"non_field_errors": exc.detail}
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None) or 1
        exc.detail = exceptions.ErrorDetail(
            _g("Quá nhiều yêu cầu: hãy thử lại sau %(seconds)s giây.") % {"seconds": int(wait)}
        )
    elif isinstance(exc, exceptions.APIException):
        error: exceptions.APIException = exc
        for kind, detail in _DETAILS.items():
            if type(error) is kind:
                error.detail = exceptions.ErrorDetail(str(detail), code=error.default_code)
                break
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)


class Pagination(pagination.PageNumberPagination):
    """`page` and `page_size` (1 to 200). DRF quietly takes its default for a page size it
    cannot read; here a wrong one is a 400 on the parameter, as any filter's is."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            message = _g("Số dòng mỗi trang phải là số nguyên từ 1 đến %(max)d.")
            raise exceptions.ValidationError(
                {self.page_size_query_param: [message % {"max": self.max_page_size}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
