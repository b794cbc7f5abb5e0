"""The generator of the synthetic year: the tree loaded as Units, then one provincial-level
subtree at a time turned into programme, target, case, subject and discipline rows."""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from cases.services.subjects import subject_counts
from devtools.synthetic.year.records import RecordsBuilder
from devtools.synthetic.year.vocabulary import (
    AHEAD,
    ARISING_KINDS,
    ARISING_PER_UNIT,
    CASES,
    COMMITTEE_ISSUER,
    CONCLUDED,
    DECIDED,
    FAMILY,
    IN_PROGRESS,
    ISSUED,
    LAGGING,
    MEMBER,
    MEMBERS,
    MIDDLE,
    NAMED_KINDS,
    ON_TRACK,
    ORG,
    POSITIONS,
    PROGRAMME_BODY,
    QUOTAS,
    SHARES,
    SUMMARIES,
    TITLES,
    TOPICS,
    K,
    L,
)
from devtools.synthetic.year.writer import Table
from ktgs.models import Organization
from plans.models import Body


@dataclass
class Unit:
    id: int
    parent_id: int | None
    path: str
    level: str
    members: int
    code: str
    children: list[Unit] = field(default_factory=list)


class Owner(NamedTuple):
    """A programme that sets targets for the units below its unit."""

    programme_id: int
    issued: int  # day of the year (0 = 1 January)
    quota: tuple  # ((kind, quantity), …) for each grassroots unit below
    share: Decimal  # % of members each cell supervises
    cells_inspect: bool  # cells also inspect one or two members


