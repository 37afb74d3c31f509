"""Figures measured by the benchmarks, their targets, and the table they are printed in.

Every benchmark script returns a list of :class:`Figure`; ``run.py`` collects
them into one table. A figure with a baseline was measured against that
baseline in the same process, on the same input, so the ratio holds on any
machine even when the absolute rates do not.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "REFERENCE_LOOKUPS",
    "Figure",
    "best_time",
    "best_times",
    "check",
    "format_table",
    "lookup_rate",
    "machine_summary",
    "rate_text",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One measured number, with what it is compared to and what it should reach.

    ``target`` is text for the table (``">= 2,000,000 ev/s"``); ``met`` is
    ``None`` when there is nothing to check (an informative figure, such as
    a scaling ratio).
    """

    name: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


#: Lookups a second of the bare loop in :func:`lookup_rate` on the machine the targets were set on.
REFERENCE_LOOKUPS = 17_000_000


def lookup_rate(n: int = 2_000_000) -> float:
    """Return the lookups a second of a bare ``state = table[(state, event)]`` loop: this machine's Python speed.

    The best of three runs. The targets of the performance issue were set on
    a machine of the same kind where this loop ran :data:`REFERENCE_LOOKUPS`
    a second; the ratio of the two says how fast this machine runs Python now.
    The garbage collector is paused while the loop runs: its keys are
    tuples, and in a process that already holds millions of objects (late in
    a benchmark run) the collections they set off would time the heap, not
    the interpreter.
    """
    table = {(s, c): (s + c) % 7 for s in range(7) for c in range(72)}
    events = list(range(72)) * (n // 72)
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            state = 0
            start = time.perf_counter()
            for event in events:
                state = table[(state, event)]
            best = min(best, time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return len(events) / best


def check(condition: object, message: str) -> None:
    """Stop the benchmark when a result is wrong (an ``assert`` would vanish under ``python -O``)."""
    if not condition:
        raise SystemExit(f"benchmark result is wrong: {message}")


def best_time(fn: Callable[[], T], *, repeat: int = 3, min_time: float = 0.0) -> tuple[float, T]:
    """Return the best wall time of ``repeat`` runs of ``fn`` (and the last result).

    The best of several runs is the least disturbed by other processes on a
    shared machine. The garbage collector stays on: it is part of the real cost.
    ``min_time`` keeps repeating (beyond ``repeat``) until that much time was spent,
    so very fast calls are not timed once at the clock's resolution.
    """
    best = float("inf")
    result: T
    spent = 0.0
    runs = 0
    while runs < repeat or spent < min_time:
        gc.collect()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return best, result


def best_times(*fns: Callable[[], object], repeat: int = 3) -> list[tuple[float, object]]:
    """Return the best time (and last result) of each function, running them in turn ``repeat`` times.

    Taking turns, rather than timing one function and then the other, keeps
    a drift in the machine's speed (other processes) out of their ratio.
    """
    best = [float("inf")] * len(fns)
    results: list[object] = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            gc.collect()
            start = time.perf_counter()
            results[i] = fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return list(zip(best, results, strict=True))


def rate_text(per_second: float, unit: str = "ev/s") -> str:
    """Return a rate with thousands separators (``"2,345,678 ev/s"``)."""
    return f"{per_second:,.0f} {unit}"


def format_table(figures: Sequence[Figure]) -> str:
    """Return the figures as a Markdown table (figure, value, baseline, ratio, target, met?)."""
    head = ("figure", "value", "baseline", "ratio", "target", "met?")
    rows = [
        (f.name, f.value, f.baseline, f.ratio, f.target, "" if f.met is None else ("yes" if f.met else "NO"))
        for f in figures
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(head), "| " + " | ".join("-" * w for w in widths) + " |"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def machine_summary() -> str:
    """Return the CPU model, core count, Python and numpy versions, and OPENBLAS_CORETYPE."""
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for row in f:
                if row.startswith("model name"):
                    cpu = row.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    blas = os.environ.get("OPENBLAS_CORETYPE")
    return (
        f"CPU: {cpu}, {cores} cores; Python {platform.python_version()} ({sys.implementation.name}); "
        f"numpy {np.__version__}; OPENBLAS_CORETYPE={'unset' if blas is None else blas}"
    )
