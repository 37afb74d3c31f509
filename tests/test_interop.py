"""Tests for the interop module: the codebook, importing CAMEO-coded tables, exporting episodes."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import runpy
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_model as nm
from negotiation_model import interop

TABLES = Path(__file__).parent / "data" / "tables"
GDELT = TABLES / "gdelt-jpn-prk.csv"
ICEWS = TABLES / "icews-jpn-prk.tsv"
EXAMPLE = Path(__file__).parent.parent / "examples" / "import_gdelt_table.py"

GDELT_HEADER = (
    "GLOBALEVENTID",
    "SQLDATE",
    "Actor1CountryCode",
    "Actor2CountryCode",
    "EventCode",
    "SOURCEURL",
)


def gdelt_row(event_id: int, date: str, actor: str, target: str, code: str, url: str = "") -> dict[str, str]:
    return dict(
        zip(
            GDELT_HEADER,
            (str(event_id), date, actor, target, code, url or f"https://example.org/{event_id}"),
            strict=True,
        )
    )


def write_csv(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = GDELT_HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def gdelt() -> nm.TableImport:
    """The GDELT-style fixture, imported for JPN (initiator) and PRK (respondent)."""
    return nm.from_event_table(GDELT, actors=("JPN", "PRK"), red_line="abductees")


# -- the codebook ----------------------------------------------------------------------


def test_default_codes_exist_for_every_kind() -> None:
    """Every event kind has a CAMEO code and its Goldstein score; all but statements a PLOVER type."""
    for kind in nm.EventKind:
        codes = nm.default_codes(kind)
        assert codes.cameo is not None, kind
        assert codes.goldstein == nm.goldstein(codes.cameo), kind
        if kind is nm.EventKind.STATEMENT:
            assert codes.plover is None  # PLOVER drops CAMEO's statements
        else:
            assert codes.plover in interop.PLOVER_QUAD, kind


def test_default_codes_follow_the_research_table() -> None:
    """The pattern's moves get the codes of the research table (pattern-event-codes.csv)."""
    expected = {
        nm.EventKind.OFFER: ("036", "AGREE", None, 4.0),
        nm.EventKind.PRECONDITION: ("1042", "REQUEST", "change", -5.0),
        nm.EventKind.ISSUE_RAISED: ("1053", "REQUEST", "yield", -5.0),
        nm.EventKind.DOOR_SLAMMED: ("125", "REJECT", "meet", -5.0),
        nm.EventKind.CONCESSION: ("0841", "RETREAT", "release", 7.0),
        nm.EventKind.SANCTION: ("163", "SANCTION", "discontinue", -6.5),
    }
    for kind, (cameo, plover, mode, score) in expected.items():
        assert nm.default_codes(kind) == nm.Codes(cameo, plover=plover, plover_mode=mode, goldstein=score)


def test_goldstein_looks_up_cameo_codes() -> None:
    """Goldstein scores come from the bundled CAMEO table; an unknown code is a KeyError."""
    assert nm.goldstein("036") == 4.0
    assert nm.goldstein("164") == -7.0
    assert nm.goldstein("0841") == 7.0
    with pytest.raises(KeyError, match="leading zeros"):
        nm.goldstein("36")


def test_effective_codes_let_the_events_own_codes_win() -> None:
    """Own codes win field by field; gaps come from the own CAMEO code, else from the kind."""
    e = nm.Event("e", dt.date(2024, 2, 16), kind="issue_raised", actor="JPN", sources=["s"])
    assert nm.effective_codes(e) == nm.default_codes("issue_raised")
    own = attrs.evolve(e, codes=nm.Codes("114", goldstein=-3.0))
    assert nm.effective_codes(own) == nm.Codes("114", plover="ACCUSE", plover_mode="allege", goldstein=-3.0)
    plover_only = attrs.evolve(e, codes=nm.Codes(plover="ACCUSE"))
    assert nm.effective_codes(plover_only).plover == "ACCUSE"
    assert nm.effective_codes(plover_only).cameo == "1053"


