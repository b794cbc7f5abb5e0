"""The demo province and its users: what `make run` shows a newcomer.

    Ban Chấp hành Trung ương (TW)                              admin: quantri
    └── Tỉnh ủy <synthetic name> (TDM)                          leader: lanhdao.tinh
        ├── Đảng ủy Khối các cơ quan tỉnh (TDM.KCQ)             leader: lanhdao.khoi,
        │     63 grassroots organisations (đảng bộ cơ sở and           staff: canbo.khoi
        │     chi bộ cơ sở), 219 cells and partial committees below
        │     them, 4,100 members in all
        ├── Đảng ủy Khối Doanh nghiệp tỉnh (TDM.KDN)            smaller
        └── 12 communes and wards, post-2025 style, each a grassroots committee directly
            under the province with 5–15 cells (TDM.X01…)       staff: canbo.xa on the first

Names are synthetic and drawn from `seed`; codes do not depend on it. Seeding is
idempotent: when the province (code TDM) exists nothing is rebuilt, and only missing demo
users or roles are added. Units are inserted in bulk (devtools.synthetic.tree.write_units) with
one simple_history row each, like units created through the services.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from devtools.synthetic.tree import (
    AGENCIES,
    COMMUNE_SERVICE_CELLS,
    COMPANIES,
    COMPANY_DEPARTMENTS,
    STREET_CELLS,
    VILLAGE_CELLS,
    UnitRow,
    committee_size,
    departments_for,
    has_cell_committee,
    next_child_path,
    place_name,
    province_name,
    step,
    write_units,
)
from ktgs import services
from ktgs.models import Organization, Role, User

L = Organization.Level
COMMITTEE = Organization.GrassrootsForm.COMMITTEE.value
CELL = Organization.GrassrootsForm.CELL.value

ROOT_CODE = "TW"
PROVINCE_CODE = "TDM"
BLOC_CODE = "TDM.KCQ"
ENTERPRISE_BLOC_CODE = "TDM.KDN"
FIRST_COMMUNE_CODE = "TDM.X01"

# The bloc's figures are fixed (they echo a real bloc committee's report); the rest of the
# province only needs to look plausible.
BLOC_GRASSROOTS = 63
BLOC_COMMITTEES = 40  # đảng bộ cơ sở; the other 23 grassroots units are chi bộ cơ sở
BLOC_CELLS_AND_PARTIALS = 219
BLOC_MEMBERS = 4100
COMMUNES = 12

DEMO_PASSWORD = "ktgs-demo-2026"
EMAIL_DOMAIN = "demo.ktgs.test"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit_code: str
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("quantri", "Quản Trị Viên Mẫu", Role.Kind.ADMIN, ROOT_CODE, superuser=True),
    DemoAccount("lanhdao.tinh", "Lãnh Đạo Tỉnh Mẫu", Role.Kind.LEADER, PROVINCE_CODE),
    DemoAccount("lanhdao.khoi", "Lãnh Đạo Khối Mẫu", Role.Kind.LEADER, BLOC_CODE),
    DemoAccount("canbo.khoi", "Cán Bộ Khối Mẫu", Role.Kind.STAFF, BLOC_CODE),
    DemoAccount("canbo.xa", "Cán Bộ Xã Mẫu", Role.Kind.STAFF, FIRST_COMMUNE_CODE),
)


@dataclass
class DemoTree:
    """The demo units that later seeding steps (programmes, cases) hang their data on."""

    root: Organization
    province: Organization
    bloc: Organization
    enterprise_bloc: Organization
    communes: list[Organization]
    created: bool  # False when the tree was already there


@dataclass
class _Node:
    code: str
    name: str
    level: str
    members: int = 0  # leaves: drawn; others: the sum over the subtree
    children: list[_Node] = field(default_factory=list)
    form: str = ""  # grassroots units: đảng bộ cơ sở or chi bộ cơ sở

    def total(self) -> int:
        if self.children:
            self.members = sum(child.total() for child in self.children)
        return self.members


# --- Building the tree in memory ------------------------------------------------------


def _split(total: int, parts: int, minimum: int, rng: random.Random) -> list[int]:
    """`parts` integers ≥ `minimum` summing to `total`, skewed like real unit sizes."""
    weights = [rng.lognormvariate(0, 0.6) for _ in range(parts)]
    spare = total - parts * minimum
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [minimum + int(share) for share in shares]
    # Largest remainders get the units lost to rounding down.
    order = sorted(range(parts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _fit_members(leaves: list[_Node], bounds: list[tuple[int, int]], target: int) -> None:
    """Rescale the leaves' member counts, within their bounds, to sum to `target`."""
    current = sum(leaf.members for leaf in leaves)
    for leaf, (low, high) in zip(leaves, bounds, strict=True):
        leaf.members = max(low, min(high, round(leaf.members * target / current)))
    difference = target - sum(leaf.members for leaf in leaves)
    while difference:
        moved = False
        for leaf, (low, high) in zip(leaves, bounds, strict=True):
            if difference > 0 and leaf.members < high:
                leaf.members += 1
                difference -= 1
                moved = True
            elif difference < 0 and leaf.members > low:
                leaf.members -= 1
                difference += 1
                moved = True
            if not difference:
                break
        if not moved:
            raise ValueError(f"cannot fit {target} members within the bounds")


