"""Interoperability: CAMEO and PLOVER codes, CAMEO-coded event tables in, CSV, JSONL, PLOVER and pm4py out.

Three parts, one concept (our events seen through other people's formats):

- **The codebook.** Every :class:`~negotiation_model.EventKind` has default
  codes (:func:`default_codes`): a CAMEO code, the PLOVER type and mode that
  code translates to, and its Goldstein score (:func:`goldstein`).
  :func:`effective_codes` fills the gaps in an event's own codes.
  :func:`kind_for_cameo` maps a CAMEO code to an event kind, given the
  actor's role.
- **Import.** :func:`from_event_table` reads a GDELT- or ICEWS-style table of
  CAMEO-coded events and builds an :class:`~negotiation_model.Episode` for
  one dyad, reporting the rows it could not map (:class:`TableImport`).
- **Export.** :func:`export_episode` writes an episode as CSV, JSONL,
  PLOVER-style JSON records or a pm4py event log; :func:`episode_records`
  returns the same records in memory (``pandas.DataFrame(records)``).

The codebook is package data (``data/codebook/``): ``cameo-goldstein.tsv``
(Goldstein scores and descriptions), ``cameo-map.csv`` (the mapping below,
with PLOVER types and modes) and ``event-kinds.csv`` (each kind's default
code). Its sources are the project's research tables
(``research/pattern-event-codes.csv``, ``research/cameo-goldstein.tsv``) and
the PLOVER manual's CAMEO translation table.

**CAMEO codes to event kinds.** A code takes the row of its longest listed
prefix (``1042`` falls under ``10``, ``0841`` has a row of its own). The kind
can depend on who acts: the same words ("we are ready to meet", CAMEO 036)
are an offer from the initiator and willingness from the respondent.
"Red line" marks the codes that, by default, touch the episode's red-line
issue on import (see below).

| CAMEO code (prefix) | from the initiator | from the respondent | why |
| --- | --- | --- | --- |
| 026, 036 | offer | willingness | appeal to meet; intent to meet or negotiate |
| 106 | offer | precondition | demand a meeting |
| 03, 032, 037 | willingness | willingness | intent to cooperate, short of an offer |
| 10, 100, 1042 | issue_raised | precondition | the respondent's demands are its terms |
| 0253, 1053, 1243 | issue_raised (red line) | issue_raised (red line) | the release of persons |
| 11, 111, 112, 114 | issue_raised | issue_raised | criticise, accuse, complain |
| 125, 134, 161, 164 | door_slammed | door_slammed | reject talks, threaten to halt them, break relations, halt talks |
| 018, 033, 05, 051, 07 | goodwill | goodwill | condolences, praise, aid: no demand attached |
| 04, 040, 041, 042, 043, 044, 046 | meeting | meeting | consult, visit, host, negotiate (see "summits") |
| 054, 057 | agreement | agreement | recognition, a signed agreement |
| 035, 055, 08, 085 | concession | concession | intent to yield, apology, easing |
| 0353, 0841 | concession (red line) | concession (red line) | release or return of persons |
| 16, 163, 1312 | sanction | sanction | sanctions imposed or threatened |
| 01, 010, 02, 052, 053, 12 | statement | statement | statements, appeals, other rejections |
| 045, 06, 09, 13, 14, 15, 166, 17, 18, 19, 20 | unmapped | unmapped | no move in the pattern: reported, not imported |

**Summits.** CAMEO has no code for a leaders' meeting, so 04x rows import as
``meeting``. Re-kind a summit after import:
``episode.replace(event_id, kind=nm.EventKind.SUMMIT)``.

**Issues.** CAMEO codes say what was done, not about what. By default an
imported row touches the red line when its code is marked "red line" above
(the release of persons: the abductees, the red line of the bundled
pattern); for another red line pass ``issues`` (a mapping from CAMEO code
prefix to issues, or a function of the row).

**PLOVER.** Types follow the PLOVER manual's translation of the CAMEO cue
categories (CAMEO 01 and 02 have no PLOVER type), with DEMAND written
``REQUEST`` and the modes of the research table (036 ``AGREE``; 1042
``REQUEST``/change; 1053 ``REQUEST``/yield; 125 ``REJECT``/meet; 043
``CONSULT``/visit; 0841 ``RETREAT``/release; 163 ``SANCTION``/discontinue).
018 (condolences) is ``SUPPORT``, a judgement of the research table.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import math
import numbers
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from .episode import Episode, Role, Roles
from .errors import DataError
from .events import Actor, ActorKind, Codes, Event, EventKind, FrozenMap, Source
from .io import _no_file

__all__ = [
    "TableImport",
    "UnmappedRow",
    "default_codes",
    "effective_codes",
    "episode_records",
    "export_episode",
    "from_event_table",
    "goldstein",
    "kind_for_cameo",
]

PathLike = str | os.PathLike[str]

#: The export formats, in the order the docs list them.
FORMATS = ("csv", "jsonl", "plover", "pm4py")

#: File-name endings that tell :func:`export_episode` the format (longest first).
FORMAT_SUFFIXES = (
    (".pm4py.csv", "pm4py"),
    (".plover.jsonl", "plover"),
    (".plover.json", "plover"),
    (".csv", "csv"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
)

#: PLOVER quad categories (the PLOVER manual): 1 verbal cooperation, 2 material
#: cooperation, 3 verbal conflict, 4 material conflict. REQUEST is the current
#: name of DEMAND; FIGHT is kept for the manual's CAMEO 20.
PLOVER_QUAD = FrozenMap(
    {
        "AGREE": 1,
        "CONSULT": 1,
        "SUPPORT": 1,
        "CONCEDE": 1,
        "COOPERATE": 2,
        "AID": 2,
        "RETREAT": 2,
        "INVESTIGATE": 2,
        "REQUEST": 3,
        "DEMAND": 3,
        "ACCUSE": 3,
        "REJECT": 3,
        "SANCTION": 3,
        "THREATEN": 3,
        "PROTEST": 4,
        "MOBILIZE": 4,
        "COERCE": 4,
        "ASSAULT": 4,
        "FIGHT": 4,
    }
)

_CODE_RE = re.compile(r"^\d{2,4}[a-z]?$")
_NONE = "-"


# -- the codebook ----------------------------------------------------------------


@attrs.frozen
class _CodeRow:
    """One row of ``cameo-map.csv``; ``None`` fields are empty (inherit from a shorter prefix)."""

    code: str
    kind: EventKind | None
    respondent_kind: EventKind | None
    no_kind: bool
    red_line: bool
    plover: str | None
    plover_mode: str | None
    no_plover: bool
    why: str


@attrs.frozen
class _KindRow:
    kind: EventKind
    cameo: str
    context: tuple[str, ...]
    why: str


@attrs.frozen
class _Codebook:
    goldstein: Mapping[str, float]
    descriptions: Mapping[str, str]
    rows: Mapping[str, _CodeRow]
    kinds: Mapping[EventKind, _KindRow]


def _data_lines(name: str) -> tuple[str, list[str]]:
    where = f"<bundled codebook {name}>"
    text = (
        resources.files("negotiation_model")
        .joinpath("data")
        .joinpath("codebook")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return where, [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _read_table(name: str, delimiter: str, header: tuple[str, ...]) -> tuple[str, list[dict[str, str]]]:
    where, lines = _data_lines(name)
    rows = list(csv.reader(lines, delimiter=delimiter))
    if not rows or tuple(rows[0]) != header:
        raise DataError(f"expected the header {', '.join(header)}", path=where)
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"row {number}: expected {len(header)} cells, got {len(row)}", path=where)
        out.append(dict(zip(header, row, strict=True)))
    return where, out


def _kind_cell(where: str, code: str, text: str) -> EventKind | None:
    if not text or text == _NONE:
        return None
    try:
        return EventKind(text)
    except ValueError:
        raise DataError(f"code {code!r}: unknown event kind {text!r}", path=where) from None


@functools.lru_cache(maxsize=1)
def _codebook() -> _Codebook:
    """Load and check the bundled codebook (once)."""
    _, scores = _read_table("cameo-goldstein.tsv", "\t", ("code", "goldstein", "description"))
    gold = {r["code"]: float(r["goldstein"]) for r in scores}
    descriptions = {r["code"]: r["description"] for r in scores}

    where, mapped = _read_table(
        "cameo-map.csv", ",", ("code", "kind", "respondent_kind", "red_line", "plover", "plover_mode", "why")
    )
    rows: dict[str, _CodeRow] = {}
    for r in mapped:
        code = r["code"]
        if code not in gold or code in rows:
            raise DataError(f"code {code!r}: not a CAMEO code of cameo-goldstein.tsv, or listed twice", path=where)
        plover = r["plover"] or None
        if plover not in (None, _NONE) and plover not in PLOVER_QUAD:
            raise DataError(f"code {code!r}: unknown PLOVER type {plover!r}", path=where)
        if r["plover_mode"] and not plover:
            raise DataError(f"code {code!r}: a PLOVER mode needs the PLOVER type on the same row", path=where)
        if r["respondent_kind"] and not r["kind"]:
            raise DataError(f"code {code!r}: respondent_kind needs kind on the same row", path=where)
        if r["red_line"] not in ("", "yes"):
            raise DataError(f"code {code!r}: red_line: expected 'yes' or nothing, got {r['red_line']!r}", path=where)
        rows[code] = _CodeRow(
            code=code,
            kind=_kind_cell(where, code, r["kind"]),
            respondent_kind=_kind_cell(where, code, r["respondent_kind"]),
            no_kind=r["kind"] == _NONE,
            red_line=r["red_line"] == "yes",
            plover=None if plover in (None, _NONE) else plover,
            plover_mode=r["plover_mode"] or None,
            no_plover=plover == _NONE,
            why=r["why"],
        )

    where, listed = _read_table("event-kinds.csv", ",", ("kind", "cameo", "plover_context", "why"))
    kinds: dict[EventKind, _KindRow] = {}
    for r in listed:
        kind = _kind_cell(where, r["kind"], r["kind"])
        if kind is None or r["cameo"] not in gold:
            raise DataError(f"kind {r['kind']!r}: expected an event kind and a CAMEO code", path=where)
        context = tuple(c for c in r["plover_context"].split(";") if c)
        kinds[kind] = _KindRow(kind, r["cameo"], context, r["why"])
    missing = [k.value for k in EventKind if k not in kinds]
    if missing:
        raise DataError(f"no default codes for {', '.join(missing)}", path=where)
    return _Codebook(FrozenMap(gold), FrozenMap(descriptions), FrozenMap(rows), FrozenMap(kinds))


def _prefixes(code: str) -> Iterator[str]:
    """Yield the code, then its shorter prefixes down to the two-digit root."""
    for end in range(len(code), 1, -1):
        yield code[:end]


def _kind_row(code: str) -> _CodeRow | None:
    """Return the row that decides a code's kind (its longest prefix with a kind or "-")."""
    rows = _codebook().rows
    for prefix in _prefixes(code):
        row = rows.get(prefix)
        if row is not None and (row.kind is not None or row.no_kind):
            return row
    return None


