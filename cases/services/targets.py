"""The target a case fulfils: which targets are open, the one proposed, the checks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _lazy

from cases.models import Case
from ktgs.models import Organization
from plans.models import Body, Programme, Target

M = TypeVar("M", bound=models.Model)


class _Auto:
    """Sentinel: let the service propose the target (see propose_target)."""

    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()


def reference_date(case: Case) -> datetime.date | None:
    """The date a case is judged at: its decision, else the start of the work."""
    return case.decided_on or case.work_starts_on


@dataclass(frozen=True)
class Work:
    """What a target has, in its counting unit: `done` (concluded by the date, the
    official figure) and `taken` (every case linked to it that is not cancelled, concluded
    or still under way: the work already planned against it)."""

    done: int = 0
    taken: int = 0


def work_on_targets(
    targets: Iterable[Target], *, on: datetime.date | None, exclude_case: int | None = None
) -> dict[int, Work]:
    """Done and taken per target, each counted by the target's rule (cases, subject
    organisations, subject members, subject committee members). One grouped query.

    The place a case is credited to a target here: a case counts for the target it is
    linked to (`Case.target`) or, when an amendment replaced that one, for the target of
    the same lineage given here (the one in force: plans.models.Target.lineage), as the
    roll-up counts it (reports.engine.counting.leaf_figures). _WORK_SQL says the same for
    open_targets' statement on PostgreSQL; tests/cases/test_target_proposal.py holds the
    two to the same answers."""
    targets = list(targets)
    if not targets:
        return {}
    lines = {target.lineage_key for target in targets}
    cases = (
        # Through the lineage's target ids (a subquery): an OR across the join to targets
        # would scan every case.
        Case.objects.filter(
            target_id__in=Target.objects.filter(Q(pk__in=lines) | Q(lineage_id__in=lines)).values(
                "pk"
            )
        )
        .exclude(status=Case.Status.CANCELLED)
        .annotate(line=Coalesce("target__lineage_id", "target_id"))
    )
    if exclude_case is not None:
        cases = cases.exclude(pk=exclude_case)
    done = Q(status__in=Case.COUNTING)
    if on is not None:
        done &= Q(concluded_on__lte=on)
    # A rule that counts subjects adds up the counts each case keeps (Case.SUBJECT_COUNTS):
    # no join with the subjects (benchmark F7, a new case's proposal).
    by_rule: dict[str, str | None] = {
        Target.Counts.CASES: None,
        Target.Counts.ORGANIZATIONS: "subject_organizations",
        Target.Counts.MEMBERS: "subject_members",
        Target.Counts.COMMITTEE_MEMBERS: "subject_committee_members",
    }
    # Only the rules of the targets asked about: each count is compiled and computed.
    aggregates: dict[str, Any] = {}
    for rule in sorted({target.counts for target in targets}):
        field = by_rule[rule]
        if field is None:
            aggregates[f"done_{rule}"] = Count("pk", filter=done)
            aggregates[f"taken_{rule}"] = Count("pk")
        else:
            aggregates[f"done_{rule}"] = Coalesce(Sum(field, filter=done), 0)
            aggregates[f"taken_{rule}"] = Coalesce(Sum(field), 0)
    rows = {row["line"]: row for row in cases.values("line").annotate(**aggregates).order_by()}
    work = {}
    for target in targets:
        row = rows.get(target.lineage_key)
        work[target.pk] = (
            Work(done=row[f"done_{target.counts}"], taken=row[f"taken_{target.counts}"])
            if row
            else Work()
        )
    return work


_UNIT_WORDS = {
    Target.Counts.CASES: _lazy("cuộc"),
    Target.Counts.ORGANIZATIONS: _lazy("tổ chức"),
    Target.Counts.MEMBERS: _lazy("đảng viên"),
    Target.Counts.COMMITTEE_MEMBERS: _lazy("cấp ủy viên"),
}


@dataclass(frozen=True)
class Match:
    """An open target a case may fulfil, with what it still lacks."""

    target: Target
    work: Work

    @property
    def lacking(self) -> int:
        """Still to do by the official count (quantity − concluded), never below 0."""
        return max(0, self.target.quantity - self.work.done)

    @property
    def unclaimed(self) -> int:
        """Still to do once the cases under way are done too: > 0 means the target still
        lacks cases, so a new case belongs there."""
        return max(0, self.target.quantity - self.work.taken)

    @property
    def under_way(self) -> int:
        return max(0, self.work.taken - self.work.done)

    @property
    def unit_word(self) -> str:
        """The target's counting unit: cuộc, tổ chức, đảng viên, cấp ủy viên."""
        return str(_UNIT_WORDS[Target.Counts(self.target.counts)])


