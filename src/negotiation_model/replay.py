"""Replaying an episode through a pattern machine, and what comes out: the trace.

Replay is compiled: each event is reduced to an integer class (kind, role of
the actor, touches the red line or not) once, and the machine's transition
table is indexed by (state, class). The trace keeps compact arrays and builds
a :class:`Step` record only when one is read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import attrs
import numpy as np

from .episode import Episode, Role
from .errors import ReplayError
from .events import Event
from .machine import KINDS, N_CLASSES, ROLES, PatternMachine, Transition

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Comparison", "Cycle", "Deviation", "Step", "Trace", "compare", "replay"]

_KIND_OFFSET = {k: i * len(ROLES) * 2 for i, k in enumerate(KINDS)}


@attrs.frozen
class Step:
    """One event of a replay and what the machine did with it.

    Attributes:
        index: The event's position in the episode.
        event: The event.
        source: The state before it.
        target: The state after it (equal to ``source`` for a self-loop or a
            deviation).
        transition: The transition taken, or ``None`` for a deviation.
        conforms: Whether some transition took the event.
    """

    index: int
    event: Event
    source: str
    target: str
    transition: Transition | None
    conforms: bool


@attrs.frozen
class Deviation:
    """An event the machine had no transition for, and why.

    Attributes:
        index: The event's position in the episode.
        event: The event.
        state: The state the machine was in (and stayed in).
        role: The acting side's role in the episode.
        touches_red_line: Whether the event touches the red line.
        expected: What the machine would have taken from ``state``, in words.
    """

    index: int
    event: Event
    state: str
    role: Role
    touches_red_line: bool
    expected: tuple[str, ...]

    @property
    def explanation(self) -> str:
        """Return the deviation in one sentence."""
        red = ", on the red line" if self.touches_red_line else ""
        expected = "; ".join(self.expected) if self.expected else "nothing"
        return (
            f"event {self.event.id!r} ({self.event.date_text}, {self.event.kind.value} by "
            f"{self.role.value.replace('_', ' ')}{red}) at index {self.index}: no transition from "
            f"{self.state!r} takes it; from {self.state!r} the pattern expects: {expected}"
        )


@attrs.frozen
class Cycle:
    """One completed cycle of the pattern (offer, precondition, red line raised, door slammed).

    Attributes:
        indices: The positions, in the episode, of the events that made each stage.
        events: Those events.
        labels: The transition labels of the stages (the machine's ``cycle``).
    """

    indices: tuple[int, ...]
    events: tuple[Event, ...]
    labels: tuple[str, ...]

    @property
    def start(self) -> Event:
        """Return the event that opened the cycle."""
        return self.events[0]

    @property
    def end(self) -> Event:
        """Return the event that completed it."""
        return self.events[-1]


class Steps(Sequence[Step]):
    """The steps of a trace, built on demand from compact arrays."""

    __slots__ = ("_trace",)

    def __init__(self, trace: Trace) -> None:
        self._trace = trace

    def __len__(self) -> int:
        return len(self._trace.episode.events)

    @overload
    def __getitem__(self, i: int) -> Step: ...

    @overload
    def __getitem__(self, i: slice) -> list[Step]: ...

    def __getitem__(self, i: int | slice) -> Step | list[Step]:
        if isinstance(i, slice):
            return [self._build(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("step index out of range")
        return self._build(i)

    def _build(self, i: int) -> Step:
        t = self._trace
        names = t.machine.state_names
        ti = int(t.transition_indices[i])
        return Step(
            i,
            t.episode.events[i],
            names[t.state_indices[i]],
            names[t.state_indices[i + 1]],
            t.machine.transitions[ti] if ti >= 0 else None,
            ti >= 0,
        )

    def __iter__(self) -> Iterator[Step]:
        t = self._trace
        names = t.machine.state_names
        transitions = t.machine.transitions
        states = [names[s] for s in t.state_indices.tolist()]
        for i, (event, ti) in enumerate(zip(t.episode.events, t.transition_indices.tolist(), strict=True)):
            yield Step(i, event, states[i], states[i + 1], transitions[ti] if ti >= 0 else None, ti >= 0)

    def __repr__(self) -> str:
        return f"<{len(self)} steps of {self._trace.episode.id!r}>"


@attrs.frozen(repr=False)
class Trace:
    """The result of replaying an episode through a machine.

    Attributes:
        machine: The machine replayed.
        episode: The episode replayed.
        transition_indices: Per event, the index of the transition taken in
            ``machine.transitions``, or -1 for a deviation (numpy int array).
        state_indices: The state (index into ``machine.states``) before each
            event, then after the last: ``len(events) + 1`` entries.
        final_state: The state after the last event.
        fitness: The share of events some transition took (1.0 for an empty
            episode). This is the event-level analogue of token-replay fitness
            in process mining: there, fitness is 1 - (missing + remaining
            tokens) / (consumed + produced); here each event either fires a
            transition of a deterministic machine or is skipped, so a skipped
            event counts once against the total and the state is kept.
    """

    machine: PatternMachine
    episode: Episode
    transition_indices: NDArray[np.int32] = attrs.field(eq=False)
    state_indices: NDArray[np.int16] = attrs.field(eq=False)
    final_state: str
    fitness: float

    def __attrs_post_init__(self) -> None:
        self.transition_indices.setflags(write=False)
        self.state_indices.setflags(write=False)

    def __repr__(self) -> str:
        return (
            f"Trace(episode={self.episode.id!r}, machine={self.machine.name!r}, steps={len(self.episode.events)}, "
            f"final_state={self.final_state!r}, fitness={self.fitness:.3f}, cycles={len(self.cycles)}, "
            f"deviations={len(self.deviations)})"
        )

    @property
    def steps(self) -> Steps:
        """Return the steps, one per event (a lazy sequence of :class:`Step`)."""
        return Steps(self)

    @property
    def conforms(self) -> NDArray[np.bool_]:
        """Return per event whether a transition took it (numpy bool array)."""
        return self.transition_indices >= 0

    @functools.cached_property
    def visited(self) -> tuple[str, ...]:
        """Return the states the replay was in, in order of first visit (the initial state first)."""
        _, first = np.unique(self.state_indices, return_index=True)
        names = self.machine.state_names
        return tuple(names[self.state_indices[i]] for i in sorted(first.tolist()))

    @property
    def path(self) -> tuple[str, ...]:
        """Return the sequence of states entered, from the initial state (self-loops left out)."""
        s = self.state_indices
        changes = np.flatnonzero(s[1:] != s[:-1]) + 1
        names = self.machine.state_names
        return (names[s[0]], *(names[s[i]] for i in changes.tolist()))

    @functools.cached_property
    def deviations(self) -> tuple[Deviation, ...]:
        """Return every deviation, each with an explanation."""
        machine, episode = self.machine, self.episode
        names = machine.state_names
        expected: dict[int, tuple[str, ...]] = {}
        roles: dict[str, Role] = {}
        out = []
        for i in np.flatnonzero(self.transition_indices < 0).tolist():
            event = episode.events[i]
            si = int(self.state_indices[i])
            if si not in expected:
                expected[si] = tuple(t.describe() for t in machine.transitions_from(names[si]))
            if event.actor not in roles:
                roles[event.actor] = episode.role_of(event.actor)
            out.append(
                Deviation(i, event, names[si], roles[event.actor], episode.touches_red_line(event), expected[si])
            )
        return tuple(out)

    @functools.cached_property
    def cycles(self) -> tuple[Cycle, ...]:
        """Return the completed cycles of the pattern, in order.

        A cycle is completed when the machine's ``cycle`` labels are taken in
        order, as state-changing steps; taking the first label again starts a
        new cycle (the offer it follows is the latest one).
        """
        labels = self.machine.cycle
        if not labels:
            return ()
        s = self.state_indices
        moved = np.flatnonzero(s[1:] != s[:-1]).tolist()
        transitions = self.machine.transitions
        events = self.episode.events
        found: list[Cycle] = []
        stage: list[int] = []
        for i in moved:
            label = transitions[int(self.transition_indices[i])].label
            if label == labels[0]:
                stage = [i]
            elif stage and label == labels[len(stage)]:
                stage.append(i)
            if len(stage) == len(labels):
                found.append(Cycle(tuple(stage), tuple(events[j] for j in stage), labels))
                stage = []
        return tuple(found)

    def to_table(self) -> str:
        """Return the trace as a plain-text table, one row per event."""
        from .diagrams import trace_to_table

        return trace_to_table(self)

    def to_mermaid(self) -> str:
        """Return a Mermaid state diagram with the path taken highlighted."""
        from .diagrams import trace_to_mermaid

        return trace_to_mermaid(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the trace as plain data (JSON-ready)."""
        return {
            "episode": self.episode.id,
            "machine": self.machine.name,
            "final_state": self.final_state,
            "fitness": self.fitness,
            "visited": list(self.visited),
            "cycles": [[e.id for e in c.events] for c in self.cycles],
            "steps": [
                {
                    "index": s.index,
                    "event": s.event.id,
                    "date": s.event.date_text,
                    "kind": s.event.kind.value,
                    "actor": s.event.actor,
                    "source": s.source,
                    "target": s.target,
                    "transition": s.transition.label if s.transition else None,
                    "conforms": s.conforms,
                }
                for s in self.steps
            ],
            "deviations": [
                {"index": d.index, "event": d.event.id, "explanation": d.explanation} for d in self.deviations
            ],
        }


def classify(machine: PatternMachine, episode: Episode) -> list[int]:
    """Return each event's integer class (kind, role of the actor, touches the red line)."""
    del machine  # the classes are the same for every machine; kept for symmetry with replay
    role_offset = {Role.INITIATOR: 0, Role.RESPONDENT: 2, Role.THIRD_PARTY: 4}
    actor_offset = {a: role_offset[episode.role_of(a)] for a in episode.actors}
    kind_offset = _KIND_OFFSET
    red = episode.red_line
    return [kind_offset[e.kind] + actor_offset[e.actor] + (red in e.issues) for e in episode.events]


def run_classes(machine: PatternMachine, classes: Sequence[int]) -> tuple[list[int], int]:
    """Step the compiled table through event classes.

    Returns:
        The transition index taken per event (-1 for a deviation) and the
        final state's index.
    """
    compiled = machine._compiled
    table = compiled.table
    target_offset = compiled.target_offset
    offset = machine.state_names.index(machine.initial) * N_CLASSES
    taken: list[int] = []
    append = taken.append
    for c in classes:
        t = table[offset + c]
        append(t)
        if t >= 0:
            offset = target_offset[t]
    return taken, offset // N_CLASSES


def replay(machine: PatternMachine, episode: Episode, *, strict: bool = False) -> Trace:
    """Replay an episode through a machine (see :meth:`PatternMachine.replay`)."""
    taken_list, final = run_classes(machine, classify(machine, episode))
    taken = np.asarray(taken_list, dtype=np.int32)
    initial = machine.state_names.index(machine.initial)
    states = _states_from_transitions(machine, taken, initial)
    n = len(taken_list)
    conforming = int(np.count_nonzero(taken >= 0))
    trace = Trace(
        machine=machine,
        episode=episode,
        transition_indices=taken,
        state_indices=states,
        final_state=machine.state_names[final],
        fitness=conforming / n if n else 1.0,
    )
    if strict and conforming < n:
        first = trace.deviations[0]
        raise ReplayError(
            f"strict replay of {episode.id!r} on {machine.name!r}: {first.explanation}",
            event=first.event,
            state=first.state,
            index=first.index,
            expected=first.expected,
        )
    return trace


def _states_from_transitions(machine: PatternMachine, taken: NDArray[np.int32], initial: int) -> NDArray[np.int16]:
    """Return the state before each event and after the last, from the transitions taken."""
    target = np.asarray([*machine._compiled.target_state, initial], dtype=np.int16)
    n = len(taken)
    # Index of the last conforming event at or before each position (-1: none yet).
    last = np.maximum.accumulate(np.where(taken >= 0, np.arange(n), -1)) if n else np.empty(0, dtype=np.int64)
    after = target[np.where(last >= 0, taken[np.maximum(last, 0)], -1)]
    states = np.empty(n + 1, dtype=np.int16)
    states[0] = initial
    states[1:] = after
    return states


# -- comparing two traces -------------------------------------------------------------


@attrs.frozen
class Comparison:
    """Where two traces (say, history and a counterfactual) part ways.

    Events are aligned by id, so a counterfactual that drops or inserts
    events still lines up with the original.

    Attributes:
        a: The first trace.
        b: The second trace.
        rows: Per event id in either trace, in time order: ``(event_id,
            state after it in a or None, state after it in b or None)``.
        first_divergence: The first row whose states differ (or that is
            missing from one side), or ``None`` when the traces agree.
    """

    a: Trace
    b: Trace
    rows: tuple[tuple[str, str | None, str | None], ...]
    first_divergence: tuple[str, str | None, str | None] | None

    @property
    def final_states(self) -> tuple[str, str]:
        """Return both traces' final states."""
        return self.a.final_state, self.b.final_state

    @property
    def outcome_changed(self) -> bool:
        """Return True when the final states differ."""
        return self.a.final_state != self.b.final_state

    @property
    def only_in_a(self) -> tuple[str, ...]:
        """Return the states visited by ``a`` and not by ``b``."""
        return tuple(s for s in self.a.visited if s not in self.b.visited)

    @property
    def only_in_b(self) -> tuple[str, ...]:
        """Return the states visited by ``b`` and not by ``a``."""
        return tuple(s for s in self.b.visited if s not in self.a.visited)

    def to_table(self) -> str:
        """Return the aligned traces as a plain-text table."""
        from .diagrams import comparison_to_table

        return comparison_to_table(self)


def compare(a: Trace, b: Trace) -> Comparison:
    """Compare two traces event by event (aligned on event ids).

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.door_slam_pattern()
        >>> ep = nm.load_episode("japan-dprk-2023-24")
        >>> cf = ep.without(where=lambda e: e.kind is nm.EventKind.ISSUE_RAISED and ep.touches_red_line(e)
        ...                 and ep.role_of(e.actor) is nm.Role.INITIATOR, cascade=True)
        >>> c = nm.compare(m.replay(ep), m.replay(cf))
        >>> c.outcome_changed
        True
    """
    after_a = _state_after(a)
    after_b = _state_after(b)
    order = _merged_order(a.episode, b.episode)
    rows = tuple((eid, after_a.get(eid), after_b.get(eid)) for eid in order)
    first = next((r for r in rows if r[1] != r[2]), None)
    return Comparison(a=a, b=b, rows=rows, first_divergence=first)


def _state_after(trace: Trace) -> dict[str, str]:
    names = trace.machine.state_names
    return {e.id: names[s] for e, s in zip(trace.episode.events, trace.state_indices[1:].tolist(), strict=True)}


def _merged_order(a: Episode, b: Episode) -> list[str]:
    """Return a's event ids in a's order, with b's extra events placed after their predecessor in b."""
    order = [e.id for e in a.events]
    in_a = set(order)
    extras: dict[str | None, list[str]] = {}
    previous: str | None = None
    for e in b.events:
        if e.id in in_a:
            previous = e.id
        else:
            extras.setdefault(previous, []).append(e.id)
    merged = list(extras.get(None, []))
    for eid in order:
        merged.append(eid)
        merged.extend(extras.get(eid, []))
    return merged
