import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import engine


class Command(BaseCommand):
    help = "Rebuild the progress roll-up table from scratch; writes only rows that differ."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="log every difference from the incremental table as an error",
        )

    def handle(self, *args, check: bool, **options):
        started = time.perf_counter()
        result = engine.rebuild(timezone.localdate(), check=check)
        self.stdout.write(
            f"{result.rows} rows; {result.inserted} inserted, {result.updated} updated, "
            f"{result.deleted} deleted in {time.perf_counter() - started:.2f} s"
        )
        if check and result.changed:
            raise SystemExit(1)
