"""The figures of the commission's other records for a subtree and a period, per body
(chủ thể) and for all bodies: letters received by kind, denunciations received, concluded
and overdue, disciplinary complaints by result, suspensions by kind and reason, and
discipline by form (the decisions in force at the period's end). Counts only: no name of
a sender, an accused or a disciplined member is ever read here.

One query whatever the subtree: each record's grouped counts are one SELECT of a UNION ALL
(the subtree by the path prefix of the unit that holds the record, served by the path
index; the period by the records' (organization, date) indexes).

The rules, each with the day the figures are as of (`ends_on`: the period's end, or today
while it runs):

- a letter is received by the subtree on its row's `received_on` when the row entered the
  subtree: received from outside ktgs (no `forwarded_from`) or forwarded in from a unit
  outside the subtree. A forwarding chain inside the subtree counts once (COUNT DISTINCT
  Coalesce(root, id)), under the body of the row through which it entered;
- a denunciation is received on `received_on`, concluded (handled) on `concluded_on`;
  overdue as of `ends_on` is cases.deadlines.status(deadline, concluded_on if concluded by
  then, ends_on) == OVERDUE, among those in hand during the period (received by its end,
  not concluded before its start): still open after the deadline, or concluded in the
  period after it. Due soon and overdue "today" (the dashboard) are the same rule as of
  `today` among those not concluded by then. A cancelled case has no deadline figure;
- a complaint is received on `lodged_on`, decided (by result) on `decided_on`;
- a suspension counts in the period it starts in;
- a discipline decision counts in the period it was decided in if it is still in force at
  the period's end (cases.queries.disciplines_in_force): one annulled or changed later in
  the period no longer counts; the decision that replaced a changed one counts from the
  change's date, under its own form and deciding body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines
from cases.models import (
    Case,
    CaseSubject,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    Suspension,
)
from cases.queries import DECIDING_GROUPS, disciplines_in_force
from ktgs.models import Organization
from plans.models import ActivityKind
from reports.models import ALL_BODIES
from reports.queries import compiled
from reports.queries.bodies import BODY_ORDER, body_label
from reports.queries.sources import Source

DISCIPLINE_FORMS = (
    DisciplineDecision.Form.REPRIMAND,
    DisciplineDecision.Form.WARNING,
    DisciplineDecision.Form.REMOVAL_FROM_POST,
    DisciplineDecision.Form.EXPULSION,
    DisciplineDecision.Form.DISSOLUTION,
    DisciplineDecision.Form.STRUCK_OFF,
)
# Who decided a discipline, as the official table splits it: the party committees (cấp
# ủy, its standing committee, a cell) apart from the inspection commissions (UBKT).
DECIDERS = DECIDING_GROUPS
DECIDER_LABELS = {
    "committee": gettext_lazy("Cấp ủy, ban thường vụ, chi bộ"),
    "inspection_commission": gettext_lazy("Ủy ban kiểm tra"),
}
# The suspensions the reports name by their reason: "bị khởi tố, bắt tạm giam".
LEGAL_REASONS = (Suspension.Reason.PROSECUTED, Suspension.Reason.DETAINED)


@dataclass
class DisciplineLine:
    """One form of discipline: organisations and members are counted apart (never one
    "total" that adds organisations to members)."""

    form: str
    label: str
    organizations: int = 0
    members: int = 0
    committee_members: int = 0


@dataclass
class LetterLine:
    """Letters of one kind received in the period; of them, anonymous or false-name ones
    (nặc danh, mạo tên: kept for information, never handled as denunciations)."""

    kind: str
    label: str
    received: int = 0
    anonymous: int = 0


@dataclass
class SuspensionLine:
    """Suspensions of one kind for one reason that started in the period; of them, of
    committee members."""

    kind: str
    reason: str
    label: str
    reason_label: str
    count: int = 0
    committee_members: int = 0


@dataclass
class Denunciations:
    received: int = 0
    concluded: int = 0
    overdue: int = 0  # as of the period's end
    pending: int = 0  # in hand at the period's end, not concluded
    due_soon_today: int = 0
    overdue_today: int = 0


@dataclass
class BodyRecords:
    """The records of one body of the subtree's units, or of all bodies (body "")."""

    body: str
    label: str
    letters: list[LetterLine] = field(default_factory=list)  # one per Letter.Kind
    denunciations: Denunciations = field(default_factory=Denunciations)
    complaints_received: int = 0
    complaints: dict[str, int] = field(default_factory=dict)  # decided, per result
    suspensions: list[SuspensionLine] = field(default_factory=list)
    discipline: list[DisciplineLine] = field(default_factory=list)  # per form, then total

    @property
    def letters_received(self) -> int:
        return sum(line.received for line in self.letters)

    @property
    def letters_anonymous(self) -> int:
        return sum(line.anonymous for line in self.letters)

    @property
    def complaints_decided(self) -> int:
        return sum(self.complaints.values())

    @property
    def suspended(self) -> int:
        return sum(line.count for line in self.suspensions)

    @property
    def discipline_total(self) -> DisciplineLine:
        return self.discipline[-1]

    @property
    def is_empty(self) -> bool:
        d = self.denunciations
        return not (
            self.letters_received
            or d.received
            or d.concluded
            or d.overdue
            or d.pending
            or d.due_soon_today
            or d.overdue_today
            or self.complaints_received
            or self.complaints_decided
            or self.suspended
            or self.discipline_total.organizations
            or self.discipline_total.members
        )


