"""Tests for pattern machines: definition checks, the derived graph, conversions."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
import yaml

import negotiation_model as nm

EK = nm.EventKind
R = nm.Role


def small(**changes: object) -> nm.PatternMachine:
    fields: dict[str, object] = {
        "name": "small",
        "states": [nm.State("idle"), nm.State("open"), nm.State("closed", outcome=True)],
        "initial": "idle",
        "transitions": [
            nm.Transition("idle", "open", "offer", guard=nm.Guard(kinds={EK.OFFER}, roles={R.INITIATOR})),
            nm.Transition("open", "closed", "slam", guard=nm.Guard(kinds={EK.DOOR_SLAMMED}, roles={R.RESPONDENT})),
        ],
    }
    fields.update(changes)
    return nm.PatternMachine(**fields)  # type: ignore[arg-type]


def test_graph_is_derived_from_the_transitions(machine: nm.PatternMachine) -> None:
    """Every transition is an edge keyed by its label, and every edge is a transition."""
    g = machine.graph
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_edges() == len(machine.transitions)
    for t in machine.transitions:
        assert g.edges[t.source, t.target, t.label]["transition"] is t
    assert g.nodes["dormant"]["initial"] is True
    assert g.nodes["summit"]["outcome"] is True


def test_door_slam_pattern_has_the_designed_states(machine: nm.PatternMachine) -> None:
    """The canonical machine has the seven states of the design, two outcomes, and documents every move."""
    assert machine.state_names == ("dormant", "overture", "conditional", "talks", "summit", "provoked", "door_slammed")
    assert machine.initial == "dormant"
    assert machine.outcomes == ("summit", "door_slammed")
    assert machine.cycle == ("offer", "precondition", "raise_red_line", "slam_door")
    assert all(t.description for t in machine.transitions)
    assert all(s.description for s in machine.states)


@pytest.mark.parametrize(
    ("state", "kind", "role", "red", "target"),
    [
        ("dormant", "offer", "initiator", False, "overture"),
        ("door_slammed", "offer", "initiator", True, "overture"),
        ("provoked", "offer", "initiator", False, "overture"),
        ("overture", "precondition", "respondent", True, "conditional"),
        ("talks", "precondition", "respondent", True, "conditional"),
        ("overture", "willingness", "respondent", False, "conditional"),
        ("conditional", "meeting", "initiator", False, "talks"),
        ("talks", "summit", "respondent", False, "summit"),
        ("conditional", "issue_raised", "initiator", True, "provoked"),
        ("summit", "issue_raised", "initiator", True, "provoked"),
        ("provoked", "door_slammed", "respondent", False, "door_slammed"),
        ("provoked", "concession", "respondent", True, "talks"),
        ("conditional", "door_slammed", "respondent", False, "door_slammed"),
        ("conditional", "offer", "initiator", True, "conditional"),
        ("talks", "statement", "third_party", True, "talks"),
        ("overture", "goodwill", "respondent", False, "overture"),
        ("conditional", "issue_raised", "initiator", False, "conditional"),
    ],
)
def test_door_slam_semantics(
    machine: nm.PatternMachine, state: str, kind: str, role: str, red: bool, target: str
) -> None:
    """The canonical transitions of the design document, including the 2002 concession path."""
    t = machine.step(state, kind, role, red)
    assert t is not None
    assert t.target == target


@pytest.mark.parametrize(
    ("state", "kind", "role", "red"),
    [
        ("dormant", "door_slammed", "respondent", False),
        ("conditional", "sanction", "initiator", False),
        ("provoked", "summit", "initiator", True),
    ],
)
def test_moves_the_pattern_has_no_place_for_are_deviations(
    machine: nm.PatternMachine, state: str, kind: str, role: str, red: bool
) -> None:
    """A refusal with nothing to refuse, a sanction during talks, a summit after provocation: no transition."""
    assert machine.step(state, kind, role, red) is None


def test_unreachable_state_is_rejected_by_name() -> None:
    """A state no transition leads to raises DefinitionError naming it."""
    with pytest.raises(nm.DefinitionError, match="island") as info:
        small(
            states=[
                nm.State("idle"),
                nm.State("open"),
                nm.State("closed", outcome=True),
                nm.State("island", outcome=True),
            ]
        )
    assert info.value.culprits == ("island",)


def test_non_deterministic_pair_is_rejected_by_name() -> None:
    """Two transitions from one state that can take the same event raise DefinitionError naming both."""
    clash = nm.Transition("idle", "closed", "also", guard=nm.Guard(kinds={EK.OFFER}))
    with pytest.raises(nm.DefinitionError, match="not deterministic") as info:
        small(transitions=[*small().transitions, clash])
    assert "'offer' and 'also'" in str(info.value)


def test_unknown_state_trap_and_duplicate_label_are_rejected() -> None:
    """Transitions to unknown states, non-outcome states without a way out, and repeated labels are errors."""
    with pytest.raises(nm.DefinitionError, match="unknown states"):
        small(transitions=[nm.Transition("idle", "nowhere", "offer")])
    with pytest.raises(nm.DefinitionError, match="no way out of open"):
        small(states=[nm.State("idle"), nm.State("open")], transitions=[small().transitions[0]])
    twice = nm.Transition("idle", "closed", "offer", guard=nm.Guard(kinds={EK.SANCTION}))
    with pytest.raises(nm.DefinitionError, match="two transitions labelled 'offer'"):
        small(transitions=[*small().transitions, twice])
    with pytest.raises(nm.DefinitionError, match="initial"):
        small(initial="nowhere")
    with pytest.raises(nm.DefinitionError, match="cycle"):
        small(cycle=["offer", "nonexistent"])


def test_guard_red_line_must_be_a_bool_or_none() -> None:
    """A guard's red_line is true, false or None."""
    with pytest.raises(nm.DefinitionError):
        nm.Guard(red_line="yes")  # type: ignore[arg-type]
    assert nm.Guard().describe() == "any event by anyone"


