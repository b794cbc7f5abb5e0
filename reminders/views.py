"""The reminder log page and the digest's unsubscribe link."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ktgs import access
from ktgs import services as ktgs_services
from ktgs.models import User
from reminders import emails, queries
from reminders.filters import ReminderLogFilter

REMINDERS_PER_PAGE = 50


@require_GET
def reminder_log(request):
    """What went to whom, when, and what failed: administrators and leaders, for the
    units they lead (staff do not oversee other people's mail)."""
    if not access.oversees(request.user):
        raise Http404
    log = ReminderLogFilter(request.GET or None, queryset=queries.reminder_log(request.user))
    page = Paginator(log.qs, REMINDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/reminder_log.html",
        {"form": log.form, "page": page, "messages_page": list(page.object_list)},
    )


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients POST it (RFC 8058)
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token: str):
    """The link in every digest: GET asks to confirm, POST turns the digest off. No login:
    the signed token names the user. Reminders about one's own unit cannot be turned off."""
    user_id = emails.read_unsubscribe_token(token)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise Http404
    done = False
    if request.method == "POST":
        ktgs_services.set_digest_enabled(user=user, enabled=False)
        done = True
    with translation.override(user.language):
        return render(request, "reminders/digest_unsubscribe.html", {"person": user, "done": done})
