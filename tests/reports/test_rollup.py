"""The roll-up table: the full rebuild's figures, and the incremental refresh agreeing
with it after every kind of write (DESIGN §6 F4 in miniature)."""

import random
from datetime import date

import pytest

from cases.models import Case, CaseSubject
from cases.services.subjects import subject_counts
from ktgs import services as ktgs_services
from plans.documents import parse_document_number
from plans.models import Amendment, Programme, Target
from reports import engine
from reports.engine.table import row_values
from reports.models import ALL_BODIES, ALL_KINDS, ProgressRow

# Every test here runs on both roll-up engines (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("rollup_engine")

TODAY = date(2026, 7, 2)  # day 182 of 2026: half of a year-long target is expected
KINDS = ["inspection_compliance", "supervision_thematic", "inspection_finance"]
_serials = iter(range(1, 10**6))


def programme(unit, *, status=Programme.Status.ISSUED, year=2026, body="standing_committee"):
    number = parse_document_number(f"{next(_serials)}-CTr/TU")
    return Programme.objects.create(
        organization=unit,
        body=body,
        year=year,
        end_year=year,
        title="Chương trình kiểm tra, giám sát",
        doc_number=number.text,
        doc_serial=number.serial,
        doc_type=number.type,
        doc_issuer=number.issuer,
        doc_year=year - 1,
        issued_on=date(year - 1, 12, 20),
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        status=status,
    )


def target(prog, unit, kind="inspection_compliance", quantity=2, counts="cases", **extra):
    return Target.objects.create(
        programme=prog,
        organization=unit,
        kind=kind,
        quantity=quantity,
        counts=counts,
        due_on=extra.pop("due_on", date(2026, 12, 31)),
        **extra,
    )


def case(
    unit,
    *,
    kind="inspection_compliance",
    target=None,
    concluded=True,
    concluded_on=date(2026, 5, 1),
    subjects=(),
    body="inspection_commission",
):
    made = Case.objects.create(
        organization=unit,
        body=body,
        kind=kind,
        year=2026,
        target=target,
        title="Kiểm tra thử",
        status=Case.Status.CONCLUDED if concluded else Case.Status.DECIDED,
        concluded_on=concluded_on if concluded else None,
        decided_on=date(2026, 3, 1),
        # The counts the subjects' services keep on a case (Case.SUBJECT_COUNTS).
        **subject_counts((kind_, committee) for kind_, _org, committee in subjects),
    )
    for kind_, org, committee in subjects:
        CaseSubject.objects.create(
            case=made,
            kind=kind_,
            organization=org,
            member_name="" if org else "Đảng viên thử",
            is_committee_member=committee,
        )
    return made


def row(unit, kind=ALL_KINDS, year=2026, body=ALL_BODIES):
    return ProgressRow.objects.get(organization=unit, year=year, kind=kind, body=body)


def table() -> dict:
    return {
        (r.organization_id, r.year, r.kind, r.body): row_values(r)
        for r in ProgressRow.objects.all()
    }


def assert_incremental_equals_rebuild(today=TODAY):
    wanted = engine.compute_table(today)
    have = table()
    differ = {k for k in set(wanted) | set(have) if wanted.get(k) != have.get(k)}
    assert differ == set(), [(k, have.get(k), wanted.get(k)) for k in sorted(differ)[:5]]


@pytest.fixture
def year_2026(tree):
    prog = programme(tree.province)
    targets = {
        "a1": target(prog, tree.a1, quantity=3),
        "a1a": target(prog, tree.a1a, kind="supervision_thematic", quantity=2),
        "a2": target(prog, tree.a2, quantity=2),
        "b1": target(prog, tree.b1, quantity=1),
    }
    return prog, targets


