"""Denunciations (giải quyết tố cáo): opened from a letter or raised otherwise, extended
once, concluded. The case they are handled in carries the unit, body, decision, the
accused (its subject), the conclusion and any discipline (add_discipline on its
subject); this module adds the deadline and the verdict."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _g

from cases import deadlines
from cases.models import DeadlineRule, Denunciation, Letter
from cases.services.deadline_rules import rule_for
from cases.services.handling import open_handling_case
from cases.services.letters import lock_letter, mark_letter
from cases.services.locks import check_change, counted_denunciation
from cases.services.recording import _check_writable
from cases.services.status import conclude_case
from ktgs import versioning
from ktgs.models import Organization
from plans.models import ActivityKind

# A subject's fields as the letter names them: errors on the accused land there.
_LETTER_FIELDS = {
    "kind": "about_kind",
    "organization": "about_organization",
    "member_name": "about_member_name",
    "member_position": "about_member_position",
    "is_committee_member": "about_is_committee_member",
}


def lock_denunciation(denunciation: Denunciation, version: int | str | None) -> Denunciation:
    return versioning.lock(
        Denunciation.objects.select_related("case", "case__organization"),
        denunciation.pk,
        version,
    )


def _accused(letter: Letter) -> dict:
    """The case subject a letter names: the organisation or the member it is about."""
    if letter.about_kind == Letter.AboutKind.ORGANIZATION:
        return {"kind": "organization", "organization": letter.about_organization}
    return {
        "kind": "member",
        "member_name": letter.about_member_name,
        "member_position": letter.about_member_position,
        "is_committee_member": letter.about_is_committee_member,
    }


def _accused_name(subject: dict) -> str:
    if subject.get("kind") == "organization":
        return str(subject.get("organization") or "")
    return subject.get("member_name", "")


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@transaction.atomic
def open_denunciation(
    *,
    user,
    letter: Letter | None,
    body: str,
    today: datetime.date,
    version: int | None = None,
    title: str = "",
    decision_number: str = "",
    decided_on: datetime.date | None = None,
    organization: Organization | None = None,
    received_on: datetime.date | None = None,
    accused: dict | None = None,
) -> Denunciation:
    """Open the handling of a denunciation by `body` of the unit that received `letter`
    (at the letter's `version`), against the organisation or member the letter is about;
    or, with no letter, of `organization`, received on `received_on`, against `accused`
    (a case subject's fields). Its deadline comes from the rule in force today and is
    stored. The letter is marked handled here. An anonymous or false-name letter is
    refused: keep it for information instead (keep_letter)."""
    if letter is not None:
        letter = lock_letter(letter, version)
        if letter.kind != Letter.Kind.DENUNCIATION:
            raise ValidationError(
                {"kind": _g("Đơn này không phải đơn tố cáo.")}, code="not_denunciation"
            )
        if letter.sender_kind in Letter.UNHANDLED_SENDERS:
            raise ValidationError(
                {
                    "sender_kind": _g(
                        "Đơn tố cáo nặc danh, mạo tên không được giải quyết; "
                        "có thể lưu để tham khảo."
                    )
                },
                code="anonymous",
            )
        if letter.handling != Letter.Handling.PENDING:
            raise ValidationError(
                {
                    "handling": _g("Đơn này đã được xử lý (%(handling)s).")
                    % {"handling": letter.get_handling_display()}
                },
                code="handled",
            )
        organization, received_on = letter.organization, letter.received_on
        subject, fields, prefix = _accused(letter), _LETTER_FIELDS, "about_"
    else:
        errors = {}
        if organization is None:
            errors["organization"] = _g("Hãy chọn đơn vị giải quyết tố cáo.")
        if received_on is None:
            errors["received_on"] = _g("Hãy nhập ngày nhận tố cáo.")
        if not accused:
            errors["accused"] = _g("Hãy nhập người (tổ chức) bị tố cáo.")
        if errors:
            raise ValidationError(errors)
        subject, fields, prefix = dict(accused or {}), {}, "accused."
    assert organization is not None and received_on is not None
    _check_writable(user, organization)
    if received_on > today:
        raise ValidationError({"received_on": _g("Ngày nhận không được sau ngày hôm nay.")})
    rule = rule_for(kind=DeadlineRule.Kind.DENUNCIATION, organization=organization)
    case = open_handling_case(
        user=user,
        organization=organization,
        body=body,
        kind=ActivityKind.DENUNCIATION,
        title=title
        or _g("Giải quyết tố cáo đối với %(accused)s") % {"accused": _accused_name(subject)},
        today=today,
        subject=subject,
        decision_number=decision_number,
        decided_on=decided_on,
        subject_fields=fields,
        subject_prefix=prefix,
    )
    denunciation = Denunciation(
        case=case,
        letter=letter,
        received_on=received_on,
        due_on=rule.due_on(received_on),
        extension_days=rule.extension,
    )
    denunciation.full_clean()
    check_change(None, counted_denunciation(denunciation, case))
    versioning.record_user(denunciation, user)
    denunciation.save()
    if letter is not None:
        mark_letter(
            letter,
            user=user,
            handling=Letter.Handling.HANDLED_HERE,
            on=max(today, letter.received_on),
        )
    return denunciation


@transaction.atomic
def extend_denunciation(
    *,
    user,
    denunciation: Denunciation,
    to: datetime.date,
    reason: str,
    version: int,
) -> Denunciation:
    """Extend the deadline once, to `to`: later than the original due date by at most the
    extension the rule allowed when it was opened."""
    current = lock_denunciation(denunciation, version)
    _check_writable(user, current.case.organization)
    if current.concluded_on is not None:
        raise ValidationError(
            {"extended_to": _g("Tố cáo này đã có kết luận: không gia hạn nữa.")}, code="concluded"
        )
    if current.extended_to is not None:
        raise ValidationError(
            {
                "extended_to": _g("Thời hạn giải quyết đã được gia hạn một lần (đến %(to)s).")
                % {"to": _date(current.extended_to)}
            },
            code="extended_once",
        )
    if current.extension_days == 0:
        raise ValidationError(
            {"extended_to": _g("Thời hạn giải quyết tố cáo này không được gia hạn.")},
            code="no_extension",
        )
    if to is None or not deadlines.extension_allowed(
        due=current.due_on, to=to, extension_days=current.extension_days
    ):
        last = current.due_on + datetime.timedelta(days=current.extension_days)
        raise ValidationError(
            {
                "extended_to": _g(
                    "Chỉ được gia hạn một lần, tối đa %(days)s ngày sau hạn %(due)s: "
                    "chọn một ngày từ %(first)s đến %(last)s."
                )
                % {
                    "days": current.extension_days,
                    "due": _date(current.due_on),
                    "first": _date(current.due_on + datetime.timedelta(days=1)),
                    "last": _date(last),
                }
            },
            code="extension_too_long",
        )
    if not reason.strip():
        raise ValidationError({"extension_reason": _g("Hãy nêu lý do gia hạn.")})
    before = counted_denunciation(current)
    current.extended_to = to
    current.extension_reason = reason.strip()
    current.full_clean(exclude=["case", "letter"])
    check_change(before, counted_denunciation(current))
    return versioning.bump(current, user, ["extended_to", "extension_reason"])


@transaction.atomic
def conclude_denunciation(
    *,
    user,
    denunciation: Denunciation,
    conclusion: str,
    concluded_on: datetime.date,
    version: int,
    conclusion_number: str = "",
    violation_found: bool | None = None,
    shortcomings_found: bool | None = None,
    summary: str = "",
) -> Denunciation:
    """The verdict (true, partly true, untrue) and the conclusion of its case, through
    conclude_case (the case must be in progress; it then counts toward its target).
    Without `violation_found`, a denunciation found true or partly true is a violation
    found. May correct an earlier verdict."""
    current = lock_denunciation(denunciation, version)
    _check_writable(user, current.case.organization)
    if conclusion not in Denunciation.Conclusion.values:
        raise ValidationError(
            {"conclusion": _g("Hãy chọn kết luận: đúng, đúng một phần hoặc sai.")}
        )
    if concluded_on is None or concluded_on < current.received_on:
        raise ValidationError(
            {"concluded_on": _g("Ngày kết luận không được trước ngày nhận tố cáo.")}
        )
    if violation_found is None:
        violation_found = conclusion != Denunciation.Conclusion.UNTRUE
    before = counted_denunciation(current)
    current.case = conclude_case(
        user=user,
        case=current.case,
        version=current.case.version,
        concluded_on=concluded_on,
        conclusion_number=conclusion_number,
        violation_found=violation_found,
        shortcomings_found=shortcomings_found,
        summary=summary,
    )
    current.conclusion = conclusion
    current.concluded_on = concluded_on
    current.full_clean(exclude=["case", "letter"])
    check_change(before, counted_denunciation(current))
    return versioning.bump(current, user, ["conclusion", "concluded_on"])
