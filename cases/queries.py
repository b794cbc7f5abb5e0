"""Reads of cases and the commission's other records (letters, denunciations, complaints,
suspensions) for pages, the API and the reports, always scoped by ktgs.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar

import django_filters
from django import forms
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
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
from cases.services import targets
from ktgs import access, search, versioning
from ktgs import queries as ktgs_queries
from ktgs.converters import MAX_ID
from ktgs.filters import IdFilter, YearFilter, YearRangeFilter
from ktgs.models import Organization
from plans.models import ActivityKind, Body, DecidingBody, Programme, Target
from plans.queries import counted_on, orphaned_links


def cases_for(user, *, organization: Organization | None = None) -> QuerySet[Case]:
    """Cases of the units in the user's reach (or of `organization`'s subtree), with what
    the list shows joined in: one query whatever the number of rows."""
    cases = access.scope(Case.objects.all(), user)
    if organization is not None:
        cases = cases.filter(organization__path__startswith=organization.path)
    # The subjects counted by a subquery per case, not a join grouped by case: grouping
    # made the database aggregate every case of the subtree before it could sort and cut
    # the page (1.3 s for the nation's list at 10% scale); the subquery runs for the rows
    # shown only, and the list's order walks case_list_order_idx (~7 ms). It also never
    # counts a subject twice, whatever the drill-down's filters join.
    subjects = (
        CaseSubject.objects.filter(case=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return (
        cases.select_related("organization", "target", "target__programme")
        .annotate(subject_count=Subquery(subjects, output_field=IntegerField()))
        .order_by("-year", "-decided_on", "-pk")
    )


def case_detail(case: Case) -> dict:
    """Subjects with their discipline decisions, and the decisions: two queries."""
    subjects = list(
        CaseSubject.objects.filter(case=case)
        .select_related("organization__parent")
        .prefetch_related(
            Prefetch(
                "disciplines",
                queryset=DisciplineDecision.objects.select_related("deciding_organization__parent"),
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


def arising_on(day: datetime.date) -> Q:
    """Cases that fulfil no target on `day` (arising, DESIGN §2): linked to none, or to a
    target none of whose lineage is in force then (plans.queries.orphaned_links: the rule
    the roll-up counts arising cases by)."""
    return Q(target__isnull=True) | orphaned_links(day)


class HiddenRange(django_filters.widgets.RangeWidget):
    """A number range carried by a link (`<name>_min`, `<name>_max`), not typed."""

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, (forms.HiddenInput, forms.HiddenInput), attrs)


class HiddenDateRange(django_filters.widgets.DateRangeWidget):
    """A date range carried by a link (`<name>_after`, `<name>_before`), not typed."""

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, (forms.HiddenInput, forms.HiddenInput), attrs)


class CaseFilter(django_filters.FilterSet):
    """The case list's filters: year, kind, status, planned / arising; and those the
    period report's drill-down links carry (each count of the report opens the list of
    the records that make it): the body the case counts under, the unit alone, concluded
    between, and what is counted in the cases found (subjects of a kind, findings, or
    discipline decisions in force at the end of the dates given)."""

    ORIGINS = (("planned", _("Theo chương trình")), ("arising", _("Phát sinh")))
    SUBJECTS = (
        ("organization", _("Tổ chức đảng")),
        ("member", _("Đảng viên")),
        ("committee_member", _("Cấp ủy viên")),
    )
    FINDINGS = (
        ("violation", _("Có vi phạm")),
        ("shortcomings", _("Có khuyết điểm")),
        ("must_discipline", _("Phải thi hành kỷ luật")),
        ("disciplined", _("Đã thi hành kỷ luật")),
    )
    ANY_FORM = "any"
    DECIDERS = (
        ("committee", _("Cấp ủy, ban thường vụ, chi bộ")),
        ("inspection_commission", _("Ủy ban kiểm tra")),
    )

    q = django_filters.CharFilter(
        label=_("Tìm"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("nội dung, số quyết định, họ tên…")}
        ),
    )
    decision = django_filters.CharFilter(
        label=_("Số quyết định"), method="filter_decision", max_length=64
    )
    year = YearFilter(label=_("Năm"))
    kind = django_filters.ChoiceFilter(label=_("Loại"), choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=Case.Status.choices)
    origin = django_filters.ChoiceFilter(label=_("Nguồn"), choices=ORIGINS, method="filter_origin")
    body = django_filters.ChoiceFilter(
        label=_("Chủ thể"), choices=Body.choices, method="filter_body"
    )
    unit = IdFilter(
        label=_("Chỉ của đơn vị"), field_name="organization_id", widget=forms.HiddenInput
    )
    concluded = django_filters.DateFromToRangeFilter(
        label=_("Kết luận trong khoảng"),
        method="filter_concluded",
        widget=django_filters.widgets.DateRangeWidget(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    # The report's arising column: cases of these years that count by this day and
    # fulfil no target then.
    # Labelled though hidden: the list's Excel export names every filter applied.
    years = YearRangeFilter(label=_("Năm"), field_name="year", widget=HiddenRange)
    arising_on = django_filters.DateFilter(
        label=_("Phát sinh tính đến ngày"), method="filter_arising_on", widget=forms.HiddenInput
    )
    # The report's targets table: the cases that count on this day toward the subtree's
    # targets of these years (optionally of a kind and counting unit) in force then.
    planned_on = django_filters.DateFilter(
        label=_("Thực hiện chỉ tiêu tính đến ngày"),
        method="filter_nothing",
        widget=forms.HiddenInput,
    )
    # (field_name only types the parameter in the API schema: the years are the targets'.)
    target_years = YearRangeFilter(
        label=_("Năm của chỉ tiêu"), field_name="year", method="filter_nothing", widget=HiddenRange
    )
    target_kind = django_filters.ChoiceFilter(
        label=_("Loại của chỉ tiêu"),
        choices=ActivityKind.choices,
        method="filter_nothing",
        widget=forms.HiddenInput,
    )
    target_counts = django_filters.ChoiceFilter(
        label=_("Chỉ tiêu tính theo"),
        choices=Target.Counts.choices,
        method="filter_nothing",
        widget=forms.HiddenInput,
    )
    # A target's drill-down (the dashboard, a programme's progress): the cases that count
    # for it, linked to it or to a target of its lineage (plans.queries.done_by_lineage).
    target = django_filters.NumberFilter(method="filter_target", widget=forms.HiddenInput)
    # What the drill-down counts: applied together in filter_queryset.
    subject = django_filters.ChoiceFilter(
        label=_("Đối tượng"), choices=SUBJECTS, method="filter_nothing"
    )
    finding = django_filters.ChoiceFilter(
        label=_("Kết quả kiểm tra"), choices=FINDINGS, method="filter_nothing"
    )
    discipline = django_filters.ChoiceFilter(
        label=_("Kỷ luật"),
        choices=((ANY_FORM, _("Mọi hình thức")), *DisciplineDecision.Form.choices),
        method="filter_nothing",
    )
    decider = django_filters.ChoiceFilter(
        label=_("Cơ quan quyết định kỷ luật"), choices=DECIDERS, method="filter_nothing"
    )
    decided = django_filters.DateFromToRangeFilter(
        label=_("Quyết định kỷ luật trong khoảng"),
        method="filter_nothing",
        widget=django_filters.widgets.DateRangeWidget(attrs={"placeholder": "dd/mm/yyyy"}),
    )

    class Meta:
        model = Case
        fields = [
            "q",
            "decision",
            "year",
            "kind",
            "status",
            "origin",
            "body",
            "unit",
            "concluded",
            "years",
            "arising_on",
            "planned_on",
            "target_years",
            "target_kind",
            "target_counts",
            "target",
        ]

    _form_classes: ClassVar[dict[tuple[type, str], type[forms.Form]]] = {}

    def __init__(self, *args, organization: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        # The records counted in the cases found (subjects or discipline decisions),
        # when the filters name what to count; None: the cases themselves.
        self.counted: str | None = None

    def filter_text(self, queryset, name, value):
        """Every word typed, without diacritics (ktgs.search), in the case's title,
        decision or conclusion number, or in one of its subjects: a member's name or a
        unit's name or code."""
        subjects = CaseSubject.objects.filter(case=OuterRef("pk"))
        words = search.terms(value)
        for word in words:
            queryset = queryset.filter(
                Q(search_text__contains=word)
                | Exists(subjects.filter(search_text__contains=word))
                | Exists(subjects.filter(organization__search_text__contains=word))
            )
        return queryset

    def filter_decision(self, queryset, name, value):
        """Decision numbers holding what was typed ("12-QĐ", "qd/duk", "516a")."""
        return queryset.alias(folded_decision=search.folded_number("decision_number")).filter(
            search.matching(value, "folded_decision")
        )

    def filter_origin(self, queryset, name, value):
        return queryset.filter(target__isnull=(value == "arising"))

    def filter_body(self, queryset, name, value):
        # The body a case counts under, as the report counts it: its target's programme
        # body, or for an arising case the body that recorded it.
        return queryset.alias(counted_body=Coalesce("target__programme__body", "body")).filter(
            counted_body=value
        )

    def filter_concluded(self, queryset, name, value):
        if value.start is not None:
            queryset = queryset.filter(concluded_on__gte=value.start)
        if value.stop is not None:
            queryset = queryset.filter(concluded_on__lte=value.stop)
        if value.start is not None or value.stop is not None:
            queryset = queryset.filter(status__in=Case.COUNTING)
        return queryset

    def filter_arising_on(self, queryset, name, value):
        return queryset.filter(arising_on(value), status__in=Case.COUNTING, concluded_on__lte=value)

    def filter_target(self, queryset, name, value):
        if value != int(value) or not 0 < value <= MAX_ID:
            return queryset.none()
        line = Target.objects.filter(pk=int(value)).values(line=Coalesce("lineage_id", "id"))
        lineage = Target.objects.filter(Q(pk__in=line) | Q(lineage_id__in=line)).values("pk")
        return queryset.filter(target_id__in=lineage)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = getattr(self.form, "cleaned_data", {})
        subject, finding = data.get("subject"), data.get("finding")
        form, decider = data.get("discipline"), data.get("decider")
        concluded = data.get("concluded")
        end = concluded.stop if concluded else None
        if data.get("planned_on"):
            queryset = queryset.filter(self._planned(data))
        if form or decider:
            match = self._discipline_match(form, decider, subject, data.get("decided"))
            self.counted = "disciplines"
            counted = Count("disciplines", filter=match, distinct=True)
        elif subject or finding:
            match = self._subject_match(subject, finding, end)
            self.counted = "subjects"
            counted = Count("subjects", filter=match, distinct=True)
        else:
            return queryset
        return queryset.annotate(counted=counted).filter(counted__gt=0)

    def _planned(self, data) -> Q:
        """Cases counting by the day toward a target in force then: linked to a target
        whose lineage has one in force in an issued or closed programme (the rule of
        plans.queries.done_by_lineage), of the unit's subtree, the years, kind and
        counting unit given."""
        day = data["planned_on"]
        years = data.get("target_years")
        of_years: range = range(0)
        if years and years.start is not None and years.stop is not None:
            # The years a report spans (a term: five), never an unbounded loop.
            of_years = range(max(int(years.start), 2000), min(int(years.stop), 2100) + 1)
        live = Target.objects.filter(counted_on(day, years=of_years))
        if self.organization is not None:
            live = live.filter(organization__path__startswith=self.organization.path)
        if data.get("target_kind"):
            live = live.filter(kind=data["target_kind"])
        if data.get("target_counts"):
            live = live.filter(counts=data["target_counts"])
        live = live.annotate(line=Coalesce("lineage_id", "id")).filter(
            line=Coalesce(OuterRef("target__lineage_id"), OuterRef("target_id"))
        )
        return Q(Exists(live), status__in=Case.COUNTING, concluded_on__lte=day)

    def _subject_match(self, subject, finding, end) -> Q:
        match = Q(subjects__isnull=False)
        if subject == "organization":
            match &= Q(subjects__kind=CaseSubject.Kind.ORGANIZATION)
        elif subject in ("member", "committee_member"):
            match &= Q(subjects__kind=CaseSubject.Kind.MEMBER)
            if subject == "committee_member":
                match &= Q(subjects__is_committee_member=True)
        if finding == "violation":
            match &= Q(violation_found=True)
        elif finding == "shortcomings":
            match &= Q(shortcomings_found=True)
        elif finding == "must_discipline":
            match &= Q(subjects__disciplines__isnull=False)
        elif finding == "disciplined":
            match &= Q(subjects__disciplines__isnull=False)
            if end is not None:
                match &= Q(subjects__disciplines__decided_on__lte=end)
        return match

    def _discipline_match(self, form, decider, subject, dates) -> Q:
        """Decisions decided between the dates and in force at the end (as the report's
        discipline figures count them), decided by the bodies of the unit's subtree."""
        match = Q(disciplines__isnull=False)
        if form and form != self.ANY_FORM:
            match &= Q(disciplines__form=form)
        if decider:
            match &= Q(disciplines__deciding_body__in=DECIDING_GROUPS[decider])
        if self.organization is not None:
            match &= Q(disciplines__deciding_organization__path__startswith=self.organization.path)
        if dates and dates.start is not None:
            match &= Q(disciplines__decided_on__gte=dates.start)
        if dates and dates.stop is not None:
            match &= Q(disciplines__decided_on__lte=dates.stop) & (
                Q(disciplines__ended_on__isnull=True) | Q(disciplines__ended_on__gt=dates.stop)
            )
        if subject == "organization":
            match &= Q(disciplines__subject__kind=CaseSubject.Kind.ORGANIZATION)
        elif subject in ("member", "committee_member"):
            match &= Q(disciplines__subject__kind=CaseSubject.Kind.MEMBER)
            if subject == "committee_member":
                match &= Q(disciplines__is_committee_member=True)
        return match

    def get_form_class(self):
        """The form's class, built once per filter set class and language: its fields
        are the same for every request (fixed choices), and building a field per filter
        then a class cost ~5 ms a page. Per language, as some of a field's labels are
        translated when it is built. Each form copies the class's fields
        (Form.__init__): no request's form is shared."""
        key = (type(self), translation.get_language())
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields["year"].widget = forms.NumberInput(
                attrs={"min": 2000, "max": 2100}
            )
            self._form_classes[key] = form_class
        return form_class


