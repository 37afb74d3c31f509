"""Typed replay: ``machine.replay(episode)`` against ``transitions`` and ``python-statemachine``.

Our replay is timed from the typed :class:`~negotiation_model.Episode`
(events classified, guards evaluated through the compiled table, every
state, transition, conformance flag and the fitness computed). The
baselines replay the same events through the same machine rebuilt in each
library (see ``baselines.py``), with the events already turned into trigger
names. python-statemachine is slow, so it replays a prefix of the events and
its rate is compared.

Also measured: reading every step record (``list(trace.steps)``), and how the
replay time scales from a tenth of the size (a 10x larger synthetic episode
takes too long to build for a few-minute run).

Run ``python benchmarks/bench_replay.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import baselines
from figures import Figure, best_time, check, format_table, rate_text
from synthetic import synthetic_episode

import negotiation_model as nm
from negotiation_model.replay import classify

FIGURES = (
    "typed replay",
    "typed replay vs transitions",
    "typed replay vs python-statemachine",
    "reading all steps",
    "reading all steps (collector paused)",
    "typed replay scaling (10x)",
)


def replay_everything(machine: nm.PatternMachine, episode: nm.Episode) -> nm.Trace:
    """Replay and touch every eagerly computed result (states, transitions, conformance, fitness)."""
    trace = machine.replay(episode)
    _ = trace.conforms, trace.fitness, trace.final_state, trace.state_indices, trace.transition_indices
    return trace


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 200_000
    n_psm = 2_000 if args.quick else 20_000
    machine = nm.door_slam_pattern()
    episode = synthetic_episode(n)
    small = synthetic_episode(n // 10)
    figures: list[Figure] = []

    t_ours, trace = best_time(lambda: replay_everything(machine, episode), repeat=5)
    triggers = [f"c{c}" for c in classify(episode)]
    model = baselines.transitions_machine(machine)
    t_transitions = None
    if model is not None:
        t_transitions = float("inf")
        for _ in range(2):  # in turn with ours, so that a drift in the machine's speed spares the ratio
            model = baselines.transitions_machine(machine)
            gc.collect()
            start = time.perf_counter()
            states, _, fitness = baselines.replay_transitions(model, triggers)
            t_transitions = min(t_transitions, time.perf_counter() - start)
            t_ours = min(t_ours, best_time(lambda: replay_everything(machine, episode), repeat=3)[0])
        names = trace.machine.state_names
        check(states == [names[s] for s in trace.state_indices[1:].tolist()], "transitions disagrees with replay")
        check(abs(fitness - trace.fitness) < 1e-12, "transitions gives another fitness")
    ours = n / t_ours
    figures.append(Figure("typed replay", rate_text(ours), "", "", ">= 2,000,000 ev/s", ours >= 2_000_000))
    if t_transitions is None:
        figures.append(Figure("typed replay vs transitions", "n/a", "transitions not installed", "", ">= 15x"))
    else:
        rate = n / t_transitions
        figures.append(
            Figure(
                "typed replay vs transitions",
                rate_text(ours),
                rate_text(rate),
                f"{ours / rate:.1f}x",
                ">= 15x",
                ours / rate >= 15,
            )
        )

    sm = baselines.statemachine_machine(machine)
    if sm is None:
        figures.append(Figure("typed replay vs python-statemachine", "n/a", "not installed", "", ">= 100x"))
    else:
        elapsed = float("inf")
        for _ in range(2):  # the best of two, on a fresh machine each time, as transitions gets
            sm = baselines.statemachine_machine(machine)
            gc.collect()
            start = time.perf_counter()
            states = baselines.replay_statemachine(sm, triggers[:n_psm])
            elapsed = min(elapsed, time.perf_counter() - start)
        names = trace.machine.state_names
        expected = [names[s] for s in trace.state_indices[1 : n_psm + 1].tolist()]
        check(states == expected, "python-statemachine disagrees with replay")
        rate = n_psm / elapsed
        figures.append(
            Figure(
                "typed replay vs python-statemachine",
                rate_text(ours),
                f"{rate_text(rate)} (first {n_psm:,} events)",
                f"{ours / rate:.0f}x",
                ">= 100x",
                ours / rate >= 100,
            )
        )

    t_steps, steps = best_time(lambda: list(trace.steps), repeat=3)
    check(len(steps) == n and steps[-1].target == trace.final_state, "the steps read disagree with the trace")
    del steps
    small_trace = machine.replay(small)
    t_small_steps, _ = best_time(lambda: list(small_trace.steps), repeat=5)
    figures.append(
        Figure(
            "reading all steps",
            rate_text(n / t_steps, "steps/s"),
            f"{n // 10:,} -> {n:,} steps: {t_small_steps * 1e3:.1f} -> {t_steps * 1e3:.0f} ms",
            f"{t_steps / t_small_steps:.1f}",
            "linear (about 10)",
        )
    )
    # The same with the cyclic collector paused: the cost of the records alone. With it on, a read of
    # many records can set off a collection of the oldest generation, which walks the whole heap.
    gc.disable()
    try:
        t_steps_bare, _ = best_time(lambda: list(trace.steps), repeat=3)
        t_small_bare, _ = best_time(lambda: list(small_trace.steps), repeat=5)
    finally:
        gc.enable()
    figures.append(
        Figure(
            "reading all steps (collector paused)",
            rate_text(n / t_steps_bare, "steps/s"),
            f"{n // 10:,} -> {n:,} steps: {t_small_bare * 1e3:.1f} -> {t_steps_bare * 1e3:.0f} ms",
            f"{t_steps_bare / t_small_bare:.1f}",
            "linear (about 10)",
        )
    )

    t_small, _ = best_time(lambda: replay_everything(machine, small), repeat=7)
    figures.append(
        Figure(
            "typed replay scaling (10x)",
            f"{t_small * 1e3:.2f} ms -> {t_ours * 1e3:.1f} ms",
            f"{n // 10:,} -> {n:,} events",
            f"{t_ours / t_small:.1f}",
            "about 10",
        )
    )
    return figures


if __name__ == "__main__":
    print(format_table(main()))