def other_body(target: Target, body: str) -> bool:
    """The target is set for its programme's own unit by a body other than `body`: a case
    of `body` would mix two bodies' figures (the reports state each body's apart). A
    target set for a unit below is done by that unit's own bodies and never differs."""
    programme = target.programme
    return target.organization_id == programme.organization_id and programme.body != body


def proposed_of(matches: Iterable[Match], body: str) -> Target | None:
    """The first open target (in open_targets' order) of the case's own body: another
    body's target is never proposed, only chosen and confirmed (see _check_target)."""
    return next((m.target for m in matches if not other_body(m.target, body)), None)


def _matching(*, organization: Organization, kind: str, year: int, on: datetime.date | None):
    """Targets of (unit, kind, year) in force on `on`: for this unit, of this kind, in an
    ISSUED programme covering the year, the programme running that day, the target added on
    or before it and not removed by then. Without a date, the programme only has to cover
    the year and the target must not be removed."""
    targets = Target.objects.filter(
        organization=organization,
        kind=kind,
        programme__status=Programme.Status.ISSUED,
        programme__year__lte=year,
        programme__end_year__gte=year,
    )
    if on is None:
        return targets.filter(removed_by__isnull=True)
    return targets.filter(
        programme__starts_on__lte=on,
        programme__ends_on__gte=on,
    ).filter(
        Q(added_by__isnull=True) | Q(added_by__effective_on__lte=on),
        Q(removed_by__isnull=True) | Q(removed_by__effective_on__gt=on),
    )


def _open_targets_orm(
    *, organization: Organization, kind: str, year: int, on, exclude_case: int | None
) -> list[Match]:
    """open_targets' reading through the ORM (two queries): on a database other than
    PostgreSQL, and the reference the statement below is tested against."""
    targets = list(
        # No order (open_targets' sort is total) and no join to the target's unit, which
        # is `organization` itself.
        _matching(organization=organization, kind=kind, year=year, on=on)
        .select_related("programme__organization", "subject_organization")
        .order_by()
    )
    for target in targets:
        target.organization = organization
    work = work_on_targets(targets, on=on, exclude_case=exclude_case)
    return [Match(target=t, work=work[t.pk]) for t in targets]


