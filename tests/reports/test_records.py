"""The figures of the commission's other records (reports.queries.records) on the period
report, its exports and the dashboard: built through the cases services, read back as
the reports write them ("Thi hành kỷ luật 05 đảng viên; đình chỉ sinh hoạt đảng đối với
13 đảng viên bị khởi tố, bắt tạm giam. Tiếp nhận 03 đơn thư kiến nghị, phản ánh.")."""

import datetime
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cases import deadlines, services
from cases.models import Denunciation
from ktgs.models import Role
from ktgs.services import grant_role
from plans.models import Body
from reports import wording
from reports.queries.records import FEW_SECOND_LEVEL_UNITS, large_share, records
from tests.cases.factories import (
    complaint,
    denunciation,
    disciplined,
    doc_number,
    letter,
    suspension,
)
from tests.factories import OrganizationFactory, UserFactory

D = datetime.date
NINE_MONTHS = D(2025, 1, 1), D(2025, 9, 30)
AFTER = D(2025, 10, 15)
LINE = (
    "Thi hành kỷ luật 05 đảng viên; đình chỉ sinh hoạt đảng đối với 13 đảng viên bị khởi "
    "tố, bắt tạm giam. Tiếp nhận 03 đơn thư kiến nghị, phản ánh."
)
pytestmark = pytest.mark.usefixtures("deadline_rules")


def nine_month_records(cast, tree) -> None:
    """What the real 9-month line counts, recorded in A1 (staff_a's reach) and B."""
    for i in range(4):
        disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 4, 10 + i), member_name=f"Kỷ {i}")
    disciplined(cast.admin, tree.b, decided_on=D(2025, 8, 1), member_name="Kỷ B")
    for i in range(13):
        unit = tree.a1 if i < 8 else tree.b
        user = cast.staff_a if i < 8 else cast.admin
        reason = "prosecuted" if i % 3 else "detained"
        suspension(user, unit, reason=reason, member_name=f"Đình {i}", starts_on=D(2025, 2, 1 + i))
    letter(cast.staff_a, tree.a1, kind="petition", received_on=D(2025, 5, 2))
    letter(cast.staff_a, tree.a2, kind="feedback", received_on=D(2025, 6, 3))
    letter(cast.admin, tree.b1, kind="petition", received_on=D(2025, 9, 30))
    # Outside the nine months: counted in none of the figures above.
    letter(cast.admin, tree.b1, kind="petition", received_on=D(2025, 10, 1))
    suspension(cast.admin, tree.b, member_name="Đình sau", starts_on=D(2025, 10, 2))


