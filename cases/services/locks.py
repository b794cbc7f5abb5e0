"""Record locks: the records an approved period report counted may not change.

reports approves a unit's report for a period and calls `lock_records`; reopening calls
`unlock_records`. A record counts in a unit's report when it is held by the unit or a
unit below it and one of its counting dates falls in the report's period, so a lock of a
unit covers its whole subtree (never its parent's nor a sibling's records).

Every write service of cases takes a `Counted` of the record before and after the change
(one function per record kind below, the only statement of the rule) and calls
`check_change`, which calls `check_unlocked` before anything is written:

- a new or removed record: every counting date it has;
- a change to what the report counts about the record whatever the day (its unit, body,
  kind, …: the "facts" column): every counting date before (under the old unit) and
  after (under the new one), since a figure moves out of a period as much as into it;
- otherwise only the dates of the slots that changed, before and after (a conclusion, a
  decision, a lift: the date of the new act); a later act on an old record that changes
  no figure of a locked period goes through (a suspension of August lifted in November,
  a case decided in March concluded in November);
- a change to a case's subjects touches every counting date of the case
  (`check_touched`);
- an act the record keeps no date of (extending a suspension: its new end) is checked
  by its day (`acts`); a new discipline decision also by its day under the unit of the
  case it was decided in (what the case found, as of that day).

record (counted_*)  unit held by           facts: any change     slots: counting date (what)
                                           checks every date
------------------  ---------------------  --------------------  ---------------------------------
case                organization           kind, body, year,     concluded: concluded_on while
                                           target                concluded or closed (findings)
discipline          deciding_organization  subject, form,        decided: decided_on;
                                           deciding body,        ended: ended_on (replaced by:
                                           committee member      annulled or changed)
letter              organization           body, kind, sender    received: received_on;
                                           kind, about, where    handled: handled_on (handling,
                                           forwarded from        forwarded to, case)
denunciation        its case's             case body, case       received: received_on;
                    organization           cancelled             deadline: extended_to or due_on
                                                                 (overdue at a period's end);
                                                                 concluded: concluded_on (verdict)
complaint           its case's             case body, the        lodged: lodged_on;
                    organization           discipline            decided: decided_on (result)
suspension          organization           body, kind, reason,   starts: starts_on;
                                           subject, committee    lifted: lifted_on (outcome);
                                           member                an extension: its new end (act)

The case a denunciation or complaint is handled in is a case like any other: concluding
it is checked as a case and as the denunciation or complaint. Closing a concluded case
changes no figure (both states count from `concluded_on`) and goes through. Moving a unit
in the tree (ktgs.services) is below cases and is not checked here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _g

from cases.models import (
    Case,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    RecordLock,
    Suspension,
)
from ktgs.models import Organization


def lock_records(
    *,
    key: str,
    organization: Organization,
    starts_on: datetime.date,
    ends_on: datetime.date,
    report: str,
) -> RecordLock:
    """Lock (or re-lock, idempotently) the records of `organization`'s subtree counted
    between the two dates, under `key`."""
    lock, _created = RecordLock.objects.update_or_create(
        key=key,
        defaults={
            "organization": organization,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "report": report,
        },
    )
    return lock


def unlock_records(*, key: str) -> int:
    deleted, _by_model = RecordLock.objects.filter(key=key).delete()
    return deleted


def lock_on(organization: Organization, days: Iterable[datetime.date | None]) -> RecordLock | None:
    """The lock that holds a record of `organization` with these counting dates, if any
    (one query: the locks of the unit and its ancestors)."""
    wanted = sorted({day for day in days if day is not None})
    if not wanted:
        return None
    locks = RecordLock.objects.filter(
        organization__path__in=[*organization.ancestor_paths(), organization.path],
        starts_on__lte=wanted[-1],
        ends_on__gte=wanted[0],
    ).order_by("starts_on", "pk")
    for lock in locks:
        if any(lock.starts_on <= day <= lock.ends_on for day in wanted):
            return lock
    return None


def check_unlocked(organization: Organization, *days: datetime.date | None) -> None:
    """Refuse (ValidationError, no field: the whole record) a change to a record of
    `organization` whose counting dates fall in a locked report's period."""
    lock = lock_on(organization, days)
    if lock is not None:
        raise ValidationError(
            _g(
                "Không thể thay đổi: hồ sơ này đã được tính trong báo cáo “%(report)s” "
                "(%(start)s – %(end)s) đã được duyệt. Lãnh đạo đơn vị duyệt báo cáo phải mở "
                "lại báo cáo trước khi sửa."
            )
            % {
                "report": lock.report,
                "start": formats.date_format(lock.starts_on, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(lock.ends_on, "SHORT_DATE_FORMAT"),
            },
            code="locked",
        )


@dataclass(frozen=True)
class Counted:
    """What a period report counts about one record as it is now: the unit that holds it
    (the subtree it counts in), the facts counted whatever the day, and per slot a
    counting date with what is counted on that date."""

    organization: Organization
    facts: tuple = ()
    slots: dict[str, tuple[datetime.date | None, tuple]] = field(default_factory=dict)

    def days(self) -> list[datetime.date | None]:
        return [day for day, _what in self.slots.values()]


def counted_case(case: Case) -> Counted:
    counting = case.status in Case.COUNTING
    return Counted(
        case.organization,
        facts=(case.organization_id, case.kind, case.body, case.year, case.target_id),
        slots={
            "concluded": (
                case.concluded_on if counting else None,
                (case.violation_found, case.shortcomings_found) if counting else (),
            )
        },
    )


def counted_discipline(decision: DisciplineDecision) -> Counted:
    return Counted(
        decision.deciding_organization,
        facts=(
            decision.deciding_organization_id,
            decision.subject_id,
            decision.form,
            decision.deciding_body,
            decision.is_committee_member,
        ),
        slots={
            "decided": (decision.decided_on, ()),
            "ended": (decision.ended_on, (decision.replaced_by_id,)),
        },
    )


def counted_letter(letter: Letter) -> Counted:
    return Counted(
        letter.organization,
        facts=(
            letter.organization_id,
            letter.body,
            letter.kind,
            letter.sender_kind,
            letter.about_kind,
            letter.about_organization_id,
            letter.about_is_committee_member,
            letter.forwarded_from_id,
        ),
        slots={
            "received": (letter.received_on, ()),
            "handled": (
                letter.handled_on,
                (letter.handling, letter.forwarded_to_id, letter.case_id),
            ),
        },
    )


def counted_denunciation(denunciation: Denunciation, case: Case | None = None) -> Counted:
    """`case`: its case as it is now, when the caller holds a newer copy than
    `denunciation.case`."""
    case = case or denunciation.case
    return Counted(
        case.organization,
        facts=(case.organization_id, case.body, case.status == Case.Status.CANCELLED),
        slots={
            "received": (denunciation.received_on, ()),
            "deadline": (denunciation.deadline, ()),
            "concluded": (denunciation.concluded_on, (denunciation.conclusion,)),
        },
    )


def counted_complaint(complaint: DisciplineComplaint, case: Case | None = None) -> Counted:
    case = case or complaint.case
    return Counted(
        case.organization,
        facts=(case.organization_id, case.body, complaint.discipline_id),
        slots={
            "lodged": (complaint.lodged_on, ()),
            "decided": (complaint.decided_on, (complaint.result, complaint.new_form)),
        },
    )


def counted_suspension(suspension: Suspension) -> Counted:
    return Counted(
        suspension.organization,
        facts=(
            suspension.organization_id,
            suspension.body,
            suspension.kind,
            suspension.reason,
            suspension.member_name,
            suspension.subject_organization_id,
            suspension.is_committee_member,
        ),
        slots={
            "starts": (suspension.starts_on, ()),
            "lifted": (suspension.lifted_on, (suspension.outcome,)),
        },
    )


def check_change(
    before: Counted | None, after: Counted | None, *acts: datetime.date | None
) -> None:
    """Refuse a change from `before` to `after` (None: the record is new, or removed)
    that would change a figure of a locked report, or an act dated in a locked period
    (`acts`, under the unit of `after`). See the module's table."""
    if before is None or after is None or before.facts != after.facts:
        if before is not None:
            check_unlocked(before.organization, *before.days())
        if after is not None:
            check_unlocked(after.organization, *after.days(), *acts)
        return
    changed: list[datetime.date | None] = []
    for name, (day, what) in after.slots.items():
        old = before.slots.get(name, (None, ()))
        if old != (day, what):
            changed += [old[0], day]
    check_unlocked(after.organization, *changed, *acts)


def check_touched(counted: Counted) -> None:
    """Refuse a change to what the report counts of a record on every one of its dates
    (a case's subjects)."""
    check_unlocked(counted.organization, *counted.days())
