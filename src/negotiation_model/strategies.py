"""Hypothesis strategies for events, episodes and pattern machines.

Use them to property-test your own analyses: whatever your function does
with an episode or a machine, these strategies generate valid inputs for it,
including the awkward ones (mixed date precisions, people who speak for a
state, answers dated the same day as what they answer, unicode text).

This module needs `hypothesis <https://hypothesis.readthedocs.io>`_, an
optional dependency (``pip install hypothesis``); ``import negotiation_model``
never imports it. The strategies are also registered with hypothesis through
its ``hypothesis`` entry point, so ``st.from_type(nm.Event)``,
``st.from_type(nm.Episode)`` and ``st.from_type(nm.PatternMachine)`` work as
soon as both packages are installed.

A property test of an analysis of your own, here a function that picks
the events touching the red line (examples that draw are random, so this
is not a doctest; the test suite runs it):

```python
from hypothesis import given

import negotiation_model as nm
from negotiation_model.strategies import episodes


def red_line_events(episode):
    return [e for e in episode.events if episode.touches_red_line(e)]


@given(episodes(machine=nm.door_slam_pattern(), conforming=True))
def test_without_the_red_line_no_red_line_event_is_left(episode):
    dropped = [e.id for e in red_line_events(episode)]
    assert red_line_events(episode.without(*dropped, cascade=True)) == []
```

Bad arguments raise :class:`hypothesis.errors.InvalidArgument` (a
``TypeError``) when the strategy is created, not when it is first drawn from.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import attrs

from .episode import Episode, Role, Roles
from .events import Actor, ActorKind, Codes, DatePrecision, Event, EventKind, Quote, Source, date_text, truncate
from .machine import CLASS_TRIPLES, KINDS, ROLES, Guard, PatternMachine, State, Transition

__all__ = ["episodes", "events", "pattern_machines"]


# -- registration with hypothesis -----------------------------------------------------
#
# The hook comes before this module imports hypothesis, on purpose. Importing
# hypothesis runs every "hypothesis" entry point, ours included; when this
# module is imported first (``from negotiation_model.strategies import
# episodes`` in a fresh interpreter), hypothesis's import below finds this
# module half-initialised and needs the hook to exist already. The hook only
# registers functions, which look the strategies up when first called.


def _hypothesis_setup_hook() -> None:
    """Register the strategies for :func:`hypothesis.strategies.from_type`.

    Hypothesis calls this through the ``hypothesis`` entry point declared in
    ``pyproject.toml``, when hypothesis itself is imported.
    """
    from hypothesis import strategies as st

    st.register_type_strategy(Event, lambda _type: events())
    st.register_type_strategy(Episode, lambda _type: episodes())
    st.register_type_strategy(PatternMachine, lambda _type: pattern_machines())


from hypothesis import strategies as st  # noqa: E402 - after the hook, see above
from hypothesis.errors import InvalidArgument  # noqa: E402

#: Default bounds of generated dates.
MIN_DATE = dt.date(1945, 1, 1)
MAX_DATE = dt.date(2035, 12, 31)
#: Default upper bound on the number of events in an episode.
MAX_EVENTS = 10
#: The most states :func:`pattern_machines` builds (more would make the
#: disjoint guards of a state's transitions too thin to be interesting).
MAX_STATES = 10
#: Episodes' dates stay before this, however many events they have.
_LAST_START = dt.date(9000, 1, 1)

_SLUG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_." + "éüß北朝鮮"
#: Day precision is the common case; month and year turn up often enough.
_PRECISIONS = (DatePrecision.DAY, DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR)


# -- building blocks -------------------------------------------------------------
#
# Strategies are immutable, so the building blocks are built once and cached:
# a strategy built afresh for every draw is validated afresh too, which made
# drawing an episode several times slower. Picks from a sequence known only
# at draw time go through cached integer strategies for the same reason.

T = TypeVar("T")


@functools.cache
def _ids(*, min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    """Return a strategy for ids: short slugs, with some non-ASCII letters."""
    return st.text(alphabet=_SLUG_CHARS, min_size=min_size, max_size=max_size)


@functools.cache
def _unique_ids(n: int, *, max_size: int = 12) -> st.SearchStrategy[list[str]]:
    return st.lists(_ids(max_size=max_size), min_size=n, max_size=n, unique=True)


@functools.cache
def _text(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Return a strategy for free text (any unicode but surrogates, which no file can hold)."""
    return st.text(alphabet=st.characters(codec="utf-8"), max_size=max_size)