def test_the_nine_month_line_is_rebuilt_from_the_records(client, cast, tree):
    nine_month_records(cast, tree)
    found = records(tree.province, starts_on=NINE_MONTHS[0], ends_on=NINE_MONTHS[1], today=AFTER)
    assert wording.records_summary(found.all) == LINE
    assert wording.discipline_detail(found.all) == "Kỷ luật 05 đảng viên: cảnh cáo 05."
    with translation.override("en"):
        english = records(
            tree.province, starts_on=NINE_MONTHS[0], ends_on=NINE_MONTHS[1], today=AFTER
        )
        assert wording.records_summary(english.all) == (
            "Disciplined 5 members; suspended the party activity of 13 members prosecuted or "
            "detained. Received 3 petition and feedback letters."
        )
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(
            reverse("reports:period_report", args=[tree.province.pk]),
            {"year": 2025, "period": "m9"},
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<li class="records-summary">{LINE}</li>' in body
    # The discipline table reads the same records.
    assert "Kỷ luật 05 đảng viên: cảnh cáo 05." in body


def test_the_same_figures_per_body_and_per_subtree(cast, tree):
    nine_month_records(cast, tree)
    letter(cast.staff_a, tree.a1, kind="denunciation", body=Body.STANDING_COMMITTEE)
    letter(
        cast.staff_a,
        tree.a1,
        kind="denunciation",
        sender_kind="anonymous",
        sender_name="",
        body=Body.STANDING_COMMITTEE,
    )
    suspension(
        cast.staff_a,
        tree.a1,
        body=Body.STANDING_COMMITTEE,
        kind="committee_activity",
        is_committee_member=True,
        reason="other",
        reason_detail="Vi phạm nghiêm trọng.",
        member_name="Ủy viên",
    )
    province = records(tree.province, starts_on=NINE_MONTHS[0], ends_on=NINE_MONTHS[1], today=AFTER)
    assert [b.body for b in province.bodies] == ["", "standing_committee", "inspection_commission"]
    standing = province.by_body[0]
    assert (standing.letters_received, standing.letters_anonymous, standing.suspended) == (2, 1, 1)
    assert standing.discipline_total.members == 0
    assert wording.records_summary(standing, standing.label) == (
        "Ban thường vụ: đình chỉ sinh hoạt cấp ủy đối với 01 cấp ủy viên. Tiếp nhận 02 đơn tố "
        "cáo (trong đó 01 đơn nặc danh, mạo tên)."
    )
    commission = province.by_body[1]
    assert (commission.letters_received, commission.suspended) == (3, 13)
    assert commission.discipline_total.members == 5
    assert province.all.letters_received == 5 and province.all.suspended == 14
    a = records(tree.a, starts_on=NINE_MONTHS[0], ends_on=NINE_MONTHS[1], today=AFTER)
    b = records(tree.b, starts_on=NINE_MONTHS[0], ends_on=NINE_MONTHS[1], today=AFTER)
    assert (a.all.letters_received, a.all.suspended, a.all.discipline_total.members) == (4, 9, 4)
    assert (b.all.letters_received, b.all.suspended, b.all.discipline_total.members) == (1, 5, 1)
    # Suspensions by kind and reason (13 = 9 prosecuted + 4 detained, and the other one).
    assert [(s.kind, s.reason, s.count) for s in province.all.suspensions] == [
        ("party_activity", "prosecuted", 8),
        ("party_activity", "detained", 5),
        ("committee_activity", "other", 1),
    ]


def forwarded_twice(cast, tree, then_to) -> None:
    """A petition received by A1 on 1 March, forwarded to B on 4 March, and from there to
    `then_to`'s cells on 9 March."""
    first = letter(cast.staff_a, tree.a1, kind="petition", received_on=D(2025, 3, 1))
    at_b = services.forward_letter(
        user=cast.staff_a, letter=first, to=tree.b, on=D(2025, 3, 4), version=first.version
    )
    services.forward_letter(
        user=cast.admin,
        letter=at_b,
        to=then_to,
        on=D(2025, 3, 9),
        version=at_b.version,
        body=Body.CELL,
    )


def received(unit, start=None, end=None):
    """The letters `unit`'s subtree received in [start, end] (2025 by default): for all
    bodies, per body."""
    start, end = start or D(2025, 1, 1), end or D(2025, 12, 31)
    found = records(unit, starts_on=start, ends_on=end, today=end)
    return found.all.letters_received, {b.body: b.letters_received for b in found.by_body}


def test_a_forwarded_letter_counts_once_wherever_it_went(cast, tree):
    forwarded_twice(cast, tree, then_to=tree.b1)
    assert received(tree.root) == (1, {"inspection_commission": 1})
    assert received(tree.province) == (1, {"inspection_commission": 1})
    # Each unit the chain entered from outside its subtree received it once.
    assert received(tree.a) == (1, {"inspection_commission": 1})
    assert received(tree.b) == (1, {"inspection_commission": 1})
    assert received(tree.b1) == (1, {"cell": 1})
    # A period that holds only the forwarding into B counts it for B, not for the province.
    assert received(tree.b, D(2025, 3, 2), D(2025, 3, 31))[0] == 1
    assert received(tree.province, D(2025, 3, 2), D(2025, 3, 31))[0] == 0


def test_a_letter_that_enters_a_subtree_twice_counts_once_for_all_bodies(cast, tree):
    """Forwarded out of A and back into it through another body: A's bodies each received
    it, and all A's bodies together received one letter (one read gives both: the chain
    counts for all bodies at its first row in the subtree)."""
    forwarded_twice(cast, tree, then_to=tree.a2)
    letter(cast.staff_a, tree.a2, kind="petition", received_on=D(2025, 4, 1), body=Body.CELL)
    assert received(tree.a) == (2, {"inspection_commission": 1, "cell": 2})
    assert received(tree.province) == (2, {"inspection_commission": 1, "cell": 1})
    assert received(tree.a2) == (2, {"cell": 2})
    assert received(tree.b) == (1, {"inspection_commission": 1})


def test_an_annulled_discipline_leaves_the_period_after_its_date(cast, tree):
    kept = disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 4, 10), member_name="Giữ")
    annulled = disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 4, 11), member_name="Xóa")
    changed = disciplined(cast.staff_a, tree.a1, decided_on=D(2025, 4, 12), member_name="Đổi")
    for decision, result, more in (
        (annulled, "annulled", {}),
        (changed, "changed", {"new_form": "reprimand", "decision_number": doc_number()}),
    ):
        lodged = complaint(cast.staff_a, decision, tree.a)
        services.decide_complaint(
            user=cast.staff_a,
            complaint=lodged,
            result=result,
            decided_on=D(2025, 8, 1),
            version=lodged.version,
            **more,
        )

    def forms(unit, end):
        found = records(unit, starts_on=D(2025, 1, 1), ends_on=end, today=end).all
        return {x.form: x.members for x in found.discipline[:-1] if x.members}, found

    # Six months: all three as decided (history kept); nine months: the annulled one gone,
    # the changed one under its new form (decided by A, so in A's subtree, not A1's).
    assert forms(tree.a, D(2025, 6, 30))[0] == {"warning": 3}
    nine, found = forms(tree.a, D(2025, 9, 30))
    assert nine == {"warning": 1, "reprimand": 1}
    assert forms(tree.a1, D(2025, 9, 30))[0] == {"warning": 1}
    assert kept.ended_on is None
    assert found.complaints_received == 2
    assert found.complaints == {"upheld": 0, "changed": 1, "annulled": 1}
    assert wording.complaints_sentence(found) == (
        "Giải quyết khiếu nại kỷ luật: tiếp nhận 02, đã giải quyết 02 (thay đổi hình thức kỷ "
        "luật 01, xóa bỏ kỷ luật 01)."
    )


