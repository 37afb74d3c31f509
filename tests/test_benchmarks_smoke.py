"""The benchmarks run: ``benchmarks/run.py --quick`` exits 0 and prints every figure (no timing is checked)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def figure_names() -> list[str]:
    """Return every figure name the benchmark scripts declare (their ``FIGURES`` tuples), read from the source."""
    names: list[str] = []
    for path in sorted(BENCHMARKS.glob("bench_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "FIGURES" for t in node.targets):
                names.extend(ast.literal_eval(node.value))
    return names


def test_every_benchmark_declares_its_figures() -> None:
    """Each bench_*.py has a FIGURES tuple; together they cover the five benchmarks."""
    names = figure_names()
    for word in ("typed replay", "batch replay", "Monte Carlo", "exact analysis", "loading JSON"):
        assert any(n.startswith(word) for n in names), word
    assert len(names) == len(set(names))


@pytest.mark.slow
def test_run_quick_exits_zero_and_prints_every_figure() -> None:
    """A smoke run of all the benchmarks succeeds and its table names every figure, with the machine above it."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("CPU: ")
    assert "| figure" in out and "| met? |" in out
    missing = [name for name in ["machine speed (dict lookups)", *figure_names()] if f"| {name} " not in out]
    assert missing == [], out
