"""Malformed episode files: each one is refused with a DataError that names the file and the field.

The corpus lives in tests/data/bad/, one file per kind of failure, in YAML
and in JSON. EXPECTED pairs each file with words its message must contain
(the field at fault, the offending value, what was expected); the message
text is not API, so the words are the ones a reader needs, not whole lines.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiation_model as nm
from negotiation_model.io import episode_to_dict

BAD = Path(__file__).parent / "data" / "bad"

#: The longest message a bad file may produce (a runaway repr would be far longer).
MAX_MESSAGE = 4000

EXPECTED: dict[str, tuple[str, ...]] = {
    # syntax, encoding, size
    "syntax_unclosed_flow.yaml": ("YAML syntax", "line 5"),
    "syntax_tab_indent.yaml": ("YAML syntax", "tab", "line"),
    "multiple_documents.yaml": ("YAML syntax", "another document"),
    "syntax_trailing_comma.json": ("JSON syntax", "line 8"),
    "syntax_truncated.json": ("JSON syntax", "line"),
    "empty.yaml": ("empty",),
    "empty.json": ("empty",),
    "whitespace_only.yaml": ("empty",),
    "whitespace_only.json": ("empty",),
    "not_utf8.yaml": ("not UTF-8",),
    "not_utf8.json": ("not UTF-8",),
    "deep_nesting_flow.yaml": ("nesting depth",),
    "deep_nesting_block.yaml": ("nesting",),
    "deep_nesting.json": ("nested too deeply",),
    "alias_bomb.yaml": ("actor 'B'", "'kind'", "expected state, person or organisation"),
    # the top level
    "top_level_list.yaml": ("top level", "got list"),
    "top_level_list.json": ("top level", "got list"),
    "top_level_scalar.yaml": ("top level", "got str"),
    "top_level_scalar.json": ("top level", "got int"),
    "missing_required_keys.yaml": ("'title' is missing", "'events' is missing"),
    "missing_required_keys.json": ("'roles' is missing", "'actors' is missing"),
    "unknown_top_level_key.yaml": ("'red_lien'", "did you mean 'red_line'"),
    "duplicate_yaml_key.yaml": ("duplicate key 'title'", "line 6"),
    "duplicate_json_key.json": ("duplicate key 'kind'",),
    "wrong_type_title.yaml": ("'title'", "got list"),
    "wrong_type_roles.yaml": ("'roles'", "expected a mapping", "got list"),
    "wrong_type_events.yaml": ("'events'", "expected a list", "got dict"),
    "wrong_type_notes.yaml": ("'notes'", "expected a list", "got str"),
    "wrong_type_actors.json": ("'actors'", "expected a mapping", "got list"),
    "null_sources.yaml": ("'sources'", "expected a mapping", "null"),
    "null_events.json": ("'events'", "expected a list", "null"),
    "initiator_is_respondent.yaml": ("'roles'", "must differ"),
    "undeclared_role_actor.yaml": ("'roles.initiator'", "'X'", "not a declared actor"),
    # actors
    "unknown_actor_key.yaml": ("actor 'a-leader'", "'represent'", "did you mean 'represents'"),
    "unknown_actor_kind.yaml": ("actor 'B'", "'kind'", "'country'"),
    "wrong_type_actor_kind.yaml": ("actor 'B'", "'kind'", "['state']"),
    "represents_unknown_actor.yaml": ("actor 'a-leader'", "'represents'", "'Z'", "not a declared actor"),
    "represents_cycle.yaml": ("actor 'a-leader'", "'represents'", "loops"),
    "represents_cycle.json": ("actor 'A'", "'represents'", "loops"),
    # sources
    "unknown_source_key.json": ("source 's1'", "'titel'", "did you mean 'title'"),
    "source_not_findable.yaml": ("source 's1'", "title or a url"),
    "wrong_type_source_date.yaml": ("source 's1'", "'date'", "[2024]"),
    # events: fields and types
    "event_missing_id.yaml": ("event at index 0", "'id' is missing"),
    "unknown_event_key.yaml": ("event 'slam'", "'respond_to'", "did you mean 'responds_to'"),
    "unknown_codes_key.yaml": ("event 'offer'", "codes", "'camo'", "did you mean 'cameo'"),
    "unknown_quote_key.yaml": ("event 'slam'", "quote", "'sauce'", "did you mean 'source'"),
    "unknown_kind.yaml": ("event 'offer'", "'kind'", "'ofer'", "did you mean 'offer'"),
    "wrong_type_event_item.yaml": ("event at index 0", "expected a mapping", "got str"),
    "wrong_type_event_kind.yaml": ("event 'slam'", "'kind'", "['door_slammed']"),
    "wrong_type_event_kind.json": ("event 'slam'", "'kind'", "{'door': 'slammed'}"),
    "wrong_type_actor_field.yaml": ("event 'slam'", "'actor'", "got int"),
    "wrong_type_issues.yaml": ("event 'offer'", "'issues'", "expected a list", "got str"),
    "wrong_type_responds_to.yaml": ("event 'slam'", "'responds_to'", "expected a list", "got str"),
    "wrong_type_link_reason.json": ("event 'slam'", "'responds_to.reason'", "got int"),
    "wrong_type_quote.yaml": ("event 'slam'", "'quote'", "expected a mapping", "got str"),
    "wrong_type_event_sources.json": ("event 'slam'", "'sources'", "expected a list", "got str"),
    "wrong_type_codes.json": ("event 'offer'", "'codes'", "expected a mapping", "got str"),
    "wrong_type_summary.json": ("event 'offer'", "'summary'", "got int"),
    "wrong_type_date.json": ("event 'slam'", "'date'", "got bool"),
    "wrong_type_date_precision.yaml": ("event 'slam'", "'date_precision'", "{'day': True}"),
    "wrong_type_goldstein.yaml": ("event 'offer'", "'codes.goldstein'", "'high'"),
    "cameo_as_number.yaml": ("event 'offer'", "'codes.cameo'", '"036"'),
    "cameo_as_number.json": ("event 'offer'", "'codes.cameo'", '"036"'),
    "goldstein_out_of_range.yaml": ("event 'offer'", "'codes.goldstein'", "-10 to 10", "12"),
    "goldstein_out_of_range.json": ("event 'offer'", "'codes.goldstein'", "-10 to 10", "-11.5"),
    "goldstein_nan.json": ("event 'offer'", "'codes.goldstein'", "nan"),
    # events: dates
    "impossible_date.yaml": ("event 'slam'", "'date'", "2023-02-30"),
    "impossible_date.json": ("event 'slam'", "'date'", "2023-02-30"),
    "datetime_instead_of_date.yaml": ("event 'slam'", "'date'", "without a time"),
    "datetime_instead_of_date.json": ("event 'slam'", "'date'", "2024-02-11T10:30:00"),
    "date_precision_mismatch.yaml": ("event 'slam'", "'date_precision'", "'month'", "2024-02-11"),
    "unknown_date_precision.yaml": ("event 'slam'", "'date_precision'", "'week'"),
    # events: references
    "undeclared_actor.yaml": ("event 'slam'", "'actor'", "'C'", "not a declared actor"),
    "undeclared_actor.json": ("event 'slam'", "'actor'", "'PRK'", "not a declared actor"),
    "undeclared_target.yaml": ("event 'offer'", "'target'", "'ROK'", "not a declared actor"),
    "undeclared_target.json": ("event 'offer'", "'target'", "'ROK'", "not a declared actor"),
    "undeclared_source.yaml": ("event 'slam'", "'sources'", "'s2'", "not a declared source"),
    "undeclared_quote_source.yaml": ("event 'slam'", "'quote.source'", "'s9'", "not a declared source"),
    "event_without_sources.yaml": ("event 'slam'", "'sources'", "at least one"),
    "event_missing_sources.yaml": ("event 'slam'", "'sources' is missing"),
    "duplicate_event_ids.yaml": ("event 'slam'", "'id'", "duplicate"),
    "duplicate_event_ids.json": ("event 'offer'", "'id'", "duplicate"),
    "responds_to_missing_event.yaml": ("event 'slam'", "'responds_to'", "'nothing'", "not an event"),
    "responds_to_later_event.yaml": ("event 'offer'", "'responds_to'", "'slam'", "dated earlier"),
    "responds_to_later_event.json": ("event 'offer'", "'responds_to'", "'slam'", "dated earlier"),
    "responds_to_itself.yaml": ("event 'slam'", "'responds_to'", "itself"),
    "responds_to_itself.json": ("event 'slam'", "'responds_to'", "itself"),
    "responds_to_loop.yaml": ("'offer'", "'slam'", "'responds_to'", "loop"),
    # nothing is evaluated
    "python_object_tag.yaml": ("python/object/apply", "only plain data"),
}


def test_every_bad_file_has_an_expectation() -> None:
    """The table and the directory list the same files, YAML and JSON both well represented."""
    on_disk = {p.name for p in BAD.iterdir()}
    assert on_disk == set(EXPECTED)
    assert sum(name.endswith(".json") for name in on_disk) >= 15
    assert sum(name.endswith(".yaml") for name in on_disk) >= 30


@pytest.mark.parametrize(("name", "words"), sorted(EXPECTED.items()))
def test_bad_file_raises_a_data_error_naming_the_file_and_field(name: str, words: tuple[str, ...]) -> None:
    """Loading the file raises DataError (a ValueError) whose message names the file and the field."""
    path = BAD / name
    with pytest.raises(nm.DataError) as info:
        nm.load_episode(path)
    exc = info.value
    assert isinstance(exc, ValueError)
    message = str(exc)
    assert str(path) in message
    assert exc.path == str(path)
    missing = [w for w in words if w not in message]
    assert not missing, f"{name}: {missing} not in message:\n{message}"
    assert len(message) < MAX_MESSAGE


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_bytes_raise_a_data_error_from_read_data_too(name: str) -> None:
    """The same files, fed to episode_from_dict(read_data(...)) with another name, report that name."""
    from negotiation_model.io import episode_from_dict, read_data

    path = BAD / name
    with pytest.raises(nm.DataError) as info:
        episode_from_dict(read_data(path.read_bytes(), "<upload>", path.suffix), path="<upload>")
    assert str(info.value).startswith("<upload>")


# -- fuzzing: mutated valid files -----------------------------------------------------------

GOOD = Path(__file__).parent / "data" / "good"


SEED_DATA = {
    "minimal": episode_to_dict(nm.load_episode(GOOD / "minimal.yaml")),
    "bundled": episode_to_dict(nm.load_episode("japan-dprk-2023-24")),
}
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(name: str, data: object) -> bytes:
    """Return data as the file format the seed's name says, as a user might have written it."""
    if name.endswith(".json"):
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass")
    text: str = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    return text.encode("utf-8", "surrogatepass")


