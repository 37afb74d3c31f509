"""Tests for the hypothesis strategies (negotiation_model.strategies) and their registration."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import negotiation_model as nm
from negotiation_model import strategies
from negotiation_model.machine import KINDS, ROLES
from negotiation_model.strategies import episodes, events, pattern_machines

MACHINE = nm.door_slam_pattern()
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: find() stops at the first example found (shrinking whole episodes would take minutes); no
#: database, so one run cannot leak into the next.
SEARCH = settings(
    max_examples=2000,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def run_python(code: str) -> str:
    """Run code in a fresh interpreter (so nothing imported here leaks in) and return its output."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# -- packaging and registration -----------------------------------------------------------


def test_importing_the_package_does_not_import_hypothesis() -> None:
    """Hypothesis is optional: import negotiation_model (and use it) without loading hypothesis."""
    out = run_python(
        """
        import sys
        import negotiation_model as nm
        nm.door_slam_pattern().replay(nm.load_episode("japan-dprk-2023-24"))
        print("hypothesis" in sys.modules, "negotiation_model.strategies" in sys.modules)
        """
    )
    assert out == "False False"


def test_strategies_are_not_reexported_at_the_package_root() -> None:
    """The strategies live in negotiation_model.strategies only."""
    for name in strategies.__all__:
        assert name not in nm.__all__
        assert getattr(nm, name, None) is not getattr(strategies, name)  # nm.events is the events module


def test_the_hypothesis_entry_point_names_the_setup_hook() -> None:
    """The installed package declares the hook hypothesis runs on import."""
    hooks = {ep.value for ep in importlib.metadata.entry_points(group="hypothesis")}
    assert "negotiation_model.strategies:_hypothesis_setup_hook" in hooks


@pytest.mark.parametrize(
    "first_import",
    ["import hypothesis", "from negotiation_model.strategies import episodes"],
    ids=["hypothesis-first", "strategies-first"],
)
def test_from_type_works_whichever_module_is_imported_first(first_import: str) -> None:
    """st.from_type resolves Event, Episode and PatternMachine, whether hypothesis or our module loads first."""
    out = run_python(
        f"""
        {first_import}
        from hypothesis import Phase, find, settings, strategies as st
        import negotiation_model as nm
        once = settings(phases=[Phase.generate], database=None)
        for cls in (nm.Event, nm.Episode, nm.PatternMachine):
            print(type(find(st.from_type(cls), lambda x: True, settings=once)).__name__)
        """
    )
    assert out.split() == ["Event", "Episode", "PatternMachine"]


@QUICK
@given(event=st.from_type(nm.Event), episode=st.from_type(nm.Episode), machine=st.from_type(nm.PatternMachine))
def test_from_type_draws_valid_records(event: nm.Event, episode: nm.Episode, machine: nm.PatternMachine) -> None:
    """The registered strategies give records of the right types that replay without error."""
    assert isinstance(event, nm.Event)
    assert event.sources
    assert isinstance(episode, nm.Episode)
    assert isinstance(machine, nm.PatternMachine)
    assert machine.replay(episode).final_state in machine.state_names


# -- arguments are checked when the strategy is built ------------------------------------------

ALWAYS = nm.PatternMachine(
    name="always",
    states=[nm.State("open", outcome=True)],
    initial="open",
    transitions=[nm.Transition("open", "open", "anything")],
)
STUCK = nm.PatternMachine(name="stuck", states=[nm.State("end", outcome=True)], initial="end", transitions=[])

