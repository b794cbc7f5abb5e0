from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.bench import figures

ROOTS = {"10pct": "QG10", "national": "QG", "post2025": "QG25", "demo": "TW"}


class Command(BaseCommand):
    help = "Measure DESIGN §6's figures on a seeded dataset (see `make bench`)."

    def add_arguments(self, parser):
        parser.add_argument("--profile", default="10pct", choices=sorted(ROOTS))
        parser.add_argument("--writes", type=int, default=10_000, help="F4's random writes")
        parser.add_argument(
            "--runs", type=int, default=5, help="timed runs after the warm-up (median taken)"
        )
        parser.add_argument(
            "--only",
            default=",".join(figures.FIGURE_NAMES),
            help="the figures to measure, comma separated (F0, the reference, always): "
            "e.g. F1,F2,F11 while working on the roll-up",
        )
        parser.add_argument(
            "--parts",
            action="store_true",
            help="with F1: time each part of the full computation beside F0 "
            "(devtools.bench.parts; PostgreSQL)",
        )
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "bench" / "latest.json"))

    def handle(
        self,
        *args,
        profile: str,
        writes: int,
        runs: int,
        only: str,
        parts: bool,
        out: str,
        **options,
    ):
        wanted = frozenset(name.strip().upper() for name in only.split(",") if name.strip())
        unknown = wanted - set(figures.FIGURE_NAMES) - {"F0"}
        if unknown:
            raise CommandError(f"unknown figures: {', '.join(sorted(unknown))}")
        measured = figures.run(
            profile,
            ROOTS[profile],
            Path(out),
            writes,
            log=lambda line: self.stderr.write(line),
            runs=runs,
            only=wanted,
            parts=parts,
        )
        self.stdout.write(figures.table(measured))
        self.stdout.write(f"written to {out}")
