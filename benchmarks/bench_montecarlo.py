"""Monte Carlo: ``MarkovModel.simulate`` against a plain-Python ``random.choices`` loop on the same chain.

The chain is the door-slam model fitted to every bundled episode, run from
its initial state until an outcome (``summit`` or ``door_slammed``) is
reached. A transition is one move of one chain. The baseline steps one
chain at a time with ``random.choices(moves, weights)`` over each state's
possible moves (and, as a second, faster baseline, with precomputed
``cum_weights``); it runs fewer chains and its rate is compared.

Both estimates are checked against the exact outcome probabilities.

Scaling: the same at 10x the chains.

Run ``python benchmarks/bench_montecarlo.py [--quick]``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).parent))

from figures import Figure, best_time, best_times, check, format_table, rate_text

import negotiation_model as nm

FIGURES = (
    "Monte Carlo",
    "Monte Carlo vs random.choices",
    "Monte Carlo vs random.choices (cum_weights)",
    "Monte Carlo scaling (10x)",
)


def fitted_model() -> nm.MarkovModel:
    """Return the door-slam model fitted to every bundled episode."""
    return nm.MarkovModel.fit(nm.door_slam_pattern(), [nm.load_episode(i) for i in nm.list_episodes()])


def python_chains(model: nm.MarkovModel, n: int, *, seed: int, cumulative: bool) -> tuple[int, dict[str, int]]:
    """Run ``n`` chains one move at a time with ``random.choices``; return the moves made and the outcomes."""
    states, matrix = model.transition_matrix(absorbing=True)
    outcomes = {states.index(o) for o in model.outcomes}
    moves = [[j for j in range(len(states)) if matrix[i, j] > 0] for i in range(len(states))]
    weights = [[float(matrix[i, j]) for j in moves[i]] for i in range(len(states))]
    cums = [list(itertools.accumulate(w)) for w in weights]
    choices = random.Random(seed).choices
    start = states.index(model.initial)
    total = 0
    counts = dict.fromkeys(model.outcomes, 0)
    for _ in range(n):
        state = start
        if cumulative:
            while state not in outcomes:
                state = choices(moves[state], cum_weights=cums[state])[0]
                total += 1
        else:
            while state not in outcomes:
                state = choices(moves[state], weights[state])[0]
                total += 1
        counts[states[state]] += 1
    return total, counts


def moves_made(result: nm.SimulationResult) -> int:
    """Return the number of transitions a simulation made (every chain finished)."""
    check(result.unfinished == 0, f"{result.unfinished} chains did not finish")
    return int(result.steps.sum())


def agrees(counts: dict[str, int], n: int, exact: dict[str, float]) -> bool:
    """Return True when every simulated share is within 5 standard errors of the exact probability."""
    return all(abs(counts[o] / n - p) <= 5 * math.sqrt(max(p * (1 - p), 1e-12) / n) for o, p in exact.items())


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else 1_000_000
    n_py = 10_000 if args.quick else 100_000
    model = fitted_model()
    exact = dict(model.outcome_probabilities())

    timings = best_times(
        lambda: model.simulate(n, seed=2024),
        lambda: python_chains(model, n_py, seed=2024, cumulative=False),
        lambda: python_chains(model, n_py, seed=2024, cumulative=True),
        repeat=2,
    )
    t_ours, simulated = timings[0]
    result = cast(nm.SimulationResult, simulated)
    ours = moves_made(result) / t_ours
    check(agrees(dict(result.counts), n, exact), "the simulation disagrees with the exact answer")
    figures = [
        Figure(
            "Monte Carlo",
            rate_text(ours, "moves/s"),
            f"{n:,} chains in {t_ours:.2f} s",
            "",
            ">= 10,000,000 moves/s",
            ours >= 10_000_000,
        )
    ]
    for cumulative, name, (elapsed, run) in ((False, FIGURES[1], timings[1]), (True, FIGURES[2], timings[2])):
        total, counts = cast("tuple[int, dict[str, int]]", run)
        base = total / elapsed
        check(agrees(counts, n_py, exact), "the Python loop disagrees with the exact answer")
        figures.append(
            Figure(
                name,
                rate_text(ours, "moves/s"),
                rate_text(base, "moves/s"),
                f"{ours / base:.0f}x",
                ">= 50x" if not cumulative else "",
                ours / base >= 50 if not cumulative else None,
            )
        )
    t_big, _ = best_time(lambda: model.simulate(10 * n, seed=2024), repeat=2)
    figures.append(
        Figure(
            "Monte Carlo scaling (10x)",
            f"{t_ours:.3f} s -> {t_big:.3f} s",
            f"{n:,} -> {10 * n:,} chains",
            f"{t_big / t_ours:.1f}",
            "about 10",
        )
    )
    return figures


if __name__ == "__main__":
    print(format_table(main()))
