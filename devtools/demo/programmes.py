"""The demo year's programmes (`seed_demo`, profile demo), written through plans.services
so that validation and history apply, with the demo administrator `quantri` as author.

For the current year (`timezone.localdate().year`):

- the provincial standing committee's programme `17-CTr/TU`: 25 named planned cases of
  the province (quantity 1, a named subject unit, due dates spread over the year);
- the bloc committee's programme `103-KH/ĐUK`, by its inspection commission: a few named
  cases of its own, a quota for each of its 63 grassroots units (2 compliance inspections
  and 1 thematic supervision) and for each cell (supervise 30% of its members); amended
  once mid-year (`118-KH/ĐUK`: a party-finance inspection added for a few units, two
  quotas raised);
- the programmes of the first three communes' committees: a few named cases and a quota
  per cell;
- every other unit that a plans.models.ProgrammeRequirement applies to issues its own
  programme(s) by the rule's deadline, of the body the rule names or else of its natural
  bodies: a grassroots committee (đảng bộ cơ sở) its committee's (`-CTr/ĐU`) and its
  inspection commission's (`-KH/UBKTĐU`), a grassroots cell and every cell below its own
  (`-KH/CB`), a partial committee and the enterprise bloc their committee's. Each sets one
  to three modest targets (a cell's one or two) for the unit itself (OWN_TARGETS: e.g. 2
  compliance inspections, a party-dues inspection, a cell's supervision of 25% of its
  members), of kinds the unit has no target of yet. A deterministic handful
  (WITHOUT_SHARE, 4% of the units the rules apply to) issue none, and LATE_SHARE (1.5%)
  issue after the deadline, so the dashboard's "chưa có chương trình" shows a few units
  today and a few more in the first quarter's snapshot.

Idempotent: nothing is done when the province already has a programme for the year.
Synthetic profiles write their programmes with their cases (devtools.synthetic.year).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from devtools.demo.province import DemoTree
from ktgs.models import Organization, UnitKind, User
from plans import services
from plans.models import ActivityKind, Amendment, Body, Programme, ProgrammeRequirement, Target

K = ActivityKind
L = Organization.Level

PROVINCE_DOC = "17-CTr/TU"
BLOC_DOC = "103-KH/ĐUK"
BLOC_AMENDMENT_DOC = "118-KH/ĐUK"
COMMUNE_PROGRAMMES = 3
PROVINCE_TARGETS = 25
BLOC_QUOTA: dict[str, int | Decimal | str] = {
    K.INSPECTION_COMPLIANCE: 2,
    K.SUPERVISION_THEMATIC: 1,
}
CELL_SHARE = services.Share(30)

# Kinds and topics of the named planned cases (subject_text says what is looked at).
NAMED_TOPICS = (
    (K.INSPECTION_COMPLIANCE, "Việc lãnh đạo, chỉ đạo thực hiện nghị quyết đại hội đảng bộ"),
    (K.SUPERVISION_THEMATIC, "Việc thực hiện quy chế làm việc và nguyên tắc tập trung dân chủ"),
    (K.INSPECTION_FINANCE, "Việc quản lý, sử dụng tài chính đảng"),
    (K.INSPECTION_KTGS_DUTY, "Việc thực hiện nhiệm vụ kiểm tra, giám sát, thi hành kỷ luật"),
    (K.INSPECTION_ASSETS, "Việc kê khai tài sản, thu nhập của cán bộ diện cấp ủy quản lý"),
    (K.SUPERVISION_THEMATIC, "Công tác cán bộ và phòng, chống tham nhũng, lãng phí"),
    (K.INSPECTION_DUES, "Việc thu, nộp, quản lý đảng phí"),
    (K.INSPECTION_COMPLIANCE, "Việc thực hiện chỉ thị về công tác xây dựng Đảng"),
)


# The units' own programmes: a handful of the units that must issue one (plans.models.
# ProgrammeRequirement) have none, a few more issue it after the deadline, so the
# dashboard's "chưa có chương trình" figure and the early periods' snapshots show some.
WITHOUT_SHARE = 0.04
LATE_SHARE = 0.015

# What a unit's own programme sets for the unit itself, by body: (kind, quantity or share
# of members), drawn in this order of preference and skipping the kinds the unit already
# has a target of (a quota from above, or its other body's programme), so that a case
# fulfils one obvious target.
OWN_TARGETS: dict[str, tuple[tuple[str, int | Decimal], ...]] = {
    Body.COMMITTEE: (
        (K.INSPECTION_COMPLIANCE, 2),
        (K.SUPERVISION_THEMATIC, 1),
        (K.INSPECTION_KTGS_DUTY, 1),
        (K.SUPERVISION_REGULAR, 2),
    ),
    Body.INSPECTION_COMMISSION: (
        (K.INSPECTION_DUES, 1),
        (K.SUPERVISION_THEMATIC, 1),
        (K.INSPECTION_FINANCE, 1),
        (K.INSPECTION_COMPLIANCE, 1),
    ),
    Body.CELL: (
        (K.SUPERVISION_REGULAR, services.Share(25)),
        (K.INSPECTION_COMPLIANCE, 1),
        (K.SUPERVISION_THEMATIC, 1),
    ),
}
OWN_TARGETS[Body.STANDING_COMMITTEE] = OWN_TARGETS[Body.COMMITTEE]

# The issuer written in a body's document numbers, by the unit's level ("-KH/UBKTĐU" for
# every grassroots commission; the body's own unit is known from the programme).
ISSUERS: dict[tuple[str, str], str] = {
    (L.PROVINCIAL, Body.COMMITTEE): "TU",
    (L.PROVINCIAL, Body.STANDING_COMMITTEE): "TU",
    (L.PROVINCIAL, Body.INSPECTION_COMMISSION): "UBKTTU",
    (L.UPPER_GRASSROOTS, Body.COMMITTEE): "ĐUK",
    (L.UPPER_GRASSROOTS, Body.STANDING_COMMITTEE): "ĐUK",
    (L.UPPER_GRASSROOTS, Body.INSPECTION_COMMISSION): "UBKTĐUK",
    (L.GRASSROOTS, Body.COMMITTEE): "ĐU",
    (L.GRASSROOTS, Body.STANDING_COMMITTEE): "ĐU",
    (L.GRASSROOTS, Body.INSPECTION_COMMISSION): "UBKTĐU",
    (L.PARTIAL, Body.COMMITTEE): "ĐBBP",
}


def issuer_of(unit: Organization, body: str) -> str:
    """The issuer text of `body` of `unit` in document numbers: "ĐU", "UBKTĐU", "CB"…"""
    if body == Body.CELL:
        return "CB"
    return ISSUERS.get((unit.level, body), "ĐU")


def natural_bodies(unit: Organization) -> tuple[str, ...]:
    """The bodies that issue a unit's own programme when the rule names none: a grassroots
    committee's committee and its inspection commission, a cell itself (a chi bộ cơ sở or
    a cell below), any other unit's committee."""
    kind = unit.unit_kind
    if kind == UnitKind.GRASSROOTS_COMMITTEE:
        return (Body.COMMITTEE, Body.INSPECTION_COMMISSION)
    if kind == UnitKind.GRASSROOTS_CELL or unit.level == L.CELL:
        return (Body.CELL,)
    return (Body.COMMITTEE,)


