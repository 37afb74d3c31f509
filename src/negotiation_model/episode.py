"""Episodes: the events of one negotiation, with the actors and sources behind them.

An :class:`Episode` checks its cross-references when built (declared actors
and sources, unique ids, ``responds_to`` links to earlier events of the same
episode) and keeps its events in time order. Edits (:meth:`Episode.without`,
:meth:`Episode.replace`, :meth:`Episode.insert`) return new episodes.
"""

from __future__ import annotations

import datetime as dt
import enum
import heapq
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import networkx as nx

from .errors import DataError
from .events import Actor, DatePrecision, Event, FrozenMap, Source, _frozen_map, not_before

__all__ = ["Episode", "Role", "Roles"]


class Role(str, enum.Enum):
    """The part an actor plays in an episode's pattern."""

    INITIATOR = "initiator"
    """The side that offers dialogue (Tokyo)."""
    RESPONDENT = "respondent"
    """The side that sets conditions and may slam the door (Pyongyang)."""
    THIRD_PARTY = "third_party"
    """Anyone else (Washington, Seoul)."""

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class Roles:
    """Who plays which part: actor ids of the initiator and the respondent."""

    initiator: str
    respondent: str


def _actor_map(value: Mapping[str, Actor] | Iterable[tuple[str, Actor]]) -> Mapping[str, Actor]:
    return _frozen_map(value)


def _source_map(value: Mapping[str, Source] | Iterable[tuple[str, Source]]) -> Mapping[str, Source]:
    return _frozen_map(value)


def _event_tuple(value: Iterable[Event]) -> tuple[Event, ...]:
    return value if type(value) is tuple else tuple(value)


def _text_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)


#: Cap on the length of ``represents`` chains, against cycles in bad data.
_MAX_REPRESENTS_DEPTH = 64


