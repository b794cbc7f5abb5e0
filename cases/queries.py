"""Reads of cases for pages and the API, always scoped by ktgs.access."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseSubject, DisciplineDecision
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
