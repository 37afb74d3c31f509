"""Tests for reading and writing episode files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import negotiation_model as nm
from negotiation_model.io import episode_from_dict, episode_to_dict

DATA = Path(__file__).parent / "data"


def test_list_episodes_includes_the_core_datasets() -> None:
    """The 2002 and 2023-24 episodes are bundled, listed sorted."""
    ids = nm.list_episodes()
    assert {"japan-dprk-2002", "japan-dprk-2023-24"} <= set(ids)
    assert ids == sorted(ids)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_save_then_load_gives_the_same_episode(tmp_path: Path, minimal: nm.Episode, suffix: str) -> None:
    """load_episode(save_episode(ep, path)) == ep for YAML and JSON."""
    path = nm.save_episode(minimal, tmp_path / f"ep{suffix}")
    assert nm.load_episode(path) == minimal
    assert nm.load_episode(str(path)) == minimal


def test_bundled_episodes_round_trip(tmp_path: Path) -> None:
    """Every bundled episode survives a save and reload in both formats."""
    for eid in nm.list_episodes():
        ep = nm.load_episode(eid)
        for suffix in (".yaml", ".json"):
            assert nm.load_episode(nm.save_episode(ep, tmp_path / f"{eid}{suffix}")) == ep


def test_save_refuses_an_unknown_suffix(tmp_path: Path, minimal: nm.Episode) -> None:
    """Saving to .txt is a ValueError that names the suffix."""
    with pytest.raises(ValueError, match=r"\.txt"):
        nm.save_episode(minimal, tmp_path / "ep.txt")


def test_missing_file_or_id_is_a_file_not_found_error() -> None:
    """A name that is neither a bundled id nor a file says so and lists the bundled ids."""
    with pytest.raises(FileNotFoundError, match="japan-dprk-2023-24"):
        nm.load_episode("no-such-episode")


def test_file_path_wins_over_a_bundled_id(tmp_path: Path, minimal: nm.Episode, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path that exists is read as a file even if it looks like an id."""
    monkeypatch.chdir(tmp_path)
    nm.save_episode(minimal, tmp_path / "japan-dprk-2002.yaml")
    assert nm.load_episode("japan-dprk-2002.yaml").id == "minimal"


def test_episode_to_dict_matches_the_file_format(minimal: nm.Episode) -> None:
    """The plain data has the documented keys and rebuilds the same episode."""
    data = episode_to_dict(minimal)
    assert list(data)[:5] == ["id", "title", "summary", "roles", "red_line"]
    assert data["events"][1]["date"] == "2024-01"
    assert data["events"][1]["responds_to"] == [{"event": "offer", "reason": "B names A's offer."}]
    assert episode_from_dict(json.loads(json.dumps(data))) == minimal


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_error_names_file_event_index_field_and_expectation(tmp_path: Path) -> None:
    """A bad event field gives one line naming the file, the event id and index, the field and what was expected."""
    text = (DATA / "good" / "minimal.yaml").read_text().replace("kind: precondition", "kind: precondtion")
    path = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(nm.DataError) as info:
        nm.load_episode(path)
    message = str(info.value)
    assert str(path) in message
    assert "event 'condition' (index 1)" in message
    assert "'kind'" in message
    assert "did you mean 'precondition'" in message
    assert info.value.path == str(path)


def test_event_without_id_is_named_by_index(tmp_path: Path) -> None:
    """When the id itself is missing, the event is named by its index."""
    text = (DATA / "good" / "minimal.yaml").read_text().replace("  - id: raise\n", "  - \n")
    path = _write(tmp_path, "noid.yaml", text)
    with pytest.raises(nm.DataError, match=r"event at index 2: field 'id' is missing"):
        nm.load_episode(path)


