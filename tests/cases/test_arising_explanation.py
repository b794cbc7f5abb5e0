"""A case that fulfils no target ("phát sinh"): its page says which targets its unit has
for its year and why none took it (cases.services.targets' rule, target by target)."""

import datetime
import re
from html import unescape

from django.urls import reverse

from cases import queries
from plans.models import ActivityKind, Amendment, Body, Programme
from tests.cases.factories import YEAR, concluded, doc_number, make_programme, make_target, record

D = datetime.date


def section(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    if 'class="arising-explanation"' not in body:
        return ""
    return body.split('class="arising-explanation"')[1].split("</section>")[0]


def reasons(html: str) -> list[str]:
    """Each row's last cell (the reason), as text."""
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">.*?</tr>", html, flags=re.S)
    return [unescape(re.findall(r"<td>([^<]*)</td></tr>", row)[-1]) for row in rows]


def test_each_target_of_the_unit_says_why_it_did_not_take_the_case(client, cast, tree):
    """A1's targets of the year: another kind, one full by the case's date, one of a draft
    programme, one of the unit's other body, one added after the case's date: every one
    says why."""
    unit = tree.a1
    own = make_programme(unit)  # the commission's: the case's body
    make_target(unit, programme=own, kind=ActivityKind.SUPERVISION_THEMATIC)
    full = make_target(unit, programme=own, quantity=1)
    concluded(cast.staff_a, unit, target=full)
    make_target(unit, programme=make_programme(unit, status=Programme.Status.DRAFT))
    make_target(unit, programme=make_programme(unit, body=Body.STANDING_COMMITTEE), quantity=2)
    number = doc_number("QĐ", "TN")
    later = Amendment.objects.create(
        programme=own,
        doc_number=number,
        doc_serial=number.split("-")[0],
        doc_type="QĐ",
        doc_issuer="TN",
        doc_year=YEAR,
        issued_on=D(YEAR, 9, 1),
        effective_on=D(YEAR, 9, 1),
    )
    make_target(unit, programme=own, quantity=3, added_by=later)
    # Decided on 1 June, when the full target had its case (concluded on 15 April).
    dates = {"decided_on": D(YEAR, 6, 1), "work_starts_on": D(YEAR, 6, 10)}
    case = record(cast.staff_a, unit, **dates, work_ends_on=D(YEAR, 6, 20))
    assert case.target is None

    client.force_login(cast.staff_a)
    html = section(client, case)
    assert "Vì sao cuộc này là phát sinh" in html
    assert "có chỉ tiêu loại “Kiểm tra chấp hành (chuyên đề)” năm 2025 nhưng không" in html
    found = reasons(html)
    assert len(found) == 5
    assert "Chỉ tiêu loại “Giám sát chuyên đề”, khác loại của cuộc này." in found
    assert "Chỉ tiêu đã đủ: đã thực hiện 1/1." in found
    assert "Chương trình chưa ban hành." in found
    assert any(r.startswith("Chỉ tiêu của chương trình do Ban thường vụ") for r in found), found
    assert "Chỉ tiêu được bổ sung từ ngày 01/09/2025, sau ngày của cuộc (01/06/2025)." in found
    assert "<caption>" in html and 'scope="col"' in html


def test_an_open_target_is_named_as_one_the_case_could_be_linked_to(client, cast, tree):
    open_target = make_target(tree.a1, quantity=2)
    case = record(cast.staff_a, tree.a1)  # recorded as arising by choice
    explanation = queries.arising_explanation(case)
    assert explanation is not None
    assert [(v.target, v.open) for v in explanation.verdicts] == [(open_target, True)]
    client.force_login(cast.staff_a)
    html = section(client, case)
    assert "Có chỉ tiêu còn mở mà cuộc này có thể thực hiện" in html
    assert reasons(html) == ["Chỉ tiêu còn thiếu 2: cuộc này có thể gắn vào chỉ tiêu này."]


def test_a_unit_without_targets_is_told_so(client, cast, tree):
    case = record(cast.staff_a, tree.a2)
    client.force_login(cast.staff_a)
    html = section(client, case)
    assert "Chi bộ cơ sở A2 không được giao chỉ tiêu nào trong các chương trình năm 2025" in html
    assert reasons(html) == []


def test_a_case_of_a_kind_without_targets_is_told_so(client, cast, tree):
    make_target(tree.a1, kind=ActivityKind.INSPECTION_FINANCE)
    case = record(cast.staff_a, tree.a1)
    client.force_login(cast.staff_a)
    html = section(client, case)
    assert "không có chỉ tiêu loại “Kiểm tra chấp hành (chuyên đề)” năm 2025" in html


def test_a_case_with_a_target_has_no_explanation(client, cast, tree):
    target = make_target(tree.a1, quantity=2)
    case = record(cast.staff_a, tree.a1, target=target)
    client.force_login(cast.staff_a)
    assert section(client, case) == ""
    assert queries.arising_explanation(case) is None
