"""The synthetic generator: profiles (national, 10pct, post2025), their fan-outs, and the
depth-first builder that turns a seed into rows for the bulk writer."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from devtools.synthetic.tree.names import (
    AGENCIES,
    CELL,
    COMMITTEE,
    COMPANIES,
    STREET_CELLS,
    VILLAGE_CELLS,
    L,
    committee_size,
    departments_for,
    has_cell_committee,
    place_name,
    province_name,
)
from devtools.synthetic.tree.paths import STEPLEN, next_root_path, step
from devtools.synthetic.tree.writer import Progress, UnitRow, WriteResult, write_units
from ktgs.models import Organization


@dataclass(frozen=True)
class Shape:
    """Fan-out means of one profile at scale 1 (draws are lognormal around them)."""

    provinces: int
    uppers_per_province: float  # district-era: Huyện ủy, blocs, agencies
    communes_per_province: float  # post-2025: grassroots directly under the province
    blocs_per_province: int  # post-2025: bloc committees beside the communes
    grassroots_per_upper: float
    grassroots_per_bloc: float
    cells_per_committee: float  # children of a grassroots committee (đảng bộ cơ sở)
    cells_per_commune: float
    grassroots_cell_share: float  # chi bộ cơ sở: grassroots with no units below
    partial_share: float  # committees with ≥ 8 children that also hold partial committees


DISTRICT_ERA = Shape(
    provinces=40,
    uppers_per_province=85,
    communes_per_province=0,
    blocs_per_province=0,
    grassroots_per_upper=15.3,
    grassroots_per_bloc=0,
    cells_per_committee=6.3,
    cells_per_commune=0,
    grassroots_cell_share=0.3,
    partial_share=0.35,
)
POST_2025 = Shape(
    provinces=34,
    uppers_per_province=0,
    communes_per_province=100,
    blocs_per_province=4,
    grassroots_per_upper=0,
    grassroots_per_bloc=240,
    cells_per_committee=6.2,
    cells_per_commune=30,
    grassroots_cell_share=0.3,
    partial_share=0.35,
)


@dataclass(frozen=True)
class Profile:
    name: str
    shape: Shape
    scale: float
    root_code: str  # also the prefix of every code in the tree
    help: str


PROFILES = {
    "national": Profile(
        "national", DISTRICT_ERA, 1.0, "QG", "~300,000 units, 40 provincial-level units"
    ),
    "10pct": Profile("10pct", DISTRICT_ERA, 0.1, "QG10", "a tenth of national (~30,000 units)"),
    "post2025": Profile(
        "post2025",
        POST_2025,
        1.0,
        "QG25",
        "after the 2025 reform: 34 provinces, communes directly under them (no district "
        "level), ~300,000 units",
    ),
}

CELL_MEMBERS = (math.log(20) - 0.45**2 / 2, 0.45)  # lognormal (mu, sigma): mean 20
SMALL_CELL_MEMBERS = (math.log(16) - 0.35**2 / 2, 0.35)


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class _Builder:
    """Walks the tree depth-first: ids (serials) in pre-order, rows out in post-order,
    because a unit's member count is the sum over its subtree."""

    def __init__(self, *, profile: Profile, seed: int, scale: float, base_path: str):
        self.rng = random.Random(seed)
        self.shape = profile.shape
        self.prefix = profile.root_code
        self.base_path = base_path
        self.top_depth = len(base_path) // STEPLEN
        self.next_serial = 0
        self.rows: list[UnitRow] = []
        wanted = profile.shape.provinces * profile.scale * scale
        # At small scales keep two provinces (one of them nested) and shrink fan-outs.
        self.province_count = max(2, round(wanted))
        self.factor = wanted / self.province_count

    # -- plumbing

    def take(self) -> list[UnitRow]:
        rows, self.rows = self.rows, []
        return rows

    def new_serial(self) -> int:
        serial = self.next_serial
        self.next_serial += 1
        return serial

    def count(self, mean: float, sigma: float, low: int = 1) -> int:
        mean = max(mean, low)
        return max(low, round(self.rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)))

    def row(self, serial, parent, path, numchild, name, level, members, form="") -> int:
        committee = committee_size(level, members, self.rng)
        self.rows.append(
            UnitRow(
                serial=serial,
                parent_serial=parent,
                path=path,
                depth=len(path) // STEPLEN,
                numchild=numchild,
                code=self.prefix if parent is None else f"{self.prefix}-{serial:07d}",
                name=name,
                level=level,
                member_count=members,
                committee_member_count=committee,
                grassroots_form=form,
                has_cell_committee=has_cell_committee(level, form, committee),
            )
        )
        return members

    # -- levels, bottom up

    def cell(self, parent: int, path: str, name: str) -> int:
        members = clamp(self.rng.lognormvariate(*CELL_MEMBERS), 8, 60)
        return self.row(self.new_serial(), parent, path, 0, name, L.CELL, members)

    def partial(self, parent: int, path: str, name: str) -> int:
        serial = self.new_serial()
        count = self.count(4, 0.4, low=2)
        members = sum(
            self.cell(serial, path + step(i), f"Chi bộ Tổ {i}") for i in range(1, count + 1)
        )
        return self.row(serial, parent, path, count, name, L.PARTIAL, members)

    def committee(self, parent: int, path: str, name: str, mean_children: float) -> int:
        """A grassroots committee (đảng bộ cơ sở, Đảng ủy xã…): cells, maybe partials."""
        rng = self.rng
        serial = self.new_serial()
        count = self.count(mean_children, 0.55, low=2)
        partials = 0
        if count >= 8 and rng.random() < self.shape.partial_share:
            partials = 1 + (count >= 14) + (count >= 30)
        members = 0
        for i in range(1, count + 1):
            child_path = path + step(i)
            if i <= partials:
                members += self.partial(serial, child_path, f"Đảng bộ bộ phận {i}")
            else:
                members += self.cell(serial, child_path, self.cell_name(name, i))
        return self.row(serial, parent, path, count, name, L.GRASSROOTS, members, COMMITTEE)

    def cell_name(self, committee_name: str, position: int) -> str:
        rng = self.rng
        if committee_name.startswith("Đảng ủy xã"):
            return rng.choice(VILLAGE_CELLS).format(place=place_name(rng))
        if committee_name.startswith("Đảng ủy phường"):
            return rng.choice(STREET_CELLS).format(place=place_name(rng), n=position)
        return f"Chi bộ {rng.choice(departments_for(committee_name))}"

    def grassroots(self, parent: int, path: str, *, in_bloc: bool) -> int:
        rng = self.rng
        if in_bloc:
            kind = rng.choice(AGENCIES) if rng.random() < 0.7 else rng.choice(COMPANIES)
        else:
            kind = rng.choice(("xã", "xã", "phường", "thị trấn", "company"))
            kind = rng.choice(COMPANIES) if kind == "company" else kind
        if rng.random() < self.shape.grassroots_cell_share:
            members = clamp(rng.lognormvariate(*SMALL_CELL_MEMBERS), 8, 29)
            name = f"Chi bộ {kind}" if " " in kind else f"Chi bộ Trường THCS {place_name(rng)}"
            serial = self.new_serial()
            return self.row(serial, parent, path, 0, name, L.GRASSROOTS, members, CELL)
        name = f"Đảng bộ {kind}" if " " in kind else f"Đảng ủy {kind} {place_name(rng)}"
        return self.committee(parent, path, name, self.shape.cells_per_committee)

    def upper(
        self, parent: int, path: str, name: str, mean_grassroots: float, in_bloc: bool
    ) -> int:
        serial = self.new_serial()
        count = self.count(mean_grassroots, 0.6)
        members = sum(
            self.grassroots(serial, path + step(i), in_bloc=in_bloc) for i in range(1, count + 1)
        )
        return self.row(serial, parent, path, count, name, L.UPPER_GRASSROOTS, members)

    def nested_upper(self, parent: int, path: str, name: str) -> int:
        """An upper-grassroots committee over other upper-grassroots committees (inside a
        central-direct committee): the deepest branches of the tree."""
        serial = self.new_serial()
        count = self.count(14 * self.factor, 0.4)
        members = sum(
            self.upper(
                serial,
                path + step(i),
                f"Đảng ủy Cục {place_name(self.rng)}",
                self.shape.grassroots_per_upper or self.shape.grassroots_per_bloc / 16,
                in_bloc=True,
            )
            for i in range(1, count + 1)
        )
        return self.row(serial, parent, path, count, name, L.UPPER_GRASSROOTS, members)

    def province(self, parent: int, path: str, number: int) -> int:
        rng = self.rng
        serial = self.new_serial()
        shape, factor = self.shape, self.factor
        nested = number >= self.province_count - max(1, round(self.province_count * 0.075))
        children: list[Callable[[str], int]] = []
        if nested:
            name = f"Đảng bộ Khối {place_name(rng)}"
            for _ in range(self.count(6 * factor, 0.3)):
                title = f"Đảng ủy Tổng cục {place_name(rng)}"
                children.append(partial(self.nested_upper, serial, name=title))
        elif shape.uppers_per_province:
            name = f"{rng.choice(('Tỉnh ủy', 'Tỉnh ủy', 'Thành ủy'))} {province_name(rng)}"
            titles = ["Đảng ủy Khối các cơ quan tỉnh", "Đảng ủy Khối Doanh nghiệp tỉnh"]
            titles += ["Đảng ủy Công an tỉnh", "Đảng ủy Quân sự tỉnh"]
            # Narrow spread: the province count is small, so this draw sets the total size.
            count = self.count(shape.uppers_per_province * factor, 0.15)
            while len(titles) < count:
                kind = rng.choice(("Huyện ủy", "Huyện ủy", "Huyện ủy", "Thị ủy", "Thành ủy"))
                titles.append(f"{kind} {place_name(rng)}")
            for index, title in enumerate(titles[:count]):
                mean = shape.grassroots_per_upper
                children.append(
                    partial(self.upper, serial, name=title, mean_grassroots=mean, in_bloc=index < 4)
                )
        else:
            name = f"{rng.choice(('Tỉnh ủy', 'Tỉnh ủy', 'Thành ủy'))} {province_name(rng)}"
            titles = [
                "Đảng ủy các cơ quan Đảng tỉnh",
                "Đảng ủy Ủy ban nhân dân tỉnh",
                "Đảng ủy Công an tỉnh",
                "Đảng ủy Quân sự tỉnh",
            ][: max(1, round(shape.blocs_per_province * min(1.0, factor * 4)))]
            for title in titles:
                mean = shape.grassroots_per_bloc * factor
                children.append(
                    partial(self.upper, serial, name=title, mean_grassroots=mean, in_bloc=True)
                )
            for _ in range(self.count(shape.communes_per_province * factor, 0.3)):
                title = f"Đảng ủy {rng.choice(('xã', 'xã', 'xã', 'phường'))} {place_name(rng)}"
                mean = shape.cells_per_commune
                children.append(partial(self.committee, serial, name=title, mean_children=mean))
        members = sum(make(path + step(i)) for i, make in enumerate(children, start=1))
        return self.row(serial, parent, path, len(children), name, L.PROVINCIAL, members)

    def nation(self) -> Iterator[list[UnitRow]]:
        serial = self.new_serial()
        members = 0
        for number in range(self.province_count):
            members += self.province(serial, self.base_path + step(number + 1), number)
            yield self.take()
        self.row(
            serial, None, self.base_path, self.province_count, "Ban Chấp hành Trung ương",
            L.CENTRAL, members,
        )  # fmt: skip
        yield self.take()