@dataclass
class DemoProgrammes:
    province: Programme
    bloc: Programme
    communes: list[Programme]
    # The units' own programmes (plans.models.ProgrammeRequirement), and the units that
    # were drawn to have none or to issue theirs late.
    units: list[Programme] = field(default_factory=list)
    without: list[Organization] = field(default_factory=list)
    late: list[Organization] = field(default_factory=list)

    def all(self) -> list[Programme]:
        return [self.province, self.bloc, *self.communes, *self.units]


@contextmanager
def seeding_transaction() -> Iterator[None]:
    """One transaction for a whole seeding step, without the progress refreshes its
    service calls would enqueue on commit: seeding makes hundreds of calls and the
    last step rebuilds the whole table right after (devtools.demo.figures), so those ~1,000
    messages would only keep the worker busy (and the SQLite file locked) when `make run`
    starts."""
    with transaction.atomic(), services.progress_refresh_deferred():
        yield


def demo_user() -> User:
    return User.objects.get(username="quantri")


def year_day(year: int, fraction: float) -> datetime.date:
    """The day `fraction` of the way through `year` (0 → 1 January, 1 → 31 December)."""
    start = datetime.date(year, 1, 1)
    return start + datetime.timedelta(days=round(fraction * 364))


def month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def issue_date(today: datetime.date, month: int, day: int) -> datetime.date:
    """A programme is issued early in the year; never after today (a demo seeded on
    2 January shows programmes issued that day)."""
    return min(datetime.date(today.year, month, day), today)