@attrs.frozen(kw_only=True)
class Episode:
    """One negotiation episode: its roles, red line, actors, sources and events.

    Events are kept in time order: by date; where dates overlap (a
    month-precision date and a day inside that month), in the order given,
    except that no answer ever comes before what it answers (``responds_to``).

    Attributes:
        id: A short slug, e.g. ``"japan-dprk-2023-24"``.
        title: One line.
        summary: One paragraph, in the dataset author's own words.
        roles: Which actors are the initiator and the respondent.
        red_line: The issue the respondent will not discuss (``"abductees"``).
        actors: Actor id -> :class:`Actor`.
        sources: Source id -> :class:`Source`.
        events: The events, in time order.
        notes: Caveats: disputes between sources, uncertain dates, gaps.

    Raises:
        DataError: When a reference does not resolve, an id repeats, or an
            answer is dated before what it answers. Every problem is listed.
    """

    id: str
    title: str
    summary: str = ""
    roles: Roles
    red_line: str
    actors: Mapping[str, Actor] = attrs.field(converter=_actor_map)
    sources: Mapping[str, Source] = attrs.field(converter=_source_map)
    events: tuple[Event, ...] = attrs.field(converter=_event_tuple)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_text_tuple)

    def __attrs_post_init__(self) -> None:
        problems, positions = _episode_problems(self)
        if problems:
            raise DataError(problems)
        ordered = _time_order(self.events, positions)
        if ordered is not None:
            object.__setattr__(self, "events", ordered)

    # -- lookups -----------------------------------------------------------

    def __len__(self) -> int:
        return len(self.events)

    def event(self, event_id: str) -> Event:
        """Return the event with the given id.

        Raises:
            KeyError: When no event has that id.
        """
        for e in self.events:
            if e.id == event_id:
                return e
        raise KeyError(f"episode {self.id!r} has no event {event_id!r}")

    @property
    def event_ids(self) -> tuple[str, ...]:
        """Return the events' ids, in time order."""
        return tuple(e.id for e in self.events)

    @property
    def role_map(self) -> Mapping[str, Role]:
        """Return each actor's role, resolved through ``represents``."""
        return FrozenMap({a: self.role_of(a) for a in self.actors})

    def role_of(self, actor_id: str) -> Role:
        """Return the role of an actor, following ``represents`` to the state it speaks for.

        Examples:
            >>> import negotiation_model as nm
            >>> nm.load_episode("japan-dprk-2023-24").role_of("JPN")
            <Role.INITIATOR: 'initiator'>
        """
        for current in self._represents_chain(actor_id):
            if current == self.roles.initiator:
                return Role.INITIATOR
            if current == self.roles.respondent:
                return Role.RESPONDENT
        return Role.THIRD_PARTY

    def _represents_chain(self, actor_id: str) -> tuple[str, ...]:
        """Return the actor and, in order, whom it speaks for through ``represents`` (the last is a state).

        Examples:
            >>> import negotiation_model as nm
            >>> ep = nm.load_episode("japan-dprk-2023-24")
            >>> ep._represents_chain("kishida")[-1]
            'JPN'
        """
        chain = [actor_id]
        actor = self.actors.get(actor_id)
        while actor is not None and actor.represents is not None and len(chain) <= _MAX_REPRESENTS_DEPTH:
            chain.append(actor.represents)  # no loop: Episode refuses a chain of represents that loops
            actor = self.actors.get(actor.represents)
        return tuple(chain)

    def touches_red_line(self, event: Event) -> bool:
        """Return True when the event's issues include this episode's red line."""
        return self.red_line in event.issues

    @property
    def date_range(self) -> tuple[str, str] | None:
        """Return the dates of the first and last events (in time order) as text, or None for an empty episode."""
        if not self.events:
            return None
        return self.events[0].date_text, self.events[-1].date_text

    # -- the who-answered-whom graph ----------------------------------------

    def response_graph(self) -> nx.DiGraph:
        """Return who answered whom as a networkx ``DiGraph``.

        Nodes are event ids (with the :class:`Event` as the ``event``
        attribute); an edge ``a -> b`` means that ``b`` responds to ``a``, so
        the descendants of an event are every answer that depends on it.

        Examples:
            >>> import negotiation_model as nm
            >>> g = nm.load_episode("japan-dprk-2023-24").response_graph()
            >>> import networkx as nx
            >>> nx.is_directed_acyclic_graph(g)
            True
        """
        g = nx.DiGraph(episode=self.id)
        for e in self.events:
            g.add_node(e.id, event=e)
        for e in self.events:
            for i, answered in enumerate(e.responds_to):
                reason = e.link_reasons[i] if e.link_reasons else ""
                g.add_edge(answered, e.id, reason=reason)
        return g

    # -- counterfactual edits -------------------------------------------------

    def without(
        self,
        *event_ids: str,
        where: Callable[[Event], bool] | None = None,
        cascade: bool = False,
    ) -> Episode:
        """Return a new episode without the given events.

        Args:
            *event_ids: Ids of events to drop.
            where: Also drop every event for which ``where(event)`` is true.
            cascade: Also drop every event that answers a dropped one,
                transitively, through ``responds_to``. Without it, the
                surviving answers just lose their links to dropped events.

        Raises:
            KeyError: When an id names no event of this episode.

        Examples:
            >>> import negotiation_model as nm
            >>> ep = nm.load_episode("japan-dprk-2023-24")
            >>> red = ep.without(where=lambda e: e.kind is nm.EventKind.ISSUE_RAISED, cascade=True)
            >>> len(red) < len(ep)
            True
        """
        known = {e.id for e in self.events}
        missing = [i for i in event_ids if i not in known]
        if missing:
            raise KeyError(f"episode {self.id!r} has no event(s) {', '.join(map(repr, missing))}")
        dropped = set(event_ids)
        if where is not None:
            dropped.update(e.id for e in self.events if where(e))
        if cascade and dropped:
            dropped = answer_closure(self.response_graph(), dropped)
        if not dropped:
            return self
        kept = [_unlink(e, dropped) for e in self.events if e.id not in dropped]
        return attrs.evolve(self, events=kept)

    def replace(self, event_id: str, event: Event | None = None, /, **changes: Any) -> Episode:
        """Return a new episode with one event replaced or changed.

        Args:
            event_id: The event to replace.
            event: The event to put in its place; or give ``changes``
                (field=value) to apply to the old event with ``attrs.evolve``.
            **changes: Field changes, e.g. ``kind=nm.EventKind.STATEMENT``.

        Raises:
            KeyError: When no event has that id.
            DataError: When the result is not a valid episode.
        """
        old = self.event(event_id)
        if event is not None and changes:
            raise TypeError("give either a replacement event or field changes, not both")
        new = event if event is not None else attrs.evolve(old, **changes)
        events = [new if e.id == event_id else e for e in self.events]
        if new.id != event_id:  # keep answers pointing at the renamed event
            events = [_rename_link(e, event_id, new.id) for e in events]
        return attrs.evolve(self, events=events)

    def insert(self, *events: Event) -> Episode:
        """Return a new episode with extra events, placed in time order.

        Raises:
            DataError: When an event repeats an id, cites an undeclared actor
                or source, or answers a later or missing event.
        """
        return attrs.evolve(self, events=self.events + tuple(events))


def answer_closure(graph: nx.DiGraph, event_ids: Iterable[str]) -> set[str]:
    """Return the given event ids and every event that answers them, transitively.

    Args:
        graph: A who-answered-whom graph from :meth:`Episode.response_graph`.
        event_ids: Where to start.
    """
    out = set(event_ids)
    for node in list(out):
        out |= nx.descendants(graph, node)
    return out