# Who decided a discipline, as the report splits it (reports.queries.records.DECIDERS).
DECIDING_GROUPS = {
    "committee": (DecidingBody.COMMITTEE, DecidingBody.STANDING_COMMITTEE, DecidingBody.CELL),
    "inspection_commission": (DecidingBody.INSPECTION_COMMISSION,),
}


# The case list's orders (`?sort=`, ktgs.queries.sorted_by), each ending in the id so
# that pages never overlap; a case with no date sorts last either way. Titles and names
# sort by their folded text (ktgs.search), which starts with them: "tài" before "thu" on
# both engines, where the database's byte order would put every accented letter last.
CASE_SORTS = {
    "title": (F("search_text").asc(), F("pk").asc()),
    "unit": (F("organization__search_text").asc(), F("pk").asc()),
    "year": (F("year").asc(), F("decided_on").asc(nulls_last=True), F("pk").asc()),
    "decided": (F("decided_on").asc(nulls_last=True), F("pk").asc()),
    "concluded": (F("concluded_on").asc(nulls_last=True), F("pk").asc()),
    # Statuses in the workflow's order, draft first and cancelled last.
    "status": (ktgs_queries.rank_of("status", Case.Status.values).asc(), F("pk").asc()),
}


def counted_records(filters: CaseFilter) -> int | None:
    """How many records the drill-down counts in the filtered cases (subjects or
    discipline decisions; one query), or None when it counts the cases."""
    found = filters.qs  # filters first: that sets what is counted
    if filters.counted is None:
        return None
    return found.aggregate(total=Sum("counted"))["total"] or 0


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


