"""The API tests' world: the shared cast and tree, a programme of A with a target for A1,
and cases in A1 (staff_a's reach) and in B (the sibling, outside it)."""

from dataclasses import dataclass
from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case
from plans import services as plan_services
from plans.models import ActivityKind, Body, Programme, Target
from tests.cases.factories import record
from tests.plans.factories import make_programme

YEAR = 2025


@dataclass
class World:
    programme: Programme
    target: Target
    case_a1: Case
    case_b: Case


@pytest.fixture
def world(tree, cast) -> World:
    programme = make_programme(tree.a, year=YEAR, user=cast.staff_a)
    target = plan_services.add_target(
        programme=programme,
        user=cast.staff_a,
        organization=tree.a1,
        kind=ActivityKind.INSPECTION_COMPLIANCE,
        quantity=2,
        due_on=date(YEAR, 12, 31),
    )
    plan_services.issue_programme(programme=programme, user=cast.staff_a)
    case_a1 = record(cast.staff_a, tree.a1, body=Body.INSPECTION_COMMISSION)
    case_b = record(cast.admin, tree.b, body=Body.COMMITTEE)
    programme.refresh_from_db()
    return World(programme=programme, target=target, case_a1=case_a1, case_b=case_b)


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` signs it in with the user's token."""
    client = APIClient()

    def as_user(user):
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}