@dataclass
class Records:
    """The subtree's records for [starts_on, ends_on], and the deadlines as of `today`:
    all bodies first, then each body with any record, in the order of the bodies."""

    organization: Organization
    starts_on: date
    ends_on: date
    today: date
    bodies: list[BodyRecords]

    @property
    def all(self) -> BodyRecords:
        return self.bodies[0]

    @property
    def by_body(self) -> list[BodyRecords]:
        return self.bodies[1:]


def _empty(body: str) -> BodyRecords:
    found = BodyRecords(body=body, label=body_label(body))
    found.letters = [LetterLine(kind=k.value, label=str(k.label)) for k in Letter.Kind]
    found.complaints = dict.fromkeys(DisciplineComplaint.Result.values, 0)
    found.discipline = [
        DisciplineLine(form=str(form), label=str(form.label)) for form in DISCIPLINE_FORMS
    ]
    found.discipline.append(DisciplineLine(form="", label=_("Tổng cộng")))
    return found


_ZERO = Value(0, output_field=IntegerField())
_NONE = Value("")
# The columns of every part of the union, in this order.
_COLUMNS = ("r_section", "r_body", "r_key", "r_sub", "r_a", "r_b", "r_c", "r_d", "r_e", "r_f")


def _part(queryset: QuerySet, section: str, body, key, sub, **counts) -> QuerySet:
    """One SELECT of the union: (section, body, key, sub) and six counts (zero when not
    given), grouped by body, key and sub."""
    grouped = (
        queryset.order_by()
        .annotate(r_section=Value(section), r_body=body, r_key=key, r_sub=sub)
        .values("r_section", "r_body", "r_key", "r_sub")
    )
    names = ("r_a", "r_b", "r_c", "r_d", "r_e", "r_f")
    return grouped.annotate(**{name: counts.get(name, _ZERO) for name in names}).values_list(
        *_COLUMNS
    )


def _of_subtree(queryset: QuerySet, unit: str, path: str, *, top: bool, lookup: bool) -> QuerySet:
    """`queryset`'s records held by a unit of the subtree at `path`, `unit` naming the
    record's unit ("organization", "case__organization"). `top`: the subtree's unit is a
    top-level one (the nation's); `lookup`: the subtree holds a large share of the tree
    (large_share).

    - Any other subtree: its units by the path index, the records joined to them (hashed
      for a province's ~10,000 units at the national profile).
    - `lookup`: each record's unit looked up by the primary key, cheaper than hashing the
      subtree's units when these are a large share of the tree (a province of the 10%
      profile: a quarter of it).
    - `top`: not even that while no other top-level unit exists (asked once, by
      org_depth_name_idx; PostgreSQL tries an OR's arms in order), as then every unit is
      in the subtree. At the national profile the nation's records statement took 336 ms
      with the units' scans and lookups for its 57,392 letters, 13,413 denunciations and
      3,042 suspensions, 132 ms without.
    """
    if not (top or lookup):
        return queryset.filter(**{f"{unit}__path__startswith": path})
    unit_path = Subquery(
        Organization.objects.filter(pk=OuterRef(f"{unit}_id")).order_by().values("path")
    )
    in_subtree = Q(r_unit_path__startswith=path)
    if top:
        in_subtree = Q(~Exists(_other_top_units(path))) | in_subtree
    return queryset.alias(r_unit_path=unit_path).filter(in_subtree)


