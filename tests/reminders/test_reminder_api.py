"""The reminder log through the API: read only, scoped like the log page (leaders and
admins, for the units they lead; staff oversee no one's mail), filtered like it."""

import pytest
from django.urls import reverse

from tests.reminders.test_reminders import lag_rule, outbox_row


@pytest.fixture
def log(tree, cast):
    rule = lag_rule()
    return {
        "a1": outbox_row(rule, tree.a1, cast.staff_a),
        "b1": outbox_row(rule, tree.b1, cast.leader_b),
    }


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("admin", {"a1", "b1"}),
        ("leader_p", {"a1", "b1"}),
        ("leader_b", {"b1"}),
        ("staff_a", set()),
        ("outsider", set()),
    ],
)
def test_each_member_of_the_cast_sees_only_the_mail_of_units_they_lead(
    api, cast, log, who, visible
):
    client = api.as_user(getattr(cast, who))
    response = client.get("/api/v1/reminders/")
    assert response.status_code == 200
    got = {row["id"] for row in response.json()["results"]}
    assert got == {log[name].pk for name in visible}
    for name, row in log.items():
        detail = client.get(f"/api/v1/reminders/{row.pk}/")
        assert detail.status_code == (200 if name in visible else 404)


def test_the_log_is_read_only_and_filters_by_status(api, cast, log):
    client = api.as_user(cast.admin)
    assert client.post("/api/v1/reminders/", {}).status_code == 405
    assert client.delete(f"/api/v1/reminders/{log['a1'].pk}/").status_code == 405
    response = client.get("/api/v1/reminders/", {"status": "sent"})
    assert response.status_code == 200 and response.json()["results"] == []
    response = client.get("/api/v1/reminders/", {"status": "pending"})
    assert {row["id"] for row in response.json()["results"]} == {r.pk for r in log.values()}


# The page and the API take the same filters (reminders.filters.ReminderLogFilter).
FILTERS = [
    ({"q": "B1"}, {"b1"}),  # a unit's code
    ({"kind": "lag", "status": "pending"}, {"a1", "b1"}),
    ({"created_after": "2999-01-01"}, set()),
    ({"created_before": "2000-01-01"}, set()),
]


@pytest.mark.parametrize(("params", "shown"), FILTERS)
def test_the_page_and_the_api_filter_alike(api, client, cast, tree, log, params, shown):
    got = api.as_user(cast.admin).get("/api/v1/reminders/", params).json()["results"]
    assert {row["id"] for row in got} == {log[name].pk for name in shown}
    client.force_login(cast.admin)
    page = client.get(reverse("reminders:log"), params).content.decode()
    assert {name for name in ("a1", "b1") if getattr(tree, name).name in page} == shown


def test_one_unit_by_id_and_an_inverted_range_is_refused(api, client, cast, tree, log):
    admin = api.as_user(cast.admin)
    got = admin.get("/api/v1/reminders/", {"organization": tree.a1.pk}).json()["results"]
    assert [row["id"] for row in got] == [log["a1"].pk]
    inverted = {"created_after": "2026-06-02", "created_before": "2026-06-01"}
    assert admin.get("/api/v1/reminders/", inverted).status_code == 400
    client.force_login(cast.admin)
    page = client.get(reverse("reminders:log"), inverted).content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu." in page
