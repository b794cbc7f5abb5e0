import os
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from reminders import scan, sending
from reminders.models import OutboxMessage


def site_url_for_command() -> tuple[str, bool]:
    """The site the mail's links lead to, and whether it was set: KTGS_SITE_URL, else the
    address `make run` serves on (PORT, 8000 by default)."""
    if os.environ.get("KTGS_SITE_URL"):
        return settings.SITE_URL, True
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}", False


def due_summary(candidates: dict[str, int]) -> str:
    """ "Nhắc đơn vị chậm tiến độ: 101; …", by the kinds' labels in the active language."""
    return "; ".join(
        f"{OutboxMessage.Kind(kind).label}: {count}"
        for kind, count in sorted(candidates.items(), key=lambda item: str(item[0]))
    )


class Command(BaseCommand):
    help = (
        "Run the daily reminder scan now (lagging units, deadlines, the weekly digest) and "
        "send what it wrote: by the worker (default), or in this process with --sync."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync",
            action="store_true",
            help="send the pending mail in this process instead of through the worker",
        )
        parser.add_argument(
            "--respect-quiet-days",
            action="store_true",
            help="hold back on weekends and holidays as the daily task does (by default "
            "the command sends now, whatever the day)",
        )
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            default=None,
            help="evaluate as of this day (YYYY-MM-DD) instead of today",
        )

    def handle(self, *args, sync: bool, date, respect_quiet_days: bool, **options):
        today = date or timezone.localdate()
        site, was_set = site_url_for_command()
        if not was_set:
            self.stdout.write(
                _(
                    "Chưa đặt KTGS_SITE_URL: liên kết trong thư dẫn tới %(url)s, địa chỉ "
                    "`make run` phục vụ (đặt KTGS_SITE_URL để dùng địa chỉ khác)."
                )
                % {"url": site}
            )
        # The links are written into the outbox rows by the scan, in this process (and
        # the digest's unsubscribe link when the mail is rendered, with --sync).
        with override_settings(SITE_URL=site):
            self.run(today, sync=sync, respect_quiet_days=respect_quiet_days)

    def run(self, today, *, sync: bool, respect_quiet_days: bool) -> None:
        result = scan.run_daily(today, enqueue=not sync, quiet_days=respect_quiet_days)
        self.stdout.write(
            _(
                "%(day)s: %(inserted)s thư nhắc mới (%(due)s); %(opened)s đợt chậm tiến độ "
                "mở, %(closed)s đóng, %(cancelled)s thư hủy."
            )
            % {
                "day": f"{today:%d/%m/%Y}",
                "inserted": result.inserted,
                "due": due_summary(result.candidates) or _("không có nhắc việc đến hạn"),
                "opened": result.episodes_opened,
                "closed": result.episodes_closed,
                "cancelled": result.cancelled,
            }
        )
        if result.quiet_rules:
            self.stdout.write(
                _("Ngày nghỉ với các quy tắc %(rules)s: không gửi gì mới.")
                % {"rules": ", ".join(str(pk) for pk in result.quiet_rules)}
            )
        if sync:
            sent = sending.send_pending_now()
            self.stdout.write(
                _("Đã gửi %(count)s thư ngay trong tiến trình này.") % {"count": sent}
            )
        else:
            self.stdout.write(
                _("Đã chuyển %(count)s thư cho tiến trình gửi thư (worker).")
                % {"count": result.enqueued}
            )