def test_kind_for_cameo_depends_on_the_role() -> None:
    """036 is an offer from the initiator and willingness from the respondent; demands likewise."""
    assert nm.kind_for_cameo("036", nm.Role.INITIATOR) is nm.EventKind.OFFER
    assert nm.kind_for_cameo("036", "respondent") is nm.EventKind.WILLINGNESS
    assert nm.kind_for_cameo("1042", "respondent") is nm.EventKind.PRECONDITION
    assert nm.kind_for_cameo("1042", "initiator") is nm.EventKind.ISSUE_RAISED
    assert nm.kind_for_cameo("1053", "respondent") is nm.EventKind.ISSUE_RAISED
    assert nm.kind_for_cameo("036", "third_party") is nm.EventKind.OFFER
    assert nm.kind_for_cameo("190") is None


def _docstring_table() -> list[tuple[list[str], str, str]]:
    """Parse the CAMEO -> kind table of the module docstring: (codes, initiator cell, respondent cell)."""
    doc = interop.__doc__ or ""
    rows = []
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[\d, ]+", cells[0]):
            rows.append(([c.strip() for c in cells[0].split(",")], cells[1], cells[2]))
    return rows


def _kind_cell(cell: str) -> tuple[nm.EventKind | None, bool]:
    red = cell.endswith("(red line)")
    name = cell.removesuffix("(red line)").strip()
    return (None if name == "unmapped" else nm.EventKind(name)), red


def test_kind_for_cameo_agrees_with_the_documented_table() -> None:
    """Every code in the module docstring's table maps as the table says, red line included."""
    rows = _docstring_table()
    assert len(rows) >= 10
    for codes, initiator, respondent in rows:
        for code in codes:
            kind, red = _kind_cell(initiator)
            assert nm.kind_for_cameo(code, "initiator") is kind, code
            assert nm.kind_for_cameo(code, "respondent") is _kind_cell(respondent)[0], code
            row = interop._kind_row(code)
            assert row is not None
            assert row.red_line is red, code


def test_every_codebook_row_with_a_kind_is_documented() -> None:
    """The docstring's table lists every row of cameo-map.csv that sets a kind (or says "no kind")."""
    documented = {code for codes, _, _ in _docstring_table() for code in codes}
    rows = interop._codebook().rows
    deciding = {code for code, row in rows.items() if row.kind is not None or row.no_kind}
    assert deciding <= documented, sorted(deciding - documented)


def test_codebook_tables_are_complete() -> None:
    """The bundled CAMEO table covers the 20 cue categories, and every mapped code is a CAMEO code."""
    book = interop._codebook()
    assert {f"{i:02d}" for i in range(1, 21)} <= set(book.goldstein)
    assert set(book.rows) <= set(book.goldstein)
    assert all(-10 <= g <= 10 for g in book.goldstein.values())
    assert set(book.kinds) == set(nm.EventKind)


# -- import ------------------------------------------------------------------------------


def test_gdelt_table_keeps_the_dyads_rows_in_both_directions(gdelt: nm.TableImport) -> None:
    """Rows outside JPN-PRK are dropped; both directions are kept; the first actor is the initiator."""
    ep = gdelt.episode
    assert gdelt.style == "GDELT"
    assert gdelt.outside_dyad == 5
    assert len(ep) == 9
    assert ep.roles == nm.Roles("JPN", "PRK")
    assert {e.actor for e in ep.events} == {"JPN", "PRK"}
    assert all({e.actor, e.target} == {"JPN", "PRK"} for e in ep.events)
    assert [e.kind.value for e in ep.events] == [
        "offer",
        "precondition",
        "goodwill",
        "willingness",
        "precondition",
        "issue_raised",
        "door_slammed",
        "door_slammed",
        "statement",
    ]
    assert ep.event_ids[0] == "gdelt-1001"


def test_unmapped_codes_are_reported_not_dropped_silently(gdelt: nm.TableImport) -> None:
    """The dyad's row with CAMEO 138 (threaten force) is reported with its row number and cells."""
    assert [(u.row, u.cameo) for u in gdelt.unmapped] == [(4, "138")]
    assert gdelt.unmapped[0].cells["GLOBALEVENTID"] == "1004"
    assert gdelt.unmapped_codes == {"138": 1}
    assert any("138" in note for note in gdelt.episode.notes)


