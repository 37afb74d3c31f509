"""Tests for the pictures: timelines and sweep curves, written as real PNG and SVG files."""

from __future__ import annotations

import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import negotiation_model as nm
from negotiation_model.cli import EXIT_DATA, main
from negotiation_model.plot import INSTALL_HINT, figure_format, state_colours

pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EPISODE = "japan-dprk-2023-24"


def png_size(path: Path) -> tuple[int, int]:
    """Return a PNG's width and height, read from its IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_root(path: Path) -> ET.Element:
    """Return the parsed root element of an SVG file."""
    return ET.parse(path).getroot()  # our own freshly written file


@pytest.fixture(scope="module")
def trace() -> nm.Trace:
    """The 2023-24 replay."""
    return nm.door_slam_pattern().replay(nm.load_episode(EPISODE))


@pytest.fixture(scope="module")
def sweep() -> nm.SweepResult:
    """A three-value sweep with credible intervals, on the 2023-24 fit."""
    model = nm.MarkovModel.fit(nm.door_slam_pattern(), [nm.load_episode(EPISODE)])
    return model.sweep("conditional", "provoked", [0.0, 0.5, 1.0], intervals=True, draws=200)


def test_timeline_png_is_a_real_image_of_sensible_size(tmp_path: Path, trace: nm.Trace) -> None:
    """plot_timeline + save_figure write a PNG whose header gives a wide, legible picture."""
    path = nm.save_figure(nm.plot_timeline(trace), tmp_path / "timeline.png")
    width, height = png_size(path)
    assert 1200 <= width <= 4000
    assert 500 <= height <= 1500
    assert width > height  # a timeline runs left to right
    assert path.stat().st_size > 20_000  # not an empty canvas


def test_timeline_svg_parses_with_an_svg_root(tmp_path: Path, trace: nm.Trace) -> None:
    """The SVG is well-formed XML whose root is <svg>, with the episode's title in its text."""
    path = nm.save_figure(nm.plot_timeline(trace), tmp_path / "timeline.svg")
    root = svg_root(path)
    assert root.tag.endswith("svg")
    assert float(root.attrib["width"].removesuffix("pt")) > 300


def test_timeline_draws_a_band_per_stretch_and_a_marker_per_event(trace: nm.Trace) -> None:
    """One state band per stretch between events, one marker per event, titled with the episode."""
    fig = nm.plot_timeline(trace)
    ax = fig.axes[0]
    n = len(trace.episode.events)
    assert len(ax.patches) == n + 1  # the state before the first event, then after each
    assert len(ax.collections) == n
    assert ax.get_title(loc="left") == trace.episode.title
    labels = {t.get_text() for t in ax.texts}
    assert "raise_red_line" in labels  # state changes are labelled with their transition


def test_timeline_band_colours_follow_the_states(trace: nm.Trace) -> None:
    """Each band has the colour of the state in force there; the last is the final state's."""
    from matplotlib.colors import to_hex

    fig = nm.plot_timeline(trace)
    colours = state_colours(trace.machine.state_names)
    in_force = [trace.machine.initial, *(step.target for step in trace.steps)]
    bands = fig.axes[0].patches
    assert len(bands) == len(in_force)
    assert [to_hex(band.get_facecolor()) for band in bands] == [to_hex(colours[s]) for s in in_force]
    assert in_force[-1] == trace.final_state
    assert len(set(in_force)) > 2  # the trace changes state, so a band of one colour throughout would fail


