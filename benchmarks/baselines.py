"""The door-slam machine rebuilt in other state-machine libraries, for the replay baselines.

Both libraries get the machine the way our compiled replay sees it: one
trigger per event class (kind, role of the actor, touches the red line),
with a transition for every (state, class) pair our table has. Events no
transition takes are ignored (the state is kept), as in a lenient replay.
The events are classified before the clock starts, so the baselines get
that work for free.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import negotiation_model as nm
from negotiation_model.machine import N_CLASSES

__all__ = ["class_edges", "replay_statemachine", "replay_transitions", "statemachine_machine", "transitions_machine"]


def class_edges(machine: nm.PatternMachine) -> dict[int, list[tuple[str, str]]]:
    """Return, per event class, the (source, target) state pairs the machine's table allows."""
    table = machine._compiled.table
    names = machine.state_names
    edges: dict[int, list[tuple[str, str]]] = {}
    for si, source in enumerate(names):
        for c in range(N_CLASSES):
            ti = table[si * N_CLASSES + c]
            if ti >= 0:
                edges.setdefault(c, []).append((source, machine.transitions[ti].target))
    return edges


def transitions_machine(machine: nm.PatternMachine) -> Any | None:
    """Return a model driven by a ``transitions.Machine`` equivalent to ``machine`` (None if not installed)."""
    try:
        from transitions import Machine
    except ImportError:
        return None

    class Model:
        state: str

    model = Model()
    tm = Machine(
        model=model,
        states=list(machine.state_names),
        initial=machine.initial,
        auto_transitions=False,
        ignore_invalid_triggers=True,
    )
    for c, pairs in class_edges(machine).items():
        for source, target in pairs:
            tm.add_transition(f"c{c}", source, target)
    return model


def replay_transitions(model: Any, triggers: Sequence[str]) -> tuple[list[str], list[bool], float]:
    """Feed the triggers to a ``transitions`` model; return the states, conformance flags and fitness."""
    states: list[str] = []
    conforms: list[bool] = []
    trigger = model.trigger
    for name in triggers:
        conforms.append(trigger(name))
        states.append(model.state)
    return states, conforms, (sum(conforms) / len(conforms) if conforms else 1.0)


def statemachine_machine(machine: nm.PatternMachine) -> Any | None:
    """Return a ``python-statemachine`` machine equivalent to ``machine`` (None if not installed)."""
    try:
        import statemachine as psm
    except ImportError:
        return None
    states = {s: psm.State(s, value=s, initial=s == machine.initial) for s in machine.state_names}
    namespace: dict[str, Any] = {"allow_event_without_transition": True}
    namespace.update({f"s_{s}": st for s, st in states.items()})
    for c, pairs in class_edges(machine).items():
        event = None
        for source, target in pairs:
            move = states[source].to(states[target])
            event = move if event is None else event | move
        namespace[f"c{c}"] = event
    cls = type("DoorSlamMachine", (psm.StateMachine,), namespace)
    return cls()


def replay_statemachine(sm: Any, triggers: Sequence[str]) -> list[str]:
    """Send the triggers to a ``python-statemachine`` machine; return the state after each."""
    states: list[str] = []
    send = sm.send
    for name in triggers:
        send(name)
        states.append(sm.current_state_value)
    return states
