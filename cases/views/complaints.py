"""Staff pages for disciplinary complaints: list, one-screen entry (from a letter of kind
complaint or not), and the detail page with its history and the decision on it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import queries, services
from cases.forms import records as forms
from cases.models import DisciplineComplaint
from cases.views.records import organization_param, paginate, submit
from ktgs import access
from ktgs import queries as ktgs_queries


def _complaint(request, pk: int, *, write: bool = False) -> DisciplineComplaint:
    return access.get_object_for_user(
        request.user,
        DisciplineComplaint.objects.select_related(
            "case",
            "case__organization",
            "discipline",
            "discipline__subject",
            "discipline__deciding_organization",
            "letter",
        ),
        pk,
        field="case__organization",
        write=write,
    )


@require_GET
def complaint_list(request):
    organization = organization_param(request)
    filters = queries.ComplaintFilter(
        request.GET, queryset=queries.complaints_for(request.user, organization=organization)
    )
    page = paginate(request, filters.qs)
    context = {
        "organization": organization,
        "filters": filters,
        "complaints": list(page.object_list),
        "page": page,
        "can_create": access.writable_organizations(request.user).exists(),
    }
    return render(request, "cases/complaint_list.html", context)


@require_http_methods(["GET", "POST"])
def complaint_create(request):
    organization = organization_param(request, write=True)
    if request.method == "POST":
        form = forms.ComplaintForm(request.POST, user=request.user)
        outcome = submit(
            form, services.lodge_complaint, user=request.user, today=timezone.localdate()
        )
        if outcome.ok:
            messages.success(request, _("Đã ghi nhận khiếu nại kỷ luật."))
            return redirect("cases:complaint_detail", outcome.result.pk)
        form = outcome.form
    else:
        initial: dict[str, Any] = {"organization": organization}
        letter = request.GET.get("letter")
        if letter and letter.isdigit():
            initial.update(letter=int(letter))
        form = forms.ComplaintForm(initial=initial, user=request.user)
    return render(request, "cases/complaint_form.html", {"form": form})


def _detail(request, complaint: DisciplineComplaint, *, bound=None, stale=None):
    case = complaint.case
    can_write = access.can_write(request.user, case.organization)
    action_forms = {}
    if can_write and not complaint.result and case.status == "in_progress":
        action_forms["decide"] = forms.DecideComplaintForm(
            user=request.user,
            record=complaint,
            prefix="decide",
            initial={"decided_on": timezone.localdate()},
        )
    if bound is not None:
        action_forms[bound.prefix] = bound
    context = {
        "complaint": complaint,
        "case": case,
        "history": queries.record_history(complaint),
        "can_write": can_write,
        "action_forms": action_forms,
        "stale": stale,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, case.organization),
    }
    return render(request, "cases/complaint_detail.html", context)


@require_GET
def complaint_detail(request, pk: int):
    return _detail(request, _complaint(request, pk))


@require_POST
def complaint_decide(request, pk: int):
    complaint = _complaint(request, pk, write=True)
    form = forms.DecideComplaintForm(
        request.POST, user=request.user, record=complaint, prefix="decide"
    )
    outcome = submit(form, services.decide_complaint, user=request.user, complaint=complaint)
    if outcome.ok:
        messages.success(request, _("Đã ghi nhận kết quả giải quyết khiếu nại."))
        return redirect("cases:complaint_detail", complaint.pk)
    return _detail(request, _complaint(request, pk), bound=outcome.form, stale=outcome.stale)
