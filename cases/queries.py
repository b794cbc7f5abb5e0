"""Reads of cases and the commission's other records (letters, denunciations, complaints,
suspensions) for pages, the API and the reports, always scoped by ktgs.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from ktgs import access, versioning
from ktgs.models import Organization
from plans.models import ActivityKind, Body, DecidingBody


def cases_for(user, *, organization: Organization | None = None) -> QuerySet[Case]:
    """Cases of the units in the user's reach (or of `organization`'s subtree), with what
    the list shows joined in: one query whatever the number of rows."""
    cases = access.scope(Case.objects.all(), user)
    if organization is not None:
        cases = cases.filter(organization__path__startswith=organization.path)
    return (
        cases.select_related("organization", "target", "target__programme")
        .annotate(subject_count=Count("subjects"))
        .order_by("-year", "-decided_on", "-pk")
    )


def case_detail(case: Case) -> dict:
    """Subjects with their discipline decisions, and the decisions: two queries."""
    subjects = list(
        CaseSubject.objects.filter(case=case)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "disciplines",
                queryset=DisciplineDecision.objects.select_related("deciding_organization"),
            )
        )
    )
    return {"subjects": subjects}


def deciding_organizations(organization: Organization) -> QuerySet[Organization]:
    """Who may decide a discipline on a case's subject: the conducting unit or a unit
    above it (one query: the prefixes of its path)."""
    return Organization.objects.filter(
        path__in=[*organization.ancestor_paths(), organization.path]
    ).order_by("depth")


class CaseFilter(django_filters.FilterSet):
    """The case list's filters: year, kind, status, planned / arising."""

    ORIGINS = (("planned", _("Theo chương trình")), ("arising", _("Phát sinh")))

    year = django_filters.NumberFilter(label=_("Năm"))
    kind = django_filters.ChoiceFilter(label=_("Loại"), choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=Case.Status.choices)
    origin = django_filters.ChoiceFilter(label=_("Nguồn"), choices=ORIGINS, method="filter_origin")

    class Meta:
        model = Case
        fields = ["year", "kind", "status", "origin"]

    def filter_origin(self, queryset, name, value):
        return queryset.filter(target__isnull=(value == "arising"))

    @property
    def form(self):
        form = super().form
        form.fields["year"].widget = forms.NumberInput(attrs={"min": 2000, "max": 2100})
        return form


def letters_for(user, *, organization: Organization | None = None) -> QuerySet[Letter]:
    """Letters received by the units in the user's reach (or `organization`'s subtree). A
    forwarded letter reaches the destination's subtree through the destination's own row."""
    letters = access.scope(Letter.objects.all(), user)
    if organization is not None:
        letters = letters.filter(organization__path__startswith=organization.path)
    return letters.select_related("organization", "about_organization", "forwarded_to").order_by(
        "-received_on", "-pk"
    )


def denunciations_for(user, *, organization: Organization | None = None) -> QuerySet[Denunciation]:
    """Denunciations handled by the units in the user's reach (their cases' units)."""
    found = access.scope(Denunciation.objects.all(), user, field="case__organization")
    if organization is not None:
        found = found.filter(case__organization__path__startswith=organization.path)
    return found.select_related("case", "case__organization", "letter").order_by("due_on", "pk")


def complaints_for(
    user, *, organization: Organization | None = None
) -> QuerySet[DisciplineComplaint]:
    """Disciplinary complaints handled by the units in the user's reach."""
    found = access.scope(DisciplineComplaint.objects.all(), user, field="case__organization")
    if organization is not None:
        found = found.filter(case__organization__path__startswith=organization.path)
    return found.select_related(
        "case", "case__organization", "discipline", "discipline__subject"
    ).order_by("-lodged_on", "-pk")


def suspensions_for(user, *, organization: Organization | None = None) -> QuerySet[Suspension]:
    """Suspensions decided by the units in the user's reach."""
    found = access.scope(Suspension.objects.all(), user)
    if organization is not None:
        found = found.filter(organization__path__startswith=organization.path)
    return found.select_related("organization", "subject_organization").order_by(
        "-starts_on", "-pk"
    )