def one_record_of_each_kind(user, upper, lower) -> None:
    """In `upper`'s subtree: a letter received by `upper` and forwarded to `lower`, a
    denunciation (and its letter) and a discipline at `lower`, a complaint against that
    discipline handled by `upper`, a suspension at `lower`."""
    received = letter(user, upper, kind="petition", received_on=D(2025, 3, 1))
    services.forward_letter(
        user=user, letter=received, to=lower, on=D(2025, 3, 4), version=received.version
    )
    denunciation(user, lower)
    decision = disciplined(user, lower, decided_on=D(2025, 4, 10), member_name="Kỷ")
    complaint(user, decision, upper)
    suspension(user, lower, member_name="Đình")


def figures(unit, second_level_units=None) -> tuple[int, ...]:
    """The nine months' letters, denunciations, complaints, suspensions and disciplined
    members of `unit`'s subtree, for all bodies."""
    found = records(
        unit,
        starts_on=NINE_MONTHS[0],
        ends_on=NINE_MONTHS[1],
        today=AFTER,
        second_level_units=second_level_units,
    ).all
    return (
        found.letters_received,
        found.denunciations.received,
        found.complaints_received,
        found.suspended,
        found.discipline_total.members,
    )


def test_a_top_level_unit_counts_the_records_of_its_tree_alone(cast, tree):
    """The nation's statement skips looking up each record's unit (and where a forwarded
    letter came from) while no other top-level unit exists, as its subtree is then every
    unit: once one exists, each top level counts its own tree's records only."""
    one_record_of_each_kind(cast.admin, tree.a, tree.a1)
    # Two letters (the forwarded one once, and the denunciation's), one of the others.
    assert figures(tree.root) == (2, 1, 1, 1, 1)
    other = OrganizationFactory(code="KHAC", name="Cây khác", member_count=0)
    unit = OrganizationFactory(parent=other, code="KHAC-1", name="Đảng bộ khác")
    assert other.depth == tree.root.depth == 1
    staff = UserFactory(username="staff_other")
    grant_role(user=staff, organization=other, kind=Role.Kind.STAFF)
    one_record_of_each_kind(staff, other, unit)
    assert figures(tree.root) == figures(tree.province) == figures(other) == (2, 1, 1, 1, 1)
    assert figures(unit) == (2, 1, 0, 1, 1)


