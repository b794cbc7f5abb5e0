"""Two editors at once: the second save of a stale form is refused, shows what the other
person changed, and keeps everything the second person typed."""

import datetime

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case
from ktgs import versioning
from tests.cases.factories import YEAR, advance, record, second_staff

D = datetime.date


def form_data(case, **overrides):
    data = {
        "version": case.version,
        "organization": case.organization_id,
        "body": case.body,
        "kind": case.kind,
        "title": case.title,
        "year": YEAR,
        "target": "arising",
        "decision_number": case.decision_number,
        "decided_on": "01/03/2025",
        "work_starts_on": "10/03/2025",
        "work_ends_on": "20/03/2025",
        "subjects-TOTAL_FORMS": 0,
        "subjects-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_stale_version_is_refused_by_the_service_with_the_changes(cast, tree):
    case = record(cast.staff_a, tree.a, title="Nội dung ban đầu")
    other = second_staff(tree.a)
    services.update_case(user=other, case=case, version=1, title="Nội dung của người kia")
    with pytest.raises(versioning.StaleObjectError) as error:
        services.update_case(user=cast.staff_a, case=case, version=1, title="Của tôi")
    changes = [(c.label, c.old, c.new) for c in error.value.changes]
    assert changes == [("nội dung", "Nội dung ban đầu", "Nội dung của người kia")]
    assert error.value.changed_by == [str(other)]
    assert error.value.current_version == 2
    assert Case.objects.get(pk=case.pk).title == "Nội dung của người kia"


def test_stale_status_change_is_refused(cast, tree):
    case = record(cast.staff_a, tree.a)
    services.change_status(user=cast.staff_a, case=case, status="decided", version=1)
    with pytest.raises(versioning.StaleObjectError) as error:
        services.change_status(user=cast.staff_a, case=case, status="cancelled", version=1)
    assert [(c.old, c.new) for c in error.value.changes] == [("Dự thảo", "Đã có quyết định")]
    assert Case.objects.get(pk=case.pk).status == "decided"


def test_second_editor_sees_the_changes_and_keeps_their_input(client, cast, tree):
    case = record(cast.staff_a, tree.a, title="Nội dung ban đầu")
    other = second_staff(tree.a)
    client.force_login(cast.staff_a)
    url = reverse("cases:edit", args=[case.pk])
    opened = client.get(url).context["form"]["version"].value()  # staff_a opens the form
    # Meanwhile the other person changes the title and the end of the work.
    services.update_case(
        user=other,
        case=case,
        version=1,
        title="Nội dung của người kia",
        work_ends_on=D(YEAR, 3, 25),
    )
    response = client.post(
        url, form_data(case, version=opened, title="Nội dung của tôi", work_starts_on="11/03/2025")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Người khác đã sửa cuộc kiểm tra, giám sát này" in body
    assert "Nội dung ban đầu" in body and "Nội dung của người kia" in body
    assert "20/03/2025" in body and "25/03/2025" in body
    assert str(other) in body
    # Nothing lost: the form still holds what staff_a typed.
    form = response.context["form"]
    assert form["title"].value() == "Nội dung của tôi"
    assert form["work_starts_on"].value() == "11/03/2025"
    assert "Nội dung của tôi</textarea>" in body
    # And nothing was overwritten.
    case.refresh_from_db()
    assert case.title == "Nội dung của người kia" and case.version == 2
    # Saving again after reading the changes is a deliberate overwrite.
    response = client.post(
        url, form_data(case, version=form["version"].value(), title="Nội dung của tôi")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Nội dung của tôi"


def test_a_subject_added_by_the_other_editor_is_listed(cast, tree):
    case = record(cast.staff_a, tree.a)
    services.add_subject(
        user=cast.admin, case=case, version=1, kind="member", member_name="Đỗ Văn Thử"
    )
    with pytest.raises(versioning.StaleObjectError) as error:
        services.update_case(user=cast.staff_a, case=case, version=1, title="Khác")
    assert ("đối tượng kiểm tra, giám sát", "—", "Đỗ Văn Thử") in [
        (c.label, c.old, c.new) for c in error.value.changes
    ]


def test_stale_conclusion_keeps_the_typed_conclusion(client, cast, tree):
    case = advance(cast.staff_a, record(cast.staff_a, tree.a), "decided", "in_progress")
    client.force_login(cast.staff_a)
    services.update_case(user=cast.admin, case=case, version=case.version, title="Đổi tên")
    response = client.post(
        reverse("cases:conclude", args=[case.pk]),
        {
            "version": case.version,
            "concluded_on": "15/04/2025",
            "summary": "Kết luận của tôi",
            "violation_found": "false",
            "shortcomings_found": "true",
            "confirmed": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["stale"].changes[0].new == "Đổi tên"
    assert response.context["form"]["summary"].value() == "Kết luận của tôi"
    assert Case.objects.get(pk=case.pk).status == "in_progress"