def _unlink(event: Event, dropped: set[str]) -> Event:
    if not any(r in dropped for r in event.responds_to):
        return event
    pairs = [
        (r, event.link_reasons[i] if event.link_reasons else "")
        for i, r in enumerate(event.responds_to)
        if r not in dropped
    ]
    return attrs.evolve(
        event,
        responds_to=tuple(p[0] for p in pairs),
        link_reasons=tuple(p[1] for p in pairs) if event.link_reasons else (),
    )


def _rename_link(event: Event, old: str, new: str) -> Event:
    if old not in event.responds_to:
        return event
    return attrs.evolve(event, responds_to=tuple(new if r == old else r for r in event.responds_to))


def _episode_problems(ep: Episode) -> tuple[list[str], dict[str, int] | None]:
    """Return what is wrong with an episode (empty when nothing), and its events' positions by id when known."""
    out: list[str] = []
    for name in ("id", "title", "red_line"):
        value = getattr(ep, name)
        if not isinstance(value, str) or not value.strip():
            out.append(f"field {name!r}: expected a non-empty string, got {value!r}")
    if not isinstance(ep.summary, str):
        out.append(f"field 'summary': expected a string, got {type(ep.summary).__name__}")
    if not all(isinstance(n, str) and n.strip() for n in ep.notes):
        out.append("field 'notes': expected non-blank strings")
    if type(ep.roles) is not Roles:
        out.append(f"field 'roles': expected Roles(initiator, respondent), got {ep.roles!r}")
        return out, None
    for role in ("initiator", "respondent"):
        actor = getattr(ep.roles, role)
        if actor not in ep.actors:
            out.append(f"field 'roles.{role}': {actor!r} is not a declared actor")
    if ep.roles.initiator == ep.roles.respondent:
        out.append("field 'roles': the initiator and the respondent must differ")
    for key, actor in ep.actors.items():
        if type(actor) is not Actor or actor.id != key:
            out.append(f"actor {key!r}: expected an Actor with id {key!r}, got {actor!r}")
        elif actor.represents is not None:
            if actor.represents not in ep.actors:
                out.append(f"actor {key!r}: field 'represents': {actor.represents!r} is not a declared actor")
            elif _represents_cycle(ep.actors, key):
                out.append(f"actor {key!r}: field 'represents': the chain of 'represents' loops back on itself")
    for key, source in ep.sources.items():
        if type(source) is not Source or source.id != key:
            out.append(f"source {key!r}: expected a Source with id {key!r}, got {source!r}")
    events = ep.events
    actors, sources = frozenset(ep.actors), frozenset(ep.sources)
    if set(map(type, events)) <= {Event}:
        positions = _references_resolve(events, actors, sources)
        if positions is not None:
            return out, positions  # the usual case, checked in bulk
    return out + _event_problems(events, actors, sources), None


def _event_problems(events: Sequence[Event], actors: frozenset[str], sources: frozenset[str]) -> list[str]:
    """Return what is wrong with the events' references, event by event (empty when nothing).

    Each problem names the event (id and index) and the field. Its checks
    are made in bulk first, by :func:`_references_resolve`: this loop runs
    only when those find something to report.
    """
    out: list[str] = []
    seen: set[str] = set()
    by_id: dict[str, Event] = {}
    for e in events:
        if type(e) is not Event:
            out.append(f"events: expected Event records, got {e!r}")
            continue
        by_id.setdefault(e.id, e)
    repeats = len(by_id) < len(events)  # some id is used twice (or some record is not an event)
    for index, e in enumerate(events):
        if type(e) is not Event:
            continue
        if repeats:
            if e.id in seen:
                out.append(f"{_where(e, index)}: field 'id': duplicate id (also used by an earlier event)")
            seen.add(e.id)
        if e.actor not in actors:
            out.append(f"{_where(e, index)}: field 'actor': {e.actor!r} is not a declared actor")
        if e.target is not None and e.target not in actors:
            out.append(f"{_where(e, index)}: field 'target': {e.target!r} is not a declared actor")
        if not sources.issuperset(e.sources):
            for s in e.sources:
                if s not in sources:
                    out.append(f"{_where(e, index)}: field 'sources': {s!r} is not a declared source")
        if e.quote is not None and e.quote.source not in sources:
            out.append(f"{_where(e, index)}: field 'quote.source': {e.quote.source!r} is not a declared source")
        for r in e.responds_to:
            answered = by_id.get(r)
            if answered is None:
                out.append(f"{_where(e, index)}: field 'responds_to': {r!r} is not an event of this episode")
            elif not not_before(e, answered):
                out.append(
                    f"{_where(e, index)}: field 'responds_to': answers {r!r} ({answered.date_text}) "
                    f"but is dated earlier ({e.date_text})"
                )
    return out