def test_timeline_marks_red_line_events_and_deviations(tmp_path: Path) -> None:
    """Red-line events wear a red edge; a deviation is drawn hollow and named in the legend."""
    from matplotlib.colors import to_hex

    path = tmp_path / "dev.yaml"
    path.write_text(
        "id: dev\ntitle: Deviation\nroles: {initiator: A, respondent: B}\nred_line: r\n"
        "actors: {A: {name: A}, B: {name: B}}\nsources: {s: {title: S}}\nevents:\n"
        "  - {id: s1, date: 2024-01-01, kind: summit, actor: A, sources: [s]}\n"
        "  - {id: o1, date: 2024-01-02, kind: offer, actor: A, issues: [r], sources: [s]}\n",
        encoding="utf-8",
    )
    trace = nm.door_slam_pattern().replay(nm.load_episode(path))
    assert not trace.conforms[0]
    ax = nm.plot_timeline(trace).axes[0]
    deviation, red = ax.collections
    assert to_hex(deviation.get_facecolor()[0]) == "#ffffff"
    assert to_hex(red.get_edgecolor()[0]) == "#d7191c"
    legend_texts = [t.get_text() for legend in ax.findobj(lambda a: type(a).__name__ == "Legend") for t in legend.texts]
    assert "deviation (hollow)" in legend_texts


def test_timeline_on_a_date_axis_and_into_given_axes(trace: nm.Trace) -> None:
    """x="date" puts events on a calendar; passing ax draws into it and returns its figure."""
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    out = nm.plot_timeline(trace, ax=ax, x="date")
    assert out is fig
    low, high = ax.get_xlim()
    assert high - low > 250  # days: the episode spans about ten months
    with pytest.raises(ValueError, match="'date' or 'order'"):
        nm.plot_timeline(trace, x="calendar")  # type: ignore[arg-type]


def test_sweep_png_and_bands(tmp_path: Path, sweep: nm.SweepResult) -> None:
    """plot_sweep draws one curve and one credible band per outcome, and saves as PNG."""
    fig = nm.plot_sweep(sweep, baseline=0.3)
    ax = fig.axes[0]
    curves = [line for line in ax.get_lines() if line.get_label() in sweep.outcomes]
    assert [c.get_label() for c in curves] == list(sweep.outcomes)
    assert list(curves[0].get_ydata()) == list(sweep.column(sweep.outcomes[0]))
    assert len(ax.collections) == len(sweep.outcomes)  # the bands
    width, height = png_size(nm.save_figure(fig, tmp_path / "sweep.png"))
    assert 600 <= width <= 3000 and 400 <= height <= 2000


def test_sweep_without_intervals_has_no_bands(sweep: nm.SweepResult) -> None:
    """A sweep run without intervals is drawn as bare curves."""
    import attrs

    bare = attrs.evolve(sweep, intervals=None, level=None)
    assert len(nm.plot_sweep(bare).axes[0].collections) == 0


def test_save_figure_takes_axes_and_refuses_other_suffixes(tmp_path: Path, sweep: nm.SweepResult) -> None:
    """save_figure accepts an axes for its figure; a .gif is a ValueError naming the suffix."""
    fig = nm.plot_sweep(sweep)
    svg = nm.save_figure(fig.axes[0], tmp_path / "from-axes.svg")
    assert svg_root(svg).tag.endswith("svg")
    with pytest.raises(ValueError, match=r"\.gif"):
        nm.save_figure(fig, tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()
    assert figure_format("A.PNG") == "png"


def _hide_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import matplotlib` raise ImportError, as if not installed.
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_missing_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch, trace: nm.Trace) -> None:
    """Without matplotlib, plotting raises an ImportError (and library error) that names the extra."""
    _hide_matplotlib(monkeypatch)
    with pytest.raises(nm.MissingExtraError) as info:
        nm.plot_timeline(trace)
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, nm.NegotiationModelError)
    assert INSTALL_HINT in str(info.value)
    assert 'pip install "negotiation-model[plot]"' in str(info.value)
    with pytest.raises(ImportError, match=r"negotiation-model\[plot\]"):
        nm.save_figure(object(), "x.png")  # type: ignore[arg-type]


def test_cli_plot_without_matplotlib_fails_before_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`replay --plot` without matplotlib: exit 1, the install hint on stderr, nothing half-printed."""
    _hide_matplotlib(monkeypatch)
    code = main(["replay", EPISODE, "--plot", str(tmp_path / "t.png")])
    captured = capsys.readouterr()
    assert code == EXIT_DATA
    assert INSTALL_HINT in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not (tmp_path / "t.png").exists()
