"""Reading and writing episode files (YAML or JSON), and the bundled episodes.

This is the edge where untrusted data comes in, so everything is checked
here: the syntax, the shape, every field's type, the references between
records. A bad file raises :class:`~negotiation_model.DataError` listing
every problem found (file, event id or index, field, what was expected);
nothing is half-loaded. YAML is read with a safe loader that also refuses
duplicate keys; nothing is evaluated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
import os
import re
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .episode import Episode, Roles
from .errors import DataError, short_repr
from .events import (
    Actor,
    ActorKind,
    Codes,
    DatePrecision,
    Event,
    EventKind,
    Quote,
    Source,
    _checked,
    _unchecked_event,
    date_text,
)

__all__ = [
    "episode_from_dict",
    "episode_to_dict",
    "list_episodes",
    "load_episode",
    "read_data",
    "save_episode",
]

T = TypeVar("T", bound=Hashable)

#: A date and its precision, as parsed from a file.
_Dated = tuple[dt.date, DatePrecision]

PathLike = str | os.PathLike[str]

#: Suffixes read as YAML and as JSON.
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)


_EPISODE_KEYS = {"id", "title", "summary", "roles", "red_line", "actors", "sources", "events", "notes"}
_REQUIRED_EPISODE_KEYS = ("id", "title", "roles", "red_line", "actors", "sources", "events")
_EVENT_KEYS = {
    "id",
    "date",
    "date_precision",
    "kind",
    "actor",
    "target",
    "issues",
    "summary",
    "quote",
    "responds_to",
    "sources",
    "codes",
    "note",
}
_ACTOR_KEYS = {"name", "kind", "represents"}
_SOURCE_KEYS = {"title", "url", "author", "publisher", "date"}
_QUOTE_KEYS = {"text", "speaker", "source"}
_CODES_KEYS = {"cameo", "plover", "plover_mode", "goldstein"}
_REQUIRED_EVENT_KEYS = frozenset(("id", "date", "kind", "actor", "sources"))
_LINK_KEYS = {"event", "reason"}
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_KINDS = {k.value: k for k in EventKind}
_PRECISIONS = {p.value: p for p in DatePrecision}
_ACTOR_KINDS = {k.value: k for k in ActorKind}


# -- the bundled data ---------------------------------------------------------


def _bundled_dir() -> Any:
    return resources.files("negotiation_model").joinpath("data").joinpath("episodes")


def list_episodes() -> list[str]:
    """Return the ids of the bundled episodes, sorted.

    Examples:
        >>> import negotiation_model as nm
        >>> "japan-dprk-2023-24" in nm.list_episodes()
        True
    """
    return sorted(p.name[: -len(".yaml")] for p in _bundled_dir().iterdir() if p.name.endswith(".yaml"))


def load_episode(id_or_path: str | os.PathLike[str]) -> Episode:
    """Load a bundled episode by id, or an episode file (YAML or JSON) by path.

    Args:
        id_or_path: A bundled id (see :func:`list_episodes`) or the path of a
            ``.yaml``, ``.yml`` or ``.json`` file.

    Raises:
        DataError: When the file is malformed; the message lists every problem.
        FileNotFoundError: When it is neither a bundled id nor a file.

    Examples:
        >>> import negotiation_model as nm
        >>> ep = nm.load_episode("japan-dprk-2023-24")
        >>> ep.roles.initiator, ep.red_line
        ('JPN', 'abductees')
    """
    if isinstance(id_or_path, str) and id_or_path in list_episodes() and not Path(id_or_path).exists():
        resource = _bundled_dir().joinpath(f"{id_or_path}.yaml")
        return _episode_from_bytes(resource.read_bytes, f"<bundled {id_or_path}>", ".yaml")
    path = Path(id_or_path)
    if not path.is_file():
        hint = ""
        if isinstance(id_or_path, str) and path.suffix == "":
            hint = f" (bundled episodes: {', '.join(list_episodes())})"
        raise _no_file(path, f"{id_or_path}: no such bundled episode or file{hint}")
    return _episode_from_bytes(path.read_bytes, str(path), path.suffix.lower())


def _no_file(path: Path, message: str) -> FileNotFoundError:
    """Return the error for a path that is not a file: ``message``, or that it is a directory."""
    return FileNotFoundError(f"{path}: is a directory (expected a file)" if path.is_dir() else message)


def save_episode(episode: Episode, path: PathLike) -> Path:
    """Write an episode as YAML or JSON, chosen by the file's suffix.

    ``load_episode(save_episode(ep, path)) == ep`` for every episode.

    Returns:
        The path written.

    Raises:
        ValueError: When the suffix is neither YAML nor JSON.
    """
    path = Path(path)
    data = episode_to_dict(episode)
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif suffix in YAML_SUFFIXES:
        text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    else:
        raise ValueError(f"{path}: cannot tell the format from the suffix {path.suffix!r} (use .yaml, .yml or .json)")
    path.write_text(text, encoding="utf-8")
    return path


# -- parsing ------------------------------------------------------------------


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that refuses duplicate keys (a silent overwrite hides typos)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges; keys given beside it override, as YAML means them to
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
                )
            seen.add(key) if isinstance(key, Hashable) else None
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # An impossible date (2024-02-30) stays text, so the field checks can name
    # the event and the field instead of failing the whole parse.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumper that writes multi-line text as blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _duplicate_key(pairs: list[tuple[str, Any]]) -> _DuplicateKey:
    """Return the error naming the first key that repeats in a JSON object's pairs."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return _DuplicateKey(key)
        seen.add(key)
    raise AssertionError("called on pairs without a repeated key")  # pragma: no cover


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A ``json.loads`` object hook that refuses repeated keys (a silent overwrite hides typos)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _duplicate_key(pairs)
    return out