def _other_top_units(path: str) -> QuerySet:
    """The top-level units but the one at `path`."""
    return Organization.objects.filter(depth=1).exclude(path=path)


def _letters(path: str, start: date, end: date, *, top: bool, lookup: bool) -> QuerySet:
    """The letters that entered the subtree in [start, end], per body and kind, with the
    all-bodies figures in the same read: r_a, r_b count the body's chains (all, those from
    anonymous or false-name senders), r_c, r_d the chains whose first entered row of the
    kind (by id) is the body's, which add up over the bodies to each chain once (a chain
    may enter a subtree twice, forwarded out of it and back in through another body).
    Two reads, one per grouping, cost ~13 ms each of a province's dashboard at the 10%
    profile.

    Counting each chain at its first row of the body too (plain counts, no COUNT
    DISTINCT, whose sort was ~15 ms of the nation's dashboard at the national profile)
    took two more EXISTS: their planning cost ~1 ms of every dashboard, the small units'
    too (a grassroots unit's records 3.9 -> 5.4 ms at the 10% profile), which are most
    of the dashboards read."""
    unhandled = Q(sender_kind__in=Letter.UNHANDLED_SENDERS)
    # An earlier entered row of the same chain and kind (the same sender kinds for the
    # anonymous count): only a forwarded copy (root set) can have one, as the first row
    # of a chain has the smallest id.
    earlier = _entered_letters(path, start, end, top=top, lookup=lookup).filter(
        Q(root_id=OuterRef("root_id")) | Q(pk=OuterRef("root_id")),
        kind=OuterRef("kind"),
        pk__lt=OuterRef("pk"),
    )
    first = Q(root__isnull=True) | Q(~Exists(earlier))
    first_unhandled = unhandled & (Q(root__isnull=True) | Q(~Exists(earlier.filter(unhandled))))
    chain = Coalesce("root_id", "id")
    return _part(
        _entered_letters(path, start, end, top=top, lookup=lookup),
        "letters",
        F("body"),
        F("kind"),
        _NONE,
        r_a=Count(chain, distinct=True),
        r_b=Count(chain, distinct=True, filter=unhandled),
        r_c=Count(chain, distinct=True, filter=first),
        r_d=Count(chain, distinct=True, filter=first_unhandled),
    )


def _entered_letters(path: str, start: date, end: date, *, top: bool, lookup: bool) -> QuerySet:
    """The letters of the subtree's units received in [start, end], but the copies
    forwarded from a unit of the subtree (they entered it once, as the row they came
    from). `top`, `lookup`: _of_subtree; for the nation's while it is the only top-level
    unit, no copy entered it."""
    # The unit a copy came from is looked up for each copy (two primary keys). Joined,
    # PostgreSQL hashed every unit of the tree and every letter for it (~9 ms of a
    # province's dashboard at the 10% profile, for each read), for the tenth of the
    # letters that are copies.
    came_from = Subquery(
        Letter.objects.filter(pk=OuterRef("forwarded_from_id"))
        .order_by()
        .values("organization__path")
    )
    from_outside = ~Q(came_from__startswith=path)
    if top:
        from_outside = Q(Exists(_other_top_units(path))) & from_outside
    received = Letter.objects.filter(received_on__gte=start, received_on__lte=end)
    return (
        _of_subtree(received, "organization", path, top=top, lookup=lookup)
        .alias(came_from=came_from)
        .filter(Q(forwarded_from__isnull=True) | from_outside)
    )


