"""/api/v1/period-reports/<unit>/: a unit's period report in the official shape — every
figure as a cell under the keys a submission stores, and its document (the default
header with the generated paragraph, then what the staff sent) — scoped by access."""

from datetime import date

import pytest
import time_machine

from reports import documents, queries
from reports.queries.cells import report_cells
from tests.api.test_report_submissions import TODAY, URL, m9, submitted  # noqa: F401
from tests.reports.test_rollup import case

pytestmark = pytest.mark.django_db


def report_url(unit, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/v1/period-reports/{unit.pk}/?{query}"


@time_machine.travel(TODAY, tick=False)
def test_the_report_is_its_cells_and_its_document(api, cast, tree, m9):  # noqa: F811
    case(tree.a2, kind="supervision_thematic", concluded_on=date(2026, 3, 2))
    response = api.as_user(cast.leader_p).get(report_url(tree.a, year=2026, period="m9"))
    assert response.status_code == 200, response.content
    body = response.json()
    report = queries.period_report(tree.a, year=2026, period_kind="m9", today=TODAY)
    assert body["cells"] == report_cells(report)
    assert body["cells"]["lines.total.cases"] == 2
    assert body["cells"]["lines.inspection_compliance.cases"] == 1
    assert (body["title"], body["starts_on"], body["ends_on"]) == (
        "9 tháng 2026",
        "2026-01-01",
        "2026-09-30",
    )
    assert body["submission"] is None
    assert body["document"]["issuer_name"] == tree.a.name
    assert body["document"]["summary"] == documents.summary_of(report)
    assert body["document"]["number"] == ""

    # Once submitted, the document is what the staff sent.
    sent = submitted(api, cast, tree, m9)
    body = api.as_user(cast.leader_p).get(report_url(tree.a, year=2026, period="m9")).json()
    assert body["submission"] == {"id": sent["id"], "status": "submitted"}
    assert body["document"]["number"] == "15-BC/UBKT"
    assert body["document"]["summary"] == "Kiểm tra 01 tổ chức đảng."
    assert body["document"]["recipients"] == ["- Ủy ban kiểm tra Tỉnh ủy,", "- Lưu."]


@time_machine.travel(TODAY, tick=False)
def test_outside_reach_is_404_and_a_missing_period_is_400(api, cast, tree, m9):  # noqa: F811
    sibling = api.as_user(cast.leader_b)
    assert sibling.get(report_url(tree.a, year=2026, period="m9")).status_code == 404
    assert sibling.get("/api/v1/period-reports/x/?period=m9").status_code == 404
    missing = api.as_user(cast.leader_p).get(report_url(tree.a, year=2026))
    assert missing.status_code == 400
    assert "period" in missing.json()
    undeclared = api.as_user(cast.leader_p).get(report_url(tree.a, year=2099, period="m9"))
    assert undeclared.status_code == 200
    assert undeclared.json()["available"] is False and undeclared.json()["cells"] == {}
