"""Acting safely on programmes (issue 18): one-way steps ask first and say what follows; a
closed programme is reopened by an administrator of its unit with a reason kept in its
history; the warnings a careful colleague gives (a second programme of the same body and
year, a quota for a level with no units); a taken document number names its issuing unit,
never the number's suffix; the grid refuses "1e", "2.5" and "-1" on their cells, all in
one round; the long pages are grouped, filtered and labelled."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ktgs import services as ktgs_services
from ktgs.models import Role
from plans import services
from plans.models import Body, Programme
from tests.factories import OrganizationFactory, UserFactory
from tests.plans.factories import INSPECT, SUPERVISE, add_grid, make_programme

D = datetime.date


@pytest.fixture
def unit_admin(tree):
    """An administrator of Khối A only (the programmes' unit), not of the whole tree."""
    person = UserFactory(username="admin_a")
    ktgs_services.grant_role(user=person, organization=tree.a, kind=Role.Kind.ADMIN)
    return person


@pytest.fixture
def closed(tree):
    programme = make_programme(tree.a, issue=True)
    services.close_programme(programme=programme)
    return programme


# --- confirmation before a one-way step --------------------------------------------------


def test_the_detail_page_links_to_a_confirmation_instead_of_posting_at_once(client, cast, tree):
    draft = make_programme(tree.a)
    add_grid(draft, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1})
    client.force_login(cast.staff_a)
    body = client.get(reverse("plans:detail", args=[draft.pk])).content.decode()
    issue_url = reverse("plans:issue", args=[draft.pk])
    assert f'href="{issue_url}"' in body
    assert f'action="{issue_url}"' not in body  # no one-click issue any more

    page = client.get(issue_url)
    text = page.content.decode()
    assert "Ban hành chương trình?" in text
    assert "2 chỉ tiêu của 2 đơn vị bắt đầu được tính vào tiến độ và báo cáo." in text
    assert "Không thể đưa chương trình trở lại dự thảo." in text
    assert f'<form method="post" action="{issue_url}"' in text
    draft.refresh_from_db()
    assert draft.status == Programme.Status.DRAFT  # asking changes nothing

    response = client.post(issue_url, {"version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Programme.Status.ISSUED


def test_closing_asks_and_says_an_admin_can_reopen(client, cast, tree):
    issued = make_programme(tree.a, issue=True)
    client.force_login(cast.staff_a)
    text = client.get(reverse("plans:close", args=[issued.pk])).content.decode()
    assert "Kết thúc chương trình?" in text
    assert "Không sửa, không điều chỉnh, bổ sung được nữa." in text
    assert "Quản trị của đơn vị có thể mở lại chương trình, kèm lý do" in text
    issued.refresh_from_db()
    assert issued.status == Programme.Status.ISSUED


# --- undo: reopen a closed programme --------------------------------------------------------


def test_an_admin_of_the_unit_reopens_a_closed_programme_with_a_reason_kept_in_history(
    client, unit_admin, closed
):
    client.force_login(unit_admin)
    detail = client.get(reverse("plans:detail", args=[closed.pk])).content.decode()
    url = reverse("plans:reopen", args=[closed.pk])
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert "Mở lại chương trình đã kết thúc" in page.content.decode()

    blank = client.post(url, {"version": closed.version, "reason": "   "})
    assert blank.status_code == 200
    assert blank.context["form"].errors["reason"] == ["Trường này là bắt buộc."]
    summary = blank.context["error_summary"]
    assert [(e["id"], e["message"]) for e in summary] == [("id_reason", "Trường này là bắt buộc.")]
    closed.refresh_from_db()
    assert closed.status == Programme.Status.CLOSED

    reason = "Kết thúc nhầm: còn 2 cuộc giám sát chưa ghi"
    response = client.post(url, {"version": closed.version, "reason": reason})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == Programme.Status.ISSUED
    latest = closed.history.latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == (reason, unit_admin)
    detail = client.get(reverse("plans:detail", args=[closed.pk]))
    (entry,) = [e for e in detail.context["history"] if e.reason]
    assert entry.reason == reason
    assert ("trạng thái", "Đã kết thúc", "Đã ban hành") in [tuple(c) for c in entry.changes]
    assert f"Lý do: {reason}" in detail.content.decode()


def test_staff_may_not_reopen_and_see_no_button(client, cast, closed):
    client.force_login(cast.staff_a)
    url = reverse("plans:reopen", args=[closed.pk])
    assert url not in client.get(reverse("plans:detail", args=[closed.pk])).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Muốn sửa tiếp"}).status_code == 403
    closed.refresh_from_db()
    assert closed.status == Programme.Status.CLOSED


def test_an_admin_of_another_unit_does_not_reach_the_programme(client, tree, closed):
    other = UserFactory(username="admin_b")
    ktgs_services.grant_role(user=other, organization=tree.b, kind=Role.Kind.ADMIN)
    client.force_login(other)
    url = reverse("plans:reopen", args=[closed.pk])
    assert client.post(url, {"reason": "Thử"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.reopen_programme(programme=closed, reason="Thử", user=other)


@pytest.mark.parametrize(
    ("status", "reason", "field", "words"),
    [
        ("issued", "Mở lại", "status", "Chỉ chương trình đã kết thúc mới được mở lại."),
        ("closed", "", "reason", "Hãy ghi lý do mở lại chương trình."),
        ("closed", "x" * 101, "reason", "Lý do không quá 100 ký tự (hiện có 101)."),
    ],
)
def test_reopen_refusals_land_on_their_field(tree, unit_admin, status, reason, field, words):
    programme = make_programme(tree.a, issue=True)
    if status == "closed":
        services.close_programme(programme=programme)
    with pytest.raises(ValidationError) as caught:
        services.reopen_programme(programme=programme, reason=reason, user=unit_admin)
    assert caught.value.message_dict == {field: [words]}
    programme.refresh_from_db()
    assert programme.status == status


# --- warnings ----------------------------------------------------------------------------


def _create_data(tree, **more):
    return {
        "organization": tree.a.pk,
        "body": "inspection_commission",
        "scope": "year",
        "year": "2025",
        "title": "Chương trình bổ sung năm 2025",
        "doc_number": "77-KH/ĐUK",
        "issued_on": "05/03/2025",
        f"q-{tree.a1.pk}-{INSPECT}": "1",
        **more,
    }


def test_a_second_programme_of_the_same_body_and_year_is_warned_before_it_is_made(
    client, cast, tree
):
    first = make_programme(tree.a, year=2025)
    make_programme(tree.a, year=2025, body=Body.COMMITTEE)  # another body: no warning of it
    client.force_login(cast.staff_a)
    url = reverse("plans:create")
    warned = client.post(url, _create_data(tree))
    assert warned.status_code == 200
    assert [p.pk for p in warned.context["same_year"]] == [first.pk]
    body = warned.content.decode()
    assert "Đảng ủy Khối A đã có chương trình của chủ thể này trong năm 2025:" in body
    assert first.doc_number in body and 'name="confirm_same_year"' in body
    assert 'value="Chương trình bổ sung năm 2025"' in body  # what was typed is kept
    assert Programme.objects.filter(organization=tree.a).count() == 2  # nothing written

    made = client.post(url, _create_data(tree, confirm_same_year="1"))
    assert made.status_code == 302
    second = Programme.objects.get(doc_number="77-KH/ĐUK")
    assert second.targets.get().quantity == 1
    detail = client.get(reverse("plans:detail", args=[second.pk]))
    assert [p.pk for p in detail.context["same_year"]] == [first.pk]
    assert "còn có chương trình khác của Ủy ban kiểm tra trong cùng năm" in (
        detail.content.decode()
    )


def test_a_programme_of_another_year_is_made_without_a_warning(client, cast, tree):
    make_programme(tree.a, year=2024, issued_on=D(2024, 1, 5))
    client.force_login(cast.staff_a)
    response = client.post(reverse("plans:create"), _create_data(tree))
    assert response.status_code == 302


def test_the_warning_comes_with_every_other_error_in_one_round(client, cast, tree):
    first = make_programme(tree.a, year=2025, doc_number="77-KH/ĐUK")
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("plans:create"), _create_data(tree, **{f"q-{tree.a2.pk}-{INSPECT}": "1e"})
    )
    assert response.status_code == 200
    assert [p.pk for p in response.context["same_year"]] == [first.pk]
    assert (
        "77-KH/ĐUK đã được Ủy ban kiểm tra của Đảng ủy Khối A dùng"
        in (response.context["form"].errors["doc_number"][0])
    )
    assert {e["id"] for e in response.context["error_summary"]} == {
        "id_doc_number",
        f"q-{tree.a2.pk}-{INSPECT}",
    }
    assert Programme.objects.count() == 1


def test_a_quota_for_a_level_with_no_units_below_is_refused_on_the_level(client, cast, tree):
    programme = make_programme(tree.b)  # Đảng ủy xã B: only cells below it
    with pytest.raises(ValidationError) as caught:
        services.apply_quota(programme, "grassroots", {INSPECT: 2})
    assert caught.value.message_dict == {
        "level": [
            "Không có đơn vị cấp “Tổ chức cơ sở đảng” nào thuộc Đảng ủy xã B: chỉ tiêu sẽ "
            "không giao cho đơn vị nào. Hãy chọn cấp khác."
        ]
    }
    admin = cast.admin
    client.force_login(admin)
    url = reverse("plans:quota", args=[programme.pk])
    page = client.get(url)
    level = page.context["form"]["level"]
    assert level.value() == "cell"  # the default reaches units (was the first level: none)
    choices = dict(page.context["form"].fields["level"].choices)
    assert choices["cell"] == "Chi bộ trực thuộc (1 đơn vị)"
    assert choices["grassroots"] == "Tổ chức cơ sở đảng (0 đơn vị)"
    response = client.post(url, {"level": "grassroots", INSPECT: "2"})
    assert response.status_code == 200
    assert "Không có đơn vị cấp “Tổ chức cơ sở đảng” nào" in str(
        response.context["form"].errors["level"]
    )
    assert not programme.targets.exists()


# --- document numbers --------------------------------------------------------------------


def test_a_taken_number_names_its_issuing_unit_not_the_suffix(client, cast, tree):
    # Was: "… của TEST": the text after the slash read as the issuer.
    make_programme(tree.a, doc_number="5-KH/TEST", issued_on=D(2025, 1, 6))
    with pytest.raises(ValidationError) as caught:
        make_programme(tree.a, doc_number="5-KH/TEST", issued_on=D(2025, 2, 6))
    (message,) = caught.value.message_dict["doc_number"]
    assert message == (
        "Số ký hiệu 5-KH/TEST đã được Ủy ban kiểm tra của Đảng ủy Khối A dùng cho một văn bản "
        "khác trong năm 2025."
    )
    assert "của TEST" not in message


# --- the grid refuses what is not a whole number, on its cell, all at once -------------------


def test_the_grid_refuses_bad_cells_on_each_cell_in_one_round_and_writes_nothing(
    client, cast, tree
):
    programme = make_programme(tree.a)
    add_grid(programme, {(tree.a2, SUPERVISE): 4})
    services.add_target(
        programme=programme, organization=tree.a, kind=INSPECT, quantity=1, subject_text="Quy chế"
    )
    programme.refresh_from_db()
    client.force_login(cast.staff_a)
    url = reverse("plans:targets", args=[programme.pk])
    typed = {
        f"q-{tree.a1.pk}-{INSPECT}": "1e",
        f"q-{tree.a2.pk}-{INSPECT}": "2.5",
        f"q-{tree.a1.pk}-{SUPERVISE}": "-1",
        f"q-{tree.a2.pk}-{SUPERVISE}": "100000",
        f"q-{tree.a.pk}-{INSPECT}": "3",  # beside a named target: the service's refusal
        f"q-{tree.a.pk}-{SUPERVISE}": "2",  # fine, but not saved while others are wrong
    }
    response = client.post(url, {"version": programme.version, **typed})
    assert response.status_code == 200
    errors = response.context["grid"]["errors"]
    assert errors == {
        f"q-{tree.a1.pk}-{INSPECT}": "“1e” không phải số nguyên: nhập số cuộc, ví dụ 2 "
        "(để trống nếu không có).",
        f"q-{tree.a2.pk}-{INSPECT}": "“2.5” không phải số nguyên: nhập số cuộc, ví dụ 2 "
        "(để trống nếu không có).",
        f"q-{tree.a1.pk}-{SUPERVISE}": "Số lượng không được âm.",
        f"q-{tree.a2.pk}-{SUPERVISE}": "Số lượng quá lớn (tối đa 9.999).",
        f"q-{tree.a.pk}-{INSPECT}": "Đảng ủy Khối A đã có chỉ tiêu đích danh cùng loại (Quy chế), "
        "đã tính trong tổng: thêm số lượng ở đây sẽ tính trùng. Hãy để trống ô này.",
    }
    assert sorted(programme.targets.values_list("organization__code", "kind", "quantity")) == [
        ("TN-A", INSPECT, 1),
        ("TN-A2", SUPERVISE, 4),
    ]
    body = response.content.decode()
    for name, value in typed.items():
        # Each cell keeps what was typed and carries its own message.
        assert re.search(rf'id="{name}" name="{name}" value="{re.escape(value)}"', body)
    name = f"q-{tree.a1.pk}-{INSPECT}"
    assert f'aria-invalid="true" aria-describedby="{name}-error"' in body
    assert f'<div class="error cell-error" id="{name}-error">“1e” không phải' in body
    summary = response.context["error_summary"]
    assert len(summary) == 5
    assert summary[0]["label"] == "Đảng ủy Khối A · Kiểm tra chấp hành (chuyên đề)"
    assert f'<a href="#{name}">Đảng bộ cơ sở A1 · Kiểm tra chấp hành (chuyên đề): “1e”' in body
    assert "data-error-summary" in body and "Có 5 lỗi cần sửa, chưa có gì được lưu" in body


def test_grid_cells_are_text_inputs_that_a_keyboard_arrow_cannot_change(client, cast, tree):
    programme = make_programme(tree.a)
    client.force_login(cast.staff_a)
    body = client.get(reverse("plans:targets", args=[programme.pk])).content.decode()
    assert 'type="number"' not in body
    assert 'type="text" inputmode="numeric" pattern="[0-9]*"' in body
    # The save button comes before "Thêm dòng": Enter in a cell saves, even without script.
    assert body.index("data-save>Lưu chỉ tiêu") < body.index("Thêm dòng</button>")


# --- long pages --------------------------------------------------------------------------


def test_the_programme_page_groups_targets_by_level_and_kind_and_filters_by_unit(
    client, cast, tree
):
    programme = make_programme(tree.a)
    add_grid(
        programme,
        {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1, (tree.a1a, SUPERVISE): 1},
    )
    client.force_login(cast.staff_a)
    url = reverse("plans:detail", args=[programme.pk])
    response = client.get(url, {"on": "31/12/2025"})
    groups = [(g.level, g.kind, len(g.items)) for g in response.context["groups"]]
    assert groups == [("grassroots", INSPECT, 2), ("cell", SUPERVISE, 1)]
    body = response.content.decode()
    assert '<details class="group" id="group-grassroots.inspection_compliance" open>' in body
    assert "Tổ chức cơ sở đảng · Kiểm tra chấp hành (chuyên đề)" in body
    assert "2 chỉ tiêu, 2 đơn vị" in body
    filtered = client.get(url, {"on": "31/12/2025", "q": "dang bo co so a1"})  # no diacritics
    assert [r.target.organization.code for r in filtered.context["rows"]] == ["TN-A1"]
    by_code = client.get(url, {"on": "31/12/2025", "q": "a1a"})
    assert [r.target.organization.code for r in by_code.context["rows"]] == ["TN-A1a"]


def test_a_long_group_is_paginated(client, cast, tree):
    cells = [OrganizationFactory(parent=tree.a1, name=f"Chi bộ Tổ {n:02d}") for n in range(52)]
    programme = make_programme(tree.a)
    add_grid(programme, {(cell, SUPERVISE): 1 for cell in cells})
    client.force_login(cast.staff_a)
    url = reverse("plans:detail", args=[programme.pk])
    first = client.get(url, {"on": "31/12/2025"})
    (group,) = first.context["groups"]
    assert (len(group.items), len(group.page.object_list)) == (52, 50)
    assert '<details class="group" id="group-cell.supervision_thematic">' in (
        first.content.decode()
    )  # 52 rows: closed until opened
    assert "group=cell.supervision_thematic&amp;page=2" in first.content.decode()
    second = client.get(url, {"on": "31/12/2025", "group": group.key, "page": "2"})
    (group,) = second.context["groups"]
    assert [r.target.organization.name for r in group.page.object_list] == [
        "Chi bộ Tổ 50",
        "Chi bộ Tổ 51",
    ]


def test_every_field_of_the_amendment_page_has_a_name_for_a_screen_reader(client, cast, tree):
    programme = make_programme(tree.a, issue=False)
    add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1})
    services.issue_programme(programme=programme)
    client.force_login(cast.staff_a)
    body = client.get(reverse("plans:amend", args=[programme.pk])).content.decode()
    a1 = programme.targets.get(organization=tree.a1)
    assert (
        f'name="qty-{a1.pk}" value="2" aria-label="Số lượng hoặc tỷ lệ: Đảng bộ cơ sở A1 · '
        'Kiểm tra chấp hành (chuyên đề)"' in body
    )
    assert (
        f'<label for="remove-{a1.pk}"><span class="visually-hidden">Bỏ chỉ tiêu: Đảng bộ cơ sở '
        "A1 · Kiểm tra chấp hành (chuyên đề)</span></label>" in body
    )
    assert 'aria-label="Loại, dòng bổ sung 1"' in body
    assert 'aria-label="Đếm theo, dòng bổ sung 3"' in body
    # Every input, select and textarea is named: a <label for> or an aria-label.
    labelled = set(re.findall(r'<label for="([^"]+)"', body))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'id="([^"]+)"', tag)
        assert "aria-label=" in tag or (field_id and field_id[1] in labelled), tag
    assert body.count("<caption") == 2 and 'scope="col"' in body


