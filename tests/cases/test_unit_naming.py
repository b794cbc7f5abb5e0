"""Units that cannot be mistaken for one another: the picker's results and the case page
name each unit with its code and parent, the picker is a combobox tied to its label and
error, and a subject unit outside the conducting unit's subtree is saved only when the
user confirms it (the case form; the services allow it)."""

import datetime
import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case
from ktgs.models import Organization
from plans.models import Body
from tests.cases.factories import YEAR, concluded, doc_number, record
from tests.cases.test_record_page import base_data
from tests.factories import OrganizationFactory

SAME_NAME = "Chi bộ Phòng Quản lý ngân sách"
CONFIRM = "subjects-0-confirm_outside"


def make_twins(tree) -> tuple[Organization, Organization]:
    """Two units of the same name: one under A1, one under A (outside A1's subtree)."""
    inside = OrganizationFactory(parent=tree.a1, code="TN-A1.QLNS", name=SAME_NAME)
    outside = OrganizationFactory(
        parent=tree.a,
        code="TN-A.QLNS",
        name=SAME_NAME,
        level=Organization.Level.GRASSROOTS,
        grassroots_form=Organization.GrassrootsForm.CELL,
    )
    return inside, outside


@pytest.fixture
def twins(tree):
    return make_twins(tree)


def subject_row(unit, **extra):
    return {
        "subjects-TOTAL_FORMS": 1,
        "subjects-0-kind": "organization",
        "subjects-0-organization": unit.pk,
        **extra,
    }


def test_search_results_name_each_unit_with_code_and_parent(client, cast, tree, twins):
    inside, outside = twins
    client.force_login(cast.staff_a)
    body = client.get(reverse("cases:subject_search"), {"q": "Quản lý ngân sách"}).content
    html = body.decode()
    options = re.findall(r'<li role="option" class="unit-choice".*?</li>', html, re.S)
    assert len(options) == 2
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", o)).strip() for o in options]
    assert sorted(text) == sorted(
        [
            f"{SAME_NAME} · TN-A1.QLNS — Đảng bộ cơ sở A1",
            f"{SAME_NAME} · TN-A.QLNS — Đảng ủy Khối A",
        ]
    )
    assert f'data-unit-path="{inside.path}"' in html and f'data-unit-path="{outside.path}"' in html
    assert "Tìm thấy 2 đơn vị" in html  # read into the live region


def test_search_with_no_result_says_so_as_a_disabled_option(client, cast, tree):
    client.force_login(cast.staff_a)
    html = client.get(reverse("cases:subject_search"), {"q": "không có đơn vị này"}).content
    assert 'class="unit-none" aria-disabled="true"' in html.decode()
    assert "unit-choice" not in html.decode()


def test_search_names_parents_in_a_fixed_number_of_queries(
    client, cast, tree, django_assert_max_num_queries
):
    for n in range(6):
        OrganizationFactory(parent=tree.a2 if n % 2 else tree.a1, name=f"Chi bộ Đếm {n}")
    client.force_login(cast.staff_a)
    url = reverse("cases:subject_search")
    client.get(url, {"q": "Chi bộ Đếm 1"})  # sessions and roles read once
    with django_assert_max_num_queries(8) as few:
        client.get(url, {"q": "Chi bộ Đếm 1"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"q": "Chi bộ Đếm"})
    assert response.content.decode().count('class="unit-choice"') == 6


def test_the_picker_is_a_combobox_tied_to_its_label_and_its_error(client, cast, tree):
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:create"), base_data(tree.a1, organization=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_organization_query">Đơn vị tiến hành</label>' in html
    box = re.search(r'<input type="text" id="id_organization_query"[^>]*>', html, re.S).group(0)
    assert 'role="combobox"' in box and 'aria-expanded="false"' in box
    assert 'aria-controls="id_organization_listbox"' in box
    assert 'aria-describedby="id_organization_picked id_organization_error"' in box
    assert 'aria-invalid="true"' in box
    assert 'id="id_organization_listbox" role="listbox"' in html
    assert 'id="id_organization_error"' in html and "Hãy chọn đơn vị tiến hành." in html
    assert 'role="status" aria-live="polite"' in html
    hidden = re.search(r'<input type="hidden" name="organization"[^>]*>', html).group(0)
    assert "aria-" not in hidden


def test_the_subject_rows_picker_is_labelled_too(client, cast, tree):
    client.force_login(cast.staff_a)
    html = client.get(reverse("cases:create")).content.decode()
    assert '<label for="id_subjects-__prefix__-organization_query">Tổ chức đảng</label>' in html
    assert 'id="id_subjects-__prefix__-organization_query"' in html


def test_a_subject_outside_the_subtree_is_refused_unconfirmed(client, cast, tree, twins):
    _, outside = twins
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:create"), base_data(tree.a1, **subject_row(outside)))
    assert response.status_code == 200
    row = response.context["formset"].forms[0]
    assert row.errors["confirm_outside"] == [
        f"{SAME_NAME} (TN-A.QLNS) không thuộc Đảng bộ cơ sở A1 hay đơn vị nào trực thuộc: "
        "hãy chọn lại đơn vị, hoặc đánh dấu xác nhận nếu đúng là đơn vị này."
    ]
    html = response.content.decode()
    # The warning and the checkbox are shown (not hidden) with the error.
    assert '<div class="subject-outside">' in html
    assert "Tôi xác nhận đơn vị này ngoài phạm vi của đơn vị tiến hành" in html
    assert not Case.objects.exists()