def _plover_of(code: str) -> tuple[str | None, str | None]:
    """Return a CAMEO code's PLOVER type and mode (``None`` when PLOVER has none)."""
    rows = _codebook().rows
    for prefix in _prefixes(code):
        row = rows.get(prefix)
        if row is not None and (row.plover is not None or row.no_plover):
            return row.plover, row.plover_mode
    return None, None


def goldstein(cameo: str) -> float:
    """Return the Goldstein score of a CAMEO code (-10 conflict to +10 cooperation).

    Args:
        cameo: A CAMEO event code as text, with its leading zeros (``"036"``).

    Raises:
        KeyError: When the code is not a CAMEO code.

    Examples:
        >>> goldstein("036"), goldstein("125")
        (4.0, -5.0)
    """
    try:
        return _codebook().goldstein[cameo]
    except KeyError:
        raise KeyError(f"{cameo!r} is not a CAMEO event code (write it as text with its leading zeros)") from None


def kind_for_cameo(cameo: str, role: Role | str = Role.INITIATOR) -> EventKind | None:
    """Return the event kind a CAMEO code stands for, when the actor plays ``role``.

    The mapping is the table in this module's documentation: the longest
    listed prefix of the code decides. A third party's code takes the kind
    the initiator's would.

    Args:
        cameo: A CAMEO event code as text (``"036"``, ``"1042"``).
        role: The acting side's role in the episode.

    Returns:
        The kind, or ``None`` when the pattern has no move for the code
        (fighting, protests, threats of force...).

    Examples:
        >>> from negotiation_model import Role
        >>> kind_for_cameo("036", Role.INITIATOR), kind_for_cameo("036", Role.RESPONDENT)
        (<EventKind.OFFER: 'offer'>, <EventKind.WILLINGNESS: 'willingness'>)
        >>> kind_for_cameo("1042", "respondent"), kind_for_cameo("190") is None
        (<EventKind.PRECONDITION: 'precondition'>, True)
    """
    row = _kind_row(cameo)
    if row is None or row.kind is None:
        return None
    if Role(role) is Role.RESPONDENT and row.respondent_kind is not None:
        return row.respondent_kind
    return row.kind