class YearBuilder:
    def __init__(self, *, seed: int, today: datetime.date, tables: dict[str, Table]):
        self.today = today
        self.year = today.year
        self.rng = random.Random(f"synthetic-year-{seed}-{self.year}")
        start = datetime.date(self.year, 1, 1)
        self.start = start
        self.days = [start + datetime.timedelta(days=i) for i in range(430)]
        self.today_index = (today - start).days
        self.year_end = (datetime.date(self.year, 12, 31) - start).days
        self.now = timezone.now()
        self.t = tables
        self.serials: dict[str, int] = defaultdict(int)
        self.people = 0
        self.started_targets = 0
        self.records = RecordsBuilder(
            seed=seed, year=self.year, days=self.days, today_index=self.today_index,
            now=self.now, tables=tables,
        )  # fmt: skip

    # -- numbers and dates

    def number(self, issuer: str, doc_type: str = "QĐ") -> tuple[str, str]:
        self.serials[issuer] += 1
        serial = str(self.serials[issuer])
        return f"{serial}-{doc_type}/{issuer}", serial

    def conclusions(self, count: int, floor: int, latest: int) -> list[int]:
        latest = min(latest, self.today_index)
        low = min(floor + 21, latest)
        randint = self.rng.randint
        return [randint(low, latest) for _ in range(count)]

    def timeline(self, status: str, floor: int, concluded: int | None) -> tuple:
        randint, today = self.rng.randint, self.today_index
        floor = min(floor, today)
        if status == CONCLUDED:
            assert concluded is not None
            work_end = concluded - randint(2, 8)
            work_start = work_end - randint(4, 15)
            decided = max(floor, work_start - randint(3, 10))
            work_start = max(work_start, decided)
            work_end = max(work_end, work_start)
        elif status == IN_PROGRESS:
            decided = max(floor, today - randint(12, 45))
            work_start = min(today, decided + randint(3, 10))
            work_end = work_start + randint(15, 30)
        else:
            decided = max(floor, today - randint(1, 10))
            work_start = decided + randint(5, 15)
            work_end = work_start + randint(7, 15)
        days = self.days
        return days[decided], days[work_start], days[work_end]

    # -- rows

    def member(self) -> tuple:
        rng = self.rng
        self.people += 1
        position, committee, head = POSITIONS[rng.randrange(len(POSITIONS))]
        name = f"{FAMILY[rng.randrange(10)]} {MIDDLE[rng.randrange(8)]} Mẫu {self.people}"
        return MEMBER, None, name, position, committee, head

    def org_subject(self, unit_id: int) -> tuple:
        return ORG, unit_id, "", "", False, False

    def case(
        self,
        *,
        unit: Unit,
        body: str,
        issuer: str,
        kind: str,
        target_id: int | None,
        status: str,
        floor: int,
        subjects: list[tuple],
        concluded: int | None = None,
        violation: bool = False,
        title: str | None = None,
        deciding: Unit | None = None,
    ) -> int:
        rng = self.rng
        decided_on, work_starts_on, work_ends_on = self.timeline(status, floor, concluded)
        decision, serial = self.number(issuer)
        case_id = self.t["cases"].new_id()
        found: bool | None = violation
        shortcomings: bool | None = None
        concluded_on: datetime.date | None = None
        summary = conclusion = ""
        if status == CONCLUDED:
            assert concluded is not None
            shortcomings = violation or rng.random() < 0.3
            summary = SUMMARIES[2 if violation else 1 if shortcomings else 0]
            conclusion = f"{serial}-TB/{issuer}"
            concluded_on = self.days[concluded]
        else:
            found = violation = False
        self.t["cases"].add((
            case_id, unit.id, body, kind, self.year, target_id, title or TITLES[kind],
            decision, serial, issuer, decided_on, work_starts_on, work_ends_on, status,
            concluded_on, conclusion, found if concluded_on else None, shortcomings, summary,
            self.now, *subject_counts((s[0], s[4]) for s in subjects).values(),
        ))  # fmt: skip
        subject_ids = []
        subjects_table = self.t["subjects"]
        for subject in subjects:
            subject_id = subjects_table.new_id()
            subjects_table.add((subject_id, case_id, *subject))
            subject_ids.append((subject_id, subject))
        if violation and deciding is not None:
            # The level above decides on a member of this unit.
            members = [(i, s) for i, s in subject_ids if s[0] == MEMBER]
            if members and concluded is not None and rng.random() < 0.6:
                subject_id, subject = members[0]
                issuer_above = f"UBKT-{deciding.code}"
                number, dserial = self.number(issuer_above)
                day = self.days[min(self.today_index, concluded + rng.randint(5, 20))]
                form = rng.choice(("reprimand", "reprimand", "warning", "removal_from_post"))
                discipline_id = self.t["disciplines"].new_id()
                self.t["disciplines"].add((
                    discipline_id, case_id, subject_id, form, number, dserial,
                    issuer_above, day, deciding.id, Body.INSPECTION_COMMISSION.value,
                    subject[4], self.now,
                ))  # fmt: skip
                self.records.discipline(
                    discipline_id, (day - self.start).days, subject[2], deciding.path
                )
        if kind in (K.DENUNCIATION, K.DISCIPLINE_COMPLAINT):
            self.records.handling_case(
                unit=unit, body=body, case_id=case_id, kind=kind,
                decided=(decided_on - self.start).days,
                concluded=concluded if status == CONCLUDED else None, violation=violation,
                accused=subjects[0],
            )  # fmt: skip
        return case_id

    def programme(self, unit: Unit) -> tuple[int, int]:
        """(programme id, day index it was issued)."""
        rng = self.rng
        issued = min(rng.randint(4, 40), self.today_index)
        prefix = {L.PROVINCIAL: "TU", L.UPPER_GRASSROOTS: "UBKT"}.get(unit.level, "ĐU")
        issuer = f"{prefix}-{unit.code}"
        doc_type = "CTr" if unit.level == L.PROVINCIAL else "KH"
        serial = str(rng.randint(1, 150))
        programme_id = self.t["programmes"].new_id()
        self.t["programmes"].add((
            programme_id, unit.id, PROGRAMME_BODY[unit.level], "year", self.year, self.year,
            f"Chương trình kiểm tra, giám sát năm {self.year}", f"{serial}-{doc_type}/{issuer}",
            serial, doc_type, issuer, self.year, self.days[issued], self.days[0],
            self.days[self.year_end], ISSUED, self.now,
        ))  # fmt: skip
        return programme_id, issued

    def target(self, programme_id, unit_id, kind, counts, quantity, due, *, share=None,
               subject_id=None, subject_text="") -> int:  # fmt: skip
        target_id = self.t["targets"].new_id()
        self.t["targets"].add((
            target_id, programme_id, unit_id, kind, counts, quantity, share, subject_id,
            subject_text, self.days[due],
        ))  # fmt: skip
        return target_id

    def done(self, profile: int, quantity: int, due: int) -> int:
        """How much of a target is done by today for a unit of `profile`."""
        rng = self.rng
        expected = quantity * min(1.0, self.today_index / max(due, 1))
        if profile == AHEAD:
            return quantity + (rng.random() < 0.08)
        if profile == ON_TRACK:
            return min(quantity, round(expected * rng.uniform(0.8, 1.15)))
        # Most lagging units have not started yet; the others have done under half.
        return 0 if rng.random() < 0.7 else math.floor(expected * rng.uniform(0.0, 0.55))

    # -- the tree

    def province(self, top: Unit) -> None:
        """Everything of one provincial-level subtree (pre-order walk)."""
        rng = self.rng
        programmes: dict[int, Owner] = {}
        self.records.province_started()
        stack = [top]
        profile_of: dict[int, int] = {}
        while stack:
            unit = stack.pop()
            stack.extend(reversed(unit.children))
            if unit.level in PROGRAMME_BODY and (unit.level != L.GRASSROOTS or unit.children):
                programme_id, issued = self.programme(unit)
                # The quota pattern, the members' share and whether cells also inspect
                # members are one choice per programme, as a real programme states them.
                programmes[unit.id] = Owner(
                    programme_id,
                    issued,
                    rng.choice(QUOTAS),
                    rng.choice(SHARES),
                    rng.random() < 0.6,
                )
                if unit.level != L.GRASSROOTS:
                    count = rng.randint(18, 32) if unit.level == L.PROVINCIAL else rng.randint(3, 9)
                    self.named(unit, programme_id, issued, count)
            if unit.level == L.GRASSROOTS:
                profile_of[unit.id] = rng.choices((AHEAD, ON_TRACK, LAGGING), (25, 40, 35))[0]
                self.quota(unit, programmes, profile_of[unit.id])
            elif unit.level == L.CELL:
                self.member_share(unit, programmes, profile_of)
            self.arising(unit)
            self.records.unit(unit)
        self.records.province_finished()

    def named(self, unit: Unit, programme_id: int, issued: int, count: int) -> None:
        rng = self.rng
        subjects = unit.children or [unit]
        body = PROGRAMME_BODY[unit.level]
        issuer = ("UBKT-" if body == Body.INSPECTION_COMMISSION else
                  f"{COMMITTEE_ISSUER[unit.level]}-") + unit.code  # fmt: skip
        profile = rng.choices((AHEAD, ON_TRACK, LAGGING), (25, 50, 25))[0]
        for index in range(count):
            kind = NAMED_KINDS[index % len(NAMED_KINDS)]
            subject = subjects[rng.randrange(len(subjects))]
            month = 2 + index * 11 // count  # end of February … end of December
            due = (datetime.date(self.year + month // 12, month % 12 + 1, 1) - self.start).days - 1
            target_id = self.target(
                programme_id, unit.id, kind, CASES, 1, due, subject_id=subject.id,
                subject_text=TOPICS[index % len(TOPICS)],
            )  # fmt: skip
            today = self.today_index
            if profile == AHEAD:
                done = due <= today + 60 or rng.random() < 0.3
            elif profile == ON_TRACK:
                done = due <= today or (due <= today + 30 and rng.random() < 0.5)
            else:
                done = due <= today and rng.random() < 0.5
            if done:
                concluded = self.conclusions(1, max(issued, due - 50), min(due + 10, today))[0]
                self.started_targets += 1
                self.case(unit=unit, body=body, issuer=issuer, kind=kind, target_id=target_id,
                          status=CONCLUDED, floor=issued, concluded=concluded,
                          subjects=[self.org_subject(subject.id)],
                          violation=rng.random() < 0.05)  # fmt: skip
            elif due <= today + 45 and rng.random() < 0.6:
                self.case(unit=unit, body=body, issuer=issuer, kind=kind, target_id=target_id,
                          status=IN_PROGRESS if rng.random() < 0.7 else DECIDED, floor=issued,
                          subjects=[self.org_subject(subject.id)])  # fmt: skip

    def quota(self, unit: Unit, programmes, profile: int) -> None:
        """A grassroots unit's quota, set by its parent's programme, and its cases."""
        owner = programmes.get(unit.parent_id or 0)
        if owner is None:
            return
        rng = self.rng
        programme_id, issued, pattern = owner.programme_id, owner.issued, owner.quota
        cells = [c for c in unit.children if c.level == L.CELL] or unit.children
        for kind, quantity in pattern:
            target_id = self.target(programme_id, unit.id, kind, CASES, quantity, self.year_end)
            done = self.done(profile, quantity, self.year_end)
            if unit.children:
                body = (Body.COMMITTEE.value if kind.startswith("supervision")
                        else Body.INSPECTION_COMMISSION.value)  # fmt: skip
                issuer = ("ĐU-" if body == Body.COMMITTEE else "UBKT-") + unit.code
            else:
                body, issuer = Body.CELL.value, f"CB-{unit.code}"
            if done:
                self.started_targets += 1
            for concluded in self.conclusions(done, issued, self.today_index):
                subjects = (
                    [self.org_subject(cells[rng.randrange(len(cells))].id)]
                    if cells
                    else [self.member() for _ in range(1 + (rng.random() < 0.3))]
                )
                self.case(unit=unit, body=body, issuer=issuer, kind=kind, target_id=target_id,
                          status=CONCLUDED, floor=issued, concluded=concluded,
                          subjects=subjects, violation=rng.random() < 0.04)  # fmt: skip
            if done < quantity and rng.random() < 0.35:
                subjects = (
                    [self.org_subject(cells[rng.randrange(len(cells))].id)]
                    if cells
                    else [self.member()]
                )
                self.case(unit=unit, body=body, issuer=issuer, kind=kind, target_id=target_id,
                          status=IN_PROGRESS if rng.random() < 0.6 else DECIDED, floor=issued,
                          subjects=subjects)  # fmt: skip

    def member_share(self, cell: Unit, programmes, profile_of) -> None:
        """A cell's member-supervision target (in its grassroots committee's programme) and
        its cases: one to three members each."""
        rng = self.rng
        grassroots = self.grassroots_of[cell.id]
        owner = programmes.get(grassroots)
        if owner is None:
            return
        programme_id, issued, share = owner.programme_id, owner.issued, owner.share
        quantity = max(1, math.ceil(share * cell.members / 100))
        target_id = self.target(programme_id, cell.id, K.SUPERVISION_REGULAR, MEMBERS,
                                quantity, self.year_end, share=share)  # fmt: skip
        profile = profile_of.get(grassroots, ON_TRACK)
        if rng.random() < 0.25:
            profile = rng.choice((AHEAD, ON_TRACK, LAGGING))
        left = min(quantity, self.done(profile, quantity, self.year_end))
        if left:
            self.started_targets += 1
        issuer = f"CB-{cell.code}"
        while left > 0:
            size = min(left, rng.choice((1, 1, 1, 1, 2, 3)))
            left -= size
            concluded = self.conclusions(1, issued, self.today_index)[0]
            self.case(unit=cell, body=Body.CELL.value, issuer=issuer,
                      kind=K.SUPERVISION_REGULAR, target_id=target_id, status=CONCLUDED,
                      floor=issued, concluded=concluded,
                      subjects=[self.member() for _ in range(size)])  # fmt: skip
        if not owner.cells_inspect:
            return
        # Three programmes in five also ask each cell to inspect one or two members.
        quantity = 1 + (cell.members >= 25)
        target_id = self.target(programme_id, cell.id, K.INSPECTION_COMPLIANCE, MEMBERS,
                                quantity, self.year_end)  # fmt: skip
        done = min(quantity, self.done(profile, quantity, self.year_end))
        if done:
            self.started_targets += 1
        for concluded in self.conclusions(done, issued, self.today_index):
            self.case(unit=cell, body=Body.CELL.value, issuer=issuer,
                      kind=K.INSPECTION_COMPLIANCE, target_id=target_id, status=CONCLUDED,
                      floor=issued, concluded=concluded, subjects=[self.member()],
                      title="Kiểm tra đảng viên chấp hành Điều lệ Đảng",
                      violation=rng.random() < 0.03)  # fmt: skip

    def arising(self, unit: Unit) -> None:
        rng = self.rng
        mean = ARISING_PER_UNIT.get(unit.level, 0)
        count = int(mean) + (rng.random() < mean - int(mean))
        if not count:
            return
        if unit.level in (L.CELL, L.PARTIAL):
            body, issuer = Body.CELL.value, f"CB-{unit.code}"
        else:
            body, issuer = Body.INSPECTION_COMMISSION.value, f"UBKT-{unit.code}"
        deciding = self.units.get(unit.parent_id or 0, unit)
        for _ in range(count):
            kind = ARISING_KINDS[rng.randrange(len(ARISING_KINDS))]
            draw = rng.random()
            status = CONCLUDED if draw < 0.8 else IN_PROGRESS if draw < 0.95 else DECIDED
            if kind.startswith("supervision") and unit.children:
                subjects = [self.org_subject(rng.choice(unit.children).id)]
            else:
                subjects = [self.member() for _ in range(1 + (rng.random() < 0.25))]
            violation = status == CONCLUDED and rng.random() < (
                0.5 if kind in (K.INSPECTION_VIOLATION, K.DENUNCIATION) else 0.05
            )
            self.case(unit=unit, body=body, issuer=issuer, kind=kind, target_id=None,
                      status=status, floor=0, subjects=subjects, violation=violation,
                      concluded=self.conclusions(1, 0, self.today_index)[0]
                      if status == CONCLUDED else None,
                      deciding=deciding)  # fmt: skip

    def load(self, root: Organization) -> list[Unit]:
        """The units under `root` as a tree; returns the provincial-level ones' roots
        (the children of the root)."""
        units: dict[int, Unit] = {}
        rows = (
            Organization.objects.filter(path__startswith=root.path)
            .order_by("path")
            .values_list("id", "parent_id", "path", "level", "member_count", "code")
        )
        for pk, parent_id, path, level, members, code in rows.iterator(chunk_size=20000):
            unit = Unit(pk, parent_id, path, level, members, code)
            units[pk] = unit
            parent = units.get(parent_id) if parent_id else None
            if parent is not None:
                parent.children.append(unit)
        self.units = units
        self.grassroots_of: dict[int, int] = {}
        for unit in units.values():  # path order: a parent comes before its children
            parent = units.get(unit.parent_id or 0)
            if parent is None:
                continue
            if parent.level == L.GRASSROOTS:
                self.grassroots_of[unit.id] = parent.id
            elif parent.id in self.grassroots_of:
                self.grassroots_of[unit.id] = self.grassroots_of[parent.id]
        return units[root.pk].children