def _denunciations(
    path: str,
    start: date,
    end: date,
    today: date,
    *,
    top: bool,
    lookup: bool,
    lower: date,
    upper: date,
    soon: date,
) -> QuerySet:
    """`lower`, `upper`: the earlier of `start` and `today`, the later of `end` and
    `today`; `soon`: `today` + cases.deadlines.DUE_SOON_DAYS (given, not derived here: see
    _STAND_INS). `top`, `lookup`: _of_subtree."""
    deadline = Coalesce("extended_to", "due_on")
    live = ~Q(case__status=Case.Status.CANCELLED)

    def open_on(day: date) -> Q:
        """Received by `day` and not concluded by then."""
        return Q(received_on__lte=day) & (Q(concluded_on__isnull=True) | Q(concluded_on__gt=day))

    in_hand = Q(received_on__lte=end) & (Q(concluded_on__isnull=True) | Q(concluded_on__gte=start))
    # cases.deadlines.status as of `end`: done by then and late, or not done and past due.
    overdue_at_end = (
        live
        & in_hand
        & (
            Q(concluded_on__lte=end, concluded_on__gt=F("r_deadline"))
            | (open_on(end) & Q(r_deadline__lt=end))
        )
    )
    # Those concluded before the period and before today take no part in any figure.
    found = _of_subtree(
        Denunciation.objects.filter(
            Q(concluded_on__isnull=True) | Q(concluded_on__gte=lower),
            received_on__lte=upper,
            # Every denunciation's case is of this kind (cases.services.recording keeps
            # it): said, so that the case's unit, body and status come from the index of
            # those cases alone (case_denunciation_idx).
            case__kind=ActivityKind.DENUNCIATION,
        ),
        "case__organization",
        path,
        top=top,
        lookup=lookup,
    ).annotate(r_deadline=deadline)
    return _part(
        found,
        "denunciations",
        F("case__body"),
        _NONE,
        _NONE,
        r_a=Count("id", filter=Q(received_on__gte=start, received_on__lte=end)),
        r_b=Count("id", filter=Q(concluded_on__gte=start, concluded_on__lte=end)),
        r_c=Count("id", filter=overdue_at_end),
        r_d=Count("id", filter=live & in_hand & open_on(end)),
        r_e=Count(
            "id", filter=live & open_on(today) & Q(r_deadline__gte=today, r_deadline__lte=soon)
        ),
        r_f=Count("id", filter=live & open_on(today) & Q(r_deadline__lt=today)),
    )


def _complaints(path: str, start: date, end: date, *, top: bool, lookup: bool) -> QuerySet:
    lodged = Q(lodged_on__gte=start, lodged_on__lte=end)
    decided = Q(decided_on__gte=start, decided_on__lte=end)
    found = _of_subtree(
        DisciplineComplaint.objects.filter(lodged | decided),
        "case__organization",
        path,
        top=top,
        lookup=lookup,
    )
    return _part(
        found,
        "complaints",
        F("case__body"),
        F("result"),
        _NONE,
        r_a=Count("id", filter=lodged),
        r_b=Count("id", filter=decided),
    )


def _suspensions(path: str, start: date, end: date, *, top: bool, lookup: bool) -> QuerySet:
    found = _of_subtree(
        Suspension.objects.filter(starts_on__gte=start, starts_on__lte=end),
        "organization",
        path,
        top=top,
        lookup=lookup,
    )
    return _part(
        found,
        "suspensions",
        F("body"),
        F("kind"),
        F("reason"),
        r_a=Count("id"),
        r_b=Count("id", filter=Q(is_committee_member=True)),
    )


def _disciplines(path: str, start: date, end: date, *, top: bool, lookup: bool) -> QuerySet:
    """`top`, `lookup`: _of_subtree."""
    # Counted where it was decided: by the bodies of the subtree's units. A province of
    # a tree of many looked its decisions' units up one by one too, but that reads every
    # decision of the tree: at the national profile 12-20 ms against 4-5 ms joined.
    found = _of_subtree(
        disciplines_in_force(end).filter(decided_on__gte=start),
        "deciding_organization",
        path,
        top=top,
        lookup=lookup,
    )
    # Grouped by the subject's kind (organisation or member), asked per decision: joined,
    # the subjects made PostgreSQL hash all of them (a sequential scan of every case's
    # subjects: ~100 ms of the nation's dashboard at 10%). Asked of the partial index of
    # the organisation subjects (subject_organization_idx), as a scalar subquery that
    # selects a constant: a member (nearly every disciplined subject) is a miss there and
    # reads no row of the subjects' table, where reading each subject's kind by the
    # primary key did (~17 ms of the nation's dashboard at the national profile, its
    # 6,827 decisions). Not EXISTS: PostgreSQL may run that one as a hashed subplan that
    # reads every organisation subject (115,000 at the national profile, ~70 ms). A
    # subject is an organisation or a member (subject_kind_has_identity).
    organization = Value(CaseSubject.Kind.ORGANIZATION.value)
    subject_kind = Coalesce(
        Subquery(
            CaseSubject.objects.filter(
                pk=OuterRef("subject_id"), kind=CaseSubject.Kind.ORGANIZATION
            )
            .order_by()
            .annotate(found=organization)
            .values("found")
        ),
        Value(CaseSubject.Kind.MEMBER.value),
    )
    return _part(
        found,
        "disciplines",
        F("deciding_body"),
        F("form"),
        subject_kind,
        r_a=Count("id"),
        r_b=Count("id", filter=Q(is_committee_member=True)),
    )


