"""The ``negotiation-model`` command line (also ``python -m negotiation_model``).

Subcommands: ``list``, ``show``, ``replay``, ``counterfactual``,
``simulate``, ``sweep``, ``scenarios``, ``compare``, ``diagram``,
``validate`` and ``export``. Every
command that prints data takes ``--json`` for machines. On a terminal, output
is drawn with rich (colour, boxes, wrapped columns); when stdout is a pipe or
a file it is plain text, one line per row, with no escape codes.

Exit codes: 0 ok; 1 bad data (a malformed or missing file), a strict replay
that deviates, or a failed validation; 2 a usage error (unknown option, bad
option value). Errors are one message on stderr; ``--debug`` adds the
traceback.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
import numpy as np
from rich import box
from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .episode import Episode, Role
from .errors import DataError, DefinitionError, NegotiationModelError, ReplayError
from .events import Event, EventKind, FrozenMap
from .interop import FORMAT_SUFFIXES as INTEROP_SUFFIXES
from .interop import FORMATS as INTEROP_FORMATS
from .interop import export_episode
from .io import list_episodes, load_episode, save_episode
from .machine import PatternMachine
from .markov import MarkovModel, SimulationResult, SweepResult
from .patterns import door_slam_pattern
from .replay import Comparison, Trace, compare
from .scenarios import (
    DEFAULT_FIT_PREFIX,
    ScenarioComparison,
    compare_scenarios,
    default_fit_on,
    list_scenarios,
    load_scenario,
)

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "cli", "main", "run"]

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])

#: Plain (non-terminal) output is never wrapped: one line per table row, for grep and diff.
_PLAIN_WIDTH = 10_000
#: A table border in plain ASCII: a dashed rule under the header, nothing else.
_PLAIN_BOX = box.Box("    \n    \n -  \n    \n    \n -  \n    \n    \n", ascii=True)
_STATE_STYLE = {"door_slammed": "bold red", "summit": "bold green", "provoked": "dark_orange"}


@attrs.define
class _Settings:
    """Options of the whole command line, shared with :func:`main` through ``ctx.obj``."""

    debug: bool = False


class _Output:
    """Where command output goes: rich on a terminal, plain text otherwise."""

    def __init__(self) -> None:
        console = Console(highlight=False, markup=False, emoji=False)
        self.fancy = console.is_terminal
        if not self.fancy:
            console = Console(highlight=False, markup=False, emoji=False, width=_PLAIN_WIDTH, color_system=None)
        self.console = console
        self.arrow = " → " if self.fancy else " -> "

    def table(self, *columns: str) -> Table:
        """Return an empty table styled for this output."""
        return Table(
            *columns,
            box=box.SIMPLE_HEAD if self.fancy else _PLAIN_BOX,
            show_edge=False,
            pad_edge=False,
            header_style="bold",
        )

    def print(self, *renderables: RenderableType) -> None:
        """Print each renderable on its own lines to stdout (in plain mode without trailing spaces)."""
        # One call per renderable: rich would join adjacent texts on one line.
        if self.fancy:
            for r in renderables:
                self.console.print(r)
            return
        with self.console.capture() as captured:
            for r in renderables:
                self.console.print(r)
        click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))

    def state(self, name: str) -> Text:
        """Return a state name, styled by what it means."""
        return Text(name, style=_STATE_STYLE.get(name, "cyan"))


def _note(message: str) -> None:
    """Tell the user something on stderr (stdout stays clean for data)."""
    click.echo(message, err=True)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (for machines) instead of tables.")(f)


def _machine_option(f: F) -> F:
    return click.option(
        "--machine",
        "machine_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="A pattern machine file (YAML or JSON); default: the canonical door-slam pattern.",
    )(f)


def _plot_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is None:
        return None
    from .plot import _require_matplotlib, figure_format

    # Everything that would stop the plot is found out now, not after the command's output.
    try:
        figure_format(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    path = Path(value)
    if not path.parent.is_dir():
        raise click.BadParameter(f"{value}: no such directory {str(path.parent)!r}", ctx=ctx, param=param)
    _require_matplotlib()  # MissingExtraError (exit 1), naming the extra to install
    return path


def _plot_option(what: str) -> Callable[[F], F]:
    """The ``--plot FILE`` option of the commands that can also draw ``what``."""
    return click.option(
        "--plot",
        "plot_path",
        callback=_plot_path,
        metavar="FILE",
        help=f"Also draw {what} to FILE (.png or .svg; needs the plot extra).",
    )


def _load_machine(path: str | None) -> PatternMachine:
    if path is None:
        return door_slam_pattern()
    try:
        return PatternMachine.from_file(path)
    except DefinitionError as exc:
        # The machine's own checks do not know the file; name it.
        raise DefinitionError(f"{path}: {exc}", culprits=exc.culprits) from None


def _role_text(role: Role) -> str:
    return role.value.replace("_", " ")


# -- the group ------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(__version__, "-V", "--version", prog_name="negotiation-model")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Replay, edit and simulate negotiation episodes.

    An EPISODE argument is a bundled episode id (see `negotiation-model list`)
    or the path of an episode file (YAML or JSON). Data commands take --json.
    Exit codes: 0 ok, 1 bad data or a failed check, 2 a usage error.

    \b
    Examples:
      negotiation-model replay japan-dprk-2023-24
      negotiation-model counterfactual japan-dprk-2023-24 --drop-kind issue_raised --red-line-only --cascade
      negotiation-model simulate --start conditional -n 200000
      negotiation-model sweep conditional provoked --steps 5 --plot sweep.png
    """  # noqa: D301 - \b is click's "do not rewrap" marker
    if isinstance(ctx.obj, _Settings):
        ctx.obj.debug = debug
    else:
        ctx.obj = _Settings(debug=debug)


