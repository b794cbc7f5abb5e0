"""A property of the roll-up through a real year (issue 12): whatever sequence of
amendments (raise, lower, replace, move to another unit, remove, add) and case moves
(new cases, re-linking a case to another target or to none, status changes) happens,
every unit's figures — the incremental table the services' refreshes maintain, and the
rebuild — equal a from-scratch computation written here, independently of the engines,
from the targets in force and the cases; and no concluded case is lost or counted twice.

The from-scratch rule (DESIGN §2–3, issue 12): a concluded case linked to a target counts
for the target in force on the day among those joined to it by `replaces` with the same
unit and kind; when none is in force it is arising for its unit, year and kind, like a
case linked to no target."""

import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case
from plans import services
from plans.models import ActivityKind, Programme, ProgrammeRequirement, Target
from reports import engine
from reports.models import ALL_BODIES, ALL_KINDS, ProgressRow
from tests.plans.factories import add_grid, make_programme
from tests.reports.test_rollup import assert_incremental_equals_rebuild

TODAY = date(2026, 9, 1)
START = date(2026, 1, 15)
INSPECT = ActivityKind.INSPECTION_COMPLIANCE
SUPERVISE = ActivityKind.SUPERVISION_THEMATIC
FIELDS = ("quantity", "capped_done", "done", "arising", "units_with_targets", "units_completed")

AMENDMENTS = ("raise", "lower", "replace", "move", "remove", "add")
CASE_MOVES = ("case", "case", "relink", "status")
operation = st.tuples(
    st.sampled_from(AMENDMENTS + CASE_MOVES),
    st.integers(0, 40),  # which target or case
    st.integers(0, 40),  # which other target, unit or status
    st.integers(0, 300),  # a day after START (concluded, effective); TODAY is day 229
)


# Numbered apart from the factories' shared counter, so that the numbers other tests draw
# from it (and the ones they type) stay put.
_own_numbers = itertools.count(9000)


def own_number() -> str:
    return f"{next(_own_numbers)}-KH/ĐUK"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_figures_equal_a_computation_from_scratch_after_any_year(tree, rollup_engine, operations):
    with transaction.atomic():
        # About targets and cases: the units-without-programme figure (which the plans
        # migration's rules would add, unless a transactional test flushed them) is
        # tested in test_units_without_programme.
        ProgrammeRequirement.objects.update(is_active=False)
        play(tree, operations)
        assert_incremental_equals_rebuild(TODAY)
        check_against_scratch(tree)
        transaction.set_rollback(True)


# --- the year -----------------------------------------------------------------------------


def play(tree, operations) -> None:
    owners = {}
    for owner, cells in [
        (tree.a, {(tree.a1, INSPECT): 2, (tree.a1, SUPERVISE): 1, (tree.a2, INSPECT): 2}),
        (tree.b, {(tree.b, INSPECT): 1, (tree.b1, INSPECT): 2}),
    ]:
        programme = make_programme(
            owner, year=2026, issued_on=date(2026, 1, 10), doc_number=own_number()
        )
        add_grid(programme, cells)
        services.issue_programme(programme=programme)
        owners[programme.pk] = owner
    units = [tree.a1, tree.a1a, tree.a2, tree.b, tree.b1]
    engine.rebuild(TODAY)
    cases: list[Case] = []
    for name, i, j, day in operations:
        on = START + timedelta(days=day)
        touched: set[int] = set()
        if name in AMENDMENTS:
            in_force = list(Target.objects.filter(removed_by__isnull=True).order_by("pk"))
            old = in_force[i % len(in_force)] if in_force else None
            programme = old.programme if old else Programme.objects.order_by("pk").first()
            changes: dict = {}
            if name == "add" or old is None:
                unit = [u for u in units if u.path.startswith(owners[programme.pk].path)]
                changes["add"] = [
                    {
                        "organization": unit[j % len(unit)],
                        "kind": (INSPECT, SUPERVISE)[j % 2],
                        "quantity": 1 + j % 3,
                    }
                ]
            elif name == "remove":
                changes["remove"] = [old]
            else:
                others = [
                    u
                    for u in units
                    if u.path.startswith(owners[programme.pk].path) and u.pk != old.organization_id
                ]
                values = {
                    "raise": {"quantity": old.quantity + 1 + j % 2},
                    "lower": {"quantity": max(1, old.quantity - 1)},
                    "replace": {"subject_text": f"Nội dung {j}", "due_on": date(2026, 11, 30)},
                    "move": {"organization": others[j % len(others)]},
                }[name]
                changes["change"] = [(old, values)]
            try:
                with services.progress_refresh_deferred() as refreshed:
                    services.create_amendment(
                        programme=programme,
                        doc_number=own_number(),
                        issued_on=on,
                        effective_on=on,
                        **changes,
                    )
            except ValidationError:
                continue  # e.g. closing a target before it came into force: refused
            touched |= refreshed
        elif name == "case" or not cases:
            targets = list(Target.objects.order_by("pk"))
            target = None if j % 4 == 0 else targets[i % len(targets)]
            status = (Case.Status.CONCLUDED, Case.Status.IN_PROGRESS, Case.Status.CLOSED)[j % 3]
            made = Case.objects.create(
                organization=target.organization if target else units[i % len(units)],
                body="inspection_commission",
                kind=target.kind if target else (INSPECT, SUPERVISE)[i % 2],
                year=2026,
                target=target,
                title="Cuộc thử",
                status=status,
                concluded_on=None if status == Case.Status.IN_PROGRESS else on,
            )
            cases.append(made)
            touched.add(made.organization_id)
        elif name == "relink":
            made = cases[i % len(cases)]
            touched.add(made.organization_id)
            targets = list(Target.objects.order_by("pk"))
            target = None if j % 3 == 0 else targets[j % len(targets)]
            made.target = target
            if target is not None:  # a case fulfils a target of its own unit and kind
                made.organization_id, made.kind = target.organization_id, target.kind
            made.save()
            touched.add(made.organization_id)
        else:  # status
            made = cases[i % len(cases)]
            made.status = (
                Case.Status.CONCLUDED,
                Case.Status.IN_PROGRESS,
                Case.Status.CANCELLED,
                Case.Status.CLOSED,
            )[j % 4]
            made.concluded_on = on if made.status in Case.COUNTING else None
            made.save()
            touched.add(made.organization_id)
        engine.refresh_units(touched, TODAY)


