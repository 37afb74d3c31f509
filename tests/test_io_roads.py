"""The loader's two roads to an event agree, and so do its two ways of reading JSON.

``io._plain_event`` (the fast road) builds usual events with checks of its
own and memos shared across a file; ``io._long_event`` (the long road)
checks field by field and words every problem. JSON files are read with a
hook that builds events as they are parsed (``io._JsonEvents``); mappings
given to ``episode_from_dict`` go through the roads after parsing. These
property tests feed both the same events, most of them broken in some way,
and hold them to the same result: the same Event, or the same problems.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import episode_mapping
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiation_model as nm
from negotiation_model import io
from negotiation_model.episode import _event_problems, _references_resolve
from negotiation_model.errors import DataError
from negotiation_model.events import not_before

ROADS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Values a field may be given: good ones for some field, and every kind of bad one (JSON values only).
VALUES: list[Any] = [
    *("", "  ", "x", "e0", "e1", "A", "B", "s1", "s2", "hostages", " A", "A "),
    *("2024-01-02", "2024-01-03", "2024-02-30", "2024-01", "2024", "20240102", "2024-W01-1", " 2024-01-02"),
    *("day", "month", "year", "Day", "offer", "ofer", "door_slammed", "summit"),
    None, 0, 1, -1, 2024, True, False, 1.5,
    [], [""], ["  "], ["s1"], ["s1", "s1"], ["s1", "s2"], ["", "s1"], [1], [True], [None], ["hostages"], [["s1"]],
    ["e0"], ["e1"], ["e0", "e0"], [{"event": "e0"}], [{"event": "e0", "reason": "answers it"}],
    [{"event": "e0", "reason": ""}, "e0"], [{"event": "e0", "why": "x"}], [{"event": ""}], [{}],
    {}, {"a": 1}, {"cameo": "036"}, {"cameo": 36}, {"goldstein": True}, {"goldstein": 1}, {"goldstein": 11},
    {"plover": "AGREE", "plover_mode": "meet"}, {"text": "q", "source": "s1"},
    {"text": "q", "source": "s1", "speaker": "A"}, {"text": "", "source": "s1"}, {"text": "q"}, {"event": "e0"},
]  # fmt: skip

#: Values aimed at one field: the near misses its checks must catch ("{id}" is the event's own id).
FIELD_VALUES: dict[str, list[Any]] = {
    "id": ["", "  ", "e0", 1, None, ["e1"]],
    "date": ["2024-01-02", "2024-02-30", "2024-1-2", "2024-01-02T00:00", "24-01-02", 2024, 0, 10000, True, None],
    "date_precision": ["day", "month", "year", "DAY", "", None, 1],
    "kind": ["offer", "ofer", "OFFER", "", None, 3],
    "actor": ["A", "B", "C", "", "  ", None, 1],
    "target": ["A", "B", "C", "", "  ", None, 1],
    "issues": [[], ["hostages"], ["hostages", "hostages"], [""], ["  "], [1], "hostages", None],
    "summary": ["", "s", None, 1],
    "note": ["", "n", None, []],
    "sources": [[], ["s1"], ["s2", "s1"], ["s3"], [""], "s1", None, [1], [True]],
    "codes": [{}, {"cameo": "036"}, {"cameo": 36}, {"goldstein": True}, {"goldstein": -11}, {"x": 1}, [], None],
    "quote": [{"text": "q", "source": "s1"}, {"text": "q", "source": "s9"}, {"text": "q"}, {"source": "s1"}, "q", None],
    "responds_to": [
        [], ["e0"], ["{id}"], [{"event": "{id}"}], ["e0", "e0"], ["e0", {"event": "e0"}], ["e9"], [""], ["  "], [1],
        [{"event": "e0", "reason": "r"}], [{"event": "e0", "reason": ""}], [{"event": "e0", "reason": 1}],
        [{"event": "e0", "why": "r"}], "e0", None,
    ],
}  # fmt: skip

FIELDS = [*sorted(io._EVENT_KEYS), "reason", "events", "name"]


@st.composite
def event_specs(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """An event mapping: a good one, then up to three fields set to any value, or dropped."""
    spec: dict[str, Any] = {
        "id": f"e{index}",
        "date": draw(st.sampled_from(["2024-01-02", "2024-01-03", "2024-01", "2024", 2024])),
        "kind": draw(st.sampled_from(["offer", "precondition", "door_slammed", "statement"])),
        "actor": draw(st.sampled_from(["A", "B"])),
        "sources": ["s1"],
    }
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        if draw(st.integers(0, 3)) == 0 and field in spec:
            del spec[field]
        elif field in FIELD_VALUES and draw(st.booleans()):
            value = draw(st.sampled_from(FIELD_VALUES[field]))
            spec[field] = json.loads(json.dumps(value).replace("{id}", f"e{index}"))
        else:
            spec[field] = draw(st.sampled_from(VALUES))
    return spec


@st.composite
def event_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One to six event mappings, numbered from e1 (e0 is the episode's first, good event)."""
    n = draw(st.integers(1, 6))
    return [draw(event_specs(i)) for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for every example of a property test (a new one each time costs more than the test)."""
    return tmp_path_factory.mktemp("roads")


def episode_data(events: list[Any]) -> dict[str, Any]:
    """An episode mapping around the events, after a good first event e0, with a second source s2."""
    first = {"id": "e0", "date": "2024-01-01", "kind": "offer", "actor": "A", "sources": ["s1"]}
    return episode_mapping([first, *events], sources={"s1": {"title": "S1"}, "s2": {"title": "S2"}})


def outcome(build: Any) -> nm.Episode | list[str]:
    """The episode built, or the problems reported."""
    try:
        return build()  # type: ignore[no-any-return]
    except DataError as exc:
        return list(exc.problems)


def assert_roads_agree(fast_checker: io._Checker, index: int, spec: dict[str, Any]) -> tuple[bool, bool]:
    """Check one event on both roads (the fast one with a checker that has seen other events).

    Returns whether the long road built it, and whether the fast road did.
    """
    fast = io._plain_event(fast_checker, spec)
    assert fast_checker.problems == []  # the fast road reports nothing: it leaves that to the long road
    long_checker = io._Checker()
    slow = io._long_event(long_checker, index, spec)
    if slow is None:
        assert fast is None, (spec, fast, long_checker.problems)
    elif fast is not None:
        assert long_checker.problems == []
        assert fast == slow and hash(fast) == hash(slow)
        assert attrs.asdict(fast, recurse=False) == attrs.asdict(slow, recurse=False)
        for field in attrs.fields(nm.Event):
            assert type(getattr(fast, field.name)) is type(getattr(slow, field.name)), field.name
        assert nm.Event(**attrs.asdict(fast, recurse=False)) == fast  # the record Event(...) itself accepts
    return slow is not None, fast is not None


def test_every_single_change_to_a_good_event_gets_the_same_answer_on_both_roads() -> None:
    """Every field of a good event, set to every value above or dropped: the roads agree each time.

    One fast checker sees all the cases, in turn, so that what it remembers
    from one event (a layout, a name, a date, a list) is tested on the next.
    """
    fast_checker = io._Checker()
    built = refused = fast_built = 0
    for field in FIELDS:
        for value in [*FIELD_VALUES.get(field, []), *VALUES, DROP]:
            spec = {"id": "e1", "date": "2024-01-02", "kind": "offer", "actor": "A", "sources": ["s1"]}
            if value is DROP:
                spec.pop(field, None)
            else:
                spec[field] = json.loads(json.dumps(value).replace("{id}", "e1"))
            slow_built, fast_road_built = assert_roads_agree(fast_checker, 1, spec)
            built += slow_built
            refused += not slow_built
            fast_built += fast_road_built
    assert built > 100 and refused > 500  # both outcomes are well exercised
    # The fast road is taken, not just safe: it builds nearly every event the long road builds (those it
    # leaves are unusual but valid, e.g. a blank target "  ", or a date given as a number).
    assert fast_built >= 0.9 * built


DROP = object()


class Day(dt.date):
    """A date subclass: Event takes none."""


@pytest.mark.parametrize(
    "value",
    [dt.date(2024, 1, 2), Day(2024, 1, 2), dt.datetime(2024, 1, 2, 10), 2024, 2024.0, "2024-01-02"],
)
def test_dates_that_are_not_text_get_the_same_answer_on_both_roads(value: object) -> None:
    """YAML gives dates as datetime.date; a caller of episode_from_dict may give anything."""
    spec = {"id": "e1", "date": value, "kind": "offer", "actor": "A", "sources": ["s1"]}
    built, fast_built = assert_roads_agree(io._Checker(), 1, spec)
    assert built is (type(value) in (dt.date, int, str))
    assert fast_built is built  # YAML dates and years as numbers take the fast road too


@ROADS
@given(specs=event_lists())
def test_the_fast_road_gives_what_the_long_road_gives(specs: list[dict[str, Any]]) -> None:
    """Each event the fast road builds is the long road's, field for field; what the long road refuses, it refuses.

    Events with several changes at once. The fast road runs with one
    checker for all the events (its memos carry from event to event, as in
    a file); the long road gets a fresh one each time.
    """
    fast_checker = io._Checker()
    for index, spec in enumerate(specs):
        assert_roads_agree(fast_checker, index, spec)


@ROADS
@given(specs=event_lists())
def test_a_json_file_loads_as_its_parsed_mapping_does(scratch: Path, specs: list[Any]) -> None:
    """Loading a JSON file (events built during the parse) gives the episode, or the problems, of episode_from_dict."""
    data = episode_data(specs)
    path = scratch / "ep.json"
    text = json.dumps(data)
    path.write_text(text, encoding="utf-8")
    loaded = outcome(lambda: nm.load_episode(path))
    built = outcome(lambda: io.episode_from_dict(json.loads(text), path=str(path)))
    if isinstance(loaded, list):
        assert isinstance(built, list)
        assert loaded == [f"{path}: {p}" for p in built] or loaded == built
    else:
        assert loaded == built


def test_a_usual_file_is_built_during_the_parse(tmp_path: Path) -> None:
    """Every event of a usual JSON file becomes an Event during the parse: no mapping of it is kept."""
    text = json.dumps(episode_data([{"id": "e1", "date": "2024-01-02", "kind": "precondition", "actor": "B",
                                     "sources": ["s1"], "responds_to": [{"event": "e0", "reason": "r"}]}]))  # fmt: skip
    hook = io._JsonEvents(io._Checker(prebuilt=True))
    data = json.loads(text, object_pairs_hook=hook.object)
    assert hook.built == 2
    assert [type(e) for e in data["events"]] == [nm.Event, nm.Event]
    assert io._built_events_in_place(data, hook.built)


EVENT = {"id": "x", "date": "2024-01-02", "kind": "offer", "actor": "A", "sources": ["s1"]}


@pytest.mark.parametrize(
    ("where", "data"),
    [
        ("the top level", EVENT),
        ("an actor", {**episode_data([]), "actors": {"A": EVENT, "B": {"name": "B"}}}),
        ("a quote", {**episode_data([{**EVENT, "quote": EVENT}])}),
        ("a list inside the events", {**episode_data([[EVENT]])}),
        ("the roles", {**episode_data([]), "roles": EVENT}),
    ],
)
def test_an_event_where_none_belongs_is_reported_as_the_mapping_it_is(tmp_path: Path, where: str, data: Any) -> None:
    """An event-shaped object elsewhere than in the events is read again plainly: the messages of a plain parse."""
    path = tmp_path / "ep.json"
    text = json.dumps(data)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as loaded:
        nm.load_episode(path)
    with pytest.raises(DataError) as built:
        io.episode_from_dict(json.loads(text), path=str(path))
    assert loaded.value.problems == built.value.problems, where
    assert "Event" not in str(loaded.value)


def test_a_repeated_key_inside_an_event_is_refused(tmp_path: Path) -> None:
    """The hook that builds events still refuses a key given twice, wherever it is."""
    path = tmp_path / "ep.json"
    event = '{"id": "e1", "date": "2024-01-02", "kind": "offer", "kind": "summit", "actor": "A", "sources": ["s1"]}'
    text = json.dumps(episode_data([])).replace('"events": [', f'"events": [{event}, ')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="duplicate key 'kind'"):
        nm.load_episode(path)


# -- the episode's references: checked in bulk, worded one by one -------------------------------

BREAKS = ("actor", "target", "source", "quote", "unknown answer", "later answer", "repeated id")


def broken(episode: nm.Episode, index: int, how: str) -> list[nm.Event]:
    """The episode's events with one reference of event ``index`` broken in the given way."""
    events = list(episode.events)
    e = events[index]
    other = events[-1 - index] if len(events) > 1 else e
    if how == "actor":
        events[index] = attrs.evolve(e, actor="nobody")
    elif how == "target":
        events[index] = attrs.evolve(e, target="nobody")
    elif how == "source":
        events[index] = attrs.evolve(e, sources=(*e.sources, "no-such-source"))
    elif how == "quote":
        events[index] = attrs.evolve(e, quote=nm.Quote("words", "no-such-source"))
    elif how == "unknown answer":
        events[index] = attrs.evolve(e, responds_to=("no-such-event",), link_reasons=())
    elif how == "later answer" and other.id != e.id and not_before(e, other) and not not_before(other, e):
        events[-1 - index] = attrs.evolve(other, responds_to=(e.id,), link_reasons=())  # `other` is dated earlier
    elif how == "repeated id" and other.id != e.id:
        events[index] = attrs.evolve(e, id=other.id, responds_to=(), link_reasons=())
    return events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(episode=st.from_type(nm.Episode), data=st.data())
def test_references_checked_in_bulk_agree_with_the_event_by_event_loop(
    episode: nm.Episode, data: st.DataObject
) -> None:
    """The bulk check passes an episode's events exactly when the event-by-event loop finds nothing to word."""
    actors, sources = frozenset(episode.actors), frozenset(episode.sources)
    events = list(episode.events)
    if events and data.draw(st.booleans()):
        events = broken(episode, data.draw(st.integers(0, len(events) - 1)), data.draw(st.sampled_from(BREAKS)))
    positions = _references_resolve(events, actors, sources)
    problems = _event_problems(events, actors, sources)
    assert (positions is None) == bool(problems), problems
    if positions is not None:
        assert positions == {e.id: i for i, e in enumerate(events)}
