"""Every count of the period report is computed from the records and links to the list of
the records that make it: the cases list (by kind, subject, finding, discipline form and
deciding body), the letters, denunciations, complaints and suspensions lists (by body,
kind, result and the period's dates). Built through the cases services; each section's
links are followed and the list shows as many records as the cell says."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseSubject, DisciplineDecision
from plans.models import Body
from reports import documents, engine, queries
from reports.queries.cells import report_cells
from tests.cases.factories import (
    YEAR,
    advance,
    complaint,
    denunciation,
    disciplined,
    doc_number,
    letter,
    make_programme,
    make_target,
    record,
    suspension,
)

D = datetime.date
AFTER = D(YEAR, 10, 15)
pytestmark = pytest.mark.usefixtures("deadline_rules")
MEMBER = {"kind": "member", "member_name": "Lê Văn Một", "member_position": "Phó phòng"}


def concluded(user, unit, *, violation, shortcomings, on, **fields):
    made = record(user, unit, **fields)
    made = advance(user, made, Case.Status.DECIDED, Case.Status.IN_PROGRESS)
    return services.conclude_case(
        user=user,
        case=made,
        version=made.version,
        concluded_on=on,
        conclusion_number=doc_number("TB"),
        violation_found=violation,
        shortcomings_found=shortcomings,
    )


def discipline(user, made, subject, *, form, by, body, on):
    return services.add_discipline(
        user=user,
        case=made,
        subject=subject,
        form=form,
        decision_number=doc_number(),
        decided_on=on,
        deciding_organization=by,
        deciding_body=body,
    )


@pytest.fixture
def records(cast, tree):
    """In A's subtree, nine months of YEAR: two inspections on signs of violation (one
    found a violation: an organisation and two members, one of them a committee member;
    one found only shortcomings), discipline decided by A's standing committee, A's
    commission and a cell, letters, a denunciation, a complaint, suspensions; and
    records outside the period or the subtree that no figure of A's may count."""
    admin = cast.admin
    violation = concluded(
        admin,
        tree.a1,
        violation=True,
        shortcomings=True,
        on=D(YEAR, 4, 15),
        kind="inspection_violation",
        subjects=[
            {"kind": "organization", "organization": tree.a1a},
            {**MEMBER, "is_committee_member": True},
            {**MEMBER, "member_name": "Lê Văn Hai"},
        ],
    )
    org, committee_member, member = sorted(
        violation.subjects.all(), key=lambda s: (s.kind != CaseSubject.Kind.ORGANIZATION, s.pk)
    )
    discipline(
        admin,
        violation,
        org,
        form="reprimand",
        by=tree.a,
        body=Body.STANDING_COMMITTEE,
        on=D(YEAR, 5, 2),
    )
    discipline(
        admin,
        violation,
        committee_member,
        form="warning",
        by=tree.a,
        body=Body.INSPECTION_COMMISSION,
        on=D(YEAR, 5, 3),
    )
    # Decided after the nine months: "must be disciplined", not yet "disciplined".
    discipline(
        admin,
        violation,
        member,
        form="reprimand",
        by=tree.a1,
        body=Body.COMMITTEE,
        on=D(YEAR, 10, 5),
    )
    concluded(
        admin,
        tree.a2,
        violation=False,
        shortcomings=True,
        on=D(YEAR, 6, 1),
        kind="inspection_violation",
        subjects=[MEMBER],
    )
    concluded(  # another kind, counted in its own line only
        admin,
        tree.a1,
        violation=False,
        shortcomings=False,
        on=D(YEAR, 3, 1),
        subjects=[{"kind": "organization", "organization": tree.a1a}, MEMBER],
    )
    concluded(  # outside A's subtree
        admin,
        tree.b,
        violation=True,
        shortcomings=False,
        on=D(YEAR, 4, 1),
        kind="inspection_violation",
        subjects=[MEMBER],
    )
    warned = disciplined(admin, tree.a1, decided_on=D(YEAR, 4, 10))  # A1's commission
    complaint(admin, warned, tree.a)
    letter(admin, tree.a1, kind="petition", received_on=D(YEAR, 5, 2))
    letter(
        admin,
        tree.a2,
        kind="feedback",
        received_on=D(YEAR, 6, 3),
        sender_kind="anonymous",
        sender_name="",
    )
    letter(admin, tree.a1, kind="petition", received_on=D(YEAR, 10, 2))  # after
    denunciation(admin, tree.a1)
    suspension(admin, tree.a1, member_name="Đình Một")
    suspension(admin, tree.a2, member_name="Đình Hai", reason="detained", is_committee_member=True)
    suspension(admin, tree.b, member_name="Đình B")  # outside
    return tree


