"""Property tests: rules that hold for every valid episode and machine, checked on generated ones.

The inputs come from negotiation_model.strategies (and, to prove the entry
point registration, from st.from_type). Each test is named for its rule.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiation_model as nm
from negotiation_model.events import not_before
from negotiation_model.strategies import episodes, events, pattern_machines

MACHINE = nm.door_slam_pattern()

#: Replays are cheap; file round trips and machine builds cost more.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A directory for saved files, shared by a test's examples."""
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


# -- file round trips ------------------------------------------------------------------------


@SLOW
@given(episode=st.from_type(nm.Episode))
def test_yaml_round_trip_gives_back_the_episode(scratch: Path, episode: nm.Episode) -> None:
    """load_episode(save_episode(ep, "x.yaml")) == ep, unicode text and mixed date precisions included."""
    assert nm.load_episode(nm.save_episode(episode, scratch / "ep.yaml")) == episode


@SLOW
@given(episode=episodes(machine=MACHINE))
def test_json_round_trip_gives_back_the_episode(scratch: Path, episode: nm.Episode) -> None:
    """load_episode(save_episode(ep, "x.json")) == ep."""
    assert nm.load_episode(nm.save_episode(episode, scratch / "ep.json")) == episode


@FAST
@given(machine=pattern_machines())
def test_machine_dict_round_trip_gives_back_the_machine(machine: nm.PatternMachine) -> None:
    """PatternMachine.from_dict(m.to_dict()) == m."""
    assert nm.PatternMachine.from_dict(machine.to_dict()) == machine


# -- replay ----------------------------------------------------------------------------------

#: A machine and an episode drawn for it (conforming, deviating or mixed).
machine_and_episode = st.one_of(
    st.tuples(st.just(MACHINE), episodes(machine=MACHINE)),
    st.tuples(st.just(MACHINE), episodes(machine=MACHINE, conforming=False)),
    st.tuples(st.just(MACHINE), episodes()),
    pattern_machines().flatmap(lambda m: st.tuples(st.just(m), episodes(machine=m))),
)


@FAST
@given(case=machine_and_episode)
def test_lenient_replay_never_raises(case: tuple[nm.PatternMachine, nm.Episode]) -> None:
    """A lenient replay takes any valid episode: one step per event, ending in a state of the machine."""
    machine, episode = case
    trace = machine.replay(episode)
    assert len(trace.steps) == len(episode.events)
    assert trace.final_state in machine.state_names


@FAST
@given(case=machine_and_episode)
def test_strict_replay_raises_at_the_first_lenient_deviation(case: tuple[nm.PatternMachine, nm.Episode]) -> None:
    """Strict mode raises ReplayError at the index of lenient mode's first deviation, carrying event and state."""
    machine, episode = case
    lenient = machine.replay(episode)
    if not lenient.deviations:
        assert machine.replay(episode, strict=True).final_state == lenient.final_state
        return
    first = lenient.deviations[0]
    with pytest.raises(nm.ReplayError) as info:
        machine.replay(episode, strict=True)
    assert info.value.index == first.index
    assert info.value.event == episode.events[first.index]
    assert info.value.state == lenient.steps[first.index].source
    assert all(step.conforms for step in lenient.steps[: first.index])


@FAST
@given(case=machine_and_episode)
def test_fitness_is_the_share_of_conforming_events(case: tuple[nm.PatternMachine, nm.Episode]) -> None:
    """Fitness lies in [0, 1] and equals the share of events some transition took."""
    machine, episode = case
    trace = machine.replay(episode)
    assert 0.0 <= trace.fitness <= 1.0
    if episode.events:
        conforming = sum(step.conforms for step in trace.steps)
        assert trace.fitness == pytest.approx(conforming / len(episode.events))
        assert len(trace.deviations) == len(episode.events) - conforming


@FAST
@given(case=machine_and_episode)
def test_replay_never_leaves_the_graph(case: tuple[nm.PatternMachine, nm.Episode]) -> None:
    """Each conforming step follows an edge of machine.graph; a deviation keeps the state."""
    machine, episode = case
    trace = machine.replay(episode)
    graph = machine.graph
    state = machine.initial
    for step in trace.steps:
        assert step.source == state
        if step.conforms:
            assert step.transition is not None
            assert graph.has_edge(step.source, step.target, key=step.transition.label)
        else:
            assert step.transition is None
            assert step.target == step.source
        state = step.target
    assert state == trace.final_state


@FAST
@given(episode=episodes(machine=MACHINE, conforming=True))
def test_conforming_episodes_have_fitness_one(episode: nm.Episode) -> None:
    """Episodes drawn with conforming=True replay without a deviation on the canonical machine."""
    trace = MACHINE.replay(episode, strict=True)
    assert trace.fitness == 1.0
    assert not trace.deviations


@FAST
@given(
    case=pattern_machines().flatmap(lambda m: st.tuples(st.just(m), episodes(machine=m, conforming=True, min_events=1)))
)
def test_conforming_episodes_have_fitness_one_on_any_machine(case: tuple[nm.PatternMachine, nm.Episode]) -> None:
    """Episodes drawn with conforming=True conform to generated machines too."""
    machine, episode = case
    assert machine.replay(episode).fitness == 1.0


@FAST
@given(episode=episodes(machine=MACHINE, conforming=False))
def test_deviating_episodes_have_a_deviation(episode: nm.Episode) -> None:
    """Episodes drawn with conforming=False have at least one event the machine does not take."""
    trace = MACHINE.replay(episode)
    assert trace.deviations
    assert trace.fitness < 1.0