def _not_blank(text: str) -> bool:
    return text.strip() != ""


@functools.cache
def _nonblank_text(*, max_size: int = 40) -> st.SearchStrategy[str]:
    return _text(max_size=max_size).filter(_not_blank)


@functools.cache
def _between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _index_sets(n: int, min_size: int, max_size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, n - 1), min_size=min_size, max_size=min(max_size, n), unique=True)


@functools.cache
def _dates(low: dt.date, high: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(low, high)


@functools.cache
def _booleans() -> st.SearchStrategy[bool]:
    return st.booleans()


@functools.cache
def _permutations() -> st.SearchStrategy[list[EventKind]]:
    return st.permutations(KINDS)


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    """Draw one of the options (shrinking towards the first)."""
    return options[draw(_between(0, len(options) - 1))]


def _some(draw: st.DrawFn, options: Sequence[T], *, min_size: int = 0, max_size: int = 2) -> list[T]:
    """Draw a few distinct options, in drawn order."""
    return [options[i] for i in draw(_index_sets(len(options), min_size, max_size))]


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    """Draw from the strategy, or return None (half the time, shrinking to None)."""
    return draw(strategy) if draw(_booleans()) else None


@functools.cache
def _codes() -> st.SearchStrategy[Codes]:
    return st.builds(
        Codes,
        st.none() | st.from_regex(r"\A[0-9]{2,4}\Z"),
        plover=st.none() | st.sampled_from(("AGREE", "CONSULT", "DEMAND", "REJECT", "THREATEN")),
        plover_mode=st.none() | _ids(max_size=8),
        goldstein=st.none()
        | st.integers(-10, 10)
        | st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    )


def _check_ids(name: str, value: Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidArgument(f"{name}={value!r}: expected a sequence of ids (not a single string)")
    out = tuple(value)
    if not out or not all(isinstance(v, str) and v.strip() for v in out):
        raise InvalidArgument(f"{name}={value!r}: expected a non-empty sequence of non-blank strings")
    if len(set(out)) != len(out):
        raise InvalidArgument(f"{name}={value!r}: an id is listed twice")
    return out


def _check_date(name: str, value: object) -> dt.date:
    if type(value) is not dt.date:
        raise InvalidArgument(f"{name}={value!r}: expected a datetime.date (not a datetime)")
    return value


def _check_count(name: str, value: object, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidArgument(f"{name}={value!r}: expected an integer >= {low}")
    return value


# -- events -----------------------------------------------------------------------


def events(
    *,
    actors: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    kinds: Iterable[EventKind | str] | None = None,
    issues: Sequence[str] | None = None,
    min_date: dt.date = MIN_DATE,
    max_date: dt.date = MAX_DATE,
) -> st.SearchStrategy[Event]:
    """Return a strategy for valid, standalone events.

    The events answer nothing (``responds_to`` is empty): a link needs the
    episode around it, so use :func:`episodes` for linked events. Dates come
    at any precision (a month- or year-precision date is the first day of
    its month or year).

    Args:
        actors: Actor ids to draw ``actor`` and ``target`` from (default:
            generated ids).
        sources: Source ids to cite, in ``sources`` and in quotes (default:
            generated ids).
        kinds: Event kinds to draw from (default: every kind).
        issues: Issues to draw from (default: generated names).
        min_date: The earliest date.
        max_date: The latest date.

    Raises:
        InvalidArgument: When an argument is malformed (an empty list, a
            datetime instead of a date, ``min_date`` after ``max_date``).
    """
    actor_ids = _check_ids("actors", actors)
    source_ids = _check_ids("sources", sources)
    issue_names = _check_ids("issues", issues)
    kind_list = _check_kinds(kinds)
    low, high = _check_date("min_date", min_date), _check_date("max_date", max_date)
    if low > high:
        raise InvalidArgument(f"min_date={low} is after max_date={high}")
    return _events(actor_ids, source_ids, kind_list, issue_names, low, high)


def _check_kinds(kinds: Iterable[EventKind | str] | None) -> tuple[EventKind, ...]:
    if kinds is None:
        return KINDS
    if isinstance(kinds, str) or not isinstance(kinds, Iterable):
        raise InvalidArgument(f"kinds={kinds!r}: expected a collection of EventKind values")
    try:
        out = tuple(dict.fromkeys(EventKind(k) for k in kinds))
    except ValueError as exc:
        raise InvalidArgument(f"kinds={kinds!r}: {exc} (expected one of {', '.join(KINDS)})") from None
    if not out:
        raise InvalidArgument("kinds=(): expected at least one kind")
    return out


@st.composite
def _events(
    draw: st.DrawFn,
    actor_ids: tuple[str, ...] | None,
    source_ids: tuple[str, ...] | None,
    kinds: tuple[EventKind, ...],
    issue_names: tuple[str, ...] | None,
    low: dt.date,
    high: dt.date,
) -> Event:
    actors = actor_ids or tuple(draw(_unique_ids(draw(_between(1, 3)))))
    sources = source_ids or tuple(draw(_unique_ids(draw(_between(1, 3)))))
    pool = issue_names or tuple(draw(_unique_ids(draw(_between(0, 3)))))
    precision = _pick(draw, _PRECISIONS)
    date = truncate(draw(_dates(low, high)), precision)
    if date < low:  # truncating may step below the bound
        precision, date = DatePrecision.DAY, low
    return _draw_event(
        draw,
        event_id=draw(_ids()),
        date=date,
        precision=precision,
        kind=_pick(draw, kinds),
        actor=_pick(draw, actors),
        targets=actors,
        issues=frozenset(_some(draw, pool)) if pool else frozenset(),
        sources=sources,
        earlier=(),
    )


def _draw_event(
    draw: st.DrawFn,
    *,
    event_id: str,
    date: dt.date,
    precision: DatePrecision,
    kind: EventKind,
    actor: str,
    targets: Sequence[str],
    issues: frozenset[str],
    sources: Sequence[str],
    earlier: Sequence[str],
) -> Event:
    """Draw the fields that do not matter to a machine, around the ones that do."""
    responds_to = _some(draw, earlier) if earlier else []
    reasons: list[str] = []
    if responds_to and bool(draw(_booleans())):
        reasons = [draw(_text()) for _ in responds_to]
    quote = None
    if draw(_booleans()):
        quote = Quote(draw(_nonblank_text()), _pick(draw, sources), speaker=_maybe(draw, _nonblank_text(max_size=20)))
    return Event(
        event_id,
        date,
        date_precision=precision,
        kind=kind,
        actor=actor,
        target=_pick(draw, targets) if draw(_booleans()) else None,
        issues=issues,
        summary=draw(_text()),
        quote=quote,
        responds_to=responds_to,
        link_reasons=reasons,
        sources=_some(draw, sources, min_size=1),
        codes=_maybe(draw, _codes()) or Codes(),
        note=_maybe(draw, _text()) or "",
    )


# -- episodes -----------------------------------------------------------------------


@attrs.frozen
class _Plan:
    """A machine's moves, gaps and walk lengths, worked out once per strategy.

    Attributes:
        moves: Per state, its transitions with the (kind, role, touches red
            line) triples each one takes.
        gaps: Per state, the triples no transition takes (a deviation there).
        conforming: ``conforming[k]``: the states from which ``k`` more events
            can all be taken.
        free: ``free[k]``: the states from which ``k`` more events can be
            drawn at all (every state: an event is either taken or a gap).
        deviating: ``deviating[k]``: the states from which ``k`` more events
            can be drawn with at least one deviation among them.
    """

    moves: dict[str, tuple[tuple[Transition, tuple[tuple[EventKind, Role, bool], ...]], ...]]
    gaps: dict[str, tuple[tuple[EventKind, Role, bool], ...]]
    conforming: list[frozenset[str]]
    free: list[frozenset[str]]
    deviating: list[frozenset[str]]


def _plan(machine: PatternMachine, max_events: int) -> _Plan:
    moves = {
        s: tuple((t, tuple(c for c in CLASS_TRIPLES if t.guard.matches(*c))) for t in machine.transitions_from(s))
        for s in machine.state_names
    }
    gaps = {s: tuple(c for c in CLASS_TRIPLES if machine.step(s, *c) is None) for s in machine.state_names}
    everything = frozenset(machine.state_names)
    conforming = [everything]
    free = [everything]
    deviating: list[frozenset[str]] = [frozenset()]
    for _ in range(max_events):
        conforming.append(frozenset(s for s in everything if any(t.target in conforming[-1] for t, _ in moves[s])))
        free.append(
            frozenset(
                s for s in everything if (gaps[s] and s in free[-1]) or any(t.target in free[-1] for t, _ in moves[s])
            )
        )
        deviating.append(
            frozenset(
                s
                for s in everything
                if (gaps[s] and s in free[-2]) or any(t.target in deviating[-1] for t, _ in moves[s])
            )
        )
    return _Plan(moves=moves, gaps=gaps, conforming=conforming, free=free, deviating=deviating)


def episodes(
    *,
    machine: PatternMachine | None = None,
    conforming: bool | None = None,
    min_events: int = 0,
    max_events: int = MAX_EVENTS,
    red_line: str | None = None,
) -> st.SearchStrategy[Episode]:
    """Return a strategy for valid episodes.

    Every episode declares its actors: the initiator and the respondent
    (states), people who represent them (sometimes through a chain: an envoy
    who speaks for a minister who speaks for a state) and third parties.
    Every event cites declared sources, ids are unique, dates mix day, month
    and year precision, and ``responds_to`` links point only to events dated
    earlier or the same day (compared at the coarser precision, so a
    ``2024-03`` event may answer one of 15 March 2024 and sort before it by
    date alone). With ``conforming=True`` or ``False``, the events come in
    the order the episode keeps them in, so a replay sees them as walked.

    Args:
        machine: Shape the events to this machine: each event is drawn by
            walking the machine's transitions and emitting an event that the
            transition's guard takes (its kind, its actor's role, whether it
            touches the red line), or, where allowed, one that no transition
            from the current state takes.
        conforming: With ``machine``: ``True`` draws episodes whose every
            event the machine takes (a lenient replay has fitness 1.0);
            ``False`` draws episodes with at least one deviation; ``None``
            (the default) mixes both. Needs ``machine``.
        min_events: The fewest events.
        max_events: The most events.
        red_line: The episode's red-line issue (default: a generated name).

    Raises:
        InvalidArgument: When an argument is malformed, or when the machine
            cannot produce an episode of the requested kind and length (for
            ``conforming=False``, a machine that takes every event from every
            state it can reach).

    Examples:
        Episodes that the canonical pattern replays without a deviation,
        and episodes it cannot replay without one:

        ```python
        from hypothesis import given

        import negotiation_model as nm
        from negotiation_model.strategies import episodes

        door_slam = nm.door_slam_pattern()


        @given(episodes(machine=door_slam, conforming=True))
        def test_conforming_episodes_replay_strictly(episode):
            assert door_slam.replay(episode, strict=True).fitness == 1.0


        @given(episodes(machine=door_slam, conforming=False, max_events=5))
        def test_deviating_episodes_have_a_deviation(episode):
            assert door_slam.replay(episode).deviations
        ```
    """
    low = _check_count("min_events", min_events)
    high = _check_count("max_events", max_events)
    if low > high:
        raise InvalidArgument(f"min_events={low} is more than max_events={high}")
    if machine is not None and not isinstance(machine, PatternMachine):
        raise InvalidArgument(f"machine={machine!r}: expected a PatternMachine or None")
    if conforming not in (None, True, False):
        raise InvalidArgument(f"conforming={conforming!r}: expected True, False or None")
    if conforming is not None and machine is None:
        raise InvalidArgument(f"conforming={conforming!r} needs a machine to conform to (pass machine=...)")
    if red_line is not None and (not isinstance(red_line, str) or not red_line.strip()):
        raise InvalidArgument(f"red_line={red_line!r}: expected a non-blank string or None")
    plan = None
    lengths = list(range(low, high + 1))
    if machine is not None:
        plan = _plan(machine, high)
        table = {True: plan.conforming, False: plan.deviating, None: plan.free}[conforming]
        lengths = [n for n in lengths if machine.initial in table[n]]
        if not lengths:
            wanted = {True: "conforming", False: "deviating", None: ""}[conforming]
            raise InvalidArgument(
                f"machine {machine.name!r} cannot produce a {wanted} episode of {low} to {high} events"
                + (" (it takes every event from every state it reaches)" if conforming is False else "")
            )
    return _episodes(machine, plan, conforming, tuple(lengths), red_line)


@st.composite
def _episodes(
    draw: st.DrawFn,
    machine: PatternMachine | None,
    plan: _Plan | None,
    conforming: bool | None,
    lengths: tuple[int, ...],
    red_line: str | None,
) -> Episode:
    red = red_line if red_line is not None else draw(_ids())
    other_issues = tuple(i for i in draw(_unique_ids(draw(_between(0, 3)))) if i != red)
    actors, pools = _draw_actors(draw, third_parties=1 if machine is not None else 0)
    source_ids = draw(_unique_ids(draw(_between(1, 3))))
    sources = {s: _draw_source(draw, s) for s in source_ids}
    n = _pick(draw, lengths)
    if machine is None or plan is None:
        shapes = [(_pick(draw, KINDS), _pick(draw, ROLES), draw(_booleans())) for _ in range(n)]
    else:
        shapes = _walk(draw, machine, plan, conforming, n)
    ids = draw(_unique_ids(n))
    every_actor = tuple(actors)
    events: list[Event] = []
    # A walk that must conform (or deviate) needs the episode to keep the
    # events in the order drawn, so its dates never go back. Otherwise a
    # coarser date may sort before events drawn earlier in its month or year
    # (and answer them): the episode then orders them by its own rules.
    keep_order = conforming is not None
    latest = floor = draw(_dates(MIN_DATE, MAX_DATE))
    # gaps of up to two months, fewer for very long episodes (dates end in 9999)
    widest = max(0, min(60, (_LAST_START - MAX_DATE).days // max(n, 1)))
    for i, (kind, role, touches) in enumerate(shapes):
        day = latest + dt.timedelta(days=draw(_between(0, widest)))
        precision = _pick(draw, _PRECISIONS)
        date = truncate(day, precision)
        if keep_order and date < floor:
            precision, date = DatePrecision.DAY, day
        latest, floor = day, max(floor, date)
        issues = set(_some(draw, other_issues)) if other_issues else set()
        if touches:
            issues.add(red)
        events.append(
            _draw_event(
                draw,
                event_id=ids[i],
                date=date,
                precision=precision,
                kind=kind,
                actor=_pick(draw, pools[role]),
                targets=every_actor,
                issues=frozenset(issues),
                sources=source_ids,
                earlier=[e.id for e in events if _may_answer(date, precision, e)],
            )
        )
    initiator, respondent = pools[Role.INITIATOR][0], pools[Role.RESPONDENT][0]
    notes = [draw(_nonblank_text()) for _ in range(draw(_between(0, 2)))]
    # Passed as one mapping: mypy cannot type Episode's converting fields at the call.
    fields: dict[str, Any] = {
        "id": draw(_ids()),
        "title": draw(_nonblank_text()),
        "summary": draw(_text(max_size=80)),
        "roles": Roles(initiator=initiator, respondent=respondent),
        "red_line": red,
        "actors": actors,
        "sources": sources,
        "events": events,
        "notes": notes,
    }
    return Episode(**fields)


def _may_answer(date: dt.date, precision: DatePrecision, answered: Event) -> bool:
    """Return True when an event of this date may answer ``answered`` (compared at the coarser precision)."""
    coarser = max(precision, answered.date_precision, key=lambda p: p.rank)
    return truncate(date, coarser) >= truncate(answered.date, coarser)


def _draw_actors(draw: st.DrawFn, *, third_parties: int) -> tuple[dict[str, Actor], dict[Role, tuple[str, ...]]]:
    """Draw the actors, and per role the ids of those who act in it (the state first)."""
    counts = {
        Role.INITIATOR: draw(_between(0, 2)),
        Role.RESPONDENT: draw(_between(0, 2)),
        Role.THIRD_PARTY: draw(_between(third_parties, 2)),
    }
    ids = draw(_unique_ids(2 + sum(counts.values())))
    actors: dict[str, Actor] = {}
    pools: dict[Role, list[str]] = {r: [] for r in ROLES}

    def add(role: Role, actor: Actor) -> None:
        actors[actor.id] = actor
        pools[role].append(actor.id)

    for role in (Role.INITIATOR, Role.RESPONDENT):
        state = ids.pop()
        add(role, Actor(state, draw(_nonblank_text(max_size=20)), kind=ActorKind.STATE))
        for _ in range(counts[role]):
            # a person speaks for the state or for someone who already does
            add(
                role,
                Actor(
                    ids.pop(),
                    draw(_nonblank_text(max_size=20)),
                    kind=ActorKind.PERSON,
                    represents=_pick(draw, pools[role]),
                ),
            )
    for _ in range(counts[Role.THIRD_PARTY]):
        speaks_for = (
            _pick(draw, pools[Role.THIRD_PARTY]) if pools[Role.THIRD_PARTY] and bool(draw(_booleans())) else None
        )
        kind = ActorKind.PERSON if speaks_for else _pick(draw, (ActorKind.STATE, ActorKind.ORGANISATION))
        add(Role.THIRD_PARTY, Actor(ids.pop(), draw(_nonblank_text(max_size=20)), kind=kind, represents=speaks_for))
    # everyone may speak, third parties included, when no machine needs them
    return actors, {r: tuple(p) if p else tuple(actors) for r, p in pools.items()}


def _draw_source(draw: st.DrawFn, source_id: str) -> Source:
    title = _maybe(draw, _nonblank_text())
    path = _maybe(draw, _ids()) if title else source_id  # a source needs a title or a url
    url = None if path is None else f"https://example.org/{path}"
    date = None
    if draw(_booleans()):
        date = date_text(draw(_dates(MIN_DATE, MAX_DATE)), _pick(draw, _PRECISIONS))
    return Source(
        source_id,
        title,
        url=url,
        author=_maybe(draw, _nonblank_text(max_size=20)),
        publisher=_maybe(draw, _nonblank_text(max_size=20)),
        date=date,
    )


def _walk(
    draw: st.DrawFn, machine: PatternMachine, plan: _Plan, conforming: bool | None, n: int
) -> list[tuple[EventKind, Role, bool]]:
    """Draw ``n`` event shapes (kind, role, touches red line) by walking the machine."""
    state = machine.initial
    need_deviation = conforming is False
    out: list[tuple[EventKind, Role, bool]] = []
    for remaining in range(n, 0, -1):
        # every option keeps the rest of the walk possible
        if conforming is True:
            moves = [(t, c) for t, c in plan.moves[state] if t.target in plan.conforming[remaining - 1]]
            may_deviate = False
        elif need_deviation:
            moves = [(t, c) for t, c in plan.moves[state] if t.target in plan.deviating[remaining - 1]]
            may_deviate = bool(plan.gaps[state]) and state in plan.free[remaining - 1]
        else:
            moves = [(t, c) for t, c in plan.moves[state] if t.target in plan.free[remaining - 1]]
            may_deviate = bool(plan.gaps[state])
        choice = draw(_between(0, len(moves) - (0 if may_deviate else 1)))
        if choice == len(moves):
            out.append(_pick(draw, plan.gaps[state]))
            need_deviation = False
        else:
            transition, shapes = moves[choice]
            out.append(_pick(draw, shapes))
            state = transition.target
    return out


# -- pattern machines -------------------------------------------------------------------


def pattern_machines(*, min_states: int = 2, max_states: int = 6) -> st.SearchStrategy[PatternMachine]:
    """Return a strategy for valid, deterministic pattern machines.

    Every machine passes :class:`~negotiation_model.PatternMachine`'s checks:
    every state is reachable from the initial one, every state that is not
    an outcome has a way out, and no two transitions leaving a state can
    take the same event (their guards' kinds are disjoint). Guards restrict
    roles and the red line at random, so most states leave some events
    untaken (deviations are possible). Some machines name a ``cycle``.

    Args:
        min_states: The fewest states (at least 1).
        max_states: The most states (at most 10).

    Raises:
        InvalidArgument: When the bounds are out of range or crossed.

    Examples:
        Check that an analysis of machines holds for any machine:

        ```python
        from hypothesis import given

        import negotiation_model as nm
        from negotiation_model.strategies import pattern_machines


        @given(pattern_machines(max_states=4))
        def test_every_state_is_reachable(machine):
            assert nm.reachable_states(machine) == set(machine.state_names)
        ```
    """
    low = _check_count("min_states", min_states, low=1)
    high = _check_count("max_states", max_states, low=1)
    if high > MAX_STATES:
        raise InvalidArgument(f"max_states={high}: at most {MAX_STATES} states are supported")
    if low > high:
        raise InvalidArgument(f"min_states={low} is more than max_states={high}")
    return _pattern_machines(low, high)


@st.composite
def _pattern_machines(draw: st.DrawFn, low: int, high: int) -> PatternMachine:
    n = draw(_between(low, high))
    names = draw(_unique_ids(n))
    outcome = [draw(_booleans()) for _ in names] if n > 1 else [True]
    edges: list[tuple[int, int]] = []
    for i in range(1, n):  # a spanning tree from the initial state: everything is reachable
        edges.append((draw(_between(0, i - 1)), i))
    for i in range(n):  # a way out of every state that is not an outcome
        if not outcome[i] and not any(a == i and b != i for a, b in edges):
            other = draw(_between(0, n - 2))
            edges.append((i, other if other < i else other + 1))
    edges += [(draw(_between(0, n - 1)), draw(_between(0, n - 1))) for _ in range(draw(_between(0, n + 2)))]
    transitions: list[Transition] = []
    for source in range(n):
        targets = [b for a, b in edges if a == source][: len(KINDS)]
        if not targets:
            continue
        # disjoint kinds per transition keep the machine deterministic
        kinds = draw(_permutations())
        cuts = sorted(
            1 + i for i in _some(draw, range(len(KINDS) - 1), min_size=len(targets) - 1, max_size=len(targets) - 1)
        )
        chunks = [kinds[a:b] for a, b in zip([0, *cuts], [*cuts, len(KINDS)], strict=True)]
        labels = draw(_unique_ids(len(targets), max_size=8))
        for target, chunk, label in zip(targets, chunks, labels, strict=True):
            guard = Guard(
                kinds=_some(draw, chunk, min_size=1, max_size=len(chunk)),
                roles=_some(draw, ROLES, max_size=len(ROLES)),
                red_line=_pick(draw, (None, True, False)),
            )
            transitions.append(
                Transition(names[source], names[target], label, guard=guard, description=draw(_text(max_size=20)))
            )
    all_labels = sorted({t.label for t in transitions})
    cycle = [_pick(draw, all_labels) for _ in range(draw(_between(0, 4)))] if all_labels else []
    states = [State(name, draw(_text(max_size=20)), outcome=o) for name, o in zip(names, outcome, strict=True)]
    # Passed as one mapping: mypy cannot type PatternMachine's converting fields at the call.
    fields: dict[str, Any] = {
        "name": draw(_ids()),
        "description": draw(_text()),
        "states": states,
        "initial": names[0],
        "transitions": transitions,
        "cycle": cycle,
    }
    return PatternMachine(**fields)
