"""What a reminder mail says and where its links lead: the links stored in an outbox
row's context, the signed digest-unsubscribe token, and the mail of one row rendered from
templates (emails/<kind>_subject.txt, _body.txt, _body.html) in the recipient's language.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import Suspension
from ktgs.site import absolute_url
from reminders.models import MAIL_FAMILIES, OutboxMessage
from reports import progress, wording
from reports.models import ReportPeriod

# The salt of the tokens in the digests already sent (from when reminders lived in
# reports): changing it would break every unsubscribe link in people's mailboxes.
UNSUBSCRIBE_SALT = "reports.digest-unsubscribe"


def site_url(path: str) -> str:
    return absolute_url(path)


@cache
def _dashboard_path_template() -> str:
    # reverse() costs ~0.1 ms; a national scan builds tens of thousands of these links.
    return reverse("reports:dashboard", args=[987654321]).replace("987654321", "{}")


def dashboard_url(unit_id: int) -> str:
    return site_url(_dashboard_path_template().format(int(unit_id)))


def dashboard_url_parts() -> tuple[str, str]:
    """What comes before and after the unit's id in dashboard_url (for links built in
    SQL: reminders.lag_statements)."""
    before, after = _dashboard_path_template().split("{}")
    return site_url(before), after


@cache
def _case_path_template() -> str:
    return reverse("cases:detail", args=[987654321]).replace("987654321", "{}")


def case_url(case_id: int) -> str:
    """The case's page (reverse() once: a national scan links hundreds of cases)."""
    return site_url(_case_path_template().format(int(case_id)))


# --- unsubscribing from the digest -----------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"user": user_id, "what": "digest"}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("what") != "digest":
        return None
    user = data.get("user")
    return user if isinstance(user, int) else None


def unsubscribe_url(user_id: int) -> str:
    return site_url(reverse("reminders:digest_unsubscribe", args=[unsubscribe_token(user_id)]))


# --- rendering -------------------------------------------------------------------------


def _reasons(reasons: list[dict], language: str) -> list[str]:
    return [
        wording.describe_lag_reason(progress.LagReason(**reason), language) for reason in reasons
    ]


def _context(message: OutboxMessage) -> dict:
    data = dict(message.context)
    language = message.language
    for name in (
        "as_of", "due_on", "work_ends_on", "received_on", "first_due_on", "starts_on", "ends_on",
    ):  # fmt: skip
        if data.get(name):
            data[name] = date.fromisoformat(data[name])
    if "reasons" in data:
        data["reasons"] = _reasons(data["reasons"], language)
    # Ratios are kept exactly in the row's JSON ("2/13"), for the `percent` filter.
    for name in ("completion", "forecast"):
        if data.get(name) is not None:
            data[name] = Fraction(data[name])
    if "units" in data:
        data["units"] = [
            {
                **u,
                "reasons": _reasons(u["reasons"], language),
                "forecast": Fraction(u["forecast"]) if u.get("forecast") is not None else None,
            }
            for u in data["units"]
        ]
        data["more"] = max(0, data.get("total", 0) - len(data["units"]))
    if "comments" in data:
        # Written as an aware ISO time; said in the site's time zone.
        data["comments"] = [
            {**c, "at": timezone.localtime(datetime.fromisoformat(c["at"]))}
            for c in data["comments"]
        ]
        data["more_comments"] = max(0, data.get("comments_total", 0) - len(data["comments"]))
    if "kind" in data:
        data["kind_label"] = wording.kind_label(data["kind"], language)
    if "period_kind" in data:
        # A period report's period, named in the recipient's language ("9 tháng 2026").
        title = ReportPeriod(
            kind=data["period_kind"],
            year=data["period_year"],
            month=data.get("period_month") or 0,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        ).title
        data["period_title"] = title[:1].lower() + title[1:]
    if "suspension_kind" in data:
        data["suspension_kind_label"] = str(Suspension.Kind(data["suspension_kind"]).label)
    data["message"] = message
    data["recipient_name"] = str(message.recipient) if message.recipient_id else ""
    if message.kind == OutboxMessage.Kind.DIGEST:
        data["unsubscribe_url"] = unsubscribe_url(message.recipient_id)
    return data


def _unit_entry(message: OutboxMessage) -> dict:
    """One row of a grouped lag mail: its facts as its own mail would say them, and how
    far behind the unit is (the order of the list)."""
    data = _context(message)
    data["gap"] = Decimal(data.get("expected") or 0) - data.get("capped_done", 0)
    return data


def _grouped_context(messages: list[OutboxMessage]) -> dict:
    """The units of a grouped lag mail, most behind first (then by name): those the
    recipient keeps the records of, then those escalated to them as a leader above."""
    # A unit once per section, as of its latest row (a repeat written while an older
    # one still waited, or two lag rules that both find it behind).
    latest: dict[tuple[int, bool], dict] = {}
    for entry in map(_unit_entry, messages):
        key = (entry["unit_id"], bool(entry.get("escalation")))
        if key not in latest or (entry["as_of"], entry["message"].pk) > (
            latest[key]["as_of"],
            latest[key]["message"].pk,
        ):
            latest[key] = entry
    entries = sorted(latest.values(), key=lambda u: (-u["gap"], u["unit"], u["unit_id"]))
    first = messages[0]
    return {
        "units": [u for u in entries if not u.get("escalation")],
        "escalated": [u for u in entries if u.get("escalation")],
        "count": len(entries),
        "as_of": max(u["as_of"] for u in entries),
        "recipient_name": str(first.recipient) if first.recipient_id else "",
    }


def render_mail(messages: list[OutboxMessage]) -> EmailMultiAlternatives:
    """The mail carrying `messages` (reminders.sending.claim): a row of its own as
    render() says it; the rows of a grouped mail (one mail_key, MAIL_FAMILIES) in one mail
    listing every unit, with the key as its Message-ID."""
    first = messages[0]
    if not first.mail_key:
        return render(first)
    family = MAIL_FAMILIES[OutboxMessage.Kind(first.kind)]
    with translation.override(first.language):
        context = _grouped_context(messages)
        prefix = f"emails/{family}_grouped"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    mail = EmailMultiAlternatives(
        subject=subject, body=text, to=[first.email], headers={"Message-ID": first.mail_key}
    )
    mail.attach_alternative(html, "text/html")
    return mail


def render(message: OutboxMessage) -> EmailMultiAlternatives:
    """The mail of one row, in the recipient's language as it was when the row was
    written; the same row always renders the same mail."""
    with translation.override(message.language):
        context = _context(message)
        prefix = f"emails/{message.kind}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    headers = {"Message-ID": message.message_id}
    if message.kind == OutboxMessage.Kind.DIGEST:
        # RFC 8058: mail clients offer their own one-click unsubscribe (a POST).
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail = EmailMultiAlternatives(subject=subject, body=text, to=[message.email], headers=headers)
    mail.attach_alternative(html, "text/html")
    return mail