# -- counterfactual edits -----------------------------------------------------------------------


def answers_closure(episode: nm.Episode, dropped: set[str]) -> set[str]:
    """Return dropped plus every event that answers one of them, transitively (a plain fixpoint)."""
    out = set(dropped)
    grew = True
    while grew:
        grew = False
        for event in episode.events:
            if event.id not in out and any(r in out for r in event.responds_to):
                out.add(event.id)
                grew = True
    return out


@st.composite
def episode_and_ids(draw: st.DrawFn) -> tuple[nm.Episode, list[str]]:
    """Draw an episode with at least one event and some of its event ids."""
    episode = draw(episodes(min_events=1, max_events=12))
    ids = draw(st.lists(st.sampled_from(episode.event_ids), max_size=4, unique=True))
    return episode, ids


@FAST
@given(case=episode_and_ids(), cascade=st.booleans())
def test_without_never_adds_events(case: tuple[nm.Episode, list[str]], cascade: bool) -> None:
    """An episode without some events has a subset of the events, in the same order, links only to survivors."""
    episode, ids = case
    smaller = episode.without(*ids, cascade=cascade)
    assert set(smaller.event_ids) <= set(episode.event_ids) - set(ids)
    order = [i for i in episode.event_ids if i in set(smaller.event_ids)]
    assert list(smaller.event_ids) == order
    survivors = set(smaller.event_ids)
    assert all(r in survivors for e in smaller.events for r in e.responds_to)


@FAST
@given(case=episode_and_ids())
def test_cascade_drops_exactly_the_answer_closure(case: tuple[nm.Episode, list[str]]) -> None:
    """With cascade=True the dropped events are the given ones and everything answering them, transitively."""
    episode, ids = case
    smaller = episode.without(*ids, cascade=True)
    assert set(episode.event_ids) - set(smaller.event_ids) == answers_closure(episode, set(ids))


@FAST
@given(case=episode_and_ids())
def test_without_cascade_drops_only_the_given_events(case: tuple[nm.Episode, list[str]]) -> None:
    """Without cascade, exactly the given events go; their answers stay and lose the links to them."""
    episode, ids = case
    smaller = episode.without(*ids)
    assert set(episode.event_ids) - set(smaller.event_ids) == set(ids)
    for event in smaller.events:
        before = episode.event(event.id)
        assert event.responds_to == tuple(r for r in before.responds_to if r not in set(ids))


@FAST
@given(case=episode_and_ids(), cascade=st.booleans(), kind=st.sampled_from(nm.EventKind))
def test_edits_leave_the_original_untouched(
    case: tuple[nm.Episode, list[str]], cascade: bool, kind: nm.EventKind
) -> None:
    """without (by id or predicate) and replace return new episodes; the original stays equal to a copy."""
    episode, ids = case
    copy = pickle.loads(pickle.dumps(episode))
    episode.without(*ids, cascade=cascade)
    episode.without(where=lambda e: e.kind is kind, cascade=cascade)
    episode.replace(episode.events[0].id, summary="changed")
    assert episode == copy
    assert [e.responds_to for e in episode.events] == [e.responds_to for e in copy.events]


@st.composite
def episode_and_new_events(draw: st.DrawFn) -> tuple[nm.Episode, list[nm.Event]]:
    """Draw an episode and events to insert: declared actors and sources, fresh ids, links to earlier events."""
    episode = draw(episodes(max_events=8))
    known = set(episode.event_ids)
    new = draw(
        st.lists(
            events(actors=list(episode.actors), sources=list(episode.sources)).filter(lambda e: e.id not in known),
            min_size=1,
            max_size=3,
            unique_by=lambda e: e.id,
        )
    )
    linked = []
    for event in new:
        answerable = [e.id for e in episode.events if not_before(event, e)]
        links = draw(st.lists(st.sampled_from(answerable), max_size=2, unique=True)) if answerable else []
        linked.append(attrs.evolve(event, responds_to=links, link_reasons=()))
    return episode, linked


@FAST
@given(case=episode_and_new_events())
def test_insert_then_without_gives_back_the_original(case: tuple[nm.Episode, list[nm.Event]]) -> None:
    """Inserting events and then dropping the same ids returns an episode equal to the original."""
    episode, new = case
    bigger = episode.insert(*new)
    assert len(bigger) == len(episode) + len(new)
    assert set(bigger.event_ids) == set(episode.event_ids) | {e.id for e in new}
    assert bigger.without(*(e.id for e in new)) == episode


def answers_follow_what_they_answer(episode: nm.Episode) -> bool:
    """Return True when every event comes after the events it responds to."""
    position = {eid: i for i, eid in enumerate(episode.event_ids)}
    return all(position[r] < position[e.id] for e in episode.events for r in e.responds_to)


@FAST
@given(episode=episodes(min_events=1), data=st.data())
def test_time_order_never_puts_an_answer_first(episode: nm.Episode, data: st.DataObject) -> None:
    """Built from its events in any order, an episode puts answers after what they answer; rebuilding keeps it."""
    assert answers_follow_what_they_answer(episode)
    assert attrs.evolve(episode, events=episode.events).event_ids == episode.event_ids
    rebuilt = attrs.evolve(episode, events=data.draw(st.permutations(episode.events)))
    assert answers_follow_what_they_answer(rebuilt)
    assert sorted(rebuilt.event_ids) == sorted(episode.event_ids)
