"""Kinds of unit: a grassroots committee (đảng bộ cơ sở) and a grassroots cell (chi bộ cơ
sở) are told apart, and a cell records whether it has a cell committee (chi ủy)."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from ktgs import services
from ktgs.models import Organization, UnitKind, unit_kind
from ktgs.organization_import import import_organizations
from tests.factories import UserFactory

L, F = Organization.Level, Organization.GrassrootsForm


# --- the model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "form", "kind"),
    [
        (L.CENTRAL, "", UnitKind.CENTRAL),
        (L.PROVINCIAL, "", UnitKind.PROVINCIAL),
        (L.UPPER_GRASSROOTS, "", UnitKind.UPPER_GRASSROOTS),
        (L.GRASSROOTS, F.COMMITTEE, UnitKind.GRASSROOTS_COMMITTEE),
        (L.GRASSROOTS, F.CELL, UnitKind.GRASSROOTS_CELL),
        (L.PARTIAL, "", UnitKind.BELOW_GRASSROOTS),
        (L.CELL, "", UnitKind.BELOW_GRASSROOTS),
    ],
)
def test_unit_kind_of_each_level(level, form, kind):
    assert unit_kind(level, form) == kind
    assert Organization(level=level, grassroots_form=form).unit_kind == kind


def test_unit_kind_refuses_a_grassroots_unit_without_a_form():
    with pytest.raises(ValueError):
        unit_kind(L.GRASSROOTS, "")


def test_the_tree_fixture_tells_its_grassroots_kinds_apart(tree):
    assert tree.a1.unit_kind == UnitKind.GRASSROOTS_COMMITTEE
    assert tree.a2.unit_kind == UnitKind.GRASSROOTS_CELL
    assert tree.a1a.unit_kind == UnitKind.BELOW_GRASSROOTS


def test_a_grassroots_unit_without_a_form_is_refused_in_vietnamese(tree):
    with pytest.raises(ValidationError) as raised:
        services.create_organization(
            parent=tree.a, code="TN-A3", name="Không rõ loại", level=L.GRASSROOTS
        )
    assert "đảng bộ cơ sở hay chi bộ cơ sở" in str(raised.value)
    assert not Organization.objects.filter(code="TN-A3").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"grassroots_form": F.COMMITTEE},  # a form on a cell
        {"has_cell_committee": True, "level": L.PARTIAL},  # a chi ủy on a partial committee
    ],
)
def test_the_database_refuses_kind_fields_at_the_wrong_level(tree, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=tree.a1a.pk).update(**change)


def test_the_database_refuses_a_grassroots_unit_without_a_form(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=tree.a2.pk).update(grassroots_form="")


def test_a_chi_uy_on_a_grassroots_committee_is_refused(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=tree.a1.pk).update(has_cell_committee=True)


def test_changing_the_level_drops_the_fields_of_the_old_level(tree):
    services.update_organization(organization=tree.a2, has_cell_committee=True)
    unit = services.update_organization(
        organization=Organization.objects.get(pk=tree.a2.pk), level=L.CELL
    )
    unit.refresh_from_db()
    assert (unit.grassroots_form, unit.has_cell_committee) == ("", True)
    unit = services.update_organization(organization=unit, level=L.PARTIAL)
    unit.refresh_from_db()
    assert (unit.grassroots_form, unit.has_cell_committee) == ("", False)


def test_the_detail_page_shows_the_grassroots_form_and_the_chi_uy(tree, client):
    services.update_organization(organization=tree.a2, has_cell_committee=True)
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("organization_detail", args=[tree.a2.pk])).content.decode()
    assert "Chi bộ cơ sở" in page and "Chi bộ có chi ủy" in page


def test_the_admin_edits_the_grassroots_form(tree, client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:ktgs_organization_change", args=[tree.a2.pk])
    page = client.get(url).content.decode()
    assert 'name="grassroots_form"' in page and 'name="has_cell_committee"' in page


# --- the data migration ---------------------------------------------------------------

BEFORE = [("ktgs", "0003_org_depth_name_index")]
AFTER = [("ktgs", "0005_organization_grassroots_form_constraints")]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_fills_the_form_from_children_and_the_chi_uy_from_the_count():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("ktgs", "Organization")

    def add(code, path, level, parent=None, numchild=0, committee=0):
        return old.objects.create(
            code=code, name=code, level=level, path=path, depth=len(path) // 4,
            numchild=numchild, parent=parent, member_count=40,
            committee_member_count=committee,
        )  # fmt: skip

    upper = add("U", "0001", "upper_grassroots", numchild=3)
    committee = add("GC", "00010001", "grassroots", upper, numchild=2, committee=9)
    add("C-BIG", "000100010001", "cell", committee, committee=3)
    add("C-SMALL", "000100010002", "cell", committee, committee=1)
    add("GCELL-BIG", "00010002", "grassroots", upper, committee=3)
    add("GCELL-SMALL", "00010003", "grassroots", upper, committee=2)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    got = {
        unit.code: (unit.grassroots_form, unit.has_cell_committee)
        for unit in Organization.objects.all()
    }
    assert got == {
        "U": ("", False),
        "GC": (F.COMMITTEE, False),  # 9 committee members, but a committee is no cell
        "C-BIG": ("", True),
        "C-SMALL": ("", False),
        "GCELL-BIG": (F.CELL, True),
        "GCELL-SMALL": (F.CELL, False),
    }


# --- the import -----------------------------------------------------------------------

HEADER = ["Mã đơn vị", "Mã đơn vị cấp trên", "Tên", "Cấp", "Số đảng viên", "Số cấp ủy viên"]


def run_csv(rows, header) -> object:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return import_organizations(io.BytesIO(out.getvalue().encode()), name="units.csv")


def test_import_sets_both_kinds_from_the_level_the_column_or_the_children(tree):
    header = [*HEADER, "Loại tổ chức cơ sở", "Có chi ủy"]
    rows = [
        ["TN-D1", "TN-A", "Đảng bộ Sở D1", "Đảng bộ cơ sở", "60", "7", "", ""],
        ["TN-D2", "TN-A", "Chi bộ Sở D2", "Chi bộ cơ sở", "12", "3", "", "Không"],
        ["TN-D3", "TN-A", "Đảng bộ D3", "Tổ chức cơ sở đảng", "50", "7", "Đảng bộ cơ sở", ""],
        ["TN-D4", "TN-A", "Chi bộ D4", "Tổ chức cơ sở đảng", "20", "3", "", ""],
        ["TN-D5", "TN-A", "Đảng bộ D5", "Tổ chức cơ sở đảng", "30", "5", "", ""],
        ["TN-D5a", "TN-D5", "Chi bộ D5a", "Chi bộ trực thuộc", "15", "3", "", ""],
        ["TN-D5b", "TN-D5", "Chi bộ D5b", "Chi bộ trực thuộc", "15", "1", "", "có"],
    ]
    result = run_csv(rows, header)
    assert result.ok, result.errors
    got = {
        code: (form, flag)
        for code, form, flag in Organization.objects.filter(code__startswith="TN-D").values_list(
            "code", "grassroots_form", "has_cell_committee"
        )
    }
    assert got == {
        "TN-D1": (F.COMMITTEE, False),  # from the level
        "TN-D2": (F.CELL, False),  # from the level; the file says no chi ủy
        "TN-D3": (F.COMMITTEE, False),  # from the column
        "TN-D4": (F.CELL, True),  # no units below in the file; 3 committee members
        "TN-D5": (F.COMMITTEE, False),  # units below it in the file
        "TN-D5a": ("", True),
        "TN-D5b": ("", True),  # the file says so
    }


def test_import_keeps_an_existing_form_when_the_file_is_silent(tree):
    services.update_organization(organization=tree.a2, has_cell_committee=True)
    row = ["TN-A2", "TN-A", "Chi bộ cơ sở A2", "Tổ chức cơ sở đảng", "18", "3"]
    result = run_csv([row], HEADER)
    assert result.ok, result.errors
    a2 = Organization.objects.get(code="TN-A2")
    assert (a2.grassroots_form, a2.has_cell_committee) == (F.CELL, True)
    assert result.unchanged == 1


def test_import_bad_kind_values_give_vietnamese_row_errors_and_change_nothing(tree):
    header = [*HEADER, "Loại tổ chức cơ sở", "Có chi ủy"]
    rows = [
        ["TN-E1", "TN-A", "Tốt", "Tổ chức cơ sở đảng", "60", "7", "Đảng bộ cơ sở", ""],  # 2
        ["TN-E2", "TN-A", "Lạ", "Tổ chức cơ sở đảng", "12", "3", "Tổ đảng", ""],  # 3
        ["TN-E3", "TN-A1", "Sai cấp", "Chi bộ trực thuộc", "12", "3", "Chi bộ cơ sở", ""],  # 4
        ["TN-E4", "TN-A", "Trái nhau", "Chi bộ cơ sở", "12", "3", "Đảng bộ cơ sở", ""],  # 5
        ["TN-E5", "TN-A1", "Cờ lạ", "Chi bộ trực thuộc", "12", "3", "", "có lẽ"],  # 6
        ["TN-E6", "TN-A", "Chi ủy sai", "Đảng bộ cơ sở", "60", "7", "", "Có"],  # 7
        ["TN-E7", "TN-A", "Chi ủy sai 2", "Tổ chức cơ sở đảng", "60", "7", "", "Có"],  # 8
        ["TN-E7a", "TN-E7", "Chi bộ E7a", "Chi bộ trực thuộc", "12", "3", "", ""],  # 9
    ]
    before = Organization.objects.count()
    result = run_csv(rows, header)
    assert not result.ok
    assert Organization.objects.count() == before
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert "«Tổ đảng» không hợp lệ" in reasons[(3, "Loại tổ chức cơ sở")]
    assert "chỉ ghi cho tổ chức cơ sở đảng" in reasons[(4, "Loại tổ chức cơ sở")]
    assert "không khớp với cấp" in reasons[(5, "Loại tổ chức cơ sở")]
    assert "ghi «Có» hoặc «Không»" in reasons[(6, "Có chi ủy")]
    assert "mới có thể có chi ủy" in reasons[(7, "Có chi ủy")]
    assert 2 not in {e.row for e in result.errors}


def test_import_refuses_a_chi_uy_on_a_unit_that_turns_out_a_committee(tree):
    header = [*HEADER, "Có chi ủy"]
    rows = [
        ["TN-E7", "TN-A", "Chi ủy sai 2", "Tổ chức cơ sở đảng", "60", "7", "Có"],
        ["TN-E7a", "TN-E7", "Chi bộ E7a", "Chi bộ trực thuộc", "12", "3", ""],
    ]
    result = run_csv(rows, header)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "Có chi ủy")]
    assert not Organization.objects.filter(code__startswith="TN-E7").exists()


def test_the_api_gives_each_unit_its_kind(tree, cast):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token, _ = Token.objects.get_or_create(user=cast.admin)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = client.get(f"/api/v1/organizations/{tree.a2.pk}/").json()
    assert (body["grassroots_form"], body["unit_kind"]) == (F.CELL, UnitKind.GRASSROOTS_CELL)
    body = client.get(f"/api/v1/organizations/{tree.a1a.pk}/").json()
    assert (body["grassroots_form"], body["unit_kind"]) == ("", UnitKind.BELOW_GRASSROOTS)
