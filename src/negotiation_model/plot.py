"""Pictures: an episode's timeline, and the curves of a policy sweep.

Plotting needs matplotlib, an optional extra (``pip install
"negotiation-model[plot]"``). It is imported inside the functions, so the
rest of the library works without it; when it is missing the functions raise
:class:`MissingExtraError`, which says what to install.

Figures are built with :class:`matplotlib.figure.Figure` directly, never
through ``pyplot``: no display is needed, no global figure registry grows,
and :func:`save_figure` renders with the Agg (PNG) or SVG backend whatever
the session's default backend is. In a notebook, a returned figure shows
itself; to draw into your own layout, pass ``ax=``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from .episode import Role
from .errors import MissingExtraError
from .events import EventKind

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .markov import SweepResult
    from .replay import Trace
    from .scenarios import ScenarioComparison

__all__ = ["plot_scenarios", "plot_sweep", "plot_timeline", "save_figure"]

#: What to tell a user who lacks matplotlib.
INSTALL_HINT = 'pip install "negotiation-model[plot]"'

#: Suffixes :func:`save_figure` writes, and the format each means.
FIGURE_FORMATS = {".png": "png", ".svg": "svg"}

# Band colours, by the state's position in the machine. The canonical
# machine lists dormant, overture, conditional, talks, summit, provoked,
# door_slammed, so the order reads: grey, blue, yellow, green, deep green,
# orange, red (warmer as the pattern turns sour). Further states cycle on.
_STATE_COLOURS = (
    "#e5e5e5",
    "#cfe3f5",
    "#fbeeb8",
    "#d5eecf",
    "#9fd59a",
    "#fcd2a4",
    "#f3a3a3",
    "#dccdea",
    "#c9ebe8",
    "#f6cfe3",
)
_ROLE_COLOURS = {Role.INITIATOR: "#1f5fa8", Role.RESPONDENT: "#6a3d9a", Role.THIRD_PARTY: "#7f7f7f"}
_ROLE_ROWS = {Role.INITIATOR: 2.0, Role.RESPONDENT: 1.0, Role.THIRD_PARTY: 0.0}
_RED_LINE_COLOUR = "#d7191c"
# Curve colours, by the outcome's position: the canonical outcomes are summit (green), door_slammed (red).
_OUTCOME_COLOURS = ("#1b7837", "#c0392b", "#2166ac", "#e08214", "#762a83", "#4d4d4d")
_KIND_MARKERS = {
    EventKind.OFFER: ">",
    EventKind.WILLINGNESS: "o",
    EventKind.PRECONDITION: "s",
    EventKind.ISSUE_RAISED: "^",
    EventKind.DOOR_SLAMMED: "X",
    EventKind.GOODWILL: "h",
    EventKind.MEETING: "D",
    EventKind.SUMMIT: "*",
    EventKind.AGREEMENT: "P",
    EventKind.CONCESSION: "v",
    EventKind.SANCTION: "d",
    EventKind.STATEMENT: "p",
}


def _require_matplotlib() -> ModuleType:
    """Import matplotlib, or raise :class:`MissingExtraError` saying how to get it."""
    try:
        import matplotlib
        import matplotlib.dates
        import matplotlib.figure
    except ImportError as exc:
        raise MissingExtraError(
            f"plotting needs matplotlib, which is not installed ({exc}); install the plot extra: {INSTALL_HINT}"
        ) from exc
    return matplotlib


def _frame(axes: Axes, title: str, subtitle: str) -> None:
    """Give a plot the house frame: a bold title on the left, a grey subtitle under it, no top or right spine."""
    axes.set_title(title, loc="left", fontsize=11, fontweight="bold", pad=20)
    axes.text(0.0, 1.015, subtitle, transform=axes.transAxes, ha="left", va="bottom", fontsize=8.5, color="#444444")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)


def _outcome_legend(axes: Axes) -> None:
    """Put the outcomes' legend to the right of the plot."""
    axes.legend(
        title="outcome", fontsize=8.5, title_fontsize=9, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5)
    )


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    if ax is not None:
        return _root_figure(ax), ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _root_figure(ax: Axes) -> Figure:
    """Return the top-level figure an axes belongs to (through any subfigure)."""
    fig: Any = ax.figure
    root = getattr(fig, "figure", None)  # a SubFigure's root; a Figure's own (3.10+) is itself
    return root if root is not None else fig  # type: ignore[no-any-return]


