"""Staff pages for cases: access → form → service → redirect, or access → query → render.

Every page goes through ktgs.access: reads with `scope`/`get_object_for_user`, writes with
`write=True`, so another unit's staff (and a leader trying to write) get 404."""

from __future__ import annotations

import functools
from typing import TypedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import exports, queries, services
from cases.forms import cases as forms
from cases.models import Case
from cases.views.records import organization_param
from ktgs import access, spreadsheets, versioning
from ktgs import queries as ktgs_queries
from ktgs.models import Organization
from plans.models import ActivityKind

CASES_PER_PAGE = 50


class CaseRow(TypedDict):
    """One line of the case list, formatted in the view (as the dashboard's ChildLine):
    through the template, a page of 50 cases cost more in variable lookups, filters,
    reverse() and the models' get_FOO_display (which rebuilds its choices' map on every
    call, ~1,000 gettext calls a page) than all the page's queries. The strings are those
    the template printed; a dict: the template engine tries a key first."""

    pk: int
    url: str
    year: str
    title: str
    unit: str  # the conducting unit's short name, else its name
    kind: str  # ActivityKind's label
    decision_number: str  # "—" when none
    decided_on: str  # SHORT_DATE_FORMAT, "" when not decided
    status: str
    status_label: str
    origin: str  # "Theo chương trình" or "Phát sinh"
    subject_count: int


# What a row reads of a case, the page's queryset as dicts: no model instances (a case,
# its unit, target and programme: ~200 a page) for the dozen values shown.
ROW_FIELDS = (
    "pk",
    "year",
    "title",
    "organization__short_name",
    "organization__name",
    "kind",
    "decision_number",
    "decided_on",
    "status",
    "target_id",
    "subject_count",
)

# reverse() costs ~15 µs a call: reversed once with this marker as the pk, each case's pk
# put in its place (as reports.views.dashboards does for its children).
_PK_MARKER = 987654321


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> tuple[dict[str, str], dict[str, str], str, str]:
    """The kinds' and statuses' labels, and the two origins, in `language` (the active
    one, passed as the key): the catalogues do not change while the process runs."""
    return (
        {value: str(label) for value, label in ActivityKind.choices},
        {value: str(label) for value, label in Case.Status.choices},
        _("Theo chương trình"),
        _("Phát sinh"),
    )


def case_rows(cases: list[dict]) -> list[CaseRow]:
    kinds, statuses, planned, arising = _labels(translation.get_language())
    url = reverse("cases:detail", args=[_PK_MARKER])
    marker = str(_PK_MARKER)
    return [
        CaseRow(
            pk=case["pk"],
            url=url.replace(marker, str(case["pk"])),
            year=f"{case['year']:d}",
            title=case["title"],
            unit=case["organization__short_name"] or case["organization__name"],
            # An unknown value as itself, as get_FOO_display shows it.
            kind=kinds.get(case["kind"], case["kind"]),
            decision_number=case["decision_number"] or "—",
            decided_on=formats.date_format(case["decided_on"], "SHORT_DATE_FORMAT")
            if case["decided_on"]
            else "",
            status=case["status"],
            status_label=statuses.get(case["status"], case["status"]),
            origin=planned if case["target_id"] else arising,
            subject_count=case["subject_count"],
        )
        for case in cases
    ]


# The filter form's HTML is a function of the language and the query string alone (its
# fields' choices are fixed; the values shown and the errors come from the data), and
# rendering its ~21 widgets through the form templates (an include per option) costs more
# than all the page's queries. Kept per language and query string, less the parameters
# the form does not read; emptied when full, so that no run of query strings grows it.
_FILTER_FIELDS: dict[tuple, str] = {}
_FILTER_FIELDS_MAX = 256
_NOT_FILTERS = frozenset({"organization", "sort", "page", "export"})


