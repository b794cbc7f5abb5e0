"""Decision numbers: one issuer never uses the same number twice in a year, across cases'
decisions and discipline decisions."""

from __future__ import annotations

import datetime
import zlib

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _g

from cases.models import Case, DisciplineDecision
from plans.documents import parse_document_number


def _lock_number(issuer: str, serial: str, year: int) -> None:
    """Serialise writers of the same decision number so that the duplicate check below
    cannot pass twice concurrently (PostgreSQL; SQLite already has one writer)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"decision:{issuer}:{serial}:{year}".encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _check_decision_number(
    *,
    field: str,
    number: str,
    decided_on: datetime.date | None,
    exclude_case: int | None = None,
    exclude_discipline: int | None = None,
) -> tuple[str, str, str]:
    """(text, serial, issuer) of a decision number, refusing a number already used by the
    same issuer in the same year, by a case's decision or a discipline decision."""
    if not number:
        return "", "", ""
    try:
        parsed = parse_document_number(number)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if decided_on is None:
        return parsed.text, parsed.serial, parsed.issuer
    year = decided_on.year
    _lock_number(parsed.issuer, parsed.serial, year)
    cases = Case.objects.filter(
        decision_issuer=parsed.issuer, decision_serial=parsed.serial, decided_on__year=year
    )
    disciplines = DisciplineDecision.objects.filter(
        decision_issuer=parsed.issuer, decision_serial=parsed.serial, decided_on__year=year
    )
    if exclude_case is not None:
        cases = cases.exclude(pk=exclude_case)
    if exclude_discipline is not None:
        disciplines = disciplines.exclude(pk=exclude_discipline)
    if cases.exists() or disciplines.exists():
        raise ValidationError(
            {
                field: _g("Số quyết định %(number)s đã được %(issuer)s dùng trong năm %(year)s.")
                % {"number": parsed.text, "issuer": parsed.issuer, "year": year}
            },
            code="duplicate_number",
        )
    return parsed.text, parsed.serial, parsed.issuer
