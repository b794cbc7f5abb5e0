"""Synthetic organisation trees for benchmarks and quick runs (DESIGN §6), and the bulk
writer they share with the demo province (ktgs.demo).

Profiles, at `scale` 1:

- `national`: about 300,000 units under one central root — 40 provincial-level units,
  ~3,400 upper-grassroots, ~52,000 grassroots, ~250,000 cells and partial committees.
  A few provincial-level units are central-direct committees with two upper-grassroots
  layers, so the tree is 7 levels deep there (6 under the root) and 6 elsewhere.
- `10pct`: the same shape at a tenth of the size.
- `post2025`: the shape after the 2025 reform — 34 provinces, communes (grassroots)
  directly under the province with no district level, a few bloc committees beside them.
  It exists to prove that nothing assumes a fixed depth.

Fan-outs are lognormal (`random.lognormvariate`, no numpy) and every draw comes from one
`random.Random(seed)`, so the same seed gives the same units, names, codes and paths.

Units are written without going through treebeard: paths (steplen 4, alphabet 0-9A-Z, the
n-th child gets step n as treebeard's `MP_Node._get_path` does), depth, numchild and the
parent FK are computed here and inserted in bulk — COPY on PostgreSQL, `bulk_create` on
SQLite. Ids are assigned up front so a child can name its parent before the parent row is
written (Django creates foreign keys DEFERRABLE INITIALLY DEFERRED on both engines, so they
are checked at commit). No simple_history rows are written for synthetic units.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from django.db import connection

from ktgs.models import Organization


class L:
    """Level codes as plain str: COPY hands them to psycopg, which wants str, not the enum."""

    CENTRAL = Organization.Level.CENTRAL.value
    PROVINCIAL = Organization.Level.PROVINCIAL.value
    UPPER_GRASSROOTS = Organization.Level.UPPER_GRASSROOTS.value
    GRASSROOTS = Organization.Level.GRASSROOTS.value
    PARTIAL = Organization.Level.PARTIAL.value
    CELL = Organization.Level.CELL.value


STEPLEN = Organization.steplen
ALPHABET = Organization.alphabet


# --- Paths ----------------------------------------------------------------------------

_STEP_CACHE: dict[int, str] = {}


def step(position: int) -> str:
    """The path step of the `position`-th child (1-based), as treebeard writes it."""
    cached = _STEP_CACHE.get(position)
    if cached is not None:
        return cached
    if not 0 < position < len(ALPHABET) ** STEPLEN:
        raise ValueError(f"no path step for child number {position}")
    digits = []
    number = position
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    text = "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])
    _STEP_CACHE[position] = text
    return text


def step_number(text: str) -> int:
    """Inverse of `step` for the last step of a path."""
    number = 0
    for char in text[-STEPLEN:]:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    return number


def next_root_path() -> str:
    last = (
        Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
    ).first()
    return step(step_number(last) + 1 if last else 1)


def next_child_path(parent: Organization) -> str:
    last = (
        Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return parent.path + step(step_number(last) + 1 if last else 1)


# --- Rows and the bulk writer ---------------------------------------------------------


class UnitRow(NamedTuple):
    """One unit to insert. `serial` numbers units of one tree from 0 in pre-order; the
    database id is a base reserved at write time plus the serial."""

    serial: int
    parent_serial: int | None  # None: the top unit (its parent is the writer's `parent`)
    path: str
    depth: int
    numchild: int
    code: str
    name: str
    level: str
    member_count: int
    committee_member_count: int


@dataclass
class WriteResult:
    count: int = 0
    by_level: Counter = field(default_factory=Counter)
    max_depth: int = 0
    seconds: float = 0.0


Progress = Callable[[str], None]


def write_units(
    chunks: Iterable[Sequence[UnitRow]],
    *,
    parent: Organization | None,
    progress: Progress | None = None,
) -> WriteResult:
    """Insert a tree given as chunks of rows; call inside `transaction.atomic()`.

    The top row's path must already fit under `parent` (see `next_child_path`) or be a new
    root path (`next_root_path`). The parent's numchild is bumped here.
    """
    started = time.monotonic()
    result = WriteResult()
    base = _reserve_ids()

    def counted(rows: Sequence[UnitRow]) -> Sequence[UnitRow]:
        result.count += len(rows)
        result.by_level.update(row.level for row in rows)
        result.max_depth = max([result.max_depth, *(row.depth for row in rows)])
        if progress:
            progress(f"{result.count:>9,} units written  {time.monotonic() - started:7.1f} s")
        return rows

    top_parent_id = parent.pk if parent else None
    if connection.vendor == "postgresql":
        _copy_rows((counted(rows) for rows in chunks), base, top_parent_id)
    else:
        _bulk_create_rows((counted(rows) for rows in chunks), base, top_parent_id)
    if parent is not None:
        Organization.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
        parent.numchild += 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The ids were taken without the sequence; move it past them. Then give the
            # planner real statistics for the tables it has never seen this big.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "(SELECT MAX(id) FROM ktgs_organization))",
                [Organization._meta.db_table],
            )
            cursor.execute(f"ANALYZE {Organization._meta.db_table}")
    result.seconds = time.monotonic() - started
    return result


def _reserve_ids() -> int:
    """The first id of a free range above every id in use or handed out by the sequence."""
    table = Organization._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Block other writers (not readers) until commit so nobody takes ids in our range.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(
                f"SELECT GREATEST(nextval(pg_get_serial_sequence(%s, 'id')), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1)",
                [table],
            )
        else:
            # SQLite's AUTOINCREMENT moves its counter past explicit ids by itself.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


def _row_fields() -> tuple[list[str], list]:
    """Every concrete column of the table, with the default of those a UnitRow does not set
    (so a field added to Organization later does not break the COPY)."""
    columns, defaults = [], []
    for model_field in Organization._meta.concrete_fields:
        columns.append(model_field.column)
        defaults.append(
            model_field.get_db_prep_save(model_field.get_default(), connection)
            if model_field.has_default() or model_field.null
            else ""
        )
    return columns, defaults


_ROW_ATTRS = {
    "path": "path",
    "depth": "depth",
    "numchild": "numchild",
    "code": "code",
    "name": "name",
    "level": "level",
    "member_count": "member_count",
    "committee_member_count": "committee_member_count",
}


def _copy_rows(chunks: Iterable[Sequence[UnitRow]], base: int, top_parent_id: int | None) -> None:
    columns, defaults = _row_fields()
    attnames = [f.attname for f in Organization._meta.concrete_fields]
    slots = {name: index for index, name in enumerate(attnames)}
    id_slot, parent_slot = slots["id"], slots["parent_id"]
    own = [(slots[attname], UnitRow._fields.index(attr)) for attname, attr in _ROW_ATTRS.items()]
    table = Organization._meta.db_table
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = connection.connection  # psycopg 3 connection, same transaction as Django's
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for rows in chunks:
            for row in rows:
                values = list(defaults)
                values[id_slot] = base + row.serial
                values[parent_slot] = (
                    top_parent_id if row.parent_serial is None else base + row.parent_serial
                )
                for slot, position in own:
                    values[slot] = row[position]
                copy.write_row(values)


def _bulk_create_rows(
    chunks: Iterable[Sequence[UnitRow]], base: int, top_parent_id: int | None
) -> None:
    for rows in chunks:
        Organization.objects.bulk_create(
            [
                Organization(
                    id=base + row.serial,
                    parent_id=(
                        top_parent_id if row.parent_serial is None else base + row.parent_serial
                    ),
                    path=row.path,
                    depth=row.depth,
                    numchild=row.numchild,
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    member_count=row.member_count,
                    committee_member_count=row.committee_member_count,
                )
                for row in rows
            ],
            batch_size=2000,
        )


def delete_tree(root: Organization) -> int:
    """Delete `root` and its whole subtree, with the rows of other tables that point to it.

    On PostgreSQL, when `root` is the only root (the database holds nothing but this
    synthetic tree), this is `TRUNCATE ktgs_organization RESTART IDENTITY CASCADE`: it
    empties every table with a foreign key to the organisation table (roles, programmes,
    cases, progress rows…) in well under a second. Otherwise the subtree is deleted with
    one DELETE on the path prefix after deleting what references it through the ORM.
    Returns the number of units that were in the subtree.
    """
    table = Organization._meta.db_table
    units = Organization.objects.filter(path__startswith=root.path)
    count = units.count()
    only_root = not Organization.objects.filter(depth=1).exclude(pk=root.pk).exists()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and only_root:
            # TRUNCATE refuses while deferred foreign-key checks of this transaction are
            # pending: run them now, then defer again (Django's default) for the inserts.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return count
        outside = Organization.objects.exclude(path__startswith=root.path)
        outside.filter(successor__path__startswith=root.path).update(successor=None)
        for relation in Organization._meta.related_objects:
            if relation.related_model is Organization:
                continue
            lookup = f"{relation.field.name}__path__startswith"
            relation.related_model._base_manager.filter(**{lookup: root.path}).delete()
        # Paths use only 0-9A-Z, so the prefix needs no LIKE escaping.
        cursor.execute(f"DELETE FROM {table} WHERE path LIKE %s", [root.path + "%"])
    return count


# --- Names ----------------------------------------------------------------------------

# Syllables for synthetic place names; pairs of them look Vietnamese without being an
# actual province (the real province names are excluded below).
PLACE_SYLLABLES = (
    "An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Long",
    "Mỹ", "Phước", "Thuận", "Vĩnh", "Xuân", "Yên", "Hải", "Sơn", "Lâm", "Hà", "Trung",
    "Quang", "Minh", "Thịnh", "Lộc", "Phong", "Thái", "Cẩm", "Kim", "Ngọc", "Đức", "Hồng",
    "Lạc", "Thanh", "Hiệp", "Gia", "Tiên", "Đại", "Hiếu", "Nghĩa", "Tường", "Khánh",
)  # fmt: skip

REAL_PROVINCES = frozenset(
    (
        "An Giang", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
        "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng",
        "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
        "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình",
        "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai",
        "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
        "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng",
        "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Tiền Giang", "Trà Vinh",
        "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Huế", "Hồ Chí Minh",
    )
)  # fmt: skip


def place_name(rng: random.Random) -> str:
    while True:
        first, second = rng.sample(PLACE_SYLLABLES, 2)
        name = f"{first} {second}"
        if name not in REAL_PROVINCES:
            return name


def province_name(rng: random.Random) -> str:
    return place_name(rng)


AGENCIES = (
    "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nội vụ",
    "Sở Tư pháp", "Sở Công Thương", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
    "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo",
    "Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường", "Sở Lao động - Thương binh và Xã hội",
    "Sở Thông tin và Truyền thông", "Sở Ngoại vụ", "Thanh tra tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng Tỉnh ủy", "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    "Ban Tổ chức Tỉnh ủy", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ban Nội chính Tỉnh ủy",
    "Cơ quan Ủy ban Kiểm tra Tỉnh ủy", "Báo tỉnh", "Đài Phát thanh và Truyền hình tỉnh",
    "Bệnh viện Đa khoa tỉnh", "Bệnh viện Y học cổ truyền tỉnh", "Bệnh viện Sản - Nhi tỉnh",
    "Bệnh viện Phục hồi chức năng tỉnh", "Trung tâm Kiểm soát bệnh tật tỉnh",
    "Trường Chính trị tỉnh", "Trường Cao đẳng Sư phạm", "Trường Cao đẳng Y tế",
    "Trường Cao đẳng Kỹ thuật Công nghiệp", "Thuế tỉnh", "Kho bạc Nhà nước khu vực",
    "Thống kê tỉnh", "Bảo hiểm xã hội tỉnh", "Ngân hàng Nhà nước chi nhánh tỉnh",
    "Hải quan tỉnh", "Liên đoàn Lao động tỉnh", "Hội Nông dân tỉnh",
    "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh đoàn", "Cơ quan Ủy ban MTTQ Việt Nam tỉnh",
    "Hội Cựu chiến binh tỉnh", "Liên minh Hợp tác xã tỉnh", "Ban Quản lý các khu công nghiệp",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh", "Quỹ Đầu tư phát triển tỉnh",
    "Trung tâm Xúc tiến đầu tư tỉnh", "Thư viện tỉnh", "Bảo tàng tỉnh",
    "Hội Chữ thập đỏ tỉnh", "Hội Văn học Nghệ thuật tỉnh",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh", "Hội Luật gia tỉnh",
    "Trung tâm Lưu trữ lịch sử tỉnh", "Viện Kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh",
    "Thi hành án dân sự tỉnh", "Trường THPT Chuyên tỉnh", "Trung tâm Công nghệ thông tin tỉnh",
    "Vườn Quốc gia Mẫu Sơn Lâm", "Trung tâm Phục vụ hành chính công tỉnh",
)  # fmt: skip

OFFICE_DEPARTMENTS = (
    "Văn phòng", "Phòng Kế hoạch - Tài chính", "Phòng Tổ chức - Cán bộ", "Thanh tra",
    "Phòng Pháp chế", "Phòng Tổng hợp", "Phòng Nghiệp vụ", "Phòng Chính sách",
    "Phòng Kiểm tra", "Trung tâm Thông tin", "Phòng Quản lý chất lượng", "Phòng Kỹ thuật",
    "Phòng Hành chính - Quản trị", "Phòng Đầu tư", "Phòng Quản lý ngân sách",
    "Trung tâm Dịch vụ công", "Phòng Hợp tác quốc tế", "Phòng Thống kê",
)  # fmt: skip
HOSPITAL_DEPARTMENTS = (
    "Khoa Nội", "Khoa Ngoại", "Khoa Khám bệnh", "Khoa Dược", "Khoa Hồi sức cấp cứu",
    "Khoa Nhi", "Khoa Sản", "Khoa Xét nghiệm", "Khoa Chẩn đoán hình ảnh",
    "Phòng Kế hoạch tổng hợp", "Phòng Điều dưỡng", "Phòng Tổ chức - Hành chính",
    "Khoa Truyền nhiễm", "Khoa Y học dự phòng",
)  # fmt: skip
SCHOOL_DEPARTMENTS = (
    "Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", "Tổ Khoa học tự nhiên",
    "Tổ Khoa học xã hội", "Khoa Lý luận cơ sở", "Phòng Đào tạo", "Khoa Cơ bản",
    "Phòng Công tác học sinh - sinh viên", "Khoa Kỹ thuật", "Phòng Hành chính - Tổng hợp",
    "Khoa Ngoại ngữ",
)  # fmt: skip
COMPANY_DEPARTMENTS = (
    "Phòng Kinh doanh", "Phòng Thị trường", "Phòng Kỹ thuật", "Phòng Kế toán",
    "Phân xưởng số 1", "Phân xưởng số 2", "Phân xưởng số 3", "Đội Sản xuất số 1",
    "Đội Sản xuất số 2", "Văn phòng Công ty", "Phòng Vật tư", "Xí nghiệp số 1",
)  # fmt: skip


def departments_for(unit_name: str) -> tuple[str, ...]:
    """Plausible sub-units (for cell names) of an agency, hospital, school or company."""
    if "Bệnh viện" in unit_name or "bệnh tật" in unit_name:
        return HOSPITAL_DEPARTMENTS
    if "Trường" in unit_name:
        return SCHOOL_DEPARTMENTS
    if any(word in unit_name for word in ("Công ty", "Ngân hàng", "Viễn thông", "Bưu điện")):
        return COMPANY_DEPARTMENTS
    return OFFICE_DEPARTMENTS


COMPANIES = (
    "Công ty Cổ phần Cấp nước", "Công ty Cổ phần Môi trường đô thị", "Công ty Điện lực tỉnh",
    "Công ty TNHH MTV Xổ số kiến thiết", "Công ty Cổ phần Xây dựng", "Công ty Cổ phần Dược",
    "Công ty TNHH MTV Lâm nghiệp", "Công ty Cổ phần Vận tải", "Công ty Cổ phần Khoáng sản",
    "Ngân hàng Nông nghiệp chi nhánh tỉnh", "Ngân hàng Công thương chi nhánh tỉnh",
    "Viễn thông tỉnh",
    "Bưu điện tỉnh", "Công ty Cổ phần Thủy lợi", "Công ty Cổ phần Cao su", "Công ty Cổ phần Chè",
)  # fmt: skip

VILLAGE_CELLS = ("Chi bộ thôn {place}", "Chi bộ bản {place}", "Chi bộ xóm {place}")
STREET_CELLS = ("Chi bộ tổ dân phố số {n}", "Chi bộ khu phố {n}", "Chi bộ khu dân cư {place}")
COMMUNE_SERVICE_CELLS = (
    "Chi bộ Trường Tiểu học {place}", "Chi bộ Trường THCS {place}", "Chi bộ Trường Mầm non {place}",
    "Chi bộ Trạm Y tế", "Chi bộ Quân sự", "Chi bộ Công an", "Chi bộ Cơ quan",
)  # fmt: skip


def committee_size(level: str, members: int, rng: random.Random) -> int:
    """A plausible committee-member count for a unit of `members` members (never more)."""
    if level in (L.CELL, L.GRASSROOTS) and members < 30:
        wanted = 1 if members < 9 else 3  # a secretary alone below 9 members, else a chi ủy
    elif level == L.CELL:
        wanted = 5
    elif level == L.PARTIAL:
        wanted = rng.randint(5, 7)
    elif level == L.GRASSROOTS:
        wanted = rng.randint(7, 9) if members < 100 else rng.randint(9, 15)
    elif level == L.UPPER_GRASSROOTS:
        wanted = rng.randint(15, 33)
    elif level == L.PROVINCIAL:
        wanted = rng.randint(45, 61)
    else:
        wanted = 180
    return min(wanted, members)


# --- The synthetic generator ----------------------------------------------------------


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

    def row(self, serial, parent, path, numchild, name, level, members) -> int:
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
                committee_member_count=committee_size(level, members, self.rng),
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
        return self.row(serial, parent, path, count, name, L.GRASSROOTS, members)

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
            return self.row(serial, parent, path, 0, name, L.GRASSROOTS, members)
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
    """What `seed_demo` hands the apps' `seed_demo(tree=...)` hooks for a synthetic
    profile (the demo profile hands them a ktgs.demo.DemoTree)."""

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