def test_imported_gdelt_episode_replays_to_door_slammed(gdelt: nm.TableImport, machine: nm.PatternMachine) -> None:
    """Offer -> precondition -> red line raised -> door slammed: one completed cycle, every event conforms."""
    trace = machine.replay(gdelt.episode)
    assert trace.final_state == "door_slammed"
    assert len(trace.cycles) == 1
    assert trace.fitness == 1.0
    assert trace.path == ("dormant", "overture", "conditional", "provoked", "door_slammed")


def test_each_url_becomes_a_declared_source(gdelt: nm.TableImport) -> None:
    """Every event cites its row's URL as a declared source; rows sharing a URL share the source."""
    ep = gdelt.episode
    with GDELT.open(encoding="utf-8") as f:
        url_of = {f"gdelt-{r['GLOBALEVENTID']}": r["SOURCEURL"] for r in csv.DictReader(f)}
    for e in ep.events:
        (source_id,) = e.sources
        assert ep.sources[source_id].url == url_of[e.id]
    assert len(ep.sources) == len(ep) - 1  # 1007 and 1008 are one article double-coded 036 + 1042
    assert ep.event("gdelt-1007").sources == ep.event("gdelt-1008").sources


def test_red_line_touched_by_default_only_by_release_of_persons(gdelt: nm.TableImport) -> None:
    """By default only the 1053 demand (Hayashi on the abductees) touches the red line."""
    ep = gdelt.episode
    assert [e.id for e in ep.events if ep.touches_red_line(e)] == ["gdelt-1009"]
    assert ep.event("gdelt-1009").codes == nm.Codes("1053", goldstein=-5.0)


def test_issues_can_be_given_by_code_or_by_function() -> None:
    """A mapping by CAMEO prefix or a function of the row decides the issues instead of the default."""
    by_code = nm.from_event_table(GDELT, issues={"10": ["abductees"], "1053": "abductees", "036": ()}).episode
    assert {e.id for e in by_code.events if by_code.touches_red_line(e)} == {"gdelt-1003", "gdelt-1008", "gdelt-1009"}
    by_row = nm.from_event_table(GDELT, issues=lambda row: ["nuclear"] if row["Actor1Name"] == "KIM YO JONG" else [])
    assert {e.id for e in by_row.episode.events if "nuclear" in e.issues} == {"gdelt-1007", "gdelt-1008", "gdelt-1011"}
    with pytest.raises(nm.DataError, match="issue names"):
        nm.from_event_table(GDELT, issues=lambda row: [1])


def test_kinds_override_maps_a_code_the_codebook_leaves_out() -> None:
    """kinds= maps the unmapped 138 to a statement (or unmaps a mapped code)."""
    result = nm.from_event_table(GDELT, kinds={"138": "statement", "018": None})
    assert result.episode.event("gdelt-1004").kind is nm.EventKind.STATEMENT
    assert [u.cameo for u in result.unmapped] == ["018"]
    with pytest.raises(ValueError, match="unknown event kind"):
        nm.from_event_table(GDELT, kinds={"138": "threat"})


def test_icews_table_with_country_names(machine: nm.PatternMachine) -> None:
    """An ICEWS-style TSV (country names, story ids, no URLs) imports and replays to door_slammed."""
    result = nm.from_event_table(ICEWS, actors=("Japan", "North Korea"))
    ep = result.episode
    assert result.style == "ICEWS"
    assert result.outside_dyad == 2
    assert ep.roles == nm.Roles("JPN", "PRK")
    assert ep.actors["PRK"].name == "North Korea"
    assert [e.kind.value for e in ep.events] == ["offer", "meeting", "issue_raised", "door_slammed"]
    assert ep.id == "jpn-prk-2014-16"
    meeting = ep.event("icews-20003")
    assert meeting.codes.goldstein is None  # Intensity left blank: the codebook fills it in on export
    assert nm.effective_codes(meeting).goldstein == 7.0
    source = ep.sources[meeting.sources[0]]
    assert (source.id, source.title, source.publisher) == ("icews-story-9003", "ICEWS story 9003", "Test Wire")
    assert machine.replay(ep).final_state == "door_slammed"


