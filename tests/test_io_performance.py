"""The loader's fast paths change nothing but speed and memory.

Loading reuses what repeats (dates, source lists, codes, kinds), builds
events without the attrs ``__init__`` (JSON events as they are parsed),
drops parsed events as it builds them and pauses the garbage collector. These tests pin down that none of it
shows: the same episodes, the same errors, the caller's data untouched.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import importlib.util
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import episode_mapping

import negotiation_model as nm
from negotiation_model.errors import DataError
from negotiation_model.events import _checked, _unchecked_event
from negotiation_model.io import episode_from_dict


def _load_synthetic() -> Any:
    """Import benchmarks/synthetic.py (the benchmarks' episode generator) under a name of its own."""
    path = Path(__file__).parent.parent / "benchmarks" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("_nm_benchmarks_synthetic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic_episode_dict = _load_synthetic().synthetic_episode_dict


def event(i: int, **fields: Any) -> dict[str, Any]:
    """Return a plain event mapping, numbered ``i``, with field overrides."""
    return {"id": f"e{i}", "date": "2024-01-02", "kind": "offer", "actor": "A", "sources": ["s1"], **fields}


def load_json(tmp_path: Path, data: dict[str, Any]) -> nm.Episode:
    """Write the data as JSON and load it the way users do."""
    path = tmp_path / "ep.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return nm.load_episode(path)


def test_large_synthetic_episode_round_trips_in_both_formats(tmp_path: Path) -> None:
    """Two thousand events, loaded from JSON and from YAML: the same episode, equal to what was saved."""
    data = synthetic_episode_dict(2_000, seed=3)
    ep = load_json(tmp_path, data)
    assert len(ep) == 2_000
    assert episode_from_dict(copy.deepcopy(data)) == ep
    assert nm.load_episode(nm.save_episode(ep, tmp_path / "again.yaml")) == ep
    assert nm.load_episode(nm.save_episode(ep, tmp_path / "again.json")) == ep


def test_loaded_events_equal_events_built_by_attrs(tmp_path: Path) -> None:
    """Every loaded event equals, and hashes like, the Event built from its fields with Event(...)."""
    ep = load_json(tmp_path, synthetic_episode_dict(300, seed=5))
    for e in ep.events:
        again = nm.Event(**attrs.asdict(e, recurse=False))
        assert again == e and hash(again) == hash(e)
        assert type(e.issues) is frozenset and type(e.sources) is tuple and type(e.responds_to) is tuple


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sources": ()}, "at least one source"),
        ({"responds_to": ("e1",)}, "cannot answer itself"),
        ({"responds_to": ("x", "x")}, "listed twice"),
        ({"issues": frozenset({""})}, "'issues'"),
        ({"link_reasons": ("a", "b"), "responds_to": ("x",)}, "one reason per"),
    ],
)
def test_checked_event_refuses_what_event_refuses(fields: dict[str, Any], message: str) -> None:
    """The fast constructor runs Event's own check: the same DataError, the same words."""
    values: dict[str, Any] = {
        "id": "e1",
        "date": dt.date(2024, 1, 2),
        "date_precision": nm.DatePrecision.DAY,
        "kind": nm.EventKind.OFFER,
        "actor": "A",
        "target": None,
        "issues": frozenset(),
        "summary": "",
        "quote": None,
        "responds_to": (),
        "link_reasons": (),
        "sources": ("s1",),
        "codes": nm.Codes(),
        "note": "",
        **fields,
    }
    with pytest.raises(DataError, match=message) as fast:
        _checked(_unchecked_event(**values))
    with pytest.raises(DataError) as slow:
        nm.Event(**values)
    assert fast.value.problems == slow.value.problems


def test_episode_from_dict_leaves_the_callers_data_alone() -> None:
    """Only the loader's own parsed data is consumed; a caller's mapping is not changed."""
    data = episode_mapping([event(1), event(2, kind="precondition", actor="B", responds_to=["e1"])])
    before = copy.deepcopy(data)
    episode_from_dict(data)
    assert data == before


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_restores_the_garbage_collector(tmp_path: Path, enabled: bool) -> None:
    """The collector is paused while loading, then left as it was, also when the file is bad."""
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load_json(tmp_path, episode_mapping([event(1)]))
        assert gc.isenabled() is enabled
        with pytest.raises(DataError):
            load_json(tmp_path, episode_mapping([event(1, kind="ofer")]))
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_repeated_codes_are_checked_with_their_types(tmp_path: Path) -> None:
    """A goldstein of 1 first does not let a goldstein of true through later (1 == True in Python)."""
    good = [event(1, codes={"goldstein": 1}), event(2, codes={"goldstein": 1.0})]
    ep = load_json(tmp_path, episode_mapping(good))
    assert [e.codes.goldstein for e in ep.events] == [1, 1.0]
    with pytest.raises(DataError, match=r"e3.*goldstein.*True"):
        load_json(tmp_path, episode_mapping([*good, event(3, codes={"goldstein": True})]))


def test_repeated_codes_are_shared(tmp_path: Path) -> None:
    """Equal codes on many events are one object (memory), and still equal to a fresh Codes."""
    ep = load_json(tmp_path, episode_mapping([event(i, codes={"cameo": "036"}) for i in range(5)] + [event(9)]))
    assert len({id(e.codes) for e in ep.events[:5]}) == 1
    assert ep.events[0].codes == nm.Codes("036")
    assert ep.events[5].codes.is_empty()


def test_repeated_lists_keep_the_types_of_their_items(tmp_path: Path) -> None:
    """A list of [1] after a list of ["1"] is still an error that shows the number."""
    with pytest.raises(DataError, match=r"e2.*'issues'.*got 1 in it"):
        load_json(tmp_path, episode_mapping([event(1, issues=["1"]), event(2, issues=[1])]))
    with pytest.raises(DataError, match=r"e2.*'sources'"):
        load_json(tmp_path, episode_mapping([event(1), event(2, sources=[True])]))


def test_repeated_dates_are_shared_and_bad_ones_still_refused(tmp_path: Path) -> None:
    """Events of the same day share one date object; an impossible date after good ones is refused."""
    ep = load_json(tmp_path, episode_mapping([event(1), event(2), event(3, date="2024-01")]))
    assert ep.events[0].date is ep.events[1].date
    assert ep.events[2].date_precision is nm.DatePrecision.MONTH
    with pytest.raises(DataError, match=r"e2.*'date'"):
        load_json(tmp_path, episode_mapping([event(1), event(2, date="2024-02-30")]))


def test_shared_values_do_not_leak_between_files(tmp_path: Path) -> None:
    """Loading one file does not change what another, loaded after it, gives."""
    first = load_json(tmp_path, episode_mapping([event(1, issues=["hostages"], codes={"cameo": "036"})]))
    second = load_json(tmp_path, episode_mapping([event(1, issues=["trade"], codes={"cameo": "040"})]))
    assert first.events[0].issues == {"hostages"} and second.events[0].issues == {"trade"}
    assert second.events[0].codes.cameo == "040"


def test_duplicate_keys_are_still_refused(tmp_path: Path) -> None:
    """The object hook that builds events keeps the duplicate-key check of JSON objects."""
    path = tmp_path / "dup.json"
    path.write_text('{"id": "t", "id": "u"}', encoding="utf-8")
    with pytest.raises(DataError, match="duplicate key 'id'"):
        nm.load_episode(path)
