"""Tests for scenarios: the file format, its checks, the bundled what-ifs and their comparison."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_model as nm
from negotiation_model.scenarios import default_fit_on, scenario_from_dict, scenario_problems, scenario_to_dict

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad_scenarios"

#: The scenarios the brief asks for, drawn from the source article.
REQUIRED = {"baseline", "red-line-aside", "no-door-slam", "compensation-track", "us-dprk-summit"}

#: Each malformed file, and the field (or place) its error must name.
BAD_FILES = {
    "bad-json.json": "JSON syntax",
    "bad-predicate-kind.yaml": "'changes[0].drop.where.kind'",
    "bad-source.yaml": "field 'source'",
    "bad-yaml.yaml": "line 3",
    "change-from-outcome.yaml": "'changes[0].scale.from'",
    "drop-unknown-event.yaml": "'changes[0].drop.events'",
    "duplicate-key.yaml": "duplicate key 'start'",
    "empty.yaml": "empty",
    "insert-bad-event.yaml": "'changes[0].insert.event'",
    "insert-undeclared-actor.yaml": "'changes[0].insert.event'",
    "missing-rationale.yaml": "'rationale' is missing",
    "negative-factor.yaml": "'changes[0].scale.factor'",
    "not-a-transition.yaml": "'changes[0].scale.to'",
    "p-out-of-range.yaml": "'changes[0].set.p'",
    "start-is-outcome.yaml": "field 'start'",
    "unknown-change.yaml": "'changes[0]'",
    "unknown-episode.yaml": "'fit_on[1]'",
    "unknown-key.yaml": "'changse'",
    "unknown-state.yaml": "'changes[0].set.to'",
    "unknown-where-key.json": "'changes[0].drop.where'",
    "wrong-types.yaml": "field 'rationale'",
}


@pytest.fixture(scope="module")
def comparison() -> nm.ScenarioComparison:
    """Every bundled scenario, compared against the baseline (modest draws: the suite stays fast)."""
    return nm.compare_scenarios(nm.list_scenarios(), draws=1000, seed=0, reference="baseline")


# -- the bundled scenarios ----------------------------------------------------------------


def test_the_bundled_scenarios_include_the_article_set() -> None:
    """The five scenarios drawn from the article are bundled, and the ids come sorted."""
    ids = nm.list_scenarios()
    assert set(ids) >= REQUIRED
    assert ids == sorted(ids)


@pytest.mark.parametrize("scenario_id", nm.list_scenarios())
def test_bundled_scenario_cites_its_passage(scenario_id: str) -> None:
    """Each bundled file is named after its id, explains itself, and cites a passage of the article."""
    s = nm.load_scenario(scenario_id)
    assert s.id == scenario_id
    assert len(s.rationale) > 200
    assert "paragraph" in s.rationale
    assert s.source is not None
    assert s.source.source.id == "asmolov-2024"
    assert s.source.source.url is not None and s.source.source.url.startswith("https://journal-neo.su/")
    assert s.source.quote and s.source.locator and s.source.locator.startswith("paragraph")


@pytest.mark.parametrize("scenario_id", nm.list_scenarios())
def test_bundled_scenario_names_real_states(scenario_id: str) -> None:
    """Start, outcomes and changed moves are states and transitions of nm.door_slam_pattern()."""
    machine = nm.door_slam_pattern()
    s = nm.load_scenario(scenario_id)
    assert s.start in machine.state_names and s.start not in machine.outcomes
    for change in s.probability_changes:
        assert change.source in machine.state_names and change.source not in machine.outcomes
        assert any(t.target == change.target for t in machine.transitions_from(change.source))
    assert scenario_problems(s, machine) == []


def test_bundled_scenarios_fit_on_the_japan_dprk_episodes() -> None:
    """By default a scenario is fitted on every bundled episode whose id starts with japan-dprk."""
    expected = tuple(e for e in nm.list_episodes() if e.startswith("japan-dprk"))
    assert default_fit_on() == expected
    assert "japan-dprk-2023-24" in expected
    assert nm.scenario_model("baseline").episodes == expected


def test_baseline_is_the_plain_fit() -> None:
    """The baseline scenario's model is MarkovModel.fit on the default episodes, with no knobs."""
    machine = nm.door_slam_pattern()
    plain = nm.MarkovModel.fit(machine, [nm.load_episode(e) for e in default_fit_on()])
    model = nm.scenario_model("baseline")
    assert model.knobs == ()
    assert np.array_equal(model.transition_matrix()[1], plain.transition_matrix()[1])


