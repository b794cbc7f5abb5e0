"""Bad input, as an outsider would send it, never reaches a 500 and is answered in
Vietnamese: ids out of the database's range in filters (400) and in URLs (404), ids that
are not whole numbers, Django's and DRF's own validation messages, impossible dates, and
the case form's formset messages."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from rest_framework.test import APIClient

from cases.models import Case
from plans.models import Programme
from tests.api.conftest import YEAR

BIG = "99999999999999999999"  # past PostgreSQL's bigint too
PAST_INTEGER = "2147483648"  # one past PostgreSQL's integer
ID_MESSAGE = "Mã số (id) phải là số nguyên từ 1 đến 2147483647."
YEAR_MESSAGE = "Năm phải là số nguyên từ 1 đến 9999."


@pytest.fixture
def vi_api(cast):
    """The API as the administrator, in Vietnamese; a server error is a response, not an
    exception, so that a 500 is seen as the client would see it."""

    def as_user(user):
        client = APIClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="vi")
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return as_user


def messages(body) -> list[str]:
    """Every message in an error body, however nested."""
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [m for item in body for m in messages(item)]
    if isinstance(body, dict):
        return [m for value in body.values() for m in messages(value)]
    return []


# --- ids in filters -----------------------------------------------------------------------

ID_FILTERS = [
    ("cases", "organization"),
    ("cases", "subtree_of"),
    ("cases", "unit"),
    ("plans", "organization"),
    ("plans", "subtree_of"),
    ("targets", "programme"),
    ("targets", "organization"),
    ("organizations", "parent"),
    ("organizations", "subtree_of"),
    ("reminders", "organization"),
    ("letters", "organization"),
    ("denunciations", "subtree_of"),
    ("complaints", "organization"),
    ("suspensions", "organization"),
    ("report-submissions", "period"),
]


@pytest.mark.parametrize(("endpoint", "name"), ID_FILTERS)
def test_an_id_filter_out_of_range_or_not_whole_is_a_400_on_the_field(
    vi_api, cast, world, endpoint, name
):
    client = vi_api(cast.admin)
    for value in (BIG, PAST_INTEGER, "3.5", "3.0", "-1", "0", "1e3", "abc"):
        response = client.get(f"/api/v1/{endpoint}/", {name: value})
        assert response.status_code == 400, (endpoint, name, value, response.content[:300])
        assert response.json() == {name: [ID_MESSAGE]}


@pytest.mark.parametrize(("endpoint", "name"), ID_FILTERS)
def test_an_id_filter_in_range_still_filters(vi_api, cast, world, endpoint, name):
    response = vi_api(cast.admin).get(f"/api/v1/{endpoint}/", {name: "2147483647"})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"] == []


def test_an_id_filter_finds_its_object(vi_api, cast, world):
    found = vi_api(cast.admin).get(
        "/api/v1/cases/", {"organization": str(world.case_a1.organization_id)}
    )
    assert [row["id"] for row in found.json()["results"]] == [world.case_a1.pk]


@pytest.mark.parametrize(
    ("endpoint", "name", "key"),
    [
        ("cases", "year", "year"),
        ("plans", "year", "year"),
        ("targets", "year", "year"),
        ("cases", "years_min", "years"),  # a range answers on the range
    ],
)
def test_a_year_that_is_not_a_whole_year_is_a_400(vi_api, cast, world, endpoint, name, key):
    client = vi_api(cast.admin)
    for value in ("0.5", "2025.5", "1e3", BIG, "0", "-2025"):
        response = client.get(f"/api/v1/{endpoint}/", {name: value})
        assert response.status_code == 400, (endpoint, value, response.content[:300])
        assert response.json() == {key: [YEAR_MESSAGE]}


def test_a_whole_year_filters(vi_api, cast, world):
    response = vi_api(cast.admin).get("/api/v1/plans/", {"year": str(YEAR)})
    assert [row["id"] for row in response.json()["results"]] == [world.programme.pk]


# --- ids in URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/progress/{BIG}/",
        f"/progress/{PAST_INTEGER}/report/",
        f"/cases/{BIG}/",
        f"/cases/1/subjects/{BIG}/discipline/",
        f"/cases/letters/{BIG}/",
        f"/programmes/{BIG}/",
        f"/organizations/{BIG}/",
        f"/organizations/import/{PAST_INTEGER}/",
    ],
)
def test_a_page_url_with_an_id_out_of_range_is_a_404(client, cast, world, url):
    client.raise_request_exception = False
    client.force_login(cast.admin)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/cases/{BIG}/",
        f"/api/v1/plans/{PAST_INTEGER}/",
        f"/api/v1/organizations/{BIG}/",
        f"/api/v1/progress/{BIG}/",
        "/api/v1/targets/3.5/",
    ],
)
def test_an_api_url_with_an_id_out_of_range_is_a_json_404(vi_api, cast, world, url):
    response = vi_api(cast.admin).get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy."}


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern.converters


def test_no_page_url_takes_an_unbounded_int():
    """Every id in a page's URL goes through `<id:…>` (ktgs.converters): Django's `<int:…>`
    would hand the view a number the database cannot hold."""
    unbounded = [
        route
        for route, converters in _patterns(get_resolver())
        if any(isinstance(c, IntConverter) for c in converters.values())
        and not route.startswith("admin/")
    ]
    assert unbounded == []
    assert reverse("reports:dashboard", args=[7]) == "/progress/7/"


# --- ids in request bodies -----------------------------------------------------------------


def case_body(tree, **overrides):
    body = {
        "organization": tree.a1.pk,
        "body": "inspection_commission",
        "kind": "inspection_compliance",
        "title": "Kiểm tra chấp hành",
        "year": YEAR,
        "target": None,
        "subjects": [],
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("value", [3.5, float("1"), "3.5", True, 2147483648, 0, -1])
def test_a_related_id_that_is_not_a_whole_number_in_range_is_refused(
    vi_api, cast, tree, world, value
):
    if value == float("1"):
        value = float(tree.a1.pk)  # 3.0: still not a JSON integer
    before = Case.objects.count()
    response = vi_api(cast.staff_a).post(
        "/api/v1/cases/", case_body(tree, organization=value), format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert set(response.json()) == {"organization"}
    assert Case.objects.count() == before


def test_a_related_id_as_an_integer_is_taken(vi_api, cast, tree, world):
    response = vi_api(cast.staff_a).post("/api/v1/cases/", case_body(tree), format="json")
    assert response.status_code == 201, response.content[:500]
    assert response.json()["organization"] == tree.a1.pk


def test_a_unit_id_of_three_and_a_half_is_not_unit_three(vi_api, cast, tree, world):
    response = vi_api(cast.staff_a).post(
        "/api/v1/plans/",
        {
            "organization": tree.a.pk + 0.5,
            "body": "inspection_commission",
            "year": YEAR,
            "title": "Chương trình",
            "doc_number": "01-CTr/UBKT",
            "issued_on": f"{YEAR}-01-05",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"organization": ["Giá trị không hợp lệ."]}
    assert Programme.objects.filter(title="Chương trình").count() == 0


# --- the schema --------------------------------------------------------------------------


def test_the_schema_types_every_id_and_year_filter_as_a_bounded_integer(api, cast, world):
    paths = api.as_user(cast.staff_a).get("/api/schema/", {"format": "json"}).json()["paths"]
    seen = 0
    for path, operations in paths.items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name, schema = parameter["name"], parameter["schema"]
                assert schema.get("type") != "number", (path, name)
                if name in {"organization", "subtree_of", "parent", "programme", "unit"}:
                    assert schema == {"type": "integer", "minimum": 1, "maximum": 2147483647}
                    seen += 1
                if name in {"year", "years_min", "target_years_max"}:
                    assert schema["type"] == "integer" and schema["minimum"] >= 1, (path, name)
    assert seen >= 15
    schemas = api.as_user(cast.staff_a).get("/api/schema/", {"format": "json"}).json()
    case_input = schemas["components"]["schemas"]["CaseInputRequest"]["properties"]
    assert case_input["organization"]["type"] == "integer"


# --- Django's and DRF's messages, in Vietnamese ------------------------------------------------


def programme_body(tree, **overrides):
    body = {
        "organization": tree.a.pk,
        "body": "inspection_commission",
        "year": YEAR,
        "title": "Chương trình kiểm tra",
        "doc_number": "01-CTr/UBKT",
        "issued_on": f"{YEAR}-01-05",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "x" * 256}, "title", "Tối đa 255 ký tự."),
        ({"doc_number": "x" * 65}, "doc_number", "Tối đa 64 ký tự."),
        ({"year": 1999}, "year", "Giá trị phải từ 2000 trở lên."),
        ({"year": 2101}, "year", "Giá trị không được lớn hơn 2100."),
        ({"year": 2025.5}, "year", "Giá trị không hợp lệ."),
        ({"title": "a\x00b"}, "title", "Không được chứa ký tự NUL (mã 0)."),
        ({"title": None}, "title", "Trường này không được để trống."),
        ({"title": ["a"]}, "title", "Giá trị không hợp lệ."),
        ({"body": "x"}, "body", "“x” không phải là một lựa chọn hợp lệ."),
        (
            {"issued_on": "2026-02-30"},
            "issued_on",
            "Ngày không có thật (ví dụ 30/02): hãy kiểm tra ngày và tháng.",
        ),
        (
            {"issued_on": "2026-13-01"},
            "issued_on",
            "Ngày không có thật (ví dụ 30/02): hãy kiểm tra ngày và tháng.",
        ),
        ({"issued_on": "30/02/2026"}, "issued_on", "Ngày không đúng định dạng: dùng YYYY-MM-DD."),
        (
            {"issued_on": "2026-02-28T10:00:00"},
            "issued_on",
            "Ngày không đúng định dạng: dùng YYYY-MM-DD.",
        ),
    ],
)
def test_api_validation_messages_are_vietnamese(
    vi_api, cast, tree, world, overrides, field, message
):
    response = vi_api(cast.staff_a).post(
        "/api/v1/plans/", programme_body(tree, **overrides), format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {field: [message]}


def test_a_lone_surrogate_is_refused_in_vietnamese(vi_api, cast, tree, world):
    body = json.dumps(programme_body(tree), ensure_ascii=False).replace(
        '"Chương trình kiểm tra"', '"a\\ud800b"'
    )
    response = vi_api(cast.staff_a).post(
        "/api/v1/plans/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["Không được dùng ký tự thay thế (surrogate): U+D800."]}


def test_a_body_of_json_null_is_answered_in_vietnamese(vi_api, cast, world):
    response = vi_api(cast.staff_a).post(
        "/api/v1/plans/", data="null", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Không có dữ liệu gửi lên: cần một đối tượng JSON."]
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"subjects": "x"}, "Cần một danh sách."),
        ({"subjects": ["x"]}, "Cần một đối tượng JSON."),
        ({"subjects": [{"kind": "member", "member_name": "x" * 121}]}, "Tối đa 120 ký tự."),
    ],
)
def test_nested_messages_are_vietnamese(vi_api, cast, tree, world, body, expected):
    response = vi_api(cast.staff_a).post("/api/v1/cases/", case_body(tree, **body), format="json")
    assert response.status_code == 400, response.content[:300]
    assert expected in messages(response.json()), response.json()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/cases/", {"page": "abc"}),
        ("/api/v1/cases/", {"page_size": "0", "status": "x"}),
        ("/api/v1/cases/", {"concluded_after": "2026-02-30"}),
        ("/api/v1/organizations/", {"level": "x"}),
        ("/api/v1/organizations/", {"page_size": "0"}),
        ("/api/v1/organizations/", {"page_size": "201"}),
        ("/api/v1/reminders/", {"created_after": "x"}),
    ],
)
def test_no_filter_message_is_english(vi_api, cast, world, url, params):
    response = vi_api(cast.admin).get(url, params)
    assert response.status_code in (400, 404), response.content[:300]
    for message in messages(response.json()):
        assert not _english(message), message


ENGLISH_WORDS = (" the ", "Ensure", "Enter ", "Select ", "valid", "This field", "must ", "Invalid")


def _english(message: str) -> bool:
    return any(word in f" {message} " for word in ENGLISH_WORDS)


@pytest.mark.parametrize("value", ["0", "201", "2.5", "abc", "-1"])
def test_a_page_size_out_of_range_is_a_400_not_quietly_the_default(vi_api, cast, world, value):
    response = vi_api(cast.admin).get("/api/v1/cases/", {"page_size": value})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Số dòng mỗi trang phải là số nguyên từ 1 đến 200."]}


def test_a_parameter_sent_twice_is_a_400(vi_api, cast, world):
    response = vi_api(cast.admin).get("/api/v1/cases/?status=draft&status=closed")
    assert response.status_code == 400
    assert response.json() == {"status": ["Tham số này chỉ được gửi một lần."]}


def test_an_empty_parameter_is_no_parameter(vi_api, cast, world):
    client = vi_api(cast.admin)
    everything = client.get("/api/v1/cases/").json()["count"]
    assert (
        client.get("/api/v1/cases/?year=&organization=&concluded_before=").json()["count"]
        == everything
    )
    progress = client.get(f"/api/v1/progress/{world.case_a1.organization_id}/?year=&kind=")
    assert progress.status_code == 200


# --- the case form's formset messages ------------------------------------------------------


def form_data(tree, **overrides):
    data = {
        "organization": tree.a1.pk,
        "body": "inspection_commission",
        "kind": "inspection_compliance",
        "title": "Kiểm tra chấp hành Điều lệ",
        "year": YEAR,
        "target": "arising",
        "decision_number": "45-QĐ/ĐUK",
        "decided_on": "03/03/2025",
        "work_starts_on": "10/03/2025",
        "work_ends_on": "21/03/2025",
        "subjects-TOTAL_FORMS": 0,
        "subjects-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def post_case_form(client, cast, data):
    client.force_login(cast.staff_a)
    before = Case.objects.count()
    response = client.post(reverse("cases:create"), data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200  # the form again, with its errors
    assert Case.objects.count() == before
    return response.content.decode()


def test_the_case_form_refuses_a_nul_character_in_vietnamese(client, cast, tree, world):
    page = post_case_form(client, cast, form_data(tree, title="Kiểm tra\x00"))
    assert "Không được chứa ký tự NUL (mã 0)." in page
    assert "Null characters" not in page


def test_the_case_form_refuses_too_many_subject_rows_in_vietnamese(client, cast, tree, world):
    page = post_case_form(client, cast, form_data(tree, **{"subjects-TOTAL_FORMS": 2001}))
    assert "Chỉ được gửi tối đa 1000 dòng." in page
    assert "Please submit" not in page


def test_the_case_form_without_its_management_form_answers_in_vietnamese(client, cast, tree, world):
    data = form_data(tree)
    del data["subjects-TOTAL_FORMS"], data["subjects-INITIAL_FORMS"]
    page = post_case_form(client, cast, data)
    assert "Biểu mẫu gửi lên thiếu dữ liệu quản lý" in page
    assert "ManagementForm" not in page


def test_the_case_form_calls_an_impossible_date_an_invalid_date(client, cast, tree, world):
    page = post_case_form(client, cast, form_data(tree, decided_on="30/02/2025"))
    assert "Nhập một ngày hợp lệ." in page
    assert "định dạng" not in page.split("decided_on")[1][:2000]


def test_a_nul_character_in_an_api_body_is_refused_in_vietnamese(vi_api, cast, tree, world):
    before = Case.objects.count()
    response = vi_api(cast.staff_a).post(
        "/api/v1/cases/", case_body(tree, title="Tên\x00"), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["Không được chứa ký tự NUL (mã 0)."]}
    assert Case.objects.count() == before
