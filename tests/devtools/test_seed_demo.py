"""`seed_demo`: the demo province and its accounts, and the synthetic national trees."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Denunciation, DisciplineComplaint, Letter, Suspension
from devtools.demo import province as demo
from devtools.synthetic.tree import PROFILES, iter_synthetic_units, step, step_number
from ktgs import services
from ktgs.models import Organization, Role, User

L = Organization.Level


def seed(*args: str, **options) -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err, **options)
    return out.getvalue()


def assert_consistent_tree() -> None:
    """Path, depth, parent FK, numchild and member sums agree for every unit."""
    rows = list(
        Organization.objects.values_list(
            "id", "parent_id", "path", "depth", "numchild", "member_count",
            "committee_member_count",
        )
    )  # fmt: skip
    by_id = {row[0]: row for row in rows}
    children: Counter = Counter()
    member_sums: Counter = Counter()
    for _id, parent_id, path, depth, _numchild, members, committee in rows:
        assert depth == len(path) // 4 and len(path) % 4 == 0, path
        assert committee <= members, path
        if parent_id is None:
            assert depth == 1, path
        else:
            assert by_id[parent_id][2] == path[:-4], path
            children[parent_id] += 1
            member_sums[parent_id] += members
    for unit_id, _parent_id, path, _depth, numchild, members, _committee in rows:
        assert numchild == children[unit_id], path
        if numchild:
            assert members == member_sums[unit_id], path
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_step_numbers_the_children_as_treebeard_does(db):
    root = services.create_organization(
        parent=None, code="R", name="Gốc", level=L.CENTRAL, member_count=0
    )
    for number in range(1, 40):
        child = services.create_organization(
            parent=Organization.objects.get(pk=root.pk),
            code=f"C{number}",
            name=f"Con {number}",
            level=L.PROVINCIAL,
        )
        assert child.path == root.path + step(number)
        assert step_number(child.path) == number


# --- demo -----------------------------------------------------------------------------


def test_demo_bloc_has_63_grassroots_and_219_cells_and_partials(db):
    seed()
    bloc = Organization.objects.get(name="Đảng ủy Khối các cơ quan tỉnh")
    below = Counter(
        Organization.objects.filter(path__startswith=bloc.path)
        .exclude(pk=bloc.pk)
        .values_list("level", flat=True)
    )
    assert below[L.GRASSROOTS] == 63
    assert below[L.CELL] + below[L.PARTIAL] == 219
    assert below[L.PARTIAL] > 0
    assert set(below) == {L.GRASSROOTS, L.CELL, L.PARTIAL}
    assert bloc.level == L.UPPER_GRASSROOTS
    assert 4000 <= bloc.member_count <= 4200
    grassroots = Organization.objects.filter(parent=bloc)
    committees = [unit for unit in grassroots if unit.numchild]
    assert 20 <= len(committees) < 63  # both đảng bộ cơ sở and chi bộ cơ sở
    cells = Organization.objects.filter(path__startswith=bloc.path, level=L.CELL)
    assert all(8 <= cell.member_count <= 60 for cell in cells)


def test_demo_province_holds_the_blocs_and_a_dozen_communes(db):
    seed()
    root = Organization.objects.get(depth=1)
    assert (root.name, root.level) == ("Ban Chấp hành Trung ương", L.CENTRAL)
    province = Organization.objects.get(parent=root)
    assert province.level == L.PROVINCIAL and province.name.startswith("Tỉnh ủy ")
    children = list(Organization.objects.filter(parent=province))
    names = [unit.name for unit in children]
    assert "Đảng ủy Khối Doanh nghiệp tỉnh" in names
    communes = [unit for unit in children if unit.name.startswith(("Đảng ủy xã", "Đảng ủy phường"))]
    assert len(communes) == 12
    assert all(unit.level == L.GRASSROOTS and 5 <= unit.numchild <= 15 for unit in communes)
    enterprise = Organization.objects.get(parent=province, name="Đảng ủy Khối Doanh nghiệp tỉnh")
    assert Organization.objects.filter(path__startswith=enterprise.path).count() < 100
    # Every demo unit was written with its first history row, like a unit made by a service.
    assert Organization.history.filter(history_type="+").count() == Organization.objects.count()


def test_demo_tree_is_consistent(db):
    seed()
    assert_consistent_tree()


def test_demo_users_hold_one_role_each(db):
    output = seed()
    expected = {
        "quantri": (Role.Kind.ADMIN, "Ban Chấp hành Trung ương"),
        "lanhdao.tinh": (Role.Kind.LEADER, Organization.objects.get(depth=2).name),
        "lanhdao.khoi": (Role.Kind.LEADER, "Đảng ủy Khối các cơ quan tỉnh"),
        "canbo.khoi": (Role.Kind.STAFF, "Đảng ủy Khối các cơ quan tỉnh"),
        "canbo.xa": (Role.Kind.STAFF, demo.load_demo_tree().communes[0].name),
    }
    for username, (kind, unit_name) in expected.items():
        user = User.objects.get(username=username)
        assert user.email == f"{username}@demo.ktgs.test"
        assert user.check_password(demo.DEMO_PASSWORD)
        assert [(r.kind, r.organization.name) for r in user.roles.all()] == [(kind, unit_name)]
        assert username in output
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(username="quantri").exists()
    assert demo.DEMO_PASSWORD in output
    assert "/login/" in output


def test_second_run_creates_nothing_and_prints_the_accounts_again(db):
    seed()
    before = (
        Organization.objects.count(),
        Organization.history.count(),
        User.objects.count(),
        Role.objects.count(),
    )
    output = seed()
    after = (
        Organization.objects.count(),
        Organization.history.count(),
        User.objects.count(),
        Role.objects.count(),
    )
    assert after == before
    assert "already present" in output
    assert all(account.username in output for account in demo.DEMO_ACCOUNTS)


def test_demo_names_follow_the_seed_and_codes_do_not():
    first = demo.build_demo_province(1)
    again = demo.build_demo_province(1)
    other = demo.build_demo_province(2)
    assert first == again
    assert first.name != other.name
    assert [c.code for c in first.children] == [c.code for c in other.children]


def test_demo_joins_an_existing_central_root(tree):
    seed()
    province = Organization.objects.get(code=demo.PROVINCE_CODE)
    assert province.parent == tree.root and province.path[:4] == tree.root.path
    assert Organization.objects.filter(depth=1).count() == 1
    assert Organization.objects.find_problems() == ([], [], [], [], [])


# --- synthetic trees ------------------------------------------------------------------


def rows_of(profile: str, seed_value: int, scale: float) -> list:
    return [
        row
        for chunk in iter_synthetic_units(
            profile=PROFILES[profile], seed=seed_value, scale=scale, base_path="0002"
        )
        for row in chunk
    ]


def test_synthetic_generator_is_deterministic():
    first = rows_of("national", 7, 0.002)
    assert first == rows_of("national", 7, 0.002)
    assert [(r.code, r.path) for r in first] != [
        (r.code, r.path) for r in rows_of("national", 8, 0.002)
    ]


def test_synthetic_generator_reaches_depth_seven_in_the_nested_committees():
    rows = rows_of("10pct", 2026, 0.01)
    depths = Counter(row.depth for row in rows)
    assert max(depths) == 7
    assert {row.level for row in rows if row.depth == 7} <= {L.CELL, L.PARTIAL}


def test_national_profile_builds_a_consistent_tree_with_every_level(db):
    output = seed("--profile", "national", "--scale", "0.002", "--seed", "7")
    assert "national:" in output
    root = Organization.objects.get(code="QG")
    assert root.depth == 1 and root.level == L.CENTRAL
    levels = Counter(Organization.objects.values_list("level", flat=True))
    assert levels[L.CENTRAL] == 1
    assert levels[L.PROVINCIAL] == 2
    assert 0 < levels[L.UPPER_GRASSROOTS] < levels[L.GRASSROOTS] < levels[L.CELL]
    assert levels[L.PARTIAL] > 0
    assert max(Organization.objects.values_list("depth", flat=True)) <= 7
    # The cells and partial committees hang under grassroots units, never higher.
    cell_parents = Organization.objects.filter(children_set__level__in=[L.CELL, L.PARTIAL])
    assert set(cell_parents.values_list("level", flat=True)) == {L.GRASSROOTS, L.PARTIAL}
    assert_consistent_tree()
    # The id sequence was moved past the bulk ids: a unit added afterwards gets a fresh one.
    unit = services.create_organization(
        parent=root, code="QG-NEW", name="Đảng bộ mới", level=L.PROVINCIAL
    )
    assert unit.pk > max(Organization.objects.exclude(pk=unit.pk).values_list("pk", flat=True))


def test_post2025_profile_puts_communes_directly_under_provinces(db):
    seed("--profile", "post2025", "--scale", "0.002")
    provinces = Organization.objects.filter(level=L.PROVINCIAL)
    under_provinces = Counter(
        Organization.objects.filter(parent__in=provinces).values_list("level", flat=True)
    )
    assert under_provinces[L.GRASSROOTS] > under_provinces[L.UPPER_GRASSROOTS] > 0
    assert_consistent_tree()


def test_existing_synthetic_tree_is_refused_without_replace(db):
    seed("--profile", "national", "--scale", "0.002")
    count = Organization.objects.count()
    with pytest.raises(CommandError, match="--replace"):
        seed("--profile", "national", "--scale", "0.002")
    assert Organization.objects.count() == count


def test_replace_rebuilds_the_same_tree_from_the_same_seed(db):
    seed("--profile", "national", "--scale", "0.002")
    first = set(Organization.objects.values_list("code", "path", "name", "member_count"))
    seed("--profile", "national", "--scale", "0.002", "--replace")
    assert set(Organization.objects.values_list("code", "path", "name", "member_count")) == first
    assert_consistent_tree()


def test_replace_leaves_the_other_trees_alone(db):
    seed()
    demo_units = set(Organization.objects.values_list("id", "path", "numchild"))
    seed("--profile", "10pct", "--scale", "0.002")
    quantri = User.objects.get(username="quantri")
    services.grant_role(
        user=quantri, organization=Organization.objects.get(code="QG10"), kind=Role.Kind.LEADER
    )
    seed("--profile", "10pct", "--scale", "0.002", "--seed", "9", "--replace")
    assert demo_units <= set(Organization.objects.values_list("id", "path", "numchild"))
    assert quantri.roles.count() == 1  # the role on the deleted tree went with it
    assert Organization.objects.filter(code="QG10").count() == 1
    assert_consistent_tree()


def test_demo_options_do_not_take_synthetic_flags(db):
    with pytest.raises(CommandError):
        seed("--replace")


def test_if_missing_writes_again_a_profile_seeded_without_the_records(db):
    """A benchmark database seeded before the synthetic year had the commission's records
    is written again by `--if-missing` (make bench, make loadtest), not measured as is;
    one that has them is kept."""
    seed("--profile", "10pct", "--scale", "0.002", "--seed", "9")
    assert Letter.objects.exists()
    assert "already there: kept" in seed("--profile", "10pct", "--scale", "0.002", "--if-missing")
    # The data as an older generator left it: no records.
    with connection.cursor() as cursor:
        for model in (DisciplineComplaint, Denunciation, Letter, Suspension):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    units = Organization.objects.count()
    output = seed("--profile", "10pct", "--scale", "0.002", "--seed", "9", "--if-missing")
    assert "none of the commission's records" in output and "written again" in output
    assert Letter.objects.exists() and Suspension.objects.exists()
    assert Organization.objects.count() == units
    assert_consistent_tree()