def text_filter(label) -> django_filters.CharFilter:
    """`?q=`: every word typed, without diacritics, in the record's search column
    (ktgs.search: the names and numbers its model searches)."""
    return django_filters.CharFilter(label=label, method="filter_text", max_length=200)


class TextSearchMixin(django_filters.FilterSet):
    def filter_text(self, queryset, name, value):
        return queryset.filter(search.matching(value))


class LetterFilter(TextSearchMixin):
    """The letter list's filters: text (number received, sender, member named), body,
    kind, handling, received between."""

    q = text_filter(_("Tìm (số đến, người gửi, đảng viên)"))
    body = django_filters.ChoiceFilter(label=_("Cơ quan nhận"), choices=Body.choices)
    kind = django_filters.ChoiceFilter(label=_("Loại đơn"), choices=Letter.Kind.choices)
    handling = django_filters.ChoiceFilter(label=_("Xử lý"), choices=Letter.Handling.choices)
    received = _date_range("received_on", _("Ngày nhận"))
    anonymous = django_filters.BooleanFilter(
        label=_("Nặc danh, mạo tên"), method="filter_anonymous", widget=forms.HiddenInput
    )

    class Meta:
        model = Letter
        fields = ["q", "body", "kind", "handling", "received", "anonymous"]

    def filter_anonymous(self, queryset, name, value):
        unhandled = Q(sender_kind__in=Letter.UNHANDLED_SENDERS)
        return queryset.filter(unhandled if value else ~unhandled)


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
    concluded = _date_range("concluded_on", _("Ngày kết luận"))
    # In hand on a day (the report's "đang giải quyết" at the period's end): received by
    # then, not concluded by then, the case not cancelled.
    pending_on = django_filters.DateFilter(
        label=_("Đang giải quyết vào ngày"), method="filter_pending_on", widget=forms.HiddenInput
    )

    # Overdue as of a period's end among those in hand during it (the report's "quá
    # hạn"): concluded in it after the deadline, or still open at its end past it.
    overdue = django_filters.DateFromToRangeFilter(
        label=_("Quá hạn trong khoảng"), method="filter_overdue", widget=HiddenDateRange
    )

    class Meta:
        model = Denunciation
        fields = [
            "body",
            "status",
            "conclusion",
            "deadline",
            "received",
            "concluded",
            "pending_on",
            "overdue",
        ]

    def filter_overdue(self, queryset, name, value):
        start, end = value.start, value.stop
        if start is None or end is None:
            return queryset
        open_at_end = Q(concluded_on__isnull=True) | Q(concluded_on__gt=end)
        in_hand = Q(received_on__lte=end) & (
            Q(concluded_on__isnull=True) | Q(concluded_on__gte=start)
        )
        late = Q(concluded_on__lte=end, concluded_on__gt=F("due")) | (open_at_end & Q(due__lt=end))
        return queryset.filter(in_hand & late).exclude(case__status=Case.Status.CANCELLED)

    def filter_pending_on(self, queryset, name, value):
        return queryset.filter(
            Q(concluded_on__isnull=True) | Q(concluded_on__gt=value), received_on__lte=value
        ).exclude(case__status=Case.Status.CANCELLED)


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
    decided = _date_range("decided_on", _("Ngày giải quyết"))

    class Meta:
        model = DisciplineComplaint
        fields = ["body", "status", "result", "lodged", "decided"]