@pytest.mark.parametrize("second_level_units", [None, 1, FEW_SECOND_LEVEL_UNITS])
def test_a_province_counts_its_records_whichever_way_they_are_read(cast, tree, second_level_units):
    """A second-level unit of a tree with few of them looks each record's unit up; of a
    tree with many (or when the caller does not say), it joins its own units: the same
    figures either way, its own tree's records only."""
    one_record_of_each_kind(cast.admin, tree.a, tree.a1)
    other = OrganizationFactory(parent=tree.root, code="TN-KHAC", name="Tỉnh khác")
    below = OrganizationFactory(parent=other, code="TN-KHAC-1", name="Đảng bộ dưới")
    assert other.depth == tree.province.depth == 2
    one_record_of_each_kind(cast.admin, other, below)
    assert large_share(tree.province, second_level_units) is (second_level_units == 1)
    assert figures(tree.province, second_level_units) == (2, 1, 1, 1, 1)
    assert figures(other, second_level_units) == (2, 1, 1, 1, 1)
    assert figures(tree.root, second_level_units) == (4, 2, 2, 2, 2)


def conclude(user, opened, on):
    return services.conclude_denunciation(
        user=user, denunciation=opened, conclusion="true", concluded_on=on, version=opened.version
    )


def test_denunciations_overdue_follow_the_deadline_rule(cast, tree):
    """Received on different days (due 90 days later), some concluded in time, late, or
    not at all: the overdue figure as of a period's end is cases.deadlines.status."""
    start, end = D(2025, 4, 1), D(2025, 9, 30)
    made = []
    for received, concluded_on in [
        (D(2025, 1, 2), D(2025, 3, 20)),  # concluded before the period: no part in it
        (D(2025, 2, 1), None),  # due 2 May: open and overdue
        (D(2025, 3, 1), D(2025, 5, 20)),  # in time
        (D(2025, 3, 1), D(2025, 7, 1)),  # late, in the period
        (D(2025, 7, 15), None),  # due 13 October: pending, in time
        (D(2025, 7, 2), D(2025, 10, 5)),  # due 30 September, concluded after the end
    ]:
        opened = denunciation(cast.staff_a, tree.a1, letter_fields={"received_on": received})
        if concluded_on is not None:
            opened = conclude(cast.staff_a, opened, concluded_on)
        made.append(opened)
    found = records(tree.a, starts_on=start, ends_on=end, today=end).all.denunciations

    expected = 0
    for row in Denunciation.objects.all():
        done = row.concluded_on if row.concluded_on and row.concluded_on <= end else None
        if row.concluded_on and row.concluded_on < start:
            continue
        expected += deadlines.status(row.deadline, done, end) == deadlines.Status.OVERDUE
    assert found.overdue == expected == 2
    assert (found.received, found.concluded, found.pending) == (2, 2, 3)


@time_machine.travel(D(2025, 5, 25), tick=False)
def test_the_dashboard_shows_the_deadlines_to_those_who_see_the_unit(client, cast, tree):
    for i in range(3):  # due 30 May–1 June: within ten days
        denunciation(
            cast.staff_a,
            tree.a1,
            letter_fields={"received_on": D(2025, 3, 1 + i), "about_member_name": f"Bị {i}"},
        )
    denunciation(
        cast.staff_a,
        tree.a2,
        letter_fields={"received_on": D(2025, 2, 1), "about_member_name": "Quá Hạn"},
    )
    url = reverse("reports:dashboard", args=[tree.a.pk])
    client.force_login(cast.leader_p)
    body = client.get(url, {"year": 2025}).content.decode()
    assert (
        '<p class="records-deadlines">3 đơn tố cáo sắp hết hạn · 1 đơn tố cáo quá hạn</p>' in body
    )
    # Counts only: no accused, no sender.
    assert "Quá Hạn" not in body and "Nguyễn Thị Gửi" not in body
    body = client.get(reverse("reports:dashboard", args=[tree.a1.pk]), {"year": 2025})
    assert "3 đơn tố cáo sắp hết hạn" in body.content.decode()
    assert "quá hạn</p>" not in body.content.decode().split("records-deadlines")[1][:80]
    client.force_login(cast.leader_b)
    assert client.get(url, {"year": 2025}).status_code == 404


