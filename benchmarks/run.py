"""Run every benchmark and print one table: figure, value, baseline, ratio, target, met?

Usage::

    python benchmarks/run.py            # the full sizes (a few minutes)
    python benchmarks/run.py --quick    # small sizes: a smoke run, the numbers mean little

Each benchmark is also a script of its own (``bench_*.py``, same flags).
Ratios are measured against baselines run in the same process, on the same
input. The first row times a bare Python dict-lookup loop: it says how fast
this machine ran Python during the run (the targets were set where it does
about 17 million lookups a second), so that absolute rates can be read in
context. When ``OPENBLAS_CORETYPE`` is set, the exact analysis is run a
second time without it, in a subprocess, and both are reported.

The exit status is 0 when every benchmark ran, whether or not every target
was met (``--strict`` makes a missed target an error).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_batch
import bench_exact
import bench_loading
import bench_montecarlo
import bench_replay
from figures import REFERENCE_LOOKUPS, Figure, format_table, lookup_rate, machine_summary, rate_text

HERE = Path(__file__).parent
BENCHMARKS = (bench_replay, bench_batch, bench_montecarlo, bench_exact, bench_loading)
FIGURES = ("machine speed (dict lookups)", *(name for b in BENCHMARKS for name in b.FIGURES))


def machine_speed(n: int = 2_000_000) -> Figure:
    """Time a bare ``state = table[(state, event)]`` loop: this machine's Python speed during the run."""
    rate = lookup_rate(n)
    return Figure(
        "machine speed (dict lookups)",
        rate_text(rate, "lookups/s"),
        rate_text(REFERENCE_LOOKUPS, "lookups/s (reference)"),
        f"{rate / REFERENCE_LOOKUPS:.2f}",
        "",
    )


def exact_without_openblas_coretype(quick: bool) -> list[Figure]:
    """Run bench_exact in a subprocess with OPENBLAS_CORETYPE unset; return its figures, renamed."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import bench_exact; "
        "print(json.dumps([f.__dict__ for f in bench_exact.main(sys.argv[2:])]))"
    )
    args = [sys.executable, "-c", code, str(HERE), *(["--quick"] if quick else [])]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    return [Figure(**{**f, "name": f"{f['name']} (OPENBLAS_CORETYPE unset)"}) for f in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    flags = ["--quick"] if args.quick else []
    print(machine_summary())
    lookups = 200_000 if args.quick else 2_000_000
    before = machine_speed(lookups)
    figures: list[Figure] = []
    for bench in BENCHMARKS:
        start = time.perf_counter()
        figures.extend(bench.main(flags))
        print(f"  {bench.__name__}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    # Measured before and after the benchmarks (a shared machine's speed drifts): the faster is shown.
    after = machine_speed(lookups)
    figures.insert(0, max(before, after, key=lambda f: float(f.ratio)))
    if os.environ.get("OPENBLAS_CORETYPE"):
        figures.extend(exact_without_openblas_coretype(args.quick))
    print(format_table(figures))
    missed = [f.name for f in figures if f.met is False]
    if missed:
        print(f"targets missed: {', '.join(missed)}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