class SuspensionFilter(TextSearchMixin, DeadlineFilterMixin):
    """The suspension list's filters: text (member's name, decision number), body, kind,
    under way or lifted, deadline state, started between."""

    STATES = (("active", _("Đang đình chỉ")), ("lifted", _("Đã chấm dứt")))
    done_field = "lifted_on"

    q = text_filter(_("Tìm (đảng viên, số quyết định)"))
    body = django_filters.ChoiceFilter(label=_("Cơ quan quyết định"), choices=DecidingBody.choices)
    kind = django_filters.ChoiceFilter(label=_("Hình thức"), choices=Suspension.Kind.choices)
    state = django_filters.ChoiceFilter(
        label=_("Tình trạng"), choices=STATES, method="filter_state"
    )
    started = _date_range("starts_on", _("Đình chỉ từ ngày"))
    reason = django_filters.ChoiceFilter(label=_("Lý do"), choices=Suspension.Reason.choices)
    committee = django_filters.BooleanFilter(
        label=_("Là cấp ủy viên"), field_name="is_committee_member", widget=forms.HiddenInput
    )

    class Meta:
        model = Suspension
        fields = ["q", "body", "kind", "state", "deadline", "started", "reason", "committee"]

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


@dataclass(frozen=True)
class TargetVerdict:
    """One target of an arising case's unit and year, and why the case does not count
    for it (`reason`), or that it could (`open`: the case may be linked to it)."""

    target: Target
    reason: str
    open: bool = False


