"""Import of the organisation tree from CSV and XLSX: all or nothing, idempotent."""

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from ktgs import organization_import, services
from ktgs.models import Organization, OrganizationImport, Role
from ktgs.organization_import import import_organizations
from tests.factories import UserFactory

HEADER = ["code", "parent_code", "name", "level", "member_count", "committee_member_count"]

# A new upper-grassroots committee C under the province, with children listed before their
# parents to show that the order of rows does not matter.
NEW_SUBTREE = [
    ["TN-C1a", "TN-C1", "Chi bộ C1a", "cell", "21", "3"],
    ["TN-C1", "TN-C", "Đảng bộ cơ sở C1", "grassroots", "140", "11"],
    ["TN-C2", "TN-C", "Chi bộ cơ sở C2", "grassroots", "19", "3"],
    ["TN-C", "TN", "Đảng ủy Khối C", "upper_grassroots", "0", "0"],
    ["TN-C1b", "TN-C1", "Chi bộ C1b", "cell", "17", "0"],
]


def csv_bytes(rows, header=HEADER, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(data: bytes, name: str = "units.csv", **kwargs):
    return import_organizations(io.BytesIO(data), name=name, **kwargs)


def unit(code: str) -> Organization:
    return Organization.objects.get(code=code)


def snapshot() -> list[tuple]:
    return list(
        Organization.objects.order_by("code").values_list(
            "code", "parent__code", "path", "numchild", "name", "level", "member_count"
        )
    )


def assert_tree_is_consistent():
    assert all(not problem for problem in Organization.objects.find_problems())
    for child in Organization.objects.exclude(parent=None).select_related("parent"):
        assert child.path.startswith(child.parent.path), child.code
        assert child.depth == child.parent.depth + 1, child.code


def assert_new_subtree_created(tree):
    c, c1, c2, c1a, c1b = (unit(code) for code in ("TN-C", "TN-C1", "TN-C2", "TN-C1a", "TN-C1b"))
    assert c.parent == tree.province and c1.parent == c and c2.parent == c
    assert c1a.parent == c1 and c1b.parent == c1
    # Numbered after the province's two existing children (A, B), then in file order.
    assert c.path == tree.province.path + "0003"
    assert {c1.path, c2.path} == {c.path + "0001", c.path + "0002"}
    assert {c1a.path, c1b.path} == {c1.path + "0001", c1.path + "0002"}
    assert (c.numchild, c1.numchild, c1a.numchild) == (2, 2, 0)
    assert unit("TN").numchild == 3
    assert c1.level == Organization.Level.GRASSROOTS
    assert (c1.member_count, c1.committee_member_count) == (140, 11)
    assert_tree_is_consistent()


def test_csv_creates_the_tree_with_right_parents_and_paths(tree):
    result = run(csv_bytes(NEW_SUBTREE))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.moved, result.unchanged) == (5, 0, 0, 0)
    assert_new_subtree_created(tree)
    # Bulk inserts still leave one history record per new unit.
    assert unit("TN-C1").history.count() == 1


def test_xlsx_creates_the_tree_with_numbers_dates_and_vietnamese_levels(tree):
    rows = [
        [code, parent, name, level, int(members), int(committee), dt.date(2025, 7, 1), None]
        for code, parent, name, level, members, committee in NEW_SUBTREE
    ]
    rows[1][3] = "Tổ chức cơ sở đảng"  # TN-C1 by its Vietnamese label
    rows[4][3] = "Chi bộ trực thuộc"
    result = run(xlsx_bytes(rows, [*HEADER, "valid_from", "valid_to"]), name="units.xlsx")
    assert result.ok, result.errors
    assert result.created == 5
    assert_new_subtree_created(tree)
    assert unit("TN-C1b").level == Organization.Level.CELL
    assert unit("TN-C").valid_from == dt.date(2025, 7, 1)
    assert unit("TN-C").valid_to is None


def test_reimporting_the_same_file_changes_nothing(tree):
    data = xlsx_bytes([[*row[:4], int(row[4]), int(row[5])] for row in NEW_SUBTREE])
    assert run(data, name="units.xlsx").created == 5
    before = snapshot()
    history_before = Organization.history.count()

    again = run(data, name="units.xlsx")
    assert again.ok, again.errors
    assert (again.created, again.updated, again.moved, again.unchanged) == (0, 0, 0, 5)
    assert snapshot() == before
    assert Organization.history.count() == history_before


