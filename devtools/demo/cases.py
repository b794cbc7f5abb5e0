"""The demo year's cases (`seed_demo`, profile demo), recorded through cases.services —
record → decided → in progress → concluded, subjects, discipline — with the demo
administrator `quantri` as author, so validation and history apply. The cells' member
supervisions and the concluded cases of the units' own programmes (most of the cases)
are inserted in bulk with one history row each.

On the programmes devtools.demo.programmes wrote for the current year:

- the province: its 25 named planned cases, most of those due by today concluded around
  their due date, a few late; 16 arising cases (violations, denunciations, complaints…),
  some with discipline decisions, committee members among them;
- the bloc: each grassroots unit is drawn (from `seed`) ahead, on track or lagging, and
  its inspections, thematic supervisions and its cells' member supervisions are concluded
  accordingly, with cases still in progress where work is behind;
- the three communes with a programme: their named cases and their cells' quotas;
- the units' own programmes (devtools.demo.programmes): cases recorded by the body that issued each
  (committee, inspection commission, cell) against its targets, on the units right below
  or, for a cell, on its members. Profiles are dealt per kind of unit and body in each
  bloc and commune (OWN_PROFILES, COMMISSION_PROFILES), the lagging ones to the units
  already behind on their quotas, so every kind has programmes done and programmes
  behind and the commissions do better than the committees. Their concluded cases are
  inserted in bulk, those under way go through the services.

Every date is on or before today. Idempotent: nothing is done when the province already
has cases for the year. For the synthetic profiles the year is written in bulk by
devtools.synthetic.year.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases import services
from cases.models import CHECKED_IN_SERVICES, Case, CaseSubject, DisciplineDecision
from cases.services.subjects import subject_counts
from devtools.demo.programmes import (
    COMMUNE_PROGRAMMES,
    demo_user,
    issuer_of,
    seeding_transaction,
    upper_programme_keys,
)
from devtools.demo.province import DemoTree
from devtools.synthetic import year as synthetic_year
from devtools.synthetic.tree import SyntheticTree
from ktgs import search
from ktgs.models import Organization
from plans.documents import parse_document_number
from plans.models import ActivityKind, Body, Programme, Target
from reports import engine
from reports.progress import expected

K = ActivityKind
L = Organization.Level
S = Case.Status
Form = DisciplineDecision.Form

AHEAD, ON_TRACK, LAGGING = "ahead", "on_track", "lagging"
# How the units' own programmes go: dealt from these decks, shuffled, to the programmes of
# each kind of unit and body in each bloc or commune (see DemoYear.own_programmes), so
# that any two programmes of a kind have one ahead and one lagging. The inspection
# commissions, whose programme is their whole job, are ahead more often.
OWN_PROFILES = (AHEAD, LAGGING, ON_TRACK, ON_TRACK, ON_TRACK)
COMMISSION_PROFILES = (AHEAD, LAGGING, AHEAD, ON_TRACK, ON_TRACK, ON_TRACK, ON_TRACK, ON_TRACK)

# Obviously fake people: "<family> <middle> Mẫu <n>".
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hữu", "Đức", "Ngọc", "Quang")
POSITIONS = (
    # (position, committee member, head)
    ("Bí thư chi bộ", True, True),
    ("Phó Bí thư chi bộ", True, False),
    ("Chi ủy viên", True, False),
    ("Trưởng phòng", False, True),
    ("Phó Trưởng phòng", False, False),
    ("Chuyên viên", False, False),
    ("Chuyên viên", False, False),
    ("Kế toán", False, False),
    ("Nhân viên", False, False),
)
ARISING = (
    # The province's 16 arising cases: (kind, body, title, member subjects or None)
    (K.INSPECTION_VIOLATION, Body.INSPECTION_COMMISSION, "Kiểm tra khi có dấu hiệu vi phạm", 1),
    (K.INSPECTION_VIOLATION, Body.INSPECTION_COMMISSION, "Kiểm tra khi có dấu hiệu vi phạm", 2),
    (K.INSPECTION_VIOLATION, Body.INSPECTION_COMMISSION, "Kiểm tra khi có dấu hiệu vi phạm", 1),
    (K.INSPECTION_VIOLATION, Body.INSPECTION_COMMISSION, "Kiểm tra khi có dấu hiệu vi phạm", 1),
    (K.INSPECTION_VIOLATION, Body.INSPECTION_COMMISSION, "Kiểm tra khi có dấu hiệu vi phạm", 0),
    (K.DENUNCIATION, Body.INSPECTION_COMMISSION, "Giải quyết tố cáo đối với đảng viên", 1),
    (K.DENUNCIATION, Body.INSPECTION_COMMISSION, "Giải quyết tố cáo đối với đảng viên", 1),
    (K.DENUNCIATION, Body.INSPECTION_COMMISSION, "Giải quyết tố cáo đối với đảng viên", 1),
    (K.DENUNCIATION, Body.INSPECTION_COMMISSION, "Giải quyết tố cáo đối với tổ chức đảng", 0),
    (K.DISCIPLINE_COMPLAINT, Body.INSPECTION_COMMISSION, "Giải quyết khiếu nại kỷ luật", 1),
    (K.DISCIPLINE_COMPLAINT, Body.INSPECTION_COMMISSION, "Giải quyết khiếu nại kỷ luật", 1),
    (K.INSPECTION_ASSETS, Body.INSPECTION_COMMISSION, "Xác minh kê khai tài sản, thu nhập", 1),
    (K.INSPECTION_ASSETS, Body.INSPECTION_COMMISSION, "Xác minh kê khai tài sản, thu nhập", 1),
    (K.SUPERVISION_THEMATIC, Body.STANDING_COMMITTEE, "Giám sát đột xuất", 0),
    (K.SUPERVISION_THEMATIC, Body.STANDING_COMMITTEE, "Giám sát đột xuất", 0),
    (K.INSPECTION_FINANCE, Body.INSPECTION_COMMISSION, "Kiểm tra tài chính đột xuất", 0),
)
TITLES: dict[str, str] = {
    K.INSPECTION_COMPLIANCE: "Kiểm tra việc chấp hành nghị quyết, quy định của Đảng",
    K.SUPERVISION_THEMATIC: "Giám sát chuyên đề",
    K.SUPERVISION_REGULAR: "Giám sát thường xuyên đảng viên",
    K.INSPECTION_FINANCE: "Kiểm tra tài chính đảng",
    K.INSPECTION_KTGS_DUTY: "Kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát",
    K.INSPECTION_ASSETS: "Kiểm tra việc kê khai tài sản, thu nhập",
    K.INSPECTION_DUES: "Kiểm tra việc thu, nộp đảng phí",
}


def seed_demo(*, tree, seed: int, stdout) -> None:
    if isinstance(tree, SyntheticTree):
        synthetic_year.seed_synthetic_year(tree=tree, seed=seed, stdout=stdout)
        return
    if not isinstance(tree, DemoTree):
        return
    today = timezone.localdate()
    in_province = Case.objects.filter(
        organization__path__startswith=tree.province.path, year=today.year
    )
    if in_province.exists():
        return
    programmes = Programme.objects.filter(
        organization__path__startswith=tree.province.path, year=today.year
    )
    if not programmes.exists():
        return
    started = time.monotonic()
    with seeding_transaction():
        DemoYear(tree=tree, seed=seed, today=today).run()
    total = in_province.count()
    concluded = in_province.filter(status__in=Case.COUNTING).count()
    stdout.write(
        f"Demo cases {today.year}: {total:,} cases ({concluded:,} concluded, "
        f"{in_province.filter(target__isnull=True).count():,} arising), "
        f"{DisciplineDecision.objects.filter(case__in=in_province).count():,} discipline "
        f"decisions in {time.monotonic() - started:.1f} s."
    )


# --- helpers ----------------------------------------------------------------------------


def title_of(kind: str) -> str:
    return TITLES.get(kind) or str(K(kind).label)


def done_for(profile: str, quantities: list[int], expect: list[Fraction]) -> list[int]:
    """How many each target of a unit has done by today, for a unit that is ahead (twice
    the schedule's pace), on track (behind the linear schedule by less than the lag
    tolerance in all) or lagging (about a third of what is due)."""
    if profile == AHEAD:
        # Twice the pace of the schedule: everything done by mid-year.
        return [min(q, math.ceil(2 * e)) for q, e in zip(quantities, expect, strict=True)]
    if profile == LAGGING:
        return [math.floor(e * Fraction(3, 10)) for e in expect]
    tolerance = Fraction(engine.lag_tolerance_cases())
    margin = min(Fraction(9, 10), tolerance * Fraction(9, 10))
    done = [min(q, math.floor(e)) for q, e in zip(quantities, expect, strict=True)]
    while True:
        gaps = [e - d for e, d in zip(expect, done, strict=True)]
        if sum(g for g in gaps if g > 0) <= margin:
            return done
        worst = max(range(len(done)), key=lambda i: gaps[i])
        done[worst] += 1


@dataclass
class Numbers:
    """Decision and notice numbers per issuing body (a unit's body) and year, continuing
    after the highest one already used (cases' and discipline decisions share a
    numbering). Every grassroots commission numbers its own from 01 and writes the same
    issuer text ("01-QĐ/UBKTĐU"), as in a real year."""

    next: dict[tuple[int, str, int], int] = field(default_factory=dict)

    def take(self, unit: Organization, body: str, issuer: str, year: int,
             doc_type: str = "QĐ") -> str:  # fmt: skip
        key = (unit.pk, body, year)
        if key not in self.next:
            used = [
                *Case.objects.filter(organization=unit, body=body, decided_on__year=year)
                .values_list("decision_serial", flat=True),
                *DisciplineDecision.objects.filter(deciding_organization=unit,
                                                   deciding_body=body, decided_on__year=year)
                .values_list("decision_serial", flat=True),
            ]  # fmt: skip
            self.next[key] = 1 + max((int(s.rstrip("abcdefghijklmnopqrstuvwxyz") or 0)
                                      for s in used), default=0)  # fmt: skip
        number = self.next[key]
        self.next[key] += 1
        return f"{number:02d}-{doc_type}/{issuer}"


class DemoYear:
    def __init__(self, *, tree: DemoTree, seed: int, today: datetime.date):
        self.tree = tree
        self.today = today
        self.year = today.year
        self.start = datetime.date(self.year, 1, 1)
        self.rng = random.Random(f"cases-{seed}-{self.year}")
        self.user = demo_user()
        self.numbers = Numbers()
        self.people = 0
        self.cases: list[Case] = []
        self.lagging: set[int] = set()  # units drawn lagging on the quotas set from above
        self.bulk: list[tuple[Case, list[CaseSubject]]] = []

    # -- people and dates

    def member(self, *, committee: bool | None = None) -> dict:
        rng = self.rng
        choices = [p for p in POSITIONS if committee is None or p[1] == committee]
        position, is_committee, is_head = rng.choice(choices)
        self.people += 1
        return {
            "kind": CaseSubject.Kind.MEMBER,
            "member_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} Mẫu {self.people}",
            "member_position": position,
            "is_committee_member": is_committee,
            "is_head": is_head,
            "is_probationary": not is_committee and rng.random() < 0.05,
        }

    def conclusion_days(self, count: int, floor: datetime.date, latest: datetime.date):
        """`count` conclusion dates between ~3 weeks after `floor` and `latest` (≤ today)."""
        latest = min(latest, self.today)
        low = min(floor + datetime.timedelta(days=21), latest)
        span = max(0, (latest - low).days)
        return sorted(low + datetime.timedelta(days=self.rng.randint(0, span))
                      for _ in range(count))  # fmt: skip

    def timeline(self, status: str, floor: datetime.date, concluded_on=None) -> dict:
        """Decision, work period and conclusion dates for a case in `status`, none before
        `floor` (the programme or amendment it follows) and none after today, except the
        planned end of the work of a case not concluded yet."""
        rng, today = self.rng, self.today
        days = datetime.timedelta
        if status == S.CONCLUDED:
            work_end = concluded_on - days(rng.randint(2, 8))
            work_start = work_end - days(rng.randint(4, 15))
            decided = work_start - days(rng.randint(3, 10))
        elif status == S.IN_PROGRESS:
            decided = today - days(rng.randint(12, 45))
            work_start = decided + days(rng.randint(3, 10))
            work_end = work_start + days(rng.randint(15, 30))
        else:
            decided = today - days(rng.randint(1, 10))
            work_start = decided + days(rng.randint(5, 15))
            work_end = work_start + days(rng.randint(7, 15))
        floor = min(floor, today)
        decided = min(max(decided, floor), today)
        work_start = max(work_start, decided)
        if status == S.IN_PROGRESS:
            work_start = min(work_start, today)
        work_end = max(work_end, work_start)
        if concluded_on is not None:
            work_end = min(work_end, concluded_on)
            work_start = min(work_start, work_end)
            concluded_on = max(concluded_on, work_end)
        return {
            "decided_on": decided,
            "work_starts_on": work_start,
            "work_ends_on": work_end,
            "concluded_on": concluded_on,
        }

    # -- one case through the services

    def case(
        self,
        *,
        unit: Organization,
        body: str,
        kind: str,
        issuer: str,
        subjects: list[dict],
        status: str,
        floor: datetime.date,
        target: Target | None = None,
        title: str | None = None,
        concluded_on: datetime.date | None = None,
        violation: bool = False,
    ) -> Case:
        dates = self.timeline(status, floor, concluded_on)
        user = self.user
        case = services.record_case(
            user=user,
            organization=unit,
            body=body,
            kind=kind,
            title=title or title_of(kind),
            year=self.year,
            target=target,
            decision_number=self.numbers.take(unit, body, issuer, dates["decided_on"].year),
            decided_on=dates["decided_on"],
            work_starts_on=dates["work_starts_on"],
            work_ends_on=dates["work_ends_on"],
            subjects=subjects,
        )
        case = services.change_status(user=user, case=case, status=S.DECIDED, version=case.version)
        if status != S.DECIDED:
            case = services.change_status(
                user=user, case=case, status=S.IN_PROGRESS, version=case.version
            )
        if status == S.CONCLUDED:
            shortcomings = violation or self.rng.random() < 0.35
            case = services.conclude_case(
                user=user,
                case=case,
                version=case.version,
                concluded_on=dates["concluded_on"],
                conclusion_number=self.numbers.take(unit, body, issuer, dates["concluded_on"].year,
                                                     "TB"),
                violation_found=violation,
                shortcomings_found=shortcomings,
                summary=(
                    "Có vi phạm, đề nghị xem xét xử lý kỷ luật." if violation
                    else "Có khuyết điểm, yêu cầu kiểm điểm rút kinh nghiệm." if shortcomings
                    else "Chấp hành tốt; không có vi phạm, khuyết điểm."
                ),
            )  # fmt: skip
        self.cases.append(case)
        return case

    def discipline(self, case: Case, *, deciding: Organization, body: str, issuer: str) -> None:
        """A decision on each member subject of a concluded case with a violation."""
        for subject in case.subjects.filter(kind=CaseSubject.Kind.MEMBER):
            forms = services.forms_for(subject)
            form = forms[min(len(forms) - 1, self.rng.choice((0, 0, 1, 1, 2)))]
            assert case.concluded_on is not None
            later = case.concluded_on + datetime.timedelta(days=self.rng.randint(5, 20))
            day: datetime.date = min(self.today, later)
            services.add_discipline(
                user=self.user,
                case=case,
                subject=subject,
                form=form,
                decision_number=self.numbers.take(deciding, body, issuer, day.year),
                decided_on=day,
                deciding_organization=deciding,
                deciding_body=body,
            )

    # -- the year

    def run(self) -> None:
        programmes = {
            p.organization_id: p
            for p in Programme.objects.filter(
                organization__path__startswith=self.tree.province.path, year=self.year
            ).select_related("organization")
            if (p.organization_id, p.body) in upper_programme_keys(self.tree)
        }
        upper = upper_programme_keys(self.tree)
        in_force = defaultdict(list)  # unit -> targets set by the programmes above it
        own = defaultdict(list)  # a unit's own programme -> its targets
        for target in (
            Target.objects.filter(
                programme__organization__path__startswith=self.tree.province.path,
                programme__year=self.year,
                removed_by__isnull=True,
            )
            .select_related("organization", "subject_organization", "added_by", "programme")
            .order_by("organization__path", "kind", "pk")
        ):
            programme = target.programme
            if (programme.organization_id, programme.body) in upper:
                in_force[target.organization_id].append(target)
            else:
                own[programme].append(target)
        self.province(programmes[self.tree.province.pk], in_force)
        self.bloc(programmes[self.tree.bloc.pk], in_force)
        for commune in self.tree.communes[:COMMUNE_PROGRAMMES]:
            if commune.pk in programmes:
                self.commune(programmes[commune.pk], in_force)
        self.own_programmes(own)
        self.write_bulk()

    def named(self, programme: Programme, targets: list[Target], *, body, issuer) -> None:
        """Named planned cases: due ones mostly concluded around their due date, a few late
        and still in progress; a few due later already done or under way."""
        rng, today = self.rng, self.today
        for target in targets:
            unit, subject = target.organization, target.subject_organization
            subjects = [{"kind": CaseSubject.Kind.ORGANIZATION, "organization": subject}]
            floor = programme.issued_on
            title = f"{title_of(target.kind)} tại {subject}"
            draw = rng.random()
            status: str | None
            if target.due_on <= today:
                status = S.CONCLUDED if draw < 0.85 else S.IN_PROGRESS
            elif (target.due_on - today).days < 45:
                status = S.CONCLUDED if draw < 0.3 else S.IN_PROGRESS if draw < 0.8 else None
            else:
                status = S.CONCLUDED if draw < 0.15 else S.DECIDED if draw < 0.3 else None
            if status is None:
                continue
            concluded_on = None
            if status == S.CONCLUDED:
                latest = min(target.due_on, today)
                concluded_on = self.conclusion_days(
                    1, max(floor, latest - datetime.timedelta(days=40)), latest
                )[0]
            self.case(
                unit=unit, body=body, kind=target.kind, issuer=issuer, subjects=subjects,
                status=status, floor=floor, target=target, title=title,
                concluded_on=concluded_on, violation=rng.random() < 0.1,
            )  # fmt: skip

    def province(self, programme: Programme, in_force) -> None:
        province = self.tree.province
        self.named(programme, in_force[province.pk], body=Body.STANDING_COMMITTEE, issuer="TU")
        # Arising: the province's inspection commission on units and members of its tree.
        grassroots = list(
            Organization.objects.filter(
                path__startswith=province.path, level=L.GRASSROOTS
            ).order_by("path")
        )
        rng = self.rng
        for number, (kind, body, title, members) in enumerate(ARISING):
            unit = rng.choice(grassroots)
            if members:
                subjects = [self.member(committee=(number % 3 == 0) or None)
                            for _ in range(members)]  # fmt: skip
            else:
                subjects = [{"kind": CaseSubject.Kind.ORGANIZATION, "organization": unit}]
            issuer = "UBKTTU" if body == Body.INSPECTION_COMMISSION else "TU"
            status = S.CONCLUDED if number < 12 else S.IN_PROGRESS if number < 15 else S.DECIDED
            concluded_on = None
            if status == S.CONCLUDED:
                concluded_on = self.conclusion_days(1, programme.issued_on, self.today)[0]
            violation = status == S.CONCLUDED and kind in (
                K.INSPECTION_VIOLATION, K.DENUNCIATION
            ) and number % 2 == 0  # fmt: skip
            case = self.case(
                unit=province, body=body, kind=kind, issuer=issuer, subjects=subjects,
                status=status, floor=programme.issued_on, title=f"{title} ({unit.name})",
                concluded_on=concluded_on, violation=violation,
            )  # fmt: skip
            if violation and members:
                self.discipline(case, deciding=province, body=Body.INSPECTION_COMMISSION,
                                issuer="UBKTTU")  # fmt: skip

    def bloc(self, programme: Programme, in_force) -> None:
        bloc, rng, today = self.tree.bloc, self.rng, self.today
        self.named(programme, in_force[bloc.pk], body=Body.INSPECTION_COMMISSION,
                   issuer="UBKTĐUK")  # fmt: skip
        grassroots = list(Organization.objects.filter(parent=bloc).order_by("path"))
        order = grassroots[:]
        rng.shuffle(order)
        profiles = {unit.pk: AHEAD for unit in order[:15]}
        profiles.update({unit.pk: LAGGING for unit in order[15:33]})
        profiles.update({unit.pk: ON_TRACK for unit in order[33:]})
        self.lagging |= {unit.pk for unit in order[15:33]}
        over_achievers = {unit.pk for unit in order[:2]}
        cells_below: dict[str, list[Organization]] = defaultdict(list)
        cells = Organization.objects.filter(path__startswith=bloc.path, level=L.CELL)
        for cell in cells.order_by("path"):
            cells_below[cell.path[: len(bloc.path) + 4]].append(cell)
        for unit in grassroots:
            profile = profiles[unit.pk]
            own_cells = cells_below.get(unit.path, [])
            targets = in_force[unit.pk]
            self.quota_cases(unit, targets, profile, own_cells,
                             extra=1 if unit.pk in over_achievers else 0)  # fmt: skip
            for cell in own_cells:
                # Cells mostly follow their committee; one in five does not.
                cell_profile = profile if rng.random() < 0.8 else rng.choice(
                    (AHEAD, ON_TRACK, LAGGING))  # fmt: skip
                if cell_profile == LAGGING:
                    self.lagging.add(cell.pk)
                self.member_cases(cell, in_force[cell.pk], cell_profile)
        # A few arising cases at the grassroots: denunciations and signs of violation.
        for unit in rng.sample(grassroots, 5):
            kind = rng.choice((K.DENUNCIATION, K.INSPECTION_VIOLATION))
            issuer = "UBKTĐU" if unit.numchild else "CB"
            body = Body.INSPECTION_COMMISSION if unit.numchild else Body.CELL
            concluded_on = self.conclusion_days(1, programme.issued_on, today)[0]
            case = self.case(
                unit=unit, body=body, kind=kind, issuer=issuer,
                subjects=[self.member(committee=True)], status=S.CONCLUDED,
                floor=programme.issued_on, concluded_on=concluded_on, violation=True,
                title=f"{title_of(kind)} đối với đảng viên",
            )  # fmt: skip
            # A committee member is disciplined by the level above: the bloc's commission.
            self.discipline(case, deciding=bloc, body=Body.INSPECTION_COMMISSION,
                            issuer="UBKTĐUK")  # fmt: skip

    def quota_cases(self, unit, targets, profile, cells, *, extra: int = 0) -> None:
        """Cases of a grassroots unit toward its quotas: on its cells (a committee) or on
        its members (a chi bộ cơ sở)."""
        rng, today = self.rng, self.today
        if not targets:
            return
        quantities = [t.quantity for t in targets]
        expect = [expected(t.quantity, t.programme.starts_on, t.due_on, today) for t in targets]
        done = done_for(profile, quantities, expect)
        if extra:
            done[0] += extra  # over-achievement: shown as 3/2, never hides a shortfall
        for target, count in zip(targets, done, strict=True):
            floor = target.added_by.effective_on if target.added_by else target.programme.issued_on
            if unit.numchild:
                body = (Body.COMMITTEE if target.kind.startswith("supervision")
                        else Body.INSPECTION_COMMISSION)  # fmt: skip
                issuer = "ĐU" if body == Body.COMMITTEE else "UBKTĐU"
            else:
                body, issuer = Body.CELL, "CB"
            for day in self.conclusion_days(count, floor, today):
                self.case(
                    unit=unit, body=body, kind=target.kind, issuer=issuer, target=target,
                    subjects=self.subjects_for(unit, cells), status=S.CONCLUDED, floor=floor,
                    concluded_on=day, violation=rng.random() < 0.06,
                )  # fmt: skip
            if count < target.quantity and rng.random() < (0.6 if profile == ON_TRACK else 0.3):
                self.case(
                    unit=unit, body=body, kind=target.kind, issuer=issuer, target=target,
                    subjects=self.subjects_for(unit, cells), floor=floor,
                    status=S.IN_PROGRESS if rng.random() < 0.6 else S.DECIDED,
                )  # fmt: skip

    def subjects_for(self, unit, cells) -> list[dict]:
        if cells:
            return [{"kind": CaseSubject.Kind.ORGANIZATION, "organization": self.rng.choice(cells)}]
        return [self.member() for _ in range(self.rng.choice((1, 1, 2)))]

    def member_cases(self, cell, targets, profile) -> None:
        """A cell supervising its members in batches of one to three (the target counts
        members, so each member subject counts once)."""
        rng, today = self.rng, self.today
        for target in targets:
            expect = expected(target.quantity, target.programme.starts_on, target.due_on, today)
            (count,) = done_for(profile, [target.quantity], [expect])
            floor = target.programme.issued_on
            batches = []
            while count > 0:
                size = min(count, rng.choice((1, 2, 2, 3)))
                batches.append(size)
                count -= size
            for size, day in zip(batches, self.conclusion_days(len(batches), floor, today),
                                 strict=True):  # fmt: skip
                self.concluded_in_bulk(
                    unit=cell, kind=target.kind, target=target, floor=floor, concluded_on=day,
                    subjects=[self.member() for _ in range(size)],
                    title=f"Giám sát thường xuyên {size} đảng viên",
                )  # fmt: skip

    def concluded_in_bulk(self, *, unit, kind, target, floor, concluded_on, subjects, title,
                          body: str = Body.CELL, issuer: str = "CB"):  # fmt: skip
        """A concluded case without a violation toward a target (a cell's on its members,
        a unit's own programme's), kept for one bulk insert at the end (with one history
        row per case and subject): these are most of the demo's cases and the services'
        four writes each would double the seeding time. Built with the same dates and
        numbers as `case` and checked with full_clean: the fields here, the table's
        constraints by the database at the insert (Django's check of each costs a query,
        a few seconds over the demo's ~3,000 rows)."""
        dates = self.timeline(S.CONCLUDED, floor, concluded_on)
        decision = self.numbers.take(unit, body, issuer, dates["decided_on"].year)
        number = parse_document_number(decision)
        case = Case(
            organization=unit, body=body, kind=kind, year=self.year, target=target,
            title=title, decision_number=number.text, decision_serial=number.serial,
            decision_issuer=number.issuer, status=S.CONCLUDED,
            conclusion_number=self.numbers.take(unit, body, issuer, dates["concluded_on"].year,
                                                 "TB"),
            violation_found=False, shortcomings_found=self.rng.random() < 0.25,
            created_by=self.user, **dates,
        )  # fmt: skip
        case.summary = (
            "Có khuyết điểm, yêu cầu kiểm điểm rút kinh nghiệm." if case.shortcomings_found
            else "Chấp hành tốt; không có vi phạm, khuyết điểm."
        )  # fmt: skip
        case.full_clean(exclude=["target", *CHECKED_IN_SERVICES], validate_constraints=False)
        self.bulk.append((case, [CaseSubject(**subject) for subject in subjects]))

    def write_bulk(self) -> None:
        cases = [case for case, _subjects in self.bulk]
        for case, members in self.bulk:
            counts = subject_counts((m.kind, m.is_committee_member) for m in members)
            for name, value in counts.items():
                setattr(case, name, value)
        search.fill_search_text(cases)
        bulk_create_with_history(cases, Case, default_user=self.user, batch_size=500)
        subjects = []
        for case, members in self.bulk:
            for subject in members:
                subject.case = case
                subject.full_clean(validate_constraints=False)
                subject.refresh_search_text()
                subjects.append(subject)
        bulk_create_with_history(subjects, CaseSubject, default_user=self.user, batch_size=500)
        self.cases += cases
        self.bulk = []

    def commune(self, programme: Programme, in_force) -> None:
        commune, rng = programme.organization, self.rng
        self.named(programme, in_force[commune.pk], body=Body.COMMITTEE, issuer="ĐU")
        for cell in Organization.objects.filter(parent=commune).order_by("path"):
            profile = rng.choice((AHEAD, ON_TRACK, ON_TRACK, LAGGING))
            if profile == LAGGING:
                self.lagging.add(cell.pk)
            self.quota_cases(cell, in_force[cell.pk], profile, [])

    # -- the units' own programmes

    def own_programmes(self, own: dict[Programme, list[Target]]) -> None:
        """The cases of each unit's own programme, recorded by the body that issued it
        (a committee's, a commission's, a cell's) against its targets: as many concluded as
        the programme's profile gives by today, one under way now and then where work is
        behind. A committee or commission examines the units right below its own, a cell
        its members (in bulk, like the cells' quotas)."""
        province = self.tree.province
        children: dict[int, list[Organization]] = defaultdict(list)
        for unit in Organization.objects.filter(
            path__startswith=province.path, depth__gt=province.depth
        ).order_by("path"):
            children[unit.parent_id].append(unit)  # type: ignore[index]
        groups: dict[tuple, list[Programme]] = defaultdict(list)
        for programme in own:
            unit = programme.organization
            top = unit.path[: len(province.path) + Organization.steplen]  # bloc or commune
            groups[(top, unit.unit_kind, unit.has_cell_committee, programme.body)].append(programme)
        for (*_where, body), programmes in groups.items():
            deck = COMMISSION_PROFILES if body == Body.INSPECTION_COMMISSION else OWN_PROFILES
            profiles = [deck[i % len(deck)] for i in range(len(programmes))]
            self.rng.shuffle(profiles)
            self.rng.shuffle(programmes)
            # A unit behind on the quotas from above is the one behind on its own
            # programme too, as in life (and the bloc's lagging figure stays what it was).
            profiles.sort(key=lambda profile: profile != LAGGING)
            programmes.sort(key=lambda p: p.organization_id not in self.lagging)
            for programme, profile in zip(programmes, profiles, strict=True):
                targets = own[programme]
                expect = [expected(t.quantity, t.programme.starts_on, t.due_on, self.today)
                          for t in targets]  # fmt: skip
                if profile == ON_TRACK:
                    # Keeping to the schedule: what is due by today (rounded up) is done.
                    done = [min(t.quantity, math.ceil(e)) for t, e in zip(targets, expect,
                                                                          strict=True)]  # fmt: skip
                else:
                    done = done_for(profile, [t.quantity for t in targets], expect)
                below = children[programme.organization_id]
                for target, count in zip(targets, done, strict=True):
                    self.own_target_cases(programme, target, count, profile, below)

    def own_target_cases(self, programme, target, count, profile, below) -> None:
        """`count` (in the target's counting unit) concluded toward one target of a unit's
        own programme and, when that leaves it short, now and then one case under way."""
        rng, unit, body = self.rng, programme.organization, programme.body
        floor, issuer, short = programme.issued_on, issuer_of(unit, body), count < target.quantity
        if body == Body.CELL:
            below = []  # a cell examines its members
        sizes = [1] * count  # a case each, on one unit below or one member
        if target.counts == Target.Counts.MEMBERS:
            sizes = []
            while count > 0:
                sizes.append(min(count, rng.choice((1, 2, 2, 3))))
                count -= sizes[-1]
        for size, day in zip(sizes, self.conclusion_days(len(sizes), floor, self.today),
                             strict=True):  # fmt: skip
            subjects = (
                self.subjects_for(unit, below) if below
                else [self.member() for _ in range(size)]
            )  # fmt: skip
            self.concluded_in_bulk(
                unit=unit, body=body, issuer=issuer, kind=target.kind, target=target,
                floor=floor, concluded_on=day, subjects=subjects,
                title=self.title_on(target.kind, below, size),
            )  # fmt: skip
        if short and rng.random() < (0.6 if profile == ON_TRACK else 0.35):
            self.case(
                unit=unit, body=body, kind=target.kind, issuer=issuer, target=target,
                subjects=self.subjects_for(unit, below), floor=floor,
                status=S.IN_PROGRESS if rng.random() < 0.6 else S.DECIDED,
                title=self.title_on(target.kind, below, 1),
            )  # fmt: skip

    def title_on(self, kind: str, below: list[Organization], members: int) -> str:
        if below:
            return title_of(kind)
        if kind == K.SUPERVISION_REGULAR:
            return f"Giám sát thường xuyên {members} đảng viên"
        return f"{title_of(kind)} đối với {members} đảng viên"
