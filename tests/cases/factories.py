"""Factories for cases. Programmes and targets are built directly with the ORM (the plans
services are written in parallel); their document parts come from parse_document_number
as the plans services would fill them. Synthetic data only."""

import datetime
import itertools

from cases import services
from cases.models import Case, Letter
from plans.documents import parse_document_number
from plans.models import ActivityKind, Body, Programme, Target

_serials = itertools.count(1)
YEAR = 2025


def doc_number(kind: str = "QĐ", issuer: str = "ĐUK") -> str:
    return f"{next(_serials)}-{kind}/{issuer}"


def make_programme(
    organization, *, year=YEAR, status=Programme.Status.ISSUED, number=None, **fields
) -> Programme:
    parsed = parse_document_number(number or doc_number("CTr", "TN"))
    defaults = {
        "body": Body.INSPECTION_COMMISSION,
        "end_year": year,
        "title": f"Chương trình kiểm tra, giám sát năm {year}",
        "starts_on": datetime.date(year, 1, 1),
        "ends_on": datetime.date(year, 12, 31),
        "issued_on": datetime.date(year, 1, 5),
    }
    defaults.update(fields)
    return Programme.objects.create(
        organization=organization,
        year=year,
        status=status,
        doc_number=parsed.text,
        doc_serial=parsed.serial,
        doc_type=parsed.type,
        doc_issuer=parsed.issuer,
        doc_year=year,
        **defaults,
    )


def make_target(
    organization,
    *,
    programme=None,
    kind=ActivityKind.INSPECTION_COMPLIANCE,
    quantity=1,
    **fields,
) -> Target:
    programme = programme or make_programme(organization)
    fields.setdefault("due_on", datetime.date(programme.year, 12, 31))
    return Target.objects.create(
        programme=programme, organization=organization, kind=kind, quantity=quantity, **fields
    )


def record(user, organization, **overrides) -> Case:
    """A case through the service, with sensible defaults (arising unless told)."""
    fields = {
        "body": Body.INSPECTION_COMMISSION,
        "kind": ActivityKind.INSPECTION_COMPLIANCE,
        "title": "Kiểm tra việc chấp hành quy chế làm việc",
        "year": YEAR,
        "target": None,
        "decision_number": doc_number(),
        "decided_on": datetime.date(YEAR, 3, 1),
        "work_starts_on": datetime.date(YEAR, 3, 10),
        "work_ends_on": datetime.date(YEAR, 3, 20),
        "subjects": [],
    }
    fields.update(overrides)
    return services.record_case(user=user, organization=organization, **fields)


def advance(user, case: Case, *statuses: str) -> Case:
    for status in statuses:
        case = services.change_status(user=user, case=case, status=status, version=case.version)
    return case


def concluded(user, organization, **overrides) -> Case:
    case = record(user, organization, **overrides)
    case = advance(user, case, Case.Status.DECIDED, Case.Status.IN_PROGRESS)
    return services.conclude_case(
        user=user,
        case=case,
        version=case.version,
        concluded_on=datetime.date(YEAR, 4, 15),
        conclusion_number=doc_number("TB"),
        violation_found=False,
        shortcomings_found=True,
        summary="Đơn vị thực hiện cơ bản tốt; còn một số khuyết điểm.",
    )


def second_staff(unit):
    """Another member of staff of the same unit (the second editor)."""
    from ktgs import services as ktgs_services
    from tests.factories import UserFactory

    person = UserFactory(username="staff_a2", full_name="Thị Biên Tập")
    ktgs_services.grant_role(user=person, organization=unit, kind="staff")
    return person


# The commission's other records. Their services take "today"; these helpers pass TODAY
# unless told, a day after every date they use.
TODAY = datetime.date(YEAR, 12, 31)
MEMBER = {
    "about_kind": "member",
    "about_member_name": "Trần Văn Bị",
    "about_member_position": "Phó Giám đốc",
}


def letter(user, organization, **overrides):
    """A named denunciation letter about a member, received on 1 March, through the
    service."""
    fields = {
        "body": Body.INSPECTION_COMMISSION,
        "received_on": datetime.date(YEAR, 3, 1),
        "kind": Letter.Kind.DENUNCIATION,
        "sender_kind": Letter.SenderKind.NAMED,
        "sender_name": "Nguyễn Thị Gửi",
        "summary": "Tố cáo vi phạm quy định về quản lý tài chính.",
        "today": TODAY,
        **MEMBER,
    }
    fields.update(overrides)
    return services.record_letter(user=user, organization=organization, **fields)


def denunciation(user, organization, *, letter_fields=None, **overrides):
    """A denunciation opened from a new letter, under way (decision 1 March)."""
    received = letter(user, organization, **(letter_fields or {}))
    fields = {
        "body": Body.INSPECTION_COMMISSION,
        "today": TODAY,
        "version": received.version,
        "decision_number": doc_number(),
        "decided_on": datetime.date(YEAR, 3, 5),
    }
    fields.update(overrides)
    return services.open_denunciation(user=user, letter=received, **fields)


def disciplined(user, organization, *, decided_on=None, form="warning", **subject):
    """A discipline decision (warning) on a member of a concluded case of `organization`,
    by its inspection commission."""
    member = {"kind": "member", "member_name": "Lê Văn Kỷ", "member_position": "Trưởng phòng"}
    member.update(subject)
    case = concluded(user, organization, subjects=[member])
    return services.add_discipline(
        user=user,
        case=case,
        subject=case.subjects.get(),
        form=form,
        decision_number=doc_number(),
        decided_on=decided_on or datetime.date(YEAR, 4, 10),
        deciding_organization=organization,
        deciding_body=Body.INSPECTION_COMMISSION,
    )


def complaint(user, discipline, organization, **overrides):
    """A complaint against `discipline` handled by the inspection commission of
    `organization`, lodged in time and under way."""
    fields = {
        "body": Body.INSPECTION_COMMISSION,
        "decision_received_on": discipline.decided_on + datetime.timedelta(days=5),
        "lodged_on": discipline.decided_on + datetime.timedelta(days=20),
        "today": TODAY,
        "decision_number": doc_number(),
        "decided_on": discipline.decided_on + datetime.timedelta(days=25),
    }
    fields.update(overrides)
    return services.lodge_complaint(
        user=user, discipline=discipline, organization=organization, **fields
    )


def suspension(user, organization, **overrides):
    """A member's party activity suspended from 1 February for prosecution."""
    fields = {
        "body": Body.INSPECTION_COMMISSION,
        "kind": "party_activity",
        "reason": "prosecuted",
        "starts_on": datetime.date(YEAR, 2, 1),
        "decided_on": datetime.date(YEAR, 2, 1),
        "decision_number": doc_number(),
        "member_name": "Đỗ Văn Đình",
        "member_position": "Chuyên viên",
    }
    fields.update(overrides)
    return services.record_suspension(user=user, organization=organization, **fields)