def test_countries_extend_the_name_map() -> None:
    """countries= adds names for ISO codes, for the actors and for the rows."""
    rows = [
        {"Event ID": "1", "Event Date": "2024-01-02", "Source Country": "Nippon", "Target Country": "Russia",
         "CAMEO Code": "036", "Story ID": "7"},
    ]  # fmt: skip
    ep = nm.from_event_table(rows, actors=("Japan", "RUS"), countries={"Nippon": "JPN"}).episode
    assert [(e.actor, e.target) for e in ep.events] == [("JPN", "RUS")]
    assert ep.actors["RUS"].name == "Russia"


def test_dicts_and_a_dataframe_give_the_same_episode(gdelt: nm.TableImport) -> None:
    """The same rows as a CSV file, as dicts and as a pandas DataFrame import to equal episodes."""
    pd = pytest.importorskip("pandas")
    with GDELT.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    from_dicts = nm.from_event_table(rows)
    # pandas reads EventCode as integers (036 -> 36) and SQLDATE as numbers: the import restores them.
    frame = pd.read_csv(GDELT)
    assert frame["EventCode"].dtype.kind == "i"
    from_frame = nm.from_event_table(frame)
    assert from_dicts.episode == gdelt.episode
    assert from_frame.episode == gdelt.episode
    assert from_frame.unmapped_codes == from_dicts.unmapped_codes == {"138": 1}
    assert from_frame.outside_dyad == gdelt.outside_dyad


def test_leading_zeros_lost_by_spreadsheets_are_restored() -> None:
    """Integer codes (36, 841) and dates (20230527) read as numbers import as their CAMEO codes."""
    rows = [
        {"GLOBALEVENTID": 1, "SQLDATE": 20230527, "Actor1CountryCode": "JPN", "Actor2CountryCode": "PRK",
         "EventCode": 36, "SOURCEURL": "https://example.org/1"},
        {"GLOBALEVENTID": 2, "SQLDATE": 20230528.0, "Actor1CountryCode": "PRK", "Actor2CountryCode": "JPN",
         "EventCode": 841, "SOURCEURL": "https://example.org/2"},
        {"GLOBALEVENTID": 3, "SQLDATE": dt.date(2023, 5, 29), "Actor1CountryCode": "PRK", "Actor2CountryCode": "JPN",
         "EventCode": "1042", "SOURCEURL": "https://example.org/3"},
    ]  # fmt: skip
    ep = nm.from_event_table(rows).episode
    assert [e.codes.cameo for e in ep.events] == ["036", "0841", "1042"]
    assert [e.kind.value for e in ep.events] == ["offer", "concession", "precondition"]
    assert ep.event("gdelt-2").date == dt.date(2023, 5, 28)


def test_custom_columns_name_a_table_of_another_style(tmp_path: Path) -> None:
    """columns= names the fields of a table in neither GDELT nor ICEWS style."""
    rows = [{"when": "2024-02-16", "who": "JPN", "whom": "PRK", "cameo": "1053", "n": "a", "link": "https://x.org"}]
    columns = {"id": "n", "date": "when", "actor": "who", "target": "whom", "code": "cameo", "url": "link"}
    result = nm.from_event_table(rows, columns=columns, episode_id="custom", title="A custom table")
    assert result.style == "custom"
    assert result.episode.event_ids == ("event-a",)
    assert result.episode.title == "A custom table"


