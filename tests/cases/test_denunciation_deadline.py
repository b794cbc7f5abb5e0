"""A denunciation's deadline: 90 days from receipt (day 90 in time, day 91 overdue), 180
at the centre, stored when opened; one extension within the rule's allowance."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import deadlines, services
from cases.models import Case, DeadlineRule, Denunciation, Letter
from ktgs import versioning
from tests.cases.factories import YEAR, denunciation, letter

D = datetime.date
pytestmark = pytest.mark.usefixtures("deadline_rules")


def test_day_90_is_in_time_and_day_91_overdue(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    assert opened.received_on == D(YEAR, 3, 1)
    assert opened.due_on == D(YEAR, 5, 30)
    assert deadlines.status(opened.deadline, None, D(YEAR, 5, 30)) != deadlines.Status.OVERDUE
    assert deadlines.status(opened.deadline, None, D(YEAR, 5, 31)) == deadlines.Status.OVERDUE


def test_the_centre_has_180_days(cast, tree):
    opened = denunciation(cast.admin, tree.root)
    assert opened.due_on == D(YEAR, 3, 1) + datetime.timedelta(days=180)
    assert opened.extension_days == 60


def test_a_rule_edited_later_does_not_move_an_open_denunciation(cast, tree, deadline_rules):
    opened = denunciation(cast.staff_a, tree.a1)
    rule = deadline_rules["denunciation", ""]
    rule.length, rule.extension = 30, 0
    rule.save()
    opened.refresh_from_db()
    assert (opened.due_on, opened.extension_days) == (D(YEAR, 5, 30), 30)
    later = denunciation(cast.staff_a, tree.a1)
    assert (later.due_on, later.extension_days) == (D(YEAR, 3, 31), 0)


def test_an_extension_within_the_allowance_is_accepted(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    extended = services.extend_denunciation(
        user=cast.staff_a,
        denunciation=opened,
        to=D(YEAR, 6, 29),
        reason="Cần xác minh thêm tại đơn vị khác.",
        version=opened.version,
    )
    assert extended.extended_to == D(YEAR, 6, 29)
    assert extended.deadline == D(YEAR, 6, 29)
    assert extended.version == opened.version + 1
    assert deadlines.status(extended.deadline, None, D(YEAR, 6, 20)) == "due_soon"


def test_an_extension_beyond_the_allowance_is_refused_on_the_field(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.extend_denunciation(
            user=cast.staff_a,
            denunciation=opened,
            to=D(YEAR, 6, 30),
            reason="Cần xác minh thêm.",
            version=opened.version,
        )
    assert list(error.value.message_dict) == ["extended_to"]
    assert "tối đa 30 ngày sau hạn 30/05/2025" in error.value.message_dict["extended_to"][0]
    assert "31/05/2025 đến 29/06/2025" in error.value.message_dict["extended_to"][0]
    assert Denunciation.objects.get().extended_to is None


def test_the_centre_may_extend_by_60_days(cast, tree):
    opened = denunciation(cast.admin, tree.root)
    last = opened.due_on + datetime.timedelta(days=60)
    with pytest.raises(ValidationError):
        services.extend_denunciation(
            user=cast.admin,
            denunciation=opened,
            to=last + datetime.timedelta(days=1),
            reason="Vụ việc phức tạp.",
            version=opened.version,
        )
    extended = services.extend_denunciation(
        user=cast.admin, denunciation=opened, to=last, reason="Vụ việc phức tạp.", version=1
    )
    assert extended.extended_to == last


def test_a_denunciation_is_extended_once_only_and_with_a_reason(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.extend_denunciation(
            user=cast.staff_a, denunciation=opened, to=D(YEAR, 6, 10), reason=" ", version=1
        )
    assert list(error.value.message_dict) == ["extension_reason"]
    once = services.extend_denunciation(
        user=cast.staff_a, denunciation=opened, to=D(YEAR, 6, 10), reason="Lý do.", version=1
    )
    with pytest.raises(ValidationError) as error:
        services.extend_denunciation(
            user=cast.staff_a, denunciation=once, to=D(YEAR, 6, 20), reason="Lần hai.", version=2
        )
    assert error.value.message_dict["extended_to"] == [
        "Thời hạn giải quyết đã được gia hạn một lần (đến 10/06/2025)."
    ]


def test_a_stale_extension_is_refused(cast, tree):
    opened = denunciation(cast.staff_a, tree.a1)
    services.extend_denunciation(
        user=cast.staff_a, denunciation=opened, to=D(YEAR, 6, 10), reason="Lý do.", version=1
    )
    with pytest.raises(versioning.StaleObjectError):
        services.extend_denunciation(
            user=cast.staff_a, denunciation=opened, to=D(YEAR, 6, 12), reason="Khác.", version=1
        )


def test_without_a_rule_the_denunciation_is_refused_clearly_and_nothing_is_written(cast, tree):
    DeadlineRule.objects.filter(kind="denunciation").update(is_active=False)
    received = letter(cast.staff_a, tree.a1)
    with pytest.raises(ValidationError) as error:
        services.open_denunciation(
            user=cast.staff_a, letter=received, body="inspection_commission", today=D(YEAR, 3, 2)
        )
    assert error.value.messages == [
        "Chưa có quy định thời hạn “Giải quyết tố cáo” áp dụng cho cấp Tổ chức cơ sở đảng: "
        "hãy nhờ quản trị viên bổ sung trong trang quản trị."
    ]
    assert not Case.objects.exists()
    assert Letter.objects.get().handling == "pending"