def disciplines_in_force(on: datetime.date) -> QuerySet[DisciplineDecision]:
    """Discipline decisions in force on `on`: decided by then and not yet ended by a
    complaint's result (ended on `on` is no longer in force). The discipline figures of a
    period are the decisions decided in it that are still in force at its end:
    `disciplines_in_force(end).filter(decided_on__gte=start)`."""
    return DisciplineDecision.objects.filter(decided_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


# --- the commission's other records: deadlines, history, list filters -------------------


@dataclass(frozen=True)
class DeadlineView:
    """A record's deadline as a list or detail page shows it (cases.deadlines' status)."""

    due: datetime.date
    done_on: datetime.date | None
    status: deadlines.Status
    days_left: int

    @property
    def days_over(self) -> int:
        """Days past the deadline: today's, or the day it was done."""
        if self.done_on is not None:
            return (self.done_on - self.due).days
        return -self.days_left


def deadline_view(
    due: datetime.date, done_on: datetime.date | None, today: datetime.date
) -> DeadlineView:
    return DeadlineView(
        due=due,
        done_on=done_on,
        status=deadlines.status(due, done_on, today),
        days_left=deadlines.days_left(due, today),
    )


def _deadline_q(state: str, *, due: str, done: str, today: datetime.date) -> Q:
    """Rows whose deadline (field `due`, done on `done`) stands at `state` on `today`:
    the SQL twin of cases.deadlines.status."""
    soon = today + datetime.timedelta(days=deadlines.DUE_SOON_DAYS)
    pending = Q(**{f"{done}__isnull": True})
    done_late = Q(**{f"{done}__gt": F(due)})
    if state == deadlines.Status.OVERDUE:
        return (pending & Q(**{f"{due}__lt": today})) | done_late
    if state == deadlines.Status.DUE_SOON:
        return pending & Q(**{f"{due}__gte": today, f"{due}__lte": soon})
    return (pending & Q(**{f"{due}__gt": soon})) | Q(**{f"{done}__lte": F(due)})


def record_history(obj) -> list[dict]:
    """Every saved change of a record with history, newest first: when, who, what
    (before → after), in the shape of services.case_history."""
    records = list(obj.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    for record in records:
        entries.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "type": record.history_type,
                "changes": versioning.changes(record, previous) if previous else [],
            }
        )
        previous = record
    entries.reverse()
    return [e for e in entries if e["type"] != "~" or e["changes"]]


class DeadlineFilterMixin(django_filters.FilterSet):
    """A `deadline` filter (in time / due soon / overdue on `today`, by default the local
    date) over the annotated `due` and the record's `done` field."""

    DEADLINE_STATES = (
        (deadlines.Status.IN_TIME.value, _("Trong hạn")),
        (deadlines.Status.DUE_SOON.value, _("Sắp đến hạn")),
        (deadlines.Status.OVERDUE.value, _("Quá hạn")),
    )
    done_field = ""

    deadline = django_filters.ChoiceFilter(
        label=_("Thời hạn"), choices=DEADLINE_STATES, method="filter_deadline"
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_deadline(self, queryset, name, value):
        return queryset.filter(
            _deadline_q(value, due="due", done=self.done_field, today=self.today)
        )


def _date_range(field: str, label) -> django_filters.DateFromToRangeFilter:
    return django_filters.DateFromToRangeFilter(
        field_name=field,
        label=label,
        widget=django_filters.widgets.DateRangeWidget(attrs={"placeholder": "dd/mm/yyyy"}),
    )


class LetterFilter(django_filters.FilterSet):
    """The letter list's filters: body, kind, handling, received between."""

    body = django_filters.ChoiceFilter(label=_("Cơ quan nhận"), choices=Body.choices)
    kind = django_filters.ChoiceFilter(label=_("Loại đơn"), choices=Letter.Kind.choices)
    handling = django_filters.ChoiceFilter(label=_("Xử lý"), choices=Letter.Handling.choices)
    received = _date_range("received_on", _("Ngày nhận"))

    class Meta:
        model = Letter
        fields = ["body", "kind", "handling", "received"]


class DenunciationFilter(DeadlineFilterMixin):
    """The denunciation list's filters: body, case status, conclusion, deadline state,
    received between."""

    done_field = "concluded_on"

    body = django_filters.ChoiceFilter(
        label=_("Cơ quan giải quyết"), field_name="case__body", choices=DecidingBody.choices
    )
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), field_name="case__status", choices=Case.Status.choices
    )
    conclusion = django_filters.ChoiceFilter(
        label=_("Kết luận"), choices=Denunciation.Conclusion.choices
    )
    received = _date_range("received_on", _("Ngày nhận"))

    class Meta:
        model = Denunciation
        fields = ["body", "status", "conclusion", "deadline", "received"]