BAD_ARGUMENTS: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
    (events, {"actors": []}, "actors"),
    (events, {"actors": "JPN"}, "actors"),
    (events, {"actors": ["JPN", "JPN"]}, "twice"),
    (events, {"sources": [""]}, "sources"),
    (events, {"kinds": ["ofer"]}, "kinds"),
    (events, {"kinds": []}, "kinds"),
    (events, {"min_date": dt.datetime(2024, 1, 1)}, "min_date"),
    (events, {"min_date": dt.date(2025, 1, 1), "max_date": dt.date(2024, 1, 1)}, "after"),
    (episodes, {"min_events": -1}, "min_events"),
    (episodes, {"max_events": 2.5}, "max_events"),
    (episodes, {"min_events": 5, "max_events": 2}, "more than"),
    (episodes, {"conforming": True}, "needs a machine"),
    (episodes, {"machine": "door-slam"}, "PatternMachine"),
    (episodes, {"machine": MACHINE, "conforming": "yes"}, "conforming"),
    (episodes, {"red_line": "  "}, "red_line"),
    (episodes, {"machine": ALWAYS, "conforming": False}, "takes every event"),
    (episodes, {"machine": STUCK, "conforming": True, "min_events": 1}, "cannot produce"),
    (pattern_machines, {"min_states": 0}, "min_states"),
    (pattern_machines, {"max_states": 11}, "at most"),
    (pattern_machines, {"min_states": 4, "max_states": 3}, "more than"),
    (pattern_machines, {"min_states": True}, "min_states"),
]


@pytest.mark.parametrize(("factory", "kwargs", "words"), BAD_ARGUMENTS)
def test_bad_arguments_raise_invalid_argument_when_the_strategy_is_built(
    factory: Callable[..., Any], kwargs: dict[str, Any], words: str
) -> None:
    """Each bad argument raises InvalidArgument (a TypeError) at the call, naming the problem, before any draw."""
    with pytest.raises(InvalidArgument, match=re.escape(words)) as info:
        factory(**kwargs)
    assert isinstance(info.value, TypeError)


def test_options_are_keyword_only() -> None:
    """Positional options are refused (the API style of hypothesis strategies)."""
    with pytest.raises(TypeError):
        episodes(MACHINE)  # type: ignore[misc]
    with pytest.raises(TypeError):
        pattern_machines(2)  # type: ignore[misc]


# -- what the strategies draw -------------------------------------------------------------------

LOW, HIGH = dt.date(2023, 5, 1), dt.date(2024, 4, 30)


@QUICK
@given(
    event=events(
        actors=["JPN", "PRK"], sources=["asmolov-2024"], kinds=["offer", "precondition"], min_date=LOW, max_date=HIGH
    )
)
def test_events_keep_to_their_options(event: nm.Event) -> None:
    """Actors, targets, sources, quotes, kinds and dates come from the options given."""
    assert event.actor in {"JPN", "PRK"}
    assert event.target in {None, "JPN", "PRK"}
    assert event.sources == ("asmolov-2024",)
    assert event.quote is None or event.quote.source == "asmolov-2024"
    assert event.kind in {nm.EventKind.OFFER, nm.EventKind.PRECONDITION}
    start, end = event.date_span
    assert LOW <= event.date <= HIGH
    assert start == event.date and end >= start
    assert event.responds_to == ()


@QUICK
@given(episode=episodes(min_events=2, max_events=5, red_line="abductees"))
def test_episodes_keep_to_their_size_and_red_line(episode: nm.Episode) -> None:
    """Episodes have between min_events and max_events events and the red line asked for."""
    assert 2 <= len(episode) <= 5
    assert episode.red_line == "abductees"
    assert len(set(episode.event_ids)) == len(episode)
    assert episode.role_of(episode.roles.initiator) is nm.Role.INITIATOR
    assert episode.role_of(episode.roles.respondent) is nm.Role.RESPONDENT


def _has_envoy_chain(episode: nm.Episode) -> bool:
    """Return True when someone represents someone who represents a state of the dyad."""
    actors = episode.actors
    return any(
        a.represents in actors
        and actors[a.represents].represents in (episode.roles.initiator, episode.roles.respondent)
        for a in actors.values()
    )


def _answers_coarser_later_day(episode: nm.Episode) -> bool:
    """Return True when a month- or year-precision event answers one dated later by its first day."""
    by_id = {e.id: e for e in episode.events}
    return any(by_id[r].date > e.date for e in episode.events for r in e.responds_to)


