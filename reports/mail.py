"""The mail a report event sends: a reopened report tells the leaders of the unit that
approved it (the parent). An outbox in the event row itself: the event is written with
mail PENDING in the reopening's transaction, and `send_event_mail` claims it by a
conditional update (PENDING → SENDING) before sending, so a task run twice, or two
workers, send it once. A send that fails puts it back to PENDING for the task's retry.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from ktgs.models import Role, User
from ktgs.site import absolute_url
from reports.models import ReportEvent

logger = logging.getLogger(__name__)


def recipients_of(event: ReportEvent) -> list[User]:
    """The leaders of the unit above the report's unit, with an address."""
    paths = event.submission.organization.ancestor_paths()
    if not paths:
        return []
    return list(
        User.objects.filter(
            roles__organization__path=paths[-1], roles__kind=Role.Kind.LEADER, is_active=True
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def render_event_mail(event: ReportEvent, user: User) -> EmailMultiAlternatives:
    submission = event.submission
    path = reverse("reports:period_report", args=[submission.organization_id])
    query = urlencode({"year": str(submission.period.year), "period": str(submission.period.kind)})
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "recipient_name": user.get_full_name() or user.username,
            "report": submission.title,
            "unit": submission.organization.name,
            "by": (event.user.get_full_name() or event.user.username) if event.user else "",
            "at": event.at,
            "reason": event.text,
            "url": absolute_url(f"{path}?{query}"),
        }
        prefix = f"emails/report_{event.action}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={"Message-ID": f"<report-event-{event.pk}-{user.pk}@ktgs>"},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def send_event_mail(event_id: int) -> int:
    """Send the event's mail once; the number of mails sent (0: gone, not pending, or
    already claimed by another run)."""
    claimed = ReportEvent.objects.filter(pk=event_id, mail=ReportEvent.Mail.PENDING).update(
        mail=ReportEvent.Mail.SENDING
    )
    if claimed != 1:
        return 0
    event = ReportEvent.objects.select_related(
        "submission__organization", "submission__period", "user"
    ).get(pk=event_id)
    try:
        mails = [render_event_mail(event, user) for user in recipients_of(event)]
        if mails:
            get_connection().send_messages(mails)
    except Exception:
        ReportEvent.objects.filter(pk=event_id, mail=ReportEvent.Mail.SENDING).update(
            mail=ReportEvent.Mail.PENDING
        )
        raise
    ReportEvent.objects.filter(pk=event_id).update(mail=ReportEvent.Mail.SENT)
    logger.info("report event %s: %d mails sent", event_id, len(mails))
    return len(mails)
