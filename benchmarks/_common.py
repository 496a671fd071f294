"""Helpers shared by the benchmark scripts: timing and markdown tables.

Benchmarks compare against peers run in the same process run and report
ratios, because the machines are shared and noisy.
"""

from __future__ import annotations

import statistics
import time


def timed(function, *args, **kwargs):
    """Run ``function`` once; return (seconds, result)."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def best_of(repeats: int, function, *args, **kwargs):
    """Smallest wall time over ``repeats`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        seconds, result = timed(function, *args, **kwargs)
        best = min(best, seconds)
    return best, result


def median(values):
    return statistics.median(values) if values else float("nan")


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def format_seconds(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"