# New units (three generations), one renamed and one moved: every kind of write.
EVERY_WRITE = [
    *NEW_SUBTREE,
    ["TN-A1", "TN-A", "Đảng bộ cơ sở A1 (mới)", "grassroots", "125", "9"],
    ["TN-B1", "TN-A", "Chi bộ B1", "cell", "30", "3"],
]


def _writes_to_units(sql: str) -> bool:
    return sql.lstrip().startswith(("INSERT", "UPDATE", "DELETE")) and '"ktgs_organization"' in sql


def _count_unit_writes() -> int:
    """How many statements write the unit table when EVERY_WRITE is imported (rolled back)."""
    seen = 0

    def count(execute, sql, params, many, context):
        nonlocal seen
        seen += _writes_to_units(sql)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(count):
        assert run(csv_bytes(EVERY_WRITE)).ok
        transaction.set_rollback(True)
    return seen


@pytest.mark.parametrize("fail_at", ["second", "last"])
def test_a_database_error_in_the_middle_of_writing_leaves_nothing(tree, fail_at):
    total = _count_unit_writes()
    assert total >= 4  # three generations inserted, the rename, the move
    failing = 2 if fail_at == "second" else total
    before, history_before = snapshot(), Organization.history.count()
    written = 0

    def fail_on_the_nth_write(execute, sql, params, many, context):
        nonlocal written
        if _writes_to_units(sql):
            written += 1
            if written == failing:
                raise DatabaseError(f"injected failure on write {written} of {total}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_the_nth_write), pytest.raises(DatabaseError):
        run(csv_bytes(EVERY_WRITE))
    # The writes before the failure were undone with it: no new unit, no rename, no move,
    # no history row.
    assert snapshot() == before
    assert Organization.history.count() == history_before
    assert not Organization.objects.filter(code__startswith="TN-C").exists()
    assert_tree_is_consistent()


def test_changed_fields_are_updated_and_counted(tree):
    rows = [
        ["TN-A1", "TN-A", "Đảng bộ cơ sở A1 (mới)", "grassroots", "125", "9"],
        ["TN-A2", "TN-A", "Chi bộ cơ sở A2", "grassroots", "18", "3"],
    ]
    result = run(csv_bytes(rows))
    assert (result.created, result.updated, result.moved, result.unchanged) == (0, 1, 0, 1)
    a1 = unit("TN-A1")
    assert (a1.name, a1.member_count) == ("Đảng bộ cơ sở A1 (mới)", 125)
    assert a1.history.first().name == "Đảng bộ cơ sở A1 (mới)"


def test_a_file_with_bad_rows_lists_each_row_and_changes_nothing(tree):
    rows = [
        ["TN-X1", "TN", "Đơn vị tốt", "grassroots", "10", "1"],  # 2: fine on its own
        ["TN-X2", "TN", "Cấp lạ", "district", "10", "1"],  # 3
        ["TN-X3", "TN", "", "cell", "10", "1"],  # 4
        ["TN-X1", "TN", "Trùng mã", "cell", "10", "1"],  # 5
        ["TN-X4", "KHONG-CO", "Cấp trên lạ", "cell", "10", "1"],  # 6
        ["TN-X5", "TN-X6", "Vòng 1", "cell", "10", "1"],  # 7
        ["TN-X6", "TN-X5", "Vòng 2", "cell", "10", "1"],  # 8
        ["TN-X7", "TN", "Âm", "cell", "-3", "1"],  # 9
        ["TN-X8", "TN", "Cấp ủy nhiều hơn", "cell", "5", "7"],  # 10
        ["", "TN", "Không mã", "cell", "5", "1"],  # 11
        ["TN-A", "TN-A1", "Đảng ủy Khối A", "upper_grassroots", "0", "0"],  # 12
    ]
    header = [*HEADER, "valid_from"]
    rows = [[*row, ""] for row in rows]
    rows.append(["TN-X9", "TN", "Ngày sai", "cell", "5", "1", "31/02/2025"])  # 13
    before_count, before = Organization.objects.count(), snapshot()

    result = run(csv_bytes(rows, header))

    assert not result.ok
    assert Organization.objects.count() == before_count
    assert snapshot() == before
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert "district" in reasons[(3, "level")] and "không hợp lệ" in reasons[(3, "level")]
    assert reasons[(4, "name")] == "Thiếu tên đơn vị."
    assert "trùng với dòng 2" in reasons[(5, "code")]
    assert "Không tìm thấy đơn vị cấp trên" in reasons[(6, "parent_code")]
    assert "vòng lặp" in reasons[(7, "parent_code")]
    assert "vòng lặp" in reasons[(8, "parent_code")]
    assert "không phải là số nguyên không âm" in reasons[(9, "member_count")]
    assert "lớn hơn số đảng viên" in reasons[(10, "committee_member_count")]
    assert reasons[(11, "code")] == "Thiếu mã đơn vị."
    assert "dưới đơn vị cấp dưới của chính nó" in reasons[(12, "parent_code")]
    assert "31/02/2025" in reasons[(13, "valid_from")]
    assert 2 not in {e.row for e in result.errors}
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_a_parent_change_moves_the_whole_subtree(tree):
    rows = [["TN-A1", "TN-B", "Đảng bộ cơ sở A1", "grassroots", "120", "9"]]
    result = run(csv_bytes(rows))
    assert (result.created, result.updated, result.moved, result.unchanged) == (0, 0, 1, 0)
    a1, a1a, b = unit("TN-A1"), unit("TN-A1a"), unit("TN-B")
    assert a1.parent == b and a1.path.startswith(b.path)
    assert a1a.parent == a1 and a1a.path.startswith(a1.path)
    assert (b.numchild, unit("TN-A").numchild) == (2, 1)
    assert_tree_is_consistent()
    assert run(csv_bytes(rows)).unchanged == 1


def test_a_unit_may_go_under_its_descendant_when_that_descendant_moves_out_first(tree):
    rows = [
        ["TN-A", "TN-A1", "Đảng ủy Khối A", "upper_grassroots", "0", "0"],
        ["TN-A1", "TN", "Đảng bộ cơ sở A1", "grassroots", "120", "9"],
    ]
    result = run(csv_bytes(rows))
    assert result.ok, result.errors
    assert result.moved == 2
    assert unit("TN-A1").parent == tree.province
    assert unit("TN-A").parent == unit("TN-A1")
    assert unit("TN-A2").path.startswith(unit("TN-A1").path)
    assert_tree_is_consistent()


def test_a_blank_parent_for_a_unit_that_has_one_is_refused_not_made_a_root(tree):
    result = run(csv_bytes([["TN-B1", "", "Chi bộ B1", "cell", "30", "3"]]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "parent_code")]
    assert "đang trực thuộc «TN-B»" in result.errors[0].reason
    assert unit("TN-B1").parent == tree.b


def test_semicolon_csv_with_a_bom(tree):
    data = csv_bytes(NEW_SUBTREE, delimiter=";", bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    result = run(data, name="danh-sach.csv")
    assert result.ok, result.errors
    assert result.created == 5
    assert_new_subtree_created(tree)


def test_vietnamese_header_aliases_and_level_labels(tree):
    header = ["STT", "Mã đơn vị", "Mã đơn vị cấp trên", "Tên", "Cấp", "Số đảng viên",
              "Số cấp ủy viên", "Tên viết tắt", "Hiệu lực từ"]  # fmt: skip
    labels = {
        "cell": "Chi bộ trực thuộc",
        "grassroots": "Tổ chức cơ sở đảng",
        "upper_grassroots": "Cấp trên trực tiếp cơ sở",
    }
    rows = [
        [str(n), code, parent, name, labels[level], members, committee, f"SN{n}", "01/07/2025"]
        for n, (code, parent, name, level, members, committee) in enumerate(NEW_SUBTREE, 1)
    ]
    result = run(csv_bytes(rows, header))
    assert result.ok, result.errors
    assert_new_subtree_created(tree)
    c = unit("TN-C")
    assert (c.short_name, c.valid_from) == ("SN4", dt.date(2025, 7, 1))
    assert c.level == Organization.Level.UPPER_GRASSROOTS


def test_missing_columns_are_reported_on_the_header_row(db):
    result = run(csv_bytes([["X", "", "Tên", "cell"]], HEADER[:4]))
    assert {(e.row, e.column) for e in result.errors} == {
        (1, "member_count"),
        (1, "committee_member_count"),
    }


def test_unreadable_files_are_reported_not_crashed_on(db):
    # "Đang" saved by an old Windows program (cp1258): 0xD0 is not UTF-8.
    cp1258 = ",".join(HEADER).encode() + b"\nX,,\xd0ang,cell,1,0\n"
    result = run(cp1258, name="units.csv")
    assert [e.reason for e in result.errors] == ["Tệp CSV phải được lưu với mã hóa UTF-8."]
    broken = run(b"PK\x03\x04 not really a workbook", name="units.xlsx")
    assert [e.reason for e in broken.errors] == ["Tệp không phải là tệp Excel (.xlsx)."]
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        b"code,parent_code,name\nX,,Y\n",  # a CSV named .xlsx
        b"%PDF-1.7 a document",
        b"",
    ],
)
def test_a_file_that_is_not_xlsx_is_said_in_vietnamese(db, data):
    """openpyxl's own words ("File is not a zip file") never reach the user."""
    result = run(data, name="units.xlsx")
    assert [(e.row, e.reason) for e in result.errors] == [
        (None, "Tệp không phải là tệp Excel (.xlsx).")
    ]
    assert not Organization.objects.exists()


