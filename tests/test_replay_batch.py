"""Tests for the batch replay (many sequences at once) and the lazily built step records."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_model as nm
from negotiation_model.machine import N_CLASSES
from negotiation_model.replay import classify, run_classes
from negotiation_model.strategies import episodes, pattern_machines


def assert_agrees(batch: nm.BatchReplay, i: int, trace: nm.Trace) -> None:
    """Sequence ``i`` of the batch says what the full replay says."""
    machine = trace.machine
    assert batch.final_state_names[i] == trace.final_state
    assert set(batch.visited_states(i)) == set(trace.visited)
    assert batch.visited_states(i) == tuple(s for s in machine.state_names if s in trace.visited)
    assert batch.lengths[i] == len(trace.episode.events)
    assert batch.conforming[i] == int(trace.conforms.sum())
    assert batch.fitness[i] == pytest.approx(trace.fitness, abs=1e-15)


def reference(machine: nm.PatternMachine, row: list[int]) -> tuple[int, set[int], int]:
    """Replay one row of classes the slow way: final state, states visited, conforming events."""
    table = machine._compiled.table
    target = machine._compiled.target_state
    state = machine.state_names.index(machine.initial)
    visited = {state}
    conforming = 0
    for c in row:
        if c < 0:
            continue
        t = table[state * N_CLASSES + c]
        if t >= 0:
            state = target[t]
            conforming += 1
        visited.add(state)
    return state, visited, conforming


def test_batch_agrees_with_replay_on_every_bundled_episode(machine: nm.PatternMachine) -> None:
    """Final state, visited states, fitness: the batch matches machine.replay episode by episode."""
    eps = [nm.load_episode(i) for i in nm.list_episodes()]
    batch = nm.replay_batch(machine, eps)
    assert len(batch) == len(eps)
    assert batch.visited.shape == (len(eps), len(machine.states))
    for i, ep in enumerate(eps):
        assert_agrees(batch, i, machine.replay(ep))


def test_batch_of_one_episode_is_accepted(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """A single Episode is a batch of one."""
    batch = nm.replay_batch(machine, minimal)
    assert batch.final_state_names == ("door_slammed",)
    assert batch.fitness.tolist() == [1.0]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_replay_batch_agrees_with_replay_on_random_machines_and_episodes(data: st.DataObject) -> None:
    """On any machine and any episodes (conforming or not), the batch equals one replay per episode."""
    machine = data.draw(pattern_machines(max_states=5), label="machine")
    eps = data.draw(st.lists(episodes(machine=machine, max_events=12), min_size=1, max_size=4), label="episodes")
    batch = nm.replay_batch(machine, eps)
    for i, ep in enumerate(eps):
        assert_agrees(batch, i, machine.replay(ep))


def test_random_class_sequences_match_a_step_by_step_reference(machine: nm.PatternMachine) -> None:
    """A thousand random rows of classes (some padded) agree with a plain loop over the table."""
    rng = np.random.default_rng(7)
    classes = rng.integers(0, N_CLASSES, size=(300, 200))
    classes[rng.random(classes.shape) < 0.05] = -1
    batch = nm.replay_batch(machine, classes)
    names = machine.state_names
    for i, row in enumerate(classes.tolist()):
        state, visited, conforming = reference(machine, row)
        assert batch.final_states[i] == state
        assert set(np.flatnonzero(batch.visited[i]).tolist()) == visited
        assert batch.conforming[i] == conforming
        n = sum(c >= 0 for c in row)
        assert batch.lengths[i] == n
        assert batch.fitness[i] == pytest.approx(conforming / n if n else 1.0)
        assert batch.final_state_names[i] == names[state]


def test_batch_final_states_match_run_classes(machine: nm.PatternMachine) -> None:
    """The batch and the compiled one-sequence loop end in the same state on the same classes."""
    ep = nm.load_episode("japan-dprk-2023-24")
    row = classify(ep)
    _, final = run_classes(machine, row)
    assert nm.replay_batch(machine, np.array([row])).final_states.tolist() == [final]


def test_batch_spanning_several_blocks_matches_one_block(
    machine: nm.PatternMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sequences longer than one block of positions give the same result as a single block."""
    from negotiation_model import replay as replay_module

    rng = np.random.default_rng(3)
    classes = rng.integers(-1, N_CLASSES, size=(5, 97))
    whole = nm.replay_batch(machine, classes)
    monkeypatch.setattr(replay_module, "_BATCH_BLOCK", 10)  # two positions per block for 5 sequences
    assert nm.replay_batch(machine, classes) == whole


