"""Recording a case on one screen: the case, its subjects (formset) and the target."""

import re

from django.urls import reverse

from cases.models import Case
from tests.cases.factories import YEAR, make_target, record


def base_data(unit, **overrides):
    data = {
        "organization": unit.pk,
        "body": "inspection_commission",
        "kind": "inspection_compliance",
        "title": "Kiểm tra chấp hành Điều lệ",
        "year": YEAR,
        "target": "auto",
        "decision_number": "45-QĐ/ĐUK",
        "decided_on": "03/03/2025",
        "work_starts_on": "10/03/2025",
        "work_ends_on": "21/03/2025",
        "subjects-TOTAL_FORMS": 0,
        "subjects-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_record_a_case_with_subjects_in_one_post(client, cast, tree):
    target = make_target(tree.a1)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        base_data(
            tree.a1,
            **{
                "subjects-TOTAL_FORMS": 3,
                "subjects-0-kind": "organization",
                "subjects-0-organization": tree.a1a.pk,
                "subjects-1-kind": "member",
                "subjects-1-member_name": "Đinh Văn Thử",
                "subjects-1-member_position": "Bí thư chi bộ",
                "subjects-1-is_committee_member": "on",
                "subjects-1-is_head": "on",
                # An empty row added and left blank is ignored.
                "subjects-2-kind": "",
            },
        ),
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.target == target  # the one open target, proposed
    assert case.decided_on.isoformat() == "2025-03-03"
    subjects = list(case.subjects.order_by("pk"))
    assert subjects[0].organization == tree.a1a
    assert (subjects[1].member_name, subjects[1].is_committee_member, subjects[1].is_head) == (
        "Đinh Văn Thử",
        True,
        True,
    )


def test_arising_is_chosen_explicitly(client, cast, tree):
    make_target(tree.a1)
    client.force_login(cast.staff_a)
    client.post(
        reverse("cases:create") + f"?organization={tree.a1.pk}", base_data(tree.a1, target="")
    )
    assert Case.objects.get().is_arising


def test_the_page_lists_the_units_targets_when_opened_from_the_unit(client, cast, tree):
    target = make_target(tree.a1)
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:create"), {"organization": tree.a1.pk})
    values = [value for value, _ in response.context["form"].fields["target"].choices]
    assert values == ["auto", "", str(target.pk)]


def test_an_error_keeps_the_subject_rows(client, cast, tree):
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        base_data(
            tree.a,
            work_ends_on="01/03/2025",
            **{
                "subjects-TOTAL_FORMS": 1,
                "subjects-0-kind": "member",
                "subjects-0-member_name": "Lý Thị Thử",
            },
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["work_ends_on"] == [
        "Ngày kết thúc làm việc không được trước ngày bắt đầu."
    ]
    assert 'value="Lý Thị Thử"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_form_page_has_no_inline_script_and_an_add_subject_button(client, cast, tree):
    client.force_login(cast.staff_a)
    body = client.get(reverse("cases:create")).content.decode()
    scripts = re.findall(r"<script[^>]*>", body)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "cases/subjects.js" in body
    assert 'id="add-subject"' in body and 'id="subject-template"' in body
    assert "subjects-__prefix__-kind" in body  # the empty form the button clones
    assert 'hx-get="/cases/units/search/' in body


def test_edit_page_adds_changes_and_removes_subjects(client, cast, tree):
    case = record(
        cast.staff_a,
        tree.a,
        subjects=[
            {"kind": "member", "member_name": "Giữ Lại"},
            {"kind": "member", "member_name": "Bỏ Đi"},
        ],
    )
    keep, drop = case.subjects.order_by("pk")
    client.force_login(cast.staff_a)
    url = reverse("cases:edit", args=[case.pk])
    data = client.get(url).context["form"].initial
    response = client.post(
        url,
        base_data(
            tree.a,
            version=data["version"],
            decision_number=case.decision_number,
            decided_on="01/03/2025",
            work_starts_on="10/03/2025",
            work_ends_on="20/03/2025",
            target="",
            **{
                "subjects-TOTAL_FORMS": 3,
                "subjects-INITIAL_FORMS": 2,
                "subjects-0-id": keep.pk,
                "subjects-0-kind": "member",
                "subjects-0-member_name": "Giữ Lại",
                "subjects-0-is_head": "on",
                "subjects-1-id": drop.pk,
                "subjects-1-kind": "member",
                "subjects-1-member_name": "Bỏ Đi",
                "subjects-1-DELETE": "on",
                "subjects-2-kind": "organization",
                "subjects-2-organization": tree.a2.pk,
            },
        ),
    )
    assert response.status_code == 302
    subjects = list(case.subjects.order_by("pk"))
    assert [str(s) for s in subjects] == ["Giữ Lại", "Chi bộ cơ sở A2"]
    assert subjects[0].is_head


def test_unit_search_returns_pickable_units(client, cast, tree):
    client.force_login(cast.staff_a)
    body = client.get(reverse("cases:subject_search"), {"q": "A1a"}).content.decode()
    assert f'data-unit-id="{tree.a1a.pk}"' in body and 'data-unit-name="Chi bộ A1a"' in body