def test_scenario_model_applies_the_changes() -> None:
    """red-line-aside and no-door-slam close the move they name; Scenario.apply is the same model."""
    aside = nm.scenario_model("red-line-aside")
    assert aside.probability("conditional", "provoked") == 0.0
    assert math.isclose(sum(aside.transition_matrix()[1][aside.index("conditional")]), 1.0)
    assert nm.scenario_model("no-door-slam").probability("provoked", "door_slammed") == 0.0
    assert nm.load_scenario("red-line-aside").apply() == aside


def test_us_dprk_summit_makes_offers_more_likely() -> None:
    """The offer moves are scaled up by the scenario's factor; nothing else is touched."""
    base = nm.scenario_model("baseline")
    us = nm.scenario_model("us-dprk-summit")
    for source in ("dormant", "provoked"):
        assert us.probability(source, "overture") > base.probability(source, "overture")
    assert us.probability("talks", "summit") == base.probability("talks", "summit")


def test_drop_edit_changes_the_evidence() -> None:
    """tokyo-quiet-2024 drops Tokyo's red-line statements of 2024 (and their answers) before fitting."""
    base = nm.scenario_model("baseline")
    quiet = nm.scenario_model("tokyo-quiet-2024")
    i, j = base.index("conditional"), base.index("provoked")
    assert quiet.counts[i, j] == base.counts[i, j] - 1
    assert quiet.knobs == ()


# -- the comparison -------------------------------------------------------------------------


def test_all_bundled_scenarios_compare(comparison: nm.ScenarioComparison) -> None:
    """Every bundled scenario has a result, keyed by id, in the order given."""
    assert list(comparison) == nm.list_scenarios()
    assert len(comparison) == len(nm.list_scenarios())
    assert comparison["red-line-aside"].scenario.id == "red-line-aside"
    with pytest.raises(KeyError, match="no-such"):
        comparison["no-such"]


def test_red_line_aside_raises_the_odds_of_a_summit(comparison: nm.ScenarioComparison) -> None:
    """Setting conditional -> provoked to 0 gives a higher probability of summit than the baseline."""
    base = comparison["baseline"].probabilities["summit"]
    aside = comparison["red-line-aside"].probabilities["summit"]
    assert aside > base
    assert comparison["red-line-aside"].difference("summit") == pytest.approx(aside - base)


def test_no_door_slam_raises_the_odds_of_a_summit(comparison: nm.ScenarioComparison) -> None:
    """Without the door slam after a provocation, a summit is likelier than in the baseline."""
    assert comparison["no-door-slam"].probabilities["summit"] > comparison["baseline"].probabilities["summit"]


@pytest.mark.parametrize("scenario_id", nm.list_scenarios())
def test_each_scenarios_probabilities_sum_to_one(comparison: nm.ScenarioComparison, scenario_id: str) -> None:
    """The exact outcome probabilities of every scenario are probabilities and sum to 1."""
    probabilities = comparison[scenario_id].probabilities
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())
    assert math.isclose(sum(probabilities.values()), 1.0, abs_tol=1e-9)


@pytest.mark.parametrize("scenario_id", nm.list_scenarios())
def test_credible_intervals_contain_the_point_estimate(comparison: nm.ScenarioComparison, scenario_id: str) -> None:
    """Each outcome's interval, and the expected steps' interval, contain the exact value."""
    r = comparison[scenario_id]
    for outcome, p in r.probabilities.items():
        low, high = r.intervals[outcome]
        assert 0.0 <= low <= p <= high <= 1.0
    low, high = r.steps_interval
    assert 0.0 < low <= r.expected_steps <= high


