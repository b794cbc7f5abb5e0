"""The document number of a programme or an amendment: parsed, and unique per issuer and
year across both tables."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from plans.documents import parse_document_number
from plans.models import Amendment, Programme


def _parse_doc_number(obj, field: str = "doc_number") -> None:
    """Fill the split parts of `doc_number` or raise on the field."""
    try:
        parsed = parse_document_number(obj.doc_number)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    obj.doc_number = parsed.text
    obj.doc_serial = parsed.serial
    obj.doc_type = parsed.type
    obj.doc_issuer = parsed.issuer
    obj.doc_year = obj.issued_on.year if obj.issued_on else 0


def _check_doc_number_free(obj) -> None:
    """Numbers restart every year per issuer and programmes and amendments share them, so
    one number may name only one document across both tables."""
    same = Q(doc_issuer=obj.doc_issuer, doc_serial=obj.doc_serial, doc_year=obj.doc_year)
    taken_by_programme = Programme.objects.filter(same)
    taken_by_amendment = Amendment.objects.filter(same)
    if isinstance(obj, Programme) and obj.pk:
        taken_by_programme = taken_by_programme.exclude(pk=obj.pk)
    if isinstance(obj, Amendment) and obj.pk:
        taken_by_amendment = taken_by_amendment.exclude(pk=obj.pk)
    if taken_by_programme.exists() or taken_by_amendment.exists():
        raise ValidationError(
            {
                "doc_number": _(
                    "Số ký hiệu %(number)s đã được dùng cho một văn bản khác của %(issuer)s "
                    "trong năm %(year)s."
                )
                % {"number": obj.doc_number, "issuer": obj.doc_issuer, "year": obj.doc_year}
            }
        )


def _clean_document(obj) -> None:
    if not obj.issued_on:
        raise ValidationError({"issued_on": _("Hãy nhập ngày ban hành.")})
    _parse_doc_number(obj)
    _check_doc_number_free(obj)