def _cameo_codes(cameo: str) -> Codes:
    """Return the codes a CAMEO code implies: itself, its PLOVER type and mode, its Goldstein score."""
    plover, mode = _plover_of(cameo)
    return Codes(cameo, plover=plover, plover_mode=mode, goldstein=_codebook().goldstein.get(cameo))


def default_codes(kind: EventKind | str) -> Codes:
    """Return an event kind's default codes: CAMEO code, PLOVER type and mode, Goldstein score.

    The defaults come from the project's research table of the pattern's
    codes (``data/codebook/event-kinds.csv`` says why each was chosen). A
    statement has no PLOVER type: PLOVER drops CAMEO's statements.

    Examples:
        >>> import negotiation_model as nm
        >>> nm.default_codes(nm.EventKind.PRECONDITION)
        Codes(cameo='1042', plover='REQUEST', plover_mode='change', goldstein=-5.0)
        >>> nm.default_codes("door_slammed").cameo
        '125'
    """
    return _cameo_codes(_codebook().kinds[EventKind(kind)].cameo)


def effective_codes(event: Event) -> Codes:
    """Return an event's codes with the gaps filled in.

    The event's own codes win, field by field. The gaps are filled from the
    event's own CAMEO code when it has one (its PLOVER type and mode and its
    Goldstein score, so that a 112 accusation is not scored as the default
    1053 demand), and from :func:`default_codes` of its kind when it has not.

    Examples:
        >>> import datetime as dt
        >>> import negotiation_model as nm
        >>> e = nm.Event("e", dt.date(2024, 3, 26), kind="issue_raised", actor="JPN", sources=["s"],
        ...              codes=nm.Codes("112"))
        >>> effective_codes(e)
        Codes(cameo='112', plover='ACCUSE', plover_mode='disapprove', goldstein=-2.0)
        >>> effective_codes(attrs.evolve(e, codes=nm.Codes())).cameo
        '1053'
    """
    own = event.codes
    base = _cameo_codes(own.cameo) if own.cameo else default_codes(event.kind)
    return Codes(
        own.cameo or base.cameo,
        plover=own.plover or base.plover,
        plover_mode=own.plover_mode or base.plover_mode,
        goldstein=own.goldstein if own.goldstein is not None else base.goldstein,
    )


def _plover_context(kind: EventKind) -> tuple[str, ...]:
    return _codebook().kinds[kind].context


# -- import: CAMEO-coded event tables ----------------------------------------------


#: Fields every table must give (after ``columns``), and the optional ones.
REQUIRED_FIELDS = ("id", "date", "actor", "target", "code")
OPTIONAL_FIELDS = ("url", "story", "publisher", "actor_name", "target_name", "goldstein")


@attrs.frozen
class _Style:
    name: str
    prefix: str
    columns: Mapping[str, str]


_GDELT = _Style(
    "GDELT",
    "gdelt",
    FrozenMap(
        {
            "id": "GLOBALEVENTID",
            "date": "SQLDATE",
            "actor": "Actor1CountryCode",
            "target": "Actor2CountryCode",
            "code": "EventCode",
            "url": "SOURCEURL",
            "actor_name": "Actor1Name",
            "target_name": "Actor2Name",
            "goldstein": "GoldsteinScale",
        }
    ),
)
_ICEWS = _Style(
    "ICEWS",
    "icews",
    FrozenMap(
        {
            "id": "Event ID",
            "date": "Event Date",
            "actor": "Source Country",
            "target": "Target Country",
            "code": "CAMEO Code",
            "url": "URL",
            "story": "Story ID",
            "publisher": "Publisher",
            "actor_name": "Source Name",
            "target_name": "Target Name",
            "goldstein": "Intensity",
        }
    ),
)

#: Country names (as ICEWS writes them) -> ISO 3166 alpha-3 codes; extend with ``countries=``.
COUNTRY_CODES = FrozenMap(
    {
        "japan": "JPN",
        "north korea": "PRK",
        "democratic people's republic of korea": "PRK",
        "south korea": "KOR",
        "republic of korea": "KOR",
        "russia": "RUS",
        "russian federation": "RUS",
        "china": "CHN",
        "united states": "USA",
        "united states of america": "USA",
    }
)
#: Readable names for the country codes above.
COUNTRY_NAMES = FrozenMap(
    {
        "JPN": "Japan",
        "PRK": "North Korea",
        "KOR": "South Korea",
        "RUS": "Russia",
        "CHN": "China",
        "USA": "United States",
    }
)

Cells = Mapping[str, str | None]
IssuesRule = Mapping[str, str | Iterable[str]] | Callable[[Cells], Iterable[str]]


def _frozen_cells(cells: Mapping[str, str | None]) -> FrozenMap[str, str | None]:
    return cells if isinstance(cells, FrozenMap) else FrozenMap(cells)


def _tuple_of_rows(rows: Iterable[UnmappedRow]) -> tuple[UnmappedRow, ...]:
    return tuple(rows)


@attrs.frozen
class UnmappedRow:
    """A row of the dyad whose CAMEO code the codebook maps to no event kind.

    Attributes:
        row: The row's number among the table's data rows (1 is the first
            row after the header).
        cameo: The row's CAMEO code (leading zeros restored).
        cells: The row's cells, column name -> text (``None`` when empty).

    Examples:
        >>> import negotiation_model as nm
        >>> row = {"GLOBALEVENTID": 1, "SQLDATE": 20230527, "Actor1CountryCode": "JPN", "Actor2CountryCode": "PRK",
        ...        "EventCode": "036", "SOURCEURL": "https://example.org/a"}
        >>> u = nm.from_event_table([row, {**row, "GLOBALEVENTID": 2, "EventCode": "190"}]).unmapped[0]
        >>> u.row, u.cameo, u.cells["EventCode"]
        (2, '190', '190')
    """

    row: int
    cameo: str
    cells: Cells = attrs.field(converter=_frozen_cells)


