"""Writes of reports with business rules: a unit's period report submitted up the tree,
returned with a comment or approved by the parent, reopened by a leader of the parent;
comments on a unit's progress or report.

Who may do what (tested like security code in tests/reports/test_submissions*.py):

- submit: staff (or admin) who write the unit (ktgs.access.can_write);
- return, approve: a user whose role (staff, leader or admin) reaches the unit's parent,
  so at the parent or above; a role on the unit alone does not approve its own report;
- reopen: a leader or admin whose role reaches the parent;
- comment: anyone who reads the unit.

Views and the API first find the submission through ktgs.access (404 outside reach);
every refusal here is a ValidationError with a Vietnamese message. Approving locks the
records the report counted (cases.services.lock_records); reopening unlocks them and
tells the parent's leaders by mail (reports.tasks.send_report_event_mail).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from cases import services as case_services
from ktgs import access, versioning
from ktgs.models import Organization
from reports import queries, tasks
from reports.engine.periods import OFFERED_PERIODS
from reports.models import Comment, ReportEvent, ReportPeriod, ReportSubmission
from reports.queries.cells import report_cells
from reports.queries.submissions import may_decide, may_reopen

TEXT_LIMIT = 20_000


def _event(submission: ReportSubmission, action: str, user, text: str = "", **fields):
    event = ReportEvent(
        submission=submission, action=action, user=user, at=timezone.now(), text=text, **fields
    )
    event.full_clean()
    event.save()
    return event


def _required_text(name: str, text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({name: message})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({name: _g("Tối đa %(n)d ký tự.") % {"n": TEXT_LIMIT}})
    return text


def _locked(submission: ReportSubmission, version: int | str | None) -> ReportSubmission:
    return versioning.lock(
        ReportSubmission.objects.select_related("organization", "period"), submission.pk, version
    )


@transaction.atomic
def submit_report(
    *,
    user,
    organization: Organization,
    period: ReportPeriod,
    today: datetime.date,
    number: str = "",
    place: str = "",
    signed_on: datetime.date | None = None,
    recipients: str = "",
    signer_capacity: str = "",
    signer_title: str = "",
    signer_name: str = "",
    summary: str = "",
    version: int | str | None = None,
) -> ReportSubmission:
    """The unit's report for `period` sent to the parent, with the header its staff
    wrote and the figures as of `today` (reports.queries.cells). A first submission, or
    one answering a return or a reopening; refused while one waits or is approved."""
    if not access.can_write(user, organization):
        raise ValidationError(_g("Chỉ cán bộ của đơn vị mới được gửi báo cáo của đơn vị."))
    if period.kind not in OFFERED_PERIODS:
        raise ValidationError({"period": _g("Kỳ báo cáo này không gửi lên cấp trên qua ktgs.")})
    if organization.depth <= 1:
        raise ValidationError(_g("Đơn vị không có cấp trên để gửi báo cáo."))
    existing = (
        ReportSubmission.objects.filter(organization=organization, period=period)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        submission = versioning.lock(
            ReportSubmission.objects.select_related("organization", "period"), existing, version
        )
        if submission.status == ReportSubmission.Status.SUBMITTED:
            raise ValidationError(_g("Báo cáo này đã được gửi và đang chờ cấp trên duyệt."))
        if submission.status == ReportSubmission.Status.APPROVED:
            raise ValidationError(
                _g("Báo cáo này đã được duyệt; chỉ gửi lại được khi lãnh đạo cấp trên mở lại.")
            )
    else:
        submission = ReportSubmission(organization=organization, period=period)
    report = queries.period_report(
        organization, year=period.year, period_kind=period.kind, today=today
    )
    if not report.source.available:
        raise ValidationError({"period": _g("Chưa có số liệu của kỳ báo cáo này.")})
    submission.status = ReportSubmission.Status.SUBMITTED
    submission.number = number.strip()
    submission.place = place.strip()
    submission.signed_on = signed_on
    submission.recipients = "\n".join(
        line.strip() for line in recipients.splitlines() if line.strip()
    )
    submission.signer_capacity = signer_capacity.strip()
    submission.signer_title = signer_title.strip()
    submission.signer_name = signer_name.strip()
    submission.summary = summary.strip()
    submission.figures = report_cells(report)
    submission.submitted_at = timezone.now()
    submission.submitted_by = user
    submission.decided_at = None
    submission.decided_by = None
    submission.full_clean(exclude=["organization", "period"] if submission.pk else None)
    if submission.pk:
        versioning.bump(
            submission,
            user,
            [
                "status",
                "number",
                "place",
                "signed_on",
                "recipients",
                "signer_capacity",
                "signer_title",
                "signer_name",
                "summary",
                "figures",
                "submitted_at",
                "submitted_by",
                "decided_at",
                "decided_by",
            ],
        )
    else:
        versioning.record_user(submission, user)
        submission.save()
    _event(submission, ReportEvent.Action.SUBMITTED, user)
    return submission


def _check_decider(user, submission: ReportSubmission) -> None:
    if not may_decide(user, submission.organization):
        raise ValidationError(
            _g("Chỉ cán bộ hoặc lãnh đạo của cấp trên mới được duyệt hoặc trả lại báo cáo này.")
        )


def _check_waiting(submission: ReportSubmission) -> None:
    if submission.status != ReportSubmission.Status.SUBMITTED:
        raise ValidationError(
            _g("Báo cáo không ở trạng thái chờ duyệt (hiện: %(status)s).")
            % {"status": submission.get_status_display()}
        )


@transaction.atomic
def return_report(
    *, user, submission: ReportSubmission, comment: str, version: int | str | None
) -> ReportSubmission:
    """Sent back to the unit's staff with `comment` (kept in the history); they fix and
    submit again."""
    submission = _locked(submission, version)
    _check_decider(user, submission)
    comment = _required_text("comment", comment, _g("Hãy ghi ý kiến khi trả lại báo cáo."))
    _check_waiting(submission)
    submission.status = ReportSubmission.Status.RETURNED
    submission.decided_at = timezone.now()
    submission.decided_by = user
    versioning.bump(submission, user, ["status", "decided_at", "decided_by"])
    _event(submission, ReportEvent.Action.RETURNED, user, comment)
    return submission


@transaction.atomic
def approve_report(
    *, user, submission: ReportSubmission, version: int | str | None
) -> ReportSubmission:
    """Accepted: the records the report counted are locked (a later change to one is
    refused, naming the report) until a leader of the parent reopens it."""
    submission = _locked(submission, version)
    _check_decider(user, submission)
    _check_waiting(submission)
    submission.status = ReportSubmission.Status.APPROVED
    submission.decided_at = timezone.now()
    submission.decided_by = user
    versioning.bump(submission, user, ["status", "decided_at", "decided_by"])
    case_services.lock_records(
        key=submission.lock_key(),
        organization=submission.organization,
        starts_on=submission.period.cumulative_start,
        ends_on=submission.period.ends_on,
        report=submission.title,
    )
    _event(submission, ReportEvent.Action.APPROVED, user)
    return submission


@transaction.atomic
def reopen_report(
    *, user, submission: ReportSubmission, reason: str, version: int | str | None
) -> ReportSubmission:
    """An approved report opened again by a leader of the parent, for `reason` (kept):
    its records unlocked, its staff may submit again, the parent's leaders told by mail
    (sent once, after commit)."""
    submission = _locked(submission, version)
    if not may_reopen(user, submission.organization):
        raise ValidationError(_g("Chỉ lãnh đạo của cấp trên mới được mở lại báo cáo đã duyệt."))
    reason = _required_text("reason", reason, _g("Hãy ghi lý do mở lại báo cáo."))
    if submission.status != ReportSubmission.Status.APPROVED:
        raise ValidationError(_g("Chỉ mở lại được báo cáo đã duyệt."))
    submission.status = ReportSubmission.Status.REOPENED
    submission.decided_at = timezone.now()
    submission.decided_by = user
    versioning.bump(submission, user, ["status", "decided_at", "decided_by"])
    case_services.unlock_records(key=submission.lock_key())
    event = _event(
        submission, ReportEvent.Action.REOPENED, user, reason, mail=ReportEvent.Mail.PENDING
    )
    tasks.send_report_event_mail.delay_on_commit(event.pk)
    return submission


@transaction.atomic
def add_comment(
    *,
    user,
    organization: Organization,
    text: str,
    period: ReportPeriod | None = None,
    submission: ReportSubmission | None = None,
) -> Comment:
    """A comment on the unit's progress (no period), its report for a period, or one
    submission of it; anyone who reads the unit may write one."""
    if not access.can_read(user, organization):
        raise ValidationError(_g("Đơn vị không thuộc phạm vi của bạn."))
    text = _required_text("text", text, _g("Hãy nhập nội dung góp ý."))
    if submission is not None:
        if submission.organization_id != organization.pk:
            raise ValidationError({"submission": _g("Báo cáo không phải của đơn vị này.")})
        period = submission.period
    comment = Comment(
        organization=organization,
        period=period,
        submission=submission,
        author=user,
        text=text,
        created_at=timezone.now(),
    )
    comment.full_clean()
    comment.save()
    if submission is not None:
        _event(submission, ReportEvent.Action.COMMENTED, user, text)
    return comment