@dataclass(frozen=True)
class ArisingExplanation:
    """Why a case fulfils no target: `summary` in one sentence, then each target of its
    unit for its year with the reason (cases.services.targets' rule, read target by
    target: propose_target picks among the open targets of the case's body)."""

    summary: str
    verdicts: list[TargetVerdict]


def arising_explanation(case: Case) -> ArisingExplanation | None:
    """For a case recorded without a target (arising, "phát sinh"): the targets set for
    its unit in programmes covering its year, each with the first rule that keeps the
    case from counting for it, in the order the rule checks them (programme issued,
    kind, in force on the case's date, the case's body, room left). None for a case
    with a target or a cancelled one. Two queries."""
    if case.target_id is not None or case.status == Case.Status.CANCELLED:
        return None
    on = targets.reference_date(case)
    found = list(
        Target.objects.filter(
            organization_id=case.organization_id,
            programme__year__lte=case.year,
            programme__end_year__gte=case.year,
        )
        .select_related("programme", "added_by", "removed_by", "subject_organization")
        .order_by("kind", "due_on", "pk")
    )
    work = targets.work_on_targets(
        [t for t in found if t.kind == case.kind], on=on, exclude_case=case.pk
    )
    verdicts = [_verdict(case, target, on, work.get(target.pk)) for target in found]
    unit, year = case.organization.name, case.year
    kind = case.get_kind_display()
    if not found:
        summary = _(
            "Đơn vị %(unit)s không được giao chỉ tiêu nào trong các chương trình năm %(year)s "
            "(của đơn vị hoặc của cấp trên): mọi cuộc của đơn vị năm này là phát sinh."
        ) % {"unit": unit, "year": year}
    elif not any(t.kind == case.kind for t in found):
        summary = _(
            "Đơn vị %(unit)s không có chỉ tiêu loại “%(kind)s” năm %(year)s; các chỉ tiêu "
            "của đơn vị năm này thuộc loại khác."
        ) % {"unit": unit, "kind": kind, "year": year}
    elif any(v.open for v in verdicts):
        summary = str(
            _(
                "Có chỉ tiêu còn mở mà cuộc này có thể thực hiện: cuộc được ghi nhận không gắn "
                "với chỉ tiêu nào. Sửa cuộc để chọn chỉ tiêu."
            )
        )
    else:
        summary = _(
            "Đơn vị %(unit)s có chỉ tiêu loại “%(kind)s” năm %(year)s nhưng không chỉ tiêu "
            "nào nhận cuộc này, vì các lý do dưới đây."
        ) % {"unit": unit, "kind": kind, "year": year}
    return ArisingExplanation(summary=str(summary), verdicts=verdicts)