def test_to_dict_from_dict_round_trip(machine: nm.PatternMachine) -> None:
    """from_dict(to_dict(m)) == m, also through JSON and YAML text."""
    data = machine.to_dict()
    assert nm.PatternMachine.from_dict(data) == machine
    assert nm.PatternMachine.from_dict(json.loads(json.dumps(data))) == machine
    assert nm.PatternMachine.from_dict(yaml.safe_load(yaml.safe_dump(data, sort_keys=False))) == machine


def test_from_file_reads_yaml_and_reports_bad_files(tmp_path: Path) -> None:
    """A machine file is read by suffix; a malformed one gives DataError, an inconsistent one DefinitionError."""
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(small().to_dict(), sort_keys=False))
    assert nm.PatternMachine.from_file(path) == small()
    bad = small().to_dict()
    bad["transitions"][0]["kinds"] = ["ofer"]
    bad["colour"] = "red"
    path.write_text(yaml.safe_dump(bad, sort_keys=False))
    with pytest.raises(nm.DataError) as info:
        nm.PatternMachine.from_file(path)
    assert "colour" in str(info.value)
    assert "offer" in str(info.value) and str(path) in str(info.value)
    unreachable = small().to_dict()
    unreachable["states"]["island"] = {"description": "", "outcome": True}
    path.write_text(yaml.safe_dump(unreachable, sort_keys=False))
    with pytest.raises(nm.DefinitionError, match="island"):
        nm.PatternMachine.from_file(path)
    path.write_text("[unclosed")
    with pytest.raises(nm.DataError, match="YAML"):
        nm.PatternMachine.from_file(path)


def test_japan_russia_replays_on_the_same_machine(machine: nm.PatternMachine) -> None:
    """Roles and the red line come from the episode: Japan-Russia over the Northern Territories replays too."""
    ep = nm.load_episode("japan-russia-northern-territories")
    assert ep.red_line == "northern_territories"
    assert ep.roles.respondent == "RUS"
    trace = machine.replay(ep)
    assert "provoked" in trace.visited
    assert trace.fitness >= 0.9


def test_describe_reads_as_words(machine: nm.PatternMachine) -> None:
    """Transitions and guards describe themselves in words."""
    t = machine.step("conditional", "issue_raised", "initiator", True)
    assert t is not None
    assert t.describe() == "raise_red_line: issue_raised by initiator, on the red line -> provoked"