def iter_synthetic_units(
    *, profile: Profile, seed: int, scale: float = 1.0, base_path: str = "0001"
) -> Iterator[list[UnitRow]]:
    """The rows of a synthetic tree rooted at `base_path`, one chunk per provincial-level
    unit (then the root). Pure: the same arguments give the same rows."""
    return _Builder(profile=profile, seed=seed, scale=scale, base_path=base_path).nation()


@dataclass
class SyntheticTree:
    """What `seed_demo` hands the year's steps (devtools.demo.*.seed_demo) for a synthetic
    profile (the demo profile hands them a devtools.demo.province.DemoTree)."""

    root: Organization
    profile: Profile
    scale: float


def synthetic_root(profile: Profile) -> Organization | None:
    return Organization.objects.filter(code=profile.root_code, depth=1).first()


def seed_synthetic_tree(
    *, profile: Profile, seed: int, scale: float = 1.0, progress: Progress | None = None
) -> WriteResult:
    """Generate and insert a synthetic national tree as a new root; call inside
    `transaction.atomic()`, after checking that `synthetic_root(profile)` is None."""
    chunks = iter_synthetic_units(
        profile=profile, seed=seed, scale=scale, base_path=next_root_path()
    )
    return write_units(chunks, parent=None, progress=progress)
