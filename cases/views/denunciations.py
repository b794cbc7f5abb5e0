"""Staff pages for denunciations: the list with their deadlines, and the detail page with
its history, the deadline, the case it is handled in (where discipline is added), and
the extension and the conclusion. A denunciation is opened from its letter's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from cases import queries, services
from cases.forms import records as forms
from cases.models import Denunciation
from cases.views.records import organization_param, paginate, submit
from ktgs import access
from ktgs import queries as ktgs_queries

ACTIONS: dict[str, tuple[type[forms.ActionForm], Callable[..., Any], Any]] = {
    "extend": (
        forms.ExtendDenunciationForm,
        services.extend_denunciation,
        _l("Đã gia hạn thời hạn giải quyết."),
    ),
    "conclude": (
        forms.ConcludeDenunciationForm,
        services.conclude_denunciation,
        _l("Đã ghi nhận kết luận tố cáo."),
    ),
}


def _denunciation(request, pk: int, *, write: bool = False) -> Denunciation:
    return access.get_object_for_user(
        request.user,
        Denunciation.objects.select_related("case", "case__organization", "letter"),
        pk,
        field="case__organization",
        write=write,
    )


@require_GET
def denunciation_list(request):
    organization = organization_param(request)
    today = timezone.localdate()
    filters = queries.DenunciationFilter(
        request.GET,
        queryset=queries.denunciation_rows(request.user, organization=organization),
        today=today,
    )
    page = paginate(request, filters.qs)
    rows = [(d, queries.deadline_view(d.deadline, d.concluded_on, today)) for d in page]
    context = {"organization": organization, "filters": filters, "rows": rows, "page": page}
    return render(request, "cases/denunciation_list.html", context)


def _action_forms(request, denunciation: Denunciation) -> dict:
    result: dict[str, forms.ActionForm] = {}
    if denunciation.concluded_on is None and denunciation.extended_to is None:
        result["extend"] = forms.ExtendDenunciationForm(
            user=request.user, record=denunciation, prefix="extend"
        )
    if denunciation.case.status in ("in_progress", "concluded"):
        initial = {
            "conclusion": denunciation.conclusion,
            "concluded_on": denunciation.concluded_on or timezone.localdate(),
        }
        result["conclude"] = forms.ConcludeDenunciationForm(
            user=request.user, record=denunciation, prefix="conclude", initial=initial
        )
    return result


def _detail(request, denunciation: Denunciation, *, bound=None, stale=None):
    case = denunciation.case
    can_write = access.can_write(request.user, case.organization)
    action_forms = _action_forms(request, denunciation) if can_write else {}
    if bound is not None:
        action_forms[bound.prefix] = bound
    context = {
        "denunciation": denunciation,
        "case": case,
        "deadline": queries.deadline_view(
            denunciation.deadline, denunciation.concluded_on, timezone.localdate()
        ),
        "history": queries.record_history(denunciation),
        **queries.case_detail(case),
        "can_write": can_write,
        "action_forms": action_forms,
        "stale": stale,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, case.organization),
    }
    return render(request, "cases/denunciation_detail.html", context)


@require_GET
def denunciation_detail(request, pk: int):
    return _detail(request, _denunciation(request, pk))


@require_POST
def denunciation_action(request, pk: int, action: str):
    denunciation = _denunciation(request, pk, write=True)
    form_class, service, done = ACTIONS[action]
    form = form_class(request.POST, user=request.user, record=denunciation, prefix=action)
    outcome = submit(form, service, user=request.user, denunciation=denunciation)
    if outcome.ok:
        messages.success(request, done)
        return redirect("cases:denunciation_detail", denunciation.pk)
    return _detail(request, _denunciation(request, pk), bound=outcome.form, stale=outcome.stale)