# -- list, show ---------------------------------------------------------------------------


@cli.command("list", short_help="List the bundled episodes.")
@_json_option
def list_command(as_json: bool) -> None:
    """List the bundled episodes: id, title, first and last dates, number of events."""
    rows = []
    for episode_id in list_episodes():
        ep = load_episode(episode_id)
        first, last = ep.date_range or ("", "")
        rows.append({"id": episode_id, "title": ep.title, "first": first, "last": last, "events": len(ep)})
    if as_json:
        _echo_json(rows)
        return
    out = _Output()
    table = out.table("id", "title", "first", "last", "events")
    table.columns[4].justify = "right"
    for r in rows:
        table.add_row(
            Text(str(r["id"]), style="bold"), str(r["title"]), str(r["first"]), str(r["last"]), str(r["events"])
        )
    out.print(table)


def _episode_header(out: _Output, ep: Episode, *, machine: PatternMachine | None = None) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    first, last = ep.date_range or ("", "")
    period = f", {first} to {last}" if first else ""
    grid.add_row("episode", f"{ep.id} ({len(ep)} events{period})")
    for role, actor_id in ((Role.INITIATOR, ep.roles.initiator), (Role.RESPONDENT, ep.roles.respondent)):
        actor = ep.actors.get(actor_id)
        grid.add_row(_role_text(role), f"{actor.name} [{actor_id}]" if actor else actor_id)
    grid.add_row("red line", Text(ep.red_line, style="bold red"))
    if machine is not None:
        grid.add_row("pattern", machine.name)
    out.print(Text(ep.title, style="bold"), grid)


@cli.command(short_help="Show an episode's timeline, event by event.")
@click.argument("episode")
@_json_option
def show(episode: str, as_json: bool) -> None:
    """Show EPISODE's timeline: date, event, actor, role, kind, red line, summary, sources."""
    ep = load_episode(episode)
    if as_json:
        _echo_json(_episode_json(ep))
        return
    out = _Output()
    _episode_header(out, ep)
    if ep.summary:
        out.print(Text(""), Text(ep.summary.strip()))
    if out.fancy:
        # A terminal is narrow: the id, summary and sources share one wrapped column.
        table = out.table("date", "actor (role)", "kind", "red line", "event")
        table.columns[4].ratio = 1
        table.show_lines = True  # a blank line between events
        for c in table.columns[:4]:
            c.no_wrap = True
    else:
        table = out.table("date", "event", "actor", "role", "kind", "red line", "summary", "sources")
    for e in ep.events:
        red = ep.touches_red_line(e)
        role = _role_text(ep.role_of(e.actor))
        kind = Text(e.kind.value, style="bold red" if red else "")
        flag = Text("yes", style="bold red") if red else ""
        if out.fancy:
            cell = Text.assemble(
                Text(e.id, style="bold"),
                "\n",
                e.summary.strip(),
                "\n",
                Text(f"sources: {', '.join(e.sources)}", style="dim"),
            )
            table.add_row(e.date_text, f"{e.actor} ({role})", kind, flag, cell)
        else:
            table.add_row(e.date_text, e.id, e.actor, role, kind, flag, e.summary.strip(), ", ".join(e.sources))
    out.print(Text(""), table)
    for note in ep.notes:
        out.print(Text(f"note: {note}", style="dim"))


def _episode_json(ep: Episode) -> dict[str, Any]:
    first, last = ep.date_range or (None, None)
    return {
        "id": ep.id,
        "title": ep.title,
        "summary": ep.summary,
        "roles": {"initiator": ep.roles.initiator, "respondent": ep.roles.respondent},
        "red_line": ep.red_line,
        "first": first,
        "last": last,
        "events": [
            {
                "id": e.id,
                "date": e.date_text,
                "date_precision": e.date_precision.value,
                "actor": e.actor,
                "role": ep.role_of(e.actor).value,
                "kind": e.kind.value,
                "red_line": ep.touches_red_line(e),
                "summary": e.summary,
                "sources": list(e.sources),
                "responds_to": list(e.responds_to),
            }
            for e in ep.events
        ],
        "notes": list(ep.notes),
    }


# -- replay -----------------------------------------------------------------------------


@cli.command(short_help="Replay an episode through the pattern, step by step.")
@click.argument("episode")
@click.option("--strict", is_flag=True, help="Fail (exit 1) at the first event the pattern cannot take.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "mermaid"]),
    default="table",
    show_default=True,
    help="table: the steps and a summary; json: the trace as data; mermaid: a state diagram with the path taken.",
)
@_plot_option("the timeline")
@_machine_option
@_json_option
def replay(
    episode: str, strict: bool, fmt: str, plot_path: Path | None, machine_path: str | None, as_json: bool
) -> None:
    """Replay EPISODE through the pattern (door-slam, or --machine), step by step.

    Shows every event with the move it made and the state after it, then
    the final state, the fitness (the share of events the pattern takes),
    the completed cycles (offer, precondition, red line raised, door
    slammed) and each deviation explained.
    """
    if as_json:
        if fmt not in ("table", "json"):
            raise click.UsageError(f"--json conflicts with --format {fmt}")
        fmt = "json"
    machine = _load_machine(machine_path)
    ep = load_episode(episode)
    try:
        trace = machine.replay(ep, strict=strict)
    except ReplayError as exc:
        if Path(episode).exists():  # name the file, not only the episode id
            raise ReplayError(
                f"{episode}: {exc}", event=exc.event, state=exc.state, index=exc.index, expected=exc.expected
            ) from None
        raise
    if fmt == "json":
        _echo_json(trace.to_dict())
    elif fmt == "mermaid":
        click.echo(trace.to_mermaid(), nl=False)
    else:
        _print_trace(_Output(), trace)
    if plot_path is not None:
        from .plot import plot_timeline, save_figure

        save_figure(plot_timeline(trace), plot_path)
        _note(f"timeline written to {plot_path}")


