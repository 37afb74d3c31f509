"""Replaying an episode through a pattern machine, and what comes out: the trace.

Replay is compiled: each event is reduced to an integer class (kind, role of
the actor, touches the red line or not) once, and the machine's transition
table is indexed by (state, class). The trace keeps compact arrays and builds
a :class:`Step` record only when one is read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import attrs
import numpy as np

from .episode import Episode, Role
from .errors import ReplayError
from .events import Event
from .machine import KIND_OFFSET, N_CLASSES, ROLE_OFFSET, PatternMachine, Transition

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["BatchReplay", "Comparison", "Cycle", "Deviation", "Step", "Trace", "compare", "replay", "replay_batch"]


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

    Examples:
        >>> import negotiation_model as nm
        >>> trace = nm.door_slam_pattern().replay(nm.load_episode("japan-dprk-2023-24"))
        >>> step = trace.steps[0]
        >>> step.event.id, step.source, step.target, step.transition.label, step.conforms
        ('kishida-offer-2023-05-27', 'dormant', 'overture', 'offer', True)
    """

    index: int
    event: Event
    source: str
    target: str
    transition: Transition | None
    conforms: bool


# Reading a long trace builds steps by the hundred thousand, so they are built
# by setting their slots directly: two to three times faster than the attrs
# __init__ (six object.__setattr__ calls). Step has no converters, validators
# or post-init hook, so nothing is skipped; the assert keeps it that way.
assert not any(a.converter or a.validator for a in attrs.fields(Step)) and not hasattr(Step, "__attrs_post_init__")
_STEP_SLOTS = tuple(Step.__dict__[a.name].__set__ for a in attrs.fields(Step))


def _new_step(
    index: int, event: Event, source: str, target: str, transition: Transition | None, conforms: bool
) -> Step:
    """Return ``Step(index, event, source, target, transition, conforms)``, built without the attrs ``__init__``."""
    step: Step = object.__new__(Step)
    set_index, set_event, set_source, set_target, set_transition, set_conforms = _STEP_SLOTS
    set_index(step, index)
    set_event(step, event)
    set_source(step, source)
    set_target(step, target)
    set_transition(step, transition)
    set_conforms(step, conforms)
    return step


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

    Examples:
        >>> import negotiation_model as nm
        >>> trace = nm.door_slam_pattern().replay(nm.load_episode("japan-dprk-2004"))
        >>> d = trace.deviations[0]
        >>> d.event.id, d.state, d.role.value, d.touches_red_line
        ('japan-holds-back-food-aid-2004-12', 'provoked', 'initiator', True)
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

    Examples:
        >>> import negotiation_model as nm
        >>> cycle = nm.door_slam_pattern().replay(nm.load_episode("japan-dprk-2023-24")).cycles[0]
        >>> cycle.labels
        ('offer', 'precondition', 'raise_red_line', 'slam_door')
        >>> cycle.start.id, cycle.end.id
        ('kishida-offer-2023-05-27', 'kim-yo-jong-2024-03-26')
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
        return _new_step(
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
        transitions = (*t.machine.transitions, None)  # index -1 (a deviation) gives None
        states = [names[s] for s in t.state_indices.tolist()]
        # _new_step inlined: this loop runs once per event of the trace.
        new = object.__new__
        set_index, set_event, set_source, set_target, set_transition, set_conforms = _STEP_SLOTS
        for i, (event, ti) in enumerate(zip(t.episode.events, t.transition_indices.tolist(), strict=True)):
            step = new(Step)
            set_index(step, i)
            set_event(step, event)
            set_source(step, states[i])
            set_target(step, states[i + 1])
            set_transition(step, transitions[ti])
            set_conforms(step, ti >= 0)
            yield step

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
        expected: dict[int, tuple[str, ...]] = {}
        roles: dict[str, Role] = {}
        return tuple(self._deviation(i, expected, roles) for i in np.flatnonzero(self.transition_indices < 0).tolist())

    def _deviation(self, i: int, expected: dict[int, tuple[str, ...]], roles: dict[str, Role]) -> Deviation:
        """Return the deviation at event ``i``; ``expected`` (by state) and ``roles`` (by actor) are caches."""
        machine, episode = self.machine, self.episode
        event = episode.events[i]
        si = int(self.state_indices[i])
        if si not in expected:
            expected[si] = tuple(t.describe() for t in machine.transitions_from(machine.state_names[si]))
        if event.actor not in roles:
            roles[event.actor] = episode.role_of(event.actor)
        return Deviation(
            i, event, machine.state_names[si], roles[event.actor], episode.touches_red_line(event), expected[si]
        )

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


def classify(episode: Episode) -> list[int]:
    """Return each event's integer class (kind, role of the actor, touches the red line).

    The classes index every machine's compiled table alike (see
    :func:`negotiation_model.machine.event_class`), so they depend on the
    episode only.
    """
    actor_offset = {a: ROLE_OFFSET[episode.role_of(a)] for a in episode.actors}
    kind_offset = KIND_OFFSET
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
    offset = machine._state_index(machine.initial) * N_CLASSES
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
    taken_list, final = run_classes(machine, classify(episode))
    taken = np.asarray(taken_list, dtype=np.int32)
    initial = machine._state_index(machine.initial)
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
        first = trace._deviation(int(np.argmax(taken < 0)), {}, {})  # the first only, not every one
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


# -- batch replay -----------------------------------------------------------------------

#: Padding in a batch of event classes: no event (the state is kept, nothing is counted).
PAD = -1


@attrs.frozen(kw_only=True, repr=False)
class BatchReplay:
    """What replaying many event sequences at once found, per sequence (no step records).

    Attributes:
        machine: The machine replayed.
        final_states: Per sequence, the final state (index into ``machine.states``).
        visited: ``visited[i, s]`` is true when sequence ``i`` was ever in state
            ``s`` (the initial state included).
        lengths: Per sequence, the number of events (padding left out).
        conforming: Per sequence, the number of events some transition took.
        fitness: Per sequence, ``conforming / lengths`` (1.0 for an empty
            sequence), as :attr:`Trace.fitness`.

    Examples:
        >>> import negotiation_model as nm
        >>> eps = [nm.load_episode("japan-dprk-2002"), nm.load_episode("japan-dprk-2023-24")]
        >>> batch = nm.replay_batch(nm.door_slam_pattern(), eps)
        >>> len(batch), batch.final_state_names, batch.fitness.tolist()
        (2, ('provoked', 'door_slammed'), [1.0, 1.0])
    """

    machine: PatternMachine
    final_states: NDArray[np.intp] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    visited: NDArray[np.bool_] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    lengths: NDArray[np.intp] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    conforming: NDArray[np.intp] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    fitness: NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))

    def __attrs_post_init__(self) -> None:
        for a in (self.final_states, self.visited, self.lengths, self.conforming, self.fitness):
            a.setflags(write=False)

    def __len__(self) -> int:
        return len(self.final_states)

    def __repr__(self) -> str:
        return f"BatchReplay(machine={self.machine.name!r}, sequences={len(self)})"

    @property
    def final_state_names(self) -> tuple[str, ...]:
        """Return each sequence's final state by name."""
        names = self.machine.state_names
        return tuple(names[s] for s in self.final_states.tolist())

    def visited_states(self, i: int) -> tuple[str, ...]:
        """Return the states sequence ``i`` was ever in, in the machine's order."""
        names = self.machine.state_names
        return tuple(names[s] for s in np.flatnonzero(self.visited[i]).tolist())


