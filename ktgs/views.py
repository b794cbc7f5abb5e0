"""Pages of the core: home, the organisation tree, the profile, health."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ktgs import access, queries, services
from ktgs.forms import DigestForm, LanguageForm, OrganizationImportForm
from ktgs.models import OrganizationImport

CHILDREN_PER_PAGE = 100


def home(request):
    tops = access.top_organizations(request.user)
    if len(tops) == 1:
        return redirect(tops[0])
    return render(request, "ktgs/home.html", {"tops": tops})


def organization_detail(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    page = Paginator(queries.children_of(organization), CHILDREN_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "organization": organization,
        "breadcrumb": queries.breadcrumb(request.user, organization),
        "children": list(page.object_list),
        "page": page,
        "can_write": access.can_write(request.user, organization),
    }
    return render(request, "ktgs/organization_detail.html", context)


@require_GET
def organization_children(request, pk: int):
    """htmx: the children of a unit, to expand it in place in the tree."""
    organization = access.get_organization_for_user(request.user, pk)
    page = Paginator(queries.children_of(organization), CHILDREN_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ktgs/partials/organization_children.html",
        {"organization": organization, "children": list(page.object_list), "page": page},
    )


@require_GET
def organization_search(request):
    results = queries.search_visible(request.user, request.GET.get("q", ""))
    template = (
        "ktgs/partials/organization_search_results.html"
        if request.htmx
        else "ktgs/organization_search.html"
    )
    return render(request, template, {"results": results, "q": request.GET.get("q", "")})


@require_http_methods(["GET", "POST"])
def profile(request):
    form = LanguageForm(initial={"language": request.user.language})
    digest_form = DigestForm(initial={"digest_enabled": request.user.digest_enabled})
    # Two forms on one page; the digest form says which it is by its button's name.
    if request.method == "POST" and "save_digest" in request.POST:
        digest_form = DigestForm(request.POST)
        if digest_form.is_valid():
            services.set_digest_enabled(
                user=request.user, enabled=digest_form.cleaned_data["digest_enabled"]
            )
            messages.success(request, _("Đã lưu lựa chọn nhận thư."))
            return redirect("profile")
    elif request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            services.set_user_language(user=request.user, language=form.cleaned_data["language"])
            messages.success(request, _("Đã lưu ngôn ngữ giao diện."))
            return redirect("profile")
    return render(
        request,
        "ktgs/profile.html",
        {"form": form, "digest_form": digest_form, "roles": list(queries.roles_of(request.user))},
    )


@login_not_required
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def _imports_for(user):
    """Imports an administrator may look at: their own uploads (a superuser sees all)."""
    if not access.is_admin(user):
        raise Http404
    imports = OrganizationImport.objects.select_related("uploaded_by")
    return imports if user.is_superuser else imports.filter(uploaded_by=user)


@require_http_methods(["GET", "POST"])
def organization_import_new(request):
    recent = _imports_for(request.user)
    if request.method == "POST":
        form = OrganizationImportForm(request.POST, request.FILES)
        if form.is_valid():
            record = services.start_organization_import(
                user=request.user, uploaded_file=form.cleaned_data["file"]
            )
            return redirect(record)
    else:
        form = OrganizationImportForm()
    return render(
        request,
        "ktgs/organization_import_form.html",
        {"form": form, "recent": list(recent[:10])},
    )


@require_GET
def organization_import_detail(request, pk: int):
    """The import's status; while it runs, htmx polls this view for the status partial."""
    record = get_object_or_404(_imports_for(request.user), pk=pk)
    template = (
        "ktgs/partials/organization_import_status.html"
        if request.htmx
        else "ktgs/organization_import_detail.html"
    )
    return render(request, template, {"record": record})
