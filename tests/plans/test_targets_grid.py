"""Targets of a draft: the grid save, target validation, quotas and copying a programme."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans import services
from plans.models import Programme, Target
from tests.plans.factories import INSPECT, SUPERVISE, add_grid, make_programme

D = datetime.date


def quantities(programme) -> dict:
    return {
        (t.organization.code, t.kind, t.counts): t.quantity
        for t in programme.targets.select_related("organization")
    }


def test_grid_save_creates_updates_and_deletes_in_one_go(cast, tree):
    programme = make_programme(tree.a)
    add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1, (tree.a2, SUPERVISE): 1})
    add_grid(
        programme,
        {(tree.a1, INSPECT): 3, (tree.a2, INSPECT): 0, (tree.a, SUPERVISE): 4},
        user=cast.staff_a,
    )
    assert quantities(programme) == {
        ("TN-A1", INSPECT, "cases"): 3,
        ("TN-A2", SUPERVISE, "cases"): 1,  # not mentioned: left alone
        ("TN-A", SUPERVISE, "cases"): 4,
    }
    target = programme.targets.get(organization=tree.a1)
    assert target.due_on == D(2025, 12, 31)  # default: end of the programme's year
    assert target.origin == "original"
    assert target.history.latest("history_date").history_user == cast.staff_a


def _named(programme, unit, kind=INSPECT, text="Tài chính đảng quý II"):
    return services.add_target(
        programme=programme, organization=unit, kind=kind, quantity=1, subject_text=text
    )


def test_grid_save_refuses_a_quota_beside_a_named_target_and_leaves_it_alone(tree):
    # Was: the quota was added beside the named target, so one planned case counted twice.
    programme = make_programme(tree.a)
    _named(programme, tree.a1)
    with pytest.raises(ValidationError) as caught:
        add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1})
    (error,) = caught.value.error_dict["cells"]
    assert (error.code, error.params["organization"], error.params["kind"]) == (
        "beside_named",
        tree.a1.pk,
        INSPECT,
    )
    assert caught.value.message_dict["cells"] == [
        "Đảng bộ cơ sở A1 đã có chỉ tiêu đích danh cùng loại (Tài chính đảng quý II), đã tính "
        "trong tổng: thêm số lượng ở đây sẽ tính trùng. Hãy để trống ô này."
    ]
    assert programme.targets.count() == 1  # all or nothing: A2's quota is not written
    add_grid(programme, {(tree.a1, INSPECT): 0, (tree.a1, SUPERVISE): 1})
    assert sorted(programme.targets.values_list("kind", "subject_text")) == [
        (INSPECT, "Tài chính đảng quý II"),
        (SUPERVISE, ""),
    ]


def test_grid_save_leaves_share_targets_alone_and_may_add_cases_beside_them(tree):
    programme = make_programme(tree.a)
    services.add_target(
        programme=programme,
        organization=tree.a1a,
        kind=SUPERVISE,
        counts=Target.Counts.MEMBERS,
        quantity=1,
        member_share=30,
    )
    add_grid(programme, {(tree.a1a, SUPERVISE): 2})
    add_grid(programme, {(tree.a1a, SUPERVISE): 0})
    assert quantities(programme) == {("TN-A1a", SUPERVISE, "members"): 8}


def test_a_bad_cell_writes_nothing(tree):
    programme = make_programme(tree.a)
    with pytest.raises(ValidationError) as caught:
        add_grid(programme, {(tree.a1, INSPECT): 2, (tree.b, INSPECT): 1})
    assert (
        "Đảng ủy Khối A hoặc một đơn vị trực thuộc" in caught.value.message_dict["organization"][0]
    )
    assert not programme.targets.exists()


def test_targets_of_an_issued_programme_change_only_through_amendments(tree):
    programme = make_programme(tree.a)
    add_grid(programme, {(tree.a1, INSPECT): 2})
    services.issue_programme(programme=programme)
    with pytest.raises(ValidationError, match="văn bản điều chỉnh, bổ sung"):
        add_grid(programme, {(tree.a1, INSPECT): 5})
    with pytest.raises(ValidationError, match="văn bản điều chỉnh, bổ sung"):
        services.apply_quota(programme, "grassroots", {INSPECT: 1})
    assert programme.targets.get().quantity == 2


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"quantity": 0}, "quantity", "Số lượng phải từ 1 trở lên"),
        ({"quantity": 1, "member_share": 0}, "member_share", "lớn hơn 0%"),
        ({"quantity": 1, "member_share": 120}, "member_share", "không quá 100%"),
        ({"quantity": 1, "due_on": D(2026, 1, 15)}, "due_on", "01/01/2025 – 31/12/2025"),
        ({"quantity": 1, "organization": "b1"}, "organization", "đơn vị trực thuộc"),
    ],
)
def test_target_validation_lands_on_the_wrong_field(tree, fields, field, words):
    programme = make_programme(tree.a)
    values = {"organization": tree.a1, "kind": INSPECT, **fields}
    if values["organization"] == "b1":
        values["organization"] = tree.b1
    with pytest.raises(ValidationError) as caught:
        services.add_target(programme=programme, **values)
    assert words in caught.value.message_dict[field][0]


@pytest.mark.parametrize(
    ("share", "members", "expected"),
    [
        (30, 120, 36),
        (30, 25, 8),
        (30, 3, 1),
        (100, 18, 18),
        ("12.5", 10, 2),
        (1, 0, 1),
    ],
)
def test_a_share_of_members_becomes_a_quantity_rounded_up_at_least_one(share, members, expected):
    assert services.share_quantity(share, members) == expected


def test_a_share_target_takes_its_quantity_from_the_unit(tree):
    programme = make_programme(tree.a)
    target = services.add_target(
        programme=programme,
        organization=tree.a1a,
        kind=SUPERVISE,
        counts=Target.Counts.MEMBERS,
        quantity=1,
        member_share=30,
    )
    assert target.quantity == 8  # 30% of 25 members, rounded up


def test_apply_quota_creates_one_target_per_matching_unit_and_is_idempotent(cast, tree):
    programme = make_programme(tree.a)
    quota = {INSPECT: 2, SUPERVISE: 1}
    first = services.apply_quota(programme, "grassroots", quota, D(2025, 11, 30), user=cast.staff_a)
    assert first == {"units": 2, "created": 4, "updated": 0}
    assert quantities(programme) == {
        ("TN-A1", INSPECT, "cases"): 2,
        ("TN-A1", SUPERVISE, "cases"): 1,
        ("TN-A2", INSPECT, "cases"): 2,
        ("TN-A2", SUPERVISE, "cases"): 1,
    }
    again = services.apply_quota(programme, "grassroots", quota, D(2025, 11, 30), user=cast.staff_a)
    assert again == {"units": 2, "created": 0, "updated": 0}
    assert programme.targets.count() == 4
    changed = services.apply_quota(programme, "grassroots", {INSPECT: 3}, D(2025, 11, 30))
    assert changed == {"units": 2, "created": 0, "updated": 2}
    assert programme.targets.filter(kind=INSPECT, quantity=3).count() == 2


def test_apply_quota_with_a_share_counts_members(tree):
    programme = make_programme(tree.a)
    services.apply_quota(programme, "cell", {SUPERVISE: "30%"})
    target = programme.targets.get()
    assert (target.organization, target.counts, target.quantity) == (
        tree.a1a,
        Target.Counts.MEMBERS,
        8,
    )
    assert services.apply_quota(programme, "cell", {SUPERVISE: services.Share(30)})["created"] == 0


def test_apply_quota_due_date_outside_the_programme_is_refused_on_due_on(tree):
    programme = make_programme(tree.a)
    with pytest.raises(ValidationError) as caught:
        services.apply_quota(programme, "grassroots", {INSPECT: 2}, D(2026, 3, 1))
    assert "Thời hạn phải nằm trong" in caught.value.message_dict["due_on"][0]
    assert not programme.targets.exists()


def test_copy_programme_shifts_a_year_and_keeps_the_targets_in_force(cast, tree):
    source = make_programme(tree.a, year=2024, issued_on=D(2024, 1, 8))
    add_grid(source, {(tree.a1, INSPECT): 2, (tree.a2, SUPERVISE): 1})
    services.add_target(
        programme=source,
        organization=tree.a1a,
        kind=SUPERVISE,
        counts=Target.Counts.MEMBERS,
        quantity=1,
        member_share=30,
        due_on=D(2024, 2, 29),
    )
    services.issue_programme(programme=source)
    dropped = source.targets.get(organization=tree.a2)
    services.create_amendment(
        programme=source,
        doc_number="9-KH/ĐUK",
        issued_on=D(2024, 6, 1),
        effective_on=D(2024, 6, 1),
        remove=[dropped],
    )
    copy = services.copy_programme(source, 2025, "12-KH/ĐUK", D(2025, 1, 6), user=cast.staff_a)
    assert copy.status == Programme.Status.DRAFT
    assert copy.title == "Chương trình kiểm tra, giám sát năm 2025"
    assert (copy.starts_on, copy.ends_on) == (D(2025, 1, 1), D(2025, 12, 31))
    assert quantities(copy) == {("TN-A1", INSPECT, "cases"): 2, ("TN-A1a", SUPERVISE, "members"): 8}
    assert copy.targets.get(organization=tree.a1a).due_on == D(2025, 2, 28)
    assert copy.created_by == cast.staff_a
    assert source.targets.count() == 3  # the source is untouched


def test_grid_page_saves_and_totals_server_side(client, cast, tree):
    programme = make_programme(tree.a)
    client.force_login(cast.staff_a)
    url = reverse("plans:targets", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'name="q-{tree.a1.pk}-{INSPECT}"' in body
    assert f'name="q-{tree.a1a.pk}-{INSPECT}"' not in body  # deeper units on request only
    assert "plans/grid.js" in body and "<script>" not in body
    more = client.post(
        url, {"version": programme.version, "extra_units": "TN-A1a", "add_rows": "1"}
    )
    assert f'name="q-{tree.a1a.pk}-{INSPECT}"' in more.content.decode()
    response = client.post(
        url,
        {
            "version": programme.version,
            f"q-{tree.a1.pk}-{INSPECT}": "2",
            f"q-{tree.a2.pk}-{INSPECT}": "1",
            f"q-{tree.a1.pk}-{SUPERVISE}": "1",
            f"q-{tree.a1a.pk}-{INSPECT}": "1",
            "extra_units": "TN-A1a",
        },
    )
    assert response.status_code == 302
    assert quantities(programme) == {
        ("TN-A1", INSPECT, "cases"): 2,
        ("TN-A2", INSPECT, "cases"): 1,
        ("TN-A1", SUPERVISE, "cases"): 1,
        ("TN-A1a", INSPECT, "cases"): 1,
    }
    page = client.get(url).context
    rows = {row["unit"].code: row["total"] for row in page["grid"]["rows"]}
    assert rows["TN-A1"] == 3 and rows["TN-A1a"] == 1 and rows["TN-A"] == 0
    assert page["grid"]["grand_total"] == 5


def test_grid_page_refuses_a_stale_version_and_a_negative_cell(client, cast, tree):
    programme = make_programme(tree.a)
    client.force_login(cast.staff_a)
    url = reverse("plans:targets", args=[programme.pk])
    response = client.post(url, {"version": programme.version, f"q-{tree.a1.pk}-{INSPECT}": "-1"})
    assert response.status_code == 200
    assert "Số lượng không được âm" in response.content.decode()
    add_grid(programme, {(tree.a2, INSPECT): 1}, user=cast.admin)
    response = client.post(url, {"version": 1, f"q-{tree.a1.pk}-{INSPECT}": "2"})
    assert response.status_code == 200
    assert "sau khi bạn mở biểu mẫu" in response.content.decode()
    assert not programme.targets.filter(organization=tree.a1).exists()


def test_create_page_makes_the_programme_and_its_grid_together(client, cast, tree):
    client.force_login(cast.staff_a)
    url = reverse("plans:create") + f"?organization={tree.a.pk}"
    assert client.get(url).status_code == 200
    data = {
        "organization": tree.a.pk,
        "body": "inspection_commission",
        "scope": "year",
        "year": "2025",
        "title": "Chương trình năm 2025",
        "doc_number": "103-KH/ĐUK",
        "issued_on": "05/03/2025",
        f"q-{tree.a1.pk}-{INSPECT}": "2",
    }
    response = client.post(reverse("plans:create"), data)
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert programme.issued_on == D(2025, 3, 5)  # dd/mm/yyyy
    assert quantities(programme) == {("TN-A1", INSPECT, "cases"): 2}
    again = client.post(reverse("plans:create"), {**data, f"q-{tree.a2.pk}-{INSPECT}": "1"})
    assert again.status_code == 200
    assert again.context["form"].errors["doc_number"] == [
        "Số ký hiệu 103-KH/ĐUK đã được Ủy ban kiểm tra của Đảng ủy Khối A dùng cho một văn bản "
        "khác trong năm 2025."
    ]
    assert Programme.objects.count() == 1
    bad = client.post(reverse("plans:create"), {**data, "doc_number": "KH103"})
    assert "Số ký hiệu không đúng dạng" in str(bad.context["form"].errors["doc_number"])


def test_quota_and_copy_pages(client, cast, tree):
    programme = make_programme(tree.a)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("plans:quota", args=[programme.pk]),
        {"level": "grassroots", INSPECT: "2", SUPERVISE: "30%"},
    )
    assert response.status_code == 302
    assert programme.targets.count() == 4
    bad = client.post(
        reverse("plans:quota", args=[programme.pk]), {"level": "grassroots", INSPECT: "abc"}
    )
    assert "Nhập một số" in str(bad.context["form"].errors[INSPECT])
    response = client.post(
        reverse("plans:copy", args=[programme.pk]),
        {"year": "2026", "doc_number": "7-KH/ĐUK", "issued_on": "02/01/2026"},
    )
    assert response.status_code == 302
    copy = Programme.objects.get(year=2026)
    assert copy.targets.count() == 4


def test_grid_totals_count_named_targets_of_each_unit_and_kind(client, cast, tree):
    # Was: a row with only named targets showed 0, and staff typed a duplicate quota.
    programme = make_programme(tree.a)
    _named(programme, tree.a1)
    _named(programme, tree.a1, text="Quy chế làm việc")
    _named(programme, tree.a1a, kind=SUPERVISE, text="Sinh hoạt chi bộ")  # a deeper unit
    add_grid(programme, {(tree.a2, INSPECT): 2, (tree.a1, SUPERVISE): 1})
    services.add_target(
        programme=programme,
        organization=tree.a2,
        kind=SUPERVISE,
        counts=Target.Counts.MEMBERS,
        quantity=1,
        member_share=30,
    )
    client.force_login(cast.staff_a)
    page = client.get(reverse("plans:targets", args=[programme.pk]))
    grid = page.context["grid"]
    rows = {row["unit"].code: row["total"] for row in grid["rows"]}
    # Named cases count as cases; the share of members is shown apart, never added to cases.
    assert rows == {"TN-A": 0, "TN-A1": 3, "TN-A1a": 1, "TN-A2": 2}
    kinds = [kind for kind, _label in grid["kinds"]]
    columns = dict(zip(kinds, grid["column_totals"], strict=True))
    assert (columns[INSPECT], columns[SUPERVISE], grid["grand_total"]) == (4, 2, 6)
    body = page.content.decode()
    assert f'name="q-{tree.a1.pk}-{INSPECT}" value="" ' in body
    assert 'data-fixed="2"' in body  # the live totals (grid.js) add them too
    assert "+1 đích danh (số cuộc): Tài chính đảng quý II" in body
    assert "(số đảng viên, tính riêng)" in body


def test_grid_page_refuses_a_quota_beside_a_named_target_on_its_cell(client, cast, tree):
    programme = make_programme(tree.a)
    _named(programme, tree.a1)
    client.force_login(cast.staff_a)
    url = reverse("plans:targets", args=[programme.pk])
    name = f"q-{tree.a1.pk}-{INSPECT}"
    programme.refresh_from_db()
    response = client.post(url, {"version": programme.version, name: "2"})
    assert response.status_code == 200
    cells = [c for row in response.context["grid"]["rows"] for c in row["cells"]]
    (cell,) = [c for c in cells if c["name"] == name]
    assert cell["error"].startswith("Đảng bộ cơ sở A1 đã có chỉ tiêu đích danh cùng loại")
    assert response.context["error"] == ""
    assert programme.targets.count() == 1


def test_apply_quota_refuses_a_quota_beside_a_named_target(tree):
    programme = make_programme(tree.a)
    _named(programme, tree.a1)
    with pytest.raises(ValidationError) as caught:
        services.apply_quota(programme, "grassroots", {INSPECT: 2, SUPERVISE: 1})
    assert caught.value.message_dict == {
        INSPECT: [
            "Đã có chỉ tiêu đích danh cùng loại cho Đảng bộ cơ sở A1: thêm chỉ tiêu số lượng "
            "sẽ tính trùng. Hãy nhập chỉ tiêu cho các đơn vị này trong bảng chỉ tiêu."
        ]
    }
    assert programme.targets.count() == 1
