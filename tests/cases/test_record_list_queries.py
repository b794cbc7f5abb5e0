"""The lists of the commission's other records run a fixed number of queries whatever
their length: one record of each kind in one unit, then more in several units (a
forwarded letter, a denunciation with its letter, a complaint on a discipline, a
suspension), and every list page and API list counts the same queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from tests.cases.factories import (
    complaint,
    denunciation,
    disciplined,
    letter,
    suspension,
)

pytestmark = pytest.mark.usefixtures("deadline_rules")

NOUNS = ["letter", "denunciation", "complaint", "suspension"]
API = {
    "letter": "letters",
    "denunciation": "denunciations",
    "complaint": "complaints",
    "suspension": "suspensions",
}


def one_of_each(user, unit, parent):
    sent = letter(user, unit, kind="petition")
    services.forward_letter(
        user=user, letter=sent, to=parent, on=sent.received_on, version=sent.version
    )
    denunciation(user, unit)
    complaint(user, disciplined(user, unit), parent)
    suspension(user, unit)


def counts(client) -> dict[str, int]:
    found = {}
    for noun in NOUNS:
        for where, url in (
            ("page", reverse(f"cases:{noun}_list")),
            ("api", f"/api/v1/{API[noun]}/"),
        ):
            with CaptureQueriesContext(connection) as context:
                response = client.get(url)
            assert response.status_code == 200, (noun, where)
            found[f"{noun} {where}"] = len(context.captured_queries)
    return found


def test_record_lists_count_the_same_queries_for_one_record_and_for_many(client, cast, tree):
    client.force_login(cast.admin)
    one_of_each(cast.admin, tree.a1, tree.a)
    few = counts(client)
    for unit, parent in ((tree.a2, tree.a), (tree.b1, tree.b), (tree.a1, tree.a)):
        one_of_each(cast.admin, unit, parent)
    many = counts(client)
    # The lists did grow: per round 3 letter rows (a petition, its forwarded copy, the
    # denunciation's letter) and one of each other record.
    assert client.get("/api/v1/letters/").json()["count"] == 12
    assert client.get("/api/v1/suspensions/").json()["count"] == 4
    assert many == few
