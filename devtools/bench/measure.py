"""What the benchmark's measurements share: timing, and a rollback that leaves the dataset
as it was after a measurement that writes."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


class Rollback(Exception):
    """Raised inside `transaction.atomic()` after a measurement that writes, and caught
    outside it, so the next measurement sees the same dataset."""


def median_ms(function: Callable[[], object], runs: int = 5) -> float:
    function()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def p95_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]
