from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.engine import periods
from reports.models import ReportPeriod


class Command(BaseCommand):
    help = "Freeze the progress figures of a past report period (replaces its snapshot)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--period",
            required=True,
            choices=[k for k in ReportPeriod.Kind.values if k != ReportPeriod.Kind.MONTH]
            + [f"month{m}" for m in range(1, 13)],
            help="q1, h1 (6 tháng), m9 (9 tháng), year, term, or month1…month12",
        )

    def handle(self, *args, year: int, period: str, **options):
        kind, month = (
            (ReportPeriod.Kind.MONTH, int(period[5:]))
            if period.startswith("month")
            else (period, 0)
        )
        try:
            found = ReportPeriod.objects.get(kind=kind, year=year, month=month)
        except ReportPeriod.DoesNotExist:
            raise CommandError(f"no report period {period} {year}") from None
        try:
            rows = periods.snapshot_period(found, today=timezone.localdate())
        except periods.PeriodNotEnded as error:
            raise CommandError(f"the period has not ended: {error}") from None
        self.stdout.write(f"{found}: {rows} rows")