class _JsonEvents:
    """A ``json.loads`` object hook (:meth:`object`) for episode files: refuse repeated keys, build events as parsed.

    Each usual event becomes its :class:`Event` the moment the parser has
    read it (through the loader's fast road, :func:`_plain_event`), so the
    parsed mappings of a large file never all live at once beside its text:
    a load's peak memory is the text plus the records. Anything else is
    left as a mapping, for the long road to check and word.

    ``built`` counts the events made. An event-shaped object can sit where
    no event belongs (the hook cannot see where it is): the loader then
    parses the text again with :func:`_json_object`, so that the messages
    are those of a plain parse.
    """

    __slots__ = ("_chk", "built")

    def __init__(self, chk: _Checker) -> None:
        self._chk = chk
        self.built = 0

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any] | Event:
        """The hook proper (a bound method, which the parser calls faster than an instance's ``__call__``)."""
        out = dict(pairs)
        if len(out) != len(pairs):
            raise _duplicate_key(pairs)
        if out.get("sources").__class__ is list:  # event-shaped (an episode's own sources are a mapping)
            try:  # _plain_event, inlined: this runs once per event of a large file
                event = _plain_event_or_none(self._chk, out)
            except TypeError:
                event = None
            if event is not None:
                self.built += 1
                return event
        return out


#: What an episode file holds, for the message about an empty one.
_EPISODE_EXPECTED = "a mapping with id, title, roles, ..."


class _DuplicateKey(Exception):
    pass


def read_data(raw: bytes, where: str, suffix: str, *, expected: str = _EPISODE_EXPECTED) -> Any:
    """Parse YAML or JSON bytes into plain Python data, or raise :class:`DataError`.

    Args:
        raw: The file's bytes (must be UTF-8).
        where: How to name the file in messages.
        suffix: ``.yaml``, ``.yml`` or ``.json``.
        expected: What the file should hold, for the message about an empty file.
    """
    text = _decode(raw, where, expected)
    del raw  # a caller that handed over its only reference lets the bytes go before the parse
    return _parse(text, where, suffix, _json_object)


