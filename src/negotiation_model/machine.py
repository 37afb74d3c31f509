"""Pattern machines: named states and guarded transitions, all of it data.

A :class:`PatternMachine` is a finite-state machine whose transitions fire on
events. Each transition's :class:`Guard` says which events it takes: their
kinds, the role of the actor (initiator, respondent, third party), and
whether they touch the episode's red-line issue. Roles and the red line are
resolved per episode, so one machine replays Japan-DPRK and Japan-Russia
alike.

Machines are checked when built (:class:`~negotiation_model.DefinitionError`
names the culprits): unknown states, unreachable states, two transitions
that could take the same event from one state, and states with no way out
that are not outcomes. The networkx graph (:attr:`PatternMachine.graph`) is
derived from the transitions, never kept alongside them.
"""

from __future__ import annotations

import enum
import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import networkx as nx

from .episode import Episode, Role
from .errors import DataError, DefinitionError, short_repr
from .events import EventKind

if TYPE_CHECKING:
    from .replay import Trace

__all__ = ["Guard", "PatternMachine", "State", "Transition"]

#: Kinds and roles in a fixed order: the compiled table indexes them.
E = TypeVar("E", bound=enum.Enum)

KINDS: tuple[EventKind, ...] = tuple(EventKind)
ROLES: tuple[Role, ...] = (Role.INITIATOR, Role.RESPONDENT, Role.THIRD_PARTY)
#: Number of event classes: every (kind, role, touches red line) triple.
N_CLASSES = len(KINDS) * len(ROLES) * 2


#: Every event class's (kind, role, touches red line), in class order: class ``c`` is ``CLASS_TRIPLES[c]``.
CLASS_TRIPLES: tuple[tuple[EventKind, Role, bool], ...] = tuple(
    (k, r, t) for k in KINDS for r in ROLES for t in (False, True)
)
#: What a kind and a role add to an event's class (the red line adds 1).
KIND_OFFSET = {k: i * len(ROLES) * 2 for i, k in enumerate(KINDS)}
ROLE_OFFSET = {r: i * 2 for i, r in enumerate(ROLES)}


def event_class(kind: EventKind, role: Role, touches_red_line: bool) -> int:
    """Return the integer class of an event, as the compiled table indexes it."""
    return KIND_OFFSET[kind] + ROLE_OFFSET[role] + (1 if touches_red_line else 0)


def _as_kinds(value: Iterable[EventKind | str]) -> frozenset[EventKind]:
    return _enum_set("guard kinds", EventKind, value)


def _as_roles(value: Iterable[Role | str]) -> frozenset[Role]:
    return _enum_set("guard roles", Role, value)


def _enum_set(field: str, enum_type: type[E], value: Iterable[E | str]) -> frozenset[E]:
    """Return the members named in ``value``, or raise DefinitionError naming the field."""
    names = ", ".join(m.value for m in enum_type)
    if isinstance(value, str):  # a lone name would be read letter by letter
        raise DefinitionError(f"{field}: expected a collection of {names}; got the single value {value!r}")
    try:
        return frozenset(enum_type(v) for v in value)
    except (ValueError, TypeError):
        raise DefinitionError(f"{field}: expected a collection of {names}; got {short_repr(value)}") from None