def test_bad_tables_raise_data_errors_naming_row_and_column(tmp_path: Path) -> None:
    """Missing column, bad date, bad code, bad score, repeated id, empty table: DataError with row and column."""
    good = [gdelt_row(1, "20240101", "JPN", "PRK", "036"), gdelt_row(2, "20240102", "PRK", "JPN", "125")]

    missing = [{k: v for k, v in r.items() if k != "SQLDATE"} for r in good]
    with pytest.raises(nm.DataError, match="column 'SQLDATE' is missing"):
        nm.from_event_table(write_csv(tmp_path / "m.csv", missing, tuple(h for h in GDELT_HEADER if h != "SQLDATE")))

    bad_date = [good[0], gdelt_row(2, "2024-13-45", "PRK", "JPN", "125")]
    with pytest.raises(nm.DataError, match=r"row 2 \(line 3\), column 'SQLDATE': expected a date") as info:
        nm.from_event_table(write_csv(tmp_path / "d.csv", bad_date))
    assert info.value.path == str(tmp_path / "d.csv")

    bad_code = [good[0], gdelt_row(2, "20240102", "PRK", "JPN", "12x5")]
    with pytest.raises(nm.DataError, match="row 2, column 'EventCode': expected a CAMEO code"):
        nm.from_event_table(bad_code)

    empty_cell = [good[0], gdelt_row(2, "", "PRK", "JPN", "125")]
    with pytest.raises(nm.DataError, match="row 2, column 'SQLDATE': empty"):
        nm.from_event_table(empty_cell)

    bad_score = [{**good[0], "GoldsteinScale": "12"}, good[1]]
    with pytest.raises(nm.DataError, match="row 1, column 'GoldsteinScale'"):
        nm.from_event_table(bad_score)

    repeated = [good[0], gdelt_row(1, "20240102", "PRK", "JPN", "125")]
    with pytest.raises(nm.DataError, match="row 2, column 'GLOBALEVENTID': the id '1' repeats"):
        nm.from_event_table(repeated)

    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(nm.DataError, match="empty"):
        nm.from_event_table(tmp_path / "empty.csv")
    with pytest.raises(nm.DataError, match="no rows"):
        nm.from_event_table(write_csv(tmp_path / "header.csv", []))
    with pytest.raises(nm.DataError, match="cannot tell the table's style"):
        nm.from_event_table([])


def test_a_required_field_cannot_be_unnamed() -> None:
    """columns= may drop an optional column but not a required one."""
    assert len(nm.from_event_table(GDELT, columns={"goldstein": None}).episode) == 9
    with pytest.raises(nm.DataError, match="field 'date' has no column"):
        nm.from_event_table(GDELT, columns={"date": None})


def test_missing_values_in_a_dataframe_are_empty_cells() -> None:
    """NaN targets (GDELT rows with no second actor) and NaN scores count as empty cells."""
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(GDELT)
    assert frame["Actor2CountryCode"].isna().any()
    frame.loc[0, "GoldsteinScale"] = float("nan")
    result = nm.from_event_table(frame)
    assert result.outside_dyad == 5
    assert result.episode.event("gdelt-1001").codes.goldstein is None


def test_every_problem_is_listed_at_once() -> None:
    """Two bad rows give one DataError listing both."""
    rows = [gdelt_row(1, "x", "JPN", "PRK", "036"), gdelt_row(2, "20240102", "PRK", "JPN", "abc")]
    with pytest.raises(nm.DataError) as info:
        nm.from_event_table(rows)
    assert len(info.value.problems) == 2
    assert "row 1" in info.value.problems[0] and "row 2" in info.value.problems[1]


def test_a_table_with_no_event_of_the_dyad_is_an_error() -> None:
    """A table with no mapped row between the actors says how many rows were outside or unmapped."""
    rows = [gdelt_row(1, "20240101", "USA", "PRK", "036"), gdelt_row(2, "20240102", "PRK", "JPN", "190")]
    with pytest.raises(nm.DataError, match=r"1 of 2 rows are outside the dyad; 1 have codes .*\(190\)"):
        nm.from_event_table(rows)


def test_ragged_csv_rows_are_errors(tmp_path: Path) -> None:
    """A CSV row with more cells than the header names is a DataError naming the row and line."""
    path = tmp_path / "ragged.csv"
    path.write_text(",".join(GDELT_HEADER) + "\n1,20240101,JPN,PRK,036,https://x.org,extra\n", encoding="utf-8")
    with pytest.raises(nm.DataError, match=r"row 1 \(line 2\): 7 cells"):
        nm.from_event_table(path)