def _verdict(
    case: Case, target: Target, on: datetime.date | None, work: targets.Work | None
) -> TargetVerdict:
    programme = target.programme

    def day(value: datetime.date) -> str:
        return formats.date_format(value, "SHORT_DATE_FORMAT")

    if programme.status == Programme.Status.DRAFT:
        return TargetVerdict(target, str(_("Chương trình chưa ban hành.")))
    if programme.status != Programme.Status.ISSUED:
        return TargetVerdict(target, str(_("Chương trình đã kết thúc, không nhận thêm cuộc.")))
    if target.kind != case.kind:
        return TargetVerdict(
            target,
            str(_("Chỉ tiêu loại “%(kind)s”, khác loại của cuộc này."))
            % {"kind": target.get_kind_display()},
        )
    if on is None:
        if target.removed_by is not None:
            return TargetVerdict(target, str(_("Chỉ tiêu đã bị bỏ khi điều chỉnh chương trình.")))
    else:
        if not programme.starts_on <= on <= programme.ends_on:
            return TargetVerdict(
                target,
                str(
                    _(
                        "Ngày của cuộc (%(on)s) nằm ngoài thời gian của chương trình "
                        "(%(start)s – %(end)s)."
                    )
                )
                % {"on": day(on), "start": day(programme.starts_on), "end": day(programme.ends_on)},
            )
        if target.added_by is not None and target.added_by.effective_on > on:
            return TargetVerdict(
                target,
                str(_("Chỉ tiêu được bổ sung từ ngày %(day)s, sau ngày của cuộc (%(on)s)."))
                % {"day": day(target.added_by.effective_on), "on": day(on)},
            )
        if target.removed_by is not None and target.removed_by.effective_on <= on:
            return TargetVerdict(
                target,
                str(_("Chỉ tiêu đã bị bỏ từ ngày %(day)s, trước ngày của cuộc (%(on)s)."))
                % {"day": day(target.removed_by.effective_on), "on": day(on)},
            )
    if targets.other_body(target, case.body):
        return TargetVerdict(
            target,
            str(
                _(
                    "Chỉ tiêu của chương trình do %(programme)s ban hành; cuộc này do %(case)s "
                    "tiến hành (chỉ được gắn khi người sửa cuộc chọn và xác nhận)."
                )
            )
            % {"programme": programme.get_body_display(), "case": case.get_body_display()},
        )
    done = work.done if work is not None else 0
    if done >= target.quantity:
        return TargetVerdict(
            target,
            str(_("Chỉ tiêu đã đủ: đã thực hiện %(done)s/%(quantity)s."))
            % {"done": done, "quantity": target.quantity},
        )
    return TargetVerdict(
        target,
        str(_("Chỉ tiêu còn thiếu %(lacking)s: cuộc này có thể gắn vào chỉ tiêu này."))
        % {"lacking": target.quantity - done},
        open=True,
    )
