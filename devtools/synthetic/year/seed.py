"""seed_synthetic_year: the entry point, from `seed_demo` through devtools.demo.cases."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from devtools.synthetic.year.builder import YearBuilder
from devtools.synthetic.year.writer import foreign_keys_checked_once, tables
from plans.models import Programme


@dataclass
class YearResult:
    programmes: int = 0
    targets: int = 0
    cases: int = 0
    subjects: int = 0
    disciplines: int = 0
    letters: int = 0  # rows: a forwarded letter is a row at each unit it reaches
    denunciations: int = 0
    complaints: int = 0
    suspensions: int = 0
    targets_started: int = 0  # targets with at least one concluded case by today
    seconds: float = 0.0


def seed_synthetic_year(
    *, tree, seed: int, stdout, today: datetime.date | None = None
) -> YearResult:
    """Write the year for the synthetic tree `tree` (a devtools.synthetic.tree.SyntheticTree);
    nothing when the tree already has programmes for the year."""
    today = today or timezone.localdate()
    started = time.monotonic()
    name = tree.profile.name
    result = YearResult()
    if Programme.objects.filter(
        organization__path__startswith=tree.root.path, year=today.year
    ).exists():
        stdout.write(f"[{name}] year {today.year}: already there, nothing written.")
        return result
    written = tables()
    models_written = [table.model for table in written.values()]
    with transaction.atomic(), foreign_keys_checked_once(models_written):
        for table in written.values():
            table.reserve()
        builder = YearBuilder(seed=seed, today=today, tables=written)
        provinces = builder.load(tree.root)
        stdout.write(
            f"[{name}] year {today.year}: {len(builder.units):,} units loaded "
            f"{time.monotonic() - started:7.1f} s"
        )
        for number, top in enumerate(provinces, start=1):
            builder.province(top)
            for table in written.values():
                table.flush()
            if number % 5 == 0 or number == len(provinces):
                stdout.write(
                    f"[{name}] {number:>3}/{len(provinces)} provinces: "
                    f"{written['targets'].written:>9,} targets {written['cases'].written:>10,} "
                    f"cases {written['subjects'].written:>10,} subjects "
                    f"{time.monotonic() - started:7.1f} s"
                )
        for table in written.values():
            table.finish()
        stdout.write(f"[{name}] checking foreign keys {time.monotonic() - started:7.1f} s")
    stdout.write(f"[{name}] committed {time.monotonic() - started:7.1f} s")
    result.programmes = written["programmes"].written
    result.targets = written["targets"].written
    result.cases = written["cases"].written
    result.subjects = written["subjects"].written
    result.disciplines = written["disciplines"].written
    result.letters = written["letters"].written
    result.denunciations = written["denunciations"].written
    result.complaints = written["complaints"].written
    result.suspensions = written["suspensions"].written
    result.targets_started = builder.started_targets
    result.seconds = time.monotonic() - started
    share = result.targets_started / result.targets if result.targets else 0
    stdout.write(
        f"{name} year {today.year}: {result.programmes:,} programmes, {result.targets:,} "
        f"targets ({share:.0%} partly or fully done), {result.cases:,} cases, "
        f"{result.subjects:,} subjects, {result.disciplines:,} discipline decisions; "
        f"{result.letters:,} letters received, {result.denunciations:,} denunciations, "
        f"{result.complaints:,} disciplinary complaints, {result.suspensions:,} suspensions "
        f"in {result.seconds:.1f} s."
    )
    return result
