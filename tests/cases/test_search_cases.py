"""The case list found as people type: text (title, decision and conclusion numbers,
subjects' names) and decision numbers without diacritics; sorted by a column; exported to
XLSX with the filters applied. The letters' and suspensions' lists by a person's name."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case
from tests.cases.factories import YEAR, advance, concluded, letter, record, suspension

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [case["title"] for case in response.context["cases"]]


@pytest.fixture
def cases(cast, tree):
    finance = record(
        cast.staff_a,
        tree.a1,
        title="Kiểm tra tài chính đảng năm 2025",
        decision_number="516a-QĐ/ĐUK",
        decided_on=datetime.date(YEAR, 2, 1),
        subjects=[{"kind": "member", "member_name": "Nguyễn Thị Hồng Nhung"}],
    )
    police = concluded(
        cast.staff_a,
        tree.a2,
        title="Giám sát chuyên đề công tác an ninh",
        decision_number="12-QĐ/UBKT",
        decided_on=datetime.date(YEAR, 3, 5),
        subjects=[{"kind": "organization", "organization": tree.a1a}],
    )
    dues = record(
        cast.staff_a,
        tree.a,
        title="Kiểm tra thu, nộp đảng phí",
        decision_number="7-QĐ/ĐUK",
        decided_on=datetime.date(YEAR, 1, 10),
        subjects=[{"kind": "member", "member_name": "Trần Văn Đức"}],
    )
    return {"finance": finance, "police": police, "dues": dues}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # The title, without diacritics and in any case.
        ("tai chinh", ["Kiểm tra tài chính đảng năm 2025"]),
        ("AN NINH", ["Giám sát chuyên đề công tác an ninh"]),
        ("dang phi", ["Kiểm tra thu, nộp đảng phí"]),
        # A member's name, without diacritics.
        ("hong nhung", ["Kiểm tra tài chính đảng năm 2025"]),
        ("tran van duc", ["Kiểm tra thu, nộp đảng phí"]),
        # A subject unit's name and code.
        ("chi bo a1a", ["Giám sát chuyên đề công tác an ninh"]),
        # The decision number, whole or a fragment.
        ("516a", ["Kiểm tra tài chính đảng năm 2025"]),
        ("qd/ubkt", ["Giám sát chuyên đề công tác an ninh"]),
        # Words from the title and a subject's name together.
        ("tai chinh nhung", ["Kiểm tra tài chính đảng năm 2025"]),
        ("tai chinh duc", []),
    ],
)
def test_text_search(client, cast, cases, typed, expected):
    client.force_login(cast.leader_p)
    assert titles(client.get(reverse("cases:list"), {"q": typed})) == expected


def test_the_conclusion_number_is_searched(client, cast, cases):
    number = cases["police"].conclusion_number
    client.force_login(cast.leader_p)
    found = titles(client.get(reverse("cases:list"), {"q": number.lower().replace("đ", "d")}))
    assert found == ["Giám sát chuyên đề công tác an ninh"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("516a-QĐ/ĐUK", {"Kiểm tra tài chính đảng năm 2025"}),
        ("qd/duk", {"Kiểm tra tài chính đảng năm 2025", "Kiểm tra thu, nộp đảng phí"}),
        ("12-", {"Giám sát chuyên đề công tác an ninh"}),
        # The decision-number search looks at decision numbers only, not titles.
        ("tai chinh", set()),
    ],
)
def test_decision_number_search(client, cast, cases, typed, expected):
    client.force_login(cast.leader_p)
    assert set(titles(client.get(reverse("cases:list"), {"decision": typed}))) == expected


def test_the_search_stays_in_the_users_reach(client, cast, cases, tree):
    record(cast.admin, tree.b, title="Kiểm tra tài chính ở xã B")
    client.force_login(cast.staff_a)
    assert titles(client.get(reverse("cases:list"), {"q": "tai chinh"})) == [
        "Kiểm tra tài chính đảng năm 2025"
    ]
    client.force_login(cast.leader_b)
    assert titles(client.get(reverse("cases:list"), {"q": "tai chinh"})) == [
        "Kiểm tra tài chính ở xã B"
    ]


def test_an_edited_case_is_found_by_its_new_title(client, cast, cases):
    from cases import services

    case = cases["dues"]
    services.update_case(
        user=cast.staff_a,
        case=case,
        version=case.version,
        **{name: getattr(case, name) for name in services.CASE_FIELDS if name != "title"},
        title="Kiểm tra kê khai tài sản",
    )
    client.force_login(cast.leader_p)
    assert titles(client.get(reverse("cases:list"), {"q": "dang phi"})) == []
    assert titles(client.get(reverse("cases:list"), {"q": "ke khai"})) == [
        "Kiểm tra kê khai tài sản"
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Giám sát…, Kiểm tra tài chính…, Kiểm tra thu… ("tà" before "th").
        ("title", ["police", "finance", "dues"]),
        ("-title", ["dues", "finance", "police"]),
        ("decided", ["dues", "finance", "police"]),
        ("-decided", ["police", "finance", "dues"]),
        # Chi bộ cơ sở A2, Đảng bộ cơ sở A1, Đảng ủy Khối A.
        ("unit", ["police", "finance", "dues"]),
        ("status", ["finance", "dues", "police"]),
        ("-status", ["police", "dues", "finance"]),
        # Anything else: the list's own order, newest decision first.
        ("nonsense", ["police", "finance", "dues"]),
    ],
)
def test_sorting(client, cast, cases, sort, expected):
    advance(cast.staff_a, cases["dues"], Case.Status.DECIDED)
    by_title = {case.title: key for key, case in cases.items()}
    client.force_login(cast.leader_p)
    found = titles(client.get(reverse("cases:list"), {"sort": sort}))
    assert [by_title[title] for title in found] == expected


def test_sort_headers_keep_the_filters_and_reverse_on_a_second_click(client, cast, cases):
    client.force_login(cast.leader_p)
    body = client.get(reverse("cases:list"), {"q": "kiem tra", "sort": "title"}).content.decode()
    assert 'aria-sort="ascending"' in body
    assert "?q=kiem+tra&amp;sort=-title" in body
    assert "?q=kiem+tra&amp;sort=decided" in body


def test_export_has_the_filtered_rows_in_the_lists_order(client, cast, cases, tree):
    record(cast.admin, tree.b, title="Kiểm tra ở xã B (ngoài phạm vi)")
    client.force_login(cast.staff_a)
    response = client.get(
        reverse("cases:list"), {"q": "kiem tra", "sort": "-title", "export": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows.index(next(row for row in rows if row[0] == "Năm"))
    assert ["Tìm", "kiem tra"] in [row[:2] for row in rows[:header]]
    data = rows[header + 1 :]
    assert [row[1] for row in data] == [
        "Kiểm tra thu, nộp đảng phí",
        "Kiểm tra tài chính đảng năm 2025",
    ]
    finance = data[1]
    assert finance[0] == YEAR
    assert finance[2:4] == ["Đảng bộ cơ sở A1", "TN-A1"]
    assert finance[5] == "516a-QĐ/ĐUK"
    assert finance[6].date() == datetime.date(YEAR, 2, 1)
    assert finance[7] == "Dự thảo"
    assert finance[10] == "Phát sinh"
    assert finance[11] == 1


def test_the_export_of_a_report_drill_down_names_its_filters(client, cast, cases):
    """The report's and the dashboard's links open the list with filters the form does not
    show (years, a day, the targets' years): its export names each as the list applied it
    (a year range once was formatted as dates: a 500)."""
    client.force_login(cast.leader_p)

    def export(params: dict) -> tuple[list[list], list[list]]:
        response = client.get(reverse("cases:list"), {**params, "export": "xlsx"})
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        header = rows.index(next(row for row in rows if row[:2] == ["Năm", "Nội dung"]))
        return [row[:2] for row in rows[:header]], rows[header + 1 :]

    planned = {
        "years_min": YEAR,
        "years_max": YEAR,
        "target_years_min": YEAR - 1,
        "target_years_max": YEAR,
        "planned_on": f"{YEAR}-06-30",
    }
    named, _ = export(planned)
    assert ["Năm", str(YEAR)] in named
    assert ["Năm của chỉ tiêu", f"{YEAR - 1} – {YEAR}"] in named
    assert ["Thực hiện chỉ tiêu tính đến ngày", f"30/06/{YEAR}"] in named
    # The rows are the list's: the fixture's cases of both years.
    both_years = {"years_min": YEAR - 1, "years_max": YEAR}
    count = client.get(reverse("cases:list"), both_years).context["page"].paginator.count
    assert count > 0
    assert len(export(both_years)[1]) == count

    named, _ = export(
        {"years_min": YEAR - 1, "arising_on": f"{YEAR}-12-31", "concluded_after": f"01/01/{YEAR}"}
    )
    assert ["Năm", f"{YEAR - 1} – …"] in named
    assert ["Phát sinh tính đến ngày", f"31/12/{YEAR}"] in named
    assert ["Kết luận trong khoảng", f"01/01/{YEAR} – …"] in named


def test_the_list_links_to_its_export_with_the_filters(client, cast, cases):
    client.force_login(cast.leader_p)
    body = client.get(reverse("cases:list"), {"q": "tai chinh"}).content.decode()
    assert "?q=tai+chinh&amp;export=xlsx" in body


def test_letters_are_found_by_a_persons_name_without_diacritics(client, cast, tree):
    letter(cast.staff_a, tree.a1, about_member_name="Lê Văn Đông")
    letter(cast.staff_a, tree.a1, about_member_name="Phạm Thị Hà", sender_name="Hoàng Minh")
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:letter_list"), {"q": "le van dong"})
    assert response.status_code == 200
    assert [x.about_member_name for x in response.context["letters"]] == ["Lê Văn Đông"]
    response = client.get(reverse("cases:letter_list"), {"q": "hoang minh"})
    assert [x.about_member_name for x in response.context["letters"]] == ["Phạm Thị Hà"]


def test_suspensions_are_found_by_a_members_name_without_diacritics(client, cast, tree):
    suspension(cast.staff_a, tree.a1, member_name="Đỗ Văn Hùng")
    suspension(cast.staff_a, tree.a1, member_name="Ngô Thị Lan")
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:suspension_list"), {"q": "do van hung"})
    assert response.status_code == 200
    assert [row[0].member_name for row in response.context["rows"]] == ["Đỗ Văn Hùng"]