def _columns(model: type[models.Model], alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


_ATTNAMES: dict[type[models.Model], list[str]] = {
    model: [field.attname for field in model._meta.concrete_fields]
    for model in (Target, Programme, Organization)
}


def _instance(model: type[M], values: tuple) -> M:
    """A row of `model` read with its concrete fields in order (_columns)."""
    return model.from_db(DEFAULT_DB_ALIAS, _ATTNAMES[model], values)


def _sql_list(values: Iterable[str]) -> str:
    """Choice values (constants of the models, never input) as an SQL list."""
    return ", ".join(f"'{value}'" for value in values)


_DONE_SQL = (
    f"c.status IN ({_sql_list(Case.COUNTING)})"
    " AND (%(on)s::date IS NULL OR c.concluded_on <= %(on)s)"
)
# done_<rule> and taken_<rule> of the lineage of target t, as work_on_targets counts them
# (the same rules, the same lineage: the targets whose COALESCE(lineage_id, id) is t's).
_WORK_SQL = f"""
SELECT
    COUNT(*) FILTER (WHERE {_DONE_SQL}) AS done_{Target.Counts.CASES.value},
    COUNT(*) AS taken_{Target.Counts.CASES.value},
    COALESCE(SUM(c.subject_organizations) FILTER (WHERE {_DONE_SQL}), 0)
        AS done_{Target.Counts.ORGANIZATIONS.value},
    COALESCE(SUM(c.subject_organizations), 0) AS taken_{Target.Counts.ORGANIZATIONS.value},
    COALESCE(SUM(c.subject_members) FILTER (WHERE {_DONE_SQL}), 0)
        AS done_{Target.Counts.MEMBERS.value},
    COALESCE(SUM(c.subject_members), 0) AS taken_{Target.Counts.MEMBERS.value},
    COALESCE(SUM(c.subject_committee_members) FILTER (WHERE {_DONE_SQL}), 0)
        AS done_{Target.Counts.COMMITTEE_MEMBERS.value},
    COALESCE(SUM(c.subject_committee_members), 0)
        AS taken_{Target.Counts.COMMITTEE_MEMBERS.value}
FROM cases_case c
WHERE c.target_id IN (
        SELECT u.id FROM plans_target u
        WHERE (u.id = COALESCE(t.lineage_id, t.id) OR u.lineage_id = COALESCE(t.lineage_id, t.id))
            AND COALESCE(u.lineage_id, u.id) = COALESCE(t.lineage_id, t.id)
    )
    AND c.status <> '{Case.Status.CANCELLED.value}'
    AND (%(exclude_case)s::bigint IS NULL OR c.id <> %(exclude_case)s)
"""
# _open_targets_orm in one PostgreSQL statement: the targets _matching selects, each with
# its programme, the programme's unit, its subject unit and the work on its lineage
# (_WORK_SQL, every rule: each target counts by its own).
_OPEN_TARGETS_SQL = f"""
SELECT {_columns(Target, "t")}, {_columns(Programme, "p")},
    {_columns(Organization, "po")}, {_columns(Organization, "so")}, w.*
FROM plans_target t
JOIN plans_programme p ON p.id = t.programme_id
JOIN ktgs_organization po ON po.id = p.organization_id
LEFT JOIN ktgs_organization so ON so.id = t.subject_organization_id
LEFT JOIN plans_amendment added ON added.id = t.added_by_id
LEFT JOIN plans_amendment removed ON removed.id = t.removed_by_id
CROSS JOIN LATERAL ({_WORK_SQL}) w
WHERE t.organization_id = %(unit)s AND t.kind = %(kind)s
    AND p.status = '{Programme.Status.ISSUED.value}'
    AND p.year <= %(year)s AND p.end_year >= %(year)s
    AND CASE WHEN %(on)s::date IS NULL THEN t.removed_by_id IS NULL
        ELSE p.starts_on <= %(on)s AND p.ends_on >= %(on)s
            AND (t.added_by_id IS NULL OR added.effective_on <= %(on)s)
            AND (t.removed_by_id IS NULL OR removed.effective_on > %(on)s) END
"""


def _open_targets_sql(
    *, organization: Organization, kind: str, year: int, on, exclude_case: int | None
) -> list[Match]:
    """_open_targets_orm in one hand-written statement (benchmark F7: the ORM took longer to
    compile its two queries than PostgreSQL to plan and run them, on every case page).
    Tests hold the two to the same answers (tests/cases/test_target_proposal.py)."""
    params = {
        "unit": organization.pk,
        "kind": str(kind),
        "year": year,
        "on": on,
        "exclude_case": exclude_case,
    }
    sizes = [len(_ATTNAMES[model]) for model in (Target, Programme, Organization, Organization)]
    found = []
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_TARGETS_SQL, params)
        names = [column.name for column in cursor.description]
        for row in cursor.fetchall():
            parts, start = [], 0
            for size in sizes:
                parts.append(row[start : start + size])
                start += size
            target = _instance(Target, parts[0])
            target.organization = organization
            target.programme = _instance(Programme, parts[1])
            target.programme.organization = _instance(Organization, parts[2])
            target.subject_organization = (
                _instance(Organization, parts[3]) if target.subject_organization_id else None
            )
            work = dict(zip(names[start:], row[start:], strict=True))
            found.append(
                Match(
                    target=target,
                    work=Work(
                        done=work[f"done_{target.counts}"], taken=work[f"taken_{target.counts}"]
                    ),
                )
            )
    return found


