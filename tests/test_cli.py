"""Tests for the ``negotiation-model`` command line.

Every subcommand runs at least once through the installed entry point in a
subprocess (exit code, streams, no traceback); finer cases call
:func:`negotiation_model.cli.main` in-process, which is what the script runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import run_cli

import negotiation_model as nm
from negotiation_model.cli import EXIT_DATA, EXIT_OK, EXIT_USAGE, cli, main

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "good" / "minimal.yaml"
EPISODE = "japan-dprk-2023-24"

MALFORMED_YAML = "id: broken\ntitle: [an unclosed list\nroles: {initiator: A\n"

# Parses, but the second event has an unknown kind and a bad date: the problems name the field.
BAD_FIELDS_YAML = """\
id: bad-fields
title: Bad fields
roles: {initiator: A, respondent: B}
red_line: hostages
actors: {A: {name: State A}, B: {name: State B}}
sources: {s1: {title: A source}}
events:
  - {id: e1, date: 2024-01-02, kind: offer, actor: A, sources: [s1]}
  - {id: e2, date: 2024-13-40, kind: ofer, actor: B, sources: [s1]}
"""

# Valid data, but a summit out of nowhere: no transition from `dormant` takes it.
DEVIATING_YAML = """\
id: deviating
title: A summit out of nowhere
roles: {initiator: A, respondent: B}
red_line: hostages
actors: {A: {name: State A}, B: {name: State B}}
sources: {s1: {title: A source}}
events:
  - {id: surprise-summit, date: 2024-01-02, kind: summit, actor: A, sources: [s1]}
  - {id: later-offer, date: 2024-01-05, kind: offer, actor: A, sources: [s1]}
"""


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _no_traceback(*streams: str) -> None:
    for s in streams:
        assert "Traceback" not in s


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """A malformed YAML file, a file with bad fields, and a valid but deviating episode."""
    files = {"malformed": MALFORMED_YAML, "fields": BAD_FIELDS_YAML, "deviating": DEVIATING_YAML}
    out = {}
    for name, text in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


# -- through the installed script ---------------------------------------------------------


def test_script_list_json_lists_the_bundled_episodes() -> None:
    """`list --json` prints every bundled id with its dates and event count."""
    r = run_cli("list", "--json")
    assert r.returncode == EXIT_OK, r.stderr
    rows = json.loads(r.stdout)
    assert [row["id"] for row in rows] == nm.list_episodes()
    row = next(row for row in rows if row["id"] == EPISODE)
    assert row["events"] == len(nm.load_episode(EPISODE))
    assert row["first"] == "2023-05-27"


def test_script_show_prints_the_timeline_as_plain_text() -> None:
    """`show` on a pipe is plain text: one row per event, every event id present, no escape codes."""
    r = run_cli("show", EPISODE)
    assert r.returncode == EXIT_OK, r.stderr
    ep = nm.load_episode(EPISODE)
    for e in ep.events:
        assert e.id in r.stdout
    assert "\x1b[" not in r.stdout
    # Not wrapped at COLUMNS=80: the first event's summary sits on its id's line.
    first = ep.events[0]
    line = next(ln for ln in r.stdout.splitlines() if first.id in ln)
    assert first.summary.strip()[:60] in line


def test_script_replay_is_readable() -> None:
    """The README's command prints the title, roles, red line, steps, final state, fitness and cycles."""
    r = run_cli("replay", EPISODE)
    assert r.returncode == EXIT_OK, r.stderr
    trace = nm.door_slam_pattern().replay(nm.load_episode(EPISODE))
    out = r.stdout
    for needle in (trace.episode.title, "initiator", "respondent", "red line", "abductees", "final state", "fitness"):
        assert needle in out
    assert f"final state  {trace.final_state}" in out
    assert f"{len(trace.cycles)} completed cycle" in out
    assert "deviations   none" in out
    assert len([ln for ln in out.splitlines() if ln.strip().split(" ")[0].isdigit()]) >= len(trace.episode.events)
    assert r.stderr == ""