def state_colours(states: Sequence[str]) -> dict[str, str]:
    """Return a band colour for each state, by its position in the machine.

    Examples:
        >>> state_colours(["dormant", "overture"])
        {'dormant': '#e5e5e5', 'overture': '#cfe3f5'}
    """
    return {s: _STATE_COLOURS[i % len(_STATE_COLOURS)] for i, s in enumerate(states)}


# -- the timeline -------------------------------------------------------------------


def plot_timeline(trace: Trace, ax: Axes | None = None, *, x: Literal["date", "order"] = "order") -> Figure:
    """Draw an episode's replay: the state in force as coloured bands, the events as markers.

    Each event is a marker in its actor's row (initiator, respondent, third
    parties), coloured by that role and shaped by its kind. Events that
    touch the red line wear a red ring; events the pattern could not take
    (deviations) are drawn hollow. The band behind each stretch of the
    timeline is the state the machine was in there, and each state change
    is labelled with the transition that made it.

    Args:
        trace: A replay, from :meth:`PatternMachine.replay`.
        ax: Axes to draw into; by default a new figure is made.
        x: ``"order"`` (the default) gives every event its own slot, in
            episode order, labelled with its date, so that busy days stay
            readable; ``"date"`` puts events on a calendar axis (month- or
            year-precision dates are drawn as a bar over their span).

    Returns:
        The figure drawn into (``fig.axes`` holds the axes).

    Raises:
        MissingExtraError: When matplotlib is not installed.
        ValueError: When ``x`` is neither ``"date"`` nor ``"order"``.

    Examples:
        >>> import negotiation_model as nm
        >>> trace = nm.door_slam_pattern().replay(nm.load_episode("japan-dprk-2023-24"))
        >>> fig = nm.plot_timeline(trace)
        >>> fig.axes[0].get_title(loc="left")
        "Kishida's summit offer and Pyongyang's refusal, May 2023 to March 2024"
    """
    if x not in ("date", "order"):
        raise ValueError(f"x: expected 'date' or 'order', got {x!r}")
    _require_matplotlib()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    episode = trace.episode
    events = episode.events
    n = len(events)
    fig, axes = _new_axes(ax, (max(9.0, min(18.0, 4.0 + 0.42 * n)), 4.8))
    positions, spans = _positions(trace, x)
    # The state after event i is in force until event i + 1: bands change at the markers.
    edges = _band_edges(positions, x)
    names = trace.machine.state_names
    colours = state_colours(names)
    states = [names[s] for s in trace.state_indices.tolist()]
    for i in range(n + 1):
        axes.axvspan(edges[i], edges[i + 1], color=colours[states[i]], lw=0, zorder=0)

    roles = [episode.role_of(e.actor) for e in events]
    offsets = _stack_offsets(positions, roles)
    conforms = trace.conforms.tolist()
    for i, e in enumerate(events):
        y = _ROLE_ROWS[roles[i]] + offsets[i]
        colour = _ROLE_COLOURS[roles[i]]
        red = episode.touches_red_line(e)
        span = spans[i]
        if span is not None:
            axes.plot(span, [y, y], color=colour, lw=3, alpha=0.35, solid_capstyle="butt", zorder=2)
        axes.scatter(
            [positions[i]],
            [y],
            marker=_KIND_MARKERS.get(e.kind, "o"),
            s=150 if red else 90,
            facecolors=colour if conforms[i] else "white",
            edgecolors=_RED_LINE_COLOUR if red else colour,
            linewidths=2.2 if red else 1.2,
            zorder=3,
        )
    for step in trace.steps:
        if step.transition is not None and step.source != step.target:
            y = _ROLE_ROWS[roles[step.index]] + offsets[step.index]
            axes.annotate(
                step.transition.label,
                (positions[step.index], y),
                xytext=(0, 11),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=7.5,
                rotation=35,
                rotation_mode="anchor",
                zorder=4,
            )

    axes.set_ylim(-0.7, 3.0)
    axes.set_yticks(
        [_ROLE_ROWS[r] for r in (Role.INITIATOR, Role.RESPONDENT, Role.THIRD_PARTY)],
        [_row_label(trace, Role.INITIATOR), _row_label(trace, Role.RESPONDENT), "third parties"],
    )
    axes.set_xlim(edges[0], edges[-1])
    if x == "order":
        axes.set_xticks(positions, [e.date_text for e in events], rotation=60, ha="right", fontsize=7.5)
        axes.set_xlabel("events in episode order (date)")
    else:
        axes.xaxis_date()
        axes.set_xlabel("date")
    cycles = len(trace.cycles)
    _frame(
        axes,
        episode.title,
        f"replayed through {trace.machine.name!r}: final state {trace.final_state}, fitness {trace.fitness:.2f}, "
        f"{cycles} completed cycle{'s' if cycles != 1 else ''}; red line: {episode.red_line}",
    )

    in_force = [s for s in names if s in set(states)]
    state_handles = [Patch(facecolor=colours[s], label=s) for s in in_force]
    kinds = [k for k in _KIND_MARKERS if any(e.kind is k for e in events)]
    marker_handles = [
        Line2D([], [], ls="", marker=_KIND_MARKERS[k], color="#555555", markersize=7, label=k.value) for k in kinds
    ]
    marker_handles.append(
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markerfacecolor="#bbbbbb",
            markeredgecolor=_RED_LINE_COLOUR,
            markeredgewidth=2,
            markersize=8,
            label=f"touches red line ({episode.red_line})",
        )
    )
    if not all(conforms):
        marker_handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                markerfacecolor="white",
                markeredgecolor="#555555",
                markersize=8,
                label="deviation (hollow)",
            )
        )
    first = axes.legend(
        handles=state_handles,
        title="state in force",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title_fontsize=8.5,
        frameon=False,
    )
    axes.add_artist(first)
    axes.legend(
        handles=marker_handles,
        title="event kind",
        loc="lower left",
        bbox_to_anchor=(1.01, 0.0),
        fontsize=8,
        title_fontsize=8.5,
        frameon=False,
    )
    return fig