def seed_demo(*, tree, seed: int, stdout) -> None:
    if not isinstance(tree, DemoTree):
        return
    today = timezone.localdate()
    if Programme.objects.filter(organization=tree.province, year=today.year).exists():
        return
    programmes = seed_demo_programmes(tree=tree, seed=seed, today=today)
    targets = Target.objects.filter(programme__in=programmes.all())
    stdout.write(
        f"Demo programmes {today.year}: {len(programmes.all()):,} programmes "
        f"({len(programmes.units):,} of the units' own), {targets.count():,} targets, "
        f"1 amendment; {len(programmes.without)} units without a programme, "
        f"{len(programmes.late)} issued late."
    )


def seed_demo_programmes(*, tree: DemoTree, seed: int, today: datetime.date) -> DemoProgrammes:
    rng = random.Random(f"plans-{seed}-{today.year}")
    user = demo_user()
    with seeding_transaction():
        province = _province_programme(tree, rng, today, user)
        bloc = _bloc_programme(tree, rng, today, user)
        communes = [
            _commune_programme(commune, number, rng, today, user)
            for number, commune in enumerate(tree.communes[:COMMUNE_PROGRAMMES], start=1)
        ]
        programmes = DemoProgrammes(province=province, bloc=bloc, communes=communes)
        # Its own generator: the draws above (and the data they make) stay as they were.
        units_rng = random.Random(f"units-{seed}-{today.year}")
        _unit_programmes(programmes, tree, units_rng, today, user)
    return programmes


def upper_programme_keys(tree: DemoTree) -> set[tuple[int, str]]:
    """(unit id, body) of the programmes that set targets for the units below (the
    province's, the bloc's, the first communes' committees'); every other programme of the
    demo is a unit's own, with targets for the unit itself."""
    communes = tree.communes[:COMMUNE_PROGRAMMES]
    return {
        (tree.province.pk, Body.STANDING_COMMITTEE),
        (tree.bloc.pk, Body.INSPECTION_COMMISSION),
        *((commune.pk, Body.COMMITTEE) for commune in communes),
    }


def _unit_programmes(
    programmes: DemoProgrammes, tree: DemoTree, rng: random.Random, today, user
) -> None:
    """The programme(s) of every unit of the province that a ProgrammeRequirement applies
    to: of the body the rule names or, when it names none, of the unit's natural bodies
    (natural_bodies) that have not issued one yet. When the rule names no body, a unit
    above the grassroots that already has a programme (the province, the bloc) is done.
    WITHOUT_SHARE of the units issue nothing and LATE_SHARE issue after the deadline."""
    year = today.year
    rules = {rule.level: rule for rule in ProgrammeRequirement.objects.filter(is_active=True)}
    units = list(
        Organization.objects.filter(
            path__startswith=tree.province.path, level__in=list(rules)
        ).order_by("path")
    )
    have: dict[int, set[str]] = defaultdict(set)
    for programme in programmes.all():
        have[programme.organization_id].add(programme.body)
    taken: dict[int, set[str]] = defaultdict(set)  # unit -> kinds it already has targets of
    for unit_id, kind in Target.objects.filter(
        programme__organization__path__startswith=tree.province.path,
        programme__year=year,
        organization__in=units,
    ).values_list("organization_id", "kind"):
        taken[unit_id].add(kind)
    wanted: list[tuple[Organization, list[str]]] = []
    for unit in units:
        rule = rules[unit.level]
        bodies = natural_bodies(unit)
        if rule.body:
            grassroots_committee = unit.unit_kind == UnitKind.GRASSROOTS_COMMITTEE
            bodies = (rule.body, *bodies) if grassroots_committee else (rule.body,)
        elif have[unit.pk] and unit.level in (L.CENTRAL, L.PROVINCIAL, L.UPPER_GRASSROOTS):
            continue
        missing = [body for body in dict.fromkeys(bodies) if body not in have[unit.pk]]
        if missing:
            wanted.append((unit, missing))
    # Drawn among the units with no programme yet (not a commune whose committee set its
    # cells' quotas, canbo.xa's among them).
    candidates = [unit for unit, _missing in wanted if not have[unit.pk]]
    drawn = rng.sample(
        candidates, min(len(candidates), round(len(units) * (WITHOUT_SHARE + LATE_SHARE)))
    )
    split = round(len(units) * WITHOUT_SHARE)
    without, late = {u.pk for u in drawn[:split]}, {u.pk for u in drawn[split:]}
    for unit, missing in wanted:
        if unit.pk in without:
            programmes.without.append(unit)
            continue
        due = rules[unit.level].due_on(year)
        if unit.pk in late:
            programmes.late.append(unit)
        for body in missing:
            if unit.pk in late:
                issued = due + datetime.timedelta(days=rng.randint(20, 100))
            else:
                early = 11 if body in (Body.COMMITTEE, Body.INSPECTION_COMMISSION) else 3
                issued = due - datetime.timedelta(days=rng.randint(early, early + 12))
            issued = min(max(issued, datetime.date(year, 1, 1)), today)
            programmes.units.append(_unit_programme(unit, body, issued, taken[unit.pk], rng, user))