#: Valid files to mutate: the minimal episode and a bundled one, each in YAML and JSON.
SEEDS = {
    "minimal.yaml": (GOOD / "minimal.yaml").read_bytes(),
    "minimal.json": _dump("minimal.json", SEED_DATA["minimal"]),
    "bundled.yaml": _dump("bundled.yaml", SEED_DATA["bundled"]),
    "bundled.json": _dump("bundled.json", SEED_DATA["bundled"]),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for fuzzed files (module-scoped: hypothesis runs many examples per test)."""
    return tmp_path_factory.mktemp("fuzz")


def _load_only_data_errors(path: Path, raw: bytes) -> None:
    """Write raw to path and load it: a DataError naming the file, or a valid episode that round-trips."""
    path.write_bytes(raw)
    try:
        episode = nm.load_episode(path)
    except nm.DataError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert message.startswith(str(path))
        return
    assert isinstance(episode, nm.Episode)
    again = nm.save_episode(episode, path.with_name("again" + path.suffix))
    assert nm.load_episode(again) == episode


@st.composite
def byte_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """Draw a seed file and damage its bytes: flips, deletions, insertions, truncation, line edits."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    raw = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "dup_line", "drop_line", "swap_lines"]))
        if not raw:
            break
        i = draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[i] ^= draw(st.integers(1, 255))
        elif op == "delete":
            del raw[i : i + draw(st.integers(1, 16))]
        elif op == "insert":
            raw[i:i] = draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from([b"[", b"{", b": ", b"- ", b"\t", b"&a", b"*a", b"!!python/name:os.system "])
            )
        elif op == "truncate":
            del raw[i:]
        else:
            lines = bytes(raw).splitlines(keepends=True)
            j = draw(st.integers(0, len(lines) - 1))
            k = draw(st.integers(0, len(lines) - 1))
            if op == "dup_line":
                lines.insert(j, lines[j])
            elif op == "drop_line":
                del lines[j]
            else:
                lines[j], lines[k] = lines[k], lines[j]
            raw = bytearray(b"".join(lines))
    return name, bytes(raw)


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Return the path of every node under data (dict keys and list indices)."""
    out: list[tuple[object, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


ODD_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=10)
    | st.sampled_from(["", " ", "2023-02-30", "2024-13", "offer", "JPN", "month", "036"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@st.composite
def structure_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """Draw a seed file, parse it, and delete keys, rename keys or swap values for odd ones."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = copy.deepcopy(SEED_DATA[name.split(".")[0]])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        op = draw(st.sampled_from(["delete", "replace", "rename"]))
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = draw(ODD_VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = parent.pop(last)
    return name, _dump(name, data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte_mutations())
def test_damaged_bytes_raise_only_data_errors(scratch: Path, case: tuple[str, bytes]) -> None:
    """Flipped, deleted, inserted or truncated bytes and shuffled lines: load_episode raises DataError or loads."""
    name, raw = case
    _load_only_data_errors(scratch / f"bytes-{name}", raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structure_mutations())
def test_damaged_structure_raises_only_data_errors(scratch: Path, case: tuple[str, bytes]) -> None:
    """Deleted keys, renamed keys and values of the wrong type: load_episode raises DataError or loads."""
    name, raw = case
    _load_only_data_errors(scratch / f"structure-{name}", raw)


# -- pathological sizes -------------------------------------------------------------------------

DEEP = 100_000

PATHOLOGICAL: dict[str, str] = {
    "flow.yaml": "id: x\nnotes: " + "[" * DEEP + "]" * DEEP + "\n",
    "flow_mappings.yaml": "id: x\nnotes: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n",
    "block.yaml": "id: x\nnotes:\n" + "- " * DEEP + "x\n",
    "unclosed.yaml": "id: x\nnotes: " + "[" * DEEP,
    "arrays.json": '{"id": "x", "notes": ' + "[" * DEEP + "]" * DEEP + "}",
    "objects.json": '{"id": "x", "notes": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
    "unclosed.json": '{"id": "x", "notes": ' + "[" * DEEP,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_deep_nesting_is_refused_without_a_crash(tmp_path: Path, name: str) -> None:
    """100,000 levels of nesting (YAML flow and block, JSON) give a DataError, not a stack overflow."""
    path = tmp_path / name
    path.write_text(PATHOLOGICAL[name], encoding="utf-8")
    with pytest.raises(nm.DataError, match="nest") as info:
        nm.load_episode(path)
    assert str(path) in str(info.value)


def _big_episode(n: int) -> dict[str, Any]:
    """An episode of n events, three a day; every tenth has month precision and answers the one before."""
    start = dt.date(1900, 1, 1)
    kinds = ["offer", "precondition", "issue_raised", "door_slammed", "statement"]
    events = []
    for i in range(n):
        day = start + dt.timedelta(days=i // 3)
        event: dict[str, Any] = {
            "id": f"e{i:06d}",
            "kind": kinds[i % 5],
            "actor": "A" if i % 2 == 0 else "B",
            "summary": f"Event {i}. " + "Words to make the file large. " * 16,
            "issues": ["hostages"] if i % 7 == 0 else [],
            "sources": ["s1"],
            "date": day.isoformat(),
        }
        if i % 10 == 5:  # sorts before the event it answers by date alone
            event["date"], event["date_precision"] = day.strftime("%Y-%m"), "month"
        if i:
            event["responds_to"] = [f"e{i - 1:06d}"]
        events.append(event)
    return {
        "id": "big",
        "title": "A very large episode",
        "roles": {"initiator": "A", "respondent": "B"},
        "red_line": "hostages",
        "actors": {"A": {"name": "State A"}, "B": {"name": "State B"}},
        "sources": {"s1": {"title": "A source"}},
        "events": events,
    }


@pytest.mark.slow
def test_a_50000_event_json_file_loads_completely_and_in_order(tmp_path: Path) -> None:
    """A 50,000-event JSON episode (tens of MB) loads with every event, in file (= answer) order."""
    n = 50_000
    path = tmp_path / "big.json"
    path.write_text(json.dumps(_big_episode(n)), encoding="utf-8")
    assert path.stat().st_size > 20_000_000
    episode = nm.load_episode(path)
    assert len(episode) == n
    assert episode.event_ids == tuple(f"e{i:06d}" for i in range(n))
    assert episode.events[5].date_precision is nm.DatePrecision.MONTH
    assert episode.events[-1].responds_to == (f"e{n - 2:06d}",)