@attrs.frozen
class Guard:
    """Which events a transition takes. An empty set means "any".

    Attributes:
        kinds: Event kinds taken (empty: any kind).
        roles: Roles of the acting side (empty: any role). The actor's role
            is resolved through ``represents``: a minister acts for her state.
        red_line: ``True``: only events that touch the episode's red line;
            ``False``: only events that do not; ``None``: either.

    Examples:
        >>> from negotiation_model import EventKind, Role
        >>> g = Guard(kinds={EventKind.ISSUE_RAISED}, roles={Role.INITIATOR}, red_line=True)
        >>> g.matches(EventKind.ISSUE_RAISED, Role.INITIATOR, True)
        True
        >>> g.matches(EventKind.ISSUE_RAISED, Role.INITIATOR, False)
        False
    """

    kinds: frozenset[EventKind] = attrs.field(factory=frozenset, converter=_as_kinds)
    roles: frozenset[Role] = attrs.field(factory=frozenset, converter=_as_roles)
    red_line: bool | None = attrs.field(default=None)

    @red_line.validator
    def _check_red_line(self, _attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, bool):
            raise DefinitionError(f"guard red_line: expected true, false or null (any), got {value!r}")

    def matches(self, kind: EventKind, role: Role, touches_red_line: bool) -> bool:
        """Return True when an event with these features passes the guard."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.roles or role in self.roles)
            and (self.red_line is None or self.red_line == touches_red_line)
        )

    def overlaps(self, other: Guard) -> bool:
        """Return True when some event could pass both guards."""
        return any(self.matches(*c) and other.matches(*c) for c in CLASS_TRIPLES)

    def describe(self) -> str:
        """Return the guard in words, e.g. ``"issue_raised by initiator, on the red line"``."""
        kinds = " or ".join(sorted(k.value for k in self.kinds)) if self.kinds else "any event"
        roles = " or ".join(r.value.replace("_", " ") for r in ROLES if r in self.roles) if self.roles else "anyone"
        red = {True: ", on the red line", False: ", off the red line", None: ""}[self.red_line]
        return f"{kinds} by {roles}{red}"


@attrs.frozen
class State:
    """A state of a pattern machine.

    Attributes:
        name: Unique within the machine (``"conditional"``).
        description: What the state means, historically.
        outcome: Whether the state is an outcome (an end the analysis cares
            about, such as ``summit`` or ``door_slammed``).
    """

    name: str
    description: str = ""
    outcome: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class Transition:
    """A guarded move from one state to another (or back to itself).

    Attributes:
        source: The state it leaves.
        target: The state it enters (equal to ``source`` for a self-loop).
        label: Its name, unique among the transitions leaving ``source``
            (``"offer"``, ``"raise_red_line"``).
        guard: Which events it takes.
        description: The historical move it stands for.
    """

    source: str
    target: str
    label: str
    guard: Guard = attrs.field(factory=Guard, kw_only=True)
    description: str = attrs.field(default="", kw_only=True)

    @property
    def is_self_loop(self) -> bool:
        """Return True when the transition keeps the state."""
        return self.source == self.target

    def describe(self) -> str:
        """Return the transition in words, e.g. ``"offer: offer by initiator -> overture"``."""
        target = "stays" if self.is_self_loop else f"-> {self.target}"
        return f"{self.label}: {self.guard.describe()} {target}"


def _state_tuple(value: Iterable[State]) -> tuple[State, ...]:
    return tuple(value)


def _transition_tuple(value: Iterable[Transition]) -> tuple[Transition, ...]:
    return tuple(value)


def _label_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):  # a lone label would be read letter by letter
        raise DefinitionError(f"cycle: expected a sequence of transition labels, got the single value {value!r}")
    return tuple(value)


@attrs.frozen
class _Compiled:
    """The machine as integer tables (built once per machine)."""

    state_index: dict[str, int]  # state name -> its position
    table: list[int]  # state * N_CLASSES + class -> transition index, or -1
    target_offset: list[int]  # transition index -> target state index * N_CLASSES
    target_state: list[int]  # transition index -> target state index


@attrs.frozen(kw_only=True)
class PatternMachine:
    """A negotiation pattern as a finite-state machine over events.

    Build one from Python records, or from plain data with
    :meth:`from_dict` / :meth:`from_file`. The canonical pattern is
    :func:`~negotiation_model.door_slam_pattern`.

    Attributes:
        name: A short id (``"door-slam"``).
        description: What pattern the machine encodes, and where it comes from.
        states: The states, in a fixed order (the first is not special).
        initial: The state every replay starts in.
        transitions: The transitions, in a fixed order.
        cycle: Transition labels that, taken in this order, complete one
            cycle of the pattern (``offer``, ``precondition``,
            ``raise_red_line``, ``slam_door``); only state-changing steps count.

    Raises:
        DefinitionError: When the definition is inconsistent; the message
            and ``.culprits`` name the states or transitions at fault.
    """

    name: str
    description: str = ""
    states: tuple[State, ...] = attrs.field(converter=_state_tuple)
    initial: str
    transitions: tuple[Transition, ...] = attrs.field(converter=_transition_tuple)
    cycle: tuple[str, ...] = attrs.field(default=(), converter=_label_tuple)
    _compiled: _Compiled = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        _check_definition(self)
        object.__setattr__(self, "_compiled", _compile(self))

    # -- lookups --------------------------------------------------------------

    @property
    def state_names(self) -> tuple[str, ...]:
        """Return the states' names, in order."""
        return tuple(s.name for s in self.states)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Return the names of the outcome states."""
        return tuple(s.name for s in self.states if s.outcome)

    def state(self, name: str) -> State:
        """Return the state with this name.

        Raises:
            KeyError: When there is none.
        """
        return self.states[self._state_index(name)]

    def _state_index(self, name: str) -> int:
        try:
            return self._compiled.state_index[name]
        except (KeyError, TypeError):  # TypeError: not a name at all (unhashable)
            raise KeyError(
                f"machine {self.name!r} has no state {name!r} (states: {', '.join(self.state_names)})"
            ) from None

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        """Return the transitions leaving a state (self-loops included)."""
        return tuple(t for t in self.transitions if t.source == state)

    def step(self, state: str, kind: EventKind | str, role: Role | str, touches_red_line: bool) -> Transition | None:
        """Return the transition an event with these features takes from ``state``, or None.

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.door_slam_pattern()
            >>> m.step("dormant", "offer", "initiator", False).target
            'overture'
        """
        si = self._state_index(state)
        ti = self._compiled.table[si * N_CLASSES + event_class(EventKind(kind), Role(role), touches_red_line)]
        return self.transitions[ti] if ti >= 0 else None

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph:
        """Return the machine as a networkx ``MultiDiGraph``, derived from the transitions.

        Nodes are state names (attributes ``description``, ``outcome``,
        ``initial``); each transition is an edge keyed by its label, with
        ``guard``, ``description`` and ``transition`` attributes. The graph
        is built once and shared, so it is frozen (``networkx.freeze``):
        copy it to edit (``nx.MultiDiGraph(m.graph)``).
        """
        g = nx.MultiDiGraph(name=self.name)
        for s in self.states:
            g.add_node(s.name, description=s.description, outcome=s.outcome, initial=s.name == self.initial)
        for t in self.transitions:
            g.add_edge(t.source, t.target, key=t.label, guard=t.guard, description=t.description, transition=t)
        return nx.freeze(g)

    # -- replay -----------------------------------------------------------------

    def replay(self, episode: Episode, *, strict: bool = False) -> Trace:
        """Replay an episode through the machine, one step per event.

        An event that no transition from the current state takes is a
        *deviation*: in lenient mode (the default) it is recorded with an
        explanation and the state is kept; in strict mode it raises.

        Args:
            episode: The episode to replay.
            strict: Raise :class:`~negotiation_model.ReplayError` at the
                first deviation instead of recording it.

        Returns:
            A :class:`~negotiation_model.Trace`.

        Raises:
            ReplayError: In strict mode, carrying ``.event``, ``.state`` and
                ``.index`` of the first deviation.

        Examples:
            >>> import negotiation_model as nm
            >>> trace = nm.door_slam_pattern().replay(nm.load_episode("japan-dprk-2023-24"))
            >>> trace.final_state
            'door_slammed'
        """
        from .replay import replay

        return replay(self, episode, strict=strict)

    # -- conversions --------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the machine as plain data (the format :meth:`from_dict` reads).

        Consecutive transitions that differ only in their source are grouped
        into one entry with a list under ``from``.
        """
        groups: list[dict[str, Any]] = []
        for t in self.transitions:
            entry = _transition_entry(t)
            if groups and _same_but_source(groups[-1], entry):
                groups[-1]["from"].append(t.source)
            else:
                groups.append(entry)
        return {
            "name": self.name,
            "description": self.description,
            "initial": self.initial,
            "cycle": list(self.cycle),
            "states": {s.name: {"description": s.description, "outcome": s.outcome} for s in self.states},
            "transitions": groups,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str | None = None) -> PatternMachine:
        """Build a machine from plain data.

        The format::

            name: door-slam
            initial: dormant
            cycle: [offer, precondition, raise_red_line, slam_door]
            states:
              dormant: {description: No talks under way.}
              door_slammed: {description: ..., outcome: true}
            transitions:
              - label: offer
                from: [dormant, door_slammed]   # one source, or a list
                to: overture                    # or `stay: true` for a self-loop
                kinds: [offer]                  # omit for any kind
                roles: [initiator]              # omit for any role
                red_line: null                  # true, false, or null (either)
                description: Tokyo offers talks.

        Raises:
            DataError: When the data is not in that shape (a bad file).
            DefinitionError: When the shape is right but the machine is
                inconsistent (unknown or unreachable states, overlapping guards).
        """
        return _machine_from_dict(cls, data, path)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> PatternMachine:
        """Read a machine from a YAML or JSON file (see :meth:`from_dict` for the format).

        Raises:
            FileNotFoundError: When there is no such file (or it is a directory).
            DataError: When the file is unreadable or malformed.
            DefinitionError: When the machine it defines is inconsistent.
        """
        from .io import _no_file, read_data

        p = Path(path)
        if not p.is_file():
            raise _no_file(p, f"{path}: no such file")
        data = read_data(p.read_bytes(), str(p), p.suffix.lower(), expected=_MACHINE_EXPECTED)
        return cls.from_dict(data, path=str(p))

    def to_mermaid(self, *, self_loops: bool = False) -> str:
        """Return a Mermaid ``stateDiagram-v2`` of the machine.

        Args:
            self_loops: Also draw the transitions that keep the state.
        """
        from .diagrams import machine_to_mermaid

        return machine_to_mermaid(self, self_loops=self_loops)

    def to_dot(self, *, self_loops: bool = False) -> str:
        """Return the machine in Graphviz DOT text (no graphviz install needed)."""
        from .diagrams import machine_to_dot

        return machine_to_dot(self, self_loops=self_loops)


