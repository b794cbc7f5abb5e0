"""Factories for cases. Programmes and targets are built directly with the ORM (the plans
services are written in parallel); their document parts come from parse_document_number
as the plans services would fill them. Synthetic data only."""

import datetime
import itertools

from cases import services
from cases.models import Case
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

    person = UserFactory(username="staff_a2", first_name="Thị", last_name="Biên Tập")
    ktgs_services.grant_role(user=person, organization=unit, kind="staff")
    return person