class ComplaintFilter(django_filters.FilterSet):
    """The complaint list's filters: body, case status, result, lodged between."""

    body = django_filters.ChoiceFilter(
        label=_("Cơ quan giải quyết"), field_name="case__body", choices=DecidingBody.choices
    )
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), field_name="case__status", choices=Case.Status.choices
    )
    result = django_filters.ChoiceFilter(
        label=_("Kết quả"), choices=DisciplineComplaint.Result.choices
    )
    lodged = _date_range("lodged_on", _("Ngày gửi khiếu nại"))

    class Meta:
        model = DisciplineComplaint
        fields = ["body", "status", "result", "lodged"]


class SuspensionFilter(DeadlineFilterMixin):
    """The suspension list's filters: body, kind, under way or lifted, deadline state,
    started between."""

    STATES = (("active", _("Đang đình chỉ")), ("lifted", _("Đã chấm dứt")))
    done_field = "lifted_on"

    body = django_filters.ChoiceFilter(label=_("Cơ quan quyết định"), choices=DecidingBody.choices)
    kind = django_filters.ChoiceFilter(label=_("Hình thức"), choices=Suspension.Kind.choices)
    state = django_filters.ChoiceFilter(
        label=_("Tình trạng"), choices=STATES, method="filter_state"
    )
    started = _date_range("starts_on", _("Đình chỉ từ ngày"))

    class Meta:
        model = Suspension
        fields = ["body", "kind", "state", "deadline", "started"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(lifted_on__isnull=(value == "active"))


def with_due(queryset: QuerySet, due) -> QuerySet:
    """`due` annotated (the deadline the list shows and the deadline filter reads)."""
    return queryset.annotate(due=due)


def denunciation_rows(user, *, organization: Organization | None = None) -> QuerySet[Denunciation]:
    """denunciations_for with `due`: the extended date if extended, else the due date."""
    return with_due(
        denunciations_for(user, organization=organization), Coalesce("extended_to", "due_on")
    )


def suspension_rows(user, *, organization: Organization | None = None) -> QuerySet[Suspension]:
    """suspensions_for with `due`: the planned end."""
    return with_due(suspensions_for(user, organization=organization), F("ends_on"))


def forward_destinations(letter: Letter, user) -> QuerySet[Organization]:
    """Where a letter may be forwarded from the page: the units above its unit, and the
    units in the user's reach, its own unit aside."""
    return (
        Organization.objects.filter(path__in=letter.organization.ancestor_paths())
        | access.visible_organizations(user)
    ).exclude(pk=letter.organization_id)


def open_disciplines(user) -> QuerySet[DisciplineDecision]:
    """Discipline decisions in the user's reach that a complaint may be lodged against:
    in force, with no complaint under way."""
    return (
        access.scope(DisciplineDecision.objects.all(), user, field="case__organization")
        .filter(ended_on__isnull=True)
        .exclude(complaints__result="")
        .select_related("subject")
        .order_by("-decided_on", "-pk")
    )