def _filter_fields(request, filters: queries.CaseFilter) -> str:
    data = sorted((k, tuple(v)) for k, v in request.GET.lists() if k not in _NOT_FILTERS)
    key = (translation.get_language(), tuple(data))
    html = _FILTER_FIELDS.get(key)
    if html is None:
        if len(_FILTER_FIELDS) >= _FILTER_FIELDS_MAX:
            _FILTER_FIELDS.clear()
        html = render_to_string("cases/partials/case_filter_fields.html", {"form": filters.form})
        _FILTER_FIELDS[key] = html
    return html


@require_GET
def case_list(request):
    organization = organization_param(request)
    filters = queries.CaseFilter(
        request.GET,
        queryset=queries.cases_for(request.user, organization=organization),
        organization=organization,
    )
    sort = request.GET.get("sort", "")
    cases = ktgs_queries.sorted_by(filters.qs, sort, queries.CASE_SORTS)
    if request.GET.get("export") == "xlsx":
        title = _("Cuộc kiểm tra, giám sát")
        if organization is not None:
            title = f"{title} · {organization.name}"
        return spreadsheets.xlsx_response(
            exports.cases_workbook(cases, title=title, filters=filters),
            f"cuoc-kiem-tra-giam-sat-{timezone.localdate():%Y%m%d}.xlsx",
        )
    page = Paginator(cases.values(*ROW_FIELDS), CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organization": organization,
        "filters": filters,
        "filter_fields": _filter_fields(request, filters),
        "sort": sort,
        "cases": case_rows(list(page.object_list)),
        "page": page,
        "counted": queries.counted_records(filters),
        "query": query.urlencode(),
        "can_create": access.writable_organizations(request.user).exists(),
    }
    return render(request, "cases/case_list.html", context)


def _subjects_for_service(formset):
    """The subject rows to record, and service index → formset row."""
    subjects: list[dict] = []
    index_map: dict[int, int] = {}
    for row, form in enumerate(formset.forms):
        if not form.has_changed() or form.cleaned_data.get("DELETE"):
            continue
        index_map[len(subjects)] = row
        subjects.append(form.subject_fields())
    return subjects, index_map


def own_unit(user) -> Organization | None:
    """The unit a user enters cases for when they hold exactly one writing role: the
    form's default conducting unit (units below it stay one search away)."""
    paths = access.reach_paths(user, write=True)
    if paths is None or len(paths) != 1:
        return None
    return Organization.objects.filter(path=paths[0]).first()


@require_http_methods(["GET", "POST"])
def case_create(request):
    organization = organization_param(request, write=True)
    if request.method == "POST":
        # The page's unit was just read for writing (404 otherwise): posted as the case's
        # unit, the form takes it instead of reading it again.
        form = forms.CaseForm(request.POST, user=request.user, writable_unit=organization)
        formset = forms.subject_formset(request.POST, user=request.user)
        if form.is_valid() and formset.is_valid():
            subjects, index_map = _subjects_for_service(formset)
            try:
                case = services.record_case(
                    user=request.user,
                    subjects=subjects,
                    decided_when_numbered=True,
                    **form.service_fields(),
                )
            except ValidationError as error:
                forms.apply_errors(form, error, formset, index_map)
            else:
                messages.success(request, _("Đã ghi nhận cuộc kiểm tra, giám sát."))
                return redirect(case)
    else:
        initial = {
            "organization": organization or own_unit(request.user),
            "kind": ActivityKind.values[0],
            "year": timezone.localdate().year,
        }
        form = forms.CaseForm(initial=initial, user=request.user)
        formset = forms.subject_formset(user=request.user)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "formset": formset, "organization": organization, "case": None},
    )