# -- checks -------------------------------------------------------------------------


def _check_definition(m: PatternMachine) -> None:
    if not isinstance(m.name, str) or not m.name:
        raise DefinitionError(f"machine name: expected non-empty text, got {m.name!r}")
    names = [s.name for s in m.states]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DefinitionError(f"machine {m.name!r}: duplicate state names: {', '.join(dupes)}", culprits=dupes)
    known = set(names)
    if m.initial not in known:
        raise DefinitionError(
            f"machine {m.name!r}: the initial state {m.initial!r} is not a state", culprits=[m.initial]
        )
    unknown = sorted(
        {
            f"{t.label} ({t.source} -> {t.target})"
            for t in m.transitions
            if t.source not in known or t.target not in known
        }
    )
    if unknown:
        raise DefinitionError(
            f"machine {m.name!r}: transitions to or from unknown states: {'; '.join(unknown)}", culprits=unknown
        )
    seen: dict[tuple[str, str], Transition] = {}
    for t in m.transitions:
        key = (t.source, t.label)
        if key in seen:
            raise DefinitionError(
                f"machine {m.name!r}: two transitions labelled {t.label!r} leave {t.source!r}", culprits=[t.label]
            )
        seen[key] = t
    clashes = []
    by_source: dict[str, list[Transition]] = {}
    for t in m.transitions:
        by_source.setdefault(t.source, []).append(t)
    for source, ts in by_source.items():
        for i, a in enumerate(ts):
            for b in ts[i + 1 :]:
                if a.guard.overlaps(b.guard):
                    clashes.append(f"{source}: {a.label!r} and {b.label!r}")
    if clashes:
        raise DefinitionError(
            f"machine {m.name!r} is not deterministic; these transitions can take the same event: "
            + "; ".join(clashes),
            culprits=clashes,
        )
    reachable = {m.initial}
    frontier = [m.initial]
    while frontier:
        s = frontier.pop()
        for t in by_source.get(s, ()):
            if t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    unreachable = [n for n in names if n not in reachable]
    if unreachable:
        raise DefinitionError(
            f"machine {m.name!r}: unreachable from {m.initial!r}: {', '.join(unreachable)}", culprits=unreachable
        )
    traps = [
        s.name for s in m.states if not s.outcome and not any(t.target != s.name for t in by_source.get(s.name, ()))
    ]
    if traps:
        raise DefinitionError(
            f"machine {m.name!r}: no way out of {', '.join(traps)} (mark them as outcomes, or add a transition)",
            culprits=traps,
        )
    labels = {t.label for t in m.transitions}
    missing = [c for c in m.cycle if c not in labels]
    if missing:
        raise DefinitionError(
            f"machine {m.name!r}: the cycle names labels no transition has: {', '.join(missing)}", culprits=missing
        )