def test_every_problem_is_listed_up_to_a_cap(tmp_path: Path) -> None:
    """Several bad events give several lines; past the cap the message says how many more."""
    events = [
        {"id": f"e{i}", "date": "2024-13-01", "kind": "offer", "actor": "A", "sources": ["s1"]} for i in range(30)
    ]
    data = {
        "id": "x",
        "title": "x",
        "roles": {"initiator": "A", "respondent": "B"},
        "red_line": "r",
        "actors": {"A": {"name": "A"}, "B": {"name": "B"}},
        "sources": {"s1": {"title": "t"}},
        "events": events,
    }
    path = _write(tmp_path, "many.json", json.dumps(data))
    with pytest.raises(nm.DataError) as info:
        nm.load_episode(path)
    assert len(info.value.problems) == 30
    assert "and 10 more" in str(info.value)


def test_nothing_is_half_loaded(tmp_path: Path) -> None:
    """A file with one bad event among good ones raises; no partial episode is returned."""
    text = (
        (DATA / "good" / "minimal.yaml")
        .read_text()
        .replace("actor: B\n    responds_to: [raise]", "actor: Q\n    responds_to: [raise]")
    )
    path = _write(tmp_path, "partial.yaml", text)
    with pytest.raises(nm.DataError, match="'Q' is not a declared actor"):
        nm.load_episode(path)


def test_dates_of_every_precision_are_read(tmp_path: Path) -> None:
    """Day, month and year dates are read with their precision; a mismatched precision is an error."""
    ep = nm.load_episode(DATA / "good" / "minimal.yaml")
    assert [e.date_precision.value for e in ep.events] == ["day", "month", "day", "day"]
    text = (
        (DATA / "good" / "minimal.yaml")
        .read_text()
        .replace('date: "2024-01"', 'date: "2024"\n    date_precision: month')
    )
    with pytest.raises(nm.DataError, match="date_precision"):
        nm.load_episode(_write(tmp_path, "prec.yaml", text))


def test_yaml_merge_keys_are_plain_data(tmp_path: Path) -> None:
    """`<<: *anchor` merges work (keys beside the merge override it), and are not mistaken for duplicates."""
    text = (DATA / "good" / "minimal.yaml").read_text()
    text = text.replace(
        '  s1: {title: A test source, url: "https://example.org/1", date: "2024-01-02"}',
        '  s1: &base {title: A test source, url: "https://example.org/1", date: "2024-01-02"}\n'
        "  s2:\n    <<: *base\n    title: Another source",
    ).replace("    sources: [s1]\n    codes", "    sources: [s1, s2]\n    codes")
    ep = nm.load_episode(_write(tmp_path, "merge.yaml", text))
    assert ep.sources["s2"].title == "Another source"
    assert ep.sources["s2"].url == "https://example.org/1"


def test_brackets_in_text_are_not_mistaken_for_nesting(tmp_path: Path) -> None:
    """Many unbalanced brackets inside a quoted summary are text, not structure."""
    text = (
        (DATA / "good" / "minimal.yaml")
        .read_text()
        .replace("summary: A offers talks.", 'summary: "A offers talks ' + "[" * 200 + '"')
    )
    ep = nm.load_episode(_write(tmp_path, "brackets.yaml", text))
    assert ep.event("offer").summary.endswith("[" * 200)


def test_blank_values_are_refused_alike_in_records_and_files(minimal: nm.Episode) -> None:
    """A blank issue or note cannot be built either, so everything built can be saved and read back."""
    import attrs

    with pytest.raises(nm.DataError, match="issues"):
        attrs.evolve(minimal.events[0], issues={" "})
    with pytest.raises(nm.DataError, match="notes"):
        attrs.evolve(minimal, notes=(" ",))


@pytest.mark.parametrize(
    "load", [nm.load_episode, nm.load_scenario, nm.from_event_table], ids=["episode", "scenario", "event table"]
)
def test_a_directory_is_not_reported_as_missing(tmp_path: Path, load: Any) -> None:
    """Every loader says that a directory is one, rather than that there is no such file."""
    with pytest.raises(FileNotFoundError, match="is a directory \\(expected a file\\)"):
        load(tmp_path)
