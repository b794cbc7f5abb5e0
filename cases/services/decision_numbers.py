"""Decision numbers: the issuing body of one unit never uses the same number twice in a
year, across cases' decisions and discipline decisions (one numbering). Another unit, or
another body of the same unit, has its own numbering: every grassroots commission writes
"-QĐ/UBKTĐU", so the issuer text after the slash does not say who issued a number."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g

from cases.models import Case, DisciplineDecision
from ktgs.models import Organization
from plans.documents import issuing_body_name, lock_number, parse_document_number

# The advisory lock's namespace: cases' and discipline decisions share one numbering.
_REGISTER = "decision"


def _check_decision_number(
    *,
    field: str,
    number: str,
    decided_on: datetime.date | None,
    organization: Organization | None,
    body: str,
    exclude_case: int | None = None,
    exclude_discipline: int | None = None,
) -> tuple[str, str, str]:
    """(text, serial, issuer) of a decision number issued by `body` of `organization`,
    refusing a number that body already used in the same year, for a case's decision or a
    discipline decision."""
    if not number:
        return "", "", ""
    try:
        parsed = parse_document_number(number)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if decided_on is None or organization is None or not body:
        return parsed.text, parsed.serial, parsed.issuer
    year = decided_on.year
    lock_number(_REGISTER, organization.pk, body, parsed.serial, year)
    cases = Case.objects.filter(
        organization=organization,
        body=body,
        decision_serial=parsed.serial,
        decided_on__year=year,
    )
    disciplines = DisciplineDecision.objects.filter(
        deciding_organization=organization,
        deciding_body=body,
        decision_serial=parsed.serial,
        decided_on__year=year,
    )
    if exclude_case is not None:
        cases = cases.exclude(pk=exclude_case)
    if exclude_discipline is not None:
        disciplines = disciplines.exclude(pk=exclude_discipline)
    if cases.exists() or disciplines.exists():
        raise ValidationError(
            {
                field: _g("Số quyết định %(number)s đã được %(issuer)s dùng trong năm %(year)s.")
                % {
                    "number": parsed.text,
                    "issuer": issuing_body_name(organization, body),
                    "year": year,
                }
            },
            code="duplicate_number",
        )
    return parsed.text, parsed.serial, parsed.issuer
