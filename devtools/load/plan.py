"""The load test's cast on a seeded tree, and the plan the Locust users read.

The synthetic profiles have no accounts, so the load test makes a fixed set of its own
(idempotent: kept between runs, their roles and password put back if changed):

- leaders on units of every level (the root, provinces, upper-grassroots and grassroots
  units with children to drill into), who read dashboards, period reports, a unit's
  targets and case lists, through the pages and the API;
- staff on grassroots units, who record cases (page and API), start and conclude them
  (API and page) and save the target grid of a draft programme of their own (page);
- one probe account on a unit of its own, which the runner uses to measure how long a
  concluded case takes to show on the dashboard's figures (the refresh backlog).

One password for all, hashed once (a hash costs ~0.5 s). The plan is plain JSON: the
locustfile runs in Locust's gevent process and never imports Django.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cases.models import Case, DisciplineDecision
from ktgs import services
from ktgs.models import Organization, Role, User
from plans import services as plan_services
from plans.models import Body, Programme

PASSWORD = "ktgs-load-2026"
EMAIL_DOMAIN = "load.ktgs.test"
# Who reads: 40 leaders (4 readers for each writer at 50 users), spread over the levels
# as a tree's leaders are: one at the top, one per province (the 10pct tree has 4), most
# of them lower down.
LEADERS_BY_LEVEL = {
    Organization.Level.CENTRAL: 1,
    Organization.Level.PROVINCIAL: 4,
    Organization.Level.UPPER_GRASSROOTS: 15,
    Organization.Level.GRASSROOTS: 20,
}
STAFF = 10
# The body whose cases and programmes the staff write: every grassroots unit has one.
BODY = Body.INSPECTION_COMMISSION
CHILDREN_IN_PLAN = 6  # drill-down candidates per leader
PROGRAMME_TITLE = "Chương trình thử tải (make loadtest)"
# A number the synthetic programmes (numbered from 1 up) never reach.
PROGRAMME_DOC_NUMBER = "9001-CTr/UBKT"


@dataclass(frozen=True)
class Cast:
    leaders: list[tuple[User, Organization]]
    staff: list[tuple[User, Organization]]
    probe: tuple[User, Organization]


def _spread(units: list[Organization], n: int, offset: int = 0) -> list[Organization]:
    """`n` units spread evenly over `units` (ordered by path, so over the provinces)."""
    if not units:
        return []
    step = max(1, len(units) // max(n, 1))
    return [units[(offset + i * step) % len(units)] for i in range(n)]


def _units(root: Organization, level: str) -> list[Organization]:
    found = Organization.objects.filter(path__startswith=root.path, level=level)
    if level != Organization.Level.CENTRAL:
        found = found.filter(numchild__gt=0)
    return list(found.order_by("path"))


@transaction.atomic
def ensure_cast(root: Organization, today: datetime.date) -> Cast:
    """The accounts, roles and draft programmes of the load test under `root`."""
    by_level = {level: _units(root, level) for level in LEADERS_BY_LEVEL}
    by_level[Organization.Level.CENTRAL] = [root]
    grassroots = by_level[Organization.Level.GRASSROOTS]
    wanted: list[tuple[str, str, Organization]] = []
    number = 0
    for level, count in LEADERS_BY_LEVEL.items():
        for unit in _spread(by_level[level], count):
            number += 1
            wanted.append((f"load-leader-{number:02d}", Role.Kind.LEADER, unit))
    # Staff on other grassroots units than the leaders' (offset by half a step).
    offset = max(1, len(grassroots) // (2 * STAFF))
    staff_units = _spread(grassroots, STAFF + 1, offset=offset)
    for number, unit in enumerate(staff_units[:STAFF], start=1):
        wanted.append((f"load-staff-{number:02d}", Role.Kind.STAFF, unit))
    wanted.append(("load-probe", Role.Kind.STAFF, staff_units[STAFF]))

    users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    password = make_password(PASSWORD)
    for username, kind, unit in wanted:
        user = users.get(username)
        if user is None:
            user = User.objects.create(
                username=username,
                full_name=f"Thử tải {username}",
                email=f"{username}@{EMAIL_DOMAIN}",
                password=password,
            )
            users[username] = user
        else:
            # A run's accounts always sign in with the plan's password.
            user.password = password
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        # One role each, on the unit the plan names (a changed tree moves it).
        Role.objects.filter(user=user).exclude(organization=unit, kind=kind).delete()
        services.grant_role(user=user, organization=unit, kind=kind)
    leaders = [(users[u], unit) for u, kind, unit in wanted if kind == Role.Kind.LEADER]
    staff = [(users[u], unit) for u, kind, unit in wanted[:-1] if kind == Role.Kind.STAFF]
    for user, unit in staff:
        draft_programme(user, unit, today)
    return Cast(leaders=leaders, staff=staff, probe=(users["load-probe"], staff_units[STAFF]))


def draft_programme(user: User, unit: Organization, today: datetime.date) -> Programme:
    """Next year's draft programme of the unit's commission, whose grid the staff save."""
    found = Programme.objects.filter(
        organization=unit, body=BODY, year=today.year + 1, title=PROGRAMME_TITLE
    ).first()
    if found is not None and found.status == Programme.Status.DRAFT:
        return found
    return plan_services.create_programme(
        user=user,
        organization=unit,
        body=BODY,
        year=today.year + 1,
        title=PROGRAMME_TITLE,
        doc_number=PROGRAMME_DOC_NUMBER,
        issued_on=today,
    )


def next_serial(unit: Organization, year: int) -> int:
    """The first decision number the unit's commission has not used this year (cases and
    discipline decisions share one numbering): a run's writes never collide with the
    synthetic data's or an earlier run's."""
    cases = Case.objects.filter(organization=unit, body=BODY, decided_on__year=year)
    decisions = DisciplineDecision.objects.filter(
        deciding_organization=unit, deciding_body=BODY, decided_on__year=year
    )
    serials = [
        *cases.values_list("decision_serial", flat=True),
        *decisions.values_list("decision_serial", flat=True),
    ]
    numbers = [int(s) for s in serials if s and s.isdigit()]
    return max(numbers, default=0) + 1


def _children(unit: Organization) -> list[dict]:
    children = Organization.objects.filter(parent=unit).order_by("-numchild", "path")
    return [{"id": c.pk, "level": c.level} for c in children[:CHILDREN_IN_PLAN]]


def build_plan(cast: Cast, today: datetime.date) -> dict:
    """What the Locust users act on. Made again before each Locust run: the next free
    decision numbers and the programmes' versions move with every run."""
    issuer = "UBKT"
    probe_user, probe_unit = cast.probe
    return {
        "password": PASSWORD,
        "today": today.isoformat(),
        "year": today.year,
        "body": BODY.value,
        "leaders": [
            {
                "username": user.username,
                "unit": unit.pk,
                "level": unit.level,
                "children": _children(unit),
            }
            for user, unit in cast.leaders
        ],
        "staff": [
            {
                "username": user.username,
                "unit": unit.pk,
                "programme": draft_programme(user, unit, today).pk,
                "serial": next_serial(unit, today.year),
                "issuer": issuer,
            }
            for user, unit in cast.staff
        ],
        "probe": {
            "username": probe_user.username,
            "unit": probe_unit.pk,
            "serial": next_serial(probe_unit, today.year),
            "issuer": issuer,
        },
    }
