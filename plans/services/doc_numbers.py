"""The document number of a programme or an amendment: parsed, and unique per issuing body
of one unit and year across both tables (an amendment is issued by its programme's unit
and body)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.documents import issuing_body_name, lock_number, parse_document_number
from plans.models import Amendment, Programme

# The advisory lock's namespace: programmes and amendments share one numbering.
_REGISTER = "document"


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


def _number_taken(
    programme: Programme,
    document: Programme | Amendment,
    *,
    skip_programme: int | None,
    skip_amendments: list[int],
) -> bool:
    """Whether `document`'s number and year is already used by a programme or an amendment
    issued by `programme`'s unit and body (taking the lock of that number first)."""
    organization_id, body = programme.organization_id, programme.body
    serial, year = document.doc_serial, document.doc_year
    lock_number(_REGISTER, organization_id, body, serial, year)
    programmes = Programme.objects.filter(
        organization_id=organization_id, body=body, doc_serial=serial, doc_year=year
    )
    amendments = Amendment.objects.filter(
        programme__organization_id=organization_id,
        programme__body=body,
        doc_serial=serial,
        doc_year=year,
    )
    if skip_programme is not None:
        programmes = programmes.exclude(pk=skip_programme)
    if skip_amendments:
        amendments = amendments.exclude(pk__in=skip_amendments)
    return programmes.exists() or amendments.exists()


def _taken_message(programme: Programme, document: Programme | Amendment) -> str:
    return _(
        "Số ký hiệu %(number)s đã được %(issuer)s dùng cho một văn bản khác trong năm %(year)s."
    ) % {
        "number": document.doc_number,
        "issuer": issuing_body_name(programme.organization, programme.body),
        "year": document.doc_year,
    }


def _check_doc_number_free(obj: Programme | Amendment) -> None:
    """Numbers restart every year per issuing body and programmes and amendments share
    them, so one number may name only one document of a unit's body in a year. A
    programme that moves to another body takes its amendments' numbers along."""
    if isinstance(obj, Programme):
        own_amendments = list(obj.amendments.all()) if obj.pk else []
        skip = [a.pk for a in own_amendments]
        if _number_taken(obj, obj, skip_programme=obj.pk, skip_amendments=skip):
            raise ValidationError({"doc_number": _taken_message(obj, obj)})
        for amendment in own_amendments:
            if _number_taken(obj, amendment, skip_programme=obj.pk, skip_amendments=skip):
                raise ValidationError({"body": _taken_message(obj, amendment)})
        return
    skip = [obj.pk] if obj.pk else []
    if _number_taken(obj.programme, obj, skip_programme=None, skip_amendments=skip):
        raise ValidationError({"doc_number": _taken_message(obj.programme, obj)})


def _clean_document(obj) -> None:
    if not obj.issued_on:
        raise ValidationError({"issued_on": _("Hãy nhập ngày ban hành.")})
    _parse_doc_number(obj)
    _check_doc_number_free(obj)