def grow_records(cast, tree, extra: int) -> None:
    """`extra` more grassroots units under B, each with a cell and a record of each kind."""
    for i in range(extra):
        unit = OrganizationFactory(
            parent=tree.b, code=f"R{i}", name=f"Đảng bộ hồ sơ {i}", level="grassroots"
        )
        cell = OrganizationFactory(parent=unit, code=f"R{i}c", name=f"Chi bộ hồ sơ {i}")
        letter(cast.admin, cell, kind="feedback", received_on=D(2025, 5, 1))
        first = letter(cast.admin, unit, kind="petition", received_on=D(2025, 5, 1))
        services.forward_letter(
            user=cast.admin, letter=first, to=cell, on=D(2025, 5, 2), version=first.version
        )
        suspension(cast.admin, unit, member_name=f"Đình {i}")
        decision = disciplined(cast.admin, cell, member_name=f"Kỷ {i}")
        complaint(cast.admin, decision, unit)
        denunciation(cast.admin, cell, letter_fields={"about_member_name": f"Bị {i}"})


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_records_take_the_same_queries_whatever_the_subtree(client, cast, tree):
    nine_month_records(cast, tree)
    client.force_login(cast.admin)
    pages = {
        (name, view, period): (reverse(f"reports:{view}", args=[getattr(tree, name).pk]), period)
        for name in ("root", "province", "b")
        for view in ("dashboard", "period_report")
        for period in ("year", "m9")
    }

    def counts():
        with time_machine.travel(AFTER, tick=False):
            found = {
                key: count_queries(client, url, {"year": 2025, "period": period})
                for key, (url, period) in pages.items()
            }
            with CaptureQueriesContext(connection) as ctx:
                records(tree.province, starts_on=D(2025, 1, 1), ends_on=AFTER, today=AFTER)
            found["records"] = len(ctx.captured_queries)
        return found

    small = counts()
    grow_records(cast, tree, 6)
    large = counts()
    assert small == large
    assert small["records"] == 1
    found = records(tree.b, starts_on=D(2025, 1, 1), ends_on=AFTER, today=AFTER).all
    # 6 feedback, 6 forwarded petitions (once each), 6 denunciations' letters, and B1's
    # petitions of 30 September and 1 October (the figures run to 15 October here).
    assert found.letters_received == 20
    assert (found.complaints_received, found.denunciations.received) == (6, 6)


def test_the_xlsx_has_the_records_and_the_sentence(client, cast, tree):
    nine_month_records(cast, tree)
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(
            reverse("reports:period_report", args=[tree.province.pk]),
            {"year": 2025, "period": "m9", "format": "xlsx"},
        )
    book = load_workbook(BytesIO(response.content))

    def every(name):
        rows = [[cell.value for cell in row] for row in book[name].iter_rows()]
        return next(row for row in rows if row[1] == "Tất cả chủ thể")

    letters = every("Đơn thư")
    assert letters[2:4] == [3, 0]
    assert letters[4] == LINE + " Kỷ luật 05 đảng viên: cảnh cáo 05."
    assert every("Tố cáo")[2:6] == [0, 0, 0, 0]
    assert every("Khiếu nại")[2:7] == [0, 0, 0, 0, 0]
    assert every("Đình chỉ")[2] == 13


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_pdf_has_the_records(client, cast, tree, language):
    nine_month_records(cast, tree)
    cast.leader_p.language = language
    cast.leader_p.save()
    client.force_login(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(
            reverse("reports:period_report", args=[tree.province.pk]),
            {"year": 2025, "period": "m9", "format": "pdf"},
        )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
