"""Exact analysis: ``MarkovModel.outcome_probabilities`` and ``expected_steps`` on a random 1,000-state chain.

The chain is built by hand with ``MarkovModel.from_counts``: 990 transient
states and 10 outcomes, each state with about 50 possible moves (random
counts, a Dirichlet prior of 1 on each), and a move to some outcome from
every state so that every chain ends. The model's answers, from a fresh
model each time (its solutions are cached), are checked against a direct
numpy solve of the absorbing chain, ``(I - Q) [B, t] = [R, 1]``, on the
same matrix, and timed against it.

Scaling: the same at a tenth of the states (a dense solve is cubic: a
tenth of the size costs about a thousandth; the model's own overhead,
quadratic, shows at that size).

Run ``python benchmarks/bench_exact.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from figures import Figure, best_time, check, format_table

import negotiation_model as nm

FIGURES = ("exact analysis", "exact analysis vs numpy solve", "exact analysis scaling (1/10)")


def random_chain(n: int, *, outcomes: int = 10, moves: int = 50, seed: int = 0) -> nm.MarkovModel:
    """Return a random absorbing chain of ``n`` states (the last ``outcomes`` of them outcomes)."""
    rng = np.random.default_rng(seed)
    allowed = rng.random((n, n)) < moves / n
    allowed[np.arange(n - outcomes), rng.integers(n - outcomes, n, n - outcomes)] = True  # a way out from each
    np.fill_diagonal(allowed, False)
    counts = np.where(allowed, rng.integers(0, 20, (n, n)), 0)
    names = [f"s{i}" for i in range(n)]
    return nm.MarkovModel.from_counts(names, counts, outcomes=names[n - outcomes :], allowed=allowed, initial="s0")


def model_answer(model: nm.MarkovModel) -> tuple[dict[str, float], float]:
    """Return the model's exact outcome probabilities and expected steps from its initial state."""
    return dict(model.outcome_probabilities()), model.expected_steps()


def numpy_answer(matrix: np.ndarray, outcomes: list[int], start: int) -> tuple[np.ndarray, float]:
    """Solve the absorbing chain directly: outcome probabilities and expected steps from ``start``."""
    transient = np.setdiff1d(np.arange(matrix.shape[0]), outcomes)
    q = matrix[np.ix_(transient, transient)]
    r = matrix[np.ix_(transient, np.asarray(outcomes))]
    x = np.linalg.solve(np.eye(transient.size) - q, np.column_stack([r, np.ones(transient.size)]))
    row = int(np.searchsorted(transient, start))
    return x[row, :-1], float(x[row, -1])


def timed(n: int, repeat: int) -> tuple[float, float, bool]:
    """Return the model's time, numpy's time, and whether they agree, on a random chain of ``n`` states."""
    template = random_chain(n)
    fresh = [random_chain(n) for _ in range(repeat)]  # one untouched model per run: no cached solution
    states, matrix = template.transition_matrix(absorbing=True)
    outcomes = [states.index(o) for o in template.outcomes]
    t_model, (probs, steps) = best_time(lambda: model_answer(fresh.pop()), repeat=repeat)
    t_numpy, (ref, ref_steps) = best_time(lambda: numpy_answer(matrix, outcomes, 0), repeat=repeat)
    same = np.allclose([probs[o] for o in template.outcomes], ref, rtol=1e-9, atol=1e-12) and np.isclose(
        steps, ref_steps, rtol=1e-9
    )
    return t_model, t_numpy, bool(same)


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    n = 300 if args.quick else 1_000
    t_model, t_numpy, same = timed(n, repeat=3)
    check(same, "the model's exact answer differs from numpy's solve")
    t_small, _, same_small = timed(n // 10, repeat=5)
    check(same_small, "the model's exact answer differs from numpy's solve (small chain)")
    return [
        Figure(
            "exact analysis",
            f"{t_model * 1e3:.0f} ms",
            f"{n:,} states, equal to numpy: {'yes' if same else 'NO'}",
            "",
            "< 1 s, equal",
            t_model < 1.0 and same,
        ),
        Figure(
            "exact analysis vs numpy solve",
            f"{t_model * 1e3:.0f} ms",
            f"{t_numpy * 1e3:.0f} ms",
            f"{t_model / t_numpy:.2f}x the time",
            "",
        ),
        Figure(
            "exact analysis scaling (1/10)",
            f"{t_small * 1e3:.1f} ms -> {t_model * 1e3:.0f} ms",
            f"{n // 10:,} -> {n:,} states",
            f"{t_model / t_small:.0f}",
            "up to 1,000 (cubic)",
        ),
    ]


if __name__ == "__main__":
    print(format_table(main()))