def test_a_damaged_workbook_is_said_in_vietnamese(db):
    # A zip archive, as a workbook is, without a workbook inside.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    result = run(out.getvalue(), name="units.xlsx")
    assert len(result.errors) == 1
    assert result.errors[0].reason in {
        "Tệp không phải là tệp Excel (.xlsx).",
        "Tệp Excel bị hỏng, không đọc được; hãy lưu lại tệp bằng Excel.",
    }
    assert not Organization.objects.exists()


def test_a_nul_character_in_a_name_is_refused_on_its_cell(tree):
    """Refused, not stripped: a NUL comes from a damaged export, and the stripped name is
    one nobody wrote; the row names the cell so the source can be fixed (PostgreSQL would
    refuse the text anyway, failing the whole import with its own words)."""
    before = snapshot()
    rows = [row[:] for row in NEW_SUBTREE]
    rows[1][2] = "Đảng bộ cơ sở\x00 C1"
    rows[2][0] = "TN-C2\x00"
    result = run(csv_bytes(rows))
    message = "Ô chứa ký tự NUL (mã 0); hãy xóa ký tự này trong tệp."
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "name", message),
        (4, "code", message),
    ]
    assert snapshot() == before


def test_a_workbook_whose_sheet_holds_a_nul_is_called_damaged(db):
    """XML cannot hold a NUL: a sheet with one is a damaged workbook (openpyxl's parser
    raised through the import before)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(NEW_SUBTREE[0])
    sheet.cell(row=2, column=3)._value = "Chi bộ\x00 C1a"  # openpyxl's check bypassed
    out = io.BytesIO()
    workbook.save(out)
    result = run(out.getvalue(), name="units.xlsx")
    assert [e.reason for e in result.errors] == [
        "Tệp Excel bị hỏng, không đọc được; hãy lưu lại tệp bằng Excel."
    ]
    assert not Organization.objects.exists()


@pytest.mark.parametrize("count", ["2147483648", "99999999999999999999"])
def test_a_member_count_too_large_for_the_database_is_a_row_error(tree, count):
    before = snapshot()
    rows = [row[:] for row in NEW_SUBTREE]
    rows[0][4] = count
    result = run(csv_bytes(rows))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "member_count", f"«{count}» quá lớn: tối đa 2.147.483.647.")
    ]
    assert snapshot() == before


def test_the_largest_member_count_the_database_holds_is_imported(tree):
    rows = [row[:] for row in NEW_SUBTREE]
    rows[0][4] = "2147483647"
    result = run(csv_bytes(rows))
    assert result.ok, result.errors
    assert unit("TN-C1a").member_count == 2_147_483_647


def test_dry_run_counts_and_writes_nothing(tree):
    before = snapshot()
    result = run(csv_bytes(NEW_SUBTREE), dry_run=True)
    assert (result.ok, result.created) == (True, 5)
    assert snapshot() == before


def test_an_admin_of_a_province_cannot_touch_units_outside_it(tree):
    admin_b = UserFactory(username="admin_b")
    services.grant_role(user=admin_b, organization=tree.b, kind=Role.Kind.ADMIN)
    inside = [["TN-B2", "TN-B", "Chi bộ B2", "cell", "12", "2"]]
    outside = [["TN-A3", "TN-A", "Chi bộ A3", "cell", "12", "2"]]
    assert not run(csv_bytes(outside), user=admin_b).ok
    assert not Organization.objects.filter(code="TN-A3").exists()
    assert run(csv_bytes(inside), user=admin_b).created == 1


def test_the_command_prints_counts_or_errors_with_its_exit_code(tree, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(NEW_SUBTREE))
    call_command("import_organizations", str(good), "--dry-run")
    assert "Tạo mới: 5" in capsys.readouterr().out
    assert not Organization.objects.filter(code="TN-C").exists()

    call_command("import_organizations", str(good))
    assert "Tạo mới: 5" in capsys.readouterr().out
    assert_new_subtree_created(tree)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["TN-Z", "TN", "Sai cấp", "huyen", "1", "0"]]))
    with pytest.raises(CommandError):
        call_command("import_organizations", str(bad))
    # The exit code a shell sees: a real process on the same (test) database.
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}",
    }
    process = subprocess.run(
        [sys.executable, "manage.py", "import_organizations", str(bad)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert process.returncode == 1, process.stderr
    assert "Dòng 2, cột «level»: Cấp «huyen» không hợp lệ" in process.stderr
    assert not Organization.objects.filter(code="TN-Z").exists()


# --- The page ---------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, data: bytes, name: str = "units.csv"):
    return client.post(reverse("organization_import"), {"file": SimpleUploadedFile(name, data)})


def test_admin_uploads_a_file_and_sees_the_result(
    client, cast, tree, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    assert client.get(reverse("organization_import")).status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, csv_bytes(NEW_SUBTREE))
    record = OrganizationImport.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert (record.status, record.uploaded_by, record.original_name) == (
        OrganizationImport.Status.PENDING, cast.admin, "units.csv"
    )  # fmt: skip
    assert len(callbacks) == 1  # the task is enqueued only once the row is committed

    pending = client.get(record.get_absolute_url())
    assert 'hx-trigger="every 2s"' in pending.content.decode()

    # What the worker does (the real round trip is in test_celery_roundtrip.py).
    organization_import.run_organization_import(import_id=record.pk)
    record.refresh_from_db()
    assert (record.status, record.created_count) == (OrganizationImport.Status.DONE, 5)
    assert_new_subtree_created(tree)
    page = client.get(record.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "Hoàn tất" in page and "hx-trigger" not in page


def test_a_bad_upload_shows_the_error_table(client, cast, tree, media):
    client.force_login(cast.admin)
    upload(client, csv_bytes([["TN-Z", "TN", "", "huyen", "1", "0"]]))
    record = OrganizationImport.objects.get()
    organization_import.run_organization_import(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == OrganizationImport.Status.FAILED
    assert {(e["row"], e["column"]) for e in record.errors} == {(2, "name"), (2, "level")}
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Thiếu tên đơn vị." in page and "không có thay đổi nào được ghi" in page
    assert not Organization.objects.filter(code="TN-Z").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_the_form(client, cast, media):
    client.force_login(cast.admin)
    response = upload(client, b"MZ\x90\x00", name="virus.exe")
    assert response.status_code == 200
    assert not OrganizationImport.objects.exists()


@pytest.mark.parametrize("who", ["staff_a", "leader_p", "leader_b", "outsider"])
def test_only_admins_reach_the_import_pages(client, cast, tree, media, who):
    record = services.start_organization_import(
        user=cast.admin, uploaded_file=SimpleUploadedFile("units.csv", csv_bytes(NEW_SUBTREE))
    )
    client.force_login(getattr(cast, who))
    assert client.get(reverse("organization_import")).status_code == 404
    assert upload(client, csv_bytes(NEW_SUBTREE)).status_code == 404
    assert client.get(record.get_absolute_url()).status_code == 404
    assert OrganizationImport.objects.count() == 1