def test_bad_arguments_are_value_errors() -> None:
    """Unknown column fields, one actor, or a table of the wrong type are refused early."""
    with pytest.raises(ValueError, match="unknown field"):
        nm.from_event_table(GDELT, columns={"when": "SQLDATE"})
    with pytest.raises(ValueError, match="two"):
        nm.from_event_table(GDELT, actors=("JPN",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="different"):
        nm.from_event_table(GDELT, actors=("JPN", "jpn"))
    with pytest.raises(TypeError, match="CSV path"):
        nm.from_event_table(42)
    with pytest.raises(FileNotFoundError):
        nm.from_event_table(TABLES / "no-such-table.csv")


DYAD_CODES = ("036", "1042", "1053", "125", "164", "018", "046", "057", "0841", "163", "010", "138", "190", "061")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(("JPN", "PRK", "USA", "KOR")),
            st.sampled_from(("JPN", "PRK", "USA", "")),
            st.sampled_from(DYAD_CODES),
            st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_import_accounts_for_every_row(rows: list[tuple[str, str, str, dt.date]]) -> None:
    """Every row is an event, an unmapped row or a row outside the dyad, exactly once."""
    table = [gdelt_row(i, d.strftime("%Y%m%d"), a, t, c) for i, (a, t, c, d) in enumerate(rows)]
    in_dyad = [r for r in rows if {r[0], r[1]} == {"JPN", "PRK"}]
    mapped = [r for r in in_dyad if nm.kind_for_cameo(r[2]) is not None]
    if not mapped:
        with pytest.raises(nm.DataError, match="no row"):
            nm.from_event_table(table)
        return
    result = nm.from_event_table(table)
    assert len(result.episode) == len(mapped)
    assert len(result.unmapped) == len(in_dyad) - len(mapped)
    assert result.outside_dyad == len(rows) - len(in_dyad)
    assert len(result.episode) + len(result.unmapped) + result.outside_dyad == len(rows)


# -- export ------------------------------------------------------------------------------


def test_pm4py_export_loads_in_pandas(gdelt: nm.TableImport, tmp_path: Path) -> None:
    """The pm4py log has the XES columns, one row per event in time order, and parseable timestamps."""
    pd = pytest.importorskip("pandas")
    ep = gdelt.episode
    path = nm.export_episode(ep, tmp_path / "log.pm4py.csv")
    log = pd.read_csv(path)
    assert list(log.columns[:5]) == ["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:role"]
    assert len(log) == len(ep)
    assert set(log["case:concept:name"]) == {ep.id}
    times = pd.to_datetime(log["time:timestamp"], utc=True)
    assert times.is_monotonic_increasing
    assert times.iloc[0] == pd.Timestamp("2023-05-27", tz="UTC")
    assert log["concept:name"].iloc[0] == "offer (initiator)"
    assert log["org:resource"].tolist() == [e.actor for e in ep.events]
    assert log["event_id"].tolist() == list(ep.event_ids)
    assert log["red_line"].tolist() == [ep.touches_red_line(e) for e in ep.events]


def test_pm4py_log_passes_format_dataframe(tmp_path: Path) -> None:
    """When pm4py is installed, its format_dataframe accepts the log as written."""
    pd = pytest.importorskip("pandas")
    pm4py = pytest.importorskip("pm4py")
    ep = nm.load_episode("japan-dprk-2023-24")
    log = pd.read_csv(nm.export_episode(ep, tmp_path / "log.csv", format="pm4py"))
    formatted = pm4py.format_dataframe(log)
    assert len(formatted) == len(ep)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "plover", "pm4py"])
@pytest.mark.parametrize("episode_id", ["japan-dprk-2023-24", "japan-dprk-2002"])
def test_exports_have_one_record_per_event(fmt: str, episode_id: str, tmp_path: Path) -> None:
    """Every format writes one record per event, in the episode's order, as episode_records returns them."""
    ep = nm.load_episode(episode_id)
    path = nm.export_episode(ep, tmp_path / "out", format=fmt)
    text = path.read_text(encoding="utf-8")
    if fmt in ("csv", "pm4py"):
        with path.open(encoding="utf-8", newline="") as f:
            written = list(csv.DictReader(f))
    else:
        written = [json.loads(line) for line in text.splitlines()]
    assert len(written) == len(ep)
    records = nm.episode_records(ep, format=fmt)
    assert len(records) == len(ep)
    key = "id" if fmt == "plover" else "event_id"
    assert [r[key] for r in written] == [r[key] for r in records] == list(ep.event_ids)


