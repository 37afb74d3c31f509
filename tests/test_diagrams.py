"""Tests for diagrams and tables."""

from __future__ import annotations

import re

import negotiation_model as nm
from negotiation_model.diagrams import machine_edges, text_table


def test_mermaid_draws_every_state_change(machine: nm.PatternMachine) -> None:
    """The mermaid diagram has one arrow per pair of states a transition joins, and no self-loops by default."""
    text = machine.to_mermaid()
    assert text.startswith("stateDiagram-v2\n")
    arrows = re.findall(r"^\s+(\w+) --> (\w+):", text, flags=re.M)
    pairs = {(t.source, t.target) for t in machine.transitions if not t.is_self_loop}
    assert set(arrows) == pairs
    assert len(arrows) == len(pairs)
    with_loops = machine.to_mermaid(self_loops=True)
    assert "dormant --> dormant" in with_loops


def test_dot_is_well_formed(machine: nm.PatternMachine) -> None:
    """The DOT text opens and closes a digraph, marks outcomes, and quotes names."""
    text = machine.to_dot()
    assert text.startswith('digraph "door-slam" {') and text.rstrip().endswith("}")
    assert '"summit" [shape=doublecircle' in text
    assert text.count("{") == text.count("}")
    assert '"provoked" -> "door_slammed" [label="slam_door"];' in text


def test_edges_group_labels_between_two_states(machine: nm.PatternMachine) -> None:
    """Transitions joining the same two states become one edge with several labels."""
    edges = {(e.source, e.target): e.labels for e in machine_edges(machine)}
    assert set(edges[("provoked", "talks")]) == {"meeting", "agree", "concede"}


def test_text_table_aligns_columns() -> None:
    """Columns are padded to the widest cell."""
    out = text_table(("a", "bb"), [("xxx", 1), ("y", 22)]).splitlines()
    assert out[0] == "a    bb"
    assert out[2] == "xxx  1"
    assert out[3] == "y    22"


def test_mermaid_gives_states_that_differ_only_in_punctuation_their_own_ids() -> None:
    """States 'a-b' and 'a_b' would both be a_b in Mermaid: each gets an id of its own, and each arrow its own ends."""
    offer = nm.Guard(kinds={nm.EventKind.OFFER})
    m = nm.PatternMachine(
        name="clash",
        states=[nm.State("start"), nm.State("a-b"), nm.State("a_b", outcome=True)],
        initial="start",
        transitions=[nm.Transition("start", "a-b", "go", guard=offer), nm.Transition("a-b", "a_b", "on", guard=offer)],
    )
    text = m.to_mermaid()
    ids = dict(re.findall(r'^\s+state "([^"]+)" as (\w+)$', text, flags=re.M))
    assert len(set(ids.values())) == 3
    assert f"    {ids['a-b']} --> {ids['a_b']}: on" in text
    assert f"    start --> {ids['a-b']}: go" in text