def _compile(m: PatternMachine) -> _Compiled:
    index = {s.name: i for i, s in enumerate(m.states)}
    table = [-1] * (len(m.states) * N_CLASSES)
    triples = CLASS_TRIPLES
    for ti, t in enumerate(m.transitions):
        base = index[t.source] * N_CLASSES
        for c, triple in enumerate(triples):
            if t.guard.matches(*triple):
                table[base + c] = ti
    return _Compiled(
        state_index=index,
        table=table,
        target_offset=[index[t.target] * N_CLASSES for t in m.transitions],
        target_state=[index[t.target] for t in m.transitions],
    )


# -- plain data -------------------------------------------------------------------

_MACHINE_KEYS = {"name", "description", "initial", "cycle", "states", "transitions"}
_TRANSITION_KEYS = {"label", "from", "to", "stay", "kinds", "roles", "red_line", "description"}
_STATE_KEYS = {"description", "outcome"}


def _transition_entry(t: Transition) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": t.label, "from": [t.source]}
    if t.is_self_loop:
        entry["stay"] = True
    else:
        entry["to"] = t.target
    if t.guard.kinds:
        entry["kinds"] = [k.value for k in KINDS if k in t.guard.kinds]
    if t.guard.roles:
        entry["roles"] = [r.value for r in ROLES if r in t.guard.roles]
    entry["red_line"] = t.guard.red_line
    entry["description"] = t.description
    return entry