FEATURES: dict[str, Callable[[nm.Episode], bool]] = {
    "a person represents the initiator": lambda ep: any(
        a.kind is nm.ActorKind.PERSON and a.represents == ep.roles.initiator for a in ep.actors.values()
    ),
    "an envoy speaks for someone who speaks for a state": _has_envoy_chain,
    "a third party acts": lambda ep: any(ep.role_of(e.actor) is nm.Role.THIRD_PARTY for e in ep.events),
    "day, month and year precision together": lambda ep: len({e.date_precision for e in ep.events}) == 3,
    "an answer dated the same day": lambda ep: any(
        ep.event(r).date == e.date for e in ep.events for r in e.responds_to
    ),
    "an answer dated before what it answers, by first day": _answers_coarser_later_day,
    "a link with a reason": lambda ep: any(e.link_reasons for e in ep.events),
    "a quotation": lambda ep: any(e.quote is not None for e in ep.events),
    "a red-line event": lambda ep: any(ep.touches_red_line(e) for e in ep.events),
    "non-ASCII text": lambda ep: not ep.title.isascii(),
}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_episodes_can_show_each_awkward_feature(feature: str) -> None:
    """The strategy reaches the cases analyses get wrong: chains of representation, mixed precisions, links."""
    found = find(episodes(), FEATURES[feature], settings=SEARCH)
    assert FEATURES[feature](found)


@QUICK
@given(episode=episodes(machine=MACHINE, conforming=True, min_events=1))
def test_conforming_episodes_follow_the_machine(episode: nm.Episode) -> None:
    """Every event of a conforming episode is taken, so a strict replay succeeds."""
    assert MACHINE.replay(episode, strict=True).fitness == 1.0


def test_conforming_episodes_reach_every_state_of_the_machine() -> None:
    """Walking the machine, the strategy gets to every state, outcomes included."""
    for state in MACHINE.state_names:
        found = find(
            episodes(machine=MACHINE, conforming=True, max_events=8),
            lambda ep, s=state: MACHINE.replay(ep).final_state == s,
            settings=SEARCH,
        )
        assert MACHINE.replay(found).final_state == state


def test_deviating_episodes_can_deviate_anywhere() -> None:
    """A deviation can come after conforming steps, not only at the start."""
    found = find(
        episodes(machine=MACHINE, conforming=False),
        lambda ep: MACHINE.replay(ep).deviations[0].index >= 2,
        settings=SEARCH,
    )
    assert MACHINE.replay(found).deviations[0].index >= 2


@QUICK
@given(machine=pattern_machines(min_states=3, max_states=5))
def test_pattern_machines_are_valid_and_deterministic(machine: nm.PatternMachine) -> None:
    """Generated machines have the states asked for, all reachable, and at most one transition per event."""
    assert 3 <= len(machine.states) <= 5
    assert nm.reachable_states(machine) == frozenset(machine.state_names)
    for state in machine.state_names:
        leaving = machine.transitions_from(state)
        for kind in KINDS:
            for role in ROLES:
                for red in (False, True):
                    assert sum(t.guard.matches(kind, role, red) for t in leaving) <= 1
        if not machine.state(state).outcome:
            assert any(t.target != state for t in leaving)


def test_pattern_machines_can_have_cycles_and_gaps() -> None:
    """Some machines name a cycle and leave some events untaken (so deviations are possible)."""
    found = find(
        pattern_machines(),
        lambda m: (
            bool(m.cycle) and any(m.step(m.initial, k, r, t) is None for k in KINDS for r in ROLES for t in (0, 1))
        ),
        settings=SEARCH,
    )
    assert found.cycle


# -- the documented examples run -------------------------------------------------------------


def _fenced_blocks(docstring: str | None) -> list[str]:
    """Return the ```python blocks of a docstring, dedented."""
    return [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", docstring or "", re.S)]


@pytest.mark.parametrize("obj", [strategies, episodes, pattern_machines], ids=lambda o: o.__name__)
def test_docstring_examples_run(obj: Any) -> None:
    """Each fenced example in the docs defines property tests; they pass."""
    blocks = _fenced_blocks(obj.__doc__)
    assert blocks
    for block in blocks:
        namespace: dict[str, Any] = {}
        exec(compile(block, f"<{obj.__name__} docstring>", "exec"), namespace)
        tests = [f for name, f in namespace.items() if name.startswith("test_")]
        assert tests
        for test in tests:
            test = settings(max_examples=15, deadline=None)(test)
            test()
