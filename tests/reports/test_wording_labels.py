"""The words of the figures come from the plans models' choices through the catalogue:
activity kinds, the word after a count of what a target counts (every Target.Counts
choice, English singular and plural), and why a unit is lagging."""

from dataclasses import asdict
from datetime import date, timedelta

import pytest
from django.utils import translation

from plans.models import ActivityKind, Target
from reports import wording
from reports.progress import TargetFigures, lag

START = date(2025, 1, 1)


def target(kind, quantity, done, due, counts="cases", target_id=1) -> TargetFigures:
    return TargetFigures(
        target_id=target_id,
        unit_id=1,
        kind=kind,
        quantity=quantity,
        done=done,
        start=START,
        due=due,
        counts=counts,
    )


@pytest.mark.parametrize(
    ("counts", "vi", "en_one", "en_many"),
    [
        (Target.Counts.CASES, "cuộc", "case", "cases"),
        (Target.Counts.ORGANIZATIONS, "tổ chức", "organisation", "organisations"),
        (Target.Counts.MEMBERS, "đảng viên", "member", "members"),
        (Target.Counts.COMMITTEE_MEMBERS, "cấp ủy viên", "committee member", "committee members"),
    ],
)
def test_every_counting_unit_has_its_word(counts, vi, en_one, en_many):
    assert wording.count_unit_label(counts, 1, "vi") == vi
    assert wording.count_unit_label(counts, 2, "vi") == vi
    assert wording.count_unit_label(counts, 1, "en") == en_one
    assert wording.count_unit_label(counts, 2, "en") == en_many
    with translation.override("vi"):
        assert wording.count_unit_label(counts) == vi


def test_no_counting_unit_is_shown_as_its_code():
    assert set(wording.COUNT_WORDS) == set(Target.Counts.values)
    for counts in Target.Counts.values:  # "còn thiếu 2 committee_members" was one
        assert wording.count_unit_label(counts, 2, "vi") != counts
    assert wording.count_unit_label("unknown") == "unknown"


def test_kind_labels_are_the_choices_in_either_language():
    for kind in ActivityKind:
        with translation.override("vi"):
            vi = str(kind.label)
        assert wording.kind_label(kind.value, "vi") == vi
        english = wording.kind_label(kind.value, "en")
        assert english and english != vi, kind  # translated in locale/en
    assert wording.kind_label("supervision_thematic", "vi") == "Giám sát chuyên đề"
    assert wording.kind_label("unknown") == "unknown"


def test_lag_reason_short_with_days_left():
    today = date(2025, 6, 17)
    result = lag([target("supervision_thematic", 2, 0, today + timedelta(days=14))], today)
    assert wording.describe_lag(result.reasons, "vi") == (
        "Chỉ tiêu Giám sát chuyên đề: còn thiếu 2 cuộc, còn 14 ngày đến hạn"
    )
    assert wording.describe_lag(result.reasons, "en") == (
        "Target Thematic supervision: 2 cases short, 14 days to the due date"
    )


def test_lag_reasons_late_and_soon_most_urgent_first():
    today = date(2025, 7, 6)
    late = target("inspection_finance", 3, 1, date(2025, 7, 1), target_id=3)
    soon = target("supervision_thematic", 2, 0, date(2025, 7, 20), target_id=2)
    reasons = lag([soon, late], today).reasons
    finance_en = wording.kind_label("inspection_finance", "en")
    assert wording.describe_lag(reasons, "vi") == (
        "Chỉ tiêu Kiểm tra tài chính đảng: còn thiếu 2 cuộc, đã quá hạn 5 ngày; "
        "Chỉ tiêu Giám sát chuyên đề: còn thiếu 2 cuộc, còn 14 ngày đến hạn"
    )
    assert wording.describe_lag(reasons, "en") == (
        f"Target {finance_en}: 2 cases short, 5 days overdue; "
        "Target Thematic supervision: 2 cases short, 14 days to the due date"
    )


def test_lag_reason_on_the_due_date_in_counted_subjects_singular_in_english():
    today = date(2025, 6, 30)
    reasons = lag([target("inspection_dues", 5, 4, today, counts="members")], today).reasons
    dues_en = wording.kind_label("inspection_dues", "en")
    assert wording.describe_lag(reasons, "vi") == (
        "Chỉ tiêu Kiểm tra thu, nộp, quản lý đảng phí: còn thiếu 1 đảng viên, đến hạn hôm nay"
    )
    assert wording.describe_lag(reasons, "en") == f"Target {dues_en}: 1 member short, due today"
    one_day = lag([target("inspection_dues", 5, 0, today - timedelta(days=1))], today).reasons
    assert wording.describe_lag(one_day, "en").endswith("5 cases short, 1 day overdue")


def test_committee_members_short_in_words():
    today = date(2025, 6, 30)
    reasons = lag(
        [target("inspection_compliance", 3, 1, today, counts="committee_members")], today
    ).reasons
    assert "còn thiếu 2 cấp ủy viên" in wording.describe_lag(reasons, "vi")
    assert "2 committee members short" in wording.describe_lag(reasons, "en")


def test_stored_reasons_read_like_computed_ones():
    today = date(2025, 6, 17)
    [reason] = lag([target("supervision_thematic", 2, 0, today + timedelta(days=1))], today).reasons
    stored = [asdict(reason)]
    assert wording.describe_lag(stored, "en") == wording.describe_lag([reason], "en")
    assert wording.describe_lag(stored, "en").endswith("1 day to the due date")