@attrs.frozen(kw_only=True)
class TableImport:
    """What :func:`from_event_table` made of a table: the episode, and what it left out.

    Attributes:
        episode: The episode: one event per row of the dyad with a mapped code.
        unmapped: The dyad's rows whose CAMEO code maps to no event kind
            (reported, not imported; map them with ``kinds=``).
        outside_dyad: How many rows were dropped because they are not
            between the two actors.
        style: Which column names were read: ``"GDELT"``, ``"ICEWS"`` or
            ``"custom"``.

    Examples:
        >>> import negotiation_model as nm
        >>> row = {"GLOBALEVENTID": 1, "SQLDATE": 20230527, "Actor1CountryCode": "JPN", "Actor2CountryCode": "PRK",
        ...        "EventCode": "036", "SOURCEURL": "https://example.org/a"}
        >>> imported = nm.from_event_table([row, {**row, "GLOBALEVENTID": 2, "EventCode": "190"},
        ...                                 {**row, "GLOBALEVENTID": 3, "Actor1CountryCode": "USA"}])
        >>> imported.style, len(imported.episode.events), imported.outside_dyad, dict(imported.unmapped_codes)
        ('GDELT', 1, 1, {'190': 1})
    """

    episode: Episode
    unmapped: tuple[UnmappedRow, ...] = attrs.field(default=(), converter=_tuple_of_rows)
    outside_dyad: int = 0
    style: str = "custom"

    @property
    def unmapped_codes(self) -> Mapping[str, int]:
        """Return each unmapped CAMEO code with its number of rows, by code."""
        counts: dict[str, int] = {}
        for row in self.unmapped:
            counts[row.cameo] = counts.get(row.cameo, 0) + 1
        return FrozenMap(sorted(counts.items()))


@attrs.frozen
class _Table:
    header: tuple[str, ...]
    rows: Iterable[tuple[int, int | None, Mapping[str, Any]]]
    path: str | None