def _add_letters(target: BodyRecords, kind: str, counts: list[int]) -> None:
    line = next(x for x in target.letters if x.kind == kind)
    line.received += counts[0]
    line.anonymous += counts[1]


def _add_denunciations(target: BodyRecords, key: str, sub: str, counts: list[int]) -> None:
    d = target.denunciations
    d.received += counts[0]
    d.concluded += counts[1]
    d.overdue += counts[2]
    d.pending += counts[3]
    d.due_soon_today += counts[4]
    d.overdue_today += counts[5]


def _add_complaints(target: BodyRecords, result: str, sub: str, counts: list[int]) -> None:
    target.complaints_received += counts[0]
    if result:
        target.complaints[result] = target.complaints.get(result, 0) + counts[1]


def _add_suspensions(target: BodyRecords, kind: str, reason: str, counts: list[int]) -> None:
    line = next((x for x in target.suspensions if (x.kind, x.reason) == (kind, reason)), None)
    if line is None:
        line = SuspensionLine(
            kind=kind,
            reason=reason,
            label=str(dict(Suspension.Kind.choices).get(kind, kind)),
            reason_label=str(dict(Suspension.Reason.choices).get(reason, reason)),
        )
        target.suspensions.append(line)
    line.count += counts[0]
    line.committee_members += counts[1]


def _add_disciplines(target: BodyRecords, form: str, subject_kind: str, counts: list[int]) -> None:
    """`counts`: the decisions of the form on subjects of the kind, and of them those on a
    committee member (counted for members only)."""
    organizations = counts[0] if subject_kind == CaseSubject.Kind.ORGANIZATION else 0
    members, committee_members = (
        (counts[0], counts[1]) if subject_kind == CaseSubject.Kind.MEMBER else (0, 0)
    )
    for line in (
        next((x for x in target.discipline if x.form == form), None),
        target.discipline[-1],
    ):
        if line is not None:
            line.organizations += organizations
            line.members += members
            line.committee_members += committee_members


_ADD = {
    "denunciations": _add_denunciations,
    "complaints": _add_complaints,
    "suspensions": _add_suspensions,
    "disciplines": _add_disciplines,
}


def _union(
    path: str, start: date, end: date, today: date, *, top: bool, lookup: bool, **derived: date
) -> QuerySet:
    return _letters(path, start, end, top=top, lookup=lookup).union(
        _denunciations(path, start, end, today, top=top, lookup=lookup, **derived),
        _complaints(path, start, end, top=top, lookup=lookup),
        _suspensions(path, start, end, top=top, lookup=lookup),
        _disciplines(path, start, end, top=top, lookup=lookup),
        all=True,
    )


# The union's SQL is the same for every unit and period: only its parameters change, and
# building and compiling its six grouped SELECTs through the ORM cost ~5 ms of every
# dashboard (benchmark F6). It is compiled once per database vendor and subtree shape
# (reports.queries.compiled) with these stand-ins for the values. Every date of the
# statement is one of them (no date is a constant of these rules): a date worked out from
# one inside the builders would be compiled in as a constant, hence `lower`, `upper` and
# `soon` are given to them.
_STAND_IN_PATH = "~records-subtree~"
_STAND_INS: dict[str, Any] = {
    "start": date(1901, 1, 1),
    "end": date(1902, 1, 1),
    "today": date(1903, 1, 1),
    "lower": date(1904, 1, 1),
    "upper": date(1905, 1, 1),
    "soon": date(1906, 1, 1),
}


