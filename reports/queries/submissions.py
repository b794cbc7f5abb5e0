"""Reads of the round trip of period reports: a unit's submission and its history, who
may decide on it, the children's status for a parent (submitted / returned / approved /
missing, overdue after the deadline), the comments of a unit, and the parent's report
built from its approved children's figures plus its own records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization, Role
from reports.models import Comment, ReportDeadline, ReportEvent, ReportPeriod, ReportSubmission
from reports.queries.cells import labelled_cells
from reports.queries.period_reports import period_report

MISSING = "missing"  # a child's status when it has sent nothing for the period
_MISSING_LABEL = _("Chưa gửi")
# A child that still owes the report: overdue once the deadline has passed.
OWING = (MISSING, ReportSubmission.Status.RETURNED, ReportSubmission.Status.REOPENED)


def _roles_above(user, organization: Organization, kinds) -> bool:
    """Whether the user holds one of `kinds` on the parent of `organization` or above."""
    if not user.is_authenticated:
        return False
    parent_paths = organization.ancestor_paths()
    if not parent_paths:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(
        user=user, kind__in=kinds, organization__path__in=parent_paths
    ).exists()


def may_decide(user, organization: Organization) -> bool:
    """Approve or return `organization`'s report: staff, leaders and admins of its parent
    or above (a role on the unit itself is not enough: nobody approves their own)."""
    return _roles_above(user, organization, (Role.Kind.STAFF, Role.Kind.LEADER, Role.Kind.ADMIN))


def may_reopen(user, organization: Organization) -> bool:
    """Reopen an approved report: leaders and admins of the parent or above."""
    return _roles_above(user, organization, (Role.Kind.LEADER, Role.Kind.ADMIN))


def submission_of(organization: Organization, period: ReportPeriod) -> ReportSubmission | None:
    return (
        ReportSubmission.objects.select_related("organization", "period", "submitted_by")
        .filter(organization=organization, period=period)
        .first()
    )


def events_of(submission: ReportSubmission) -> list[ReportEvent]:
    return list(submission.events.select_related("user").order_by("at", "pk"))


def due_on(period: ReportPeriod) -> datetime.date | None:
    """The day the period's report is due (ReportDeadline), None without a rule."""
    days = (
        ReportDeadline.objects.filter(period_kind=period.kind)
        .values_list("days", flat=True)
        .first()
    )
    return None if days is None else period.ends_on + datetime.timedelta(days=days)


@dataclass
class ChildStatus:
    organization: Organization
    status: str  # a ReportSubmission.Status or MISSING
    submission: ReportSubmission | None
    overdue: bool

    @property
    def status_label(self) -> str:
        if self.submission is None:
            return str(_MISSING_LABEL)
        return self.submission.get_status_display()


@dataclass
class ChildrenStatus:
    period: ReportPeriod
    due_on: datetime.date | None
    children: list[ChildStatus] = field(default_factory=list)

    @property
    def overdue(self) -> list[ChildStatus]:
        return [child for child in self.children if child.overdue]


def children_of(parent: Organization, day: datetime.date) -> list[Organization]:
    """The parent's direct children that existed on `day` (one query)."""
    return [
        child
        for child in Organization.objects.filter(
            path__startswith=parent.path, depth=parent.depth + 1
        ).order_by("path")
        if child.is_valid_on(day)
    ]


def children_status(
    parent: Organization, period: ReportPeriod, *, today: datetime.date
) -> ChildrenStatus:
    """Each direct child valid on the period's end, with its report's status, and overdue
    when it still owes it (nothing sent, or returned / reopened and not sent again) after
    the deadline. Three queries whatever the number of children."""
    due = due_on(period)
    children = children_of(parent, period.ends_on)
    submissions = {
        s.organization_id: s
        for s in ReportSubmission.objects.filter(
            period=period, organization__in=[child.pk for child in children]
        )
    }
    result = ChildrenStatus(period=period, due_on=due)
    for child in children:
        found = submissions.get(child.pk)
        if found is not None:
            found.organization = child
        status = found.status if found is not None else MISSING
        result.children.append(
            ChildStatus(
                organization=child,
                status=status,
                submission=found,
                overdue=due is not None and today > due and status in OWING,
            )
        )
    return result


def comments_of(
    organization: Organization, *, period: ReportPeriod | None = None, limit: int = 50
) -> list[Comment]:
    """The unit's comments, newest first (of one period, when given)."""
    comments: QuerySet[Comment] = Comment.objects.filter(organization=organization)
    if period is not None:
        comments = comments.filter(period=period)
    return list(comments.select_related("author", "period").order_by("-created_at", "-pk")[:limit])


# --- the parent's report built from its children -----------------------------------------


@dataclass
class BuiltCell:
    key: str
    label: str  # what a reader calls the cell (reports.queries.cells.cell_labels)
    live: int  # the parent's subtree, computed now
    built: int  # Σ approved children's stored figures + the parent's own records
    own: int  # live − Σ the children's live figures

    @property
    def difference(self) -> int:
        return self.live - self.built


@dataclass
class BuiltReport:
    """The parent's figures built from what its children reported, next to the live
    ones: a difference is shown, never balanced away (a child not approved yet, a record
    changed after a reopening, a letter forwarded between two children...)."""

    organization: Organization
    period: ReportPeriod
    approved: list[Organization]
    not_approved: list[Organization]
    cells: list[BuiltCell]

    @property
    def differences(self) -> list[BuiltCell]:
        return [cell for cell in self.cells if cell.difference]


def built_from_children(
    parent: Organization, period: ReportPeriod, *, today: datetime.date
) -> BuiltReport:
    """Per cell: the live subtree figure, the sum of the approved children's stored
    figures plus the parent's own (own = live parent − Σ live children, each child's
    period report computed: a page of its own, not the dashboard)."""
    status = children_status(parent, period, today=today)

    labels: dict[str, str] = {}

    def cells_of(unit: Organization) -> dict[str, int]:
        report = period_report(unit, year=period.year, period_kind=period.kind, today=today)
        cells = {}
        for key, label, value in labelled_cells(report):
            cells[key] = value
            labels.setdefault(key, label)
        return cells

    live = cells_of(parent)
    children_live: dict[str, int] = {}
    stored: dict[str, int] = {}
    approved, not_approved = [], []
    for child in status.children:
        for key, value in cells_of(child.organization).items():
            children_live[key] = children_live.get(key, 0) + value
        if child.status == ReportSubmission.Status.APPROVED and child.submission is not None:
            approved.append(child.organization)
            for key, value in child.submission.figures.items():
                if isinstance(value, int):
                    stored[key] = stored.get(key, 0) + value
        else:
            not_approved.append(child.organization)
    keys = [*live, *sorted((set(children_live) | set(stored)) - set(live))]
    cells = []
    for key in dict.fromkeys(keys):
        own = live.get(key, 0) - children_live.get(key, 0)
        cells.append(
            BuiltCell(
                key=key,
                label=labels.get(key, key),
                live=live.get(key, 0),
                built=stored.get(key, 0) + own,
                own=own,
            )
        )
    return BuiltReport(
        organization=parent,
        period=period,
        approved=approved,
        not_approved=not_approved,
        cells=cells,
    )