def open_targets(
    *,
    organization: Organization,
    kind: str,
    year: int,
    on: datetime.date | None,
    exclude_case: int | None = None,
) -> list[Match]:
    """The targets a new case of (unit, kind, year) could fulfil, on the reference date
    `on`: matching (see _matching) and not yet fully done by then. In the order they are
    proposed: those that still lack cases (counting the cases under way) first, then by
    due date, then by id. `exclude_case`: the case being edited, not counted against its
    own target. Each comes with its programme and the programme's unit (_check_target
    reads its path). One query on PostgreSQL (_open_targets_sql), two elsewhere."""
    read = _open_targets_sql if connection.vendor == "postgresql" else _open_targets_orm
    found = read(organization=organization, kind=kind, year=year, on=on, exclude_case=exclude_case)
    found = [m for m in found if m.lacking > 0]
    found.sort(key=lambda m: (m.unclaimed == 0, m.target.due_on, m.target.pk))
    return found


def propose_target(
    *,
    organization: Organization,
    body: str,
    kind: str,
    year: int,
    on: datetime.date | None,
    exclude_case: int | None = None,
) -> Target | None:
    """The target a new case of `body` fulfils, among the open ones of that body (a target
    of the unit's programme of another body is never proposed: see other_body): the only
    one; of several, the one due first that still lacks cases (ties by id); of several all
    under way, the one due first. None (arising) only when no such target is open."""
    found = open_targets(
        organization=organization, kind=kind, year=year, on=on, exclude_case=exclude_case
    )
    return proposed_of(found, body)


def _check_target(case: Case, *, confirm_body_mismatch: bool = False) -> None:
    """A case fulfils a target set for its own unit — by the unit's own programme or by a
    programme of one of its ancestors (a programme sets targets for its unit and the
    units below) — of the same kind, in a programme covering the case's year; a target of
    its unit's own programme only when that programme is the case's body's, unless the
    caller confirms the other body's (`confirm_body_mismatch`)."""
    target = case.target
    if target is None:
        return
    programme = target.programme
    if target.organization_id != case.organization_id or not case.organization.path.startswith(
        programme.organization.path
    ):
        raise ValidationError(
            {"target": _g("Chỉ tiêu này không giao cho đơn vị tiến hành cuộc kiểm tra, giám sát.")},
            code="target_unit",
        )
    if not programme.year <= case.year <= programme.end_year:
        raise ValidationError(
            {"target": _g("Chỉ tiêu thuộc chương trình của năm khác với năm của cuộc này.")},
            code="target_year",
        )
    if target.kind != case.kind:
        raise ValidationError(
            {"target": _g("Loại của chỉ tiêu khác với loại của cuộc kiểm tra, giám sát.")},
            code="target_kind",
        )
    if programme.status == Programme.Status.DRAFT:
        raise ValidationError(
            {"target": _g("Chương trình của chỉ tiêu này chưa được ban hành.")},
            code="target_draft",
        )
    if other_body(target, case.body) and not confirm_body_mismatch:
        names = {"programme": Body(programme.body).label, "case": Body(case.body).label}
        raise ValidationError(
            {
                "target": _g(
                    "Chỉ tiêu này thuộc chương trình của %(programme)s; cuộc này do %(case)s "
                    "tiến hành. Chọn chỉ tiêu của %(case)s, hoặc xác nhận cuộc này thực hiện "
                    "chỉ tiêu của %(programme)s."
                )
                % names
            },
            code="target_body",
        )


def _resolve_target(case: Case, target) -> None:
    if target is AUTO:
        case.target = propose_target(
            organization=case.organization,
            body=case.body,
            kind=case.kind,
            year=case.year,
            on=reference_date(case),
            exclude_case=case.pk,
        )
    else:
        case.target = target