def test_rebuild_rolls_up_a_ratio_of_sums_and_caps_surplus(tree, year_2026):
    _, t = year_2026
    for _ in range(4):  # a2 over-achieves: 4 of 2
        case(tree.a2, target=t["a2"])
    case(tree.a1, target=t["a1"])  # a1: 1 of 3
    case(tree.a1, kind="inspection_violation")  # arising
    case(tree.a1, target=t["a1"], concluded=False)  # not concluded: does not count

    result = engine.rebuild(TODAY)

    assert result.inserted == result.rows > 0
    a = row(tree.a)
    # a's subtree: a1 (1/3), a1a (0/2), a2 (4/2 → capped 2): 3 of 7, 5 done uncapped.
    assert (a.sub_quantity, a.sub_capped_done, a.sub_done) == (7, 3, 5)
    assert a.sub_arising == 1
    assert (a.sub_units_with_targets, a.sub_units_completed) == (3, 1)
    # Half the year has passed. a1: 1.5 expected, 1 done; a1a: 1 expected, 0 done. Neither
    # is more than the tolerance (1 case) behind.
    assert a.sub_units_lagging == 0
    province = row(tree.province)
    assert (province.sub_quantity, province.sub_capped_done) == (8, 3)
    assert province.own_quantity == 0
    kind_row = row(tree.a, kind="supervision_thematic")
    assert (kind_row.sub_quantity, kind_row.sub_capped_done) == (2, 0)


def test_drafts_and_targets_removed_by_an_amendment_do_not_count(tree, year_2026):
    prog, t = year_2026
    draft = programme(tree.b, status=Programme.Status.DRAFT)
    target(draft, tree.b1, quantity=5)
    number = parse_document_number("7-KH/TU")
    amendment = Amendment.objects.create(
        programme=prog,
        doc_number=number.text,
        doc_serial=number.serial,
        doc_type=number.type,
        doc_issuer=number.issuer,
        doc_year=2026,
        issued_on=date(2026, 6, 1),
        effective_on=date(2026, 6, 1),
    )
    t["b1"].removed_by = amendment
    t["b1"].save()
    target(prog, tree.b1, quantity=4, added_by=amendment, replaces=t["b1"])

    engine.rebuild(TODAY)
    assert row(tree.b).sub_quantity == 4
    engine.rebuild(date(2026, 5, 31))  # before the amendment took effect
    assert row(tree.b).sub_quantity == 1


def test_subject_counting_targets_count_subjects_of_their_kind(tree):
    prog = programme(tree.a)
    orgs = target(prog, tree.a1, quantity=3, counts="organizations")
    committee = target(prog, tree.a2, quantity=2, counts="committee_members")
    case(tree.a1, target=orgs, subjects=[("organization", tree.a1a, False)] * 2)
    case(tree.a2, target=committee, subjects=[("member", None, True), ("member", None, False)])
    engine.rebuild(TODAY)
    assert row(tree.a1).own_done == 2
    assert row(tree.a2).own_done == 1


def test_a_lagging_unit_is_counted_up_the_tree(tree):
    prog = programme(tree.province)
    target(prog, tree.b1, quantity=10)  # 5 expected by July, none done
    engine.rebuild(TODAY)
    assert row(tree.b1).own_units_lagging == 1
    assert row(tree.province).sub_units_lagging == 1
    assert row(tree.root).sub_units_lagging == 1


def test_incremental_refresh_matches_rebuild_after_each_write(tree, year_2026):
    _, t = year_2026
    engine.rebuild(TODAY)
    made = case(tree.a1, target=t["a1"])
    engine.refresh_units([tree.a1.pk], TODAY)
    assert_incremental_equals_rebuild()
    assert row(tree.a).sub_capped_done == 1

    made.status = Case.Status.CANCELLED
    made.concluded_on = None
    made.save()
    engine.refresh_units([tree.a1.pk], TODAY)
    assert_incremental_equals_rebuild()
    assert row(tree.a).sub_capped_done == 0

    case(tree.b1, kind="denunciation")  # arising in a kind nobody had a target for
    engine.refresh_units([tree.b1.pk], TODAY)
    assert_incremental_equals_rebuild()
    assert row(tree.root, kind="denunciation").sub_arising == 1