def test_a_yaml_alias_bomb_in_a_machine_file_is_refused_quickly(tmp_path: Path) -> None:
    """A few lines that expand to billions of items give a short DataError, not a hang."""
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    data = small().to_dict()
    data["transitions"][0]["kinds"] = "KINDS"
    text = "\n".join(lines) + "\n" + yaml.safe_dump(data, sort_keys=False).replace("KINDS", "*a8")
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with pytest.raises(nm.DataError, match="kinds") as info:
        nm.PatternMachine.from_file(path)
    assert len(str(info.value)) < 2000


def test_the_shared_graph_cannot_be_edited_by_one_caller_for_all(machine: nm.PatternMachine) -> None:
    """machine.graph is built once and shared (door_slam_pattern() is cached): it is frozen, a copy can be edited."""
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        machine.graph.add_edge("dormant", "summit")
    copy = nx.MultiDiGraph(machine.graph)
    copy.add_edge("dormant", "summit")
    assert not machine.graph.has_edge("dormant", "summit")


def test_an_empty_description_is_empty_text_and_a_bad_one_is_named() -> None:
    """`description:` with nothing after it is "", not the text "None"; a non-text description is a problem."""
    data = {
        "name": "x",
        "description": None,
        "initial": "a",
        "states": {"a": {"description": None}, "b": {"outcome": True}},
        "transitions": [{"label": "go", "from": "a", "to": "b", "kinds": ["offer"], "description": None}],
    }
    m = nm.PatternMachine.from_dict(data)
    assert (m.description, m.states[0].description, m.transitions[0].description) == ("", "", "")
    data["states"]["a"] = {"description": [1]}  # type: ignore[index]
    with pytest.raises(nm.DataError, match=r"state 'a': field 'description': expected text, got \[1\]"):
        nm.PatternMachine.from_dict(data)


def test_step_names_an_unknown_state() -> None:
    """step() from a state the machine lacks says so and lists the states (not tuple.index's message)."""
    with pytest.raises(KeyError, match=r"has no state 'nowhere' \(states: idle, open, closed\)"):
        small().step("nowhere", EK.OFFER, R.INITIATOR, False)


def test_a_truthy_red_line_flag_is_a_red_line_flag(machine: nm.PatternMachine) -> None:
    """touches_red_line=2 means True: it does not spill into the next role's event class."""
    for state in machine.state_names:
        for kind in EK:
            for role in (R.INITIATOR, R.RESPONDENT, R.THIRD_PARTY):
                assert machine.step(state, kind, role, 2) == machine.step(state, kind, role, True)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nm.Guard(kinds="offer"), r"guard kinds: .*single value 'offer'"),
        (lambda: nm.Guard(roles="initiator"), r"guard roles: .*single value 'initiator'"),
        (lambda: nm.Guard(kinds=["ofer"]), r"guard kinds: expected a collection of offer, .*got \['ofer'\]"),
        (lambda: small(cycle="offer"), r"cycle: .*single value 'offer'"),
    ],
)
def test_a_lone_name_where_a_collection_belongs_is_a_definition_error(build: object, message: str) -> None:
    """A bare string is not read letter by letter; the error names the field."""
    with pytest.raises(nm.DefinitionError, match=message):
        build()  # type: ignore[operator]


def test_shortest_path_refuses_a_lone_outcome_name(machine: nm.PatternMachine) -> None:
    with pytest.raises(TypeError, match="got the string 'summit'"):
        nm.shortest_path_to_outcome(machine, "dormant", "summit")  # type: ignore[arg-type]
    assert nm.shortest_path_to_outcome(machine, "dormant", ["summit"]) == ("dormant", "overture", "summit")


def test_machine_files_say_what_they_should_hold_when_empty_and_a_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("\n", encoding="utf-8")
    with pytest.raises(nm.DataError, match="the file is empty \\(expected a pattern machine: a mapping with name"):
        nm.PatternMachine.from_file(tmp_path / "m.yaml")
    with pytest.raises(FileNotFoundError, match="is a directory"):
        nm.PatternMachine.from_file(tmp_path)
