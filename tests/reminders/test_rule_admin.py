"""Reminder rules in the admin: levels ticked as checkboxes and the "days before"
thresholds typed as numbers, saved as the JSON the scans read; never a raw JSON box."""

import pytest
from django.urls import reverse

from reminders.models import ReminderRule
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _only_the_tests_rules(db):
    ReminderRule.objects.all().delete()  # the migrations' rules


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def form_data(**changes) -> dict:
    data = {
        "name": "Nhắc chỉ tiêu sắp đến hạn",
        "kind": ReminderRule.Kind.TARGET_DUE,
        "is_active": "on",
        "tolerance_cases": "0",
        "tolerance_points": "0",
        "first_after_days": "0",
        "repeat_every_days": "7",
        "escalate_after_days": "14",
        "escalation_levels": "2",
        "days_before": "14, 3",
        "weekday": "0",
        "skip_weekends": "on",
        "skip_holidays": "on",
    }
    data.update(changes)
    return data


def test_the_rule_form_shows_checkboxes_and_labels_not_json(db, admin_client):
    rule = ReminderRule.objects.create(
        name="Nhắc chậm", kind=ReminderRule.Kind.LAG, levels=["cell", "grassroots"],
        days_before=[14, 3],
    )  # fmt: skip
    page = admin_client.get(reverse("admin:reminders_reminderrule_change", args=[rule.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    # One checkbox per level, labelled, the rule's levels ticked.
    assert html.count('type="checkbox" name="levels"') == 6
    assert 'value="cell" id="id_levels_5" checked' in html.replace("\n", " ")
    assert "Chi bộ trực thuộc" in html and "Tổ chức cơ sở đảng" in html
    # The thresholds as numbers, the weekday by its name; no JSON anywhere.
    assert 'name="days_before" value="14, 3"' in html
    assert '<option value="0" selected>Thứ Hai</option>' in html
    assert "[14, 3]" not in html and '["cell"' not in html and "&quot;cell&quot;" not in html


def test_ticked_levels_and_typed_days_are_saved_as_the_json_the_scans_read(db, admin_client):
    response = admin_client.post(
        reverse("admin:reminders_reminderrule_add"),
        form_data(levels=["cell", "grassroots"], days_before="3, 14, 3", weekday="4"),
    )
    assert response.status_code == 302, response.content.decode()
    rule = ReminderRule.objects.get(name="Nhắc chỉ tiêu sắp đến hạn")
    # Levels in the tree's order, days once each (largest first), the weekday a number.
    assert (rule.levels, rule.days_before, rule.weekday) == (["grassroots", "cell"], [14, 3], 4)

    none_ticked = admin_client.post(
        reverse("admin:reminders_reminderrule_change", args=[rule.pk]),
        form_data(days_before=""),
    )
    # A target-due rule needs a threshold: said on the field, nothing saved.
    assert none_ticked.status_code == 200
    assert "Quy tắc nhắc hạn chỉ tiêu cần ít nhất một mốc ngày." in none_ticked.content.decode()
    rule.refresh_from_db()
    assert rule.days_before == [14, 3]


@pytest.mark.parametrize(
    "typed, error",
    [
        ("14, ba", "“ba” không phải số ngày."),
        ("-1", "“-1” không phải số ngày."),
        ("2.5", "“2.5” không phải số ngày."),
        ("400", "Mỗi mốc nhắc trước hạn tối đa 366 ngày."),
    ],
)
def test_bad_days_are_answered_on_the_field_in_vietnamese(db, admin_client, typed, error):
    response = admin_client.post(
        reverse("admin:reminders_reminderrule_add"), form_data(days_before=typed)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ReminderRule.objects.filter(name="Nhắc chỉ tiêu sắp đến hạn").exists()


def test_no_level_ticked_means_every_level(db, admin_client):
    response = admin_client.post(
        reverse("admin:reminders_reminderrule_add"),
        form_data(kind=ReminderRule.Kind.LAG, days_before=""),
    )
    assert response.status_code == 302
    rule = ReminderRule.objects.get(name="Nhắc chỉ tiêu sắp đến hạn")
    assert (rule.levels, rule.days_before) == ([], [])
