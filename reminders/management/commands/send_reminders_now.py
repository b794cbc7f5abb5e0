from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders import scan, sending


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
        result = scan.run_daily(today, enqueue=not sync, quiet_days=respect_quiet_days)
        due = ", ".join(f"{k} {v}" for k, v in sorted(result.candidates.items()))
        self.stdout.write(
            f"{today:%d/%m/%Y}: {result.inserted} new outbox rows ({due or 'none due'}); "
            f"{result.episodes_opened} lag episodes opened, {result.episodes_closed} closed, "
            f"{result.cancelled} cancelled"
        )
        if result.quiet_rules:
            self.stdout.write(f"quiet day for rules {result.quiet_rules}: nothing new sent")
        if sync:
            sent = sending.send_pending_now()
            self.stdout.write(f"sent {sent} in this process")
        else:
            self.stdout.write(f"{result.enqueued} handed to the worker")