def from_event_table(
    table: PathLike | Iterable[Mapping[str, Any]] | Any,
    *,
    actors: tuple[str, str] = ("JPN", "PRK"),
    red_line: str = "abductees",
    episode_id: str | None = None,
    title: str | None = None,
    issues: IssuesRule | None = None,
    columns: Mapping[str, str | None] | None = None,
    countries: Mapping[str, str] | None = None,
    kinds: Mapping[str, EventKind | str | None] | None = None,
) -> TableImport:
    """Build an episode from a CAMEO-coded event table (GDELT or ICEWS style).

    Keeps the rows between the two ``actors``, in either direction (the first
    actor is the initiator, the second the respondent); maps each row's CAMEO
    code to an event kind through the codebook (see the table above); makes
    each row's URL (or ICEWS story, or failing both the table's own record)
    a declared source. Rows of the dyad whose code maps to no kind are
    reported in :attr:`TableImport.unmapped`, and counted in the episode's
    notes; they are not imported.

    Column names are recognised (case-insensitively) from the header:

    - GDELT: ``GLOBALEVENTID``, ``SQLDATE`` (``YYYYMMDD``),
      ``Actor1CountryCode``, ``Actor2CountryCode``, ``EventCode``,
      ``SOURCEURL``; optional ``Actor1Name``, ``Actor2Name``,
      ``GoldsteinScale``.
    - ICEWS: ``Event ID``, ``Event Date`` (``YYYY-MM-DD``), ``Source
      Country``, ``Target Country`` (country names, read through
      ``countries``), ``CAMEO Code``; optional ``Story ID``, ``Publisher``,
      ``Source Name``, ``Target Name``, ``Intensity``, ``URL``.

    Codes that lost their leading zeros (``36`` for ``036``, as spreadsheets
    and pandas write them) are padded back: event-code columns hold full
    three- or four-digit codes. Only the dyad's rows are parsed, so a large
    daily file with odd rows elsewhere still imports.

    Args:
        table: A CSV or TSV file (path), an iterable of mappings (one per
            row), or a pandas ``DataFrame`` (pandas is not required).
        actors: The initiator and the respondent: country codes, or names
            that ``countries`` maps to codes.
        red_line: The episode's red-line issue.
        episode_id: The episode's id; by default made from the actors and
            the years (``"jpn-prk-2023-24"``).
        title: The episode's title; by default one naming the actors and
            the table's style.
        issues: Which issues each row touches: a mapping from CAMEO code
            prefix to issues (``{"1053": ["abductees"], "112": "missiles"}``,
            the longest prefix wins), or a function of the row's cells (a
            mapping column -> text, ``None`` for an empty cell) returning
            issues. By default, the codes about the release of
            persons touch ``red_line`` and nothing else has issues.
        columns: Column names by field, overriding or completing the
            recognised style. Fields: ``id``, ``date``, ``actor``,
            ``target``, ``code`` (required), ``url``, ``story``,
            ``publisher``, ``actor_name``, ``target_name``, ``goldstein``;
            ``None`` ignores an optional column.
        countries: Extra country name -> code entries (``{"Nippon": "JPN"}``)
            over the built-in ones.
        kinds: Kinds by CAMEO code prefix that override the codebook, for
            every role (``{"138": "statement"}``); ``None`` leaves a code
            unmapped.

    Returns:
        The episode, the unmapped rows and the count of rows outside the dyad.

    Raises:
        DataError: When a column is missing, a row of the dyad cannot be
            parsed (the message names the row and the column), an id
            repeats, or no row is an event of the dyad.
        FileNotFoundError: When ``table`` is a path and no such file exists.
        ValueError: When an argument is malformed (unknown field or kind).

    Examples:
        >>> import negotiation_model as nm
        >>> rows = [
        ...     {"GLOBALEVENTID": 1, "SQLDATE": 20230527, "Actor1CountryCode": "JPN",
        ...      "Actor2CountryCode": "PRK", "EventCode": "036", "SOURCEURL": "https://example.org/a"},
        ...     {"GLOBALEVENTID": 2, "SQLDATE": 20230529, "Actor1CountryCode": "PRK",
        ...      "Actor2CountryCode": "JPN", "EventCode": "1042", "SOURCEURL": "https://example.org/b"},
        ...     {"GLOBALEVENTID": 3, "SQLDATE": 20230530, "Actor1CountryCode": "USA",
        ...      "Actor2CountryCode": "JPN", "EventCode": "040", "SOURCEURL": "https://example.org/c"},
        ... ]
        >>> result = nm.from_event_table(rows)
        >>> [e.kind.value for e in result.episode.events], result.outside_dyad
        (['offer', 'precondition'], 1)
    """
    kinds_override = _check_kinds(kinds)
    country_codes = dict(COUNTRY_CODES)
    for country, iso3 in (countries or {}).items():
        country_codes[str(country).strip().casefold()] = str(iso3).strip().upper()
    first, second = _check_actors(actors, country_codes)
    data = _open_table(table)
    style, fields = _resolve_columns(data, columns)
    where_file = data.path

    problems: list[str] = []
    events: list[Event] = []
    sources: dict[str, Source] = {}
    unmapped: list[UnmappedRow] = []
    seen_ids: dict[str, int] = {}
    outside = 0
    n_rows = 0
    for number, line, raw in data.rows:
        n_rows += 1
        where = f"row {number}" + (f" (line {line})" if line is not None else "")
        actor = _country(_cell(raw.get(fields["actor"])), country_codes)
        target = _country(_cell(raw.get(fields["target"])), country_codes)
        if actor == target or {actor, target} != {first, second}:
            outside += 1
            continue
        assert actor is not None and target is not None
        before = len(problems)
        code = _code_cell(problems, where, fields["code"], raw.get(fields["code"]))
        raw_id = _required_cell(problems, where, fields["id"], raw.get(fields["id"]))
        date = _date_cell(problems, where, fields["date"], raw.get(fields["date"]))
        score = _goldstein_cell(problems, where, fields.get("goldstein"), raw)
        if len(problems) > before:
            continue
        assert code is not None and raw_id is not None and date is not None
        cells = {column: _cell(raw.get(column)) for column in data.header}
        role = Role.INITIATOR if actor == first else Role.RESPONDENT
        kind = _kind_with_override(code, role, kinds_override)
        if kind is None:
            unmapped.append(UnmappedRow(number, code, cells))
            continue
        event_id = f"{style.prefix}-{raw_id}"
        if event_id in seen_ids:
            problems.append(
                f"{where}, column {fields['id']!r}: the id {raw_id!r} repeats (first on row {seen_ids[event_id]})"
            )
            continue
        seen_ids[event_id] = number
        source = _row_source(style, raw_id, fields, raw)
        sources.setdefault(source.id, source)
        try:
            event_issues = _row_issues(issues, code, cells, red_line)
        except (TypeError, ValueError) as exc:
            problems.append(f"{where}: issues: {exc}")
            continue
        events.append(
            Event(
                event_id,
                date,
                kind=kind,
                actor=actor,
                target=target,
                issues=event_issues,
                summary=_row_summary(actor, target, code, fields, raw),
                sources=(source.id,),
                codes=Codes(code, goldstein=score),
                note=f"Imported from {style.name} row {number}: machine-coded, CAMEO {code}.",
            )
        )
    if problems:
        raise DataError(problems, path=where_file)
    if n_rows == 0:
        raise DataError("the table has no rows (only a header)", path=where_file)
    if not events:
        detail = f"{outside} of {n_rows} rows are outside the dyad"
        if unmapped:
            codes = ", ".join(sorted({u.cameo for u in unmapped}))
            detail += f"; {len(unmapped)} have codes that map to no event kind ({codes})"
        raise DataError(f"no row is a mapped event between {first} and {second} ({detail})", path=where_file)

    names = {code: _country_name(code, countries) for code in (first, second)}
    result = TableImport(
        episode=Episode(
            id=episode_id or _default_episode_id(first, second, events),
            title=title or f"{names[first]} and {names[second]}: events from a {style.name}-style table",
            summary=(
                f"{len(events)} machine-coded events between {names[first]} ({first}, the initiator) and "
                f"{names[second]} ({second}, the respondent), imported from a {style.name}-style CAMEO-coded "
                "event table; each event's kind comes from its CAMEO code and the actor's role."
            ),
            roles=Roles(first, second),
            red_line=red_line,
            actors={code: Actor(code, names[code], kind=ActorKind.STATE) for code in (first, second)},
            sources=sources,
            events=events,
            notes=_import_notes(unmapped, outside),
        ),
        unmapped=unmapped,
        outside_dyad=outside,
        style=style.name,
    )
    return result


def _check_kinds(kinds: Mapping[str, EventKind | str | None] | None) -> dict[str, EventKind | None]:
    out: dict[str, EventKind | None] = {}
    for prefix, kind in (kinds or {}).items():
        if not isinstance(prefix, str) or not _CODE_RE.match(prefix):
            raise ValueError(f"kinds: expected CAMEO codes or prefixes as keys (text like '138'), got {prefix!r}")
        try:
            out[prefix] = None if kind is None else EventKind(kind)
        except ValueError:
            raise ValueError(
                f"kinds: {prefix!r}: unknown event kind {kind!r} "
                f"(expected one of {', '.join(k.value for k in EventKind)})"
            ) from None
    return out


def _check_actors(actors: tuple[str, str], country_codes: Mapping[str, str]) -> tuple[str, str]:
    if isinstance(actors, str) or len(actors) != 2:
        raise ValueError(f"actors: expected two actors (initiator, respondent), got {actors!r}")
    first, second = (_country(_cell(a), country_codes) for a in actors)
    if first is None or second is None or first == second:
        raise ValueError(f"actors: expected two different, non-empty actors, got {actors!r}")
    return first, second


def _kind_with_override(code: str, role: Role, override: Mapping[str, EventKind | None]) -> EventKind | None:
    for prefix in _prefixes(code):
        if prefix in override:
            return override[prefix]
    return kind_for_cameo(code, role)