def report_url(unit):
    return reverse("reports:period_report", args=[unit.pk]) + f"?year={YEAR}&period=m9"


def test_the_findings_are_counts_of_the_subjects_behind_them(cast, records):
    report = queries.period_report(records.a, year=YEAR, period_kind="m9", today=AFTER)
    lines = {line.who: line for line in report.findings}
    subjects = CaseSubject.objects.filter(
        case__kind="inspection_violation",
        case__organization__path__startswith=records.a.path,
        case__concluded_on__lte=D(YEAR, 9, 30),
    )
    for who, found in (
        ("organizations", subjects.filter(kind="organization")),
        ("members", subjects.filter(kind="member")),
        ("committee_members", subjects.filter(kind="member", is_committee_member=True)),
    ):
        line = lines[who]
        assert line.subjects == found.count()
        assert line.violation == found.filter(case__violation_found=True).count()
        assert line.shortcomings == found.filter(case__shortcomings_found=True).count()
        assert line.must_discipline == found.filter(disciplines__isnull=False).distinct().count()
        assert (
            line.disciplined
            == found.filter(disciplines__decided_on__lte=D(YEAR, 9, 30)).distinct().count()
        )
    # And the figures themselves: 1 organisation, 3 members (1 on a committee).
    assert [(line.subjects, line.violation, line.shortcomings) for line in report.findings] == [
        (1, 1, 1),
        (3, 2, 3),
        (1, 1, 1),
    ]
    assert [(line.must_discipline, line.disciplined) for line in report.findings] == [
        (1, 1),
        (2, 1),
        (1, 1),
    ]
    # A submission stores them among its cells.
    cells = report_cells(report)
    assert cells["findings.members.subjects"] == 3
    assert cells["findings.members.violation"] == 2
    assert cells["findings.organizations.must_discipline"] == 1
    assert cells["findings.committee_members.disciplined"] == 1


def test_the_discipline_is_split_by_deciding_body(cast, records):
    report = queries.period_report(records.a, year=YEAR, period_kind="m9", today=AFTER)
    by_form = {line.form: line for line in report.discipline_by_decider}
    in_period = DisciplineDecision.objects.filter(
        deciding_organization__path__startswith=records.a.path,
        decided_on__range=(D(YEAR, 1, 1), D(YEAR, 9, 30)),
    )
    for line in report.discipline_by_decider[:-1]:
        for decider, bodies in (
            ("committee", ["committee", "standing_committee", "cell"]),
            ("inspection_commission", ["inspection_commission"]),
        ):
            found = in_period.filter(form=line.form, deciding_body__in=bodies)
            assert line.organizations[decider] == found.filter(subject__kind="organization").count()
            assert line.members[decider] == found.filter(subject__kind="member").count()
    assert by_form["reprimand"].organizations == {"committee": 1, "inspection_commission": 0}
    assert by_form["warning"].members == {"committee": 0, "inspection_commission": 2}
    assert by_form["warning"].committee_members["inspection_commission"] == 1
    total = report.discipline_by_decider[-1]
    assert total.total is not None and total.total.members == 2


def counted(body: str) -> int:
    """How many records a list page says it shows (0 when it shows none)."""
    for css in ("total-counted", "total-cases", "total-records"):
        found = re.search(rf'class="{css}">([\d.]+)<', body)
        if found:
            return int(found.group(1).replace(".", ""))
    return 0


def links(page: str, section: str) -> list[tuple[str, int]]:
    block = page.split(f'id="{section}"')[1].split("</table>")[0]
    return [
        (html.unescape(href), int(value.replace(".", "")))
        for href, value in re.findall(r'<a href="([^"]+)">([\d.]+)</a>', block)
    ]


@pytest.mark.parametrize(
    "section",
    [
        "report-activities",
        "report-findings-table",
        "report-discipline-table",
        "report-records-bodies",
        "report-letters",
        "report-suspensions",
    ],
)
def test_every_linked_count_opens_a_list_of_as_many_records(client, cast, records, section):
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(report_url(records.a)).content.decode()
        found = links(page, section)
        assert found and any(value for _href, value in found)
        for href, value in found:
            response = client.get(href)
            assert response.status_code == 200, href
            assert counted(response.content.decode()) == value, href