def _unique(rng: random.Random, pool: tuple[str, ...] | list[str], count: int) -> list[str]:
    names = rng.sample(list(pool), min(count, len(pool)))
    return names + [f"{pool[i % len(pool)]} {i + 1}" for i in range(len(names), count)]


def _cell_members(rng: random.Random, mean: float = 17) -> int:
    return max(8, min(60, round(rng.lognormvariate(0, 0.45) * mean)))


def _bloc(rng: random.Random) -> _Node:
    bloc = _Node(BLOC_CODE, "Đảng ủy Khối các cơ quan tỉnh", L.UPPER_GRASSROOTS)
    agencies = _unique(rng, AGENCIES, BLOC_GRASSROOTS)
    # Big agencies (departments, hospitals, schools) hold đảng bộ cơ sở; the rest are cells.
    agencies.sort(key=lambda name: not name.startswith(("Sở", "Bệnh viện", "Trường")))
    sizes = _split(BLOC_CELLS_AND_PARTIALS, BLOC_COMMITTEES, 3, rng)
    leaves: list[_Node] = []
    bounds: list[tuple[int, int]] = []
    biggest = sorted(range(BLOC_COMMITTEES), key=lambda i: sizes[i], reverse=True)[:6]
    for number, (agency, size) in enumerate(zip(agencies, sizes, strict=False), start=1):
        code = f"{BLOC_CODE}.{number:02d}"
        committee = _Node(code, f"Đảng bộ {agency}", L.GRASSROOTS, form=COMMITTEE)
        # Partial committees (3 cells each) in the six largest, if there is room.
        partials = (1 + (size >= 12)) if number - 1 in biggest and size >= 7 else 0
        direct = size - 4 * partials
        departments = _unique(rng, departments_for(agency), direct + partials)
        for p in range(1, partials + 1):
            partial = _Node(f"{code}.B{p}", f"Đảng bộ bộ phận {departments.pop()}", L.PARTIAL)
            for c in range(1, 4):
                cell = _Node(f"{code}.B{p}.{c:02d}", f"Chi bộ Tổ {c}", L.CELL)
                cell.members = _cell_members(rng)
                partial.children.append(cell)
                leaves.append(cell)
                bounds.append((8, 60))
            committee.children.append(partial)
        for c in range(1, direct + 1):
            cell = _Node(f"{code}.{c:02d}", f"Chi bộ {departments[c - 1]}", L.CELL)
            cell.members = _cell_members(rng)
            committee.children.append(cell)
            leaves.append(cell)
            bounds.append((8, 60))
        bloc.children.append(committee)
    for number, agency in enumerate(agencies[BLOC_COMMITTEES:], start=BLOC_COMMITTEES + 1):
        cell = _Node(f"{BLOC_CODE}.{number:02d}", f"Chi bộ {agency}", L.GRASSROOTS, form=CELL)
        cell.members = _cell_members(rng, 15)
        bloc.children.append(cell)
        leaves.append(cell)
        bounds.append((8, 29))  # a chi bộ cơ sở has fewer than 30 members
    _fit_members(leaves, bounds, BLOC_MEMBERS)
    return bloc


def _enterprise_bloc(rng: random.Random) -> _Node:
    bloc = _Node(ENTERPRISE_BLOC_CODE, "Đảng ủy Khối Doanh nghiệp tỉnh", L.UPPER_GRASSROOTS)
    for number, company in enumerate(_unique(rng, COMPANIES, 10), start=1):
        code = f"{ENTERPRISE_BLOC_CODE}.{number:02d}"
        if number > 6:
            unit = _Node(code, f"Chi bộ {company}", L.GRASSROOTS, _cell_members(rng, 15), form=CELL)
        else:
            unit = _Node(code, f"Đảng bộ {company}", L.GRASSROOTS, form=COMMITTEE)
            count = rng.randint(3, 6)
            for c, department in enumerate(_unique(rng, COMPANY_DEPARTMENTS, count), start=1):
                unit.children.append(
                    _Node(f"{code}.{c:02d}", f"Chi bộ {department}", L.CELL, _cell_members(rng))
                )
        bloc.children.append(unit)
    return bloc


