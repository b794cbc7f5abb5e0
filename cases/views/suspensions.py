"""Staff pages for suspensions: list with their planned ends, one-screen entry, and the
detail page with its history, the extension and the lifting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import queries, services
from cases.forms import records as forms
from cases.models import Suspension
from cases.views.records import organization_param, paginate, submit
from ktgs import access
from ktgs import queries as ktgs_queries

ACTIONS: dict[str, tuple[type[forms.ActionForm], Callable[..., Any], Any]] = {
    "extend": (
        forms.ExtendSuspensionForm,
        services.extend_suspension,
        _l("Đã gia hạn đình chỉ."),
    ),
    "lift": (forms.LiftSuspensionForm, services.lift_suspension, _l("Đã chấm dứt đình chỉ.")),
}


def _suspension(request, pk: int, *, write: bool = False) -> Suspension:
    return access.get_object_for_user(
        request.user,
        Suspension.objects.select_related("organization", "subject_organization"),
        pk,
        write=write,
    )


@require_GET
def suspension_list(request):
    organization = organization_param(request)
    today = timezone.localdate()
    filters = queries.SuspensionFilter(
        request.GET,
        queryset=queries.suspension_rows(request.user, organization=organization),
        today=today,
    )
    page = paginate(request, filters.qs)
    rows = [(s, queries.deadline_view(s.ends_on, s.lifted_on, today)) for s in page]
    context = {
        "organization": organization,
        "filters": filters,
        "rows": rows,
        "page": page,
        "can_create": access.writable_organizations(request.user).exists(),
    }
    return render(request, "cases/suspension_list.html", context)


@require_http_methods(["GET", "POST"])
def suspension_create(request):
    organization = organization_param(request, write=True)
    if request.method == "POST":
        form = forms.SuspensionForm(request.POST, user=request.user)
        outcome = submit(form, services.record_suspension, user=request.user)
        if outcome.ok:
            messages.success(request, _("Đã ghi nhận quyết định đình chỉ."))
            return redirect("cases:suspension_detail", outcome.result.pk)
        form = outcome.form
    else:
        form = forms.SuspensionForm(
            initial={"organization": organization, "starts_on": timezone.localdate()},
            user=request.user,
        )
    return render(request, "cases/suspension_form.html", {"form": form})


def _detail(request, suspension: Suspension, *, bound=None, stale=None):
    can_write = access.can_write(request.user, suspension.organization)
    action_forms = {}
    if can_write and suspension.lifted_on is None:
        for name in ("extend", "lift"):
            initial = {"lifted_on": timezone.localdate()} if name == "lift" else {}
            action_forms[name] = ACTIONS[name][0](
                user=request.user, record=suspension, prefix=name, initial=initial
            )
    if bound is not None:
        action_forms[bound.prefix] = bound
    context = {
        "suspension": suspension,
        "deadline": queries.deadline_view(
            suspension.ends_on, suspension.lifted_on, timezone.localdate()
        ),
        "history": queries.record_history(suspension),
        "can_write": can_write,
        "action_forms": action_forms,
        "stale": stale,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, suspension.organization),
    }
    return render(request, "cases/suspension_detail.html", context)


@require_GET
def suspension_detail(request, pk: int):
    return _detail(request, _suspension(request, pk))


@require_POST
def suspension_action(request, pk: int, action: str):
    suspension = _suspension(request, pk, write=True)
    form_class, service, done = ACTIONS[action]
    form = form_class(request.POST, user=request.user, record=suspension, prefix=action)
    outcome = submit(form, service, user=request.user, suspension=suspension)
    if outcome.ok:
        messages.success(request, done)
        return redirect("cases:suspension_detail", suspension.pk)
    return _detail(request, _suspension(request, pk), bound=outcome.form, stale=outcome.stale)