def _references_resolve(
    events: Sequence[Event], actors: frozenset[str], sources: frozenset[str]
) -> dict[str, int] | None:
    """Return each event's position by id when ids are unique and every reference resolves, else None.

    The checks of the event-by-event loop, :func:`_event_problems`, made
    in bulk (set operations over ``map``, in C) for the usual episode, where
    there is nothing to report; only the events that answer others are
    looked at one by one.
    """
    positions = dict(zip(map(_ID, events), range(len(events)), strict=True))
    if len(positions) < len(events):
        return None
    targets = set(map(_TARGET, events))
    targets.discard(None)
    if not (
        actors.issuperset(map(_ACTOR, events))
        and actors.issuperset(targets)
        and sources.issuperset(itertools.chain.from_iterable(map(_SOURCES, events)))
        and sources.issuperset(map(_QUOTE_SOURCE, filter(None, map(_QUOTE, events))))
    ):
        return None
    for e in filter(_ANSWERS, events):
        for r in e.responds_to:
            at = positions.get(r)
            if at is None or not not_before(e, events[at]):
                return None
    return positions


def _where(event: Event, index: int) -> str:
    return f"event {event.id!r} (index {index})"


def _represents_cycle(actors: Mapping[str, Actor], start: str) -> bool:
    seen = {start}
    current = actors[start].represents
    while current is not None and current in actors:
        if current in seen:
            return True
        seen.add(current)
        current = actors[current].represents
    return False


def _time_order(events: Sequence[Event], positions: dict[str, int] | None = None) -> tuple[Event, ...] | None:
    """Return the events in time order, or None when they already are.

    Sort by date; where dates overlap (a month- or year-precision date and
    the days inside it), keep the order given: a coarse date sorts with the
    event given just before it when that event's date falls inside its span,
    and at the start of its span otherwise. Where that would put an answer
    before what it answers, fall back to a topological order of the
    ``responds_to`` graph that takes the earliest available event by the same key.

    ``positions`` (event id -> index in ``events``), when given, saves
    building it again.
    """
    whens = _sort_dates(events)
    # Files usually list their events in date order already: check that in C
    # before sorting (a stable sort by date is the sort by (date, position)).
    # Ids are unique here (checked before), so an answer is in order when
    # what it answers has a smaller rank.
    n = len(events)
    in_order = all(map(operator.le, whens, itertools.islice(whens, 1, None)))
    keyed = list(range(n)) if in_order else sorted(range(n), key=whens.__getitem__)
    ordered = events if in_order else [events[i] for i in keyed]
    consistent = True
    answering = list(filter(_ANSWERS, ordered))  # only these are looked at one by one
    if answering:
        if positions is None or not in_order:
            positions = dict(zip(map(_ID, ordered), range(n), strict=True))
        consistent = all(positions[r] < positions[e.id] for e in answering for r in e.responds_to)
    if consistent and in_order:
        return None
    if not consistent:
        keys = [(when, i) for i, when in enumerate(whens)]
        keyed = _topological(events, keys)
        if len(keyed) < len(events):
            stuck = sorted(events[i].id for i in set(range(len(events))) - set(keyed))
            raise DataError(
                f"events {', '.join(map(repr, stuck))}: field 'responds_to': the links form a loop "
                "(an event cannot answer, even indirectly, one of its own answers)"
            )
    if keyed == list(range(len(events))):
        return None
    return tuple(events[i] for i in keyed)


def _sort_dates(events: Sequence[Event]) -> list[dt.date]:
    """Return each event's date to sort by (a coarse date sorts with the event before it, if inside its span)."""
    if set(map(_PRECISION, events)) <= {DatePrecision.DAY}:  # the usual case, in C
        return list(map(_DATE, events))
    whens: list[dt.date] = []
    previous: dt.date | None = None
    for e in events:
        when = e.date
        if e.date_precision is not DatePrecision.DAY:
            start, end = e.date_span
            when = previous if previous is not None and start <= previous <= end else start
        whens.append(when)
        previous = when
    return whens


_ID = operator.attrgetter("id")
_ACTOR = operator.attrgetter("actor")
_TARGET = operator.attrgetter("target")
_SOURCES = operator.attrgetter("sources")
_QUOTE = operator.attrgetter("quote")
_QUOTE_SOURCE = operator.attrgetter("source")
_ANSWERS = operator.attrgetter("responds_to")
_DATE = operator.attrgetter("date")
_PRECISION = operator.attrgetter("date_precision")


def _topological(events: Sequence[Event], keys: Sequence[tuple[dt.date, int]]) -> list[int]:
    index = {e.id: i for i, e in enumerate(events)}
    waiting = [len(e.responds_to) for e in events]
    answers: dict[int, list[int]] = {}
    for i, e in enumerate(events):
        for r in e.responds_to:
            answers.setdefault(index[r], []).append(i)
    heap = [keys[i] for i in range(len(events)) if waiting[i] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for j in answers.get(i, ()):
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(heap, keys[j])
    return order