def _commune(rng: random.Random, number: int) -> _Node:
    ward = number > 8  # eight communes (xã), four wards (phường)
    kind = "phường" if ward else "xã"
    code = f"{PROVINCE_CODE}.X{number:02d}"
    commune = _Node(code, f"Đảng ủy {kind} {place_name(rng)}", L.GRASSROOTS, form=COMMITTEE)
    count = rng.randint(5, 15)
    services_count = min(count - 3, rng.randint(2, 4))
    names = _unique(rng, COMMUNE_SERVICE_CELLS, services_count)
    pattern = rng.choice(STREET_CELLS if ward else VILLAGE_CELLS)  # one naming per commune
    for c in range(1, count - services_count + 1):
        names.append(pattern.format(place=place_name(rng), n=c))
    for c, name in enumerate(sorted(names), start=1):
        commune.children.append(
            _Node(f"{code}.{c:02d}", name.format(place=place_name(rng)), L.CELL, _cell_members(rng))
        )
    return commune


def build_demo_province(seed: int) -> _Node:
    rng = random.Random(seed)
    province = _Node(PROVINCE_CODE, f"Tỉnh ủy {province_name(rng)}", L.PROVINCIAL)
    province.children = [_bloc(rng), _enterprise_bloc(rng)]
    province.children += [_commune(rng, number) for number in range(1, COMMUNES + 1)]
    province.total()
    return province


def _rows(top: _Node, top_path: str, rng: random.Random) -> Iterator[UnitRow]:
    """Pre-order rows with serials from 0 (see devtools.synthetic.tree.UnitRow)."""
    serial = 0

    def walk(node: _Node, path: str, parent: int | None) -> Iterator[UnitRow]:
        nonlocal serial
        own = serial
        serial += 1
        committee = committee_size(node.level, node.members, rng)
        yield UnitRow(
            serial=own,
            parent_serial=parent,
            path=path,
            depth=len(path) // Organization.steplen,
            numchild=len(node.children),
            code=node.code,
            name=node.name,
            level=str(node.level),
            member_count=node.members,
            committee_member_count=committee,
            grassroots_form=node.form,
            has_cell_committee=has_cell_committee(node.level, node.form, committee),
        )
        for position, child in enumerate(node.children, start=1):
            yield from walk(child, path + step(position), own)

    yield from walk(top, top_path, None)


# --- Writing --------------------------------------------------------------------------


@transaction.atomic
def seed_demo_tree(*, seed: int = 2026) -> DemoTree:
    """Build the demo province under the root `TW` (created if missing), unless it exists."""
    created = not Organization.objects.filter(code=PROVINCE_CODE).exists()
    if created:
        root = Organization.objects.filter(code=ROOT_CODE).first()
        if root is None:
            root = services.create_organization(
                parent=None, code=ROOT_CODE, name="Ban Chấp hành Trung ương", level=L.CENTRAL
            )
        province = build_demo_province(seed)
        rng = random.Random(seed + 1)
        root.member_count += province.members
        root.committee_member_count = committee_size(L.CENTRAL, root.member_count, rng)
        root.save(update_fields=["member_count", "committee_member_count"])
        rows = list(_rows(province, next_child_path(root), rng))
        write_units([rows], parent=root)
        written = Organization.objects.filter(path__startswith=rows[0].path)
        Organization.history.bulk_history_create(list(written))
    return load_demo_tree(created=created)


def load_demo_tree(*, created: bool = False) -> DemoTree:
    units = {
        unit.code: unit
        for unit in Organization.objects.filter(
            code__in=[ROOT_CODE, PROVINCE_CODE, BLOC_CODE, ENTERPRISE_BLOC_CODE]
        )
    }
    communes = Organization.objects.filter(
        parent=units[PROVINCE_CODE], code__startswith=f"{PROVINCE_CODE}.X"
    ).order_by("code")
    return DemoTree(
        root=units[ROOT_CODE],
        province=units[PROVINCE_CODE],
        bloc=units[BLOC_CODE],
        enterprise_bloc=units[ENTERPRISE_BLOC_CODE],
        communes=list(communes),
        created=created,
    )


@transaction.atomic
def seed_demo_users(*, tree: DemoTree) -> list[tuple[DemoAccount, Organization]]:
    """Create the demo accounts and roles that are missing; existing ones are left alone
    (a changed password stays changed). Returns every account with its unit."""
    units = {unit.code: unit for unit in (tree.root, tree.province, tree.bloc, *tree.communes)}
    existing = set(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
                   .values_list("username", flat=True))  # fmt: skip
    # One hash for all: the demo password is the same and hashing costs ~0.3 s each.
    password = make_password(DEMO_PASSWORD) if len(existing) < len(DEMO_ACCOUNTS) else ""
    accounts = []
    for account in DEMO_ACCOUNTS:
        unit = units[account.unit_code]
        if account.username in existing:
            user = User.objects.get(username=account.username)
        else:
            user = User.objects.create(
                username=account.username,
                full_name=account.full_name,
                email=f"{account.username}@{EMAIL_DOMAIN}",
                password=password,
                is_superuser=account.superuser,
                is_staff=account.superuser,
            )
        if not Role.objects.filter(user=user, organization=unit, kind=account.role).exists():
            services.grant_role(user=user, organization=unit, kind=account.role)
        accounts.append((account, unit))
    return accounts