def test_the_drill_down_stays_inside_the_users_reach(client, cast, records):
    """The lists go through the access function: a leader of B following a link made for
    A's report gets 404, not A's records."""
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(report_url(records.a)).content.decode()
    href = links(page, "report-findings-table")[0][0]
    client.force_login(cast.leader_b)
    assert client.get(href).status_code == 404


def test_overdue_denunciations_and_suspended_committee_members_link_too(client, cast, records):
    """The denunciation opened on 1 March is past its deadline at the end of September and
    still open; one suspended member sits on a committee."""
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(report_url(records.a)).content.decode()
        overdue = [
            (href, value)
            for href, value in links(page, "report-records-bodies")
            if "overdue_after" in href
        ]
        committee = [
            (href, value)
            for href, value in links(page, "report-suspensions")
            if "committee=true" in href
        ]
        assert sum(value for _href, value in overdue) >= 1
        assert sum(value for _href, value in committee) == 1
        for href, value in overdue + committee:
            assert counted(client.get(href).content.decode()) == value, href


def test_the_paragraph_says_the_findings_and_who_disciplined(cast, records):
    report = queries.period_report(records.a, year=YEAR, period_kind="m9", today=AFTER)
    text = documents.summary_of(report)
    assert (
        "kiểm tra khi có dấu hiệu vi phạm 01 tổ chức đảng, 03 đảng viên (trong đó 01 cấp ủy "
        "viên). Số cuộc phát sinh ngoài chương trình: 04 cuộc. Qua kiểm tra khi có dấu hiệu vi "
        "phạm: có vi phạm 01 tổ chức đảng, 02 đảng viên; có khuyết điểm 01 tổ chức đảng, 03 "
        "đảng viên; phải thi hành kỷ luật 01 tổ chức đảng, 02 đảng viên; đã thi hành kỷ luật "
        "01 tổ chức đảng, 01 đảng viên."
    ) in text
    assert (
        "Trong đó: cấp ủy, ban thường vụ, chi bộ thi hành kỷ luật 01 tổ chức đảng; ủy ban "
        "kiểm tra thi hành kỷ luật 02 đảng viên (trong đó 01 cấp ủy viên)."
    ) in text
    assert text.index("Qua kiểm tra khi có dấu hiệu vi phạm") < text.index("Trong đó: cấp ủy")


@pytest.fixture
def planned(cast, tree):
    """A's commission set A1 two compliance inspections and A2 three members to inspect
    on signs of violation; A1 did three (one more than planned), A2 inspected two members
    in the nine months and one more after them."""
    programme = make_programme(tree.a, body=Body.INSPECTION_COMMISSION)
    a1 = make_target(tree.a1, programme=programme, quantity=2)
    a2 = make_target(
        tree.a2, programme=programme, kind="inspection_violation", quantity=3, counts="members"
    )
    for day in (D(YEAR, 3, 1), D(YEAR, 4, 1), D(YEAR, 5, 1)):
        concluded(
            cast.admin,
            tree.a1,
            violation=False,
            shortcomings=False,
            on=day,
            target=a1,
            subjects=[{"kind": "organization", "organization": tree.a1a}],
        )
    concluded(
        cast.admin,
        tree.a2,
        violation=True,
        shortcomings=False,
        on=D(YEAR, 6, 1),
        target=a2,
        kind="inspection_violation",
        subjects=[MEMBER, {**MEMBER, "member_name": "Hai"}],
    )
    concluded(
        cast.admin,
        tree.a2,
        violation=True,
        shortcomings=False,
        on=D(YEAR, 10, 2),
        target=a2,
        kind="inspection_violation",
        subjects=[{**MEMBER, "member_name": "Ba"}],
    )
    engine.rebuild(AFTER)
    return tree


def test_the_targets_done_open_the_cases_that_count_toward_them(client, cast, planned):
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(report_url(planned.a)).content.decode()
        block = page.split('id="report-targets"')[1].split("</table>")[0]
        found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)
        texts = [text for _href, text in found]
        # A1's three inspections over two planned; A2's two members of three (the third
        # was concluded after September).
        assert texts == ["đã thực hiện 3", "2/3 đảng viên", "đã thực hiện 3", "2/3 đảng viên"]
        for href, text in found:
            listed = client.get(html.unescape(href)).content.decode()
            assert counted(listed) == int(re.search(r"(\d+)", text).group(1)), href