def _print_trace(out: _Output, trace: Trace) -> None:
    ep = trace.episode
    _episode_header(out, ep, machine=trace.machine)
    table = out.table("#", "date", "actor (role)", "kind", "red line", "move", "state after")
    table.columns[0].justify = "right"
    for s in trace.steps:
        e = s.event
        red = ep.touches_red_line(e)
        if s.transition is None:
            move = Text("DEVIATION", style="bold reverse red")
        elif s.source == s.target:
            move = Text(s.transition.label, style="dim")
        else:
            move = Text(s.transition.label, style="bold")
        # A change is marked with an arrow; the source is the row above's state.
        state = (
            Text(f"  {s.target}", style="dim")
            if s.source == s.target
            else Text.assemble(out.arrow.lstrip(), out.state(s.target))
        )
        table.add_row(
            str(s.index),
            e.date_text,
            f"{e.actor} ({_role_text(ep.role_of(e.actor))})",
            e.kind.value,
            Text("yes", style="bold red") if red else "",
            move,
            state,
        )
    out.print(Text(""), table)
    out.print(_trace_summary(out, trace))


def _trace_summary(out: _Output, trace: Trace) -> Table:
    ep = trace.episode
    n = len(ep.events)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    final = out.state(trace.final_state)
    if trace.final_state in trace.machine.outcomes:
        final.append(" (an outcome state)", style="")
    grid.add_row("final state", final)
    grid.add_row("path", out.arrow.join(trace.path))
    conforming = n - len(trace.deviations)
    if not trace.deviations:
        fit = f"{trace.fitness:.2f}: the pattern takes every one of the {n} events"
    else:
        fit = f"{trace.fitness:.2f}: the pattern takes {conforming} of the {n} events"
    grid.add_row("fitness", fit)
    stages = out.arrow.join(trace.machine.cycle) if trace.machine.cycle else "(the machine defines no cycle)"
    count = len(trace.cycles)
    grid.add_row("cycles", f"{count} completed cycle{'s' if count != 1 else ''} of {stages}")
    for k, c in enumerate(trace.cycles, 1):
        parts = [f"{label} {e.date_text} ({e.id})" for label, e in zip(c.labels, c.events, strict=True)]
        grid.add_row("", f"{k}. " + out.arrow.join(parts))
    if not trace.deviations:
        grid.add_row("deviations", "none")
    else:
        grid.add_row(
            "deviations",
            Text(
                f"{len(trace.deviations)}: events no transition takes (the state is kept; --strict stops at the first)"
            ),
        )
        for d in trace.deviations:
            grid.add_row("", Text(f"- {d.explanation}", style="red"))
    return _spaced(grid)


def _spaced(table: Table) -> Table:
    """Return a table preceded by a blank line (as one renderable)."""
    outer = Table.grid()
    outer.add_row("")
    outer.add_row(table)
    return outer


# -- counterfactual ----------------------------------------------------------------------

_ROLE_CHOICES = [r.value for r in Role]


@cli.command(short_help="Drop events, replay both versions, compare.")
@click.argument("episode")
@click.option(
    "--drop", "drops", multiple=True, metavar="EVENT_ID", help="Drop this event (repeat, or separate ids with commas)."
)
@click.option(
    "--drop-kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in EventKind]),
    metavar="KIND",
    help=f"Drop events of this kind ({', '.join(k.value for k in EventKind)}).",
)
@click.option(
    "--drop-role", "roles", multiple=True, type=click.Choice(_ROLE_CHOICES), help="Drop events by actors in this role."
)
@click.option(
    "--red-line-only", is_flag=True, help="Drop only events that touch the red line (with the filters above, or alone)."
)
@click.option("--cascade", is_flag=True, help="Also drop every event that answers a dropped one (through responds_to).")
@_machine_option
@_json_option
def counterfactual(
    episode: str,
    drops: tuple[str, ...],
    kinds: tuple[str, ...],
    roles: tuple[str, ...],
    red_line_only: bool,
    cascade: bool,
    machine_path: str | None,
    as_json: bool,
) -> None:
    """Drop events from EPISODE, replay both versions and show where they part.

    The filters combine; events named with --drop go as well. This drops the
    initiator's red-line statements and every answer to them:

    \b
      counterfactual japan-dprk-2023-24 --drop-kind issue_raised \\
        --drop-role initiator --red-line-only --cascade
    """  # noqa: D301 - \b is click's "do not rewrap" marker
    ids = [i.strip() for d in drops for i in d.split(",") if i.strip()]
    machine = _load_machine(machine_path)
    ep = load_episode(episode)
    unknown = [i for i in ids if i not in set(ep.event_ids)]
    if unknown:
        raise click.BadParameter(
            f"episode {ep.id!r} has no event {', '.join(map(repr, unknown))} (see `negotiation-model show {episode}`)",
            param_hint="'--drop'",
        )
    where = _event_filter(ep, kinds, roles, red_line_only)
    cf = ep.without(*ids, where=where, cascade=cascade)
    dropped = [e for e in ep.events if e.id not in set(cf.event_ids)]
    if not dropped:
        raise click.UsageError(
            "nothing to drop: give --drop EVENT_ID, or filters (--drop-kind, --drop-role, --red-line-only) "
            "that match an event"
        )
    direct = set(ids) | {e.id for e in ep.events if where is not None and where(e)}
    a, b = machine.replay(ep), machine.replay(cf)
    comparison = compare(a, b)
    if as_json:
        _echo_json(_comparison_json(comparison, dropped, direct))
        return
    _print_comparison(_Output(), comparison, dropped, direct)


