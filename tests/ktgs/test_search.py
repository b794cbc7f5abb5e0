"""Units found as people type: without diacritics, in any case, by prefix and by a
fragment of the code, on the unit search page, the picker's endpoint and the API."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ktgs import queries, search, services
from ktgs.models import Organization
from tests.factories import OrganizationFactory

L = Organization.Level


@pytest.fixture
def units(tree):
    """Units of the province with the names of the issue's report."""
    bloc = OrganizationFactory(
        parent=tree.province, code="KCQ", name="Đảng ủy Khối Các cơ quan", level=L.UPPER_GRASSROOTS
    )
    finance = OrganizationFactory(
        parent=bloc, code="KCQ.06", name="Đảng bộ Sở Tài chính", level=L.GRASSROOTS
    )
    budget = OrganizationFactory(
        parent=finance, code="KCQ.06.03", name="Chi bộ Phòng Quản lý ngân sách", level=L.CELL
    )
    police = OrganizationFactory(
        parent=tree.province, code="CA", name="Đảng ủy Công an tỉnh", level=L.UPPER_GRASSROOTS
    )
    commune = OrganizationFactory(
        parent=tree.province,
        code="XHP",
        name="Đảng ủy xã Hà Phong",
        short_name="ĐU Hà Phong",
        level=L.GRASSROOTS,
    )
    return {"bloc": bloc, "finance": finance, "budget": budget, "police": police, "hp": commune}


def names(found) -> list[str]:
    return [unit.name for unit in found]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tai chinh", ["Đảng bộ Sở Tài chính"]),
        ("TAI CHINH", ["Đảng bộ Sở Tài chính"]),
        ("Tài chính", ["Đảng bộ Sở Tài chính"]),
        ("ha phong", ["Đảng ủy xã Hà Phong"]),
        ("cong an", ["Đảng ủy Công an tỉnh"]),
        # A prefix of a word, and words in another order.
        ("cong a", ["Đảng ủy Công an tỉnh"]),
        ("chinh so", ["Đảng bộ Sở Tài chính"]),
        ("ngan sach", ["Chi bộ Phòng Quản lý ngân sách"]),
        # The short name.
        ("du ha", ["Đảng ủy xã Hà Phong"]),
    ],
)
def test_units_are_found_without_diacritics(units, cast, typed, expected):
    assert names(queries.search_visible(cast.leader_p, typed)) == expected


def test_a_fragment_of_a_code_finds_the_units_whose_code_holds_it(units, cast):
    found = queries.search_visible(cast.leader_p, "KCQ.06")
    # The unit whose code is what was typed first, then the one below it.
    assert [unit.code for unit in found] == ["KCQ.06", "KCQ.06.03"]
    assert [u.code for u in queries.search_visible(cast.leader_p, "kcq.06.0")] == ["KCQ.06.03"]


def test_names_that_start_with_the_words_come_first(units, cast):
    OrganizationFactory(
        parent=units["bloc"], code="KCQ.07", name="Chi bộ Công an phường", level=L.GRASSROOTS
    )
    found = names(queries.search_visible(cast.leader_p, "dang uy"))
    assert found[0].startswith("Đảng ủy")
    assert set(found) == {
        "Đảng ủy Khối A",
        "Đảng ủy xã B",
        "Đảng ủy Khối Các cơ quan",
        "Đảng ủy Công an tỉnh",
        "Đảng ủy xã Hà Phong",
    }


def test_the_search_stays_in_the_users_reach(units, cast):
    # staff_a works in Đảng ủy Khối A: the province's other units are not theirs to find.
    assert queries.search_visible(cast.staff_a, "tai chinh") == []
    assert queries.search_visible(cast.outsider, "tai chinh") == []


def test_a_renamed_unit_is_found_by_its_new_name(units, cast):
    unit = units["police"]
    unit.name = "Đảng ủy Quân sự tỉnh"
    unit.save(update_fields=["name"])
    assert queries.search_visible(cast.leader_p, "cong an") == []
    assert names(queries.search_visible(cast.leader_p, "quan su")) == ["Đảng ủy Quân sự tỉnh"]


def test_the_unit_search_page_and_its_htmx_results(client, units, cast):
    client.force_login(cast.leader_p)
    page = client.get(reverse("organization_search"), {"q": "tai chinh"})
    assert page.status_code == 200
    assert "Đảng bộ Sở Tài chính" in page.content.decode()
    partial = client.get(reverse("organization_search"), {"q": "ha phong"}, HTTP_HX_REQUEST="true")
    assert "Đảng ủy xã Hà Phong" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_the_pickers_endpoint_finds_units_without_diacritics(client, units, cast):
    client.force_login(cast.leader_p)
    response = client.get(reverse("cases:subject_search"), {"q": "cong an"})
    assert response.status_code == 200
    assert [u.name for u in response.context["results"]] == ["Đảng ủy Công an tỉnh"]


def test_the_api_searches_units_without_diacritics(units, cast):
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=cast.leader_p)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/organizations/", {"search": "tai chinh"})
    assert response.status_code == 200, response.content
    assert [row["code"] for row in response.json()["results"]] == ["KCQ.06"]
    response = api.get("/api/v1/organizations/", {"search": "KCQ.06", "ordering": "code"})
    assert [row["code"] for row in response.json()["results"]] == ["KCQ.06", "KCQ.06.03"]
    assert api.get("/api/v1/organizations/", {"search": "a\x00b"}).status_code == 400


def test_units_written_by_the_services_carry_their_search_text(tree):
    unit = services.create_organization(
        parent=tree.b, code="B-Đ2", name="Chi bộ Đội 2", level=L.CELL, member_count=10
    )
    unit.refresh_from_db()
    assert unit.search_text == "chi bo doi 2 b-d2"


def test_a_nul_byte_typed_is_a_space(client, units, cast):
    client.force_login(cast.leader_p)
    response = client.get(reverse("organization_search"), {"q": "tai\x00chinh"})
    assert response.status_code == 200
    assert [u.name for u in response.context["results"]] == ["Đảng bộ Sở Tài chính"]


def test_the_migrations_backfill_fills_every_unit(units):
    Organization.objects.update(search_text="")
    search.backfill(Organization, ("name", "short_name", "code"))
    assert dict(Organization.objects.values_list("code", "search_text"))["XHP"] == (
        "dang uy xa ha phong du ha phong xhp"
    )
    assert not Organization.objects.filter(search_text="").exists()
