"""The shared cast: a small tree and one user per role.

Ban Chấp hành Trung ương (root)                       admin: `admin`
└── Tỉnh ủy Thử Nghiệm (P)                            leader: `leader_p`
    ├── Đảng ủy Khối A (A)                            staff: `staff_a`
    │   ├── Đảng bộ cơ sở A1
    │   │   └── Chi bộ A1a
    │   └── Chi bộ cơ sở A2
    └── Đảng ủy xã B (B, A's sibling)                 leader: `leader_b`
        └── Chi bộ B1
`outsider` holds no role.
"""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection, connections

from cases.models import DeadlineRule
from ktgs import celery_app, services
from ktgs.models import Organization, Role, User
from plans.models import ProgrammeRequirement
from reports.engine import periods
from tests.factories import OrganizationFactory, UserFactory

# The real Celery worker fixture (`celery_worker_process`, `celery_worker_env`) for every
# test module that asks for it.
pytest_plugins = ["tests.worker"]

L = Organization.Level


@pytest.fixture(scope="session", autouse=True)
def _suite_settings(worker_id):
    # Hashing real passwords costs ~0.3 s a login; the suite logs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Under pytest-xdist each test process gets a Redis database of its own, so a Celery
    # worker started by one process never takes (and runs on the wrong test database) a
    # task published by the other.
    broker = settings.CELERY_BROKER_URL
    if worker_id.startswith("gw") and broker.startswith("redis://"):
        base, _, db = broker.rpartition("/")
        own = (int(db or 0) - 1 - int(worker_id[2:])) % 16
        settings.CELERY_BROKER_URL = f"{base}/{own}"
        # Celery reads the environment variable before its own configuration.
        os.environ["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    """The suite runs on the production engine; `make test` provides it."""
    if "django_db_setup" in request.fixturenames and connection.vendor != "postgresql":
        pytest.exit("ktgs tests run on PostgreSQL: use `make test` (DATABASE_URL=postgres://…)", 2)


@dataclass
class Tree:
    root: Organization
    province: Organization
    a: Organization
    a1: Organization
    a1a: Organization
    a2: Organization
    b: Organization
    b1: Organization

    def all(self) -> list[Organization]:
        return [self.root, self.province, self.a, self.a1, self.a1a, self.a2, self.b, self.b1]


@dataclass
class Cast:
    admin: User
    staff_a: User
    leader_p: User
    leader_b: User
    outsider: User


@pytest.fixture(params=["sql", "python"])
def rollup_engine(request, settings):
    """Both roll-up engines on the test database (reports.engine.engine): "python" is the
    one every `make run` user runs (SQLite), "sql" the one PostgreSQL runs by default.
    A module runs all its tests on both with
    `pytestmark = pytest.mark.usefixtures("rollup_engine")`."""
    settings.KTGS_ROLLUP_ENGINE = request.param
    return request.param


@pytest.fixture
def tree(db) -> Tree:
    root = OrganizationFactory(
        code="TW",
        name="Ban Chấp hành Trung ương",
        level=L.CENTRAL,
        member_count=0,
        committee_member_count=0,
    )
    province = OrganizationFactory(
        parent=root,
        code="TN",
        name="Tỉnh ủy Thử Nghiệm",
        level=L.PROVINCIAL,
        member_count=0,
        committee_member_count=0,
    )
    a = OrganizationFactory(
        parent=province,
        code="TN-A",
        name="Đảng ủy Khối A",
        level=L.UPPER_GRASSROOTS,
        member_count=0,
        committee_member_count=0,
    )
    a1 = OrganizationFactory(
        parent=a,
        code="TN-A1",
        name="Đảng bộ cơ sở A1",
        level=L.GRASSROOTS,
        grassroots_form=Organization.GrassrootsForm.COMMITTEE,
        member_count=120,
        committee_member_count=9,
    )
    a1a = OrganizationFactory(
        parent=a1,
        code="TN-A1a",
        name="Chi bộ A1a",
        level=L.CELL,
        member_count=25,
        committee_member_count=3,
    )
    a2 = OrganizationFactory(
        parent=a,
        code="TN-A2",
        name="Chi bộ cơ sở A2",
        level=L.GRASSROOTS,
        grassroots_form=Organization.GrassrootsForm.CELL,
        has_cell_committee=True,
        member_count=18,
        committee_member_count=3,
    )
    b = OrganizationFactory(
        parent=province,
        code="TN-B",
        name="Đảng ủy xã B",
        level=L.GRASSROOTS,
        grassroots_form=Organization.GrassrootsForm.COMMITTEE,
        member_count=300,
        committee_member_count=15,
    )
    b1 = OrganizationFactory(
        parent=b,
        code="TN-B1",
        name="Chi bộ B1",
        level=L.CELL,
        member_count=30,
        committee_member_count=3,
    )
    # The report periods reports/migrations/0004 seeds, made again where missing: a
    # transactional or live-server test elsewhere in the same process flushes every
    # table, migration rows included, and a report reads its period's row.
    for year in (2025, 2026, 2027):
        periods.ensure_periods(year)
    # Re-read: adding children changed numchild on the parents.
    units = [Organization.objects.get(pk=u.pk) for u in (root, province, a, a1, a1a, a2, b, b1)]
    return Tree(*units)


@pytest.fixture
def cast(tree: Tree) -> Cast:
    def user(name: str, unit: Organization | None, kind: str | None) -> User:
        person = UserFactory(username=name)
        if unit is not None and kind is not None:
            services.grant_role(user=person, organization=unit, kind=kind)
        return person

    return Cast(
        admin=user("admin", tree.root, Role.Kind.ADMIN),
        staff_a=user("staff_a", tree.a, Role.Kind.STAFF),
        leader_p=user("leader_p", tree.province, Role.Kind.LEADER),
        leader_b=user("leader_b", tree.b, Role.Kind.LEADER),
        outsider=user("outsider", None, None),
    )


@pytest.fixture
def programme_rules(db):
    """The programme requirements the plans migration seeds, made again here: a
    transactional test elsewhere flushes every table, migration rows included. Every
    level from the provinces down must have issued its year's programme by 31 January;
    the centre's rule is inactive."""

    rules = {}
    for level, active in [
        ("central", False),
        ("provincial", True),
        ("upper_grassroots", True),
        ("grassroots", True),
        ("partial", True),
        ("cell", True),
    ]:
        rules[level], _ = ProgrammeRequirement.objects.update_or_create(
            level=level, defaults={"due_month": 1, "due_day": 31, "is_active": active, "body": ""}
        )
    return rules


# The rules cases/migrations/0006 seeds, made again here: a transactional test elsewhere
# flushes every table, migration rows included.
# (kind, level, length, unit, extension days, total cap days)
SEEDED_RULES = [
    ("denunciation", "", 90, "days", 30, None),
    ("denunciation", "central", 180, "days", 60, None),
    ("complaint_lodging", "", 1, "months", 0, None),
    ("suspension_member", "", 90, "days", 0, 180),
    ("suspension_organization", "", 90, "days", 0, 90),
]


@pytest.fixture
def deadline_rules(db) -> dict[tuple[str, str], DeadlineRule]:
    """The seeded deadline rules, by (kind, level)."""
    rules = {}
    for kind, level, length, unit, extension, cap in SEEDED_RULES:
        rules[kind, level], _ = DeadlineRule.objects.update_or_create(
            kind=kind,
            level=level,
            is_active=True,
            defaults={
                "length": length,
                "length_unit": unit,
                "extension": extension,
                "total_cap": cap,
            },
        )
    return rules


@pytest.fixture
def sqlite_connection(django_db_blocker):
    """An in-memory SQLite database beside the suite's PostgreSQL one, for what must also
    run on `make run`'s engine: the connection, with no table (the test makes those it
    needs); closed and forgotten afterwards."""
    before = connections.settings
    databases = {**before, "sqlite": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    connections.settings = connections.configure_settings(databases)
    with django_db_blocker.unblock():
        sqlite = connections["sqlite"]
        try:
            yield sqlite
        finally:
            sqlite.close()
            del connections["sqlite"]
            connections.settings = before