def test_random_writes_leave_no_row_different_from_a_rebuild(tree, year_2026):
    prog, t = year_2026
    rng = random.Random(20261121)
    units = [tree.a1, tree.a1a, tree.a2, tree.b, tree.b1]
    targets = list(t.values())
    cases = []
    engine.rebuild(TODAY)
    for _ in range(60):
        action = rng.choice(["add", "add", "conclude", "cancel", "delete", "target", "retarget"])
        touched: set[int] = set()
        if action == "add":
            tgt = rng.choice([*targets, None])
            unit = tgt.organization if tgt else rng.choice(units)
            made = case(
                unit,
                kind=tgt.kind if tgt else rng.choice(KINDS),
                target=tgt,
                concluded=rng.random() < 0.7,
            )
            cases.append(made)
            touched.add(unit.pk)
        elif action in ("conclude", "cancel", "delete") and cases:
            made = rng.choice(cases)
            if action == "delete":
                cases.remove(made)
                made.delete()
            else:
                made.status = (
                    Case.Status.CONCLUDED if action == "conclude" else Case.Status.CANCELLED
                )
                made.concluded_on = date(2026, 6, 1) if action == "conclude" else None
                made.save()
            touched.add(made.organization_id)
        elif action == "target":
            unit = rng.choice(units)
            targets.append(target(prog, unit, kind=rng.choice(KINDS), quantity=rng.randint(1, 4)))
            touched.add(unit.pk)
        elif action == "retarget" and cases:
            made = rng.choice(cases)
            old = made.target
            made.target = (
                None
                if old
                else rng.choice(
                    [x for x in targets if x.organization_id == made.organization_id] or [None]
                )
            )
            made.save()
            touched.add(made.organization_id)
        engine.refresh_units(touched, TODAY)
    assert_incremental_equals_rebuild()
    assert engine.rebuild(TODAY, check=True).changed == 0


def test_moving_a_unit_moves_its_figures(tree, year_2026):
    _, t = year_2026
    case(tree.a1, target=t["a1"])
    engine.rebuild(TODAY)
    old_ancestors = [tree.a.pk, tree.province.pk, tree.root.pk]
    ktgs_services.move_organization(organization=tree.a1, new_parent=tree.b)
    engine.move_subtree_totals(unit_id=tree.a1.pk, old_ancestor_ids=old_ancestors, today=TODAY)
    assert_incremental_equals_rebuild()
    assert row(tree.b).sub_quantity == 1 + 3 + 2  # b1, a1, a1a
    assert row(tree.a).sub_quantity == 2


def test_rebuild_writes_only_rows_that_changed(tree, year_2026):
    engine.rebuild(TODAY)
    again = engine.rebuild(TODAY)
    assert again.changed == 0
    assert again.rows == ProgressRow.objects.count()


def test_nightly_check_finds_nothing_after_incremental_maintenance(tree, year_2026, caplog):
    _, t = year_2026
    yesterday = date(2026, 7, 1)
    engine.rebuild(yesterday)
    case(tree.a2, target=t["a2"])
    engine.refresh_units([tree.a2.pk], yesterday)
    checked, rebuilt = engine.nightly(TODAY)
    assert checked.changed == 0
    assert "differs" not in caplog.text
    assert rebuilt.changed > 0  # the expected figures moved with the date


def test_a_checking_rebuild_logs_and_repairs_a_row_that_differs(tree, year_2026, caplog):
    engine.rebuild(TODAY)
    ProgressRow.objects.filter(organization=tree.a, kind=ALL_KINDS, body="").update(sub_quantity=99)
    ProgressRow.objects.filter(organization=tree.b1, kind=ALL_KINDS, body="").delete()

    result = engine.rebuild(TODAY, check=True)

    assert (result.updated, result.inserted, result.deleted) == (1, 1, 0)
    assert "differs from the rebuild" in caplog.text
    assert str(tree.a.pk) in caplog.text and "99" in caplog.text
    assert row(tree.a).sub_quantity == 7
    assert engine.rebuild(TODAY, check=True).changed == 0