def _same_but_source(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("stay") != b.get("stay"):
        return False
    return {k: v for k, v in a.items() if k != "from"} == {k: v for k, v in b.items() if k != "from"}


#: What a machine file holds, for the message about an empty one.
_MACHINE_EXPECTED = "a pattern machine: a mapping with name, initial, states, transitions"


def _machine_from_dict(cls: type[PatternMachine], data: Any, path: str | None) -> PatternMachine:
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise DataError(
            f"expected a mapping (name, initial, states, transitions), got {type(data).__name__}", path=path
        )
    for key in data:
        if key not in _MACHINE_KEYS:
            problems.append(f"machine: unknown field {key!r} (expected one of {', '.join(sorted(_MACHINE_KEYS))})")
    for key in ("name", "initial", "states", "transitions"):
        if key not in data:
            problems.append(f"machine: field {key!r} is missing")
    states_data = data.get("states", {})
    states: list[State] = []
    if not isinstance(states_data, Mapping):
        problems.append("machine: field 'states': expected a mapping of state name -> {description, outcome}")
    else:
        for name, spec in states_data.items():
            spec = {"description": spec} if isinstance(spec, str) else (spec or {})
            if not isinstance(name, str) or not isinstance(spec, Mapping):
                problems.append(f"state {short_repr(name)}: expected a name and a mapping with description, outcome")
                continue
            bad = [k for k in spec if k not in _STATE_KEYS]
            if bad:
                problems.append(f"state {name!r}: unknown field(s) {', '.join(map(repr, bad))}")
            outcome = spec.get("outcome", False)
            if not isinstance(outcome, bool):
                problems.append(f"state {name!r}: field 'outcome': expected true or false, got {short_repr(outcome)}")
                continue
            states.append(State(name, _description(f"state {name!r}", spec, problems), outcome=outcome))
    transitions: list[Transition] = []
    tdata = data.get("transitions", [])
    if not isinstance(tdata, list):
        problems.append("machine: field 'transitions': expected a list")
        tdata = []
    for i, spec in enumerate(tdata):
        transitions.extend(_transitions_from_entry(i, spec, problems))
    cycle = data.get("cycle", [])
    if not isinstance(cycle, list) or not all(isinstance(c, str) for c in cycle):
        problems.append("machine: field 'cycle': expected a list of transition labels")
        cycle = []
    for key in ("name", "initial"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"machine: field {key!r}: expected text, got {type(data[key]).__name__}")
    description = _description("machine", data, problems)
    if problems:
        raise DataError(problems, path=path)
    return cls(
        name=data["name"],
        description=description,
        states=states,
        initial=data["initial"],
        transitions=transitions,
        cycle=cycle,
    )


def _transitions_from_entry(i: int, spec: Any, problems: list[str]) -> list[Transition]:
    where = f"transition at index {i}"
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: expected a mapping, got {type(spec).__name__}")
        return []
    label = spec.get("label")
    if isinstance(label, str):
        where = f"transition {label!r} (index {i})"
    else:
        problems.append(f"{where}: field 'label': expected text")
    bad = [k for k in spec if k not in _TRANSITION_KEYS]
    if bad:
        problems.append(f"{where}: unknown field(s) {', '.join(map(repr, bad))}")
    sources = spec.get("from")
    sources = [sources] if isinstance(sources, str) else sources
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        problems.append(f"{where}: field 'from': expected a state name or a list of them")
        return []
    stay = spec.get("stay", False)
    target = spec.get("to")
    if stay is True and target is not None:
        problems.append(f"{where}: give either 'to' or 'stay: true', not both")
        return []
    if stay is not True and not isinstance(target, str):
        problems.append(f"{where}: field 'to': expected a state name (or 'stay: true' for a self-loop)")
        return []
    kinds, roles = spec.get("kinds") or [], spec.get("roles") or []
    for field, values, allowed in (("kinds", kinds, KINDS), ("roles", roles, ROLES)):
        names = [a.value for a in allowed]
        if not isinstance(values, list) or not all(isinstance(v, str) and v in names for v in values):
            problems.append(
                f"{where}: field {field!r}: expected a list of {', '.join(names)}; got {short_repr(values)}"
            )
            return []
    red_line = spec.get("red_line")
    if red_line is not None and not isinstance(red_line, bool):
        problems.append(f"{where}: field 'red_line': expected true, false or null (either), got {short_repr(red_line)}")
        return []
    guard = Guard(kinds=kinds, roles=roles, red_line=red_line)
    description = _description(where, spec, problems)
    if not isinstance(label, str):
        return []
    target_of = {s: s if stay is True else str(target) for s in sources}
    return [Transition(s, target_of[s], label, guard=guard, description=description) for s in sources]


def _description(where: str, spec: Mapping[str, Any], problems: list[str]) -> str:
    """Return the ``description`` field as text ("" when absent or empty), or report what it is instead."""
    value = spec.get("description")
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: field 'description': expected text, got {short_repr(value)}")
        return ""
    return value