def test_script_replay_json_and_plot(tmp_path: Path) -> None:
    """`replay --json --plot` prints the trace as JSON and writes a PNG."""
    png = tmp_path / "timeline.png"
    r = run_cli("replay", EPISODE, "--json", "--plot", str(png))
    assert r.returncode == EXIT_OK, r.stderr
    data = json.loads(r.stdout)
    assert data["episode"] == EPISODE
    assert data["final_state"] == "door_slammed"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert str(png) in r.stderr


def test_script_counterfactual_json() -> None:
    """`counterfactual` with filters and --cascade reports the dropped events and both final states."""
    r = run_cli(
        "counterfactual",
        EPISODE,
        "--drop-kind",
        "issue_raised",
        "--drop-role",
        "initiator",
        "--red-line-only",
        "--cascade",
        "--json",
    )
    assert r.returncode == EXIT_OK, r.stderr
    data = json.loads(r.stdout)
    ep = nm.load_episode(EPISODE)
    direct = {
        e.id
        for e in ep.events
        if e.kind is nm.EventKind.ISSUE_RAISED and ep.touches_red_line(e) and ep.role_of(e.actor) is nm.Role.INITIATOR
    }
    dropped = {d["event"] for d in data["dropped"]}
    assert direct <= dropped
    assert {d["event"] for d in data["dropped"] if not d["cascade"]} == direct
    assert data["final_states"]["original"] == "door_slammed"
    assert "provoked" in data["only_in_original"]


def test_script_diagram_dot() -> None:
    """`diagram --format dot` prints Graphviz text of the canonical machine."""
    r = run_cli("diagram", "--format", "dot", "--self-loops")
    assert r.returncode == EXIT_OK, r.stderr
    assert r.stdout == nm.door_slam_pattern().to_dot(self_loops=True)


def test_script_validate_names_each_bad_file(bad_files: dict[str, Path]) -> None:
    """`validate` says OK for a good file, lists the problems of bad ones, and exits 1."""
    r = run_cli("validate", str(MINIMAL), str(bad_files["malformed"]), str(bad_files["fields"]))
    assert r.returncode == EXIT_DATA
    _no_traceback(r.stdout, r.stderr)
    assert "OK" in r.stdout and "(4 events)" in r.stdout
    assert str(bad_files["malformed"]) in r.stdout
    assert "YAML syntax" in r.stdout
    assert "'kind'" in r.stdout and "'date'" in r.stdout


def test_script_replay_of_a_malformed_file_is_one_message(bad_files: dict[str, Path]) -> None:
    """A malformed file exits 1 with one message on stderr naming the file; nothing on stdout."""
    r = run_cli("replay", str(bad_files["malformed"]))
    assert r.returncode == EXIT_DATA
    _no_traceback(r.stderr)
    assert r.stderr.startswith("error: ")
    assert str(bad_files["malformed"]) in r.stderr
    assert "line" in r.stderr
    assert r.stdout == ""


def test_script_strict_replay_that_deviates_exits_1(bad_files: dict[str, Path]) -> None:
    """`replay --strict` stops at the first deviation: exit 1, the file, the event and the state named."""
    path = bad_files["deviating"]
    with pytest.raises(nm.ReplayError):  # the premise: the library refuses it too
        nm.door_slam_pattern().replay(nm.load_episode(path), strict=True)
    r = run_cli("replay", str(path), "--strict")
    assert r.returncode == EXIT_DATA
    _no_traceback(r.stderr)
    assert str(path) in r.stderr
    assert "surprise-summit" in r.stderr and "dormant" in r.stderr


def test_script_usage_error_exits_2() -> None:
    """A bad option value is a usage error: exit 2, click's message, no traceback."""
    r = run_cli("replay", EPISODE, "--format", "xml")
    assert r.returncode == EXIT_USAGE
    _no_traceback(r.stderr)
    assert "'xml' is not one of" in r.stderr


