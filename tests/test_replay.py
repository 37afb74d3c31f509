"""Tests for replay and traces, on hand-built and bundled episodes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import negotiation_model as nm


def red_line_statements(ep: nm.Episode):  # type: ignore[no-untyped-def]
    """Return a predicate for the initiator's statements that raise the red line."""
    return lambda e: (
        e.kind is nm.EventKind.ISSUE_RAISED and ep.touches_red_line(e) and ep.role_of(e.actor) is nm.Role.INITIATOR
    )


def test_minimal_episode_completes_one_cycle(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """offer, precondition, red line raised, door slammed: one cycle, fitness 1, every state on the road."""
    trace = machine.replay(minimal)
    assert trace.final_state == "door_slammed"
    assert trace.fitness == 1.0
    assert trace.path == ("dormant", "overture", "conditional", "provoked", "door_slammed")
    assert trace.visited == trace.path
    (cycle,) = trace.cycles
    assert [e.id for e in cycle.events] == ["offer", "condition", "raise", "slam"]
    assert cycle.start.id == "offer" and cycle.end.id == "slam"


def test_steps_record_source_target_transition_and_conformance(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """Each step says where the machine was, where it went, by which transition."""
    trace = machine.replay(minimal)
    steps = list(trace.steps)
    assert len(steps) == len(trace.steps) == 4
    assert steps[2].source == "conditional" and steps[2].target == "provoked"
    assert steps[2].transition is not None and steps[2].transition.label == "raise_red_line"
    assert all(s.conforms for s in steps)
    assert trace.steps[-1] == steps[-1]
    assert trace.steps[1:3] == steps[1:3]
    with pytest.raises(IndexError):
        trace.steps[4]
    assert trace.conforms.tolist() == [True] * 4


def test_deviation_keeps_the_state_and_is_explained(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """A sanction during talks has no transition: recorded, state kept, explanation names state and expectations."""
    sanction = nm.Event("sanction", dt.date(2024, 1, 20), kind="sanction", actor="A", sources=["s1"])
    trace = machine.replay(minimal.insert(sanction))
    (dev,) = trace.deviations
    assert dev.event.id == "sanction"
    assert dev.state == "conditional"
    assert dev.role is nm.Role.INITIATOR
    assert any("raise_red_line" in x for x in dev.expected)
    assert "no transition from 'conditional'" in dev.explanation
    step = trace.steps[dev.index]
    assert not step.conforms and step.source == step.target == "conditional" and step.transition is None
    assert trace.fitness == pytest.approx(4 / 5)
    assert trace.final_state == "door_slammed"


def test_strict_replay_raises_at_the_first_deviation(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """strict=True raises ReplayError carrying the event, state and index of lenient replay's first deviation."""
    ep = minimal.insert(
        nm.Event("s1", dt.date(2024, 1, 20), kind="sanction", actor="A", sources=["s1"]),
        nm.Event("s2", dt.date(2024, 1, 25), kind="sanction", actor="A", sources=["s1"]),
    )
    first = machine.replay(ep).deviations[0]
    with pytest.raises(nm.ReplayError) as info:
        machine.replay(ep, strict=True)
    err = info.value
    assert (err.event, err.state, err.index) == (first.event, first.state, first.index)
    assert err.expected == first.expected
    assert isinstance(err, nm.NegotiationModelError)
    assert machine.replay(minimal, strict=True).fitness == 1.0


def test_empty_episode_replays_to_the_initial_state(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """An episode with no events stays in the initial state with fitness 1."""
    empty = minimal.without(*minimal.event_ids)
    trace = machine.replay(empty)
    assert trace.final_state == "dormant"
    assert trace.fitness == 1.0
    assert trace.cycles == () and trace.deviations == ()
    assert trace.visited == ("dormant",)


def test_a_new_offer_restarts_the_cycle(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """Only the latest offer counts: an offer after provocation starts the cycle again."""
    extra = [
        nm.Event("offer2", dt.date(2024, 3, 1), kind="offer", actor="A", sources=["s1"]),
        nm.Event("cond2", dt.date(2024, 3, 2), kind="precondition", actor="B", sources=["s1"]),
        nm.Event("raise2", dt.date(2024, 3, 3), kind="issue_raised", actor="A", issues=["hostages"], sources=["s1"]),
        nm.Event("slam2", dt.date(2024, 3, 4), kind="door_slammed", actor="B", sources=["s1"]),
    ]
    trace = machine.replay(minimal.insert(*extra))
    assert [c.start.id for c in trace.cycles] == ["offer", "offer2"]


def test_trace_exports(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """The trace renders as a text table, a mermaid diagram with the path highlighted, and plain data."""
    trace = machine.replay(minimal)
    table = trace.to_table()
    assert "raise_red_line" in table and "final state: door_slammed" in table
    mermaid = trace.to_mermaid()
    assert mermaid.startswith("stateDiagram-v2")
    assert "class door_slammed final" in mermaid
    assert "steps 2" in mermaid
    data = trace.to_dict()
    assert data["final_state"] == "door_slammed"
    assert [s["transition"] for s in data["steps"]] == ["offer", "precondition", "raise_red_line", "slam_door"]
    assert "fitness=1.000" in repr(trace)


def test_trace_arrays_are_read_only(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """The compact arrays behind a trace cannot be changed in place."""
    trace = machine.replay(minimal)
    with pytest.raises(ValueError):
        trace.transition_indices[0] = 3
    assert trace.state_indices.dtype == np.int16
    assert len(trace.state_indices) == len(minimal) + 1


def test_replay_2023_24_ends_with_the_door_slammed(machine: nm.PatternMachine) -> None:
    """2023-24 ends in door_slammed with a completed cycle, from Kishida's offer to Kim Yo Jong's 26 March slam."""
    trace = machine.replay(nm.load_episode("japan-dprk-2023-24"))
    assert trace.final_state == "door_slammed"
    assert len(trace.cycles) >= 1
    cycle = trace.cycles[0]
    assert cycle.start.id == "kishida-offer-2023-05-27"
    assert cycle.end.id == "kim-yo-jong-2024-03-26"
    assert trace.fitness >= 0.9


def test_replay_2002_reaches_the_summit_and_stalls_provoked(machine: nm.PatternMachine) -> None:
    """2002 visits summit; the Kuala Lumpur round ended in a stall, not a refusal, so it ends in provoked.

    The sources (Japan Times, 31 Oct 2002) report that Pyongyang proposed another
    round and Tokyo deferred it: nobody refused contact. The design expected
    door_slammed here; the data say stall, and the data are not bent to the model.
    """
    trace = machine.replay(nm.load_episode("japan-dprk-2002"))
    assert "summit" in trace.visited
    assert trace.final_state == "provoked"
    assert any(s.transition is not None and s.transition.label == "concede" for s in trace.steps)


@pytest.mark.parametrize("episode_id", nm.list_episodes())
def test_every_bundled_episode_replays_with_its_deviations_explained(
    machine: nm.PatternMachine, episode_id: str
) -> None:
    """Every bundled episode replays with fitness at least 0.9 and an explanation for each deviation."""
    trace = machine.replay(nm.load_episode(episode_id))
    assert trace.fitness >= 0.9
    for d in trace.deviations:
        assert d.event.id in d.explanation and d.state in d.explanation and d.expected


def test_counterfactual_without_red_line_statements_loses_the_cycle(machine: nm.PatternMachine) -> None:
    """Without Tokyo's red-line statements (cascade), 2023-24 never reaches provoked and completes no cycle.

    Kim Yo Jong's 26 March slam answers Hayashi's 25 March statement, so it goes
    with it. The door still closes on 29 March: Choe Son Hui and Ambassador Ri
    answered Tokyo's approaches of 28 March (a press conference and an embassy
    e-mail), which are not red-line statements. That is a refusal before any
    provocation (transition ``refuse``), not the pattern's slam.
    """
    ep = nm.load_episode("japan-dprk-2023-24")
    cf = ep.without(where=red_line_statements(ep), cascade=True)
    dropped = set(ep.event_ids) - set(cf.event_ids)
    assert {"hayashi-2024-02-16", "hayashi-2024-03-25", "kim-yo-jong-2024-03-26"} <= dropped
    history, alternative = machine.replay(ep), machine.replay(cf)
    assert "provoked" not in alternative.visited
    assert alternative.cycles == ()
    closing = [s for s in alternative.steps if s.source != s.target and s.target == "door_slammed"]
    assert [s.transition.label for s in closing if s.transition] == ["refuse"]
    comparison = nm.compare(history, alternative)
    assert comparison.first_divergence is not None
    assert comparison.first_divergence[0] == "hayashi-2024-02-16"
    assert "provoked" in comparison.only_in_a


def test_counterfactual_without_the_red_line_and_the_later_approaches_stops_short(machine: nm.PatternMachine) -> None:
    """Drop Tokyo's red-line statements and its 28 March approaches (cascade): the replay stops short."""
    ep = nm.load_episode("japan-dprk-2023-24")
    approaches = ("kishida-willing-2024-03-28", "jpn-embassy-contact-2024-03-28")
    cf = ep.without(*approaches, where=red_line_statements(ep), cascade=True)
    trace = machine.replay(cf)
    assert trace.final_state == "conditional"
    assert "door_slammed" not in trace.visited


def test_compare_aligns_by_event_id(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """compare lines up events by id; missing events show as None; identical traces have no divergence."""
    same = nm.compare(machine.replay(minimal), machine.replay(minimal))
    assert same.first_divergence is None and not same.outcome_changed
    cf = minimal.without("raise", cascade=True)
    c = nm.compare(machine.replay(minimal), machine.replay(cf))
    assert c.rows[2] == ("raise", "provoked", None)
    assert c.final_states == ("door_slammed", "conditional")
    assert c.outcome_changed
    assert "differs" in c.to_table()
    reverse = nm.compare(machine.replay(cf), machine.replay(minimal))
    assert [r[0] for r in reverse.rows] == ["offer", "condition", "raise", "slam"]


def test_classify_agrees_with_event_class() -> None:
    """The fast per-episode classes are the machine's event_class of each event (kind, role, red line)."""
    from negotiation_model.machine import event_class
    from negotiation_model.replay import classify

    for eid in nm.list_episodes():
        ep = nm.load_episode(eid)
        expected = [event_class(e.kind, ep.role_of(e.actor), ep.touches_red_line(e)) for e in ep.events]
        assert classify(ep) == expected


def test_class_triples_and_event_class_are_one_layout() -> None:
    """Class c is CLASS_TRIPLES[c], and event_class gives back c: the table, classify and the strategies agree."""
    from negotiation_model.machine import CLASS_TRIPLES, N_CLASSES, event_class

    assert len(CLASS_TRIPLES) == N_CLASSES
    assert [event_class(*triple) for triple in CLASS_TRIPLES] == list(range(N_CLASSES))
