"""Synthetic organisation trees for benchmarks and quick runs (DESIGN §6), and the bulk
writer they share with the demo province (devtools.demo.province).

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

One module per part: `paths` (treebeard paths), `writer` (the bulk writer and
delete_tree), `names` (level codes, names, committee sizes) and `generator` (profiles and
the builder). Callers import from this package.
"""

from devtools.synthetic.tree.generator import (
    CELL_MEMBERS,
    DISTRICT_ERA,
    POST_2025,
    PROFILES,
    SMALL_CELL_MEMBERS,
    Profile,
    Shape,
    SyntheticTree,
    clamp,
    iter_synthetic_units,
    seed_synthetic_tree,
    synthetic_root,
)
from devtools.synthetic.tree.names import (
    AGENCIES,
    COMMUNE_SERVICE_CELLS,
    COMPANIES,
    COMPANY_DEPARTMENTS,
    HOSPITAL_DEPARTMENTS,
    OFFICE_DEPARTMENTS,
    PLACE_SYLLABLES,
    REAL_PROVINCES,
    SCHOOL_DEPARTMENTS,
    STREET_CELLS,
    VILLAGE_CELLS,
    L,
    committee_size,
    departments_for,
    has_cell_committee,
    place_name,
    province_name,
)
from devtools.synthetic.tree.paths import (
    ALPHABET,
    STEPLEN,
    next_child_path,
    next_root_path,
    step,
    step_number,
)
from devtools.synthetic.tree.writer import Progress, UnitRow, WriteResult, delete_tree, write_units

__all__ = [
    "AGENCIES",
    "ALPHABET",
    "CELL_MEMBERS",
    "COMMUNE_SERVICE_CELLS",
    "COMPANIES",
    "COMPANY_DEPARTMENTS",
    "DISTRICT_ERA",
    "HOSPITAL_DEPARTMENTS",
    "OFFICE_DEPARTMENTS",
    "PLACE_SYLLABLES",
    "POST_2025",
    "PROFILES",
    "REAL_PROVINCES",
    "SCHOOL_DEPARTMENTS",
    "SMALL_CELL_MEMBERS",
    "STEPLEN",
    "STREET_CELLS",
    "VILLAGE_CELLS",
    "L",
    "Profile",
    "Progress",
    "Shape",
    "SyntheticTree",
    "UnitRow",
    "WriteResult",
    "clamp",
    "committee_size",
    "delete_tree",
    "departments_for",
    "has_cell_committee",
    "iter_synthetic_units",
    "next_child_path",
    "next_root_path",
    "place_name",
    "province_name",
    "seed_synthetic_tree",
    "step",
    "step_number",
    "synthetic_root",
    "write_units",
]