@require_GET
def case_detail(request, pk: int):
    case = access.get_object_for_user(
        request.user, Case.objects.select_related("organization__parent", "target__programme"), pk
    )
    can_write = access.can_write(request.user, case.organization)
    # "Đã kết luận" is reached through the conclusion form only (it records the date the
    # state needs): the page offers "Nhập kết luận" instead of a button for it.
    next_statuses = [
        (value, Case.Status(value).label)
        for value in services.allowed_statuses(case)
        if value != Case.Status.CONCLUDED
    ]
    context = {
        "case": case,
        **queries.case_detail(case),
        "history": services.case_history(case),
        "can_write": can_write,
        "can_reopen": can_write and services.can_reopen(request.user, case),
        "next_statuses": next_statuses if can_write else [],
        "breadcrumb": ktgs_queries.breadcrumb(request.user, case.organization),
        "arising": queries.arising_explanation(case),
    }
    return render(request, "cases/case_detail.html", context)


def _save_edit(request, case, form, formset) -> Case:
    """One transaction: the case's fields (version checked there), then its subjects."""
    with transaction.atomic():
        case = services.update_case(
            user=request.user,
            case=case,
            version=form.cleaned_data["version"] or 0,
            decided_when_numbered=True,
            **form.service_fields(),
        )
        existing = {s.pk: s for s in case.subjects.all()}
        for row, subject_form in enumerate(formset.forms):
            data = subject_form.cleaned_data
            subject = existing.get(data.get("id"))
            try:
                if subject is not None and data.get("DELETE"):
                    services.remove_subject(user=request.user, subject=subject)
                elif subject is not None:
                    services.update_subject(
                        user=request.user, subject=subject, **subject_form.subject_fields()
                    )
                elif subject_form.has_changed() and not data.get("DELETE"):
                    services.add_subject(
                        user=request.user, case=case, **subject_form.subject_fields()
                    )
            except ValidationError as error:
                if getattr(error, "code", None) == "locked":
                    # The whole case is counted by an approved report: said at the top of
                    # the form, not on the subject's row (cases.services.locks).
                    raise
                if hasattr(error, "error_dict"):
                    raise ValidationError(
                        {f"subjects.{row}.{k}": v for k, v in error.error_dict.items()}
                    ) from None
                raise ValidationError({f"subjects.{row}": error.messages}) from None
    return case


@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case = access.get_object_for_user(request.user, Case.objects.all(), pk, write=True)
    stale = None
    if request.method == "POST":
        form = forms.CaseForm(request.POST, user=request.user, case=case)
        formset = forms.subject_formset(request.POST, user=request.user)
        if form.is_valid() and formset.is_valid():
            try:
                case = _save_edit(request, case, form, formset)
            except versioning.StaleObjectError as error:
                stale = error
                # Keep every value the user typed; only move the version on, so that a
                # second save after reading the changes is a deliberate overwrite.
                data = request.POST.copy()
                data["version"] = str(error.current_version)
                form = forms.CaseForm(data, user=request.user, case=case)
                formset = forms.subject_formset(data, user=request.user)
                form.is_valid()
                formset.is_valid()
            except ValidationError as error:
                forms.apply_errors(form, error, formset)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect(case)
    else:
        initial = {name: getattr(case, name) for name in services.CASE_FIELDS}
        initial.update(
            version=case.version,
            organization=case.organization_id,
            target=str(case.target_id) if case.target_id else forms.TARGET_ARISING,
        )
        form = forms.CaseForm(initial=initial, user=request.user, case=case)
        formset = forms.subject_formset(initial=forms.initial_subjects(case), user=request.user)
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "formset": formset,
            "organization": case.organization,
            "case": case,
            "stale": stale,
        },
    )


def _status_question(status: str, label: str) -> str:
    if status == Case.Status.CANCELLED:
        return _("Hủy cuộc kiểm tra, giám sát này?")
    return _("Chuyển cuộc này sang “%(status)s”?") % {"status": label}