def _decode(raw: bytes, where: str, expected: str = _EPISODE_EXPECTED) -> str:
    """Return a file's bytes as text (UTF-8, without a byte-order mark), or raise :class:`DataError`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})", path=where) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():  # (not text.strip(): that would copy a large file's text once more)
        raise DataError(f"the file is empty (expected {expected})", path=where)
    return text


def _parse(text: str, where: str, suffix: str, json_hook: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    """Parse YAML or JSON text (JSON objects through ``json_hook``), or raise :class:`DataError`."""
    try:
        if suffix in JSON_SUFFIXES:
            return json.loads(text, object_pairs_hook=json_hook)
        if suffix in YAML_SUFFIXES:
            return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise DataError(f"JSON syntax: duplicate key {exc.args[0]!r} in one object", path=where) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"JSON syntax: {exc.msg} at line {exc.lineno}, column {exc.colno}", path=where) from None
    except yaml.constructor.ConstructorError as exc:
        raise DataError(f"YAML: {_yaml_problem(exc)} (only plain data is allowed)", path=where) from None
    except yaml.YAMLError as exc:
        raise DataError(f"YAML syntax: {_yaml_problem(exc)}", path=where) from None
    except (RecursionError, MemoryError):
        raise DataError(
            "the data is nested too deeply for the parser (episode files are a few levels deep)", path=where
        ) from None
    except ValueError as exc:  # e.g. yaml timestamps out of range
        raise DataError(f"unreadable value: {exc}", path=where) from None
    raise DataError(f"cannot tell the format from the suffix {suffix!r} (use .yaml, .yml or .json)", path=where)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)


def _episode_from_bytes(read: Callable[[], bytes], where: str, suffix: str) -> Episode:
    # The bytes go straight from ``read`` to the decoder and are dropped once
    # decoded. JSON events are built as they are parsed (_JsonEvents); other
    # parsed events are dropped as they are built (consume). Either way a
    # large file never has its bytes, text, parsed data and records in
    # memory all at once. The collector is paused for the parse too.
    with _collector_paused():
        if suffix not in JSON_SUFFIXES:
            return _episode_from_data(read_data(read(), where, suffix), where, _Checker(consume=True))
        text = _decode(read(), where)
        chk = _Checker(consume=True, prebuilt=True)
        hook = _JsonEvents(chk)
        data = _parse(text, where, suffix, hook.object)
        if hook.built and not _built_events_in_place(data, hook.built):
            chk = _Checker(consume=True)
            data = _parse(text, where, suffix, _json_object)
        del text
        return _episode_from_data(data, where, chk)


def _built_events_in_place(data: Any, built: int) -> bool:
    """Return True when every event the parse built sits in the episode's list of events."""
    events = data.get("events") if data.__class__ is dict else None
    return events.__class__ is list and list(map(type, events)).count(Event) == built


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an episode is built, then restore its state.

    Building makes hundreds of thousands of small records on a large file,
    none in a reference cycle. With the collector on, they trigger a
    collection every few hundred allocations, and the ones that reach the
    oldest generation walk every object in the process: that doubles the
    load time of a 100,000-event file. No user code runs in between.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- checking the shape ---------------------------------------------------------


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    return type(value).__name__


