"""The OpenAPI schema's error responses (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

Apart from ktgs.api, which imports drf-spectacular's views: their decorators read the
schema class setting while being defined, so it must be importable before them.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

# --- schema -----------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class StaleSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField(allow_null=True)
    changes = ChangeSerializer(many=True)


class FieldErrorsSerializer(serializers.Serializer):
    """{"field": ["message", …], "non_field_errors": [...]}; nested lists for subjects."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


_ERROR_DESCRIPTIONS = {
    "400": "Dữ liệu không hợp lệ: thông báo tiếng Việt theo từng trường.",
    "401": "Chưa xác thực (thiếu hoặc sai mã truy cập).",
    "403": "Đơn vị trong phạm vi nhưng vai trò chỉ được xem.",
    "404": "Không tồn tại hoặc ngoài phạm vi của người dùng.",
    "409": "Phiên bản đã cũ: trả về phiên bản hiện tại và các thay đổi.",
    "429": "Vượt giới hạn yêu cầu của mã truy cập.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the errors every endpoint may answer, so clients (and schemathesis) know
    them: 401/403/429 everywhere, 404 on routes with an id and on lists (a page past the
    last), 400 on lists (filters), on any route with query parameters and on writes, 409
    on writes (stale version)."""

    def _get_parameters(self):
        """An optional query parameter sent empty is no parameter (the filters and the
        query serializers read it so): the schema says so, with allowEmptyValue."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes: dict[str, type[serializers.Serializer]] = {
            "401": ErrorSerializer,
            "403": ErrorSerializer,
            "429": ErrorSerializer,
        }
        if "{" in self.path or self._is_list_view():
            codes["404"] = ErrorSerializer  # an id out of reach; a page past the last
        takes_query = any(p["in"] == "query" for p in self._get_parameters())
        if self.method != "GET" or self._is_list_view() or takes_query:
            codes["400"] = FieldErrorsSerializer
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes["409"] = StaleSerializer
        for code, serializer in codes.items():
            if code not in responses:
                response = self._get_response_for_code(serializer, code, direction=direction)
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
