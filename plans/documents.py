"""Party document numbers: `103-KH/ĐUK`, `516a-QĐ/ĐUK`, `885-QĐ/UBKTTW`, `17-CTr/TU`.

number (optionally one letter) - type (KH, CTr, QĐ, QĐi, HD, KL, TB, BC, NQ, CT, …) /
issuer. Numbers restart every year per issuer, so uniqueness is (issuer, serial, year).
Used by plans (programmes, amendments) and cases (decisions)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