def _event_filter(
    ep: Episode, kinds: Sequence[str], roles: Sequence[str], red_line_only: bool
) -> Callable[[Event], bool] | None:
    if not kinds and not roles and not red_line_only:
        return None
    kind_set = {EventKind(k) for k in kinds}
    role_set = {Role(r) for r in roles}

    def where(e: Event) -> bool:
        return (
            (not kind_set or e.kind in kind_set)
            and (not role_set or ep.role_of(e.actor) in role_set)
            and (not red_line_only or ep.touches_red_line(e))
        )

    return where


def _comparison_json(c: Comparison, dropped: Sequence[Event], direct: set[str]) -> dict[str, Any]:
    return {
        "episode": c.a.episode.id,
        "dropped": [{"event": e.id, "cascade": e.id not in direct} for e in dropped],
        "final_states": {"original": c.a.final_state, "counterfactual": c.b.final_state},
        "outcome_changed": c.outcome_changed,
        "first_divergence": list(c.first_divergence) if c.first_divergence else None,
        "only_in_original": list(c.only_in_a),
        "only_in_counterfactual": list(c.only_in_b),
        "rows": [{"event": eid, "original": sa, "counterfactual": sb} for eid, sa, sb in c.rows],
        "original": c.a.to_dict(),
        "counterfactual": c.b.to_dict(),
    }


def _print_comparison(out: _Output, c: Comparison, dropped: Sequence[Event], direct: set[str]) -> None:
    a, b = c.a, c.b
    ep = a.episode
    _episode_header(out, ep, machine=a.machine)
    cascaded = [e for e in dropped if e.id not in direct]
    head = f"dropped {len(dropped)} of {len(ep)} events"
    if cascaded:
        head += f" ({len(cascaded)} of them because they answer a dropped event)"
    out.print(Text(""), Text(head + ":", style="bold"))
    for e in dropped:
        tag = "  (answers a dropped event)" if e.id not in direct else ""
        out.print(Text(f"  - {e.date_text} {e.id} ({e.kind.value} by {e.actor}){tag}"))
    events = {e.id: e for e in ep.events}
    table = out.table("date", "event", "kind", "original", "counterfactual", "")
    table.columns[1].overflow = "fold"  # ids are what --drop takes: never cut them short
    for eid, sa, sb in c.rows:
        ev = events.get(eid)
        note = Text("dropped", style="dim") if sb is None else Text("differs", style="bold yellow") if sa != sb else ""
        table.add_row(
            ev.date_text if ev else "",
            Text(eid, style="dim" if sb is None else ""),
            ev.kind.value if ev else "",
            out.state(sa) if sa else "(absent)",
            out.state(sb) if sb else Text("-", style="dim"),
            note,
        )
    out.print(Text(""), Text("state after each event:", style="bold"), table)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    final = Text.assemble(out.state(a.final_state), out.arrow, out.state(b.final_state))
    final.append("  (the outcome changes)" if c.outcome_changed else "  (the same outcome)", style="bold")
    grid.add_row("final state", final)
    grid.add_row("path (original)", out.arrow.join(a.path))
    grid.add_row("path (counterfactual)", out.arrow.join(b.path))
    if c.first_divergence is not None:
        eid, sa, sb = c.first_divergence
        grid.add_row(
            "first divergence",
            f"at {eid}: {sa or '(dropped)'} in the original, {sb or '(dropped)'} in the counterfactual",
        )
    if c.only_in_a:
        grid.add_row("never reached", ", ".join(c.only_in_a) + " (visited only in the original)")
    if c.only_in_b:
        grid.add_row("newly reached", ", ".join(c.only_in_b) + " (visited only in the counterfactual)")
    grid.add_row("cycles", f"{len(a.cycles)} completed in the original, {len(b.cycles)} in the counterfactual")
    grid.add_row("fitness", f"{a.fitness:.2f} in the original, {b.fitness:.2f} in the counterfactual")
    for d in b.deviations:
        grid.add_row("deviation", Text(d.explanation, style="red"))
    out.print(_spaced(grid))


# -- simulate, sweep -------------------------------------------------------------------------

#: Chains simulated per call: a larger run goes in batches, with a progress bar on a terminal.
SIMULATION_BATCH = 1 << 20
#: Most chains one run may ask for (each keeps its outcome and length: 6 bytes).
MAX_CHAINS = 20_000_000


def _fit_option(f: F) -> F:
    return click.option(
        "--fit",
        "fit",
        multiple=True,
        metavar="EPISODE",
        help=f"Fit on this episode (an id or a file; repeat). Default: every bundled {DEFAULT_FIT_PREFIX}* episode.",
    )(f)


def _start_option(f: F) -> F:
    return click.option(
        "--start",
        default=None,
        metavar="STATE",
        help="The state chains start in (default: the machine's initial state).",
    )(f)


def _level_option(f: F) -> F:
    return click.option(
        "--level",
        type=click.FloatRange(0.5, 0.999),
        default=0.9,
        show_default=True,
        help="Probability content of the credible intervals.",
    )(f)


def _fit_model(machine: PatternMachine, fit: Sequence[str], prior: float) -> MarkovModel:
    ids = list(fit) or list(default_fit_on())
    if not ids:
        raise click.UsageError(f"no bundled {DEFAULT_FIT_PREFIX}* episodes to fit; give --fit EPISODE")
    return MarkovModel.fit(machine, [load_episode(i) for i in ids], prior=prior)


def _check_state(model: MarkovModel, state: str | None, option: str, *, transient: bool = False) -> str:
    """Return a state name the model knows, or raise a usage error that lists the choices."""
    name = model.initial if state is None else state
    _check_state_name(name, model.states, model.outcomes if transient else (), option)
    return name


