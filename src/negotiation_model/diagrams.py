"""Diagrams and tables: Mermaid, Graphviz DOT and plain text.

A pipeline: first extract an intermediate model (:func:`machine_edges`: one
edge per pair of states, with the labels that join them), then render it.
Nothing here needs a Graphviz or Mermaid install: the output is text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from .machine import PatternMachine
    from .replay import Comparison, Trace

__all__ = [
    "Edge",
    "comparison_to_table",
    "machine_edges",
    "machine_to_dot",
    "machine_to_mermaid",
    "text_table",
    "trace_to_mermaid",
    "trace_to_table",
]


@attrs.frozen
class Edge:
    """All the transitions from one state to another, as one drawn edge."""

    source: str
    target: str
    labels: tuple[str, ...]


def machine_edges(machine: PatternMachine, *, self_loops: bool = False) -> list[Edge]:
    """Return one :class:`Edge` per (source, target) pair, in transition order."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for t in machine.transitions:
        if t.is_self_loop and not self_loops:
            continue
        labels = grouped.setdefault((t.source, t.target), [])
        if t.label not in labels:
            labels.append(t.label)
    return [Edge(s, t, tuple(labels)) for (s, t), labels in grouped.items()]


def _mermaid_ids(machine: PatternMachine) -> dict[str, str]:
    """Return a Mermaid id for each state: its name with non-word characters as ``_``, made unique.

    ``a-b`` and ``a_b`` would both become ``a_b``: the later state, in
    machine order, gets a numbered suffix.
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in machine.state_names:
        base = candidate = re.sub(r"\W", "_", name)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[name] = candidate
    return ids


def _mermaid_head(machine: PatternMachine, ids: dict[str, str]) -> list[str]:
    """Return the first lines of a machine's Mermaid diagram: the start arrow and one line per state."""
    lines = ["stateDiagram-v2", f"    [*] --> {ids[machine.initial]}"]
    lines.extend(f'    state "{s.name}" as {ids[s.name]}' for s in machine.states)
    return lines


def machine_to_mermaid(machine: PatternMachine, *, self_loops: bool = False) -> str:
    """Return a Mermaid ``stateDiagram-v2`` of a machine.

    Examples:
        >>> import negotiation_model as nm
        >>> print(nm.door_slam_pattern().to_mermaid().splitlines()[0])
        stateDiagram-v2
    """
    ids = _mermaid_ids(machine)
    lines = _mermaid_head(machine, ids)
    for e in machine_edges(machine, self_loops=self_loops):
        lines.append(f"    {ids[e.source]} --> {ids[e.target]}: {', '.join(e.labels)}")
    outcomes = [ids[s] for s in machine.outcomes]
    if outcomes:
        lines.append("    classDef outcome font-weight:bold,stroke-width:3px")
        lines.append(f"    class {','.join(outcomes)} outcome")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def machine_to_dot(machine: PatternMachine, *, self_loops: bool = False) -> str:
    """Return a machine as Graphviz DOT text.

    Examples:
        >>> import negotiation_model as nm
        >>> nm.door_slam_pattern().to_dot().startswith('digraph "door-slam"')
        True
    """
    lines = [f"digraph {_dot_quote(machine.name)} {{", "    rankdir=LR;", "    node [shape=ellipse];"]
    lines.append('    "__start__" [shape=point];')
    for s in machine.states:
        shape = "doublecircle" if s.outcome else "ellipse"
        tooltip = f", tooltip={_dot_quote(s.description)}" if s.description else ""
        lines.append(f"    {_dot_quote(s.name)} [shape={shape}{tooltip}];")
    lines.append(f'    "__start__" -> {_dot_quote(machine.initial)};')
    for e in machine_edges(machine, self_loops=self_loops):
        lines.append(f"    {_dot_quote(e.source)} -> {_dot_quote(e.target)} [label={_dot_quote(', '.join(e.labels))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def text_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return rows as a plain-text table with aligned columns."""
    body = [[str(c) for c in r] for r in rows]
    widths = [len(h) for h in header]
    for r in body:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*r).rstrip() for r in body]
    return "\n".join(lines) + "\n"


def trace_to_table(trace: Trace) -> str:
    """Return a trace as a plain-text table: one row per event, then a summary."""
    ep = trace.episode
    rows = []
    for s in trace.steps:
        e = s.event
        role = ep.role_of(e.actor).value.replace("_", " ")
        red = "yes" if ep.touches_red_line(e) else ""
        move = s.transition.label if s.transition else "DEVIATION"
        arrow = s.source if s.source == s.target else f"{s.source} -> {s.target}"
        rows.append((s.index, e.date_text, f"{e.actor} ({role})", e.kind.value, red, move, arrow))
    table = text_table(("#", "date", "actor (role)", "kind", "red line", "move", "state"), rows)
    summary = [
        f"final state: {trace.final_state}",
        f"fitness: {trace.fitness:.3f} ({len(trace.deviations)} deviation(s) of {len(ep.events)} events)",
        f"completed cycles: {len(trace.cycles)}",
    ]
    for d in trace.deviations:
        summary.append(f"deviation: {d.explanation}")
    return table + "\n" + "\n".join(summary) + "\n"


def trace_to_mermaid(trace: Trace) -> str:
    """Return a Mermaid state diagram of the machine with the trace's path highlighted.

    States visited are shaded; each state-changing transition taken is drawn
    with the step numbers at which it was taken.
    """
    machine = trace.machine
    taken: dict[tuple[str, str], list[str]] = {}
    for s in trace.steps:
        if s.transition is not None and s.source != s.target:
            taken.setdefault((s.source, s.target), []).append(f"{s.index}")
    ids = _mermaid_ids(machine)
    lines = _mermaid_head(machine, ids)
    for e in machine_edges(machine):
        steps = taken.get((e.source, e.target))
        label = f"steps {', '.join(steps)}" if steps else ", ".join(e.labels)
        lines.append(f"    {ids[e.source]} --> {ids[e.target]}: {label}")
    lines.append("    classDef visited fill:#f9d77e,stroke:#b8860b,stroke-width:2px")
    lines.append("    classDef final fill:#e07a5f,stroke:#7a2e1d,stroke-width:3px,color:#fff")
    visited = [ids[s] for s in trace.visited if s != trace.final_state]
    if visited:
        lines.append(f"    class {','.join(visited)} visited")
    lines.append(f"    class {ids[trace.final_state]} final")
    return "\n".join(lines) + "\n"


def comparison_to_table(comparison: Comparison) -> str:
    """Return two aligned traces as a plain-text table, marking where they differ."""
    rows = [(eid, a or "(absent)", b or "(absent)", "" if a == b else "<-- differs") for eid, a, b in comparison.rows]
    table = text_table(
        ("event", f"state in {comparison.a.episode.id}", f"state in {comparison.b.episode.id}", ""), rows
    )
    fa, fb = comparison.final_states
    return table + f"\nfinal states: {fa} vs {fb}\n"
