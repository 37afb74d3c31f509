"""Typed records for what happened: events, actors, sources, quotes and codes.

Every record is a frozen attrs class: build it once, change it with
:func:`attrs.evolve`, share it freely. Records check their own fields when
built; cross-references (declared actors and sources, ``responds_to`` links)
are checked by :class:`~negotiation_model.Episode`, which sees them all.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from .errors import DataError

__all__ = [
    "Actor",
    "ActorKind",
    "Codes",
    "DatePrecision",
    "Event",
    "EventKind",
    "FrozenMap",
    "Quote",
    "Source",
]

K = TypeVar("K")
V = TypeVar("V")


class EventKind(str, enum.Enum):
    """What kind of move an event is.

    The values are the lowercase names used in episode files
    (``kind: offer``). The pattern machine's guards match on them.
    """

    OFFER = "offer"
    """The initiator proposes talks or a summit."""
    WILLINGNESS = "willingness"
    """Someone says they are open to talks, with no condition attached."""
    PRECONDITION = "precondition"
    """The respondent sets a condition for talks (typically: the red line must not be raised)."""
    ISSUE_RAISED = "issue_raised"
    """Someone raises an issue (the red-line issue, when the event's issues include it)."""
    DOOR_SLAMMED = "door_slammed"
    """The respondent refuses contact or breaks off talks."""
    GOODWILL = "goodwill"
    """A gesture with no demand attached: condolences, greetings, aid."""
    MEETING = "meeting"
    """Officials meet (working level, back channel, a negotiating round)."""
    SUMMIT = "summit"
    """The leaders meet."""
    AGREEMENT = "agreement"
    """A joint declaration or signed agreement."""
    CONCESSION = "concession"
    """One side gives ground: an admission, an apology, a return of people."""
    SANCTION = "sanction"
    """Sanctions imposed, extended or tightened."""
    STATEMENT = "statement"
    """Any other statement, including third parties' reactions."""

    def __str__(self) -> str:
        return self.value


class DatePrecision(str, enum.Enum):
    """How precisely an event's date is known.

    A ``month`` date stands for every day of its month and is stored as the
    first day of it; a ``year`` date likewise for its year.
    """

    DAY = "day"
    MONTH = "month"
    YEAR = "year"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """Return 0 for day, 1 for month, 2 for year (coarser is larger)."""
        return _PRECISION_RANK[self]


_PRECISION_RANK = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


class ActorKind(str, enum.Enum):
    """What an actor is.

    Examples:
        >>> import negotiation_model as nm
        >>> kishida = nm.load_episode("japan-dprk-2023-24").actors["kishida"]
        >>> kishida.kind is nm.ActorKind.PERSON, str(kishida.kind), kishida.represents
        (True, 'person', 'JPN')
    """

    STATE = "state"
    PERSON = "person"
    ORGANISATION = "organisation"

    def __str__(self) -> str:
        return self.value


class FrozenMap(Mapping[K, V]):
    """An immutable, hashable mapping (a read-only dict that can be pickled).

    Examples:
        >>> m = FrozenMap({"JPN": 1})
        >>> m["JPN"], len(m), m == {"JPN": 1}
        (1, 1, True)
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))


def _frozen_map(value: Mapping[K, V] | Iterable[tuple[K, V]]) -> FrozenMap[K, V]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise DataError(message)


def _nonempty_str(name: str) -> Any:
    """Return a validator that requires a non-empty ``str``."""

    def check(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
        _check(isinstance(value, str) and value.strip() != "", f"{name}: expected a non-empty string, got {value!r}")

    check.__name__ = check.__qualname__ = f"nonempty_str({name!r})"
    return check


def _optional_str(name: str) -> Any:
    """Return a validator that requires ``str`` or ``None``."""

    def check(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
        _check(value is None or isinstance(value, str), f"{name}: expected a string or nothing, got {value!r}")

    check.__name__ = check.__qualname__ = f"optional_str({name!r})"
    return check


@attrs.frozen
class Actor:
    """Someone who acts in an episode: a state, a person, or an organisation.

    Attributes:
        id: The id events use for this actor (``"JPN"``, ``"kishida"``).
        name: A readable name.
        kind: State, person or organisation.
        represents: The id of the actor this one speaks for (a minister
            represents a state); roles resolve through it.
    """

    id: str = attrs.field(validator=_nonempty_str("actor id"))
    name: str = attrs.field(validator=_nonempty_str("actor name"))
    kind: ActorKind = attrs.field(default=ActorKind.STATE, converter=ActorKind, kw_only=True)
    represents: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("represents"))


@attrs.frozen
class Source:
    """A cited source.

    Attributes:
        id: The id events cite (``"asmolov-2024"``).
        title: The title of the page or article.
        url: Where to read it.
        author: Who wrote it.
        publisher: Who published it.
        date: Publication date as ISO 8601 text, possibly partial
            (``"2024-04-14"``, ``"2024-04"``, ``"2024"``).

    Examples:
        >>> import negotiation_model as nm
        >>> s = nm.load_episode("japan-dprk-2023-24").sources["asmolov-2024"]
        >>> s.author, s.publisher, s.date
        ('Konstantin Asmolov', 'New Eastern Outlook', '2024-04-14')
    """

    id: str = attrs.field(validator=_nonempty_str("source id"))
    title: str | None = attrs.field(default=None, validator=_optional_str("title"))
    url: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("url"))
    author: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("author"))
    publisher: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("publisher"))
    date: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("date"))

    def __attrs_post_init__(self) -> None:
        _check(
            bool(self.title) or bool(self.url),
            f"source {self.id!r}: expected a title or a url (a source must be findable)",
        )


@attrs.frozen
class Quote:
    """A short, marked quotation of an official's words.

    Attributes:
        text: The words quoted, verbatim from the cited source.
        source: The id of the source the quotation is taken from.
        speaker: Who said it, as the source attributes it.

    Examples:
        >>> import negotiation_model as nm
        >>> q = nm.load_episode("japan-dprk-2023-24").event("kishida-offer-2023-05-27").quote
        >>> q.source, q.text.startswith("I am determined to face Kim Jong Un")
        ('reuters-bdnews24-2023-05-27', True)
    """

    text: str = attrs.field(validator=_nonempty_str("quote text"))
    source: str = attrs.field(validator=_nonempty_str("quote source"))
    speaker: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("quote speaker"))


@attrs.frozen
class Codes:
    """Event-data codes for one event; every field is optional.

    Attributes:
        cameo: CAMEO event code, as text (``"036"``).
        plover: PLOVER event type (``"AGREE"``).
        plover_mode: PLOVER mode (``"meet"``).
        goldstein: Goldstein score, -10 (conflict) to +10 (cooperation).
    """

    cameo: str | None = attrs.field(default=None, validator=_optional_str("cameo"))
    plover: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("plover"))
    plover_mode: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("plover_mode"))
    goldstein: float | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        g = self.goldstein
        _check(
            g is None or (isinstance(g, (int, float)) and not isinstance(g, bool) and -10.0 <= g <= 10.0),
            f"goldstein: expected a number from -10 to 10, got {g!r}",
        )

    def is_empty(self) -> bool:
        """Return True when no code is set."""
        return self == _NO_CODES


_NO_CODES = Codes()


def _as_kind(value: EventKind | str) -> EventKind:
    return value if type(value) is EventKind else EventKind(value)


def _as_precision(value: DatePrecision | str) -> DatePrecision:
    return value if type(value) is DatePrecision else DatePrecision(value)


def _as_frozenset(value: Iterable[str]) -> frozenset[str]:
    return value if type(value) is frozenset else frozenset(value)


def _as_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)


def _as_reasons(value: Iterable[str]) -> tuple[str, ...]:
    reasons = _as_tuple(value)
    return reasons if any(reasons) else ()  # all-blank reasons mean "none recorded"


@attrs.frozen(repr=False)
class Event:
    """One dated, sourced move in an episode.

    Attributes:
        id: Unique within its episode.
        date: When it happened. For ``month`` or ``year`` precision this is
            the first day of the month or year.
        date_precision: How precisely the date is known.
        kind: What kind of move it is.
        actor: The id of the actor who made the move.
        target: The id of the actor it was aimed at, if any.
        issues: The issues it touches (``{"abductees"}``).
        summary: What happened, in the dataset author's own words.
        quote: A short, cited quotation of the actor, if any.
        responds_to: Ids of the earlier events this one answers.
        link_reasons: Why each ``responds_to`` link was drawn, in the same
            order (empty when no reasons were recorded).
        sources: Ids of the sources that report it (at least one).
        codes: Event-data codes (CAMEO, PLOVER, Goldstein).
        note: Free text: uncertainty about the date, disputes, caveats.

    Examples:
        >>> import datetime as dt
        >>> e = Event("e1", dt.date(2023, 5, 27), kind="offer", actor="JPN", sources=["s"])
        >>> e.kind, e.date_precision, e.issues
        (<EventKind.OFFER: 'offer'>, <DatePrecision.DAY: 'day'>, frozenset())
    """

    id: str
    date: dt.date
    date_precision: DatePrecision = attrs.field(default=DatePrecision.DAY, converter=_as_precision, kw_only=True)
    kind: EventKind = attrs.field(converter=_as_kind, kw_only=True)
    actor: str = attrs.field(kw_only=True)
    target: str | None = attrs.field(default=None, kw_only=True)
    issues: frozenset[str] = attrs.field(default=frozenset(), converter=_as_frozenset, kw_only=True)
    summary: str = attrs.field(default="", kw_only=True)
    quote: Quote | None = attrs.field(default=None, kw_only=True)
    responds_to: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple, kw_only=True)
    link_reasons: tuple[str, ...] = attrs.field(default=(), converter=_as_reasons, kw_only=True)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple, kw_only=True)
    codes: Codes = attrs.field(default=_NO_CODES, kw_only=True)
    note: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        # One hand-written check instead of a validator per field: it runs
        # for every event of every file, and it can name the event.
        problems = event_problems(self)
        if problems:
            raise DataError(problems)

    def __repr__(self) -> str:
        return (
            f"Event({self.id!r}, {date_text(self.date, self.date_precision)}, "
            f"kind={self.kind.value!r}, actor={self.actor!r})"
        )

    @property
    def date_text(self) -> str:
        """Return the date as written in files: ``2024-02-15``, ``2024-02`` or ``2024``."""
        return date_text(self.date, self.date_precision)

    @property
    def date_span(self) -> tuple[dt.date, dt.date]:
        """Return the first and last day the date may stand for."""
        return date_span(self.date, self.date_precision)


def event_problems(event: Event) -> list[str]:
    """Return what is wrong with an event's own fields (empty when nothing)."""
    # This runs for every event of every file: the checks are written so that
    # a valid event costs a few C-level calls, and the event is named (the
    # "event 'x': " prefix) only when there is something to say.
    eid, date, precision = event.id, event.date, event.date_precision
    issues, responds_to, reasons, sources = event.issues, event.responds_to, event.link_reasons, event.sources
    out: list[str] = []
    if not isinstance(eid, str) or not eid.strip():
        out.append(f"field 'id': expected a non-empty string, got {eid!r}")
    if type(date) is not dt.date:
        out.append(f"field 'date': expected a datetime.date, got {date!r}")
    elif precision is not DatePrecision.DAY and date != truncate(date, precision):
        out.append(
            f"field 'date': a {precision.value}-precision date must be the first day "
            f"of its {precision.value}, got {date.isoformat()}"
        )
    if not isinstance(event.actor, str) or not event.actor:
        out.append(f"field 'actor': expected an actor id, got {event.actor!r}")
    if event.target is not None and (not isinstance(event.target, str) or not event.target):
        out.append(f"field 'target': expected an actor id or nothing, got {event.target!r}")
    if issues and not _nonempty_strs(issues):
        out.append(f"field 'issues': expected non-empty strings, got {sorted(map(repr, issues))}")
    if not isinstance(event.summary, str):
        out.append(f"field 'summary': expected a string, got {event.summary!r}")
    if event.quote is not None and type(event.quote) is not Quote:
        out.append(f"field 'quote': expected a Quote, got {event.quote!r}")
    if responds_to:
        if not _nonempty_strs(responds_to):
            out.append(f"field 'responds_to': expected event ids, got {responds_to!r}")
        elif eid in responds_to:
            out.append("field 'responds_to': an event cannot answer itself")
        elif len(set(responds_to)) != len(responds_to):
            out.append("field 'responds_to': an event id is listed twice")
    if reasons and (len(reasons) != len(responds_to) or not all(map(isinstance, reasons, _STR))):
        out.append(
            f"field 'link_reasons': expected one reason per responds_to link ({len(responds_to)}), got {reasons!r}"
        )
    if not sources:
        out.append("field 'sources': expected at least one source id (every event cites a source)")
    elif not _nonempty_strs(sources):
        out.append(f"field 'sources': expected source ids, got {sources!r}")
    if type(event.codes) is not Codes:
        out.append(f"field 'codes': expected a Codes record, got {event.codes!r}")
    if not isinstance(event.note, str):
        out.append(f"field 'note': expected a string, got {event.note!r}")
    if out:
        where = f"event {eid!r}" if isinstance(eid, str) else "event"
        return [f"{where}: {problem}" for problem in out]
    return out


#: ``str`` forever, for ``map(isinstance, values, _STR)``.
_STR = itertools.repeat(str)


def _nonempty_strs(values: tuple[object, ...] | frozenset[object]) -> bool:
    """Return True when every value is a ``str`` with more than blanks in it."""
    # Blank ids are refused here as the loader refuses them, so that what can
    # be built can also be saved and read back. A plain loop: the tuples are
    # short (an id or two), where it beats all() over a generator by half.
    for value in values:  # noqa: SIM110
        if not isinstance(value, str) or not value.strip():
            return False
    return True


# Loading builds events by the hundred thousand from values the loader has
# already put in their final types (tuples, frozensets, enums), on which
# Event's converters would return their argument unchanged. _unchecked_event
# sets the slots directly, and _checked runs the same check as Event(): twice
# as fast as the attrs __init__. The assert keeps the field order in step.
_EVENT_FIELDS = (
    "id", "date", "date_precision", "kind", "actor", "target", "issues",
    "summary", "quote", "responds_to", "link_reasons", "sources", "codes", "note",
)  # fmt: skip
assert tuple(a.name for a in attrs.fields(Event)) == _EVENT_FIELDS
(
    _set_id, _set_date, _set_precision, _set_kind, _set_actor, _set_target, _set_issues,
    _set_summary, _set_quote, _set_responds_to, _set_reasons, _set_sources, _set_codes, _set_note,
) = (Event.__dict__[name].__set__ for name in _EVENT_FIELDS)  # fmt: skip


def _checked(event: Event) -> Event:
    """Return an event made by :func:`_unchecked_event`, after the check ``Event(...)`` makes.

    Raises:
        DataError: As ``Event(...)`` does.
    """
    problems = event_problems(event)
    if problems:
        raise DataError(problems)
    return event


def _unchecked_event(
    id: str,
    date: dt.date,
    date_precision: DatePrecision,
    kind: EventKind,
    actor: str,
    target: str | None,
    issues: frozenset[str],
    summary: str,
    quote: Quote | None,
    responds_to: tuple[str, ...],
    link_reasons: tuple[str, ...],
    sources: tuple[str, ...],
    codes: Codes,
    note: str,
) -> Event:
    """Return the Event of these fields, given in their final types, with no check at all.

    ``link_reasons`` must already be ``()`` when no reason is recorded. Only
    for a caller that has made every check of :func:`event_problems` itself
    (the loader's fast road, ``io._plain_event``, whose agreement with
    ``Event(...)`` is a property test); everyone else wraps the call in
    :func:`_checked`, or calls ``Event(...)``.
    """
    event: Event = object.__new__(Event)
    _set_id(event, id)
    _set_date(event, date)
    _set_precision(event, date_precision)
    _set_kind(event, kind)
    _set_actor(event, actor)
    _set_target(event, target)
    _set_issues(event, issues)
    _set_summary(event, summary)
    _set_quote(event, quote)
    _set_responds_to(event, responds_to)
    _set_reasons(event, link_reasons)
    _set_sources(event, sources)
    _set_codes(event, codes)
    _set_note(event, note)
    return event


def truncate(date: dt.date, precision: DatePrecision) -> dt.date:
    """Return the first day of the month or year that ``date`` falls in, at ``precision``.

    Examples:
        >>> truncate(dt.date(2024, 2, 15), DatePrecision.MONTH)
        datetime.date(2024, 2, 1)
    """
    if precision is DatePrecision.DAY:
        return date
    if precision is DatePrecision.MONTH:
        return date.replace(day=1)
    return date.replace(month=1, day=1)


def date_span(date: dt.date, precision: DatePrecision) -> tuple[dt.date, dt.date]:
    """Return the first and last day a date of the given precision stands for.

    Examples:
        >>> date_span(dt.date(2024, 2, 1), DatePrecision.MONTH)
        (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    """
    start = truncate(date, precision)
    if precision is DatePrecision.DAY:
        return start, start
    if precision is DatePrecision.MONTH:
        nxt = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
        return start, nxt - dt.timedelta(days=1)
    return start, start.replace(month=12, day=31)


def date_text(date: dt.date, precision: DatePrecision) -> str:
    """Return a date as written in files at the given precision.

    Examples:
        >>> date_text(dt.date(2024, 2, 1), DatePrecision.MONTH)
        '2024-02'
    """
    if precision is DatePrecision.DAY:
        return date.isoformat()
    if precision is DatePrecision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return f"{date.year:04d}"


def not_before(answer: Event, answered: Event) -> bool:
    """Return True when ``answer`` is not dated before ``answered``.

    Dates are compared at the coarser of the two precisions, so an answer
    dated ``2024-02`` may answer an event of ``2024-02-15``.
    """
    if answer.date_precision is DatePrecision.DAY and answered.date_precision is DatePrecision.DAY:
        return answer.date >= answered.date  # the usual case, checked once per link of every file
    coarser = max(answer.date_precision, answered.date_precision, key=lambda p: p.rank)
    return truncate(answer.date, coarser) >= truncate(answered.date, coarser)