def _check_state_name(name: str, states: Sequence[str], outcomes: Sequence[str], option: str) -> None:
    """Raise a usage error, listing the choices, unless ``name`` is one of ``states`` and none of ``outcomes``."""
    if name not in states:
        raise click.BadParameter(f"no state {name!r} (states: {', '.join(states)})", param_hint=option)
    if name in outcomes:
        choices = [s for s in states if s not in outcomes]
        raise click.BadParameter(
            f"{name!r} is an outcome state (absorbing); start from one of: {', '.join(choices)}", param_hint=option
        )


def _model_grid(model: MarkovModel) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    grid.add_row(
        "fitted on",
        f"{len(model.episodes)} episode{'s' if len(model.episodes) != 1 else ''}: {', '.join(model.episodes)}",
    )
    grid.add_row("pattern", f"{model.machine} (moves counted: state changes; prior {model.prior:g} per allowed move)")
    return grid


def _model_json(model: MarkovModel) -> dict[str, Any]:
    return {
        "machine": model.machine,
        "episodes": list(model.episodes),
        "prior": model.prior,
        "outcomes": list(model.outcomes),
    }


@cli.command(short_help="Fit a Markov model: exact and Monte Carlo outcome odds.")
@_fit_option
@_start_option
@click.option(
    "-n", "n", type=click.IntRange(1, MAX_CHAINS), default=100_000, show_default=True, help="Monte Carlo chains."
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Random seed (the same seed, the same numbers).",
)
@click.option(
    "--posterior",
    is_flag=True,
    help="Run each chain on a transition matrix drawn from the posterior (parameter uncertainty).",
)
@click.option(
    "--prior",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="Dirichlet pseudo-count per allowed move.",
)
@_level_option
@_machine_option
@_json_option
def simulate(
    fit: tuple[str, ...],
    start: str | None,
    n: int,
    seed: int,
    posterior: bool,
    prior: float,
    level: float,
    machine_path: str | None,
    as_json: bool,
) -> None:
    """Fit a Markov model to episodes and give the odds of each outcome.

    Prints the exact probability that each outcome (summit, door slammed) is
    reached first, with credible intervals from the posterior, then a Monte
    Carlo run with its counts and 95% confidence intervals, which should agree.

    A given (seed, n) always gives the same numbers. Below 2^21 chains the
    run is one call, the library's `model.simulate(n, start=..., seed=seed)`;
    larger runs go in batches of 2^20 chains (the last takes the remainder)
    drawn in turn from one random stream seeded with --seed, with a progress
    bar on a terminal.
    """
    machine = _load_machine(machine_path)
    model = _fit_model(machine, fit, prior)
    start = _check_state(model, start, "'--start'", transient=True)
    exact = model.outcome_intervals(start, level=level, seed=seed)
    result = _simulate_in_batches(model, n, start=start, seed=seed, posterior=posterior)
    if as_json:
        _echo_json(
            {"model": _model_json(model), "start": start, "exact": exact.to_dict(), "simulation": result.to_dict()}
        )
        return
    out = _Output()
    out.print(Text(f"Outcome odds from {start!r}", style="bold"), _model_grid(model))
    table = out.table(
        "outcome",
        "probability",
        f"{level:.0%} credible interval",
        "posterior mean",
    )
    for o, p in exact.probabilities.items():
        lo, hi = exact.intervals[o]
        table.add_row(out.state(o), f"{p:.3f}", f"{lo:.3f} - {hi:.3f}", f"{exact.posterior_means[o]:.3f}")
    lo, hi = exact.steps_interval
    table.add_row("expected steps", f"{exact.expected_steps:.2f}", f"{lo:.2f} - {hi:.2f}", "")
    heading = f"Exact: absorbing chain at the posterior-mean matrix; intervals from {exact.draws} posterior draws"
    out.print(Text(""), Text(heading, style="bold"), table)
    kind = "posterior draws of the matrix" if posterior else "the posterior-mean matrix"
    mc = out.table(
        "outcome",
        "chains",
        "share",
        "95% confidence interval",
    )
    ci = result.confidence_intervals(0.95)
    for o, c in result.counts.items():
        mc.add_row(out.state(o), f"{c:,}", f"{c / n:.4f}", f"{ci[o][0]:.4f} - {ci[o][1]:.4f}")
    if result.unfinished:
        mc.add_row("(unfinished)", f"{result.unfinished:,}", f"{result.unfinished / n:.4f}", "")
    out.print(Text(""), Text(f"Monte Carlo: {n:,} chains on {kind}, seed {seed}", style="bold"), mc)
    qs = result.step_quantiles((0.05, 0.5, 0.95))
    notes = [
        f"steps to an outcome: mean {result.mean_steps:.2f}, median {qs[0.5]:g}, 90% of chains within "
        f"{qs[0.05]:g} - {qs[0.95]:g}",
    ]
    reference = exact.posterior_means if posterior else exact.probabilities
    agree = all(ci[o][0] <= reference[o] <= ci[o][1] for o in result.counts)
    what = "posterior means" if posterior else "exact probabilities"
    notes.append(
        f"the {what} lie {'inside' if agree else 'OUTSIDE'} the Monte Carlo intervals"
        + ("" if agree else " (expect this about 1 time in 20 per outcome; try another --seed)")
    )
    out.print(Text(""), *(Text(note) for note in notes))