def test_differences_are_paired_against_the_reference(comparison: nm.ScenarioComparison) -> None:
    """The reference differs from itself by 0; a knob-only scenario's interval is narrower than its own."""
    base = comparison["baseline"]
    assert base.difference("summit") == 0.0 and base.difference_interval("summit") == (0.0, 0.0)
    aside = comparison["red-line-aside"]
    low, high = aside.difference_interval("summit")
    assert low <= aside.difference("summit") <= high
    assert high - low < aside.intervals["summit"][1] - aside.intervals["summit"][0]
    assert 0.5 < aside.share_higher("summit") <= 1.0
    # us-dprk-summit starts elsewhere: the reference is analysed from its start, not the baseline's.
    us = comparison["us-dprk-summit"]
    assert us.reference is not None and us.reference.start == us.start == "dormant"


def test_difference_needs_a_reference() -> None:
    """Without a reference, asking for a difference is a ValueError that says what to pass."""
    c = nm.compare_scenarios(["red-line-aside"], draws=50)
    with pytest.raises(ValueError, match="reference"):
        c["red-line-aside"].difference("summit")


def test_the_same_seed_gives_the_same_comparison() -> None:
    """Intervals are reproducible; a seed of None is drawn once and recorded."""
    a = nm.compare_scenarios(["baseline", "no-door-slam"], draws=200, seed=7)
    b = nm.compare_scenarios(["baseline", "no-door-slam"], draws=200, seed=7)
    assert a.to_dict() == b.to_dict()
    fresh = nm.compare_scenarios(["baseline"], draws=50, seed=None)
    again = nm.compare_scenarios(["baseline"], draws=50, seed=fresh.seed)
    assert fresh.to_dict() == again.to_dict()


def test_a_common_start_overrides_each_scenarios_own() -> None:
    """start= analyses every scenario from that state."""
    c = nm.compare_scenarios(["baseline", "us-dprk-summit"], draws=50, start="provoked")
    assert {r.start for r in c.results} == {"provoked"}


def test_compare_accepts_ids_paths_and_records(tmp_path: Path) -> None:
    """A bundled id, a file path and a Scenario record can be mixed; one scenario alone is accepted too."""
    record = nm.Scenario(
        id="python-made",
        title="Built in Python",
        start="conditional",
        changes=[nm.ScaleProbability("talks", "summit", factor=2.0)],
    )
    path = tmp_path / "from-file.yaml"
    data = nm.load_scenario("no-door-slam").to_dict()
    data["id"] = "from-file"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    c = nm.compare_scenarios(["baseline", path, record], draws=50)
    assert list(c) == ["baseline", "from-file", "python-made"]
    assert list(nm.compare_scenarios("baseline", draws=50)) == ["baseline"]
    assert list(nm.compare_scenarios(record, draws=50)) == ["python-made"]


def test_compare_refuses_bad_arguments() -> None:
    """Repeated ids, an unknown reference or start, no scenarios, bad draws: clear ValueErrors."""
    with pytest.raises(ValueError, match="repeat"):
        nm.compare_scenarios(["baseline", "baseline"])
    with pytest.raises(ValueError, match="reference"):
        nm.compare_scenarios(["baseline"], reference="red-line-aside")
    with pytest.raises(ValueError, match="condtional"):
        nm.compare_scenarios(["baseline"], start="condtional")
    with pytest.raises(ValueError, match="no scenarios"):
        nm.compare_scenarios([])
    with pytest.raises(ValueError, match="draws"):
        nm.compare_scenarios(["baseline"], draws=1)
    with pytest.raises(ValueError, match="outcome"):
        nm.compare_scenarios(["baseline"], start="summit")
    with pytest.raises(FileNotFoundError, match="bundled scenarios"):
        nm.compare_scenarios(["no-such-scenario"])
    with pytest.raises(TypeError, match="Scenario"):
        nm.compare_scenarios([42])  # type: ignore[list-item]


def test_changes_that_trap_the_chain_name_the_scenario() -> None:
    """Knobs that leave no way to an outcome give a DefinitionError naming the scenario."""
    trapped = nm.Scenario(
        id="ping-pong",
        title="Talks and provocations forever",
        start="conditional",
        changes=[
            nm.SetProbability("conditional", "talks", p=1.0),
            nm.SetProbability("talks", "provoked", p=1.0),
            nm.SetProbability("provoked", "talks", p=1.0),
        ],
    )
    with pytest.raises(nm.DefinitionError, match="ping-pong"):
        nm.compare_scenarios([trapped], draws=50)