def _row_label(trace: Trace, role: Role) -> str:
    episode = trace.episode
    actor_id = episode.roles.initiator if role is Role.INITIATOR else episode.roles.respondent
    actor = episode.actors.get(actor_id)
    return f"{role.value}\n{actor.name if actor is not None else actor_id}"


def _positions(trace: Trace, x: str) -> tuple[list[float], list[tuple[float, float] | None]]:
    """Return each event's x position, and the span of a coarse date (None for day dates or on the order axis)."""
    events = trace.episode.events
    if x == "order":
        return [float(i) for i in range(len(events))], [None] * len(events)
    from matplotlib.dates import date2num

    def num(day: dt.date) -> float:
        return float(date2num(day))  # type: ignore[no-untyped-call]

    positions: list[float] = []
    spans: list[tuple[float, float] | None] = []
    last = -float("inf")
    for e in events:
        start, end = e.date_span
        # Episode order may put a coarse date after later-starting ones (it answers them);
        # keep positions monotone so the state bands never run backwards.
        last = max(num(start), last)
        positions.append(last)
        spans.append(None if start == end else (num(start), num(end + dt.timedelta(days=1))))
    return positions, spans


def _band_edges(positions: Sequence[float], x: str) -> list[float]:
    if not positions:
        return [0.0, 1.0]
    pad = 0.6 if x == "order" else max(3.0, (positions[-1] - positions[0]) * 0.03)
    return [positions[0] - pad, *positions, positions[-1] + pad]


