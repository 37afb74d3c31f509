"""Tests for the graph analyses."""

from __future__ import annotations

import pytest

import negotiation_model as nm


def test_every_state_is_reachable_from_the_initial_state(machine: nm.PatternMachine) -> None:
    """The canonical machine has no unreachable state."""
    assert nm.reachable_states(machine) == frozenset(machine.state_names)


def test_pattern_cycles_include_the_door_slam_loop(machine: nm.PatternMachine) -> None:
    """The loop offer -> red line -> slam -> offer is among the machine's cycles; self-loops are not."""
    cycles = nm.pattern_cycles(machine)
    assert ("overture", "conditional", "provoked", "door_slammed") in cycles
    assert all(len(c) >= 2 for c in cycles)
    assert cycles == sorted(cycles, key=len)


def test_shortest_path_to_an_outcome(machine: nm.PatternMachine) -> None:
    """From provoked, the shortest way to an outcome is the slammed door; a summit takes two steps."""
    assert nm.shortest_path_to_outcome(machine, "provoked") == ("provoked", "door_slammed")
    path = nm.shortest_path_to_outcome(machine, "provoked", ["summit"])
    assert path is not None
    assert len(path) == 3
    assert path[0] == "provoked" and path[-1] == "summit"


def test_analyses_reject_unknown_states(machine: nm.PatternMachine) -> None:
    """An unknown state is a KeyError listing the states."""
    with pytest.raises(KeyError, match="dormant"):
        nm.reachable_states(machine, "limbo")
    with pytest.raises(KeyError):
        nm.shortest_path_to_outcome(machine, "dormant", ["limbo"])


def test_no_path_gives_none() -> None:
    """When no outcome can be reached, the shortest path is None."""
    m = nm.PatternMachine(
        name="m",
        states=[nm.State("a"), nm.State("b", outcome=True), nm.State("c", outcome=True)],
        initial="a",
        transitions=[
            nm.Transition("a", "b", "go", guard=nm.Guard(kinds={"meeting"})),
            nm.Transition("a", "c", "other", guard=nm.Guard(kinds={"offer"})),
        ],
    )
    assert nm.shortest_path_to_outcome(m, "b", ["c"]) is None