def _open_table(table: Any) -> _Table:
    if isinstance(table, (str, os.PathLike)):
        return _read_delimited(Path(table))
    if hasattr(table, "to_dict") and hasattr(table, "columns"):  # a pandas DataFrame, without importing pandas
        header = tuple(str(c) for c in table.columns)
        records = table.to_dict(orient="records")
        return _Table(header, [(n, None, {str(k): v for k, v in r.items()}) for n, r in enumerate(records, 1)], None)
    if isinstance(table, Mapping) or not isinstance(table, Iterable):
        raise TypeError(
            f"table: expected a CSV path, an iterable of row mappings or a pandas DataFrame, got {type(table).__name__}"
        )
    rows = list(table)
    seen: dict[str, None] = {}
    for number, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise DataError(f"row {number}: expected a mapping of column -> value, got {type(row).__name__}")
        seen.update(dict.fromkeys(str(k) for k in row))
    return _Table(tuple(seen), [(n, None, {str(k): v for k, v in r.items()}) for n, r in enumerate(rows, 1)], None)


def _read_delimited(path: Path) -> _Table:
    if not path.is_file():
        raise _no_file(path, f"{path}: no such file")
    where = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start})", path=where) from None
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise DataError("the table is empty (expected a header row naming the columns)", path=where)
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = tuple(h.strip() for h in next(reader))
    except csv.Error as exc:
        raise DataError(f"line 1: unreadable header ({exc})", path=where) from None

    def rows() -> Iterator[tuple[int, int | None, Mapping[str, Any]]]:
        number = 0
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue  # blank line
                number += 1
                if len(cells) != len(header):
                    raise DataError(
                        f"row {number} (line {reader.line_num}): {len(cells)} cells, "
                        f"but the header names {len(header)} columns",
                        path=where,
                    )
                yield number, reader.line_num, dict(zip(header, cells, strict=True))
        except csv.Error as exc:
            raise DataError(f"line {reader.line_num}: unreadable CSV ({exc})", path=where) from None

    return _Table(header, rows(), where)


def _resolve_columns(data: _Table, columns: Mapping[str, str | None] | None) -> tuple[_Style, dict[str, str]]:
    """Return the table's style and, per field, the header's name for its column."""
    by_fold = {h.casefold(): h for h in data.header}
    columns = dict(columns or {})
    unknown = [k for k in columns if k not in REQUIRED_FIELDS + OPTIONAL_FIELDS]
    if unknown:
        raise ValueError(
            f"columns: unknown field(s) {', '.join(map(repr, unknown))} "
            f"(expected {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})"
        )
    style = next(
        (
            s
            for s in (_GDELT, _ICEWS)
            if s.columns["code"].casefold() in by_fold or s.columns["id"].casefold() in by_fold
        ),
        None,
    )
    if style is None:
        if not all(columns.get(f) for f in REQUIRED_FIELDS):
            raise DataError(
                "cannot tell the table's style from its columns "
                f"({', '.join(data.header) or 'none'}): expected GDELT columns "
                f"({', '.join(_GDELT.columns[f] for f in REQUIRED_FIELDS)}) or ICEWS columns "
                f"({', '.join(_ICEWS.columns[f] for f in REQUIRED_FIELDS)}), or name them with columns=",
                path=data.path,
            )
        style = _Style("custom", "event", FrozenMap())
    wanted: dict[str, str | None] = {**style.columns, **columns}
    fields: dict[str, str] = {}
    missing = []
    for field in REQUIRED_FIELDS + OPTIONAL_FIELDS:
        name = wanted.get(field)
        if name is None:
            if field in REQUIRED_FIELDS:
                missing.append(f"field {field!r} has no column (it is required)")
            continue
        actual = by_fold.get(name.casefold())
        if actual is not None:
            fields[field] = actual
        elif field in REQUIRED_FIELDS or field in columns:
            missing.append(f"column {name!r} is missing (the {field} field)")
    if missing:
        needs = ", ".join(str(wanted[f]) for f in REQUIRED_FIELDS)
        hint = f"; a {style.name}-style table needs {needs} (or name yours with columns=)"
        raise DataError([m + hint for m in missing], path=data.path)
    return style, fields