def replay_batch(machine: PatternMachine, sequences: Iterable[Episode] | ArrayLike) -> BatchReplay:
    """Replay many event sequences through a machine at once: outcomes, visited states, fitness.

    The sequences are stepped together, one numpy gather per position across
    all of them, so a batch of thousands costs little more than its longest
    sequence in Python steps. Use it for simulations and sensitivity runs
    that need outcomes, not step records; :meth:`PatternMachine.replay` gives
    the full trace of one episode, and agrees with this on every sequence.

    Args:
        machine: The pattern machine.
        sequences: Episodes (each is classified), or a 2-D integer array of
            event classes, one row per sequence. A class packs an event's
            kind, the role of its actor and whether it touches the red line:
            ``(kind * 3 + role) * 2 + touches``, with ``kind`` the position in
            :class:`~negotiation_model.EventKind` and ``role`` 0, 1, 2 for
            initiator, respondent, third party. ``-1`` pads a shorter row:
            no event, the state is kept and nothing is counted.

    Returns:
        A :class:`BatchReplay`.

    Raises:
        ValueError: When the array is not 2-D, not integers, or holds a
            class out of range.

    Examples:
        >>> import numpy as np
        >>> import negotiation_model as nm
        >>> m = nm.door_slam_pattern()
        >>> eps = [nm.load_episode(i) for i in nm.list_episodes()]
        >>> batch = nm.replay_batch(m, eps)
        >>> batch.final_state_names == tuple(m.replay(ep).final_state for ep in eps)
        True
        >>> offer = 0  # an offer by the initiator, off the red line
        >>> nm.replay_batch(m, np.array([[offer, offer, -1], [-1, -1, -1]])).final_state_names
        ('overture', 'dormant')
    """
    classes = _batch_classes(machine, sequences)
    n_seq, length = classes.shape
    compiled = machine._compiled
    names = machine.state_names
    n_states = len(names)
    width = N_CLASSES + 1
    initial = names.index(machine.initial)
    # Row s of the flat tables is s * width + 1 + class, so that the padding
    # class -1 lands on column 0 of the row: the state's own "stay" entry.
    table = np.asarray(compiled.table, dtype=np.intp).reshape(n_states, N_CLASSES)
    target = np.asarray(compiled.target_state, dtype=np.intp)
    next_state = np.empty((n_states, width), dtype=np.intp)
    next_state[:, 0] = np.arange(n_states)
    next_state[:, 1:] = np.where(table >= 0, target[table], np.arange(n_states)[:, None])
    next_offset = (next_state * width + 1).ravel()
    took_2d = np.zeros((n_states, width), dtype=np.uint8)
    took_2d[:, 1:] = table >= 0
    took = took_2d.ravel()
    # Visited states as bits of one word per sequence (one gather and an OR per
    # block), or, for machines too large for a word, as a flat boolean mask.
    as_bits = n_states <= _BATCH_BITS
    entered = (np.left_shift(np.uint64(1), next_state.astype(np.uint64)) if as_bits else next_state).ravel()

    offset = np.full(n_seq, initial * width + 1, dtype=np.intp)
    bits = np.full(n_seq, np.uint64(1) << np.uint64(initial), dtype=np.uint64)
    row_base = np.arange(n_seq, dtype=np.intp) * n_states
    seen = np.zeros(0 if as_bits else n_seq * n_states, dtype=bool)
    if not as_bits:
        seen[row_base + initial] = True
    conforming = np.zeros(n_seq, dtype=np.intp)
    block = max(1, min(length, _BATCH_BLOCK // max(n_seq, 1)))
    steps = np.empty((block, n_seq), dtype=np.intp)
    add, take = np.add, np.take
    for start in range(0, length, block):
        stop = min(length, start + block)
        chunk = steps[: stop - start]
        # One row per position, contiguous: the inner loop's operands.
        chunk[...] = classes[:, start:stop].T
        for row in chunk:
            add(row, offset, out=row)  # the flat table index of (state, class)
            # Every index is in range by construction; "clip" spares numpy the
            # buffered copy that mode="raise" makes when given ``out``.
            take(next_offset, row, out=offset, mode="clip")
        conforming += took[chunk].sum(axis=0, dtype=np.intp)
        if as_bits:
            bits |= np.bitwise_or.reduce(entered[chunk], axis=0)
        else:
            seen[(entered[chunk] + row_base).ravel()] = True
    if as_bits:
        visited = ((bits[:, None] >> np.arange(n_states, dtype=np.uint64)) & np.uint64(1)) != 0
    else:
        visited = seen.reshape(n_seq, n_states)
    if length and classes.min(initial=0) < 0:
        lengths = np.count_nonzero(classes != PAD, axis=1).astype(np.intp)
    else:
        lengths = np.full(n_seq, length, dtype=np.intp)
    fitness = np.where(lengths > 0, conforming / np.maximum(lengths, 1), 1.0)
    return BatchReplay(
        machine=machine,
        final_states=(offset - 1) // width,
        visited=visited,
        lengths=lengths,
        conforming=conforming,
        fitness=fitness,
    )


#: Table indices held at once by a batch replay (positions x sequences): bounds
#: its memory (8 bytes each) and keeps a block in cache.
_BATCH_BLOCK = 1 << 16
#: Machines with at most this many states keep the visited states as bits of one word.
_BATCH_BITS = 64


def _batch_classes(machine: PatternMachine, sequences: Iterable[Episode] | ArrayLike) -> NDArray[np.intp]:
    """Return the sequences as a 2-D array of event classes, -1 padded, checked."""
    if isinstance(sequences, Episode):
        sequences = [sequences]
    if not isinstance(sequences, np.ndarray):
        items: list[Any] = list(sequences)  # type: ignore[arg-type]
        if items and all(isinstance(s, Episode) for s in items):
            rows = [classify(ep) for ep in items]
            out = np.full((len(rows), max(map(len, rows))), PAD, dtype=np.intp)
            for i, r in enumerate(rows):
                out[i, : len(r)] = r
            return out
        if any(isinstance(s, Episode) for s in items):
            raise ValueError("replay_batch: expected episodes or rows of event classes, not a mix of both")
        sequences = items
    try:
        classes = np.asarray(sequences)
    except ValueError:
        raise ValueError("replay_batch: rows of event classes must all have one length (pad with -1)") from None
    if classes.size == 0 and classes.ndim <= 2:
        return np.zeros((classes.shape[0] if classes.ndim == 2 else 0, 0), dtype=np.intp)
    if classes.ndim != 2:
        raise ValueError(
            f"replay_batch: expected a 2-D array of event classes (a row per sequence), not {classes.ndim}-D"
        )
    if classes.dtype.kind not in "iu":
        raise ValueError(f"replay_batch: expected integer event classes, got {classes.dtype} values")
    low, high = int(classes.min()), int(classes.max())
    if low < PAD or high >= N_CLASSES:
        bad = low if low < PAD else high
        raise ValueError(f"replay_batch: event class {bad} is out of range (expected 0 to {N_CLASSES - 1}, -1 to pad)")
    return classes.astype(np.intp, copy=False)


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

    Examples:
        >>> import negotiation_model as nm
        >>> m, ep = nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24")
        >>> quiet = nm.load_scenario("tokyo-quiet-2024").changes[0].apply(ep)  # Tokyo leaves the red line aside
        >>> c = nm.compare(m.replay(ep), m.replay(quiet))
        >>> c.final_states, c.outcome_changed, c.first_divergence
        (('door_slammed', 'door_slammed'), False, ('hayashi-2024-02-16', 'provoked', None))
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
        >>> c.first_divergence
        ('hayashi-2024-02-16', 'provoked', None)
        >>> c.only_in_a
        ('provoked',)
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
