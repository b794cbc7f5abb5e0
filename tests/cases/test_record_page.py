"""Recording a case on one screen: the case, its subjects (formset) and the target."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from plans.models import Target
from tests.cases.factories import YEAR, concluded, make_programme, make_target, record

D = datetime.date


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
    target = make_target(tree.a1)
    client.force_login(cast.staff_a)
    client.post(
        reverse("cases:create") + f"?organization={tree.a1.pk}",
        base_data(tree.a1, target="arising", targets_seen=str(target.pk)),
    )
    assert Case.objects.get().is_arising


def test_arising_picked_without_seeing_a_matching_target_is_refused(client, cast, tree):
    # The list the user saw (none: the unit was changed and the list did not follow)
    # lacks a target that matches: "arising" was not a choice made knowing it.
    target = make_target(tree.a1)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"), base_data(tree.a1, target="arising", targets_seen="")
    )
    assert response.status_code == 200 and not Case.objects.exists()
    assert "chưa thấy khi chọn" in response.context["form"].errors["target"][0]
    # The page now lists it: the second post is a choice made knowing it.
    assert f'name="targets_seen" value="{target.pk}"' in response.content.decode()


def test_the_create_page_lists_the_open_targets_with_what_each_lacks_and_its_due_date(
    client, cast, tree
):
    year = timezone.localdate().year
    programme = make_programme(tree.a1, year=year, number="12-CTr/ĐUK")
    quota = make_target(tree.a1, programme=programme, quantity=2, due_on=D(year, 9, 30))
    named = make_target(
        tree.a1,
        programme=programme,
        due_on=D(year, 6, 30),
        subject_text="Tài chính đảng quý II",
    )
    make_target(
        tree.a1,
        programme=programme,
        quantity=3,
        counts=Target.Counts.ORGANIZATIONS,
        due_on=D(year, 11, 30),
    )
    make_target(tree.a1, programme=programme, kind="supervision_thematic")  # another kind
    make_target(tree.a2, programme=programme)  # another unit
    client.force_login(cast.staff_a)
    response = client.get(reverse("cases:create"), {"organization": tree.a1.pk})
    form = response.context["form"]
    options = [(o.value, o.proposed, o.checked) for o in form.target_options]
    assert options[:2] == [(str(named.pk), True, True), (str(quota.pk), False, False)]
    assert options[-1] == ("arising", False, False)
    assert len(options) == 4
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert (
        f"12-CTr/ĐUK (Ủy ban kiểm tra) · Tài chính đảng quý II — còn thiếu 1 cuộc , "
        f"hạn 30/06/{year}" in text
    )
    assert f"chỉ tiêu 2 cuộc — còn thiếu 2 cuộc , hạn 30/09/{year}" in text
    assert f"chỉ tiêu 3 tổ chức — còn thiếu 3 tổ chức , hạn 30/11/{year}" in text
    assert "Phát sinh (ngoài chương trình)" in text
    assert "Tự động đề xuất" not in text


def test_the_target_list_follows_unit_kind_and_year(client, cast, tree):
    a1 = make_target(tree.a1)
    a2 = make_target(tree.a2, due_on=D(YEAR, 6, 30))
    client.force_login(cast.staff_a)
    page = client.get(reverse("cases:create")).content.decode()
    assert 'hx-get="/cases/targets/"' in page and "change from:#id_kind" in page
    assert "change from:#id_organization" in page
    url = reverse("cases:target_choices")
    query = {"organization": tree.a1.pk, "kind": "inspection_compliance", "year": YEAR}

    def listed(**changes):
        form = client.get(url, {**query, **changes}).context["form"]
        return [(o.value, o.checked) for o in form.target_options]

    assert listed() == [(str(a1.pk), True), ("arising", False)]
    assert listed(organization=tree.a2.pk) == [(str(a2.pk), True), ("arising", False)]
    assert listed(kind="supervision_thematic") == [("arising", True)]
    assert listed(year=YEAR + 1) == [("arising", True)]
    # "arising" picked among listed targets stays picked; a target no longer listed
    # gives way to the proposed one.
    assert listed(target="arising", targets_seen=str(a1.pk))[-1] == ("arising", True)
    assert listed(target="arising", targets_seen="")[0] == (str(a1.pk), True)
    assert listed(organization=tree.a2.pk, target=str(a1.pk))[0] == (str(a2.pk), True)


def test_after_a_validation_error_the_list_shows_the_choice_made(client, cast, tree):
    programme = make_programme(tree.a1)
    make_target(tree.a1, programme=programme, due_on=D(YEAR, 6, 30))
    later = make_target(tree.a1, programme=programme, due_on=D(YEAR, 9, 30))
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        base_data(tree.a1, target=str(later.pk), work_ends_on="01/03/2025"),
    )
    assert response.status_code == 200 and not Case.objects.exists()
    body = response.content.decode()
    assert re.search(rf'value="{later.pk}" id="id_target_\d+" checked', body)
    assert "còn thiếu 1 cuộc" in body and "hạn 30/09/2025" in body


def test_a_target_that_does_not_match_the_case_is_refused_on_the_field(client, cast, tree):
    make_target(tree.a1)
    other = make_target(tree.a2)
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:create"), base_data(tree.a1, target=str(other.pk)))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "không khớp với đơn vị" in response.context["form"].errors["target"][0]


def test_the_form_saves_the_target_picked_among_several(client, cast, tree):
    programme = make_programme(tree.a1)
    make_target(tree.a1, programme=programme, due_on=D(YEAR, 6, 30))
    later = make_target(tree.a1, programme=programme, due_on=D(YEAR, 9, 30))
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:create"), base_data(tree.a1, target=str(later.pk)))
    assert response.status_code == 302
    assert Case.objects.get().target == later


def test_the_edit_page_keeps_the_case_target_even_when_it_is_complete(client, cast, tree):
    target = make_target(tree.a1, quantity=1)
    case = concluded(cast.staff_a, tree.a1, target=target)
    client.force_login(cast.staff_a)
    form = client.get(reverse("cases:edit", args=[case.pk])).context["form"]
    assert [(o.value, o.checked) for o in form.target_options] == [
        (str(target.pk), True),
        ("arising", False),
    ]


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
            target="arising",
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
