"""Party document numbers: `103-KH/ĐUK`, `516a-QĐ/ĐUK`, `885-QĐ/UBKTTW`, `17-CTr/TU`.

number (optionally one letter) - type (KH, CTr, QĐ, QĐi, HD, KL, TB, BC, NQ, CT, …) /
issuer. The issuer text does not say who issued the number: every grassroots commission
writes "-QĐ/UBKTĐU" and every cell "-QĐ/CB". A number belongs to the issuing body of one
unit and restarts every year, so uniqueness is (organisation, body, serial, year).
Used by plans (programmes, amendments) and cases (decisions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization
from plans.models import Body

_PATTERN = re.compile(
    r"^(?P<serial>\d{1,6}[a-zA-Z]?)-(?P<type>[A-ZĐ][A-Za-zĐđ]{0,5})/(?P<issuer>[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*)$"
)


@dataclass(frozen=True)
class DocumentNumber:
    text: str
    serial: str
    type: str
    issuer: str


def parse_document_number(value: str) -> DocumentNumber:
    """The parts of a document number, or a ValidationError in Vietnamese."""
    text = unicodedata.normalize("NFC", (value or "").strip()).replace(" ", "")
    # Staff often type a Latin D for Đ in the issuer; keep what they typed, the shape is
    # what matters here.
    match = _PATTERN.match(text)
    if not match:
        raise ValidationError(
            _(
                "Số ký hiệu không đúng dạng. Ví dụ hợp lệ: 103-KH/ĐUK, 516a-QĐ/ĐUK "
                "(số, có thể kèm một chữ cái; loại văn bản; cơ quan ban hành)."
            ),
            code="document_number",
        )
    return DocumentNumber(
        text=text,
        serial=match["serial"].lower(),
        type=match["type"],
        issuer=match["issuer"],
    )


def lock_number(register: str, organization_id: int, body: str, serial: str, year: int) -> None:
    """Serialise the writers of one number of one issuing body (a unit's body) and year
    until the transaction ends, so that a "not used yet" check followed by the insert
    cannot pass twice concurrently, also across tables (a case and a discipline decision,
    a programme and an amendment). PostgreSQL; SQLite already has one writer."""
    if connection.vendor != "postgresql":
        return
    name = f"{register}:{organization_id}:{body}:{serial}:{year}".encode()
    key = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def issuing_body_name(organization: Organization, body: str) -> str:
    """Who issued a number, as messages name it: "Ủy ban kiểm tra của Đảng bộ Sở Tài chính"."""
    return gettext("%(body)s của %(unit)s") % {"body": Body(body).label, "unit": organization.name}
