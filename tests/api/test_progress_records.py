"""The progress API's period report carries the records' figures (`records`), all bodies
then each body, with the report's sentence: the same as the period report page."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.engine import periods as report_services
from tests.api.test_progress_by_body import described_by_the_serializer
from tests.reports.test_records import AFTER, LINE, grow_records, nine_month_records

pytestmark = pytest.mark.usefixtures("deadline_rules")


def progress(client, unit, **params):
    with time_machine.travel(AFTER, tick=False):
        response = client.get(f"/api/v1/progress/{unit.pk}/", {"year": 2025, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_nine_month_line_and_its_figures_per_body(api, cast, tree):
    report_services.ensure_periods(2025)
    nine_month_records(cast, tree)
    client = api.as_user(cast.leader_p)
    data = progress(client, tree.province, period="m9")
    every, *bodies = data["records"]
    assert (every["body"], every["sentence"]) == ("", LINE)
    assert every["discipline_sentence"] == "Kỷ luật 05 đảng viên: cảnh cáo 05."
    assert every["letters_received"] == 3
    assert {line["kind"]: line["received"] for line in every["letters"]} == {
        "denunciation": 0,
        "discipline_complaint": 0,
        "petition": 2,
        "feedback": 1,
    }
    assert every["suspensions"] == [
        {"kind": "party_activity", "reason": "prosecuted", "count": 8, "committee_members": 0},
        {"kind": "party_activity", "reason": "detained", "count": 5, "committee_members": 0},
    ]
    assert every["discipline"][-1] == {
        "form": "",
        "label": "Tổng cộng",
        "organizations": 0,
        "members": 5,
        "committee_members": 0,
    }
    assert [line["body"] for line in bodies] == ["inspection_commission"]
    assert bodies[0]["sentence"] == LINE
    # The year, as of 15 October: the suspension of 2 October and the letter of 1 October.
    year = progress(client, tree.province, period="year")["records"][0]
    assert (year["letters_received"], sum(s["count"] for s in year["suspensions"])) == (4, 14)
    # The sibling's leader sees B's records only.
    b = progress(api.as_user(cast.leader_b), tree.b, period="m9")["records"][0]
    assert (b["letters_received"], b["discipline"][-1]["members"]) == (1, 1)


def test_an_undeclared_period_has_no_records(api, cast, tree):
    data = progress(api.as_user(cast.leader_p), tree.province, year=2031)
    assert (data["available"], data["records"]) == (False, None)


def test_the_records_add_one_query_whatever_the_subtree(api, cast, tree):
    report_services.ensure_periods(2025)
    nine_month_records(cast, tree)
    client = api.as_user(cast.leader_p)

    def count() -> dict[str, int]:
        found = {}
        for period in ("year", "m9"):
            with CaptureQueriesContext(connection) as ctx:
                progress(client, tree.province, period=period)
            found[period] = len(ctx.captured_queries)
        return found

    before = count()
    grow_records(cast, tree, 5)
    assert count() == before


def test_the_records_are_the_bytes_their_serializer_gives(api, cast, tree):
    report_services.ensure_periods(2025)
    nine_month_records(cast, tree)
    client = api.as_user(cast.leader_p)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(
            f"/api/v1/progress/{tree.province.pk}/", {"year": 2025, "period": "m9"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["records"][0]["sentence"] == LINE
        assert response.content == described_by_the_serializer(
            tree.province, year=2025, today=AFTER, period="m9"
        )