def test_python_dash_m_runs_the_same_command() -> None:
    """`python -m negotiation_model` is the same program."""
    r = subprocess.run(
        [sys.executable, "-m", "negotiation_model", "--version"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == EXIT_OK
    assert nm.__version__ in r.stdout


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], bad_files: dict[str, Path]) -> None:
    """--debug adds the traceback to the error message (and keeps the exit code)."""
    code, _, err = _main(capsys, "--debug", "replay", str(bad_files["fields"]))
    assert code == EXIT_DATA
    assert "Traceback" in err
    assert "DataError" in err
    assert err.index("error: ") > err.index("Traceback")  # the traceback, then the usual message


def test_script_simulate_json_agrees_with_the_library() -> None:
    """`simulate --json` gives the exact odds of the model fitted on the Japan-DPRK episodes, and MC counts."""
    r = run_cli("simulate", "--start", "conditional", "-n", "20000", "--seed", "7", "--json")
    assert r.returncode == EXIT_OK, r.stderr
    data = json.loads(r.stdout)
    ids = [i for i in nm.list_episodes() if i.startswith("japan-dprk")]
    assert data["model"]["episodes"] == ids
    model = nm.MarkovModel.fit(nm.door_slam_pattern(), [nm.load_episode(i) for i in ids])
    exact = model.outcome_probabilities("conditional")
    for outcome, p in exact.items():
        assert data["exact"]["outcomes"][outcome]["probability"] == pytest.approx(p)
    counts = model.simulate(20000, start="conditional", seed=7).counts
    assert {o: v["count"] for o, v in data["simulation"]["outcomes"].items()} == dict(counts)


def test_script_sweep_json_and_plot(tmp_path: Path) -> None:
    """`sweep --values ... --json --plot x.svg` tabulates each value and draws the curves."""
    svg = tmp_path / "sweep.svg"
    r = run_cli(
        "sweep", "conditional", "provoked", "--values", "0,0.5,1", "--fit", EPISODE, "--json", "--plot", str(svg)
    )
    assert r.returncode == EXIT_OK, r.stderr
    data = json.loads(r.stdout)
    assert [row["value"] for row in data["rows"]] == [0.0, 0.5, 1.0]
    summit = [row["probabilities"]["summit"] for row in data["rows"]]
    assert summit[0] > summit[1] > summit[2]  # raising the red line more often never helps a summit
    assert all("intervals" in row for row in data["rows"])
    assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))


def test_script_export_csv(tmp_path: Path) -> None:
    """`export --format csv -o FILE` writes one row per event (the format also follows from the name)."""
    out = tmp_path / "events.csv"
    r = run_cli("export", EPISODE, "-o", str(out))
    assert r.returncode == EXIT_OK, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(nm.load_episode(EPISODE)) + 1
    assert lines[0].startswith("episode_id,event_id")
    assert str(out) in r.stderr


# -- in process ------------------------------------------------------------------------------


def test_replay_mermaid_highlights_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    """`replay --format mermaid` prints the trace's Mermaid diagram."""
    code, out, _ = _main(capsys, "replay", EPISODE, "--format", "mermaid")
    assert code == EXIT_OK
    assert out == nm.door_slam_pattern().replay(nm.load_episode(EPISODE)).to_mermaid()


def test_replay_json_flag_conflicts_with_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    """--json with --format mermaid is a usage error."""
    code, out, err = _main(capsys, "replay", EPISODE, "--json", "--format", "mermaid")
    assert code == EXIT_USAGE
    assert "--json" in err and out == ""


def test_replay_explains_deviations(capsys: pytest.CaptureFixture[str], bad_files: dict[str, Path]) -> None:
    """A lenient replay marks the deviating step and explains it below the table."""
    code, out, _ = _main(capsys, "replay", str(bad_files["deviating"]))
    assert code == EXIT_OK
    assert "DEVIATION" in out
    assert "fitness      0.50" in out
    assert "no transition from 'dormant' takes it" in out


