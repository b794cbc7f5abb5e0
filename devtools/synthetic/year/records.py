"""The commission's other records of the synthetic year: letters received (with forwarding
chains), the handling of denunciations and of disciplinary complaints, and suspensions.

Without them the benchmark and the load test read empty tables wherever a page shows the
records (every dashboard, the period report, the records' lists), so they would measure
none of that work. Volumes are assumptions of this generator, not published figures: a
provincial commission receives ~120 letters a year, an upper-grassroots one ~8, a
grassroots committee with units below it one letter every three years or so (the 10pct
profile: 6,600 letter rows, forwarded copies included, and 309 suspensions). Each arising
case of kind `denunciation` gets its letter and its Denunciation, each of kind
`discipline_complaint` its DisciplineComplaint against an earlier discipline decision of
a unit below the case's (when there is one), as cases.services would write them.

The generator draws from a random stream of its own, and numbers its people and documents
apart from the year's: the programmes, targets, cases, subjects and discipline decisions
of a seed are the same as they were before the records existed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import TYPE_CHECKING

from cases.models import DeadlineRule, DisciplineComplaint, Letter, Suspension
from devtools.synthetic.year.vocabulary import COMMITTEE_ISSUER, FAMILY, MIDDLE, POSITIONS, K, L
from plans.models import Body

if TYPE_CHECKING:
    from devtools.synthetic.year.builder import Unit

# The levels with an inspection commission (a grassroots unit only with units below it:
# a grassroots cell has none; _has_commission).
COMMISSION_LEVELS = (L.PROVINCIAL, L.UPPER_GRASSROOTS, L.GRASSROOTS)
# Mean letters received a year by a unit's bodies, by level.
LETTERS_PER_UNIT = {L.PROVINCIAL: 120, L.UPPER_GRASSROOTS: 8, L.GRASSROOTS: 0.3}
LETTER_KINDS = (Letter.Kind.DENUNCIATION.value, Letter.Kind.PETITION.value,
                Letter.Kind.FEEDBACK.value, Letter.Kind.DISCIPLINE_COMPLAINT.value)  # fmt: skip
LETTER_KIND_WEIGHTS = (35, 30, 27, 8)
SENDERS = (Letter.SenderKind.NAMED.value, Letter.SenderKind.ANONYMOUS.value,
           Letter.SenderKind.FALSE_NAME.value, Letter.SenderKind.NO_ADDRESS.value)  # fmt: skip
SENDER_WEIGHTS = (70, 20, 5, 5)
LETTER_SUMMARIES = {
    Letter.Kind.DENUNCIATION.value: "Tố cáo vi phạm trong quản lý, sử dụng đất đai",
    Letter.Kind.PETITION.value: "Kiến nghị xem xét lại việc đánh giá, xếp loại đảng viên",
    Letter.Kind.FEEDBACK.value: "Phản ánh việc thực hiện quy chế dân chủ ở cơ sở",
    Letter.Kind.DISCIPLINE_COMPLAINT.value: "Khiếu nại quyết định kỷ luật",
}
H = Letter.Handling
NAMED = Letter.SenderKind.NAMED.value
UNHANDLED = tuple(sender.value for sender in Letter.UNHANDLED_SENDERS)
ORGANIZATION = Letter.AboutKind.ORGANIZATION.value
MEMBER = Letter.AboutKind.MEMBER.value
# Mean suspensions decided a year by a unit, by level.
SUSPENSIONS_PER_UNIT = {L.PROVINCIAL: 6, L.UPPER_GRASSROOTS: 0.6, L.GRASSROOTS: 0.02}
SUSPENSION_KINDS = (Suspension.Kind.PARTY_ACTIVITY.value,
                    Suspension.Kind.COMMITTEE_ACTIVITY.value,
                    Suspension.Kind.ORGANIZATION_ACTIVITY.value)  # fmt: skip
SUSPENSION_KIND_WEIGHTS = (80, 15, 5)
ORGANIZATION_ACTIVITY = Suspension.Kind.ORGANIZATION_ACTIVITY.value
# Suspension decisions are numbered from here in their issuer's series, past the numbers
# of the year's cases (the year builder numbers those from 1).
SUSPENSION_SERIALS_FROM = 5000
OTHER_REASON = "Có dấu hiệu vi phạm đang được xem xét"
REASONS = tuple(reason.value for reason in Suspension.Reason)
REASON_WEIGHTS = (50, 30, 12, 8)
OUTCOMES = (Suspension.Outcome.REINSTATED.value, Suspension.Outcome.DISCIPLINED.value,
            Suspension.Outcome.EXPELLED.value)  # fmt: skip
# People of the records are numbered from here ("… Mẫu 5000001"), apart from the subjects.
PEOPLE_FROM = 5_000_000
IC = Body.INSPECTION_COMMISSION.value


class RecordsBuilder:
    """Writes the records into the year's tables (devtools.synthetic.year.writer.tables);
    `days`, `today_index` and `now` are the year builder's (day 0 is 1 January)."""

    def __init__(self, *, seed: int, year: int, days, today_index: int, now, tables):
        self.rng = random.Random(f"synthetic-records-{seed}-{year}")
        self.days = days
        self.today_index = today_index
        self.now = now
        self.t = tables
        self.people = PEOPLE_FROM
        self.serials: dict[str, int] = defaultdict(int)
        # The rules in force, by (kind, level); level "" for every level without its own.
        self.rules = {
            (rule.kind, rule.level): rule for rule in DeadlineRule.objects.filter(is_active=True)
        }
        # The province's discipline decisions not yet complained of: (id, day, name, the
        # deciding unit's path); and its complaint cases: (case id, the unit's path,
        # decided, concluded), matched once the province is walked.
        self.disciplines: list[tuple[int, int, str, str]] = []
        self.complaint_cases: list[tuple[int, str, int, int | None]] = []

    # -- what the year builder calls

    def province_started(self) -> None:
        self.disciplines, self.complaint_cases = [], []

    def province_finished(self) -> None:
        """The complaints of the province's complaint cases: the decisions they contest
        are those of the units below (the walk meets those after the case's unit)."""
        for case_id, path, decided, concluded in self.complaint_cases:
            self._complaint(case_id, path, decided, concluded)

    def discipline(self, discipline_id: int, day: int, name: str, deciding_path: str) -> None:
        """A discipline decision of the province (on the member `name`, on day index
        `day`, by the unit of `deciding_path`), which a complaint may contest."""
        self.disciplines.append((discipline_id, day, name, deciding_path))

    def unit(self, unit: Unit) -> None:
        """The letters a unit's bodies received and the suspensions it decided."""
        if not _has_commission(unit):
            return
        for _ in range(self._count(LETTERS_PER_UNIT.get(unit.level, 0))):
            self._letter(unit)
        for _ in range(self._count(SUSPENSIONS_PER_UNIT.get(unit.level, 0))):
            self._suspension(unit)

    def handling_case(
        self,
        *,
        unit: Unit,
        body: str,
        case_id: int,
        kind: str,
        decided: int,
        concluded: int | None,
        violation: bool,
        accused: tuple,
    ) -> None:
        """The record behind an arising case of kind `denunciation` or
        `discipline_complaint`: `decided`, `concluded` are day indexes, `accused` its
        first subject as the year builder writes subjects (kind, unit id, name, position,
        committee member, head)."""
        if kind == K.DENUNCIATION:
            self._denunciation(unit, body, case_id, decided, concluded, violation, accused)
        elif kind == K.DISCIPLINE_COMPLAINT:
            self.complaint_cases.append((case_id, unit.path, decided, concluded))

    # -- helpers

    def _rule(self, kind: str, level: str) -> DeadlineRule | None:
        return self.rules.get((kind, level)) or self.rules.get((kind, ""))

    def _person(self) -> str:
        rng = self.rng
        self.people += 1
        return f"{FAMILY[rng.randrange(10)]} {MIDDLE[rng.randrange(8)]} Mẫu {self.people}"

    def _count(self, mean: float) -> int:
        rng = self.rng
        if mean >= 5:
            return rng.randint(round(mean * 0.7), round(mean * 1.3))
        return int(mean) + (rng.random() < mean - int(mean))

    def _serial(self, key: str) -> int:
        self.serials[key] += 1
        return self.serials[key]

    # -- rows

    def _letter(self, unit: Unit) -> None:
        rng, today = self.rng, self.today_index
        received = rng.randint(0, today)
        kind = rng.choices(LETTER_KINDS, LETTER_KIND_WEIGHTS)[0]
        sender = rng.choices(SENDERS, SENDER_WEIGHTS)[0]
        body = IC
        if unit.level == L.PROVINCIAL and rng.random() < 0.2:
            body = Body.STANDING_COMMITTEE.value
        if today - received < 7 and rng.random() < 0.7:
            handling = H.PENDING.value
        elif sender in UNHANDLED:
            handling = H.KEPT.value  # anonymous or false-name: kept for information
        else:
            handling = rng.choices(
                (H.HANDLED_HERE.value, H.FORWARDED.value, H.KEPT.value), (55, 30, 15)
            )[0]
        # Forwarded to a unit below that has a commission of its own.
        below = [child for child in unit.children if _has_commission(child)]
        if handling == H.FORWARDED and not below:
            handling = H.HANDLED_HERE.value
        handled = None if handling == H.PENDING else min(today, received + rng.randint(1, 15))
        destination = below[rng.randrange(len(below))] if handling == H.FORWARDED else None
        first = self._write_letter(
            unit, body, received, kind, sender, handling, handled, forwarded_to=destination
        )
        if destination is None:
            return
        assert handled is not None
        # The copy the unit below classifies and handles in its turn.
        arrived = min(today, handled + rng.randint(0, 3))
        copy = H.PENDING.value
        if today - arrived >= 10:
            copy = rng.choice((H.HANDLED_HERE.value, H.HANDLED_HERE.value, H.KEPT.value))
        copy_handled = None if copy == H.PENDING else min(today, arrived + rng.randint(1, 20))
        self._write_letter(
            destination, IC, arrived, kind, sender, copy, copy_handled, forwarded_from=first
        )

    def _write_letter(
        self,
        unit: Unit,
        body: str,
        received: int,
        kind: str,
        sender: str,
        handling: str,
        handled: int | None,
        *,
        forwarded_to: Unit | None = None,
        forwarded_from: int | None = None,
        about: tuple | None = None,
    ) -> int:
        rng, days = self.rng, self.days
        letters = self.t["letters"]
        letter_id = letters.new_id()
        if about is None:
            if unit.children and rng.random() < 0.25:
                child = unit.children[rng.randrange(len(unit.children))]
                about = (ORGANIZATION, child.id, "", "", False)
            else:
                position, committee, _head = POSITIONS[rng.randrange(len(POSITIONS))]
                about = (MEMBER, None, self._person(), position, committee)
        # A copy is only ever made of a chain's first row here: that row is its root.
        root = forwarded_from
        letters.add((
            letter_id, unit.id, body, days[received],
            f"{self._serial('letter ' + unit.code)}/Đ-{unit.code}", sender,
            self._person() if sender == NAMED else "", kind, *about, LETTER_SUMMARIES[kind],
            handling, days[handled] if handled is not None else None,
            forwarded_to.id if forwarded_to is not None else None, None, forwarded_from, root,
            self.now,
        ))  # fmt: skip
        return letter_id

    def _denunciation(
        self,
        unit: Unit,
        body: str,
        case_id: int,
        decided: int,
        concluded: int | None,
        violation: bool,
        accused: tuple,
    ) -> None:
        rule = self._rule(DeadlineRule.Kind.DENUNCIATION, unit.level)
        if rule is None:
            return
        rng = self.rng
        received = max(0, decided - rng.randint(3, 20))
        kind, organization_id, name, position, committee = accused[:5]
        about = (
            (ORGANIZATION, organization_id, "", "", False)
            if kind == ORGANIZATION
            else (MEMBER, None, name, position, committee)
        )
        # The named letter it came from, handled by opening the handling (as
        # cases.services.denunciations marks it).
        letter_id = self._write_letter(
            unit, body, received, Letter.Kind.DENUNCIATION.value, NAMED, H.HANDLED_HERE.value,
            decided, about=about,
        )  # fmt: skip
        received_on = self.days[received]
        conclusion = ""
        if concluded is not None:
            conclusion = "true" if violation else rng.choice(("partly_true", "untrue", "untrue"))
        denunciations = self.t["denunciations"]
        denunciations.add((
            denunciations.new_id(), case_id, letter_id, received_on, rule.due_on(received_on),
            rule.extension, None, "", conclusion,
            self.days[concluded] if concluded is not None else None, self.now,
        ))  # fmt: skip

    def _complaint(self, case_id: int, path: str, decided: int, concluded: int | None) -> None:
        """A complaint settled by the unit of `path` against a decision of a unit below it
        (the level above the deciding one settles it), when there is one: else the case
        stays without (as an older record would)."""
        rng = self.rng
        contested = [
            d for d in self.disciplines
            if d[1] <= decided - 10 and d[3].startswith(path) and d[3] != path
        ]  # fmt: skip
        if not contested:
            return
        chosen = contested[rng.randrange(len(contested))]
        # One complaint per decision: an open one is unique, and an upheld one is settled.
        self.disciplines.remove(chosen)
        discipline_id, day, name, _deciding = chosen
        received = min(day + rng.randint(1, 5), decided)
        lodged = min(received + rng.randint(1, 20), decided)
        result = DisciplineComplaint.Result.UPHELD.value if concluded is not None else ""
        complaints = self.t["complaints"]
        complaints.add((
            complaints.new_id(), case_id, discipline_id, None, name, self.days[received],
            self.days[lodged], "", result, "",
            self.days[concluded] if concluded is not None else None, self.now,
        ))  # fmt: skip

    def _suspension(self, unit: Unit) -> None:
        rng, days, today = self.rng, self.days, self.today_index
        kind = rng.choices(SUSPENSION_KINDS, SUSPENSION_KIND_WEIGHTS)[0]
        if kind == ORGANIZATION_ACTIVITY and not unit.children:
            kind = SUSPENSION_KINDS[0]
        rule = self._rule(
            DeadlineRule.Kind.SUSPENSION_ORGANIZATION
            if kind == ORGANIZATION_ACTIVITY
            else DeadlineRule.Kind.SUSPENSION_MEMBER,
            unit.level,
        )
        if rule is None:
            return
        starts = rng.randint(0, today)
        decided = max(0, starts - rng.randint(0, 3))
        starts_on = days[starts]
        ends_on = rule.due_on(starts_on)
        name = position = ""
        committee = kind == Suspension.Kind.COMMITTEE_ACTIVITY
        subject = None
        if kind == ORGANIZATION_ACTIVITY:
            subject = unit.children[rng.randrange(len(unit.children))].id
        else:
            position, committee_position, _head = POSITIONS[rng.randrange(len(POSITIONS))]
            name = self._person()
            committee = committee or committee_position
        reason = rng.choices(REASONS, REASON_WEIGHTS)[0]
        lifted, outcome = None, ""
        ends = (ends_on - days[0]).days
        if ends < today and rng.random() < 0.8:
            lifted = days[rng.randint(starts, ends)]
            outcome = rng.choice(OUTCOMES)
        body = Body.COMMITTEE.value if unit.level == L.GRASSROOTS else Body.STANDING_COMMITTEE.value
        issuer = f"{COMMITTEE_ISSUER[unit.level]}-{unit.code}"
        suspensions = self.t["suspensions"]
        suspensions.add((
            suspensions.new_id(), kind, unit.id, body, name, position, committee, subject,
            f"{SUSPENSION_SERIALS_FROM + self._serial(issuer)}-QĐ/{issuer}", days[decided], reason,
            OTHER_REASON if reason == Suspension.Reason.OTHER else "", starts_on, ends_on,
            rule.total_cap, "", lifted, outcome, "", self.now,
        ))  # fmt: skip


def _has_commission(unit: Unit) -> bool:
    """Whether the unit has an inspection commission: from the grassroots level up, but a
    grassroots cell (chi bộ cơ sở, no unit below it) has none."""
    if unit.level == L.GRASSROOTS:
        return bool(unit.children)
    return unit.level in COMMISSION_LEVELS
