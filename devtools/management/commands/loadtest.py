from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.load import runner
from devtools.management.commands.bench import ROOTS


class Command(BaseCommand):
    help = (
        "F12: Locust against gunicorn (1, 2 and 4 workers) + PostgreSQL + Redis + a Celery "
        "worker on a seeded profile (see `make loadtest`). Its writes persist: give it a "
        "database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", default="10pct", choices=sorted(ROOTS))
        parser.add_argument("--workers", default="1,2,4", help="gunicorn worker counts")
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=50, help="each load run")
        parser.add_argument(
            "--alone", type=float, default=4, help="seconds alone per leader level (staff: 2×)"
        )
        parser.add_argument("--probes", type=int, default=3, help="refresh probes per run")
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "bench" / "load.json"))

    def handle(self, *args, profile, workers, users, seconds, alone, probes, out, **options):
        chosen = runner.Options(
            workers=tuple(int(n) for n in workers.split(",")),
            users=users,
            seconds=seconds,
            alone=alone,
            probes=probes,
        )
        try:
            report = runner.run(
                ROOTS[profile], chosen, Path(out), log=lambda line: self.stderr.write(line)
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(runner.table(report))
        self.stdout.write(f"written to {out}")