@require_POST
def case_status(request, pk: int):
    """A step to the next state. Posted by the case page's button it answers with the
    confirmation page (what will follow, the warnings); posted from there, it acts."""
    case = access.get_object_for_user(request.user, Case.objects.all(), pk, write=True)
    form = forms.StatusForm(request.POST)
    form.is_valid()
    status, version = form.cleaned_data.get("status"), form.cleaned_data.get("version")
    if status is None or version is None:
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect(case)
    if status == Case.Status.CONCLUDED:
        # One path to conclude: the conclusion form records the date this state needs.
        return redirect("cases:conclude", case.pk)
    allowed = status in services.allowed_statuses(case)
    if allowed and (form.errors or not form.cleaned_data.get("confirmed")):
        label = str(Case.Status(status).label)
        warnings = services.status_warnings(case, status, timezone.localdate())
        if status == Case.Status.CANCELLED:
            button = _("Hủy cuộc kiểm tra, giám sát")
        elif warnings:
            button = _("Vẫn chuyển sang “%(status)s”") % {"status": label}
        else:
            button = _("Chuyển sang “%(status)s”") % {"status": label}
        return render(
            request,
            "cases/case_confirm.html",
            {
                "case": case,
                "form": form,
                "status": status,
                "question": _status_question(status, label),
                "follows": services.what_follows(case, status),
                "warnings": warnings,
                "action_url": reverse("cases:status", args=[case.pk]),
                "button": button,
                "danger": status == Case.Status.CANCELLED,
                "ask_reason": status == Case.Status.CANCELLED,
            },
        )
    try:
        case = services.change_status(
            user=request.user,
            case=case,
            status=status,
            version=version,
            reason=form.cleaned_data.get("reason", ""),
        )
    except versioning.StaleObjectError as error:
        changes = "; ".join(f"{label}: {old} → {new}" for label, old, new in error.changes)
        messages.error(request, f"{error.messages[0]} {changes}")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Đã chuyển sang “%(status)s”.") % {"status": case.get_status_display()}
        )
    return redirect(case)


@require_http_methods(["GET", "POST"])
def case_reopen(request, pk: int):
    """Undo a cancellation: an administrator of the case's unit, with a reason."""
    case = access.get_object_for_user(request.user, Case.objects.all(), pk, write=True)
    if not services.can_reopen(request.user, case):
        raise Http404
    if request.method == "POST":
        form = forms.ReopenForm(request.POST)
        if form.is_valid():
            try:
                case = services.reopen_case(
                    user=request.user,
                    case=case,
                    version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                )
            except versioning.StaleObjectError as error:
                changes = "; ".join(f"{label}: {old} → {new}" for label, old, new in error.changes)
                messages.error(request, f"{error.messages[0]} {changes}")
                return redirect(case)
            except ValidationError as error:
                forms.apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Đã mở lại cuộc kiểm tra, giám sát: “%(status)s”.")
                    % {"status": case.get_status_display()},
                )
                return redirect(case)
    else:
        form = forms.ReopenForm(initial={"version": case.version})
    return render(
        request,
        "cases/case_confirm.html",
        {
            "case": case,
            "form": form,
            "question": _("Mở lại cuộc kiểm tra, giám sát đã hủy?"),
            "follows": services.what_reopening_does(case),
            "warnings": [],
            "action_url": reverse("cases:reopen", args=[case.pk]),
            "button": _("Mở lại cuộc"),
            "danger": False,
            "ask_reason": True,
        },
    )