class _Checker:
    """Collects problems while building records from plain data."""

    def __init__(self, *, consume: bool = False, prebuilt: bool = False) -> None:
        self.problems: list[str] = []
        self._interned: dict[Any, Any] = {}
        #: Drop each parsed event from its list once built (the data is ours, not a caller's).
        self.consume = consume
        #: The list of events may hold Event records built during the parse (see _JsonEvents).
        self.prebuilt = prebuilt
        # What files repeat, checked once and shared (see _plain_event):
        self._lists: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._sets: dict[tuple[str, ...], frozenset[str]] = {}
        self._layouts: dict[tuple[Any, ...], bool] = {}
        self._dates: dict[str, _Dated | None] = {}
        self._names: dict[str, str] = {}
        self._codes: dict[tuple[Any, ...], Codes] = {}

    def add(self, message: str) -> None:
        self.problems.append(message)

    def share(self, value: T) -> T:
        """Return one shared copy of equal values (saves memory on large files)."""
        return self._interned.setdefault(value, value)  # type: ignore[no-any-return]

    def keys(self, where: str, data: Mapping[str, Any], allowed: set[str], required: Iterable[str] = ()) -> None:
        for key in data:
            if key not in allowed:
                hint = _close_match(str(key), allowed)
                self.add(f"{where}: unknown field {key!r}{hint} (expected one of {', '.join(sorted(allowed))})")
        for key in required:
            if key not in data:
                self.add(f"{where}: field {key!r} is missing")

    def text(self, where: str, field: str, value: Any, *, required: bool = True) -> str | None:
        # _plain_event mirrors this check for plain strings: keep the two in step.
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(
                f"{where}: field {field!r}: expected {'non-empty ' if required else ''}text, got {_type_name(value)}"
            )
            return None
        return value

    def text_list(self, where: str, field: str, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return ()
        if value.__class__ is list:
            # Events repeat the same few lists (sources, issues): check and
            # intern each distinct list once. Only lists that passed are kept.
            try:
                return self._lists[tuple(value)]
            except (KeyError, TypeError):  # new, or holds something unhashable (checked below)
                pass
        if isinstance(value, str) or not isinstance(value, list):
            self.add(f"{where}: field {field!r}: expected a list of text, got {_type_name(value)}")
            return None
        bad = [v for v in value if not isinstance(v, str) or not v.strip()]
        if bad:
            self.add(f"{where}: field {field!r}: expected a list of non-empty text, got {_shown(bad[0])} in it")
            return None
        out = tuple(sys.intern(v) for v in value)
        self._lists[out] = out
        return out

    def mapping(self, where: str, field: str, value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(f"{where}: field {field!r}: expected a mapping, got {_type_name(value)}")
            return None
        return value


def _shown(value: object) -> str:
    """Return a short repr of a value from a file, for a message (see ``errors.short_repr``)."""
    return short_repr(value)


def _close_match(key: str, allowed: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(key, list(allowed), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _parse_date(chk: _Checker, where: str, value: Any, precision: Any) -> tuple[dt.date, DatePrecision] | None:
    if isinstance(value, dt.datetime):
        chk.add(f"{where}: field 'date': expected a date without a time, got {value.isoformat()}")
        return None
    if isinstance(value, dt.date):
        parsed: tuple[dt.date, DatePrecision] | None = (value, DatePrecision.DAY)
    elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        parsed = (dt.date(value, 1, 1), DatePrecision.YEAR)
    elif isinstance(value, str):
        parsed = _parse_date_text(value)
        if parsed is None:
            chk.add(f"{where}: field 'date': expected YYYY-MM-DD, YYYY-MM or YYYY (a real date), got {value!r}")
            return None
    else:
        chk.add(f"{where}: field 'date': expected YYYY-MM-DD, YYYY-MM or YYYY, got {_type_name(value)}")
        return None
    assert parsed is not None
    if precision is not None:
        if not isinstance(precision, str) or precision not in _PRECISIONS:
            chk.add(f"{where}: field 'date_precision': expected day, month or year, got {_shown(precision)}")
            return None
        if _PRECISIONS[precision] is not parsed[1]:
            chk.add(
                f"{where}: field 'date_precision': {precision!r} does not match the date "
                f"{value!s} (a {parsed[1].value}-precision date; write "
                f"{'YYYY-MM' if precision == 'month' else 'YYYY' if precision == 'year' else 'YYYY-MM-DD'})"
            )
            return None
    return parsed


# Dates repeat from event to event (several moves a day, a month or a year):
# each distinct text is parsed once. The result is immutable, so it is shared.
@functools.lru_cache(maxsize=4096)
def _parse_date_text(value: str) -> tuple[dt.date, DatePrecision] | None:
    if len(value) == 10 and value.isascii() and value[4] == value[7] == "-" and value.replace("-", "").isdigit():
        # The usual YYYY-MM-DD, read in C (a fifth of the cost). The shape is
        # checked first: fromisoformat alone also takes 20240101 or 2024-W01-1.
        try:
            return dt.date.fromisoformat(value), DatePrecision.DAY
        except ValueError:  # no such day (2024-02-30)
            return None
    m = _DATE_RE.match(value.strip())
    if not m:
        return None
    year, month, day = m.groups()
    try:
        if day is not None:
            return dt.date(int(year), int(month), int(day)), DatePrecision.DAY
        if month is not None:
            return dt.date(int(year), int(month), 1), DatePrecision.MONTH
        return dt.date(int(year), 1, 1), DatePrecision.YEAR
    except ValueError:
        return None


def _source_date(chk: _Checker, where: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _parse_date_text(value) is not None:
        return value.strip()
    chk.add(f"{where}: field 'date': expected YYYY-MM-DD, YYYY-MM or YYYY, got {_shown(value)}")
    return None


def episode_from_dict(data: Any, *, path: str | None = None) -> Episode:
    """Build an :class:`Episode` from plain data (as parsed from YAML or JSON).

    Args:
        data: A mapping in the episode file format.
        path: How to name the data's origin in error messages.

    Raises:
        DataError: Listing every problem found; nothing is half-built.
    """
    return _episode_from_data(data, path, _Checker())


def _episode_from_data(data: Any, path: str | None, chk: _Checker) -> Episode:
    with _collector_paused():
        try:
            episode = _build_episode(chk, data)
        except DataError as exc:  # record-level checks (cross references) after the shape passed
            raise DataError(chk.problems + list(exc.problems), path=path) from None
    if chk.problems or episode is None:
        raise DataError(chk.problems or ["the episode could not be built"], path=path)
    return episode


def _build_episode(chk: _Checker, data: Any) -> Episode | None:
    if not isinstance(data, dict):
        chk.add(f"expected a mapping at the top level (id, title, roles, ...), got {_type_name(data)}")
        return None
    chk.keys("episode", data, _EPISODE_KEYS, _REQUIRED_EPISODE_KEYS)
    where = f"episode {data.get('id')!r}" if isinstance(data.get("id"), str) else "episode"
    for key in ("roles", "actors", "sources", "events"):
        if key in data and data[key] is None:  # `sources:` with nothing after it; the builders skip None
            wanted = "a list of events" if key == "events" else "a mapping"
            chk.add(f"{where}: field {key!r}: expected {wanted}, got nothing (null)")
    ep_id = chk.text(where, "id", data.get("id"))
    title = chk.text(where, "title", data.get("title"))
    summary = chk.text(where, "summary", data.get("summary", ""), required=False) or ""
    red_line = chk.text(where, "red_line", data.get("red_line"))
    notes = chk.text_list(where, "notes", data.get("notes"))
    roles = _build_roles(chk, where, data.get("roles"))
    actors = _build_actors(chk, data.get("actors"))
    sources = _build_sources(chk, data.get("sources"))
    events = _build_events(chk, data.get("events"))
    if chk.problems:
        return None
    assert ep_id and title and red_line and roles is not None and notes is not None
    assert actors is not None and sources is not None and events is not None
    return Episode(
        id=ep_id,
        title=title,
        summary=summary,
        roles=roles,
        red_line=red_line,
        actors=actors,
        sources=sources,
        events=events,
        notes=notes,
    )


def _build_roles(chk: _Checker, where: str, value: Any) -> Roles | None:
    if value is None:
        return None
    roles = chk.mapping(where, "roles", value)
    if roles is None:
        return None
    chk.keys("roles", roles, {"initiator", "respondent"}, ("initiator", "respondent"))
    initiator = chk.text("roles", "initiator", roles.get("initiator"))
    respondent = chk.text("roles", "respondent", roles.get("respondent"))
    if initiator is None or respondent is None:
        return None
    return Roles(initiator=initiator, respondent=respondent)


def _build_actors(chk: _Checker, value: Any) -> dict[str, Actor] | None:
    if value is None:
        return None
    actors = chk.mapping("episode", "actors", value)
    if actors is None:
        return None
    out: dict[str, Actor] = {}
    for key, spec in actors.items():
        where = f"actor {key!r}"
        if not isinstance(key, str) or not key.strip():
            chk.add(f"{where}: expected a text id")
            continue
        if not isinstance(spec, dict):
            chk.add(f"{where}: expected a mapping with name, kind, represents; got {_type_name(spec)}")
            continue
        chk.keys(where, spec, _ACTOR_KEYS, ("name",))
        name = chk.text(where, "name", spec.get("name"))
        kind = spec.get("kind", "state")
        if not isinstance(kind, str) or kind not in _ACTOR_KINDS:
            chk.add(f"{where}: field 'kind': expected state, person or organisation, got {_shown(kind)}")
            continue
        represents = chk.text(where, "represents", spec.get("represents"), required=False)
        if name is None:
            continue
        out[key] = Actor(key, name, kind=_ACTOR_KINDS[kind], represents=represents)
    return out


def _build_sources(chk: _Checker, value: Any) -> dict[str, Source] | None:
    if value is None:
        return None
    sources = chk.mapping("episode", "sources", value)
    if sources is None:
        return None
    out: dict[str, Source] = {}
    for key, spec in sources.items():
        where = f"source {key!r}"
        if not isinstance(key, str) or not key.strip():
            chk.add(f"{where}: expected a text id")
            continue
        if not isinstance(spec, dict):
            chk.add(f"{where}: expected a mapping with title and/or url; got {_type_name(spec)}")
            continue
        chk.keys(where, spec, _SOURCE_KEYS)
        fields = {k: chk.text(where, k, spec.get(k), required=False) for k in ("title", "url", "author", "publisher")}
        date = _source_date(chk, where, spec.get("date"))
        if not fields["title"] and not fields["url"]:
            chk.add(f"{where}: expected a title or a url (a source must be findable)")
            continue
        out[key] = Source(
            key,
            fields["title"],
            url=fields["url"],
            author=fields["author"],
            publisher=fields["publisher"],
            date=date,
        )
    return out


def _build_events(chk: _Checker, value: Any) -> list[Event] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        chk.add(f"episode: field 'events': expected a list of events, got {_type_name(value)}")
        return None
    prebuilt = chk.prebuilt
    if prebuilt and list(map(type, value)).count(Event) == len(value):  # every one built during the parse
        return list(value)
    out: list[Event] = []
    for index, spec in enumerate(value):
        if prebuilt and spec.__class__ is Event:  # built and checked during the parse
            out.append(spec)
            continue
        event = _build_event(chk, index, spec)
        if event is not None:
            out.append(event)
        if chk.consume:
            value[index] = None
    return out


def _build_event(chk: _Checker, index: int, spec: Any) -> Event | None:
    # The usual event takes the short road; anything else, and every problem,
    # takes the long one, which names the event, the field and what was
    # expected. (A check added to the long road must be mirrored in _plain_event.)
    if spec.__class__ is dict:
        event = _plain_event(chk, spec)
        if event is not None:
            return event
    return _long_event(chk, index, spec)


def _long_event(chk: _Checker, index: int, spec: Any) -> Event | None:
    """Build an event, or report every problem with it (naming the event, the field, what was expected)."""
    if not isinstance(spec, dict):
        chk.add(f"event at index {index}: expected a mapping, got {_type_name(spec)}")
        return None
    raw_id = spec.get("id")
    where = f"event {raw_id!r} (index {index})" if isinstance(raw_id, str) and raw_id else f"event at index {index}"
    before = len(chk.problems)
    keys = spec.keys()
    if not keys <= _EVENT_KEYS:  # set operations first: the loops only run to word a problem
        for key in spec:
            if key not in _EVENT_KEYS:
                hint = _close_match(str(key), _EVENT_KEYS)
                chk.add(f"{where}: unknown field {key!r}{hint}")
    if not keys >= _REQUIRED_EVENT_KEYS:
        for key in ("id", "date", "kind", "actor", "sources"):
            if key not in spec:
                chk.add(f"{where}: field {key!r} is missing")
    event_id = chk.text(where, "id", raw_id) if "id" in spec else None
    date = _parse_date(chk, where, spec.get("date"), spec.get("date_precision")) if "date" in spec else None
    kind = spec.get("kind")
    if "kind" in spec and (not isinstance(kind, str) or kind not in _KINDS):
        hint = _close_match(kind, _KINDS) if isinstance(kind, str) else ""
        chk.add(f"{where}: field 'kind': unknown kind {_shown(kind)}{hint} (expected one of {', '.join(_KINDS)})")
    actor = chk.text(where, "actor", spec.get("actor")) if "actor" in spec else None
    target = chk.text(where, "target", spec.get("target"), required=False)
    issues = chk.text_list(where, "issues", spec.get("issues"))
    summary = chk.text(where, "summary", spec.get("summary", ""), required=False) or ""
    note = chk.text(where, "note", spec.get("note", ""), required=False) or ""
    sources = chk.text_list(where, "sources", spec.get("sources")) if "sources" in spec else None
    if sources is not None and not sources:
        chk.add(f"{where}: field 'sources': expected at least one source id (every event cites a source)")
    quote = _build_quote(chk, where, spec.get("quote"))
    links = _build_links(chk, where, spec.get("responds_to"))
    codes = _build_codes(chk, where, spec.get("codes"))
    if len(chk.problems) > before:
        return None
    assert event_id is not None and date is not None and actor is not None and sources is not None
    assert issues is not None and links is not None and codes is not None
    responds_to = tuple([link[0] for link in links]) if links else ()
    reasons = tuple([link[1] for link in links]) if links and any(link[1] for link in links) else ()
    try:
        # Event(...) with every field already in its final type: the same check, half the cost.
        return _checked(
            _unchecked_event(
                event_id,
                chk.share(date[0]),
                date[1],
                _KINDS[str(kind)],
                sys.intern(actor),
                sys.intern(target) if target is not None else None,
                chk.share(frozenset(issues)),
                summary,
                quote,
                responds_to,
                reasons,
                sources,  # shared already, by text_list
                codes,  # shared already, by _build_codes
                note,
            )
        )
    except DataError as exc:
        chk.problems.extend(f"{where}: {p}" for p in exc.problems)
        return None


def _plain_event(chk: _Checker, spec: dict[str, Any]) -> Event | None:
    """Build a usual event fast, or return None to take the long road (:func:`_long_event`).

    Usual: known fields only, the required ones present, plain ``str``
    where text is expected, and no problem at all. Such an event gets every
    check of the long road and of :func:`~negotiation_model.events.event_problems`,
    and becomes the same Event; this road only skips the wording of
    messages it will never need. What files repeat (field layouts, names,
    dates, lists of sources and issues, codes) is checked once per file and
    then shared. The text checks are mirrored inline for plain strings; the
    other fields go through the long road's own helpers, and any problem
    they report is taken back and left for the long road to report. A
    property test holds the two roads to the same result.
    """
    try:
        return _plain_event_or_none(chk, spec)
    except TypeError:  # an unhashable value where a name, a date or a list item belongs
        return None


def _plain_event_or_none(chk: _Checker, spec: dict[str, Any]) -> Event | None:
    layout = tuple(spec)
    usual = chk._layouts.get(layout)
    if usual is None:
        keys = spec.keys()
        usual = chk._layouts[layout] = keys <= _EVENT_KEYS and keys >= _REQUIRED_EVENT_KEYS
    if not usual:
        return None
    get = spec.get
    event_id, summary, note = spec["id"], get("summary", ""), get("note", "")
    if (
        event_id.__class__ is not str
        or not event_id.strip()
        or not (summary is None or summary.__class__ is str)
        or not (note is None or note.__class__ is str)
    ):
        return None
    names = chk._names  # a name (actor id) seen before is known good, and interned
    actor = names.get(spec["actor"]) or _new_name(names, spec["actor"])
    target = get("target")
    if target is not None:
        target = names.get(target) or _new_name(names, target)
        if target is None:
            return None
    kind = spec["kind"]
    kind = _KINDS.get(kind) if kind.__class__ is str else None
    if actor is None or kind is None:
        return None
    # Dates: a text and its precision. Each text is parsed once per file (chk._dates), then shared.
    date, precision = spec["date"], get("date_precision")
    if date.__class__ is str:
        dated = chk._dates.get(date) or _new_date(chk._dates, date)
        if dated is None or not (precision is None or _PRECISIONS.get(precision) is dated[1]):
            return None
    else:  # a YAML date or a year as a number
        before = len(chk.problems)
        dated = _parse_date(chk, "", date, precision)
        if dated is None or dated[0].__class__ is not dt.date:  # Event takes no date subclass
            del chk.problems[before:]
            return None
    lists = chk._lists
    sources = spec["sources"]
    cited = (lists.get(tuple(sources)) or _new_list(chk, sources)) if sources.__class__ is list else None
    if not cited:  # a problem, or no source at all (every event cites one)
        return None
    issues = get("issues")
    if issues.__class__ is list:
        issues = chk._sets.get(tuple(issues)) or _new_set(chk, issues)
        if issues is None:
            return None
    elif issues is None:
        issues = _NO_ISSUES
    else:
        return None
    quoted, coded, linked = get("quote"), get("codes"), get("responds_to")
    quote = links = None
    codes: Codes | None = _NO_CODES
    if quoted is not None or coded is not None or linked is not None:
        # The long road's helpers; what they report is taken back (the long road will word it).
        before = len(chk.problems)
        if quoted is not None:
            quote = _build_quote(chk, "", quoted)
        if coded is not None:
            codes = _build_codes(chk, "", coded)
        if linked is not None:
            links = _build_links(chk, "", linked)
        if len(chk.problems) > before or codes is None:
            del chk.problems[before:]
            return None
    assert codes is not None
    if links:
        answers = tuple([link[0] for link in links])
        if event_id in answers or len(set(answers)) < len(answers):  # Event refuses both
            return None
        reasons = tuple([link[1] for link in links])
        if not any(reasons):  # none recorded
            reasons = ()
    else:
        answers = reasons = ()
    return _unchecked_event(
        event_id,
        dated[0],
        dated[1],
        kind,
        actor,
        target,
        issues,
        summary or "",
        quote,
        answers,
        reasons,
        cited,
        codes,
        note or "",
    )


def _new_name(names: dict[str, str], value: Any) -> str | None:
    """Check a name (an actor id) not seen before, and keep it interned; None when it is not one."""
    if value.__class__ is not str or not value.strip():
        return None
    names[value] = name = sys.intern(value)
    return name


def _new_date(dates: dict[str, _Dated | None], value: str) -> _Dated | None:
    """Parse a date text not seen before in this file, and keep the result (None when it is not a date)."""
    dates[value] = dated = _parse_date_text.__wrapped__(value)  # (its cache would only slow a first reading)
    return dated


def _new_list(chk: _Checker, value: list[Any]) -> tuple[str, ...] | None:
    """Check a list of text not seen before (text_list keeps it); None, with nothing reported, when it is bad."""
    before = len(chk.problems)
    out = chk.text_list("", "", value)
    del chk.problems[before:]
    return out


def _new_set(chk: _Checker, value: list[Any]) -> frozenset[str] | None:
    """Check a list of issues not seen before, and keep its set; None, with nothing reported, when it is bad."""
    checked = _new_list(chk, value)
    if checked is None:
        return None
    chk._sets[checked] = issues = frozenset(checked)
    return issues


_NO_ISSUES: frozenset[str] = frozenset()


def _build_quote(chk: _Checker, where: str, value: Any) -> Quote | None:
    if value is None:
        return None
    spec = chk.mapping(where, "quote", value)
    if spec is None:
        return None
    chk.keys(f"{where}: quote", spec, _QUOTE_KEYS, ("text", "source"))
    text = chk.text(where, "quote.text", spec.get("text"))
    source = chk.text(where, "quote.source", spec.get("source"))
    speaker = chk.text(where, "quote.speaker", spec.get("speaker"), required=False)
    if text is None or source is None:
        return None
    return Quote(text, source, speaker=speaker)


def _build_links(chk: _Checker, where: str, value: Any) -> list[tuple[str, str]] | None:
    if value is None:
        return []
    if not isinstance(value, list):
        chk.add(f"{where}: field 'responds_to': expected a list of event ids, got {_type_name(value)}")
        return None
    out: list[tuple[str, str]] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append((item, ""))
        elif isinstance(item, dict):
            chk.keys(f"{where}: responds_to item", item, _LINK_KEYS, ("event",))
            target = chk.text(where, "responds_to.event", item.get("event"))
            reason = chk.text(where, "responds_to.reason", item.get("reason", ""), required=False) or ""
            if target is not None:
                out.append((target, reason))
        else:
            chk.add(
                f"{where}: field 'responds_to': expected event ids or {{event, reason}} mappings, "
                f"got {_type_name(item)}"
            )
            return None
    return out


def _build_codes(chk: _Checker, where: str, value: Any) -> Codes | None:
    if value is None:
        return _NO_CODES
    # Files repeat the same few codes: each distinct mapping that passed is
    # built once. The key keeps each value's type: 1, 1.0 and True are equal.
    memo_key = tuple([(k, v.__class__, v) for k, v in value.items()]) if value.__class__ is dict else None
    try:
        return chk._codes[memo_key]  # type: ignore[index]
    except (KeyError, TypeError):  # new, or not a mapping of plain values (checked below)
        pass
    before = len(chk.problems)
    spec = chk.mapping(where, "codes", value)
    if spec is None:
        return None
    chk.keys(f"{where}: codes", spec, _CODES_KEYS)
    fields: dict[str, Any] = {}
    for key in ("cameo", "plover", "plover_mode"):
        raw = spec.get(key)
        if isinstance(raw, int) and not isinstance(raw, bool) and key == "cameo":
            chk.add(
                f"{where}: field 'codes.cameo': expected the code as quoted text (\"036\", not 036: "
                f"unquoted, leading zeros are lost and YAML may read the digits as octal), got the number {raw}"
            )
            continue
        fields[key] = chk.text(where, f"codes.{key}", raw, required=False)
    g = spec.get("goldstein")
    if g is not None and (isinstance(g, bool) or not isinstance(g, (int, float)) or not -10 <= g <= 10):
        chk.add(f"{where}: field 'codes.goldstein': expected a number from -10 to 10, got {_shown(g)}")
        g = None
    codes = Codes(fields.get("cameo"), plover=fields.get("plover"), plover_mode=fields.get("plover_mode"), goldstein=g)
    if memo_key is not None and len(chk.problems) == before:
        chk._codes[memo_key] = codes
    return codes


_NO_CODES = Codes()


# -- writing --------------------------------------------------------------------


def episode_to_dict(episode: Episode) -> dict[str, Any]:
    """Return an episode as plain data in the file format (the inverse of :func:`episode_from_dict`)."""
    data: dict[str, Any] = {
        "id": episode.id,
        "title": episode.title,
        "summary": episode.summary,
        "roles": {"initiator": episode.roles.initiator, "respondent": episode.roles.respondent},
        "red_line": episode.red_line,
    }
    if episode.notes:
        data["notes"] = list(episode.notes)
    data["actors"] = {
        a.id: _drop_none({"name": a.name, "kind": a.kind.value, "represents": a.represents})
        for a in episode.actors.values()
    }
    data["sources"] = {
        s.id: _drop_none({"title": s.title, "author": s.author, "publisher": s.publisher, "date": s.date, "url": s.url})
        for s in episode.sources.values()
    }
    data["events"] = [_event_to_dict(e) for e in episode.events]
    return data


def _event_to_dict(e: Event) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "date": date_text(e.date, e.date_precision),
        "date_precision": e.date_precision.value,
        "kind": e.kind.value,
        "actor": e.actor,
    }
    if e.target is not None:
        out["target"] = e.target
    if e.issues:
        out["issues"] = sorted(e.issues)
    if e.summary:
        out["summary"] = e.summary
    if e.quote is not None:
        out["quote"] = _drop_none({"text": e.quote.text, "speaker": e.quote.speaker, "source": e.quote.source})
    if e.responds_to:
        if e.link_reasons:
            out["responds_to"] = [
                {"event": r, "reason": why} for r, why in zip(e.responds_to, e.link_reasons, strict=True)
            ]
        else:
            out["responds_to"] = list(e.responds_to)
    out["sources"] = list(e.sources)
    if not e.codes.is_empty():
        out["codes"] = _drop_none(
            {
                "cameo": e.codes.cameo,
                "plover": e.codes.plover,
                "plover_mode": e.codes.plover_mode,
                "goldstein": e.codes.goldstein,
            }
        )
    if e.note:
        out["note"] = e.note
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
