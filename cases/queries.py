"""Reads of cases and the commission's other records (letters, denunciations, complaints,
suspensions) for pages, the API and the reports, always scoped by ktgs.access."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    CaseSubject,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    Suspension,
)
from ktgs import access
from ktgs.models import Organization
from plans.models import ActivityKind


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


def count_letters(letters: QuerySet[Letter]) -> int:
    """How many letters, a forwarding chain counting once however many units' rows of it
    are in `letters` (DISTINCT Coalesce(root, id))."""
    return letters.aggregate(n=Count(Coalesce("root_id", "id"), distinct=True))["n"]


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