def test_a_subject_outside_the_subtree_is_saved_when_confirmed(client, cast, tree, twins):
    _, outside = twins
    client.force_login(cast.staff_a)
    data = base_data(tree.a1, **subject_row(outside, **{CONFIRM: "on"}))
    response = client.post(reverse("cases:create"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert [s.organization for s in case.subjects.all()] == [outside]


@pytest.mark.parametrize("which", ["inside", "itself"])
def test_a_subject_in_the_subtree_needs_no_confirmation(client, cast, tree, twins, which):
    unit = twins[0] if which == "inside" else tree.a1
    client.force_login(cast.staff_a)
    response = client.post(reverse("cases:create"), base_data(tree.a1, **subject_row(unit)))
    assert response.status_code == 302
    assert Case.objects.get().subjects.get().organization == unit


def test_a_member_subject_asks_nothing(client, cast, tree, twins):
    client.force_login(cast.staff_a)
    data = base_data(
        tree.a1,
        **{
            "subjects-TOTAL_FORMS": 1,
            "subjects-0-kind": "member",
            "subjects-0-member_name": "Phan Văn Thử",
            # A unit left in the hidden input of a row switched to "member" is not asked.
            "subjects-0-organization": twins[1].pk,
        },
    )
    assert client.post(reverse("cases:create"), data).status_code == 302


def test_an_unconfirmed_outside_unit_does_not_stop_a_conducting_units_error(
    client, cast, tree, twins
):
    """The conducting unit refused (out of reach): its own error, not the subtree's."""
    _, outside = twins
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("cases:create"),
        base_data(tree.a1, organization="99999999999999999999", **subject_row(outside)),
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert "confirm_outside" not in response.context["formset"].forms[0].errors


def test_the_edit_page_keeps_a_confirmed_outside_subject(client, cast, tree, twins):
    _, outside = twins
    case = record(
        cast.staff_a, tree.a1, subjects=[{"kind": "organization", "organization": outside}]
    )
    subject = case.subjects.get()
    client.force_login(cast.staff_a)
    url = reverse("cases:edit", args=[case.pk])
    page = client.get(url)
    assert page.context["formset"].forms[0]["confirm_outside"].value() is True
    html = page.content.decode()
    assert '<div class="subject-outside">' in html  # shown, checked
    assert re.search(r'<input type="checkbox" name="subjects-0-confirm_outside"[^>]*checked', html)
    data = base_data(
        tree.a1,
        version=case.version,
        decision_number=case.decision_number,
        decided_on="01/03/2025",
        work_starts_on="10/03/2025",
        work_ends_on="20/03/2025",
        target="arising",
        title="Kiểm tra chấp hành Điều lệ (sửa)",
        **{
            "subjects-TOTAL_FORMS": 1,
            "subjects-INITIAL_FORMS": 1,
            "subjects-0-id": subject.pk,
            **subject_row(outside, **{CONFIRM: "on"}),
        },
    )
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.title == "Kiểm tra chấp hành Điều lệ (sửa)"


def test_moving_the_conducting_unit_asks_again_for_a_subject_now_outside(client, cast, tree, twins):
    inside, _ = twins
    case = record(
        cast.staff_a, tree.a1, subjects=[{"kind": "organization", "organization": inside}]
    )
    subject = case.subjects.get()
    client.force_login(cast.staff_a)
    url = reverse("cases:edit", args=[case.pk])
    assert client.get(url).context["formset"].forms[0]["confirm_outside"].value() is False
    data = base_data(
        tree.a2,  # the case moves to A2: A1's cell is outside A2's subtree
        version=case.version,
        decision_number=case.decision_number,
        target="arising",
        **{"subjects-INITIAL_FORMS": 1, "subjects-0-id": subject.pk, **subject_row(inside)},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "confirm_outside" in response.context["formset"].forms[0].errors
    case.refresh_from_db()
    assert case.organization == tree.a1


def test_the_case_page_names_every_unit_with_code_and_parent(client, cast, tree, twins):
    inside, outside = twins
    case = concluded(
        cast.staff_a,
        tree.a1,
        subjects=[
            {"kind": "organization", "organization": inside},
            {"kind": "organization", "organization": outside},
        ],
    )
    services.add_discipline(
        user=cast.staff_a,
        case=case,
        subject=case.subjects.get(organization=inside),
        form="reprimand",
        decision_number=doc_number(),
        decided_on=datetime.date(YEAR, 5, 10),
        deciding_organization=tree.a1,
        deciding_body=Body.INSPECTION_COMMISSION,
    )
    client.force_login(cast.leader_p)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    # The conducting unit, then each subject unit, then the decider.
    assert "Đảng bộ cơ sở A1 · TN-A1 — Đảng ủy Khối A (Ủy ban kiểm tra)" in text
    assert f"{SAME_NAME} · TN-A1.QLNS — Đảng bộ cơ sở A1" in text
    assert f"{SAME_NAME} · TN-A.QLNS — Đảng ủy Khối A" in text
    assert "(Ủy ban kiểm tra Đảng bộ cơ sở A1 · TN-A1 — Đảng ủy Khối A)" in text, text
