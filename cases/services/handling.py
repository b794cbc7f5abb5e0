"""The case a denunciation or a disciplinary complaint is handled in: recorded through
record_case (access, target, decision number and subject rules as for any case) with
one subject, and under way at once when its decision is known."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g

from cases.models import Case
from cases.services.recording import record_case
from cases.services.status import change_status
from cases.services.targets import AUTO
from ktgs.models import Organization
from plans.models import DecidingBody

_SUBJECT_PREFIX = "subjects.0."


def check_deciding_body(body: str) -> None:
    """Denunciations and complaints are settled by a body that decides discipline."""
    if body not in DecidingBody.values:
        raise ValidationError(
            {
                "body": _g(
                    "Cơ quan này không giải quyết tố cáo, khiếu nại kỷ luật: hãy chọn cấp ủy, "
                    "ban thường vụ, ủy ban kiểm tra hoặc chi bộ."
                )
            },
            code="not_deciding_body",
        )


def renamed(error: ValidationError, fields: dict[str, str], prefix: str) -> ValidationError:
    """record_case's errors on its one subject (`subjects.0.<field>`) put on the caller's
    field for it (`fields[<field>]`, else `<prefix><field>`)."""
    if not hasattr(error, "error_dict"):
        return error
    result = {}
    for key, messages in error.error_dict.items():
        if key.startswith(_SUBJECT_PREFIX):
            name = key.removeprefix(_SUBJECT_PREFIX)
            key = fields.get(name, f"{prefix}{name}")
        result[key] = messages
    return ValidationError(result)


def open_handling_case(
    *,
    user,
    organization: Organization,
    body: str,
    kind: str,
    title: str,
    today: datetime.date,
    subject: dict,
    decision_number: str,
    decided_on: datetime.date | None,
    subject_fields: dict[str, str],
    subject_prefix: str,
) -> Case:
    """The case (draft; decided and in progress when `decision_number` and `decided_on`
    are given), of the year of its decision, else of `today`. Call inside a transaction:
    a refusal later on must take it back."""
    check_deciding_body(body)
    try:
        case = record_case(
            user=user,
            organization=organization,
            body=body,
            kind=kind,
            title=title,
            year=(decided_on or today).year,
            target=AUTO,
            decision_number=decision_number,
            decided_on=decided_on,
            subjects=[subject],
        )
    except ValidationError as error:
        raise renamed(error, subject_fields, subject_prefix) from None
    if decision_number and decided_on:
        for status in (Case.Status.DECIDED, Case.Status.IN_PROGRESS):
            case = change_status(user=user, case=case, status=status, version=case.version)
    return case