def test_replay_of_a_missing_file_names_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing file exits 1 and names the path."""
    missing = tmp_path / "nope.yaml"
    code, out, err = _main(capsys, "replay", str(missing))
    assert code == EXIT_DATA
    assert str(missing) in err and out == ""


def test_bad_plot_suffix_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--plot with a suffix other than .png/.svg is refused before any work."""
    code, out, err = _main(capsys, "replay", EPISODE, "--plot", str(tmp_path / "x.gif"))
    assert code == EXIT_USAGE
    assert ".gif" in err and out == ""


def test_a_plot_into_a_missing_directory_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--plot into a directory that does not exist is refused before anything is printed, not after."""
    code, out, err = _main(capsys, "replay", EPISODE, "--plot", str(tmp_path / "nowhere" / "x.png"))
    assert code == EXIT_USAGE
    assert "no such directory" in err and out == ""


def test_replay_plot_svg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--plot FILE.svg writes an SVG document."""
    svg = tmp_path / "t.svg"
    code, _, _ = _main(capsys, "replay", str(MINIMAL), "--plot", str(svg))
    assert code == EXIT_OK
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_show_json_has_roles_and_red_line_flags(capsys: pytest.CaptureFixture[str]) -> None:
    """`show --json` gives each event with its resolved role and red-line flag."""
    code, out, _ = _main(capsys, "show", str(MINIMAL), "--json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert data["red_line"] == "hostages"
    by_id = {e["id"]: e for e in data["events"]}
    assert by_id["offer"]["role"] == "initiator"  # a-leader represents A
    assert by_id["condition"]["red_line"] is True
    assert by_id["offer"]["red_line"] is False


def test_counterfactual_table_marks_dropped_and_changed(capsys: pytest.CaptureFixture[str]) -> None:
    """Dropping the red-line raise from the minimal episode changes the outcome, and the table says so."""
    code, out, _ = _main(capsys, "counterfactual", str(MINIMAL), "--drop", "raise", "--cascade")
    assert code == EXIT_OK
    assert "dropped 2 of 4 events (1 of them because they answer a dropped event)" in out
    assert "(the outcome changes)" in out
    assert "never reached" in out and "provoked" in out


def test_counterfactual_drop_accepts_commas(capsys: pytest.CaptureFixture[str]) -> None:
    """--drop a,b drops both events."""
    code, out, _ = _main(capsys, "counterfactual", str(MINIMAL), "--drop", "raise,slam", "--json")
    assert code == EXIT_OK
    assert {d["event"] for d in json.loads(out)["dropped"]} == {"raise", "slam"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--drop", "no-such-event"), "no-such-event"),
        (("--drop-kind", "summit"), "nothing to drop"),
        ((), "nothing to drop"),
        (("--drop-kind", "bogus"), "'bogus' is not one of"),
    ],
)
def test_counterfactual_bad_drops_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: Sequence[str], needle: str
) -> None:
    """Unknown event ids, filters that match nothing and unknown kinds exit 2 with a message."""
    code, out, err = _main(capsys, "counterfactual", str(MINIMAL), *args)
    assert code == EXIT_USAGE
    assert needle in err and out == ""


def test_diagram_mermaid_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`diagram` prints Mermaid by default and the machine's data with --json."""
    code, out, _ = _main(capsys, "diagram")
    assert code == EXIT_OK and out.startswith("stateDiagram-v2")
    code, out, _ = _main(capsys, "diagram", "--json")
    assert code == EXIT_OK
    assert nm.PatternMachine.from_dict(json.loads(out)) == nm.door_slam_pattern()


def test_diagram_with_a_bad_machine_file_names_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An inconsistent machine file exits 1 with its path and the culprit in the message."""
    path = tmp_path / "machine.yaml"
    path.write_text(
        "name: m\ninitial: a\nstates: {a: {}, b: {outcome: true}, c: {outcome: true}}\n"
        "transitions:\n  - {label: go, from: a, to: b}\n",
        encoding="utf-8",
    )
    code, out, err = _main(capsys, "diagram", "--machine", str(path))
    assert code == EXIT_DATA
    assert str(path) in err and "unreachable" in err and "c" in err
    assert out == ""


def test_validate_json_and_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`validate --json` reports each file; a missing one is a problem, not a crash."""
    missing = tmp_path / "missing.yaml"
    code, out, _ = _main(capsys, "validate", str(MINIMAL), str(missing), "--json")
    assert code == EXIT_DATA
    results = json.loads(out)
    assert results[0] == {"file": str(MINIMAL), "ok": True, "events": 4, "problems": []}
    assert results[1]["ok"] is False and str(missing) in results[1]["problems"][0]


