"""The generated trees (the synthetic profiles and the demo bloc) hold every kind of unit:
grassroots committees and grassroots cells, cells with and without a cell committee (chi
ủy)."""

from collections import Counter

from devtools.demo.province import BLOC_CODE, seed_demo_tree
from devtools.synthetic.tree import PROFILES, iter_synthetic_units
from ktgs.models import Organization, UnitKind

L, F = Organization.Level, Organization.GrassrootsForm


def test_the_synthetic_tree_has_both_grassroots_kinds_and_cells_with_and_without_chi_uy():
    chunks = iter_synthetic_units(profile=PROFILES["post2025"], seed=7, scale=0.02)
    rows = [row for chunk in chunks for row in chunk]
    grassroots = [row for row in rows if row.level == L.GRASSROOTS]
    assert {row.grassroots_form for row in grassroots} == {F.COMMITTEE, F.CELL}
    # A grassroots committee has units below it, a grassroots cell none.
    assert all((row.numchild > 0) == (row.grassroots_form == F.COMMITTEE) for row in grassroots)
    assert all(row.grassroots_form == "" for row in rows if row.level != L.GRASSROOTS)
    cells = [row for row in rows if row.level == L.CELL or row.grassroots_form == F.CELL]
    assert {row.has_cell_committee for row in cells} == {True, False}
    assert all(row.has_cell_committee == (row.committee_member_count >= 3) for row in cells)
    assert not any(row.has_cell_committee for row in rows if row not in cells)


def test_the_demo_bloc_has_both_grassroots_kinds_under_it(db):
    seed_demo_tree()
    bloc = Organization.objects.get(code=BLOC_CODE)
    kinds = Counter(unit.unit_kind for unit in Organization.objects.filter(parent=bloc))
    assert kinds[UnitKind.GRASSROOTS_COMMITTEE] == 40
    assert kinds[UnitKind.GRASSROOTS_CELL] == 23
    with_chi_uy = Organization.objects.filter(
        path__startswith=bloc.path, level=L.GRASSROOTS, grassroots_form=F.CELL
    ).values_list("has_cell_committee", flat=True)
    assert set(with_chi_uy) == {True, False}