def _cell(value: object) -> str | None:
    """Return a cell as stripped text, or None when it is empty or missing (NaN, NA, NaT)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if math.isnan(f):
            return None
        return str(int(f)) if f.is_integer() else repr(f)
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values, without importing pandas
        return None
    return str(value).strip() or None


def _country(cell: str | None, country_codes: Mapping[str, str]) -> str | None:
    if cell is None:
        return None
    return country_codes.get(cell.casefold(), cell.upper())


def _country_name(code: str, countries: Mapping[str, str] | None) -> str:
    if code in COUNTRY_NAMES:
        return COUNTRY_NAMES[code]
    for name, value in (countries or {}).items():
        if str(value).strip().upper() == code:
            return str(name)
    return code


def _required_cell(problems: list[str], where: str, column: str, value: object) -> str | None:
    text = _cell(value)
    if text is None:
        problems.append(f"{where}, column {column!r}: empty (expected a value)")
    return text


def _code_cell(problems: list[str], where: str, column: str, value: object) -> str | None:
    text = _required_cell(problems, where, column, value)
    if text is None:
        return None
    if not _CODE_RE.match(text):
        problems.append(f"{where}, column {column!r}: expected a CAMEO code (2 to 4 digits, as '036'), got {text!r}")
        return None
    return _normalise_cameo(text)


def _normalise_cameo(code: str) -> str:
    """Return a CAMEO code with the leading zeros a spreadsheet may have dropped.

    Event-code columns hold full codes (three or four digits), so a shorter
    one lost its zero; a three-digit code that is not a CAMEO code but is
    one with a leading zero (``841``) gets it back too.

    Examples:
        >>> _normalise_cameo("36"), _normalise_cameo("841"), _normalise_cameo("1042"), _normalise_cameo("164")
        ('036', '0841', '1042', '164')
    """
    known = _codebook().goldstein
    if len(code) < 3 and code.isdigit():
        code = code.zfill(3)
    if code not in known and "0" + code in known:
        code = "0" + code
    return code


_YMD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _date_cell(problems: list[str], where: str, column: str, value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):  # pandas Timestamps are datetimes
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _required_cell(problems, where, column, value)
    if text is None:
        return None
    m = _YMD.match(text) or _ISO.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    problems.append(f"{where}, column {column!r}: expected a date as YYYYMMDD or YYYY-MM-DD, got {text!r}")
    return None


def _goldstein_cell(problems: list[str], where: str, column: str | None, raw: Mapping[str, Any]) -> float | None:
    if column is None:
        return None
    text = _cell(raw.get(column))
    if text is None:
        return None
    try:
        score = float(text)
    except ValueError:
        score = math.nan
    if not -10.0 <= score <= 10.0:  # also false for NaN
        problems.append(f"{where}, column {column!r}: expected a Goldstein score from -10 to 10, got {text!r}")
        return None
    return score


def _row_source(style: _Style, raw_id: str, fields: Mapping[str, str], raw: Mapping[str, Any]) -> Source:
    url = _cell(raw.get(fields["url"])) if "url" in fields else None
    if url is not None:
        digest = hashlib.sha1(url.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", url.casefold())).split("/", 1)[0]
        slug = re.sub(r"[^a-z0-9]+", "-", host).strip("-") or "url"
        return Source(f"{slug}-{digest}", url=url)
    story = _cell(raw.get(fields["story"])) if "story" in fields else None
    publisher = _cell(raw.get(fields["publisher"])) if "publisher" in fields else None
    if story is not None:
        return Source(f"{style.prefix}-story-{story}", f"{style.name} story {story}", publisher=publisher)
    # No URL and no story: the table's own record is the only trace to cite.
    return Source(f"{style.prefix}-record-{raw_id}", f"{style.name} event record {raw_id}", publisher=publisher)


def _row_issues(rule: IssuesRule | None, code: str, cells: Cells, red_line: str) -> frozenset[str]:
    if rule is None:
        row = _kind_row(code)
        return frozenset({red_line}) if row is not None and row.red_line else frozenset()
    if callable(rule):
        found: Iterable[str] | str = rule(FrozenMap(cells))
    else:
        found = next((rule[p] for p in _prefixes(code) if p in rule), ())
    values = [found] if isinstance(found, str) else list(found)
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise TypeError(f"expected issue names (non-empty text), got {values!r}")
    return frozenset(values)


def _row_summary(actor: str, target: str, code: str, fields: Mapping[str, str], raw: Mapping[str, Any]) -> str:
    def who(field: str, code_: str) -> str:
        name = _country_name(code_, None)
        given = _cell(raw.get(fields[field])) if field in fields else None
        if given and given.casefold() not in (name.casefold(), code_.casefold()):
            return f"{name} ({given})"
        return name

    description = _codebook().descriptions.get(code, "an event")
    return f"{who('actor_name', actor)} to {who('target_name', target)}: {description} (CAMEO {code})."


def _default_episode_id(first: str, second: str, events: list[Event]) -> str:
    years = sorted({e.date.year for e in events})
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{str(years[-1])[-2:]}"
    return f"{first}-{second}-{span}".lower()


def _import_notes(unmapped: list[UnmappedRow], outside: int) -> tuple[str, ...]:
    notes = ["Machine-coded events: the kinds follow from CAMEO codes, not from reading the sources."]
    if unmapped:
        codes = ", ".join(sorted({u.cameo for u in unmapped}))
        notes.append(
            f"{len(unmapped)} row(s) of the dyad have CAMEO codes the codebook maps to no event kind "
            f"and were left out: {codes}."
        )
    if outside:
        notes.append(f"{outside} row(s) of the table were outside the dyad and left out.")
    return tuple(notes)


# -- export -------------------------------------------------------------------------


#: Columns of the ``csv`` export, in order.
CSV_COLUMNS = (
    "episode_id",
    "event_id",
    "date",
    "date_precision",
    "kind",
    "actor",
    "role",
    "target",
    "issues",
    "red_line",
    "summary",
    "quote",
    "responds_to",
    "sources",
    "source_urls",
    "cameo",
    "plover",
    "plover_mode",
    "goldstein",
    "note",
)
#: Columns of the ``pm4py`` event log, in order: the XES names first.
PM4PY_COLUMNS = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "org:resource",
    "org:role",
    "event_id",
    "event_index",
    "kind",
    "target",
    "red_line",
    "issues",
    "date_precision",
    "cameo",
    "plover",
    "goldstein",
    "summary",
    "source_urls",
)
#: Separator of list values (issues, sources, URLs) in CSV cells.
LIST_SEPARATOR = ";"


def episode_records(episode: Episode, format: str = "csv") -> list[dict[str, Any]]:
    """Return an episode's events as records, one per event, in the given export format.

    The same records :func:`export_episode` writes, for a notebook:
    ``pandas.DataFrame(nm.episode_records(ep, format="pm4py"))``.

    Args:
        episode: The episode.
        format: ``"csv"`` (flat: lists joined with ``;``), ``"jsonl"``
            (lists kept), ``"plover"`` (PLOVER-style records) or ``"pm4py"``
            (an event log with XES column names). See :func:`export_episode`.

    Raises:
        ValueError: When the format is unknown.

    Examples:
        >>> import negotiation_model as nm
        >>> ep = nm.load_episode("japan-dprk-2023-24")
        >>> records = nm.episode_records(ep, format="pm4py")
        >>> len(records) == len(ep), records[0]["case:concept:name"]
        (True, 'japan-dprk-2023-24')
    """
    fmt = _check_format(format)
    base = [_event_fields(episode, e) for e in episode.events]
    if fmt == "jsonl":
        return base
    if fmt == "csv":
        return [{c: _flat(r[c]) for c in CSV_COLUMNS} for r in base]
    if fmt == "pm4py":
        return [_pm4py_record(episode, r, i) for i, r in enumerate(base)]
    return [_plover_record(episode, e, r) for e, r in zip(episode.events, base, strict=True)]


def export_episode(episode: Episode, path: PathLike, format: str | None = None) -> Path:
    """Write an episode's events in an event-data or process-mining format.

    Formats (one record per event, in the episode's time order):

    - ``csv``: flat columns (:data:`CSV_COLUMNS`): ids, date and precision,
      kind, actor, role, target, issues, whether the event touches the red
      line, summary, quote, ``responds_to``, sources and their URLs, and the
      event's codes with the gaps filled from the codebook
      (:func:`effective_codes`). List cells are joined with ``;``.
    - ``jsonl``: the same fields as JSON objects, one per line, lists kept.
    - ``plover``: JSON lines with the PLOVER manual's field names: ``id``,
      ``date`` (and ``enddate`` for a month or year), ``source`` and
      ``recipient`` (lists of actor objects, ``code`` being the state the
      actor speaks for), ``event`` (the PLOVER type, a list), ``mode``,
      ``context``, ``quad_code``, ``event_scale`` (the Goldstein score),
      ``link`` (the episode id), ``cite_info`` (one object per source, with
      ``url``, ``title``, ``publication``) and ``comment`` (the summary);
      extra fields ``cameo``, ``kind``, ``role``, ``issues``,
      ``responds_to``. A statement has ``"event": []``: PLOVER has no type
      for it.
    - ``pm4py``: a CSV event log (:data:`PM4PY_COLUMNS`) with the XES names
      pm4py expects: ``case:concept:name`` (the episode id),
      ``concept:name`` (the activity: kind and role, as
      ``"issue_raised (initiator)"``, because the pattern tells moves apart by
      both), ``time:timestamp`` (ISO 8601, midnight UTC of the event's first
      day), ``org:resource`` (the actor) and ``org:role``; then extras.
      Events of one day share a timestamp; ``event_index`` keeps their order.
      Read it with ``pandas.read_csv`` and pass it to
      ``pm4py.format_dataframe`` as is.

    Args:
        episode: The episode to write.
        path: Where to write.
        format: One of ``csv``, ``jsonl``, ``plover``, ``pm4py``; by
            default from the file name: ``.pm4py.csv``, ``.plover.jsonl``
            (or ``.plover.json``), ``.csv``, ``.jsonl`` (or ``.ndjson``).

    Returns:
        The path written.

    Raises:
        ValueError: When the format is unknown or cannot be told from the name.

    Examples:
        >>> import tempfile, pathlib
        >>> import negotiation_model as nm
        >>> ep = nm.load_episode("japan-dprk-2023-24")
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = nm.export_episode(ep, pathlib.Path(d) / "log.pm4py.csv")
        ...     out.read_text().splitlines()[0].split(",")[:4]
        ['case:concept:name', 'concept:name', 'time:timestamp', 'org:resource']
    """
    path = Path(path)
    fmt = _check_format(format) if format is not None else _format_from_name(path)
    records = episode_records(episode, fmt)
    if fmt in ("csv", "pm4py"):
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS if fmt == "csv" else PM4PY_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
    else:
        with path.open("w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    return fmt


def _format_from_name(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in FORMAT_SUFFIXES:
        if name.endswith(suffix):
            return fmt
    endings = ", ".join(s for s, _ in FORMAT_SUFFIXES)
    raise ValueError(f"{path}: cannot tell the export format from the name (use {endings}, or pass format=)")


def _event_fields(episode: Episode, event: Event) -> dict[str, Any]:
    codes = effective_codes(event)
    urls = [u for u in (episode.sources[s].url for s in event.sources) if u]
    return {
        "episode_id": episode.id,
        "event_id": event.id,
        "date": event.date_text,
        "date_precision": event.date_precision.value,
        "kind": event.kind.value,
        "actor": event.actor,
        "role": episode.role_of(event.actor).value,
        "target": event.target,
        "issues": sorted(event.issues),
        "red_line": episode.touches_red_line(event),
        "summary": event.summary,
        "quote": event.quote.text if event.quote is not None else None,
        "responds_to": list(event.responds_to),
        "sources": list(event.sources),
        "source_urls": urls,
        "cameo": codes.cameo,
        "plover": codes.plover,
        "plover_mode": codes.plover_mode,
        "goldstein": codes.goldstein,
        "note": event.note,
    }


def _flat(value: Any) -> Any:
    return LIST_SEPARATOR.join(value) if isinstance(value, list) else value


def _pm4py_record(episode: Episode, fields: Mapping[str, Any], index: int) -> dict[str, Any]:
    event = episode.events[index]
    return {
        "case:concept:name": episode.id,
        "concept:name": f"{fields['kind']} ({fields['role']})",
        "time:timestamp": f"{event.date.isoformat()}T00:00:00+00:00",
        "org:resource": fields["actor"],
        "org:role": fields["role"],
        "event_id": fields["event_id"],
        "event_index": index,
        "kind": fields["kind"],
        "target": fields["target"],
        "red_line": fields["red_line"],
        "issues": _flat(fields["issues"]),
        "date_precision": fields["date_precision"],
        "cameo": fields["cameo"],
        "plover": fields["plover"],
        "goldstein": fields["goldstein"],
        "summary": fields["summary"],
        "source_urls": _flat(fields["source_urls"]),
    }


def _plover_actor(episode: Episode, actor_id: str) -> dict[str, str]:
    actor = episode.actors.get(actor_id)
    state = episode._represents_chain(actor_id)[-1]  # the state a minister speaks for
    return {"code": state, "actor_text": actor.name if actor is not None else actor_id}


def _plover_record(episode: Episode, event: Event, fields: Mapping[str, Any]) -> dict[str, Any]:
    first, last = event.date_span
    record: dict[str, Any] = {"id": event.id, "date": first.isoformat()}
    if last != first:
        record["enddate"] = last.isoformat()
    plover = fields["plover"]
    record.update(
        {
            "source": [_plover_actor(episode, event.actor)],
            "recipient": [_plover_actor(episode, event.target)] if event.target is not None else [],
            "event": [plover] if plover else [],
            "mode": [fields["plover_mode"]] if fields["plover_mode"] else [],
            "context": list(_plover_context(event.kind)),
            "quad_code": PLOVER_QUAD.get(plover) if plover else None,
            "event_scale": fields["goldstein"],
            "link": episode.id,
            "cite_info": [_cite_info(episode.sources[s]) for s in event.sources],
            "comment": event.summary,
            "cameo": fields["cameo"],
            "kind": fields["kind"],
            "role": fields["role"],
            "issues": fields["issues"],
            "responds_to": fields["responds_to"],
        }
    )
    return record


def _cite_info(source: Source) -> dict[str, str]:
    info = {"citation": source.id, "url": source.url, "title": source.title, "publication": source.publisher}
    return {k: v for k, v in info.items() if v is not None}