def _unit_programme(unit, body, issued_on, taken: set[str], rng, user) -> Programme:
    """A unit's own programme: one to three targets for the unit itself, of kinds it has
    no target of yet (added to `taken`), due mid-year, at the end of Q3 or at year end."""
    year = issued_on.year
    whose = f"Ủy ban Kiểm tra {unit.name}" if body == Body.INSPECTION_COMMISSION else unit.name
    doc_type = "KH" if body in (Body.INSPECTION_COMMISSION, Body.CELL) else "CTr"
    programme = services.create_programme(
        user=user,
        organization=unit,
        body=body,
        year=year,
        title=f"Chương trình kiểm tra, giám sát năm {year} của {whose}",
        doc_number=f"{rng.randint(1, 9):02d}-{doc_type}/{issuer_of(unit, body)}",
        issued_on=issued_on,
    )
    choices = [(kind, amount) for kind, amount in OWN_TARGETS[body] if kind not in taken]
    # A committee's or commission's programme sets one to three; a cell's one or two.
    count = min(len(choices), rng.choice((1, 1, 2) if body == Body.CELL else (1, 2, 2, 3)))
    dues = (month_end(year, 6), month_end(year, 9), month_end(year, 12), month_end(year, 12))
    for kind, amount in choices[:count]:
        share = amount if isinstance(amount, services.Share) else None
        services.add_target(
            programme=programme,
            user=user,
            organization=unit,
            kind=kind,
            counts=Target.Counts.MEMBERS if share is not None else Target.Counts.CASES,
            quantity=1 if share is not None else int(amount),
            member_share=share,
            due_on=rng.choice(dues),
        )
        taken.add(kind)
    return services.issue_programme(programme=programme, user=user)


