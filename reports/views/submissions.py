"""Pages of the report round trip: the panel on the period report (status, history, the
staff's submission form, the parent's decisions), the parent's "built from the
children" page, and a unit's comments on its dashboard (loaded by htmx).

Each view: access (404 outside reach) → form → service → redirect (or the panel again
for htmx), or access → query → render."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from ktgs import access, versioning
from ktgs import queries as ktgs_queries
from reports import forms, services
from reports.documents import UNKNOWN, document_of
from reports.models import ReportPeriod, ReportSubmission
from reports.queries import submissions as queries
from reports.queries.period_reports import PeriodReport, period_report

PANEL = "reports/partials/submission_panel.html"


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _report_url(organization_id: int, period: ReportPeriod) -> str:
    query = urlencode({"year": str(period.year), "period": str(period.kind)})
    return reverse("reports:period_report", args=[organization_id]) + "?" + query


def panel_context(
    request,
    organization,
    report: PeriodReport,
    *,
    submit_form=None,
    decision_forms=None,
    submission=UNKNOWN,
) -> dict:
    """The submission panel's context on the period report page (and after an htmx
    post): the unit's submission, its history, the forms this user may use, and for a
    unit with children their status for the period. `submission`: the unit's submission
    for the report's period when the caller has already read it (None: there is none)."""
    period = report.source.period
    if period is None or not report.lines:
        return {"submission_panel": None}
    user = request.user
    today = timezone.localdate()
    if submission is UNKNOWN:
        submission = queries.submission_of(organization, period)
    has_parent = organization.depth > 1
    can_submit = (
        has_parent
        and access.can_write(user, organization)
        and (
            submission is None
            or submission.status
            in (ReportSubmission.Status.RETURNED, ReportSubmission.Status.REOPENED)
        )
    )
    if can_submit and submit_form is None:
        # What was sent last (after a return or a reopening), else the defaults; the
        # paragraph generated from the figures where none was written.
        header = document_of(organization, report, today=today, submission=submission)
        initial = forms.SubmitReportForm.initial_from(
            dataclasses.replace(header, signed_on=header.signed_on or today),
            submission.version if submission is not None else None,
        )
        submit_form = forms.SubmitReportForm(initial=initial)
    can_decide = (
        submission is not None
        and submission.status == ReportSubmission.Status.SUBMITTED
        and queries.may_decide(user, organization)
    )
    can_reopen = (
        submission is not None
        and submission.status == ReportSubmission.Status.APPROVED
        and queries.may_reopen(user, organization)
    )
    decision_forms = decision_forms or {}
    if submission is not None:
        decision_forms.setdefault(
            "return", forms.ReturnReportForm(initial={"version": submission.version})
        )
        decision_forms.setdefault(
            "approve", forms.DecisionForm(initial={"version": submission.version})
        )
        decision_forms.setdefault(
            "reopen", forms.ReopenReportForm(initial={"version": submission.version})
        )
    # A refusal of a form this user is not shown (a leader posting a submission, the
    # unit's staff an approval) is said at the top of the panel.
    shown = {"return": can_decide, "approve": can_decide, "reopen": can_reopen}
    errors = [
        str(message)
        for name, form in [("submit", submit_form), *decision_forms.items()]
        if form is not None and form.is_bound and not shown.get(name, can_submit)
        for message in form.non_field_errors()
    ]
    children = None
    if organization.numchild:
        children = queries.children_status(organization, period, today=today)
    return {
        "submission_panel": {
            "period": period,
            "submission": submission,
            "events": queries.events_of(submission) if submission is not None else [],
            "due_on": queries.due_on(period),
            "can_submit": can_submit,
            "submit_form": submit_form if can_submit else None,
            "can_decide": can_decide,
            "can_reopen": can_reopen,
            "forms": decision_forms,
            "errors": errors,
            "children": children,
        }
    }


def _period(request) -> ReportPeriod:
    try:
        return ReportPeriod.objects.get(pk=int(request.POST.get("period_id", "")))
    except (ValueError, ReportPeriod.DoesNotExist):
        raise Http404 from None


def _answer(request, organization, period: ReportPeriod, **forms_on_error):
    """After a post: the panel again for htmx (with the forms' errors), else a redirect
    to the report page (errors: the page with the panel's forms re-rendered)."""
    if request.htmx or forms_on_error:
        report = _period_report(organization, period)
        context = {
            "organization": organization,
            "report": report,
            "year": period.year,
            "period": period.kind,
            **panel_context(request, organization, report, **forms_on_error),
        }
        status = 400 if forms_on_error else 200
        return render(request, PANEL, context, status=status)
    return redirect(_report_url(organization.pk, period))


def _period_report(organization, period: ReportPeriod) -> PeriodReport:
    return period_report(
        organization, year=period.year, period_kind=period.kind, today=timezone.localdate()
    )


@require_POST
def submission_submit(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    period = _period(request)
    form = forms.SubmitReportForm(request.POST)
    if form.is_valid():
        try:
            services.submit_report(
                user=request.user,
                organization=organization,
                period=period,
                today=timezone.localdate(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
    if form.errors:
        return _answer(request, organization, period, submit_form=form)
    return _answer(request, organization, period)


DECISIONS: dict[str, tuple[type[forms.DecisionForm], Callable[..., ReportSubmission]]] = {
    "return": (forms.ReturnReportForm, services.return_report),
    "approve": (forms.DecisionForm, services.approve_report),
    "reopen": (forms.ReopenReportForm, services.reopen_report),
}


@require_POST
def submission_decide(request, pk: int, action: str):
    if action not in DECISIONS:
        raise Http404
    submission = access.get_object_for_user(
        request.user, ReportSubmission.objects.select_related("organization", "period"), pk
    )
    form_class, service = DECISIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(user=request.user, submission=submission, **form.cleaned_data)
        except versioning.StaleObjectError as error:
            # The form again, moved on to the current version, with what changed.
            form = form_class({**request.POST.dict(), "version": error.current_version})
            form.is_valid()
            form.add_error(None, error)
        except ValidationError as error:
            _apply_errors(form, error)
    if form.errors:
        return _answer(
            request,
            submission.organization,
            submission.period,
            decision_forms={action: form},
        )
    return _answer(request, submission.organization, submission.period)


@require_GET
def built_report(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    try:
        period = ReportPeriod.objects.get(pk=int(request.GET.get("period_id", "")))
    except (ValueError, ReportPeriod.DoesNotExist):
        raise Http404 from None
    built = queries.built_from_children(organization, period, today=timezone.localdate())
    context = {
        "organization": organization,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, organization),
        "period": period,
        "built": built,
        "report_url": _report_url(organization.pk, period),
    }
    return render(request, "reports/built_report.html", context)


def _comments_context(request, organization, form=None) -> dict:
    return {
        "organization": organization,
        "comments": queries.comments_of(organization),
        "comment_form": form or forms.CommentForm(),
    }


@require_GET
def comment_list(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    return render(
        request, "reports/partials/comments.html", _comments_context(request, organization)
    )


@require_POST
def comment_add(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(
                user=request.user, organization=organization, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
    if form.errors:
        return render(
            request,
            "reports/partials/comments.html",
            _comments_context(request, organization, form),
            status=400,
        )
    if request.htmx:
        return render(
            request, "reports/partials/comments.html", _comments_context(request, organization)
        )
    return redirect("reports:dashboard", pk=organization.pk)