def _simulate_in_batches(model: MarkovModel, n: int, *, start: str, seed: int, posterior: bool) -> SimulationResult:
    """Run ``model.simulate`` in batches (one random stream), with a progress bar when it takes a while."""
    sizes = [SIMULATION_BATCH] * (n // SIMULATION_BATCH - 1)
    sizes.append(n - sum(sizes))  # the last batch takes the rest: between one and two batches' worth
    rng = np.random.default_rng(seed)
    if len(sizes) == 1:
        return attrs.evolve(model.simulate(n, start=start, seed=rng, posterior=posterior), seed=seed)
    err = Console(stderr=True)
    parts: list[SimulationResult] = []
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("chains", total=n)
        for size in sizes:
            parts.append(model.simulate(size, start=start, seed=rng, posterior=posterior))
            progress.advance(task, size)
    return _merge_simulations(parts, seed)


def _merge_simulations(parts: Sequence[SimulationResult], seed: int) -> SimulationResult:
    """Return one result for several batches run from the same start.

    With posterior draws, each batch drew its own matrices; the merged result
    lists every batch's draws, so its standard errors are the between-draw
    (cluster) ones over all of them.
    """
    first = parts[0]
    counts = {o: sum(p.counts[o] for p in parts) for o in first.counts}
    draw_counts = None
    if first.draw_counts is not None:
        draw_counts = np.vstack([p.draw_counts for p in parts if p.draw_counts is not None])
    return SimulationResult(
        start=first.start,
        n=sum(p.n for p in parts),
        counts=FrozenMap(counts),
        unfinished=sum(p.unfinished for p in parts),
        max_steps=first.max_steps,
        seed=seed,
        posterior_draws=sum(p.posterior_draws for p in parts),
        final=np.concatenate([p.final for p in parts]),
        steps=np.concatenate([p.steps for p in parts]),
        draw_counts=draw_counts,
    )


def _parse_values(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    out = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            v = float(item)
        except ValueError:
            raise click.BadParameter(
                f"{item!r} is not a number (expected e.g. 0,0.25,0.5)", ctx=ctx, param=param
            ) from None
        if not 0.0 <= v <= 1.0:
            raise click.BadParameter(f"{item} is not a probability (expected values from 0 to 1)", ctx=ctx, param=param)
        out.append(v)
    if not out:
        raise click.BadParameter("no values given (expected e.g. 0,0.25,0.5)", ctx=ctx, param=param)
    return tuple(out)


@cli.command(short_help="Turn one move's probability and watch the outcome odds.")
@click.argument("source")
@click.argument("target")
@click.option(
    "--values",
    callback=_parse_values,
    metavar="P,P,...",
    help="Probabilities to try, comma-separated (e.g. 0,0.25,0.5,0.75,1).",
)
@click.option(
    "--steps",
    type=click.IntRange(2, 1001),
    default=None,
    help="Or: this many evenly spaced values from 0 to 1 (default 11).",
)
@_fit_option
@_start_option
@click.option(
    "--intervals/--no-intervals", default=True, show_default=True, help="Credible bands from posterior draws."
)
@_level_option
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, help="Seed of the posterior draws.")
@click.option(
    "--prior",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="Dirichlet pseudo-count per allowed move.",
)
@_plot_option("the curves")
@_machine_option
@_json_option
def sweep(
    source: str,
    target: str,
    values: tuple[float, ...] | None,
    steps: int | None,
    fit: tuple[str, ...],
    start: str | None,
    intervals: bool,
    level: float,
    seed: int,
    prior: float,
    plot_path: Path | None,
    machine_path: str | None,
    as_json: bool,
) -> None:
    """Turn one move's probability, P(SOURCE -> TARGET), and watch the outcome odds.

    For example `sweep conditional provoked --steps 5`: how the odds of a
    summit move with how often the initiator raises the red line once a
    precondition is on the table. The other moves from SOURCE keep their
    proportions and share the rest.
    """
    if values is not None and steps is not None:
        raise click.UsageError("give --values or --steps, not both")
    if values is None:
        count = steps or 11
        values = tuple(round(i / (count - 1), 10) for i in range(count))
    machine = _load_machine(machine_path)
    model = _fit_model(machine, fit, prior)
    _check_state(model, source, "SOURCE")
    _check_state(model, target, "TARGET")
    if not model.allowed[model.index(source), model.index(target)]:
        moves = [t for t in model.states if model.allowed[model.index(source), model.index(t)]]
        raise click.BadParameter(
            f"the pattern has no move {source} -> {target} (moves from {source}: {', '.join(moves) or 'none'})",
            param_hint="TARGET",
        )
    start = _check_state(model, start, "'--start'", transient=True)
    result = model.sweep(source, target, values, start=start, intervals=intervals, level=level, seed=seed)
    fitted = model.probability(source, target)
    if as_json:
        _echo_json({"model": _model_json(model), "fitted": fitted, **result.to_dict()})
    else:
        _print_sweep(_Output(), model, result, fitted)
    if plot_path is not None:
        from .plot import plot_sweep, save_figure

        save_figure(plot_sweep(result, baseline=fitted), plot_path)
        _note(f"sweep plot written to {plot_path}")


def _print_sweep(out: _Output, model: MarkovModel, result: SweepResult, fitted: float) -> None:
    move = f"P({result.source}{out.arrow}{result.target})"
    out.print(Text(f"Outcome odds from {result.start!r} as {move} varies", style="bold"), _model_grid(model))
    head, rows = result._cells(out.arrow)
    table = out.table(*head)
    intervals = {i for i, h in enumerate(head) if h.endswith("interval")}  # shown dim
    for row in rows:
        table.add_row(*(Text(cell, style="dim") if i in intervals else cell for i, cell in enumerate(row)))
    out.print(Text(""), table)
    base = model.outcome_probabilities(result.start)
    odds = ", ".join(f"P({o}) {p:.3f}" for o, p in base.items())
    out.print(Text(""), Text(f"fitted {move} = {fitted:.3f}; at the fitted value: {odds}"))


# -- scenarios, compare ----------------------------------------------------------------------


@cli.command("scenarios", short_help="List the bundled what-if scenarios.")
@_json_option
def scenarios_command(as_json: bool) -> None:
    """List the bundled scenarios: id, title, start state, and the changes each makes, in brief."""
    rows: list[dict[str, Any]] = []
    for scenario_id in list_scenarios():
        s = load_scenario(scenario_id)
        rows.append({"id": s.id, "title": s.title, "start": s.start, "changes": [c.describe() for c in s.changes]})
    if as_json:
        _echo_json(rows)
        return
    out = _Output()
    table = out.table("id", "title", "start", "changes")
    for r in rows:
        changes = "; ".join(r["changes"])
        table.add_row(
            Text(r["id"], style="bold"),
            r["title"],
            out.state(r["start"]),
            changes or Text("none (the fitted model)", style="dim"),
        )
    out.print(table)


@cli.command("compare", short_help="Compare scenarios: outcome odds with credible intervals.")
@click.argument("scenario_args", nargs=-1, required=True, metavar="SCENARIO...")
@click.option(
    "--reference",
    default=None,
    metavar="ID",
    help="Measure the others against this scenario (one of those given), over paired posterior draws.",
)
@click.option(
    "--start",
    default=None,
    metavar="STATE",
    help="Start every scenario from this state (default: each scenario's own start).",
)
@_level_option
@click.option(
    "--draws", type=click.IntRange(2, 1_000_000), default=2000, show_default=True, help="Posterior draws per scenario."
)
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, help="Seed of the posterior draws.")
@_plot_option("the outcome probabilities with their intervals")
@_json_option
def compare_command(
    scenario_args: tuple[str, ...],
    reference: str | None,
    start: str | None,
    level: float,
    draws: int,
    seed: int,
    plot_path: Path | None,
    as_json: bool,
) -> None:
    """Compare SCENARIO... side by side: bundled ids (see `negotiation-model scenarios`) or scenario files.

    For each scenario: the exact probability that each outcome (summit,
    door slammed) is reached first from its start state, the expected number
    of state changes until then, and credible intervals from the fitted
    model's posterior. With --reference, also the difference from that
    scenario, from the same start, over paired posterior draws.
    """
    machine = door_slam_pattern()
    if start is not None:
        _check_state_name(start, machine.state_names, machine.outcomes, "'--start'")
    loaded = [load_scenario(arg) for arg in scenario_args]
    ids = [s.id for s in loaded]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise click.BadParameter(f"scenario ids repeat: {', '.join(repeated)}", param_hint="SCENARIO...")
    if reference is not None and reference not in ids:
        raise click.BadParameter(
            f"{reference!r} is not one of the scenarios compared ({', '.join(ids)})", param_hint="'--reference'"
        )
    comparison = compare_scenarios(loaded, reference=reference, start=start, level=level, draws=draws, seed=seed)
    if as_json:
        _echo_json(comparison.to_dict())
    else:
        _print_scenario_comparison(_Output(), comparison)
    if plot_path is not None:
        from .plot import plot_scenarios, save_figure

        save_figure(plot_scenarios(comparison), plot_path)
        _note(f"scenario plot written to {plot_path}")


