"""The period report: the table a commission sends upward for its subtree and a period,
as a page, an XLSX and a PDF in the official shape, with its submission panel."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from ktgs import access
from ktgs import queries as ktgs_queries
from reports import documents, exports, queries
from reports.queries.submissions import submission_of
from reports.views import submissions
from reports.views.filters import filters, period_choices


@require_GET
def period_report(request, pk: int):
    organization = access.get_organization_for_user(request.user, pk)
    year, _kind, period = filters(request)
    today = timezone.localdate()
    report = queries.period_report(organization, year=year, period_kind=period, today=today)
    # The submission is read once, for the document and for the panel.
    declared = report.source.period
    submission = submission_of(organization, declared) if declared is not None else None
    document = documents.document_of(organization, report, today=today, submission=submission)
    context = {
        "organization": organization,
        "breadcrumb": ktgs_queries.breadcrumb(request.user, organization),
        "report": report,
        "document": document,
        "year": year,
        "period": period,
        "periods": period_choices(),
        "years": sorted({year, *range(today.year - 2, today.year + 2)}, reverse=True),
    }
    wanted = request.GET.get("format", "")
    if wanted in ("xlsx", "pdf") and report.source.available:
        filename = exports.report_filename(report, wanted)
        if wanted == "xlsx":
            body = exports.period_report_xlsx(report, document)
            content_type = exports.XLSX_TYPE
        else:
            html = render_to_string("reports/period_report_pdf.html", context, request=request)
            body, content_type = exports.period_report_pdf(html, request), "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context.update(submissions.panel_context(request, organization, report, submission=submission))
    return render(request, "reports/period_report.html", context)
