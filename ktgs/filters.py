"""Query-string filters for ids and years, one rule for every filter set (the pages'
and the API's): an integer within what the database holds, else the form's Vietnamese
message on the field (a 400 in the API) — never a number that reaches the database as
an overflow (SQLite's OverflowError, PostgreSQL's "integer out of range"), nor a
fraction read as a whole ("?year=0.5", "?organization=3.5").

django-filter's NumberFilter parses a Decimal (and the schema calls it `number`); these
parse an int, and tell the schema so, with their bounds."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField
from drf_spectacular.utils import extend_schema_field

from ktgs.converters import MAX_ID

MIN_YEAR, MAX_YEAR = 1, 9999  # a date's years

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
YEAR_SCHEMA = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}


class WholeNumberField(forms.IntegerField):
    """Digits only, within bounds: "3.0", "3.5", "-1", "1e3" are refused alike, with one
    message that says what is expected."""

    message = _("Giá trị phải là số nguyên.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for code in ("invalid", "min_value", "max_value"):
            self.error_messages[code] = self.message

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not re.fullmatch(r"[0-9]+", str(value).strip()):
            raise ValidationError(self.message, code="invalid")
        return super().to_python(value)


class IdField(WholeNumberField):
    """An object's id: a whole number from 1 to PostgreSQL's largest integer."""

    message = _("Mã số (id) phải là số nguyên từ 1 đến 2147483647.")

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class YearField(WholeNumberField):
    message = _("Năm phải là số nguyên từ 1 đến 9999.")

    def __init__(self, **kwargs):
        super().__init__(min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.Filter):
    field_class = IdField


@extend_schema_field(YEAR_SCHEMA)
class YearFilter(django_filters.Filter):
    field_class = YearField


class YearRangeField(RangeField):
    def __init__(self, *args, **kwargs):
        super().__init__((YearField(), YearField()), *args, **kwargs)


@extend_schema_field(YEAR_SCHEMA)
class YearRangeFilter(django_filters.RangeFilter):
    """`<name>_min`, `<name>_max`: years, both ends optional."""

    field_class = YearRangeField