def test_validate_all_good_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    """Every file valid: exit 0."""
    code, out, _ = _main(capsys, "validate", str(MINIMAL))
    assert code == EXIT_OK
    assert out.startswith("OK")


def test_validate_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`validate` without a file is a usage error."""
    code, _, err = _main(capsys, "validate")
    assert code == EXIT_USAGE
    assert "FILE" in err


def test_terminal_output_uses_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal (FORCE_COLOR makes rich treat the stream as one) output is styled and boxed."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "140")
    result = CliRunner().invoke(cli, ["replay", str(MINIMAL)])
    assert result.exit_code == EXIT_OK, result.output
    assert "\x1b[" in result.output
    assert "→" in result.output  # the fancy arrow; plain output uses ->


def test_internal_errors_are_one_line_without_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (an unexpected exception) is reported briefly, pointing at --debug, with exit 1."""

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("negotiation_model.cli.list_episodes", boom)
    code, _, err = _main(capsys, "list")
    assert code == EXIT_DATA
    assert "kaboom" in err and "--debug" in err
    _no_traceback(err)
    with pytest.raises(RuntimeError, match="kaboom"):
        main(["--debug", "list"])


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Running with no command shows the commands (click's convention: a usage error)."""
    code, _, err = _main(capsys)
    assert code == EXIT_USAGE
    assert "replay" in err and "validate" in err


# -- simulate, sweep, export in process ----------------------------------------------------


def test_simulate_table_reports_exact_and_monte_carlo(capsys: pytest.CaptureFixture[str]) -> None:
    """The table output has both parts and checks that they agree."""
    # A 95% interval misses about 1 seed in 20: this seed is one where it holds (the run is reproducible).
    code, out, _ = _main(capsys, "simulate", "--fit", str(MINIMAL), "-n", "5000", "--seed", "1")
    assert code == EXIT_OK
    assert "Exact" in out and "Monte Carlo: 5,000 chains" in out
    assert "credible interval" in out and "95% confidence interval" in out
    assert "the exact probabilities lie inside the Monte Carlo intervals" in out


def test_simulate_in_batches_is_reproducible(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batched runs count every chain and repeat exactly for a seed; posterior runs too."""
    monkeypatch.setattr("negotiation_model.cli.SIMULATION_BATCH", 1000)
    runs = []
    for _ in range(2):
        code, out, _ = _main(capsys, "simulate", "-n", "3500", "--seed", "5", "--posterior", "--json")
        assert code == EXIT_OK
        runs.append(json.loads(out)["simulation"])
    assert runs[0] == runs[1]
    assert runs[0]["n"] == 3500
    assert sum(o["count"] for o in runs[0]["outcomes"].values()) + runs[0]["unfinished"] == 3500
    assert runs[0]["posterior_draws"] == 3 * 256  # three batches, each with its own posterior draws


def test_simulate_single_batch_equals_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    """Below two batches the command is exactly `model.simulate(n, start=..., seed=...)`."""
    code, out, _ = _main(
        capsys, "simulate", "--fit", EPISODE, "--start", "provoked", "-n", "3000", "--seed", "11", "--json"
    )
    assert code == EXIT_OK
    model = nm.MarkovModel.fit(nm.door_slam_pattern(), [nm.load_episode(EPISODE)])
    expected = model.simulate(3000, start="provoked", seed=11).to_dict()
    assert json.loads(out)["simulation"] == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("simulate", "--start", "nowhere"), "no state 'nowhere'"),
        (("simulate", "--start", "summit"), "outcome state"),
        (("simulate", "-n", "0"), "-n"),
        (("sweep", "conditional", "provoked", "--values", "0,1.5"), "not a probability"),
        (("sweep", "conditional", "provoked", "--values", "0,x"), "'x' is not a number"),
        (("sweep", "conditional", "provoked", "--values", "0,1", "--steps", "3"), "not both"),
        (("sweep", "conditional", "dormant"), "no move conditional -> dormant"),
        (("sweep", "nowhere", "provoked"), "no state 'nowhere'"),
        (("sweep", "conditional", "provoked", "--plot", "out.pdf"), ".pdf"),
    ],
)
def test_bad_model_arguments_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: Sequence[str], needle: str
) -> None:
    """Unknown states, outcome starts, bad values and unknown moves exit 2 with a message."""
    code, out, err = _main(capsys, *args)
    assert code == EXIT_USAGE
    assert needle in err and out == ""
    _no_traceback(err)


def test_simulate_with_a_bad_fit_file_names_it(capsys: pytest.CaptureFixture[str], bad_files: dict[str, Path]) -> None:
    """--fit on a malformed file is bad data: exit 1, the file named."""
    code, _, err = _main(capsys, "simulate", "--fit", str(bad_files["malformed"]))
    assert code == EXIT_DATA
    assert str(bad_files["malformed"]) in err


def test_sweep_table_marks_the_fitted_value(capsys: pytest.CaptureFixture[str]) -> None:
    """The sweep table lists --steps values from 0 to 1 and states the fitted probability."""
    code, out, _ = _main(capsys, "sweep", "conditional", "provoked", "--steps", "3", "--no-intervals")
    assert code == EXIT_OK
    assert "fitted P(conditional -> provoked) = " in out
    rows = [ln.split()[0] for ln in out.splitlines() if ln.strip()[:1].isdigit()]
    assert rows[:3] == ["0", "0.5", "1"]
    assert "interval" not in out


@pytest.mark.parametrize(
    ("name", "fmt", "check"),
    [
        ("log.jsonl", None, lambda text: json.loads(text.splitlines()[0])["event_id"]),
        ("log.plover.jsonl", None, lambda text: json.loads(text.splitlines()[0])["event"] is not None),
        ("log.pm4py.csv", None, lambda text: text.startswith("case:concept:name")),
        ("copy.yaml", None, lambda text: text.startswith("id: minimal")),
        ("copy.json", "json", lambda text: json.loads(text)["id"] == "minimal"),
    ],
)
def test_export_formats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, fmt: str | None, check: object
) -> None:
    """Every export format writes a file its readers accept; YAML and JSON copies load back equal."""
    out = tmp_path / name
    args = ["export", str(MINIMAL), "-o", str(out)] + (["--format", fmt] if fmt else [])
    code, _, err = _main(capsys, *args)
    assert code == EXIT_OK, err
    assert callable(check) and check(out.read_text(encoding="utf-8"))
    if name.startswith("copy"):
        assert nm.load_episode(out) == nm.load_episode(MINIMAL)


def test_export_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """-o - writes the file's contents to stdout; the format must then be given."""
    code, out, _ = _main(capsys, "export", str(MINIMAL), "--format", "csv", "-o", "-")
    assert code == EXIT_OK
    assert out.splitlines()[0].startswith("episode_id,event_id") and len(out.splitlines()) == 5
    code, out, err = _main(capsys, "export", str(MINIMAL), "-o", "-")
    assert code == EXIT_USAGE and "--format" in err


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("-o", "events.txt"), EXIT_USAGE, "cannot tell the format"),
        (("--format", "yaml", "-o", "events.txt"), EXIT_USAGE, "must be named .yaml or .yml"),
        (("-o", "no-such-dir/events.csv"), EXIT_DATA, "no-such-dir"),
    ],
)
def test_export_errors(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: Sequence[str],
    code: int,
    needle: str,
) -> None:
    """Names that do not tell the format are usage errors; an unwritable path is exit 1, named."""
    monkeypatch.chdir(tmp_path)
    got, out, err = _main(capsys, "export", str(MINIMAL), *args)
    assert got == code
    assert needle in err and out == ""
    _no_traceback(err)