def _stack_offsets(positions: Sequence[float], roles: Sequence[Role]) -> list[float]:
    """Return a small vertical offset per event so that events at one spot in one row do not hide each other."""
    seen: dict[tuple[float, Role], int] = {}
    out = []
    for p, r in zip(positions, roles, strict=True):
        k = seen.get((p, r), 0)
        seen[(p, r)] = k + 1
        out.append(0.22 * k)
    return out


# -- sweeps -------------------------------------------------------------------------


def plot_sweep(sweep_result: SweepResult, ax: Axes | None = None, *, baseline: float | None = None) -> Figure:
    """Draw how the outcome probabilities move as one move's probability is swept.

    One curve per outcome (exact probabilities, from
    :meth:`MarkovModel.sweep`), with a shaded credible band when the sweep
    was run with ``intervals=True``.

    Args:
        sweep_result: A :class:`~negotiation_model.SweepResult`.
        ax: Axes to draw into; by default a new figure is made.
        baseline: The move's fitted probability, drawn as a dashed vertical
            line (``model.probability(source, target)``), or ``None``.

    Returns:
        The figure drawn into.

    Raises:
        MissingExtraError: When matplotlib is not installed.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
        >>> s = m.sweep("conditional", "provoked", [0.0, 0.5, 1.0], intervals=True, draws=200)
        >>> fig = nm.plot_sweep(s, baseline=m.probability("conditional", "provoked"))
        >>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
        ['summit', 'door_slammed']
    """
    _require_matplotlib()
    s = sweep_result
    fig, axes = _new_axes(ax, (7.5, 4.5))
    move = f"P({s.source} \u2192 {s.target})"
    for k, outcome in enumerate(s.outcomes):
        colour = _OUTCOME_COLOURS[k % len(_OUTCOME_COLOURS)]
        axes.plot(s.values, s.column(outcome), marker="o", markersize=4, color=colour, lw=2, label=outcome)
        if s.intervals is not None:
            low = [b[outcome][0] for b in s.intervals]
            high = [b[outcome][1] for b in s.intervals]
            axes.fill_between(s.values, low, high, color=colour, alpha=0.18, lw=0)
    if baseline is not None:
        axes.axvline(baseline, color="#444444", ls="--", lw=1)
        axes.annotate(
            f"fitted {baseline:.2f}",
            (baseline, 1.0),
            xytext=(4, -4),
            textcoords="offset points",
            va="top",
            fontsize=8,
            color="#444444",
        )
    if len(s.values) > 1:
        axes.set_xlim(min(s.values), max(s.values))
    axes.set_ylim(0.0, 1.0)
    axes.set_xlabel(move)
    axes.set_ylabel("probability the outcome is reached first")
    band = f"; shaded: {s.level:.0%} credible band" if s.intervals is not None and s.level is not None else ""
    _frame(axes, f"Outcome odds as {move} varies", f"exact absorbing-chain probabilities from {s.start!r}{band}")
    axes.grid(True, color="#dddddd", lw=0.6)
    _outcome_legend(axes)
    return fig


# -- scenarios ----------------------------------------------------------------------