def test_large_machines_keep_visited_states_as_a_mask(
    machine: nm.PatternMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mask used for machines too large for a bit word gives the same result as the bits."""
    from negotiation_model import replay as replay_module

    rng = np.random.default_rng(5)
    classes = rng.integers(-1, N_CLASSES, size=(40, 60))
    bits = nm.replay_batch(machine, classes)
    monkeypatch.setattr(replay_module, "_BATCH_BITS", 2)
    masked = nm.replay_batch(machine, classes)
    assert masked == bits
    assert masked.visited.sum() > len(masked)  # some sequence left the initial state


def test_padding_changes_nothing(machine: nm.PatternMachine) -> None:
    """-1 anywhere in a row is no event: the result equals the row without it."""
    rng = np.random.default_rng(11)
    row = rng.integers(0, N_CLASSES, size=50)
    padded = np.insert(row, [0, 10, 10, 50], -1)
    a = nm.replay_batch(machine, row[None, :])
    b = nm.replay_batch(machine, padded[None, :])
    assert a == b


def test_all_padding_and_empty_inputs(machine: nm.PatternMachine) -> None:
    """An all-padding row stays in the initial state with fitness 1; empty batches are empty."""
    batch = nm.replay_batch(machine, np.full((2, 3), -1))
    assert batch.final_state_names == (machine.initial, machine.initial)
    assert batch.fitness.tolist() == [1.0, 1.0]
    assert batch.lengths.tolist() == [0, 0]
    assert batch.visited_states(0) == (machine.initial,)
    assert len(nm.replay_batch(machine, [])) == 0
    assert len(nm.replay_batch(machine, np.zeros((4, 0), dtype=int))) == 4


def test_result_is_read_only_and_compares_by_value(machine: nm.PatternMachine) -> None:
    """The arrays cannot be written to; two equal batches compare equal, different ones do not."""
    classes = np.zeros((2, 4), dtype=np.int64)
    a, b = nm.replay_batch(machine, classes), nm.replay_batch(machine, classes.tolist())
    assert a == b
    with pytest.raises(ValueError, match="read-only"):
        a.fitness[0] = 0.5
    assert a != nm.replay_batch(machine, np.full((2, 4), -1))
    assert "sequences=2" in repr(a)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (np.zeros(5, dtype=int), "2-D"),
        (np.zeros((2, 2, 2), dtype=int), "2-D"),
        (np.zeros((2, 3)), "integer"),
        (np.full((1, 2), N_CLASSES), "out of range"),
        (np.full((1, 2), -2), "out of range"),
        ([[1, 2], [3]], "one length"),
    ],
)
def test_bad_class_arrays_are_refused(machine: nm.PatternMachine, value: object, match: str) -> None:
    """Wrong shapes, non-integers, out-of-range classes and ragged rows raise a clear ValueError."""
    with pytest.raises(ValueError, match=match):
        nm.replay_batch(machine, value)  # type: ignore[arg-type]


def test_mixing_episodes_and_classes_is_refused(machine: nm.PatternMachine, minimal: nm.Episode) -> None:
    """A list holding an episode and a row of classes is ambiguous: refused."""
    with pytest.raises(ValueError, match="mix"):
        nm.replay_batch(machine, [minimal, [0, 1]])


def test_steps_built_fast_equal_steps_built_by_attrs(machine: nm.PatternMachine) -> None:
    """Steps read from a trace (built without the attrs __init__) equal Step(...) built normally."""
    ep = nm.load_episode("japan-dprk-2023-24")
    trace = machine.replay(ep)
    names = machine.state_names
    expected = [
        nm.Step(
            i,
            e,
            names[trace.state_indices[i]],
            names[trace.state_indices[i + 1]],
            machine.transitions[t] if t >= 0 else None,
            t >= 0,
        )
        for i, (e, t) in enumerate(zip(ep.events, trace.transition_indices.tolist(), strict=True))
    ]
    assert list(trace.steps) == expected
    assert [trace.steps[i] for i in range(len(ep))] == expected
    assert all(type(s) is nm.Step and attrs.asdict(s, recurse=False) for s in trace.steps)
    assert hash(trace.steps[0]) == hash(expected[0])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        trace.steps[0].source = "x"  # type: ignore[misc]
