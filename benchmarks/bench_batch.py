"""Batch replay: ``nm.replay_batch`` against a plain-Python table loop over the same events.

1,000 integer-coded sequences of 1,000 events each (random event classes,
so every kind of step happens). The baseline is the bare loop
``state = table[(state, event)]`` per sequence, with the table compiled to a
dict beforehand: it computes only the final states, while the batch also
computes the visited states and the fitness of every sequence.

Scaling: the same at 10x the events (10,000 sequences of 1,000 events).

Run ``python benchmarks/bench_batch.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from figures import Figure, best_time, best_times, check, format_table, rate_text

import negotiation_model as nm
from negotiation_model.machine import N_CLASSES

FIGURES = ("batch replay", "batch replay vs Python table loop", "batch replay scaling (10x)")


def python_table(machine: nm.PatternMachine) -> dict[tuple[int, int], int]:
    """Return the machine as a plain dict ``(state, class) -> next state`` (a deviation keeps the state)."""
    compiled = machine._compiled
    return {
        (s, c): (compiled.target_state[t] if (t := compiled.table[s * N_CLASSES + c]) >= 0 else s)
        for s in range(len(machine.states))
        for c in range(N_CLASSES)
    }


def python_loop(table: dict[tuple[int, int], int], initial: int, rows: list[list[int]]) -> list[int]:
    """Return each row's final state index, stepping ``state = table[(state, event)]`` in plain Python."""
    finals = []
    for row in rows:
        state = initial
        for event in row:
            state = table[(state, event)]
        finals.append(state)
    return finals


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    n_seq, length = (100, 1_000) if args.quick else (1_000, 1_000)
    machine = nm.door_slam_pattern()
    rng = np.random.default_rng(2024)
    classes = rng.integers(0, N_CLASSES, size=(n_seq, length))
    rows = classes.tolist()
    events = n_seq * length
    table, initial = python_table(machine), machine.state_names.index(machine.initial)  # built beforehand

    (t_batch, batch), (t_loop, finals) = best_times(
        lambda: nm.replay_batch(machine, classes), lambda: python_loop(table, initial, rows), repeat=3
    )
    check(
        isinstance(batch, nm.BatchReplay) and batch.final_states.tolist() == finals, "the batch and the loop disagree"
    )
    ours, base = events / t_batch, events / t_loop
    figures = [
        Figure("batch replay", rate_text(ours), f"{n_seq:,} x {length:,} events", "", "", None),
        Figure(
            "batch replay vs Python table loop",
            rate_text(ours),
            rate_text(base),
            f"{ours / base:.1f}x",
            ">= 2x",
            ours / base >= 2,
        ),
    ]
    big = rng.integers(0, N_CLASSES, size=(n_seq * 10, length))
    t_big, _ = best_time(lambda: nm.replay_batch(machine, big), repeat=3)
    figures.append(
        Figure(
            "batch replay scaling (10x)",
            f"{t_batch * 1e3:.1f} ms -> {t_big * 1e3:.1f} ms",
            f"{events:,} -> {events * 10:,} events",
            f"{t_big / t_batch:.1f}",
            "about 10",
        )
    )
    return figures


if __name__ == "__main__":
    print(format_table(main()))