def test_python_records_are_checked_like_files() -> None:
    """A Scenario built in Python with a bad reference fails with the same DataError as a file would."""
    bad = nm.Scenario(id="bad", title="Bad", changes=[nm.DropEvents(episode="japan-dprk-2023-24", events=["nope"])])
    with pytest.raises(nm.DataError, match=r"'changes\[0\]\.drop\.events'"):
        nm.scenario_model(bad)
    with pytest.raises(nm.DataError, match="probability from 0 to 1"):
        nm.SetProbability("talks", "summit", p=2.0)
    with pytest.raises(nm.DataError, match="at least 0"):
        nm.ScaleProbability("talks", "summit", factor=-1.0)


def test_insert_edit_adds_evidence() -> None:
    """A summit inserted right after Kim Yo Jong's precondition of 15 Feb 2024 adds a conditional -> summit move."""
    event = nm.Event(
        "imagined-summit-2024-02-15",
        dt.date(2024, 2, 15),
        kind=nm.EventKind.SUMMIT,
        actor="kishida",
        target="kim-jong-un",
        responds_to=["kim-yo-jong-2024-02-15"],
        sources=["asmolov-2024"],
    )
    s = nm.Scenario(
        id="imagined", title="An imagined summit", changes=[nm.InsertEvent(episode="japan-dprk-2023-24", event=event)]
    )
    model = nm.scenario_model(s)
    base = nm.scenario_model("baseline")
    assert model.counts[model.index("conditional"), model.index("summit")] == (
        base.counts[base.index("conditional"), base.index("summit")] + 1
    )


def test_relative_fit_on_paths_are_read_from_the_scenario_folder(tmp_path: Path, minimal: nm.Episode) -> None:
    """fit_on may name episode files; a relative path is resolved against the scenario file's folder."""
    (tmp_path / "episodes").mkdir()
    nm.save_episode(minimal, tmp_path / "episodes" / "mine.yaml")
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: mine\ntitle: Mine\nrationale: Fitted on my own file.\nfit_on: [episodes/mine.yaml]\n"
        "start: overture\nchanges: []\n",
        encoding="utf-8",
    )
    s = nm.load_scenario(path)
    assert s.fit_on == (str(tmp_path / "episodes" / "mine.yaml"),)
    assert nm.scenario_model(path).episodes == (minimal.id,)


# -- output -------------------------------------------------------------------------------------


def test_to_table_lists_every_scenario(comparison: nm.ScenarioComparison) -> None:
    """The text table has a row per scenario, the outcome columns, and says how it was computed."""
    table = comparison.to_table()
    for sid in nm.list_scenarios():
        assert sid in table
    assert "P(summit)" in table and "P(door_slammed)" in table
    assert "90% credible intervals from 1000 posterior draws (seed 0)" in table
    assert "(reference)" in table


def test_to_dict_is_json_ready(comparison: nm.ScenarioComparison) -> None:
    """to_dict survives a JSON round trip and holds the probabilities, intervals and differences."""
    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["reference"] == "baseline" and data["draws"] == 1000
    summit = data["scenarios"]["red-line-aside"]["outcomes"]["summit"]
    assert summit["probability"] == comparison["red-line-aside"].probabilities["summit"]
    assert summit["difference"]["value"] > 0
    assert data["scenarios"]["red-line-aside"]["changes"] == ["set conditional -> provoked to 0"]


def test_to_dataframe_has_a_row_per_scenario_and_outcome(comparison: nm.ScenarioComparison) -> None:
    """The data frame is long: one row per (scenario, outcome); its probabilities sum to 1 per scenario."""
    pytest.importorskip("pandas")
    frame = comparison.to_dataframe()
    assert len(frame) == 2 * len(comparison)
    assert {"scenario", "outcome", "probability", "low", "high", "expected_steps"} <= set(frame.columns)
    sums = frame.groupby("scenario")["probability"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)