def _print_scenario_comparison(out: _Output, comparison: ScenarioComparison) -> None:
    outcomes = comparison.outcomes
    interval = f"{comparison.level:.0%} interval"
    head = ["scenario", "start"]
    for o in outcomes:
        head += [f"P({o})", interval]
    head += ["expected steps", interval]
    ref = comparison.reference
    if ref is not None:
        head += [f"P({outcomes[0]}) vs {ref}", interval, "higher in"]
    table = out.table(*head)
    for r in comparison.results:
        row: list[RenderableType] = [Text(r.id, style="bold"), out.state(r.start)]
        for o in outcomes:
            if o in r.probabilities:
                lo, hi = r.intervals[o]
                row += [f"{r.probabilities[o]:.3f}", Text(f"{lo:.3f} - {hi:.3f}", style="dim")]
            else:
                row += ["-", ""]
        lo, hi = r.steps_interval
        row += [f"{r.expected_steps:.2f}", Text(f"{lo:.2f} - {hi:.2f}", style="dim")]
        if ref is not None:
            if r.id == ref:
                row += [Text("(reference)", style="dim"), "", ""]
            elif outcomes[0] in r.probabilities:
                lo, hi = r.difference_interval(outcomes[0])
                row += [
                    f"{r.difference(outcomes[0]):+.3f}",
                    Text(f"{lo:+.3f} - {hi:+.3f}", style="dim"),
                    f"{r.share_higher(outcomes[0]):.0%} of draws",
                ]
            else:
                row += ["-", "", ""]
        table.add_row(*row)
    out.print(table)
    notes = [
        "Exact probabilities that each outcome is reached first, at the posterior-mean transition matrix; "
        f"intervals from {comparison.draws} posterior draws (seed {comparison.seed}). Steps are state changes.",
    ]
    if ref is not None:
        notes.append(f"Differences are against {ref!r} from the same start, over paired posterior draws.")
    out.print(Text(""), *(Text(n, style="dim") for n in notes))


# -- export ------------------------------------------------------------------------------

#: Export formats: interop's event formats, then the episode file formats.
EXPORT_FORMATS = (*INTEROP_FORMATS, "yaml", "json")
_EPISODE_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