def _named_targets(programme, owner, subjects, count, rng, *, user, first_month=2) -> None:
    """`count` named planned cases of `owner`, one subject each, due at the end of months
    spread from `first_month` to December."""
    year = programme.year
    months = 13 - first_month
    for index in range(count):
        kind, topic = NAMED_TOPICS[index % len(NAMED_TOPICS)]
        subject = subjects[index % len(subjects)]
        services.add_target(
            programme=programme,
            user=user,
            organization=owner,
            kind=kind,
            quantity=1,
            subject_organization=subject,
            subject_text=f"{topic} ({subject.name})",
            due_on=month_end(year, first_month + index * months // count),
        )


def _province_programme(tree: DemoTree, rng, today, user) -> Programme:
    year = today.year
    programme = services.create_programme(
        user=user,
        organization=tree.province,
        body=Body.STANDING_COMMITTEE,
        year=year,
        title=f"Chương trình kiểm tra, giám sát năm {year} của Ban Thường vụ Tỉnh ủy",
        doc_number=PROVINCE_DOC,
        issued_on=issue_date(today, 1, 12),
    )
    # Subjects: the two blocs, every commune and some of the bloc's larger agencies.
    agencies = list(Organization.objects.filter(parent=tree.bloc, numchild__gt=0).order_by("path"))
    subjects = [tree.bloc, tree.enterprise_bloc, *tree.communes]
    subjects += rng.sample(agencies, PROVINCE_TARGETS - len(subjects))
    rng.shuffle(subjects)
    _named_targets(programme, tree.province, subjects, PROVINCE_TARGETS, rng, user=user)
    return services.issue_programme(programme=programme, user=user)


def _bloc_programme(tree: DemoTree, rng, today, user) -> Programme:
    year = today.year
    programme = services.create_programme(
        user=user,
        organization=tree.bloc,
        body=Body.INSPECTION_COMMISSION,
        year=year,
        title=f"Chương trình kiểm tra, giám sát năm {year} của Ủy ban Kiểm tra Đảng ủy Khối",
        doc_number=BLOC_DOC,
        issued_on=issue_date(today, 1, 20),
    )
    grassroots = list(Organization.objects.filter(parent=tree.bloc).order_by("path"))
    own_subjects = rng.sample(grassroots, 6)
    _named_targets(programme, tree.bloc, own_subjects, 6, rng, user=user, first_month=3)
    services.apply_quota(programme, L.GRASSROOTS, BLOC_QUOTA, user=user)
    services.apply_quota(programme, L.CELL, {K.SUPERVISION_REGULAR: CELL_SHARE}, user=user)
    programme = services.issue_programme(programme=programme, user=user)
    _amend_bloc_programme(programme, grassroots, rng, today, user)
    return programme


def _amend_bloc_programme(programme, grassroots, rng, today, user) -> Amendment:
    """Mid-year (or today, if the demo is seeded earlier in the year): a party-finance
    inspection added for four units, and two units asked for one more inspection."""
    day = max(programme.issued_on, min(datetime.date(today.year, 6, 16), today))
    chosen = rng.sample(grassroots, 6)
    raised = Target.objects.filter(
        programme=programme,
        organization__in=chosen[4:],
        kind=K.INSPECTION_COMPLIANCE,
        subject_organization__isnull=True,
    ).order_by("organization__path")
    return services.create_amendment(
        programme=programme,
        doc_number=BLOC_AMENDMENT_DOC,
        issued_on=day,
        effective_on=day,
        summary=(
            "Bổ sung kiểm tra tài chính đảng tại 4 tổ chức cơ sở đảng; tăng chỉ tiêu kiểm tra "
            "chấp hành của 2 tổ chức cơ sở đảng theo yêu cầu của Ban Thường vụ Đảng ủy Khối."
        ),
        add=[
            {
                "organization": unit,
                "kind": K.INSPECTION_FINANCE,
                "quantity": 1,
                "due_on": datetime.date(today.year, 12, 31),
            }
            for unit in chosen[:4]
        ],
        change=[(target, {"quantity": target.quantity + 1}) for target in raised],
        user=user,
    )


def _commune_programme(commune, number, rng, today, user) -> Programme:
    year = today.year
    programme = services.create_programme(
        user=user,
        organization=commune,
        body=Body.COMMITTEE,
        year=year,
        title=f"Chương trình kiểm tra, giám sát năm {year} của {commune.name}",
        # Every commune committee signs "-CTr/ĐU" and numbers its own documents from 01
        # each year, so communes share numbers (unique per unit and body, not per text).
        doc_number=f"{1 + number % 2:02d}-CTr/ĐU",
        issued_on=issue_date(today, 1, 25),
    )
    cells = list(Organization.objects.filter(parent=commune).order_by("path"))
    _named_targets(programme, commune, rng.sample(cells, 3), 3, rng, user=user, first_month=4)
    services.apply_quota(
        programme, L.CELL, {K.INSPECTION_COMPLIANCE: 1, K.SUPERVISION_THEMATIC: 1}, user=user
    )
    return services.issue_programme(programme=programme, user=user)
