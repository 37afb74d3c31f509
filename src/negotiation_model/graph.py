"""Graph analyses of pattern machines, as free functions.

Each takes a :class:`~negotiation_model.PatternMachine` first and works on
its derived networkx graph, never changing it. networkx errors come back as
this library's own.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from .machine import PatternMachine

__all__ = ["pattern_cycles", "reachable_states", "shortest_path_to_outcome"]


def _state_graph(machine: PatternMachine) -> nx.DiGraph:
    """Return the machine's graph without self-loops, parallel edges merged."""
    g = nx.DiGraph()
    g.add_nodes_from(machine.state_names)
    g.add_edges_from((t.source, t.target) for t in machine.transitions if not t.is_self_loop)
    return g


def reachable_states(machine: PatternMachine, start: str | None = None) -> frozenset[str]:
    """Return the states reachable from ``start`` (the initial state by default), ``start`` included.

    Examples:
        >>> import negotiation_model as nm
        >>> sorted(nm.reachable_states(nm.door_slam_pattern(), "door_slammed"))[:3]
        ['conditional', 'door_slammed', 'overture']
    """
    start = machine.initial if start is None else start
    machine.state(start)  # KeyError, naming the states, when there is none
    return frozenset(nx.descendants(_state_graph(machine), start) | {start})


def pattern_cycles(machine: PatternMachine) -> list[tuple[str, ...]]:
    """Return the machine's elementary cycles of state changes (self-loops left out), shortest first.

    Examples:
        >>> import negotiation_model as nm
        >>> ("overture", "provoked", "door_slammed") in nm.pattern_cycles(nm.door_slam_pattern())
        True
    """
    cycles = [tuple(c) for c in nx.simple_cycles(_state_graph(machine))]
    # Rotate each cycle to start at its earliest state (in machine order) so results are stable.
    order = {s: i for i, s in enumerate(machine.state_names)}
    rotated = []
    for c in cycles:
        k = min(range(len(c)), key=lambda i: order[c[i]])
        rotated.append(c[k:] + c[:k])
    return sorted(rotated, key=lambda c: (len(c), [order[s] for s in c]))


def shortest_path_to_outcome(
    machine: PatternMachine, start: str, outcomes: Iterable[str] | None = None
) -> tuple[str, ...] | None:
    """Return the shortest sequence of states from ``start`` to any outcome state, or None if there is none.

    Args:
        machine: The machine.
        start: Where to start.
        outcomes: Target states (the machine's outcome states by default).

    Raises:
        KeyError: When ``start`` or a target is not a state of the machine.
        TypeError: When ``outcomes`` is a single name rather than a collection.

    Examples:
        >>> import negotiation_model as nm
        >>> nm.shortest_path_to_outcome(nm.door_slam_pattern(), "dormant", ["summit"])
        ('dormant', 'overture', 'summit')
    """
    machine.state(start)  # KeyError, naming the states, when there is none
    if isinstance(outcomes, str):
        raise TypeError(f"outcomes: expected a collection of state names, got the string {outcomes!r}")
    targets = list(machine.outcomes if outcomes is None else outcomes)
    for t in targets:
        machine.state(t)
    g = _state_graph(machine)
    best: tuple[str, ...] | None = None
    for t in targets:
        try:
            path = tuple(nx.shortest_path(g, start, t))
        except nx.NetworkXNoPath:
            continue
        if best is None or len(path) < len(best):
            best = path
    return best
