"""The programme list: found by document number and title without diacritics, the unit
chosen by what is typed of its name or code (never a raw code alone), sorted by a column
and exported to XLSX with the filters applied."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ktgs.models import Organization
from plans import services
from tests.factories import OrganizationFactory
from tests.plans.factories import make_programme

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def programmes(tree):
    finance = OrganizationFactory(
        parent=tree.a,
        code="KCQ.06",
        name="Đảng bộ Sở Tài chính",
        level=Organization.Level.GRASSROOTS,
    )
    return {
        "finance": make_programme(
            finance,
            doc_number="12-CTr/ĐU",
            title="Chương trình kiểm tra tài chính đảng",
            issued_on=D(2025, 2, 1),
        ),
        "a": make_programme(
            tree.a, doc_number="103-KH/ĐUK", title="Kế hoạch giám sát năm 2025", issue=True
        ),
        "b": make_programme(
            tree.b,
            doc_number="5-KH/ĐUX",
            title="Chương trình của xã",
            year=2024,
            issued_on=D(2024, 1, 5),
        ),
    }


def keys(response, programmes) -> list[str]:
    assert response.status_code == 200
    by_pk = {programme.pk: key for key, programme in programmes.items()}
    return [by_pk[programme.pk] for programme in response.context["programmes"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # The unit by its name without diacritics, or a fragment of its code.
        ({"unit": "tai chinh"}, ["finance"]),
        ({"unit": "KCQ.06"}, ["finance"]),
        ({"unit": "kcq"}, ["finance"]),
        ({"unit": "xa b"}, ["b"]),
        ({"unit": "khong co"}, []),
        # The document number or the title.
        ({"q": "103-kh"}, ["a"]),
        ({"q": "ctr/du"}, ["finance"]),
        ({"q": "giam sat"}, ["a"]),
        ({"q": "TÀI CHÍNH"}, ["finance"]),
        # With the other filters.
        ({"unit": "dang", "year": "2024"}, ["b"]),
        ({"q": "chuong trinh", "status": "draft", "sort": "number"}, ["finance", "b"]),
    ],
)
def test_search(client, cast, programmes, params, expected):
    client.force_login(cast.leader_p)
    assert sorted(keys(client.get(reverse("plans:list"), params), programmes)) == sorted(expected)


def test_the_unit_filter_asks_for_a_name_not_a_code(client, cast, programmes):
    client.force_login(cast.leader_p)
    body = client.get(reverse("plans:list")).content.decode()
    assert "Đơn vị (tên hoặc mã)" in body
    assert "Mã đơn vị" not in body


def test_a_bad_year_is_said_on_its_field(client, cast, programmes):
    client.force_login(cast.leader_p)
    response = client.get(reverse("plans:list"), {"year": "1e"})
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["Năm là một số, ví dụ 2025."]
    assert response.context["programmes"] == []


def test_the_unit_page_opens_its_subtrees_programmes(client, cast, tree, programmes):
    client.force_login(cast.leader_p)
    response = client.get(reverse("plans:list"), {"organization": tree.a.pk})
    assert sorted(keys(response, programmes)) == ["a", "finance"]
    assert client.get(reverse("plans:list"), {"organization": "99999999999"}).status_code == 404
    client.force_login(cast.staff_a)
    assert client.get(reverse("plans:list"), {"organization": tree.b.pk}).status_code == 404


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # 103-kh/duk, 12-ctr/du, 5-kh/dux: the folded text, character by character.
        ("number", ["a", "finance", "b"]),
        ("-number", ["b", "finance", "a"]),
        # Đảng bộ Sở Tài chính, Đảng ủy Khối A, Đảng ủy xã B.
        ("unit", ["finance", "a", "b"]),
        ("-unit", ["b", "a", "finance"]),
        ("issued", ["b", "a", "finance"]),
        ("status", ["finance", "b", "a"]),
        # Descending reverses the ties too (the newer draft first).
        ("-status", ["a", "b", "finance"]),
    ],
)
def test_sorting(client, cast, programmes, sort, expected):
    client.force_login(cast.leader_p)
    assert keys(client.get(reverse("plans:list"), {"sort": sort}), programmes) == expected


def test_export_has_the_filtered_rows(client, cast, programmes):
    services.issue_programme(programme=programmes["finance"])
    client.force_login(cast.leader_p)
    response = client.get(
        reverse("plans:list"), {"status": "issued", "sort": "-issued", "export": "xlsx"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "Số ký hiệu")
    assert ["Trạng thái", "Đã ban hành"] in [row[:2] for row in rows[:header]]
    data = rows[header + 1 :]
    assert [row[0] for row in data] == ["12-CTr/ĐU", "103-KH/ĐUK"]
    assert data[0][1:3] == ["Đảng bộ Sở Tài chính", "KCQ.06"]
    assert data[0][4] == 2025
    assert data[0][7].date() == D(2025, 2, 1)
    assert data[0][8] == "Đã ban hành"


def test_export_stays_in_the_users_reach(client, cast, programmes):
    client.force_login(cast.staff_a)
    response = client.get(reverse("plans:list"), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert "5-KH/ĐUX" not in numbers
    assert {"12-CTr/ĐU", "103-KH/ĐUK"} <= numbers