@require_http_methods(["GET", "POST"])
def case_conclude(request, pk: int):
    case = access.get_object_for_user(request.user, Case.objects.all(), pk, write=True)
    stale = None
    warnings: list[str] = []
    if request.method == "POST":
        form = forms.ConcludeForm(request.POST, case=case)
        valid = form.is_valid()
        # Said with the first answer, whatever else the form lacks.
        warnings = services.conclusion_warnings(
            form.cleaned_data.get("concluded_on"), timezone.localdate()
        )
        if valid:
            if warnings and not form.cleaned_data["save_anyway"]:
                form.add_error(None, _("Hãy xem các cảnh báo dưới đây trước khi lưu."))
            else:
                try:
                    case = services.conclude_case(
                        user=request.user, case=case, **form.service_fields()
                    )
                except versioning.StaleObjectError as error:
                    stale = error
                    data = request.POST.copy()
                    data["version"] = str(error.current_version)
                    form = forms.ConcludeForm(data, case=case)
                    form.is_valid()
                except ValidationError as error:
                    forms.apply_errors(form, error)
                else:
                    messages.success(request, _("Đã ghi nhận kết luận."))
                    return redirect(case)
    else:
        form = forms.ConcludeForm(
            initial={
                "version": case.version,
                "concluded_on": case.concluded_on,
                "conclusion_number": case.conclusion_number,
                "summary": case.summary,
                "violation_found": _yes_no(case.violation_found),
                "shortcomings_found": _yes_no(case.shortcomings_found),
            },
            case=case,
        )
    context = {
        "form": form,
        "case": case,
        "stale": stale,
        "warnings": warnings,
        "follows": services.what_follows(case, Case.Status.CONCLUDED)
        if form.first_conclusion
        else [],
    }
    return render(request, "cases/case_conclude.html", context)


def _yes_no(value):
    return "" if value is None else ("true" if value else "false")


@require_http_methods(["GET", "POST"])
def case_discipline(request, pk: int, subject_pk: int):
    case = access.get_object_for_user(
        request.user, Case.objects.select_related("organization"), pk, write=True
    )
    subject = get_object_or_404(case.subjects.select_related("organization"), pk=subject_pk)
    warnings: list[str] = []
    if request.method == "POST":
        form = forms.DisciplineForm(request.POST, case=case, subject=subject)
        valid = form.is_valid()
        fields = form.service_fields()
        # Said with the first answer, whatever else the form lacks.
        if {"form", "deciding_organization", "deciding_body"} <= set(fields):
            warnings = services.discipline_warnings(
                subject=subject,
                form=fields["form"],
                deciding_organization=fields["deciding_organization"],
                deciding_body=fields["deciding_body"],
            )
        if valid:
            if warnings and not form.cleaned_data["save_anyway"]:
                form.add_error(None, _("Hãy xem các cảnh báo dưới đây trước khi lưu."))
            else:
                try:
                    services.add_discipline(user=request.user, case=case, subject=subject, **fields)
                except ValidationError as error:
                    forms.apply_errors(form, error)
                else:
                    messages.success(request, _("Đã ghi nhận quyết định kỷ luật."))
                    return redirect(case)
    else:
        form = forms.DisciplineForm(case=case, subject=subject)
    return render(
        request,
        "cases/discipline_form.html",
        {"form": form, "case": case, "subject": subject, "warnings": warnings},
    )


@require_GET
def target_choices(request):
    """htmx: the case form's target list again, for the unit, kind, year and dates typed
    (`?case=` on an edit page). The user's pick stays when it is still listed; "arising"
    picked while nothing was listed gives way to the proposed target."""
    case = None
    pk = request.GET.get("case")
    if pk and pk.isdigit():
        case = access.get_object_for_user(
            request.user, Case.objects.select_related("target__programme"), int(pk), write=True
        )
    initial = {name: request.GET.get(name) for name in forms.CaseForm.TARGET_INPUTS}
    picked = request.GET.get("target")
    if picked == forms.TARGET_ARISING and not request.GET.get("targets_seen"):
        picked = None
    initial["target"] = picked
    initial["confirm_body_mismatch"] = "confirm_body_mismatch" in request.GET
    form = forms.CaseForm(initial=initial, user=request.user, case=case)
    return render(request, "cases/partials/target_choices.html", {"form": form, "case": case})


@require_GET
def subject_search(request):
    """htmx autocomplete: units in the user's reach (`?scope=write`: where they write)."""
    results = ktgs_queries.search_visible(request.user, request.GET.get("q", ""))
    if request.GET.get("scope") == "write":
        results = [unit for unit in results if access.can_write(request.user, unit)]
    prefetch_related_objects(results, "parent")  # each result names its parent
    return render(request, "cases/partials/subject_search_results.html", {"results": results})