# --- from scratch -------------------------------------------------------------------------


def check_against_scratch(tree) -> None:
    targets = {
        t.pk: t for t in Target.objects.select_related("programme", "added_by", "removed_by")
    }

    def in_force(t: Target) -> bool:
        return (
            t.programme.status in (Programme.Status.ISSUED, Programme.Status.CLOSED)
            and (t.added_by is None or t.added_by.effective_on <= TODAY)
            and (t.removed_by is None or t.removed_by.effective_on > TODAY)
        )

    def first_of_chain(t: Target) -> int:
        while t.replaces_id is not None:
            before = targets[t.replaces_id]
            if (before.organization_id, before.kind) != (t.organization_id, t.kind):
                break
            t = before
        return t.pk

    live: dict[int, Target] = {}
    for t in targets.values():
        if in_force(t):
            assert first_of_chain(t) not in live, "two targets of one chain in force"
            live[first_of_chain(t)] = t

    done: Counter[int] = Counter()
    arising: Counter[tuple] = Counter()
    counting = list(Case.objects.filter(status__in=Case.COUNTING, concluded_on__lte=TODAY))
    for c in counting:
        holder = live.get(first_of_chain(targets[c.target_id])) if c.target_id else None
        if holder is not None:
            done[holder.pk] += 1
        else:
            arising[(c.organization_id, c.year, c.kind)] += 1

    own: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    complete: dict[tuple, bool] = {}
    for t in live.values():
        for kind in (t.kind, ALL_KINDS):
            key = (t.organization_id, t.programme.year, kind)
            figures = own[key]
            figures["quantity"] += t.quantity
            figures["done"] += done[t.pk]
            figures["capped_done"] += min(done[t.pk], t.quantity)
            figures["units_with_targets"] = 1
            complete[key] = complete.get(key, True) and done[t.pk] >= t.quantity
    for (unit, year, kind), n in arising.items():
        own[(unit, year, kind)]["arising"] += n
        own[(unit, year, ALL_KINDS)]["arising"] += n
    for key, whole in complete.items():
        own[key]["units_completed"] = int(whole)

    paths = {u.pk: u.path for u in tree.all()}
    sub: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for (unit, year, kind), figures in own.items():
        for ancestor, path in paths.items():
            if paths[unit].startswith(path):
                for name in FIELDS:
                    sub[(ancestor, year, kind)][name] += figures[name]

    table = {
        (r.organization_id, r.year, r.kind): (
            {name: getattr(r, f"own_{name}") for name in FIELDS},
            {name: getattr(r, f"sub_{name}") for name in FIELDS},
        )
        for r in ProgressRow.objects.filter(body=ALL_BODIES)
    }
    wanted = {
        key: (own.get(key, dict.fromkeys(FIELDS, 0)), figures) for key, figures in sub.items()
    }
    assert table == wanted

    # Every concluded case once: done where a target counts it, else arising.
    total = [v for (unit, _, kind), v in table.items() if kind == ALL_KINDS]
    assert sum(o["done"] + o["arising"] for o, _ in total) == len(counting)
