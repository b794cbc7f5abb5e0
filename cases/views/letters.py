"""Staff pages for letters received: list, one-screen entry and correction, and the
detail page with its history and the ways to handle the letter (keep it, settle it here,
forward it, link the case it led to, open the handling of the denunciation it makes)."""

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
from cases.models import Letter
from cases.services.letters import LETTER_FIELDS
from cases.views.records import organization_param, paginate, submit
from ktgs import access
from ktgs import queries as ktgs_queries

# The detail page's actions: URL name suffix → (form, service, success message).
ACTIONS: dict[str, tuple[type[forms.ActionForm], Callable[..., Any], Any]] = {
    "keep": (forms.HandledOnForm, services.keep_letter, _l("Đã lưu đơn để tham khảo.")),
    "handle": (forms.HandledOnForm, services.handle_letter, _l("Đã ghi nhận giải quyết đơn.")),
    "forward": (forms.ForwardForm, services.forward_letter, _l("Đã chuyển đơn.")),
    "link_case": (
        forms.LinkCaseForm,
        services.link_letter_case,
        _l("Đã gắn đơn với cuộc kiểm tra."),
    ),
    "denounce": (
        forms.OpenDenunciationForm,
        services.open_denunciation,
        _l("Đã mở hồ sơ giải quyết tố cáo."),
    ),
}


def _letter(request, pk: int, *, write: bool = False) -> Letter:
    return access.get_object_for_user(
        request.user,
        Letter.objects.select_related(
            "organization", "about_organization", "forwarded_to", "case", "forwarded_from"
        ),
        pk,
        write=write,
    )


@require_GET
def letter_list(request):
    organization = organization_param(request)
    filters = queries.LetterFilter(
        request.GET, queryset=queries.letters_for(request.user, organization=organization)
    )
    page = paginate(request, filters.qs)
    context = {
        "organization": organization,
        "filters": filters,
        "letters": list(page.object_list),
        "page": page,
        "can_create": access.writable_organizations(request.user).exists(),
    }
    return render(request, "cases/letter_list.html", context)


@require_http_methods(["GET", "POST"])
def letter_create(request):
    organization = organization_param(request, write=True)
    if request.method == "POST":
        form = forms.LetterForm(request.POST, user=request.user)
        outcome = submit(
            form, services.record_letter, user=request.user, today=timezone.localdate()
        )
        if outcome.ok:
            messages.success(request, _("Đã ghi nhận đơn thư."))
            return redirect("cases:letter_detail", outcome.result.pk)
        form = outcome.form
    else:
        form = forms.LetterForm(
            initial={"organization": organization, "received_on": timezone.localdate()},
            user=request.user,
        )
    return render(request, "cases/letter_form.html", {"form": form, "letter": None})


@require_http_methods(["GET", "POST"])
def letter_edit(request, pk: int):
    letter = _letter(request, pk, write=True)
    stale = None
    if request.method == "POST":
        form = forms.LetterForm(request.POST, user=request.user, record=letter)
        outcome = submit(
            form,
            services.update_letter,
            user=request.user,
            letter=letter,
            today=timezone.localdate(),
        )
        if outcome.ok:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("cases:letter_detail", letter.pk)
        form, stale = outcome.form, outcome.stale
    else:
        initial = {name: getattr(letter, name) for name in LETTER_FIELDS}
        initial.update(version=letter.version, about_organization=letter.about_organization_id)
        form = forms.LetterForm(initial=initial, user=request.user, record=letter)
    return render(
        request, "cases/letter_form.html", {"form": form, "letter": letter, "stale": stale}
    )


def _action_forms(request, letter: Letter) -> dict:
    """The forms of the actions the letter still allows, unbound, by action name."""
    if letter.handling != Letter.Handling.PENDING:
        return {}
    today = timezone.localdate()
    names = ["keep", "forward", "link_case"]
    if letter.kind == Letter.Kind.DENUNCIATION:
        names.insert(0, "denounce")
    elif letter.kind != Letter.Kind.DISCIPLINE_COMPLAINT:
        names.insert(0, "handle")
    result = {}
    for name in names:
        form_class = ACTIONS[name][0]
        initial = {"handled_on": today} if issubclass(form_class, forms.HandledOnForm) else {}
        result[name] = form_class(user=request.user, record=letter, prefix=name, initial=initial)
    return result


def _detail(request, letter: Letter, *, bound=None, stale=None, status=200):
    can_write = access.can_write(request.user, letter.organization)
    action_forms = _action_forms(request, letter) if can_write else {}
    if bound is not None:
        action_forms[bound.prefix] = bound
    context = {
        "letter": letter,
        "history": queries.record_history(letter),
        "forwards": list(letter.forwards.select_related("organization").order_by("pk")),
        "denunciation": getattr(letter, "denunciation", None),
        "complaint": getattr(letter, "discipline_complaint", None),
        "can_write": can_write,
        "action_forms": action_forms,
        "stale": stale,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, letter.organization),
    }
    return render(request, "cases/letter_detail.html", context, status=status)


@require_GET
def letter_detail(request, pk: int):
    return _detail(request, _letter(request, pk))


@require_POST
def letter_action(request, pk: int, action: str):
    letter = _letter(request, pk, write=True)
    form_class, service, done = ACTIONS[action]
    form = form_class(request.POST, user=request.user, record=letter, prefix=action)
    kwargs = {"user": request.user, "letter": letter}
    if action == "denounce":
        kwargs["today"] = timezone.localdate()
    outcome = submit(form, service, **kwargs)
    if outcome.ok:
        messages.success(request, done)
        if action == "denounce":
            return redirect("cases:denunciation_detail", outcome.result.pk)
        return redirect("cases:letter_detail", letter.pk)
    letter = _letter(request, pk)
    return _detail(request, letter, bound=outcome.form, stale=outcome.stale)