def test_a_wrong_amendment_line_is_in_the_summary_and_the_filter_keeps_other_lines(
    client, cast, tree
):
    programme = make_programme(tree.a)
    add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1})
    services.issue_programme(programme=programme)
    client.force_login(cast.staff_a)
    url = reverse("plans:amend", args=[programme.pk])
    a1 = programme.targets.get(organization=tree.a1)
    shown = client.get(url, {"q": "A1"})
    assert [ln["target"].pk for g in shown.context["groups"] for ln in g.items] == [a1.pk]
    programme.refresh_from_db()
    data = {
        "version": programme.version,
        "doc_number": "8-KH/ĐUK",
        "issued_on": "01/06/2025",
        "effective_on": "01/06/2025",
        "add-TOTAL_FORMS": "3",
        "add-INITIAL_FORMS": "0",
        "q": "A1",
        f"qty-{a1.pk}": "1e",
    }
    bad = client.post(url, data)
    assert bad.status_code == 200
    assert [e["id"] for e in bad.context["error_summary"]] == [f"qty-{a1.pk}"]
    assert programme.amendments.count() == 0
    good = {**data, f"qty-{a1.pk}": "3"}
    preview = client.post(url, good)
    assert preview.context["preview"]["changed"] == 1
    body = preview.content.decode()
    assert "Ghi văn bản điều chỉnh này?" in body
    assert "Văn bản 8-KH/ĐUK, có hiệu lực từ 01/06/2025: thêm 0, sửa 1, bãi bỏ 0 chỉ tiêu." in body
    assert programme.amendments.count() == 0  # asking writes nothing
    fingerprint = preview.context["preview"]["fingerprint"]
    # Changed after the preview: asked again, not saved unseen.
    again = client.post(url, {**good, f"qty-{a1.pk}": "4", "confirmed": fingerprint})
    assert again.status_code == 200 and again.context["preview"]["fingerprint"] != fingerprint
    assert programme.amendments.count() == 0
    response = client.post(url, {**good, "confirmed": fingerprint})
    assert response.status_code == 302
    in_force = programme.targets.filter(removed_by__isnull=True)
    assert sorted(in_force.values_list("organization__code", "quantity")) == [
        ("TN-A1", 3),
        ("TN-A2", 1),  # not shown under the filter, so not posted: unchanged
    ]


@pytest.mark.parametrize("value", ["abc", "3.5", "99999999999999999999"])
def test_a_bad_unit_id_on_the_create_page_answers_404(client, cast, value):
    client.force_login(cast.staff_a)
    assert client.get(reverse("plans:create"), {"organization": value}).status_code == 404


def test_a_grid_of_more_than_a_hundred_units_saves(client, cast, tree):
    # Was: 400 (TooManyFieldsSent) past 1,000 fields, e.g. a bloc with its 219 cells.
    units = [OrganizationFactory(parent=tree.a, name=f"Chi bộ {n:03d}") for n in range(110)]
    programme = make_programme(tree.a)
    client.force_login(cast.staff_a)
    url = reverse("plans:targets", args=[programme.pk])
    page = client.get(url)
    cells = [c["name"] for row in page.context["grid"]["rows"] for c in row["cells"]]
    assert len(cells) > 1_100
    data = dict.fromkeys(cells, "")
    data[f"q-{units[-1].pk}-{INSPECT}"] = "2"
    response = client.post(url, {"version": programme.version, **data})
    assert response.status_code == 302
    assert programme.targets.get().organization == units[-1]
