"""Staff pages for cases: access → form → service → redirect, or access → query → render.

Every page goes through ktgs.access: reads with `scope`/`get_object_for_user`, writes with
`write=True`, so another unit's staff (and a leader trying to write) get 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import exports, queries, services
from cases.forms import cases as forms
from cases.models import Case
from cases.views.records import organization_param
from ktgs import access, spreadsheets, versioning
from ktgs import queries as ktgs_queries
from plans.models import ActivityKind

CASES_PER_PAGE = 50


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
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organization": organization,
        "filters": filters,
        "sort": sort,
        "cases": list(page.object_list),
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


@require_http_methods(["GET", "POST"])
def case_create(request):
    organization = organization_param(request, write=True)
    if request.method == "POST":
        form = forms.CaseForm(request.POST, user=request.user)
        formset = forms.subject_formset(request.POST, user=request.user)
        if form.is_valid() and formset.is_valid():
            subjects, index_map = _subjects_for_service(formset)
            try:
                case = services.record_case(
                    user=request.user, subjects=subjects, **form.service_fields()
                )
            except ValidationError as error:
                forms.apply_errors(form, error, formset, index_map)
            else:
                messages.success(request, _("Đã ghi nhận cuộc kiểm tra, giám sát."))
                return redirect(case)
    else:
        initial = {
            "organization": organization,
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
        request.user, Case.objects.select_related("organization", "target__programme"), pk
    )
    can_write = access.can_write(request.user, case.organization)
    context = {
        "case": case,
        **queries.case_detail(case),
        "history": services.case_history(case),
        "can_write": can_write,
        "next_statuses": [
            (value, Case.Status(value).label) for value in services.allowed_statuses(case)
        ]
        if can_write
        else [],
        "breadcrumb": ktgs_queries.breadcrumb(request.user, case.organization),
    }
    return render(request, "cases/case_detail.html", context)


def _save_edit(request, case, form, formset) -> Case:
    """One transaction: the case's fields (version checked there), then its subjects."""
    with transaction.atomic():
        case = services.update_case(
            user=request.user,
            case=case,
            version=form.cleaned_data["version"] or 0,
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


@require_POST
def case_status(request, pk: int):
    case = access.get_object_for_user(request.user, Case.objects.all(), pk, write=True)
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect(case)
    try:
        case = services.change_status(
            user=request.user,
            case=case,
            status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
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
def case_conclude(request, pk: int):
    case = access.get_object_for_user(request.user, Case.objects.all(), pk, write=True)
    stale = None
    if request.method == "POST":
        form = forms.ConcludeForm(request.POST)
        if form.is_valid():
            try:
                case = services.conclude_case(user=request.user, case=case, **form.cleaned_data)
            except versioning.StaleObjectError as error:
                stale = error
                data = request.POST.copy()
                data["version"] = str(error.current_version)
                form = forms.ConcludeForm(data)
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
            }
        )
    return render(request, "cases/case_conclude.html", {"form": form, "case": case, "stale": stale})


def _yes_no(value):
    return "" if value is None else ("true" if value else "false")


@require_http_methods(["GET", "POST"])
def case_discipline(request, pk: int, subject_pk: int):
    case = access.get_object_for_user(
        request.user, Case.objects.select_related("organization"), pk, write=True
    )
    subject = get_object_or_404(case.subjects.select_related("organization"), pk=subject_pk)
    if request.method == "POST":
        form = forms.DisciplineForm(request.POST, case=case, subject=subject)
        if form.is_valid():
            try:
                services.add_discipline(
                    user=request.user, case=case, subject=subject, **form.cleaned_data
                )
            except ValidationError as error:
                forms.apply_errors(form, error)
            else:
                messages.success(request, _("Đã ghi nhận quyết định kỷ luật."))
                return redirect(case)
    else:
        form = forms.DisciplineForm(case=case, subject=subject)
    return render(
        request, "cases/discipline_form.html", {"form": form, "case": case, "subject": subject}
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
    return render(request, "cases/partials/subject_search_results.html", {"results": results})