def plot_scenarios(comparison: ScenarioComparison, ax: Axes | None = None) -> Figure:
    """Draw a scenario comparison: each outcome's probability per scenario, with its credible interval.

    One row per scenario, in the comparison's order (labelled with the
    state it starts from); in each row, one marker per outcome at its exact
    probability, with a whisker over its credible interval.

    Args:
        comparison: A :class:`~negotiation_model.ScenarioComparison`, from
            :func:`~negotiation_model.compare_scenarios`.
        ax: Axes to draw into; by default a new figure is made.

    Returns:
        The figure drawn into.

    Raises:
        MissingExtraError: When matplotlib is not installed.

    Examples:
        >>> import negotiation_model as nm
        >>> c = nm.compare_scenarios(["baseline", "red-line-aside"], draws=200)
        >>> fig = nm.plot_scenarios(c)
        >>> [t.get_text().split()[0] for t in fig.axes[0].get_yticklabels()]
        ['baseline', 'red-line-aside']
    """
    _require_matplotlib()
    results = comparison.results
    outcomes = comparison.outcomes
    n = len(results)
    fig, axes = _new_axes(ax, (7.5, 1.6 + 0.6 * n))
    # Rows from the top down, in the comparison's order; within a row, outcomes from the top down too.
    rows = [float(n - 1 - i) for i in range(n)]
    spread = 0.5 / max(len(outcomes), 1)
    for k, outcome in enumerate(outcomes):
        colour = _OUTCOME_COLOURS[k % len(_OUTCOME_COLOURS)]
        offset = ((len(outcomes) - 1) / 2 - k) * spread
        ys, xs, below, above = [], [], [], []
        for row, r in zip(rows, results, strict=True):
            if outcome not in r.probabilities:
                continue
            p = r.probabilities[outcome]
            low, high = r.intervals[outcome]
            ys.append(row + offset)
            xs.append(p)
            below.append(max(p - low, 0.0))
            above.append(max(high - p, 0.0))
        axes.errorbar(
            xs,
            ys,
            xerr=[below, above],
            fmt="o",
            color=colour,
            ecolor=colour,
            elinewidth=2,
            capsize=3,
            markersize=6,
            label=outcome,
        )
        for x, y in zip(xs, ys, strict=True):
            axes.annotate(
                f"{x:.2f}", (x, y), xytext=(0, 5), textcoords="offset points", ha="center", fontsize=7.5, color=colour
            )
    axes.set_yticks(rows, [f"{r.id}\n(from {r.start})" for r in results], fontsize=8.5)
    axes.set_ylim(-0.7, n - 0.3)
    axes.set_xlim(0.0, 1.0)
    axes.set_xlabel("probability the outcome is reached first")
    _frame(
        axes,
        "Outcome probabilities by scenario",
        f"exact absorbing-chain probabilities; whiskers: {comparison.level:.0%} credible intervals "
        f"({comparison.draws} posterior draws, seed {comparison.seed})",
    )
    axes.grid(True, axis="x", color="#dddddd", lw=0.6)
    _outcome_legend(axes)
    return fig


# -- files --------------------------------------------------------------------------


def save_figure(fig: Figure | Axes, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Write a figure to a PNG or SVG file, chosen by the suffix.

    Rendering uses matplotlib's Agg (PNG) or SVG backend directly, so it
    works without a display.

    Args:
        fig: The figure (or any axes of it).
        path: Where to write; the suffix picks the format (``.png``, ``.svg``).
        dpi: Resolution of a PNG.

    Returns:
        The path written.

    Raises:
        ValueError: When the suffix is neither ``.png`` nor ``.svg``.
        MissingExtraError: When matplotlib is not installed.
    """
    p = Path(path)
    fmt = figure_format(p)
    _require_matplotlib()
    from matplotlib.figure import Figure

    figure = fig if isinstance(fig, Figure) else _root_figure(fig)
    figure.savefig(p, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return p


def figure_format(path: str | os.PathLike[str]) -> str:
    """Return the image format a path's suffix asks for (``"png"`` or ``"svg"``).

    Raises:
        ValueError: For any other suffix.

    Examples:
        >>> figure_format("timeline.SVG")
        'svg'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        raise ValueError(
            f"{os.fspath(path)}: cannot tell the image format from the suffix {suffix or '(none)'!r} "
            f"(use {' or '.join(FIGURE_FORMATS)})"
        )
    return FIGURE_FORMATS[suffix]


def _metadata(fmt: str) -> dict[str, Any]:
    # Leave out the creation date, so the same figure gives the same file.
    return {"Software": "negotiation_model"} if fmt == "png" else {"Date": None, "Creator": "negotiation_model"}
