"""Scenarios: named what-ifs on the fitted stochastic model, compared side by side.

A :class:`Scenario` is a baseline, a :class:`~negotiation_model.MarkovModel`
fitted on a set of episodes, plus changes of two sorts:

- counterfactual edits to an episode *before* fitting: :class:`DropEvents`
  (by id, or by a predicate on kind, role and red line, optionally with the
  answers that depend on them) and :class:`InsertEvent`;
- changes to the fitted transition probabilities *after* fitting:
  :class:`SetProbability` and :class:`ScaleProbability` (the rest of the
  row renormalised in proportion), the model's policy knobs.

Scenarios are data: YAML or JSON files, checked like episode files (every
problem is listed, naming the file, the field and what was expected; unknown
keys are errors; predicates are data, never code). The bundled scenarios
come from K. Asmolov's article on the Japan-DPRK pattern; each says, in its
``rationale``, which passage motivates it.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import numpy as np

from .episode import Episode, Role
from .errors import DataError, DefinitionError, MissingExtraError, short_repr
from .events import Event, EventKind, FrozenMap, Source
from .io import (
    _build_event,
    _Checker,
    _close_match,
    _no_file,
    _source_date,
    _type_name,
    list_episodes,
    load_episode,
    read_data,
)
from .machine import Guard, PatternMachine
from .markov import MarkovModel, OutcomeIntervals, _as_names
from .patterns import door_slam_pattern

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "Change",
    "DropEvents",
    "InsertEvent",
    "Passage",
    "ScaleProbability",
    "Scenario",
    "ScenarioComparison",
    "ScenarioResult",
    "SetProbability",
    "compare_scenarios",
    "default_fit_on",
    "list_scenarios",
    "load_scenario",
    "scenario_from_dict",
    "scenario_model",
    "scenario_problems",
    "scenario_to_dict",
]

#: Bundled episodes whose id starts with this are the default baseline data.
DEFAULT_FIT_PREFIX = "japan-dprk"


def default_fit_on() -> tuple[str, ...]:
    """Return the ids of the episodes a scenario is fitted on by default: every bundled Japan-DPRK episode.

    Examples:
        >>> "japan-dprk-2023-24" in default_fit_on()
        True
    """
    return tuple(e for e in list_episodes() if e.startswith(DEFAULT_FIT_PREFIX))


# -- records ------------------------------------------------------------------------


def _number_problem(value: object, *, probability: bool) -> str | None:
    """Return what is wrong with a probability (or, without ``probability``, a factor), or None."""
    if probability and (not _is_number(value) or not 0.0 <= float(value) <= 1.0):  # type: ignore[arg-type]
        return f"expected a probability from 0 to 1, got {short_repr(value)}"
    if not probability and (not _is_number(value) or float(value) < 0.0):  # type: ignore[arg-type]
        return f"expected a finite number of at least 0, got {short_repr(value)}"
    return None


def _probability(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if problem := _number_problem(value, probability=True):
        raise DataError(f"field {attribute.name!r}: {problem}")


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if problem := _number_problem(value, probability=False):
        raise DataError(f"field {attribute.name!r}: {problem}")


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return _as_names(value)  # a lone id is one id, not its letters


def _changes(value: Iterable[Change]) -> tuple[Change, ...]:
    changes = tuple(value)
    for i, c in enumerate(changes):
        if not isinstance(c, PROBABILITY_CHANGES + EPISODE_CHANGES):
            raise DataError(
                f"field 'changes': item {i}: expected SetProbability, ScaleProbability, DropEvents or InsertEvent, "
                f"got {short_repr(c)}"
            )
    return changes


def _optional_texts(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else _as_names(value)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@attrs.frozen(kw_only=True)
class Passage:
    """The passage of a source that motivates a scenario.

    Attributes:
        source: The source (article) cited.
        quote: A short quotation of the passage, verbatim.
        locator: Where the passage is (``"paragraph 2"``), when there is no
            quote or to find it faster.

    Examples:
        >>> import negotiation_model as nm
        >>> passage = nm.load_scenario("red-line-aside").source
        >>> passage.source.id, passage.locator
        ('asmolov-2024', 'paragraph 27 (the pattern itself is paragraph 2)')
    """

    source: Source
    quote: str | None = None
    locator: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.quote and not self.locator:
            raise DataError("source: expected a 'quote' or a 'locator' (the passage must be findable)")


@attrs.frozen
class SetProbability:
    """Set the probability of one transition; the other moves from the same state are renormalised.

    Attributes:
        source: The state the transition leaves.
        target: The state it enters.
        p: The new probability, from 0 to 1.

    Examples:
        >>> import negotiation_model as nm
        >>> nm.load_scenario("red-line-aside").changes
        (SetProbability(source='conditional', target='provoked', p=0.0),)
        >>> nm.SetProbability("conditional", "provoked", p=0.25).describe()
        'set conditional -> provoked to 0.25'
    """

    source: str
    target: str
    p: float = attrs.field(kw_only=True, validator=_probability)

    def describe(self) -> str:
        """Return the change in a few words."""
        return f"set {self.source} -> {self.target} to {self.p:g}"


@attrs.frozen
class ScaleProbability:
    """Multiply the probability of one transition by a factor (capped at 1); the rest are renormalised.

    Attributes:
        source: The state the transition leaves.
        target: The state it enters.
        factor: The multiplier, at least 0.

    Examples:
        >>> import negotiation_model as nm
        >>> nm.load_scenario("compensation-track").changes[0]
        ScaleProbability(source='overture', target='provoked', factor=0.5)
        >>> nm.ScaleProbability("conditional", "talks", factor=1.5).describe()
        'scale conditional -> talks x1.5'
    """

    source: str
    target: str
    factor: float = attrs.field(kw_only=True, validator=_non_negative)

    def describe(self) -> str:
        """Return the change in a few words."""
        return f"scale {self.source} -> {self.target} x{self.factor:g}"


@attrs.frozen(kw_only=True)
class DropEvents:
    """Drop events from one episode before fitting (see :meth:`Episode.without`).

    Attributes:
        episode: The id of the episode (one the scenario is fitted on).
        events: Ids of events to drop.
        where: Also drop every event this guard matches (its kind, its
            actor's role, whether it touches the red line): data, not code.
        cascade: Also drop every event that answers a dropped one, transitively.

    Examples:
        >>> import negotiation_model as nm
        >>> drop = nm.load_scenario("tokyo-quiet-2024").changes[0]
        >>> drop.episode, drop.cascade
        ('japan-dprk-2023-24', True)
        >>> len(nm.load_episode(drop.episode).events), len(drop.apply(nm.load_episode(drop.episode)).events)
        (27, 23)
    """

    episode: str
    events: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    where: Guard | None = None
    cascade: bool = False

    def apply(self, episode: Episode) -> Episode:
        """Return the episode without the events this change names or matches.

        Raises:
            KeyError: When an id names no event of the episode.
        """
        return episode.without(*self.events, where=self.predicate(episode), cascade=self.cascade)

    def predicate(self, episode: Episode) -> Any:
        """Return ``where`` as a function of an event of ``episode`` (or None without ``where``)."""
        guard = self.where
        if guard is None:
            return None
        return lambda e: guard.matches(e.kind, episode.role_of(e.actor), episode.touches_red_line(e))

    def describe(self) -> str:
        """Return the change in a few words."""
        what = []
        if self.events:
            what.append(", ".join(self.events))
        if self.where is not None:
            what.append(f"every {self.where.describe()}")
        cascade = "; and every answer to them (cascade)" if self.cascade else ""
        return f"drop from {self.episode}: {' and '.join(what)}{cascade}"


@attrs.frozen(kw_only=True)
class InsertEvent:
    """Insert an event into one episode before fitting (see :meth:`Episode.insert`).

    Attributes:
        episode: The id of the episode (one the scenario is fitted on).
        event: The event; its actor and sources must be declared in the episode.

    Examples:
        >>> import datetime as dt
        >>> import negotiation_model as nm
        >>> offer = nm.Event("jpn-offer", dt.date(2024, 6, 1), kind="offer", actor="JPN", sources=["asmolov-2024"])
        >>> insert = nm.InsertEvent(episode="japan-dprk-2023-24", event=offer)
        >>> insert.describe(), len(insert.apply(nm.load_episode("japan-dprk-2023-24")).events)
        ('insert jpn-offer (2024-06-01, offer by JPN) into japan-dprk-2023-24', 28)
    """

    episode: str
    event: Event

    def apply(self, episode: Episode) -> Episode:
        """Return the episode with the event inserted in time order."""
        return episode.insert(self.event)

    def describe(self) -> str:
        """Return the change in a few words."""
        e = self.event
        return f"insert {e.id} ({e.date_text}, {e.kind.value} by {e.actor}) into {self.episode}"


#: A scenario's change: an edit to an episode, or to the fitted probabilities.
Change: TypeAlias = SetProbability | ScaleProbability | DropEvents | InsertEvent

#: The changes applied to the fitted model (the others edit episodes before fitting).
PROBABILITY_CHANGES = (SetProbability, ScaleProbability)
EPISODE_CHANGES = (DropEvents, InsertEvent)


@attrs.frozen(kw_only=True)
class Scenario:
    """A named what-if: a Markov model fitted on some episodes, then changed.

    The episode edits (:class:`DropEvents`, :class:`InsertEvent`) are applied
    first, in order, to the episodes the model is fitted on; then the model is
    fitted; then the probability changes (:class:`SetProbability`,
    :class:`ScaleProbability`) are applied, in order, as the model's knobs.
    A scenario with no changes is the fitted baseline.

    Attributes:
        id: A short slug (``"red-line-aside"``); a bundled scenario's file is ``<id>.yaml``.
        title: One line.
        rationale: What the scenario changes and why, in our own words,
            citing the passage of the source that motivates it.
        source: That passage (the article, and a quote or a locator).
        fit_on: Bundled episode ids or episode file paths the model is fitted
            on; by default every bundled Japan-DPRK episode.
        prior: The Dirichlet prior of the fit (passed to
            :meth:`MarkovModel.fit`); ``None`` for the model's default.
        start: The state the outcome probabilities are computed from
            (default ``dormant``, the door-slam pattern's initial state).
        outcomes: The outcome states (absorbing); by default the pattern's
            (``summit``, ``door_slammed``).
        changes: The edits and probability changes, in the order applied.

    Examples:
        >>> import negotiation_model as nm
        >>> s = nm.load_scenario("red-line-aside")
        >>> s.start, [c.describe() for c in s.changes]
        ('conditional', ['set conditional -> provoked to 0'])
    """

    id: str
    title: str
    rationale: str = ""
    source: Passage | None = None
    fit_on: tuple[str, ...] = attrs.field(factory=default_fit_on, converter=_texts)
    prior: float | None = None
    start: str = "dormant"
    outcomes: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_texts)
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)

    @property
    def episode_changes(self) -> tuple[DropEvents | InsertEvent, ...]:
        """Return the edits applied to the episodes before fitting, in order."""
        return tuple(c for c in self.changes if isinstance(c, EPISODE_CHANGES))

    @property
    def probability_changes(self) -> tuple[SetProbability | ScaleProbability, ...]:
        """Return the changes applied to the fitted probabilities, in order."""
        return tuple(c for c in self.changes if isinstance(c, PROBABILITY_CHANGES))

    def apply(self, machine: PatternMachine | None = None) -> MarkovModel:
        """Return the scenario's model: fitted on its episodes (edits applied), then changed.

        The same as :func:`scenario_model` (see there for the errors raised).
        """
        return scenario_model(self, machine=machine)

    def describe_changes(self) -> str:
        """Return the changes in brief, separated by semicolons (``"none (the fitted model)"`` without any)."""
        return "; ".join(c.describe() for c in self.changes) or "none (the fitted model)"

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as plain data in the file format (see :func:`scenario_from_dict`)."""
        return scenario_to_dict(self)


# -- the bundled scenarios ------------------------------------------------------------


def _bundled_dir() -> Any:
    return resources.files("negotiation_model").joinpath("data").joinpath("scenarios")


def list_scenarios() -> list[str]:
    """Return the ids of the bundled scenarios, sorted.

    Examples:
        >>> import negotiation_model as nm
        >>> "baseline" in nm.list_scenarios()
        True
    """
    return sorted(p.name[: -len(".yaml")] for p in _bundled_dir().iterdir() if p.name.endswith(".yaml"))


#: What a scenario file holds, for the message about an empty one.
_SCENARIO_EXPECTED = "a scenario: a mapping with id, title, rationale, changes"


def load_scenario(id_or_path: str | os.PathLike[str], *, machine: PatternMachine | None = None) -> Scenario:
    """Load a bundled scenario by id, or a scenario file (YAML or JSON) by path.

    The file is checked completely: its shape and types, the states it names
    (against ``machine``), the episodes it is fitted on (each is loaded) and
    the events its edits name. Relative episode paths in ``fit_on`` are read
    from the scenario file's folder.

    Args:
        id_or_path: A bundled id (see :func:`list_scenarios`) or the path of
            a ``.yaml``, ``.yml`` or ``.json`` file.
        machine: The pattern whose states the scenario names; by default
            :func:`~negotiation_model.door_slam_pattern`.

    Raises:
        DataError: When the file is malformed; the message names the file
            and lists every problem (field, and what was expected).
        FileNotFoundError: When it is neither a bundled id nor a file.

    Examples:
        >>> import negotiation_model as nm
        >>> nm.load_scenario("baseline").changes
        ()
    """
    return _load_scenario(id_or_path, machine or door_slam_pattern(), {})


def _load_scenario(id_or_path: str | os.PathLike[str], machine: PatternMachine, cache: dict[str, Episode]) -> Scenario:
    if isinstance(id_or_path, str) and id_or_path in list_scenarios() and not Path(id_or_path).exists():
        where = f"<bundled scenario {id_or_path}>"
        raw = _bundled_dir().joinpath(f"{id_or_path}.yaml").read_bytes()
        scenario = scenario_from_dict(read_data(raw, where, ".yaml", expected=_SCENARIO_EXPECTED), path=where)
    else:
        path = Path(id_or_path)
        if not path.is_file():
            hint = ""
            if isinstance(id_or_path, str) and path.suffix == "":
                hint = f" (bundled scenarios: {', '.join(list_scenarios())})"
            raise _no_file(path, f"{id_or_path}: no such bundled scenario or file{hint}")
        where = str(path)
        data = read_data(path.read_bytes(), where, path.suffix.lower(), expected=_SCENARIO_EXPECTED)
        scenario = scenario_from_dict(data, path=where, base=path.parent)
    problems = _prepare(scenario, machine, cache)[0]
    if problems:
        raise DataError(problems, path=where)
    return scenario


# -- reading the file format ---------------------------------------------------------

_SCENARIO_KEYS = {"id", "title", "rationale", "source", "fit_on", "prior", "start", "outcomes", "changes"}
_REQUIRED_SCENARIO_KEYS = ("id", "title", "rationale", "changes")
_PASSAGE_KEYS = {"id", "title", "url", "author", "publisher", "date", "quote", "locator"}
_CHANGE_KEYS = {
    "set": ({"from", "to", "p"}, ("from", "to", "p")),
    "scale": ({"from", "to", "factor"}, ("from", "to", "factor")),
    "drop": ({"episode", "events", "where", "cascade"}, ("episode",)),
    "insert": ({"episode", "event"}, ("episode", "event")),
}
_WHERE_KEYS = {"kind", "role", "red_line"}
_KINDS = {k.value: k for k in EventKind}
_ROLES = {r.value: r for r in Role}


def scenario_from_dict(data: Any, *, path: str | None = None, base: str | os.PathLike[str] | None = None) -> Scenario:
    """Build a :class:`Scenario` from plain data (as parsed from YAML or JSON), checking its shape.

    The format::

        id: red-line-aside
        title: Tokyo sets the abductee issue aside
        rationale: What changes and why, in our own words, citing the passage.
        source:                       # optional: the passage that motivates it
          id: asmolov-2024
          title: "Dialog between Pyongyang and Tokyo? Another failure!"
          url: https://journal-neo.su/...
          quote: a short quotation     # and/or
          locator: paragraph 2
        fit_on: [japan-dprk-2002, episodes/mine.yaml]   # optional
        prior: 1.0                    # optional
        start: conditional            # optional (default: dormant, the door-slam pattern's initial state)
        outcomes: [summit, door_slammed]                # optional
        changes:                      # may be empty: the fitted baseline
          - set: {from: conditional, to: provoked, p: 0.0}
          - scale: {from: conditional, to: talks, factor: 2.0}
          - drop: {episode: japan-dprk-2023-24, events: [hayashi-2024-02-16],
                   where: {kind: issue_raised, role: initiator, red_line: true}, cascade: true}
          - insert: {episode: japan-dprk-2023-24, event: {id: ..., date: ..., kind: ..., ...}}

    The states, episodes and event ids named are checked by
    :func:`scenario_problems` (which :func:`load_scenario` runs).

    Args:
        data: A mapping in the scenario file format.
        path: How to name the data's origin in error messages.
        base: The folder relative episode paths in ``fit_on`` are read from
            (the scenario file's folder); by default the working directory.

    Raises:
        DataError: Listing every problem found; nothing is half-built.
    """
    chk = _Checker()
    scenario = _build_scenario(chk, data, Path(base) if base is not None else None)
    if chk.problems or scenario is None:
        raise DataError(chk.problems or ["the scenario could not be built"], path=path)
    return scenario


def _build_scenario(chk: _Checker, data: Any, base: Path | None) -> Scenario | None:
    if not isinstance(data, dict):
        chk.add(f"expected a mapping at the top level (id, title, rationale, changes, ...), got {_type_name(data)}")
        return None
    where = f"scenario {data.get('id')!r}" if isinstance(data.get("id"), str) else "scenario"
    chk.keys(where, data, _SCENARIO_KEYS, _REQUIRED_SCENARIO_KEYS)
    sid = chk.text(where, "id", data.get("id")) if "id" in data else None
    title = chk.text(where, "title", data.get("title")) if "title" in data else None
    rationale = chk.text(where, "rationale", data.get("rationale")) if "rationale" in data else None
    source = _build_passage(chk, where, data["source"]) if "source" in data else None
    fit_on = _build_fit_on(chk, where, data["fit_on"], base) if "fit_on" in data else default_fit_on()
    prior = _build_prior(chk, where, data.get("prior"))
    start = chk.text(where, "start", data["start"]) if "start" in data else "dormant"
    outcomes = _build_outcomes(chk, where, data["outcomes"]) if "outcomes" in data else None
    changes = _build_changes(chk, where, data["changes"]) if "changes" in data else None
    if chk.problems:
        return None
    assert sid is not None and title is not None and rationale is not None
    assert fit_on is not None and start is not None and changes is not None
    return Scenario(
        id=sid,
        title=title,
        rationale=rationale,
        source=source,
        fit_on=fit_on,
        prior=prior,
        start=start,
        outcomes=outcomes,
        changes=changes,
    )


def _build_passage(chk: _Checker, where: str, value: Any) -> Passage | None:
    spec = chk.mapping(where, "source", value)
    if spec is None:
        return None
    before = len(chk.problems)
    chk.keys(f"{where}: source", spec, _PASSAGE_KEYS, ("id",))
    sid = chk.text(where, "source.id", spec.get("id")) if "id" in spec else None
    fields = {
        k: chk.text(where, f"source.{k}", spec.get(k), required=False)
        for k in ("title", "url", "author", "publisher", "quote", "locator")
    }
    date = _source_date(chk, f"{where}: source", spec.get("date"))
    if not fields["title"] and not fields["url"]:
        chk.add(f"{where}: field 'source': expected a 'title' or a 'url' (a source must be findable)")
    if not fields["quote"] and not fields["locator"]:
        chk.add(f"{where}: field 'source': expected a 'quote' or a 'locator' (the passage must be findable)")
    if len(chk.problems) > before or sid is None:
        return None
    source = Source(
        sid,
        fields["title"],
        url=fields["url"],
        author=fields["author"],
        publisher=fields["publisher"],
        date=date,
    )
    return Passage(source=source, quote=fields["quote"], locator=fields["locator"])


def _build_fit_on(chk: _Checker, where: str, value: Any, base: Path | None) -> tuple[str, ...] | None:
    refs = chk.text_list(where, "fit_on", value)
    if refs is None:
        return None
    if not refs:
        chk.add(f"{where}: field 'fit_on': expected at least one episode id or path (or leave it out for the default)")
        return None
    bundled = set(list_episodes())
    out = []
    for ref in refs:
        if ref in bundled or base is None or Path(ref).is_absolute():
            out.append(ref)
        else:
            out.append(str((base / ref).resolve()))  # so that scenario_to_dict writes a path that works anywhere
    return tuple(out)


def _build_prior(chk: _Checker, where: str, value: Any) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or value <= 0:
        chk.add(
            f"{where}: field 'prior': expected a positive number (a Dirichlet pseudo-count), got {short_repr(value)}"
        )
        return None
    return float(value)


def _build_outcomes(chk: _Checker, where: str, value: Any) -> tuple[str, ...] | None:
    outcomes = chk.text_list(where, "outcomes", value)
    if outcomes is None:
        return None
    if not outcomes:
        chk.add(f"{where}: field 'outcomes': expected at least one state (or leave it out for the pattern's)")
        return None
    if len(set(outcomes)) != len(outcomes):
        chk.add(f"{where}: field 'outcomes': a state is listed twice")
        return None
    return outcomes


def _build_changes(chk: _Checker, where: str, value: Any) -> tuple[Change, ...] | None:
    if not isinstance(value, list):
        chk.add(f"{where}: field 'changes': expected a list of changes (may be empty), got {_type_name(value)}")
        return None
    out: list[Change] = []
    for i, item in enumerate(value):
        field = f"changes[{i}]"
        if not isinstance(item, dict) or len(item) != 1:
            chk.add(
                f"{where}: field {field!r}: expected a mapping with one key ({', '.join(_CHANGE_KEYS)}), "
                f"got {_type_name(item) if not isinstance(item, dict) else 'keys ' + ', '.join(map(repr, item))}"
            )
            continue
        ((kind, spec),) = item.items()
        if kind not in _CHANGE_KEYS:
            hint = _close_match(str(kind), _CHANGE_KEYS)
            chk.add(
                f"{where}: field {field!r}: unknown change {kind!r}{hint} (expected one of {', '.join(_CHANGE_KEYS)})"
            )
            continue
        field = f"{field}.{kind}"
        if not isinstance(spec, dict):
            chk.add(f"{where}: field {field!r}: expected a mapping, got {_type_name(spec)}")
            continue
        before = len(chk.problems)
        allowed, required = _CHANGE_KEYS[kind]
        chk.keys(f"{where}: field {field!r}", spec, allowed, required)
        if len(chk.problems) > before:
            continue
        change = _BUILDERS[kind](chk, where, field, spec)
        if change is not None:
            out.append(change)
    return tuple(out)


def _state_name(chk: _Checker, scenario: str, field: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        chk.add(f"{scenario}: field {field!r}: expected a state name, got {_type_name(value)}")
        return None
    return value


def _build_set(chk: _Checker, scenario: str, field: str, spec: dict[str, Any]) -> Change | None:
    return _build_move_change(chk, scenario, field, spec, "p")


def _build_scale(chk: _Checker, scenario: str, field: str, spec: dict[str, Any]) -> Change | None:
    return _build_move_change(chk, scenario, field, spec, "factor")


def _build_move_change(chk: _Checker, scenario: str, field: str, spec: dict[str, Any], key: str) -> Change | None:
    """Build a SetProbability (``key`` "p") or a ScaleProbability (``key`` "factor") from its mapping."""
    source = _state_name(chk, scenario, f"{field}.from", spec["from"])
    target = _state_name(chk, scenario, f"{field}.to", spec["to"])
    problem = _number_problem(spec[key], probability=key == "p")
    if problem:
        chk.add(f"{scenario}: field '{field}.{key}': {problem}")
    if source is None or target is None or problem:
        return None
    if key == "p":
        return SetProbability(source, target, p=float(spec[key]))
    return ScaleProbability(source, target, factor=float(spec[key]))


def _build_drop(chk: _Checker, scenario: str, field: str, spec: dict[str, Any]) -> Change | None:
    episode = chk.text(scenario, f"{field}.episode", spec["episode"])
    events = chk.text_list(scenario, f"{field}.events", spec.get("events"))
    guard = _build_where(chk, scenario, f"{field}.where", spec["where"]) if "where" in spec else None
    cascade = spec.get("cascade", False)
    if not isinstance(cascade, bool):
        chk.add(f"{scenario}: field '{field}.cascade': expected true or false, got {short_repr(cascade)}")
        return None
    if events is not None and not events and "where" not in spec:
        chk.add(f"{scenario}: field {field!r}: expected 'events' (a list of event ids), 'where' (a predicate), or both")
        return None
    if episode is None or events is None or ("where" in spec and guard is None):
        return None
    return DropEvents(episode=episode, events=events, where=guard, cascade=cascade)


def _build_where(chk: _Checker, scenario: str, field: str, value: Any) -> Guard | None:
    spec = chk.mapping(scenario, field, value)
    if spec is None:
        return None
    before = len(chk.problems)
    chk.keys(f"{scenario}: field {field!r}", spec, _WHERE_KEYS)
    if not spec:
        chk.add(
            f"{scenario}: field {field!r}: expected at least one of kind, role, red_line "
            "(an empty predicate would drop every event)"
        )
    kinds = _one_or_more(chk, scenario, f"{field}.kind", spec.get("kind"), _KINDS, "kind")
    roles = _one_or_more(chk, scenario, f"{field}.role", spec.get("role"), _ROLES, "role")
    red_line = spec.get("red_line")
    if red_line is not None and not isinstance(red_line, bool):
        chk.add(
            f"{scenario}: field '{field}.red_line': expected true, false or null (either), got {short_repr(red_line)}"
        )
    if len(chk.problems) > before or kinds is None or roles is None:
        return None
    return Guard(kinds=kinds, roles=roles, red_line=red_line)


def _one_or_more(
    chk: _Checker, scenario: str, field: str, value: Any, known: Mapping[str, Any], what: str
) -> list[Any] | None:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        chk.add(f"{scenario}: field {field!r}: expected a {what} or a list of them, got {_type_name(value)}")
        return None
    out = []
    for item in items:
        if not isinstance(item, str) or item not in known:
            hint = _close_match(item, known) if isinstance(item, str) else ""
            chk.add(
                f"{scenario}: field {field!r}: unknown {what} {short_repr(item)}{hint} "
                f"(expected one of {', '.join(known)})"
            )
            return None
        out.append(known[item])
    return out


def _build_insert(chk: _Checker, scenario: str, field: str, spec: dict[str, Any]) -> Change | None:
    episode = chk.text(scenario, f"{field}.episode", spec["episode"])
    raw = spec["event"]
    inner = _Checker()
    event = _build_event(inner, 0, raw)
    if inner.problems:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        for problem in inner.problems:
            # The episode loader names an event by its index in the file; here the field names it.
            problem = problem.replace(f"event {raw_id!r} (index 0)", f"event {raw_id!r}", 1)
            problem = problem.replace("event at index 0", "event", 1)
            chk.add(f"{scenario}: field '{field}.event': {problem}")
        return None
    if episode is None or event is None:
        return None
    return InsertEvent(episode=episode, event=event)


_BUILDERS = {
    "set": _build_set,
    "scale": _build_scale,
    "drop": _build_drop,
    "insert": _build_insert,
}


# -- checking the references ---------------------------------------------------------


def scenario_problems(scenario: Scenario, machine: PatternMachine | None = None) -> list[str]:
    """Return what is wrong with a scenario's references (empty when nothing).

    Checks the states it names against ``machine`` (by default the door-slam
    pattern): ``start``, ``outcomes``, and each probability change's states,
    which must be a transition of the pattern leaving a state that is not an
    outcome. Loads the episodes of ``fit_on`` and applies the edits in order,
    checking the episodes and event ids they name.

    Examples:
        >>> import negotiation_model as nm
        >>> from negotiation_model.scenarios import scenario_problems
        >>> s = nm.Scenario(id="x", title="X", start="condtional")
        >>> scenario_problems(s)  # doctest: +ELLIPSIS
        ["scenario 'x': field 'start': unknown state 'condtional' (did you mean 'conditional'?) ..."]
    """
    return _prepare(scenario, machine or door_slam_pattern(), {})[0]


def _state_problem(machine: PatternMachine, where: str, field: str, state: str) -> str | None:
    if state in machine.state_names:
        return None
    hint = _close_match(state, machine.state_names)
    return (
        f"{where}: field {field!r}: unknown state {state!r}{hint} "
        f"(expected one of the {machine.name} pattern's states: {', '.join(machine.state_names)})"
    )


def _change_name(change: Change) -> str:
    return {
        SetProbability: "set",
        ScaleProbability: "scale",
        DropEvents: "drop",
        InsertEvent: "insert",
    }[type(change)]


def _prepare(scenario: Scenario, machine: PatternMachine, cache: dict[str, Episode]) -> tuple[list[str], list[Episode]]:
    """Return the problems of a scenario, and (when there are none) its edited episodes.

    ``cache`` maps ``fit_on`` references to episodes already loaded (episodes are
    immutable, so scenarios compared together share them).
    """
    where = f"scenario {scenario.id!r}"
    out: list[str] = []
    outcomes = scenario.outcomes if scenario.outcomes is not None else machine.outcomes
    for i, state in enumerate(scenario.outcomes or ()):
        problem = _state_problem(machine, where, f"outcomes[{i}]", state)
        if problem:
            out.append(problem)
    problem = _state_problem(machine, where, "start", scenario.start)
    if problem:
        out.append(problem)
    elif scenario.start in outcomes:
        out.append(
            f"{where}: field 'start': {scenario.start!r} is an outcome state (expected a state the model can leave, "
            f"not one of {', '.join(outcomes)})"
        )
    for i, change in enumerate(scenario.changes):
        if isinstance(change, PROBABILITY_CHANGES):
            out.extend(
                _probability_change_problems(machine, where, f"changes[{i}].{_change_name(change)}", change, outcomes)
            )
    episodes = _load_fit_on(scenario, where, out, cache)
    if episodes is None:
        return out, []
    for i, change in enumerate(scenario.changes):
        if isinstance(change, EPISODE_CHANGES):
            _apply_edit(episodes, where, f"changes[{i}].{_change_name(change)}", change, out)
    return out, list(episodes.values()) if not out else []


def _probability_change_problems(
    machine: PatternMachine,
    where: str,
    field: str,
    change: SetProbability | ScaleProbability,
    outcomes: Sequence[str],
) -> list[str]:
    named = [("from", change.source), ("to", change.target)]
    out = [p for key, state in named if (p := _state_problem(machine, where, f"{field}.{key}", state))]
    if out:
        return out
    if change.source in outcomes:
        return [
            f"{where}: field '{field}.from': {change.source!r} is an outcome state; the model never leaves it, "
            "so a change there would have no effect (expected a state that is not an outcome)"
        ]
    # The model counts state changes only (the jump chain), so self-loops are not moves it can change.
    moves = sorted({t.target for t in machine.transitions_from(change.source) if not t.is_self_loop})
    for key, state in named[1:]:
        if state not in moves:
            out.append(
                f"{where}: field '{field}.{key}': the {machine.name} pattern has no transition "
                f"{change.source} -> {state} (from {change.source} it can move to: {', '.join(moves)})"
            )
    return out


def _load_fit_on(
    scenario: Scenario, where: str, out: list[str], cache: dict[str, Episode]
) -> dict[str, Episode] | None:
    episodes: dict[str, Episode] = {}
    before = len(out)
    for i, ref in enumerate(scenario.fit_on):
        field = f"fit_on[{i}]"
        try:
            episode = cache[ref] if ref in cache else cache.setdefault(ref, _load_episode(ref))
        except FileNotFoundError:
            out.append(
                f"{where}: field {field!r}: {ref!r} is neither a bundled episode nor a file "
                f"(bundled episodes: {', '.join(list_episodes())})"
            )
            continue
        except DataError as exc:
            more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
            out.append(f"{where}: field {field!r}: the episode file {ref!r} is malformed: {exc.problems[0]}{more}")
            continue
        if episode.id in episodes:
            out.append(f"{where}: field {field!r}: the episode {episode.id!r} is listed twice")
            continue
        episodes[episode.id] = episode
    return episodes if len(out) == before else None


def _load_episode(ref: str) -> Episode:
    if ref in list_episodes() and not Path(ref).exists():
        return _bundled_episode(ref)
    return load_episode(ref)


@functools.lru_cache(maxsize=64)
def _bundled_episode(episode_id: str) -> Episode:
    # Bundled files do not change while the package is imported, and episodes are immutable:
    # comparing scenarios would otherwise parse the same YAML once per scenario.
    return load_episode(episode_id)


def _apply_edit(
    episodes: dict[str, Episode], where: str, field: str, change: DropEvents | InsertEvent, out: list[str]
) -> None:
    episode = episodes.get(change.episode)
    if episode is None:
        out.append(
            f"{where}: field '{field}.episode': {change.episode!r} is not an episode the scenario is fitted on "
            f"(expected one of: {', '.join(episodes)})"
        )
        return
    if isinstance(change, DropEvents):
        known = set(episode.event_ids)
        missing = [e for e in change.events if e not in known]
        if missing:
            out.append(
                f"{where}: field '{field}.events': episode {episode.id!r} has no event(s) "
                f"{', '.join(map(repr, missing))}"
            )
            return
        predicate = change.predicate(episode)
        if predicate is not None and not any(predicate(e) for e in episode.events):
            assert change.where is not None
            out.append(
                f"{where}: field '{field}.where': matches no event of episode {episode.id!r} "
                f"(expected some {change.where.describe()})"
            )
            return
        episodes[episode.id] = change.apply(episode)
        return
    try:
        episodes[episode.id] = change.apply(episode)
    except DataError as exc:
        out.extend(f"{where}: field '{field}.event': {p}" for p in exc.problems)


# -- writing the file format ---------------------------------------------------------


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return a scenario as plain data in the file format (the inverse of :func:`scenario_from_dict`)."""
    from .io import _drop_none, _event_to_dict

    data: dict[str, Any] = {"id": scenario.id, "title": scenario.title, "rationale": scenario.rationale}
    if scenario.source is not None:
        s = scenario.source.source
        data["source"] = _drop_none(
            {
                "id": s.id,
                "title": s.title,
                "author": s.author,
                "publisher": s.publisher,
                "date": s.date,
                "url": s.url,
                "quote": scenario.source.quote,
                "locator": scenario.source.locator,
            }
        )
    data["fit_on"] = list(scenario.fit_on)
    if scenario.prior is not None:
        data["prior"] = scenario.prior
    data["start"] = scenario.start
    if scenario.outcomes is not None:
        data["outcomes"] = list(scenario.outcomes)
    changes: list[dict[str, Any]] = []
    for c in scenario.changes:
        if isinstance(c, SetProbability):
            changes.append({"set": {"from": c.source, "to": c.target, "p": c.p}})
        elif isinstance(c, ScaleProbability):
            changes.append({"scale": {"from": c.source, "to": c.target, "factor": c.factor}})
        elif isinstance(c, DropEvents):
            spec: dict[str, Any] = {"episode": c.episode}
            if c.events:
                spec["events"] = list(c.events)
            if c.where is not None:
                spec["where"] = _where_to_dict(c.where)
            spec["cascade"] = c.cascade
            changes.append({"drop": spec})
        else:
            changes.append({"insert": {"episode": c.episode, "event": _event_to_dict(c.event)}})
    data["changes"] = changes
    return data


def _where_to_dict(guard: Guard) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if guard.kinds:
        out["kind"] = [k.value for k in EventKind if k in guard.kinds]
    if guard.roles:
        out["role"] = [r.value for r in Role if r in guard.roles]
    if guard.red_line is not None:
        out["red_line"] = guard.red_line
    return out


# -- the model ------------------------------------------------------------------------


def scenario_model(
    scenario: Scenario | str | os.PathLike[str], *, machine: PatternMachine | None = None
) -> MarkovModel:
    """Return a scenario's model: fitted on its episodes (edits applied), then its probability changes.

    Args:
        scenario: A :class:`Scenario`, a bundled scenario id, or a scenario file's path.
        machine: The pattern replayed to fit the model; by default
            :func:`~negotiation_model.door_slam_pattern`.

    Raises:
        DataError: When the scenario names unknown states, episodes or events.
        DefinitionError: When a change cannot be applied to the fitted model
            (say, a row left with no probability to renormalise); the message
            names the scenario.
        FileNotFoundError: When a scenario id or path names nothing.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.scenario_model("red-line-aside")
        >>> m.probability("conditional", "provoked")
        0.0
    """
    machine = machine or door_slam_pattern()
    cache: dict[str, Episode] = {}
    return _model(_as_scenario(scenario, machine, cache), machine, cache)


def _as_scenario(value: Any, machine: PatternMachine, cache: dict[str, Episode]) -> Scenario:
    if isinstance(value, Scenario):
        return value
    if isinstance(value, (str, os.PathLike)):
        return _load_scenario(value, machine, cache)
    raise TypeError(f"expected a Scenario, a bundled scenario id or a path, got {type(value).__name__}")


def _model(scenario: Scenario, machine: PatternMachine, cache: dict[str, Episode]) -> MarkovModel:
    problems, episodes = _prepare(scenario, machine, cache)
    if problems:
        raise DataError(problems)
    where = f"scenario {scenario.id!r}"
    try:
        if scenario.prior is None:  # the model's own default prior
            model = MarkovModel.fit(machine, episodes, outcomes=scenario.outcomes)
        else:
            model = MarkovModel.fit(machine, episodes, scenario.prior, outcomes=scenario.outcomes)
    except DefinitionError as exc:
        raise DefinitionError(f"{where}: {exc}", culprits=exc.culprits) from None
    for i, change in enumerate(scenario.changes):
        try:
            if isinstance(change, SetProbability):
                model = model.with_probability(change.source, change.target, change.p)
            elif isinstance(change, ScaleProbability):
                model = model.scaled(change.source, change.target, change.factor)
        except DefinitionError as exc:
            field = f"changes[{i}].{_change_name(change)}"
            raise DefinitionError(f"{where}: field {field!r}: {exc}", culprits=exc.culprits) from None
    return model


# -- comparing scenarios ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ScenarioResult:
    """One scenario's answer in a :class:`ScenarioComparison`.

    Attributes:
        scenario: The scenario.
        model: Its fitted and changed model.
        analysis: The outcome probabilities from the start state, exact, with
            credible intervals from the posterior (the changes applied to
            every posterior draw).
        reference: The comparison's reference scenario analysed from this
            scenario's start, with the same posterior draws, or ``None``
            when the comparison has no reference.
        reference_id: The reference scenario's id, or ``None``.

    Examples:
        >>> import negotiation_model as nm
        >>> c = nm.compare_scenarios(["baseline", "red-line-aside"], draws=100, reference="baseline")
        >>> r = c["red-line-aside"]
        >>> r.id, r.start, r.reference_id, round(r.difference("summit"), 3)
        ('red-line-aside', 'conditional', 'baseline', 0.057)
    """

    scenario: Scenario
    model: MarkovModel
    analysis: OutcomeIntervals
    reference: OutcomeIntervals | None = None
    reference_id: str | None = None

    @property
    def id(self) -> str:
        """Return the scenario's id."""
        return self.scenario.id

    @property
    def start(self) -> str:
        """Return the state the chain starts in."""
        return self.analysis.start

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Return the outcome states, in order."""
        return tuple(self.analysis.probabilities)

    @property
    def probabilities(self) -> FrozenMap[str, float]:
        """Return, exactly, the probability that each outcome is reached first (they sum to 1)."""
        return self.analysis.probabilities

    @property
    def intervals(self) -> FrozenMap[str, tuple[float, float]]:
        """Return each outcome probability's central credible interval ``(low, high)``."""
        return self.analysis.intervals

    @property
    def posterior_means(self) -> FrozenMap[str, float]:
        """Return each outcome probability's mean over the posterior draws."""
        return self.analysis.posterior_means

    @property
    def expected_steps(self) -> float:
        """Return, exactly, the expected number of state changes until an outcome."""
        return self.analysis.expected_steps

    @property
    def steps_interval(self) -> tuple[float, float]:
        """Return the expected steps' credible interval ``(low, high)``."""
        return self.analysis.steps_interval

    def difference(self, outcome: str) -> float:
        """Return this scenario's probability of ``outcome`` minus the reference's, from the same start.

        Raises:
            ValueError: When the comparison has no reference.
            KeyError: When ``outcome`` is not an outcome of both.
        """
        ref = self._reference(outcome)
        return self.probabilities[outcome] - ref.probabilities[outcome]

    def difference_interval(self, outcome: str) -> tuple[float, float]:
        """Return the credible interval of :meth:`difference`, from paired posterior draws.

        Draw ``i`` of this scenario and draw ``i`` of the reference come from
        the same seeded stream. When both are fitted on the same data (this
        scenario changes probabilities only), they are the same posterior
        matrix, changed or not, so the interval shows what the change itself
        does, free of the uncertainty the two share. When the episodes differ
        (drop or insert edits), the draws are not matched and the interval is
        about as wide as for independent draws.

        Raises:
            ValueError: When the comparison has no reference.
            KeyError: When ``outcome`` is not an outcome of both.
        """
        diff = self._paired(outcome)
        level = self.analysis.level
        low, high = np.quantile(diff, [(1 - level) / 2, (1 + level) / 2])
        return float(low), float(high)

    def share_higher(self, outcome: str) -> float:
        """Return the share of paired posterior draws in which this scenario gives ``outcome`` a higher probability.

        Raises:
            ValueError: When the comparison has no reference.
            KeyError: When ``outcome`` is not an outcome of both.
        """
        return float(np.mean(self._paired(outcome) > 0))

    def _reference(self, outcome: str) -> OutcomeIntervals:
        if self.reference is None:
            raise ValueError(f"scenario {self.id!r}: no reference (give compare_scenarios(..., reference=ID))")
        for analysis in (self.analysis, self.reference):
            if outcome not in analysis.probabilities:
                raise KeyError(
                    f"{outcome!r} is not an outcome of both {self.id!r} and {self.reference_id!r} "
                    f"(outcomes: {', '.join(self.outcomes)})"
                )
        return self.reference

    def _paired(self, outcome: str) -> NDArray[np.float64]:
        ref = self._reference(outcome)
        mine = self.analysis.samples[:, list(self.analysis.probabilities).index(outcome)]
        theirs = ref.samples[:, list(ref.probabilities).index(outcome)]
        return mine - theirs


def _results(value: Iterable[ScenarioResult]) -> tuple[ScenarioResult, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ScenarioComparison(Mapping[str, ScenarioResult]):
    """Scenarios compared side by side: a read-only mapping of scenario id -> :class:`ScenarioResult`.

    Every scenario's intervals come from the same number of posterior draws
    and the same seed, so a comparison is reproducible.

    Attributes:
        results: The results, in the order the scenarios were given.
        level: The credible intervals' probability content.
        draws: Posterior draws per scenario.
        seed: The seed of the draws (drawn once, and recorded, when none was given).
        reference: The id of the scenario the others are measured against
            (:meth:`ScenarioResult.difference`), or ``None``.

    Examples:
        >>> import negotiation_model as nm
        >>> c = nm.compare_scenarios(["baseline", "red-line-aside"], draws=100, seed=0)
        >>> list(c), c.outcomes, c.draws
        (['baseline', 'red-line-aside'], ('summit', 'door_slammed'), 100)
        >>> c["red-line-aside"].probabilities["summit"] > c["baseline"].probabilities["summit"]
        True
    """

    results: tuple[ScenarioResult, ...] = attrs.field(converter=_results)
    level: float
    draws: int
    seed: int
    reference: str | None = None

    def __getitem__(self, key: str) -> ScenarioResult:
        for r in self.results:
            if r.id == key:
                return r
        raise KeyError(f"no scenario {key!r} in this comparison (scenarios: {', '.join(self)})")

    def __iter__(self) -> Iterator[str]:
        return (r.id for r in self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Return every outcome state of the scenarios, in order of first appearance."""
        seen: dict[str, None] = {}
        for r in self.results:
            seen.update(dict.fromkeys(r.outcomes))
        return tuple(seen)

    def to_table(self) -> str:
        """Return the comparison as a plain-text table: one row per scenario.

        Each cell is the exact probability of reaching that outcome first,
        with its credible interval in brackets; the last column is the
        expected number of state changes until an outcome.
        """
        from .diagrams import text_table

        outcomes = self.outcomes
        header = ["scenario", "start", *(f"P({o})" for o in outcomes), "expected steps"]
        if self.reference is not None:
            header.append(f"difference in P({outcomes[0]}) vs {self.reference}")
        rows = []
        for r in self.results:
            cells = [
                f"{r.probabilities[o]:.3f} [{r.intervals[o][0]:.3f}, {r.intervals[o][1]:.3f}]"
                if o in r.probabilities
                else "-"
                for o in outcomes
            ]
            lo, hi = r.steps_interval
            row = [r.id, r.start, *cells, f"{r.expected_steps:.2f} [{lo:.2f}, {hi:.2f}]"]
            if self.reference is not None:
                row.append(_difference_cell(r, outcomes[0]))
            rows.append(row)
        table = text_table(header, rows)
        note = [
            "Exact probabilities that each outcome is reached first, at the posterior-mean transition matrix;",
            f"in brackets, {self.level:.0%} credible intervals from {self.draws} posterior draws (seed {self.seed}). "
            "Steps are state changes.",
        ]
        if self.reference is not None:
            note.append(
                f"Differences are against {self.reference!r} from the same start, over paired posterior draws "
                "(with the share of draws in which the scenario is higher)."
            )
        return table + "\n" + "\n".join(note) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as plain data (JSON-ready)."""
        return {
            "level": self.level,
            "draws": self.draws,
            "seed": self.seed,
            "reference": self.reference,
            "scenarios": {r.id: _result_dict(r) for r in self.results},
        }

    def to_dataframe(self) -> Any:
        """Return the comparison as a pandas ``DataFrame``: one row per scenario and outcome.

        Columns: ``scenario``, ``title``, ``start``, ``outcome``,
        ``probability``, ``low``, ``high``, ``posterior_mean``,
        ``expected_steps``, ``steps_low``, ``steps_high``.

        Raises:
            MissingExtraError: When pandas is not installed (an ``ImportError``).
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise MissingExtraError(
                f"ScenarioComparison.to_dataframe needs pandas, which is not installed ({exc}); "
                'install it: pip install pandas (or pip install "negotiation-model[test]")'
            ) from exc
        rows = [
            {
                "scenario": r.id,
                "title": r.scenario.title,
                "start": r.start,
                "outcome": o,
                "probability": p,
                "low": r.intervals[o][0],
                "high": r.intervals[o][1],
                "posterior_mean": r.posterior_means[o],
                "expected_steps": r.expected_steps,
                "steps_low": r.steps_interval[0],
                "steps_high": r.steps_interval[1],
            }
            for r in self.results
            for o, p in r.probabilities.items()
        ]
        return pd.DataFrame(rows, columns=_FRAME_COLUMNS)


_FRAME_COLUMNS = [
    "scenario",
    "title",
    "start",
    "outcome",
    "probability",
    "low",
    "high",
    "posterior_mean",
    "expected_steps",
    "steps_low",
    "steps_high",
]


def _difference_cell(r: ScenarioResult, outcome: str) -> str:
    if outcome not in r.probabilities or r.reference is None or outcome not in r.reference.probabilities:
        return "-"
    if r.id == r.reference_id:
        return "(reference)"
    lo, hi = r.difference_interval(outcome)
    return f"{r.difference(outcome):+.3f} [{lo:+.3f}, {hi:+.3f}] higher in {r.share_higher(outcome):.0%}"


def _result_dict(r: ScenarioResult) -> dict[str, Any]:
    outcomes: dict[str, Any] = {}
    for o, p in r.probabilities.items():
        entry: dict[str, Any] = {
            "probability": p,
            "posterior_mean": r.posterior_means[o],
            "interval": list(r.intervals[o]),
        }
        if r.reference is not None and o in r.reference.probabilities:
            entry["difference"] = {
                "value": r.difference(o),
                "interval": list(r.difference_interval(o)),
                "share_higher": r.share_higher(o),
            }
        outcomes[o] = entry
    return {
        "title": r.scenario.title,
        "start": r.start,
        "fit_on": list(r.model.episodes),
        "changes": [c.describe() for c in r.scenario.changes],
        "outcomes": outcomes,
        "expected_steps": {"value": r.expected_steps, "interval": list(r.steps_interval)},
    }


def compare_scenarios(
    scenarios: Iterable[Scenario | str | os.PathLike[str]] | Scenario | str | os.PathLike[str],
    *,
    level: float = 0.9,
    draws: int = 2000,
    seed: int | None = 0,
    start: str | None = None,
    reference: str | None = None,
    machine: PatternMachine | None = None,
) -> ScenarioComparison:
    """Compare scenarios side by side: outcome probabilities, expected steps, credible intervals.

    Each scenario's model is fitted (:func:`scenario_model`); from its start
    state, the exact probability of reaching each outcome first and the
    expected number of steps are computed, and the same quantities are
    solved for ``draws`` posterior draws of the transition matrix (the
    scenario's changes applied to each draw) to give credible intervals.

    Args:
        scenarios: Scenarios, bundled scenario ids or scenario file paths
            (one, or several; ids must not repeat).
        level: The intervals' probability content, in (0, 1).
        draws: Posterior draws per scenario (at least 2).
        seed: Seed of the draws (the same seed, the same intervals). Every
            scenario uses it, so draws are paired across scenarios; ``None``
            draws one at random and records it in the result.
        start: Start every scenario from this state instead of its own ``start``.
        reference: The id of one of the scenarios (say ``"baseline"``) to
            measure the others against: each result then carries the
            reference analysed from its own start, and the differences with
            paired credible intervals (:meth:`ScenarioResult.difference`).
        machine: The pattern; by default :func:`~negotiation_model.door_slam_pattern`.

    Returns:
        A :class:`ScenarioComparison`, keyed by scenario id.

    Raises:
        DataError: When a scenario file or record is malformed.
        DefinitionError: When a scenario's changes leave the model unable
            to reach an outcome; the message names the scenario.
        FileNotFoundError: When an id or path names nothing.
        ValueError: When no scenarios are given, ids repeat, ``reference``
            is not one of them, or ``start``, ``level``, ``draws`` or
            ``seed`` is not valid.

    Examples:
        >>> import negotiation_model as nm
        >>> c = nm.compare_scenarios(["baseline", "red-line-aside"], draws=500)
        >>> c["red-line-aside"].probabilities["summit"] > c["baseline"].probabilities["summit"]
        True
        >>> round(sum(c["baseline"].probabilities.values()), 9)
        1.0
    """
    machine = machine or door_slam_pattern()
    items = [scenarios] if isinstance(scenarios, (Scenario, str, os.PathLike)) else list(scenarios)
    if not items:
        raise ValueError("compare_scenarios: no scenarios given (give ids, paths or Scenario records)")
    if start is not None and start not in machine.state_names:
        hint = _close_match(str(start), machine.state_names)
        raise ValueError(f"start: unknown state {start!r}{hint} (states: {', '.join(machine.state_names)})")
    cache: dict[str, Episode] = {}
    resolved = [_as_scenario(item, machine, cache) for item in items]
    ids = [s.id for s in resolved]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"compare_scenarios: scenario ids repeat: {', '.join(repeated)} (each id may appear once)")
    if reference is not None and reference not in ids:
        raise ValueError(f"reference: {reference!r} is not one of the scenarios compared ({', '.join(ids)})")
    if seed is None:  # one seed for every scenario keeps the draws paired; record it so the run can be repeated
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    models = {s.id: _model(s, machine, cache) for s in resolved}
    analyses: dict[tuple[str, str], OutcomeIntervals] = {}

    def analyse(s: Scenario, begin: str) -> OutcomeIntervals:
        key = (s.id, begin)
        if key not in analyses:
            try:
                analyses[key] = models[s.id].outcome_intervals(begin, level, draws, seed)
            except DefinitionError as exc:
                raise DefinitionError(f"scenario {s.id!r}: {exc}", culprits=exc.culprits) from None
            except ValueError as exc:  # the start is an outcome, or level, draws or seed is bad
                raise ValueError(f"scenario {s.id!r}: {exc}") from None
        return analyses[key]

    ref = next((s for s in resolved if s.id == reference), None)
    results = []
    for s in resolved:
        analysis = analyse(s, start or s.start)
        against = analyse(ref, analysis.start) if ref is not None else None
        results.append(
            ScenarioResult(scenario=s, model=models[s.id], analysis=analysis, reference=against, reference_id=reference)
        )
    return ScenarioComparison(results=results, level=level, draws=draws, seed=seed, reference=reference)
