"""Staff pages for programmes: access → form → service → redirect, or access → query →
render. Anything outside the user's reach answers 404; leaders read, never write."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ktgs import access, spreadsheets
from ktgs import queries as ktgs_queries
from ktgs.api import path_id
from ktgs.models import Organization
from plans import exports, forms, queries, services
from plans.models import ActivityKind, Programme

PER_PAGE = 50
# Rows of one group (a unit level × an activity kind) shown at a time on the programme page.
GROUP_PER_PAGE = 50
KINDS = list(ActivityKind.choices)


def _get_programme(request, pk: int, *, write: bool = False) -> Programme:
    return access.get_object_for_user(
        request.user, Programme.objects.select_related("organization"), pk, write=write
    )


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields where it has them, on top otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DryRun(Exception):  # not an error: the way out of a trial save
    """Raised inside a transaction to undo a save tried only for its refusals: the page
    has other errors (a wrong cell, a warning to confirm), and the user gets every error
    in one round instead of meeting the service's after fixing the first ones."""


def _error_summary(*forms_, cells: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """Every error of the page, in page order, each with the id of its field for the
    summary's link (plans/partials/error_summary.html): the forms' (a formset counts as
    its forms), then the cells' of a grid or table ({"id", "label", "message"})."""
    summary: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        if hasattr(form, "forms"):  # a formset
            summary += [{"id": "", "label": "", "message": e} for e in form.non_form_errors()]
            summary += _error_summary(*form.forms)
            continue
        for message in form.non_field_errors():
            summary.append({"id": "", "label": "", "message": message})
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            bound = form[name]
            for message in errors:
                summary.append({"id": bound.id_for_label, "label": bound.label, "message": message})
    return summary + list(cells or [])


def _fingerprint(data) -> str:
    """A digest of what a form posted (the token and the confirmation aside): the same
    fields and values give the same digest."""
    items = sorted(
        (key, value)
        for key, values in data.lists()
        if key not in ("csrfmiddlewaretoken", "confirmed")
        for value in values
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()[:32]


def _parse_day(text: str | None) -> datetime.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime((text or "").strip(), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


# --- reads ---------------------------------------------------------------------------------


def programme_list(request):
    form = forms.ProgrammeListForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    organization = None
    pk = request.GET.get("organization", "")
    if pk:
        # The unit and its subtree (the unit page's link): one the user reaches, else 404.
        organization = access.get_organization_for_user(request.user, path_id(pk))
    programmes = queries.visible_programmes(
        request.user,
        year=data.get("year"),
        status=data.get("status") or None,
        organization=organization,
        text=data.get("q", ""),
        unit_text=data.get("unit", ""),
    )
    if form.errors:
        programmes = programmes.none()
    sort = request.GET.get("sort", "")
    programmes = ktgs_queries.sorted_by(programmes, sort, queries.PROGRAMME_SORTS)
    if request.GET.get("export") == "xlsx":
        return spreadsheets.xlsx_response(
            exports.programmes_workbook(programmes, form=form, organization=organization),
            f"chuong-trinh-kiem-tra-giam-sat-{timezone.localdate():%Y%m%d}.xlsx",
        )
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "organization": organization,
        "sort": sort,
        "page": page,
        "programmes": list(page.object_list),
        "query": query.urlencode(),
        "can_create": bool(access.reach_paths(request.user, write=True) != []),
    }
    return render(request, "plans/programme_list.html", context)


def programme_detail(request, pk: int):
    programme = _get_programme(request, pk)
    today = timezone.localdate()
    on = _parse_day(request.GET.get("on")) or today
    unit_filter = request.GET.get("q", "").strip()
    targets = queries.programme_targets(programme)
    amendments = list(programme.amendments.all())
    done = queries.done_by_lineage({t.lineage_key for t in targets}, on=on)
    rows = queries.progress_rows(targets, on, done)
    lines = queries.side_by_side(targets, amendments, done)
    if unit_filter:
        rows = [r for r in rows if queries.unit_matches(r.target.organization, unit_filter)]
        lines = [ln for ln in lines if queries.unit_matches(ln.first.organization, unit_filter)]
    groups = queries.group_by_level_and_kind(rows, lambda r: r.target)
    open_group = request.GET.get("group", "")
    shown = [g for g in groups if g.key == open_group] if open_group else groups
    for group in shown:
        # A long group shows a page of rows; its pager links to the group alone.
        number = request.GET.get("page") if group.key == open_group else 1
        group.page = Paginator(group.items, GROUP_PER_PAGE).get_page(number)
    can_write = access.can_write(request.user, programme.organization)
    context = {
        "programme": programme,
        "on": on,
        "q": unit_filter,
        "open_group": open_group,
        "groups": shown,
        "rows": rows,
        "row_count": len(rows),
        "expand": bool(unit_filter or open_group) or len(rows) <= GROUP_PER_PAGE,
        "amendments": amendments,
        "line_groups": queries.group_by_level_and_kind(lines, lambda ln: ln.first),
        "lines": lines,
        "history": queries.programme_history(programme, targets=targets, amendments=amendments),
        "can_write": can_write,
        "can_reopen": access.can_administer(request.user, programme.organization),
        "same_year": queries.same_year_programmes(
            programme.organization,
            programme.body,
            programme.year,
            programme.end_year,
            exclude=programme.pk,
        ),
    }
    return render(request, "plans/programme_detail.html", context)


# --- the targets grid ---------------------------------------------------------------------


def _extra_units(owner: Organization, codes_text: str) -> tuple[list[Organization], str]:
    codes = [c for c in codes_text.replace(",", " ").split() if c]
    if not codes:
        return [], ""
    found = list(Organization.objects.filter(code__in=codes, path__startswith=owner.path))
    missing = sorted(set(codes) - {u.code for u in found})
    error = ""
    if missing:
        error = _("Không có đơn vị mã %(codes)s thuộc %(owner)s.") % {
            "codes": ", ".join(missing),
            "owner": owner,
        }
    return found, error


def _grid(owner: Organization, programme: Programme | None, data=None) -> dict:
    """Rows (owner, direct children, deeper units asked for or already holding targets) ×
    activity kinds, with the typed or saved quotas, the other targets of each cell (named
    cases, shares: shown, not edited here) and server-side totals that count them."""
    saved_cells = queries.grid_targets(programme) if programme is not None else {}
    saved = {key: cell.quota for key, cell in saved_cells.items() if cell.quota is not None}
    holders = [cell.organization for cell in saved_cells.values() if cell.organization]
    extra_text = (data or {}).get("extra_units", "")
    extra, extra_error = _extra_units(owner, extra_text)
    units = queries.grid_units(owner, [*holders, *extra])
    errors: dict[str, str] = {}
    cells: dict[tuple[int, str], int | None] = dict(saved)
    if data is not None:
        typed, errors = forms.parse_grid(data, units, ActivityKind.values)
        cells.update(typed)
    rows = []
    column_totals = [0] * len(KINDS)
    for unit in units:
        row_cells: list[dict[str, Any]] = []
        row_total = 0
        for i, (kind, label) in enumerate(KINDS):
            name = forms.grid_field_name(unit.pk, kind)
            raw = (data or {}).get(name) if data is not None and name in data else None
            value = cells.get((unit.pk, kind))
            other = saved_cells.get((unit.pk, kind)) or queries.GridCell()
            row_cells.append(
                {
                    "name": name,
                    "value": raw if raw is not None else (value or ""),
                    "label": label,
                    "error": errors.get(name, ""),
                    "fixed": other.fixed,
                    "fixed_cases": other.fixed_cases,
                    "total": (value or 0) + other.fixed_cases,
                }
            )
            column_totals[i] += (value or 0) + other.fixed_cases
            row_total += (value or 0) + other.fixed_cases
        rows.append({"unit": unit, "cells": row_cells, "total": row_total})
    return {
        "kinds": KINDS,
        "rows": rows,
        "column_totals": column_totals,
        "grand_total": sum(column_totals),
        "errors": errors,
        "extra_units": extra_text,
        "extra_error": extra_error,
        "cells": {key: value for key, value in cells.items() if key[0] in {u.pk for u in units}},
    }


def _grid_summary(grid: dict) -> list[dict[str, str]]:
    """The grid's errors for the error summary: each wrong cell, named by unit and kind."""
    cells = [
        {"id": cell["name"], "label": f"{row['unit']} · {cell['label']}", "message": cell["error"]}
        for row in grid["rows"]
        for cell in row["cells"]
        if cell["error"]
    ]
    if grid["extra_error"]:
        cells.append({"id": "extra_units", "label": "", "message": grid["extra_error"]})
    return cells


def _grid_errors(grid: dict, exc: ValidationError) -> ValidationError | None:
    """Put the service's per-cell refusals on their cells; the rest is returned."""
    if not hasattr(exc, "error_dict") or "cells" not in exc.error_dict:
        return exc
    for error in exc.error_dict["cells"]:
        params = error.params or {}
        name = forms.grid_field_name(params["organization"], params["kind"])
        message = error.message % params if error.params else error.message
        grid["errors"][name] = message
        for row in grid["rows"]:
            for cell in row["cells"]:
                if cell["name"] == name:
                    cell["error"] = message
    rest = {key: value for key, value in exc.error_dict.items() if key != "cells"}
    return ValidationError(rest) if rest else None


@require_http_methods(["GET", "POST"])
def programme_create(request):
    raw_pk = request.POST.get("organization") or request.GET.get("organization")
    if not raw_pk:
        code = request.GET.get("code", "").strip()
        if code:
            unit = access.writable_organizations(request.user).filter(code=code).first()
            if unit is not None:
                return redirect(f"{request.path}?organization={unit.pk}")
            messages.error(
                request, _("Không có đơn vị mã %(code)s mà bạn được nhập liệu.") % {"code": code}
            )
        paths = access.reach_paths(request.user, write=True)
        if paths is None:
            tops = list(Organization.get_root_nodes())
        elif not paths:
            raise Http404
        else:
            tops = list(Organization.objects.filter(path__in=paths).order_by("path"))
        return render(request, "plans/programme_pick_unit.html", {"tops": tops})
    if not raw_pk.isdigit():  # was a 500 (ValueError) for ?organization=abc
        raise Http404
    owner = access.get_organization_for_user(request.user, int(raw_pk), write=True)
    data = request.POST if request.method == "POST" else None
    form = forms.ProgrammeForm(data, initial={"year": timezone.localdate().year})
    grid = _grid(owner, None, data)
    same_year: list[Programme] = []
    if data is not None and "add_rows" not in data and form.is_valid():
        header = form.cleaned_data
        same_year = queries.same_year_programmes(
            owner, header["body"], header["year"], header.get("end_year")
        )
    # A second programme of the same body and year is a warning, not a refusal (a unit may
    # issue a separate one for the term, or for a special topic): saved once the user has
    # seen the first ones and confirmed.
    warned = bool(same_year) and data is not None and data.get("confirm_same_year") != "1"
    blocked = bool(grid["errors"] or grid["extra_error"] or warned)
    if data is not None and "add_rows" not in data and form.is_valid():
        try:
            with transaction.atomic():
                programme = services.create_programme(
                    user=request.user, organization=owner, **form.service_fields()
                )
                services.set_targets(programme=programme, cells=grid["cells"], user=request.user)
                if blocked:
                    raise DryRun
        except DryRun:
            pass
        except ValidationError as exc:
            rest = _grid_errors(grid, exc)
            if rest is not None:
                _add_errors(form, rest)
        else:
            messages.success(request, _("Đã tạo chương trình (dự thảo)."))
            return redirect(programme)
    return render(
        request,
        "plans/programme_form.html",
        {
            "form": form,
            "owner": owner,
            "grid": grid,
            "creating": True,
            "same_year": same_year,
            "error_summary": _error_summary(form, cells=_grid_summary(grid)),
        },
    )


@require_http_methods(["GET", "POST"])
def programme_edit(request, pk: int):
    programme = _get_programme(request, pk, write=True)
    if request.method == "POST":
        form = forms.ProgrammeForm(request.POST, instance=programme)
        if form.is_valid():
            fields = form.service_fields()
            try:
                services.update_programme(
                    programme=programme,
                    version=form.cleaned_data.get("version"),
                    user=request.user,
                    **fields,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu chương trình."))
                return redirect("plans:detail", pk=programme.pk)
    else:
        form = forms.ProgrammeForm(instance=programme, initial={"version": programme.version})
    return render(
        request,
        "plans/programme_form.html",
        {
            "form": form,
            "owner": programme.organization,
            "programme": programme,
            "error_summary": _error_summary(form),
        },
    )


@require_http_methods(["GET", "POST"])
def programme_targets(request, pk: int):
    programme = _get_programme(request, pk, write=True)
    data = request.POST if request.method == "POST" else None
    grid = _grid(programme.organization, programme, data)
    error = ""
    if data is not None and "add_rows" not in data:
        due_on = _parse_day(data.get("due_on"))
        try:
            with transaction.atomic():
                services.set_targets(
                    programme=programme,
                    cells=grid["cells"],
                    due_on=due_on,
                    version=data.get("version"),
                    user=request.user,
                )
                if grid["errors"] or grid["extra_error"]:
                    raise DryRun
        except DryRun:
            pass
        except ValidationError as exc:
            rest = _grid_errors(grid, exc)
            error = " ".join(rest.messages) if rest is not None else ""
        else:
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect(programme)
    summary = _grid_summary(grid)
    if error:
        summary.insert(0, {"id": "", "label": "", "message": error})
    return render(
        request,
        "plans/programme_targets.html",
        {
            "programme": programme,
            "grid": grid,
            "error": error,
            "error_summary": summary,
            "version": data.get("version") if data is not None else programme.version,
        },
    )


@require_http_methods(["GET", "POST"])
def programme_quota(request, pk: int):
    programme = _get_programme(request, pk, write=True)
    reach = queries.units_by_level(programme.organization)
    form = forms.QuotaForm(request.POST or None, units_by_level=reach)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.apply_quota(
                programme,
                form.cleaned_data["level"],
                form.cleaned_data["quota"],
                form.cleaned_data.get("due_on"),
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã áp dụng cho %(units)s đơn vị: thêm %(created)s, sửa %(updated)s chỉ tiêu.")
                % result,
            )
            return redirect(programme)
    return render(
        request,
        "plans/programme_quota.html",
        {"programme": programme, "form": form, "error_summary": _error_summary(form)},
    )


@require_http_methods(["GET", "POST"])
def programme_copy(request, pk: int):
    source = _get_programme(request, pk, write=True)
    form = forms.CopyForm(request.POST or None, initial={"year": source.year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.copy_programme(
                source,
                form.cleaned_data["year"],
                form.cleaned_data["doc_number"],
                form.cleaned_data["issued_on"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã sao chép thành chương trình dự thảo mới."))
            return redirect("plans:targets", pk=programme.pk)
    return render(
        request,
        "plans/programme_copy.html",
        {"programme": source, "form": form, "error_summary": _error_summary(form)},
    )


@require_http_methods(["GET", "POST"])
def programme_amend(request, pk: int):
    programme = _get_programme(request, pk, write=True)
    in_force = list(queries.targets_in_force(programme).select_related("organization"))
    data = request.POST if request.method == "POST" else None
    form = forms.AmendmentForm(data, initial={"version": programme.version})
    adds = forms.AddTargetFormSet(data, prefix="add", form_kwargs={"owner": programme.organization})
    lines: list[dict[str, Any]] = []
    line_errors: dict[int, str] = {}
    change, remove = [], []
    for target in in_force:
        current = (
            f"{target.member_share.normalize():f}%" if target.member_share else str(target.quantity)
        )
        typed = data.get(f"qty-{target.pk}", current) if data is not None else current
        removing = data is not None and data.get(f"remove-{target.pk}") == "on"
        lines.append({"target": target, "value": typed, "remove": removing})
        if data is None:
            continue
        if removing:
            remove.append(target)
            continue
        if typed.strip() != current:
            try:
                value = forms.parse_quota(typed)
            except ValidationError as exc:
                line_errors[target.pk] = " ".join(exc.messages)
                continue
            if value is None:
                remove.append(target)
            elif isinstance(value, str):
                change.append((target, {"member_share": value[:-1], "quantity": 1}))
            else:
                change.append((target, {"quantity": value, "member_share": None}))
    for line in lines:
        target = line["target"]
        line["error"] = line_errors.get(target.pk, "")
        line["changed"] = line["remove"] or line["value"].strip() != (
            f"{target.member_share.normalize():f}%" if target.member_share else str(target.quantity)
        )
        line["name"] = " · ".join(
            part
            for part in (str(target.organization), target.get_kind_display(), target.subject_text)
            if part
        )
    preview = None
    if data is not None and form.is_valid() and adds.is_valid() and not line_errors:
        add = [f.target_values() for f in adds if f.has_changed() and f.cleaned_data]
        # Recording an amendment cannot be undone: the first valid submit is tried, rolled
        # back and shown as "this will add, change, withdraw …"; the confirming submit
        # carries the fingerprint of what was previewed, so a change made after the
        # preview is previewed again instead of saved unseen.
        fingerprint = _fingerprint(data)
        confirmed = data.get("confirmed") == fingerprint
        try:
            with transaction.atomic():
                services.create_amendment(
                    programme=programme,
                    add=add,
                    change=change,
                    remove=remove,
                    user=request.user,
                    version=form.cleaned_data.get("version"),
                    **{
                        k: form.cleaned_data[k]
                        for k in ("doc_number", "issued_on", "effective_on", "summary")
                    },
                )
                if not confirmed:
                    raise DryRun
        except DryRun:
            preview = {
                "fingerprint": fingerprint,
                "added": len(add),
                "changed": len(change),
                "removed": len(remove),
                "doc_number": form.cleaned_data["doc_number"],
                "effective_on": form.cleaned_data["effective_on"],
            }
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi văn bản điều chỉnh, bổ sung."))
            return redirect(programme)
    # The unit filter only narrows what is shown (and so posted): a line not posted keeps
    # its value, so filtering never changes a target.
    unit_filter = (request.POST.get("q") or request.GET.get("q") or "").strip()
    shown = [ln for ln in lines if queries.unit_matches(ln["target"].organization, unit_filter)]
    groups = queries.group_by_level_and_kind(shown, lambda ln: ln["target"])
    for group in groups:
        group.open = (
            bool(unit_filter)
            or len(shown) <= GROUP_PER_PAGE
            or any(ln["error"] or ln["changed"] for ln in group.items)
        )
    line_summary = [
        {"id": f"qty-{ln['target'].pk}", "label": ln["name"], "message": ln["error"]}
        for ln in shown
        if ln["error"]
    ]
    return render(
        request,
        "plans/programme_amend.html",
        {
            "programme": programme,
            "form": form,
            "adds": adds,
            "lines": lines,
            "groups": groups,
            "q": unit_filter,
            "preview": preview,
            "error_summary": _error_summary(form, adds, cells=line_summary)
            if data is not None
            else [],
        },
    )


def _status_action(request, programme: Programme, service, done_message: str):
    try:
        service(programme=programme, version=request.POST.get("version"), user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message)
    return redirect(programme)


def _confirm_page(request, programme: Programme, *, action: str) -> Any:
    """The page that asks before a one-way step and says what will follow (works without
    script: the detail page links here, the button here posts)."""
    targets = programme.targets.filter(removed_by__isnull=True)
    context = {
        "programme": programme,
        "action": action,
        "targets": targets.count(),
        "units": targets.values("organization").distinct().count(),
    }
    return render(request, "plans/programme_confirm.html", context)


@require_http_methods(["GET", "POST"])
def programme_issue(request, pk: int):
    programme = _get_programme(request, pk, write=True)
    if request.method == "GET":
        return _confirm_page(request, programme, action="issue")
    return _status_action(
        request, programme, services.issue_programme, _("Đã ban hành chương trình.")
    )


@require_http_methods(["GET", "POST"])
def programme_close(request, pk: int):
    programme = _get_programme(request, pk, write=True)
    if request.method == "GET":
        return _confirm_page(request, programme, action="close")
    return _status_action(
        request, programme, services.close_programme, _("Đã kết thúc chương trình.")
    )


@require_http_methods(["GET", "POST"])
def programme_reopen(request, pk: int):
    """Undo a close, by an administrator of the programme's unit, with a reason."""
    programme = _get_programme(request, pk, write=True)
    if not access.can_administer(request.user, programme.organization):
        raise PermissionDenied
    form = forms.ReopenForm(request.POST or None, initial={"version": programme.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_programme(
                programme=programme,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã mở lại chương trình; lý do đã ghi vào lịch sử."))
            return redirect(programme)
    return render(
        request,
        "plans/programme_confirm.html",
        {
            "programme": programme,
            "action": "reopen",
            "form": form,
            "error_summary": _error_summary(form),
        },
    )