@cli.command(short_help="Write an episode as CSV, JSONL, PLOVER, pm4py, YAML or JSON.")
@click.argument("episode")
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None, help="Default: from the output file's name."
)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="PATH",
    help="Where to write ('-': stdout). Names tell the format: .csv, .jsonl, .plover.jsonl, .pm4py.csv, .yaml, .json.",
)
def export(episode: str, fmt: str | None, output: str) -> None:
    """Write EPISODE as CSV, JSONL, PLOVER records, a pm4py event log, YAML or JSON."""
    to_stdout = output == "-"
    fmt = fmt or _export_format(output)
    if fmt in ("yaml", "json") and not to_stdout and _EPISODE_SUFFIXES.get(Path(output).suffix.lower()) != fmt:
        names = " or ".join(s for s, f in _EPISODE_SUFFIXES.items() if f == fmt)
        raise click.BadParameter(f"{output}: a {fmt} episode file must be named {names}", param_hint="'-o'")
    ep = load_episode(episode)
    if to_stdout:
        import tempfile

        # The writers take paths; go through a scratch file so stdout gets exactly the file's bytes.
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / f"episode{'.' + fmt if fmt in ('yaml', 'json') else ''}"
            _write_export(ep, path, fmt)
            click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    written = _write_export(ep, Path(output), fmt)
    _note(f"wrote {len(ep)} events of {ep.id} to {written} ({fmt})")


def _export_format(output: str) -> str:
    if output == "-":
        raise click.UsageError("writing to stdout (-o -): give --format")
    name = output.lower()
    # interop's endings first: they are the longer ones (.plover.json before .json).
    for ending, f in INTEROP_SUFFIXES:
        if name.endswith(ending):
            return f
    suffix = Path(output).suffix.lower()
    if suffix in _EPISODE_SUFFIXES:
        return _EPISODE_SUFFIXES[suffix]
    endings = ", ".join([*(e for e, _ in INTEROP_SUFFIXES), *_EPISODE_SUFFIXES])
    raise click.BadParameter(
        f"{output}: cannot tell the format from the name (use {endings}, or --format)", param_hint="'-o'"
    )


def _write_export(ep: Episode, path: Path, fmt: str) -> Path:
    if fmt in ("yaml", "json"):
        return save_episode(ep, path)
    return export_episode(ep, path, format=fmt)


# -- diagram, validate -------------------------------------------------------------------


@cli.command(short_help="Print the pattern machine as Mermaid or DOT.")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@click.option("--self-loops", is_flag=True, help="Also draw the transitions that keep the state.")
@_machine_option
@_json_option
def diagram(fmt: str, self_loops: bool, machine_path: str | None, as_json: bool) -> None:
    """Print the pattern machine as a Mermaid or Graphviz DOT diagram (or, with --json, as data)."""
    machine = _load_machine(machine_path)
    if as_json:
        _echo_json(machine.to_dict())
    elif fmt == "dot":
        click.echo(machine.to_dot(self_loops=self_loops), nl=False)
    else:
        click.echo(machine.to_mermaid(self_loops=self_loops), nl=False)


@cli.command(short_help="Check episode files.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_json_option
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...], as_json: bool) -> None:
    """Check episode files; print OK and the event count, or every problem. Exit 1 if any is bad."""
    results = [_validate_one(f) for f in files]
    if as_json:
        _echo_json(results)
    else:
        out = _Output()
        for r in results:
            if r["ok"]:
                out.print(Text.assemble(Text("OK   ", style="bold green"), f"{r['file']} ({r['events']} events)"))
            else:
                problems = r["problems"]
                label = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
                out.print(Text.assemble(Text("BAD  ", style="bold red"), f"{r['file']}: {label}"))
                for p in problems:
                    out.print(Text(f"     - {p}"))
        bad = sum(1 for r in results if not r["ok"])
        if len(results) > 1:
            out.print(Text(f"{len(results) - bad} of {len(results)} files valid", style="bold"))
    if any(not r["ok"] for r in results):
        ctx.exit(EXIT_DATA)


def _validate_one(file: str) -> dict[str, Any]:
    try:
        ep = load_episode(file)
    except DataError as exc:
        return {"file": file, "ok": False, "events": None, "problems": list(exc.problems)}
    except OSError as exc:  # FileNotFoundError, permission denied, a directory
        return {"file": file, "ok": False, "events": None, "problems": [_os_error_text(exc)]}
    return {"file": file, "ok": True, "events": len(ep), "problems": []}


def _os_error_text(exc: OSError) -> str:
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


# -- entry points -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (0 ok, 1 bad data or strict deviation, 2 usage).

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).

    Examples:
        >>> main(["diagram", "--format", "dot"])  # doctest: +ELLIPSIS
        digraph "door-slam" {
        ...
        0
    """
    settings = _Settings()
    try:
        rv = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="negotiation-model",
            standalone_mode=False,
            obj=settings,
        )
    except click.ClickException as exc:  # usage errors (2) and click's own file errors (1)
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        _note("aborted")
        return EXIT_DATA
    except BrokenPipeError:
        _quiet_stdout()  # the reader went away (`| head`): not an error worth a message
        return EXIT_DATA
    except (NegotiationModelError, OSError) as exc:
        _report(exc, settings.debug)
        return EXIT_DATA
    except Exception as exc:  # a bug: say so briefly, the traceback is one flag away
        if settings.debug:
            raise
        _note(f"error: internal error ({type(exc).__name__}: {exc}); run with --debug for the traceback")
        return EXIT_DATA
    return rv if isinstance(rv, int) else EXIT_OK


def _report(exc: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    message = _os_error_text(exc) if isinstance(exc, OSError) else str(exc)
    click.secho("error: ", fg="red", bold=True, err=True, nl=False)
    click.echo(message, err=True)


def _quiet_stdout() -> None:
    # Point stdout at devnull so the interpreter's final flush does not complain.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    """Run the installed ``negotiation-model`` script (exits with :func:`main`'s code)."""
    sys.exit(main())