def test_csv_and_jsonl_carry_the_effective_codes_and_sources() -> None:
    """Flat records join lists with ';'; JSONL records keep lists; codes have their gaps filled."""
    ep = nm.load_episode("japan-dprk-2023-24")
    flat = nm.episode_records(ep, format="csv")
    nested = nm.episode_records(ep, format="jsonl")
    assert list(flat[0]) == list(interop.CSV_COLUMNS)
    for e, f, n in zip(ep.events, flat, nested, strict=True):
        assert f["sources"] == ";".join(e.sources)
        assert n["sources"] == list(e.sources)
        assert n["issues"] == sorted(e.issues)
        codes = nm.effective_codes(e)
        assert (n["cameo"], n["plover"], n["goldstein"]) == (codes.cameo, codes.plover, codes.goldstein)
        assert n["source_urls"] == [ep.sources[s].url for s in e.sources if ep.sources[s].url]


def test_plover_records_use_the_plover_field_names() -> None:
    """PLOVER records: id, date, source/recipient actor objects (state codes), event, mode, context, cite_info."""
    ep = nm.load_episode("japan-dprk-2023-24")
    records = nm.episode_records(ep, format="plover")
    for e, r in zip(ep.events, records, strict=True):
        assert {"id", "date", "source", "recipient", "event", "mode", "context", "cite_info", "link"} <= set(r)
        assert r["date"] == e.date_span[0].isoformat()
        assert ("enddate" in r) == (e.date_precision is not nm.DatePrecision.DAY)
        assert len(r["cite_info"]) == len(e.sources)
        assert r["event"] == ([nm.effective_codes(e).plover] if nm.effective_codes(e).plover else [])
        assert r["link"] == ep.id
    kishida = next(r for e, r in zip(ep.events, records, strict=True) if e.actor == "kishida")
    assert kishida["source"][0]["code"] == "JPN"  # Kishida speaks for Japan
    assert kishida["source"][0]["actor_text"] == ep.actors["kishida"].name
    offer = next(r for r in records if r["kind"] == "offer")
    assert (offer["event"], offer["quad_code"]) == (["AGREE"], 1)


def test_export_format_is_told_from_the_name(tmp_path: Path) -> None:
    """.pm4py.csv, .plover.jsonl, .csv and .jsonl choose the format; other names need format=."""
    ep = nm.load_episode("japan-dprk-2023-24")
    assert nm.export_episode(ep, tmp_path / "a.pm4py.csv").read_text().startswith("case:concept:name,")
    assert nm.export_episode(ep, tmp_path / "a.csv").read_text().startswith("episode_id,")
    assert json.loads(nm.export_episode(ep, tmp_path / "a.plover.jsonl").read_text().splitlines()[0])["id"]
    assert "event_id" in json.loads(nm.export_episode(ep, tmp_path / "a.jsonl").read_text().splitlines()[0])
    with pytest.raises(ValueError, match="cannot tell the export format"):
        nm.export_episode(ep, tmp_path / "a.xlsx")
    with pytest.raises(ValueError, match="expected one of csv, jsonl, plover, pm4py"):
        nm.export_episode(ep, tmp_path / "a.csv", format="xes")
    with pytest.raises(ValueError, match="expected one of"):
        nm.episode_records(ep, format="parquet")


def test_imported_episode_round_trips_through_episode_files(gdelt: nm.TableImport, tmp_path: Path) -> None:
    """An imported episode is a valid episode: it saves and loads back equal."""
    path = nm.save_episode(gdelt.episode, tmp_path / "imported.yaml")
    assert nm.load_episode(path) == gdelt.episode


def test_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """examples/import_gdelt_table.py imports, replays and exports, and says so."""
    namespace = runpy.run_path(str(EXAMPLE))
    namespace["main"]()
    out = capsys.readouterr().out
    assert "door_slammed" in out
    assert "pm4py" in out
