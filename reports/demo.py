"""`seed_demo` hook of reports: after plans and cases have written the year (demo or
synthetic), rebuild the roll-up table so that the dashboards show it at once."""

from __future__ import annotations

import time

from django.utils import timezone

from ktgs import db
from reports import rollup


def seed_demo(*, tree, seed: int, stdout) -> None:
    started = time.monotonic()
    result = rollup.rebuild(timezone.localdate())
    stdout.write(
        f"Progress table rebuilt: {result.rows:,} rows ({result.inserted:,} inserted, "
        f"{result.updated:,} updated, {result.deleted:,} deleted) "
        f"in {time.monotonic() - started:.1f} s."
    )
    db.analyze()