def _statement(*, top: bool, lookup: bool) -> compiled.Statement:
    """The union for this connection's vendor and the subtree's shape (`top`: a top-level
    unit's, which takes its path too; `lookup`: a large share of the tree)."""
    stand_ins = {"prefix": compiled.like_prefix(_STAND_IN_PATH), **_STAND_INS}
    if top:
        stand_ins["path"] = _STAND_IN_PATH
    return compiled.statement(
        ("records", top, lookup),
        lambda: _union(_STAND_IN_PATH, **_STAND_INS, top=top, lookup=lookup),
        stand_ins,
    )


# Fewer second-level units than this (the root's children: provinces and central bodies):
# each holds a large share of the tree (about a tenth or more of its units and records;
# the 10% profile has 4, the national one 40).
FEW_SECOND_LEVEL_UNITS = 10


def large_share(organization: Organization, second_level_units: int | None) -> bool:
    """Whether `organization`'s subtree holds a large share of the tree: the nation, or
    a second-level unit when there are fewer than FEW_SECOND_LEVEL_UNITS of them
    (`second_level_units`: the root's children, when the caller has read the root; a
    caller that has not gets the join, the shape for a tree of many provinces)."""
    if organization.depth == 1:
        return True
    return (
        organization.depth == 2
        and second_level_units is not None
        and second_level_units < FEW_SECOND_LEVEL_UNITS
    )


def records(
    organization: Organization,
    *,
    starts_on: date,
    ends_on: date,
    today: date,
    second_level_units: int | None = None,
) -> Records:
    """The subtree's records for [starts_on, ends_on] and its deadlines as of `today`, per
    body and for all bodies: one query (see the module's docstring for each rule).
    `second_level_units`: the root's children, when the caller has read the root
    (large_share: the shape of the discipline decisions' read)."""
    values: dict[str, Any] = {
        "prefix": compiled.like_prefix(organization.path),
        "start": starts_on,
        "end": ends_on,
        "today": today,
        "lower": min(starts_on, today),
        "upper": max(ends_on, today),
        "soon": today + timedelta(days=deadlines.DUE_SOON_DAYS),
    }
    top = organization.depth == 1
    if top:
        values["path"] = organization.path
    rows = _statement(top=top, lookup=large_share(organization, second_level_units)).rows(values)
    found: dict[str, BodyRecords] = {ALL_BODIES: _empty(ALL_BODIES)}
    every = found[ALL_BODIES]
    for section, body, key, sub, *counts in rows:
        if body not in found:
            found[body] = _empty(body)
        if section == "letters":
            # The body's chains, and those it adds to all bodies (_letters).
            _add_letters(found[body], key, counts[:2])
            _add_letters(every, key, counts[2:4])
            continue
        # Every other record has one body: all bodies add them up.
        for target in (found[body], every):
            _ADD[section](target, key, sub, counts)
    kind_order = {value: index for index, value in enumerate(Suspension.Kind.values)}
    reason_order = {value: index for index, value in enumerate(Suspension.Reason.values)}
    for body_records in found.values():
        body_records.suspensions.sort(
            key=lambda x: (kind_order.get(x.kind, 9), reason_order.get(x.reason, 9))
        )
    # Each body with any record in the figures (a body's denunciations all concluded
    # before the period come back as a line of zeros).
    bodies = [every] + [
        found[body]
        for body in BODY_ORDER
        if body != ALL_BODIES and body in found and not found[body].is_empty
    ]
    return Records(
        organization=organization,
        starts_on=starts_on,
        ends_on=ends_on,
        today=today,
        bodies=bodies,
    )


def records_of_source(
    organization: Organization,
    source: Source,
    *,
    today: date,
    second_level_units: int | None = None,
) -> Records:
    """records() for a report period's source: from the period's cumulative start (1
    January, or the term's start) to the day its figures are as of (its end, or today
    while it runs)."""
    assert source.period is not None, "no records for a missing period"
    return records(
        organization,
        starts_on=source.period.cumulative_start,
        ends_on=source.day(),
        today=today,
        second_level_units=second_level_units,
    )