def test_to_dataframe_without_pandas_says_what_to_install(
    comparison: nm.ScenarioComparison, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pandas, to_dataframe raises an ImportError that names pandas."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        comparison.to_dataframe()


# -- the file format ---------------------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", nm.list_scenarios())
def test_scenarios_round_trip_through_plain_data(scenario_id: str) -> None:
    """scenario_from_dict(scenario_to_dict(s)) == s, also through JSON."""
    s = nm.load_scenario(scenario_id)
    assert scenario_from_dict(scenario_to_dict(s)) == s
    assert scenario_from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_the_bad_corpus_is_complete() -> None:
    """The malformed-scenario corpus has at least ten files, each with an expected message here."""
    files = sorted(p.name for p in BAD.iterdir())
    assert len(files) >= 10
    assert files == sorted(BAD_FILES)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_scenario_file_raises_data_error_naming_the_field(name: str) -> None:
    """Each malformed file gives a DataError (a ValueError) naming the file and the field at fault."""
    path = BAD / name
    with pytest.raises(nm.DataError) as info:
        nm.load_scenario(path)
    message = str(info.value)
    assert str(path) in message
    assert BAD_FILES[name] in message
    assert info.value.path == str(path)
    assert isinstance(info.value, ValueError)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    """A file with several problems names them all, not just the first."""
    path = tmp_path / "many.yaml"
    path.write_text(
        "id: many\ntitle: Many\nrationale: Three mistakes.\nstart: nowhere\nchanges:\n"
        "  - set: {from: talks, to: summit, p: 3}\n  - scale: {from: talks, to: sumit, factor: 2}\n",
        encoding="utf-8",
    )
    with pytest.raises(nm.DataError) as info:
        nm.load_scenario(path)
    assert len(info.value.problems) == 1  # the shape check stops before the states are looked up
    path.write_text(path.read_text().replace("p: 3", "p: 0.3"), encoding="utf-8")
    with pytest.raises(nm.DataError) as info:
        nm.load_scenario(path)
    problems = "\n".join(info.value.problems)
    assert "'start'" in problems and "'changes[1].scale.to'" in problems


def test_missing_scenario_is_a_file_not_found_error() -> None:
    """A name that is neither a bundled id nor a file lists the bundled ids."""
    with pytest.raises(FileNotFoundError, match="red-line-aside"):
        nm.load_scenario("red-line-asdie")


# -- properties ---------------------------------------------------------------------------------

_MOVES = sorted(
    {
        (t.source, t.target)
        for t in nm.door_slam_pattern().transitions
        if not t.is_self_loop and t.source not in nm.door_slam_pattern().outcomes
    }
)


@settings(max_examples=40, deadline=None)
@given(move=st.sampled_from(_MOVES), p=st.floats(min_value=0.0, max_value=0.99))
def test_a_set_change_keeps_outcome_probabilities_summing_to_one(move: tuple[str, str], p: float) -> None:
    """Setting any allowed move of the pattern to any p < 1 leaves exact outcome probabilities that sum to 1."""
    s = nm.Scenario(id="knob", title="Knob", start="overture", changes=[nm.SetProbability(*move, p=p)])
    model = nm.scenario_model(s)
    assert model.probability(*move) == pytest.approx(p)
    probabilities = model.outcome_probabilities("overture")
    assert math.isclose(sum(probabilities.values()), 1.0, abs_tol=1e-9)


# -- the command line ------------------------------------------------------------------------


def test_cli_scenarios_lists_the_bundled_set() -> None:
    """`negotiation-model scenarios` lists every bundled scenario with its start and changes; --json parses."""
    r = run_cli("scenarios")
    assert r.returncode == 0, r.stderr
    for sid in nm.list_scenarios():
        assert sid in r.stdout
    assert "set conditional -> provoked to 0" in r.stdout
    r = run_cli("scenarios", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["id"] for row in rows] == nm.list_scenarios()
    assert {row["id"]: row["start"] for row in rows}["us-dprk-summit"] == "dormant"


def test_cli_compare_prints_the_table() -> None:
    """`negotiation-model compare` prints one row per scenario, with the difference from the reference."""
    r = run_cli("compare", "baseline", "red-line-aside", "--reference", "baseline", "--draws", "200")
    assert r.returncode == 0, r.stderr
    assert "P(summit)" in r.stdout and "red-line-aside" in r.stdout and "(reference)" in r.stdout
    assert "Traceback" not in r.stderr


def test_cli_compare_json_matches_the_library() -> None:
    """--json prints the comparison's to_dict(), with the same numbers as compare_scenarios."""
    r = run_cli("compare", "baseline", "no-door-slam", "--json", "--draws", "200", "--seed", "3")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    expected = nm.compare_scenarios(["baseline", "no-door-slam"], draws=200, seed=3).to_dict()
    assert data == json.loads(json.dumps(expected))


def test_cli_compare_bad_scenario_file_exits_1_naming_the_file() -> None:
    """A malformed scenario file: exit 1, the file and the field named on stderr, no traceback."""
    path = BAD / "p-out-of-range.yaml"
    r = run_cli("compare", "baseline", path)
    assert r.returncode == 1
    assert str(path) in r.stderr and "'changes[0].set.p'" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_cli_compare_without_scenarios_exits_2() -> None:
    """`negotiation-model compare` with no scenario is a usage error: exit 2, no traceback."""
    r = run_cli("compare")
    assert r.returncode == 2
    assert "SCENARIO" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("compare", "baseline", "--reference", "red-line-aside"),
        ("compare", "baseline", "--start", "summit"),
        ("compare", "baseline", "--start", "nowhere"),
        ("compare", "baseline", "--plot", "chart.txt"),
        ("compare", "baseline", "baseline"),
    ],
)
def test_cli_compare_usage_errors_exit_2(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    """A reference not compared, a bad start, a bad plot suffix, a repeated scenario: exit 2 with the option named."""
    from negotiation_model.cli import main

    assert main(list(args)) == 2
    err = capsys.readouterr().err
    assert "Invalid value" in err and "Traceback" not in err


def test_cli_compare_plot_is_a_png(tmp_path: Path) -> None:
    """--plot FILE writes a real PNG of the outcome probabilities with their intervals."""
    out = tmp_path / "scenarios.png"
    r = run_cli("compare", *nm.list_scenarios(), "--draws", "200", "--plot", out)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_a_relative_fit_on_path_survives_saving_and_loading_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fit_on: [ep.yaml] is read beside the scenario file; the saved form still finds it from anywhere."""
    folder = tmp_path / "sc"
    folder.mkdir()
    nm.save_episode(nm.load_episode("japan-dprk-2002"), folder / "ep.yaml")
    (folder / "s.yaml").write_text("id: s\ntitle: S\nrationale: r\nfit_on: [ep.yaml]\nchanges: []\n", encoding="utf-8")
    scenario = nm.load_scenario(folder / "s.yaml")
    assert scenario.fit_on == (str((folder / "ep.yaml").resolve()),)
    (folder / "again.yaml").write_text(yaml.safe_dump(scenario_to_dict(scenario)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    again = nm.load_scenario(folder / "again.yaml")
    assert again.fit_on == scenario.fit_on
    assert nm.scenario_model(again).counts.sum() == nm.scenario_model(scenario).counts.sum()


def test_a_lone_id_is_one_id_and_a_change_must_be_a_change() -> None:
    """Scenario(fit_on="x") means one episode (not its letters); a stray item in changes is refused by name."""
    s = nm.Scenario(id="s", title="S", fit_on="japan-dprk-2002", outcomes="summit")
    assert s.fit_on == ("japan-dprk-2002",) and s.outcomes == ("summit",)
    with pytest.raises(nm.DataError, match=r"field 'changes': item 1: expected SetProbability.*got 'nope'"):
        nm.Scenario(id="s", title="S", changes=[nm.SetProbability("conditional", "provoked", p=0.0), "nope"])


def test_a_change_the_model_cannot_take_is_named_by_its_place_in_the_changes() -> None:
    """Setting every move out of a state to 0 fails at the change that empties the row, and says which one."""
    s = nm.Scenario(
        id="x",
        title="X",
        changes=[nm.SetProbability("provoked", to, p=0.0) for to in ("talks", "door_slammed", "overture")],
    )
    with pytest.raises(nm.DefinitionError, match=r"scenario 'x': field 'changes\[2\]\.set': .*cannot be renormalised"):
        nm.scenario_model(s)
