"""MkDocs hook: write the dataset pages, the pattern page and the CLI help from the library itself.

Nothing on these pages is copied by hand, so they cannot drift from the data:

- ``datasets/index.md``: every bundled episode, with its replay's outcome;
- ``datasets/<episode-id>.md``: one page per :func:`negotiation_model.list_episodes` id;
- ``datasets/door-slam-pattern.md``: the canonical machine, every transition;
- ``datasets/scenarios.md``: the bundled scenarios, compared;
- figures: each episode's timeline, the sweep of the how-to, the scenarios compared;
- the ``<!-- cli-help -->`` marker on any page: the ``--help`` of every command;
- the ``<!-- codebook: default-codes -->`` and ``<!-- codebook: cameo-map -->``
  markers: the event-data codebook's tables, computed with the public functions.

``on_config`` adds the episode pages to the "Datasets" section of the nav;
``on_files`` adds the generated pages and figures; ``on_page_markdown`` fills the markers;
``on_page_content`` turns the Sphinx roles some docstrings use
(``:class:`~negotiation_model.Episode```) into links, which mkdocstrings
would otherwise print as they are.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

try:
    import negotiation_model as nm
except ImportError:  # building from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    import negotiation_model as nm

log = logging.getLogger("mkdocs.hooks.datasets")

#: Title of the nav section the episode pages are appended to.
NAV_SECTION = "Datasets"
#: Where the generated pages live in the site.
PREFIX = "datasets"
#: How many of the machine's elementary cycles the pattern page lists (there are dozens).
SHOWN_CYCLES = 10
#: Replaced by the help of every command of the ``negotiation-model`` CLI.
CLI_MARKER = "<!-- cli-help -->"


# -- hooks --------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Append one nav entry per bundled episode to the Datasets section."""
    for item in config.nav or []:
        if isinstance(item, dict) and NAV_SECTION in item:
            section = item[NAV_SECTION]
            present = {_nav_target(entry) for entry in section}
            for episode_id in nm.list_episodes():
                uri = f"{PREFIX}/{episode_id}.md"
                if uri not in present:  # `mkdocs serve` may hand us the same config twice
                    section.append({episode_id: uri})
            return config
    log.warning("no %r section in the nav: the episode pages are not linked from it", NAV_SECTION)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages to the site."""
    generated: dict[str, str | bytes] = {**generated_pages(), **generated_figures()}
    for uri, content in generated.items():
        existing = files.get_file_from_path(uri)
        if existing is not None:
            log.warning("%s is generated; the file of that name in docs/ is ignored", uri)
            files.remove(existing)
        files.append(File.generated(config, uri, content=content))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Fill the markers: the help of every command, the codebook's tables."""
    for marker, render in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown


#: A Sphinx cross-reference role as mkdocstrings renders it: ``:class:<code>~x.Y</code>``.
_ROLE_RE = re.compile(r":(?:class|func|meth|attr|exc|mod|data|obj):<code>~?([\w.]+)</code>")


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Turn Sphinx roles left in rendered docstrings into links (or plain code)."""
    return _ROLE_RE.sub(_role_to_link, html)


def _role_to_link(match: re.Match[str]) -> str:
    target = match.group(1).removeprefix("negotiation_model.")
    if target.split(".")[0] in nm.__all__:
        # An optional autoref: linked when documented, plain code otherwise, never a warning.
        return f'<autoref identifier="negotiation_model.{target}" optional><code>{target}</code></autoref>'
    return f"<code>{target}</code>"


def _nav_target(entry: Any) -> Any:
    if isinstance(entry, dict):
        return next(iter(entry.values()), None)
    return entry


# -- the pages ------------------------------------------------------------------------


def generated_pages() -> dict[str, str]:
    """Return every generated page, by its path in the site's docs."""
    machine = nm.door_slam_pattern()
    episodes = [nm.load_episode(i) for i in nm.list_episodes()]
    traces = [machine.replay(ep) for ep in episodes]
    pages = {
        f"{PREFIX}/index.md": index_page(machine, traces),
        f"{PREFIX}/door-slam-pattern.md": pattern_page(machine),
    }
    for trace in traces:
        pages[f"{PREFIX}/{trace.episode.id}.md"] = episode_page(trace)
    if hasattr(nm, "list_scenarios"):
        pages[f"{PREFIX}/scenarios.md"] = scenarios_page()
    return pages


def generated_figures() -> dict[str, bytes]:
    """Return the figures drawn at build time, by their path in the site's docs."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        log.warning('the figures need matplotlib: pip install -e ".[plot,docs]"; building without them')
        return {}
    figures = {"how-to/sweep-conditional-provoked.png": sweep_figure()}
    machine = nm.door_slam_pattern()
    for episode_id in nm.list_episodes():
        trace = machine.replay(nm.load_episode(episode_id))
        figures[f"{PREFIX}/{episode_id}-timeline.png"] = _png(nm.plot_timeline(trace))
    if hasattr(nm, "plot_scenarios"):
        figures[f"{PREFIX}/scenarios.png"] = _png(nm.plot_scenarios(_scenario_comparison()))
    return figures


def _png(fig: Any) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return nm.save_figure(fig, Path(tmp) / "figure.png", dpi=110).read_bytes()


def _scenario_comparison() -> Any:
    """Return every bundled scenario compared (against ``baseline`` when there is one), seeded."""
    ids = nm.list_scenarios()
    reference = "baseline" if "baseline" in ids else None
    return nm.compare_scenarios(ids, reference=reference, seed=0)


def sweep_figure() -> bytes:
    """Return the sweep figure of the how-to page, drawn by the code that page shows."""
    machine = nm.door_slam_pattern()
    ids = ["japan-dprk-2002", "japan-dprk-2004", "japan-dprk-2008-16", "japan-dprk-2018-19", "japan-dprk-2023-24"]
    model = nm.MarkovModel.fit(machine, [nm.load_episode(i) for i in ids])
    fitted = model.probability("conditional", "provoked")
    sweep = model.sweep(
        "conditional", "provoked", [i / 10 for i in range(11)], start="conditional", intervals=True, seed=0
    )
    return _png(nm.plot_sweep(sweep, baseline=fitted))


def scenarios_page() -> str:
    """Return the bundled scenarios: each one's changes and rationale, then all of them compared."""
    ids = nm.list_scenarios()
    reference = "baseline" if "baseline" in ids else None
    comparison = _scenario_comparison()
    lines = [
        "# Scenarios",
        "",
        "The named what-ifs bundled with the library: each is a Markov model fitted on episodes, "
        'then changed. Load one with `nm.load_scenario("<id>")`; compare them with '
        "`nm.compare_scenarios(...)` (see [Compare scenarios](../how-to/scenarios.md)). "
        "This page is generated from the scenario files in `src/negotiation_model/data/scenarios/` "
        "when the site is built.",
        "",
        "## Compared",
        "",
        "`nm.compare_scenarios(nm.list_scenarios()"
        + (f', reference="{reference}"' if reference else "")
        + ", seed=0).to_table()`:",
        "",
        fence("text", comparison.to_table()),
        "",
    ]
    if hasattr(nm, "plot_scenarios"):
        lines += [
            "![Each scenario's probability of a summit and of a door slammed, with credible intervals](scenarios.png)",
            "",
            "*Drawn with `nm.plot_scenarios(comparison)` when the site is built.*",
            "",
        ]
    for sid in ids:
        sc = nm.load_scenario(sid)
        lines += [f"## `{sc.id}`", "", f"**{cell(sc.title)}**", ""]
        lines += [
            table(
                ("", ""),
                [
                    ("**Changes**", cell(sc.describe_changes())),
                    ("**Start**", f"`{sc.start}`"),
                    (
                        "**Fitted on**",
                        ", ".join(f"[`{e}`]({e}.md)" if e in nm.list_episodes() else f"`{e}`" for e in sc.fit_on),
                    ),
                    ("**Prior**", "the model's default" if sc.prior is None else f"{sc.prior:g}"),
                ],
            ),
            "",
            cell(sc.rationale),
            "",
        ]
        if sc.source is not None:
            src = sc.source.source
            title = cell(src.title or src.id)
            cited = f"[{title}]({src.url})" if src.url else title
            quote = f': *"{cell(sc.source.quote)}"*' if sc.source.quote else ""
            where = f" ({cell(sc.source.locator)})" if sc.source.locator else ""
            lines += [f"Source: {cited}{where}{quote}", ""]
    return "\n".join(lines)


def index_page(machine: nm.PatternMachine, traces: list[nm.Trace]) -> str:
    """Return the list of bundled episodes, each with the outcome of its replay."""
    rows = []
    for t in traces:
        ep = t.episode
        span = ep.date_range
        rows.append(
            (
                f"[`{ep.id}`]({ep.id}.md)",
                cell(ep.title),
                f"{span[0]} to {span[1]}" if span else "",
                str(len(ep)),
                f"{ep.roles.initiator} / {ep.roles.respondent}",
                f"`{ep.red_line}`",
                f"`{t.final_state}`",
                f"{t.fitness:.2f}",
                str(len(t.cycles)),
            )
        )
    lines = [
        "# Datasets",
        "",
        "The episodes bundled with the library, each replayed on the canonical "
        f"[door-slam pattern](door-slam-pattern.md) (`{machine.name}`). Load one with "
        '`nm.load_episode("<id>")`; `nm.list_episodes()` lists the ids.',
        "",
        "These pages are generated when the site is built, from the data files in "
        "`src/negotiation_model/data/`: every table below is the data, not a copy of it. "
        "How the events were chosen and checked is told in "
        "[Dataset provenance](../explanation/provenance.md).",
        "",
        table(
            (
                "episode",
                "title",
                "dates",
                "events",
                "initiator / respondent",
                "red line",
                "final state",
                "fitness",
                "cycles",
            ),
            rows,
        ),
        "",
        "*Fitness* is the share of events the pattern can take; *cycles* counts completed "
        "offer, precondition, red line raised, door slammed sequences "
        "(see [Modelling choices](../explanation/modelling.md)).",
        "",
    ]
    if hasattr(nm, "list_scenarios"):
        lines += [
            "The named what-ifs fitted on these episodes are on the [Scenarios](scenarios.md) page.",
            "",
        ]
    return "\n".join(lines)


def pattern_page(machine: nm.PatternMachine) -> str:
    """Return the page of a pattern machine: states, diagram, every transition, graph facts."""
    lines = [
        "# The door-slam pattern",
        "",
        f"`nm.door_slam_pattern()` returns this machine (name `{machine.name}`), read from "
        "`src/negotiation_model/data/patterns/door-slam.yaml`. This page is generated from it "
        "when the site is built.",
        "",
        cell(machine.description),
        "",
        "## Diagram",
        "",
        "State changes only; the moves that keep the state are listed in the table below. Outcome states are in bold.",
        "",
        fence("mermaid", machine.to_mermaid()),
        "",
        "## States",
        "",
        table(
            ("state", "initial", "outcome", "what it means"),
            [
                (
                    f"`{s.name}`",
                    "yes" if s.name == machine.initial else "",
                    "yes" if s.outcome else "",
                    cell(s.description),
                )
                for s in machine.states
            ],
        ),
        "",
        "## Transitions",
        "",
        "Every transition, grouped where only the state it leaves differs. A guard names the "
        "event kinds it takes, the role of the side that acts, and whether the event must touch "
        "the episode's red line; roles and the red line are resolved per episode.",
        "",
        table(
            ("label", "from", "to", "guard", "historical move"),
            [
                (f"`{label}`", ", ".join(f"`{s}`" for s in sources), to, cell(guard), cell(description))
                for label, sources, to, guard, description in transition_rows(machine)
            ],
        ),
        "",
        "## Cycles",
        "",
        "A *completed cycle* is the transitions "
        + " → ".join(f"`{c}`" for c in machine.cycle)
        + " taken in this order, as state changes, with other moves allowed in between. "
        "`Trace.cycles` lists them.",
        "",
    ]
    cycles = nm.pattern_cycles(machine)
    shortest = cycles[:SHOWN_CYCLES]
    lines += [
        f"The machine has {len(cycles)} elementary cycles of states (`nm.pattern_cycles`, self-loops left out); "
        f"the {len(shortest)} shortest:",
        "",
    ]
    lines += [f"- {' → '.join(f'`{s}`' for s in c)} → `{c[0]}`" for c in shortest]
    lines += ["", "Shortest way from the initial state to each outcome (`nm.shortest_path_to_outcome`):", ""]
    for outcome in machine.outcomes:
        path = nm.shortest_path_to_outcome(machine, machine.initial, [outcome])
        lines.append(f"- `{outcome}`: " + (" → ".join(f"`{s}`" for s in path) if path else "unreachable"))
    lines.append("")
    return "\n".join(lines)


def transition_rows(machine: nm.PatternMachine) -> list[tuple[str, list[str], str, str, str]]:
    """Return the transitions grouped by everything but their source, in definition order."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for t in machine.transitions:
        to = "(stays)" if t.is_self_loop else f"`{t.target}`"
        groups.setdefault((t.label, to, t.guard.describe(), t.description), []).append(t.source)
    return [(label, sources, to, guard, desc) for (label, to, guard, desc), sources in groups.items()]


def episode_page(trace: nm.Trace) -> str:
    """Return one episode's page: its data, then its replay on the pattern."""
    ep = trace.episode
    index = {e.id: i for i, e in enumerate(ep.events)}
    span = ep.date_range
    lines = [
        f"# {cell(ep.title)}",
        "",
        f'Episode `{ep.id}`: load it with `nm.load_episode("{ep.id}")`. '
        "This page is generated from the bundled data file when the site is built.",
        "",
        cell(ep.summary),
        "",
        table(
            ("", ""),
            [
                ("**Initiator**", actor_name(ep, ep.roles.initiator)),
                ("**Respondent**", actor_name(ep, ep.roles.respondent)),
                ("**Red line**", f"`{ep.red_line}`"),
                ("**Events**", f"{len(ep)}" + (f", from {span[0]} to {span[1]}" if span else "")),
                ("**Sources**", str(len(ep.sources))),
            ],
        ),
        "",
    ]
    if ep.notes:
        lines += ["## Notes and disputes", ""]
        lines += [f"- {cell(n)}" for n in ep.notes]
        lines.append("")
    lines += [
        "## Actors",
        "",
        table(
            ("id", "name", "kind", "speaks for", "role"),
            [
                (
                    f"`{a.id}`",
                    cell(a.name),
                    a.kind.value,
                    f"`{a.represents}`" if a.represents else "",
                    ep.role_of(a.id).value.replace("_", " "),
                )
                for a in ep.actors.values()
            ],
        ),
        "",
        "## Timeline",
        "",
        "In the episode's order (by date; a month- or year-precision date sorts at its first day). "
        "*Answers* gives the numbers of the events this one responds to.",
        "",
        table(
            ("#", "date", "actor", "kind", "summary", "answers", "sources"),
            [
                (
                    str(i),
                    e.date_text,
                    f"`{e.actor}`" + (f" → `{e.target}`" if e.target else ""),
                    e.kind.value,
                    event_summary(ep, e),
                    ", ".join(str(index[r]) for r in e.responds_to),
                    ", ".join(source_link(ep, s) for s in e.sources),
                )
                for i, e in enumerate(ep.events)
            ],
        ),
        "",
    ]
    noted = [(i, e) for i, e in enumerate(ep.events) if e.note]
    if noted:
        lines += ["### Notes on single events", ""]
        lines += [f"- **{i}** `{e.id}`: {cell(e.note)}" for i, e in noted]
        lines.append("")
    links = [
        (index[r], i, e.link_reasons[k] if e.link_reasons else "")
        for i, e in enumerate(ep.events)
        for k, r in enumerate(e.responds_to)
    ]
    if links:
        lines += [
            "### Who answered whom",
            "",
            "The `responds_to` links, with the reason recorded for each. They are judgements, and "
            "a counterfactual with `cascade=True` follows them.",
            "",
            table(
                ("answer", "answers", "reason"),
                [
                    (f"{i} `{ep.events[i].id}`", f"{j} `{ep.events[j].id}`", cell(reason) or "(none recorded)")
                    for j, i, reason in links
                ],
            ),
            "",
        ]
    lines += replay_section(trace)
    lines += [
        "## Sources",
        "",
        table(
            ("id", "title", "author", "publisher", "date"),
            [
                (
                    f"[`{s.id}`]({s.url})" if s.url else f"`{s.id}`",
                    cell(s.title or ""),
                    cell(s.author or ""),
                    cell(s.publisher or ""),
                    s.date or "",
                )
                for s in ep.sources.values()
            ],
        ),
        "",
    ]
    return "\n".join(lines)


def replay_section(trace: nm.Trace) -> list[str]:
    """Return the replay of an episode: diagram, result, cycles, deviations, steps."""
    ep, machine = trace.episode, trace.machine
    lines = [
        "## Replay on the door-slam pattern",
        "",
        f'`nm.door_slam_pattern().replay(nm.load_episode("{ep.id}"))`. In the diagram the states '
        "visited are shaded, the final state is dark, and each transition taken is labelled with "
        "the numbers of the steps that took it.",
        "",
        fence("mermaid", trace.to_mermaid()),
        "",
        f"![The replay of {ep.id} along time: the state in force as coloured bands, each side's events "
        f"as markers]({ep.id}-timeline.png)",
        "",
        "*The same replay along time, drawn with `nm.plot_timeline(trace)`: the state in force as "
        "coloured bands, one row per side, events that touch the red line ringed in red.*",
        "",
        table(
            ("", ""),
            [
                ("**Final state**", f"`{trace.final_state}`"),
                ("**Fitness**", f"{trace.fitness:.3f} ({len(ep) - len(trace.deviations)} of {len(ep)} events conform)"),
                ("**Completed cycles**", str(len(trace.cycles))),
                ("**Deviations**", str(len(trace.deviations))),
                ("**States entered**", " → ".join(f"`{s}`" for s in trace.path)),
            ],
        ),
        "",
        "### Completed cycles",
        "",
    ]
    if trace.cycles:
        for n, c in enumerate(trace.cycles, 1):
            stages = "; ".join(
                f"{label} = {i} `{e.id}` ({e.date_text})"
                for label, i, e in zip(c.labels, c.indices, c.events, strict=True)
            )
            lines.append(f"{n}. {stages}")
    else:
        cycle = ", ".join(f"`{c}`" for c in machine.cycle)
        lines.append(f"None: the replay never takes {cycle} in that order.")
    lines += ["", "### Deviations", ""]
    if trace.deviations:
        lines.append("Events the pattern has no move for, from the state the replay was in:")
        lines.append("")
        lines += [f"- {cell(d.explanation)}." for d in trace.deviations]
    else:
        lines.append("None: every event conforms to the pattern.")
    lines += [
        "",
        "### Step by step",
        "",
        table(
            ("#", "date", "event", "role", "red line", "move", "state"),
            [
                (
                    str(s.index),
                    s.event.date_text,
                    f"`{s.event.id}`",
                    ep.role_of(s.event.actor).value.replace("_", " "),
                    "yes" if ep.touches_red_line(s.event) else "",
                    f"`{s.transition.label}`" if s.transition else "**deviation**",
                    f"`{s.source}`" if s.source == s.target else f"`{s.source}` → `{s.target}`",
                )
                for s in trace.steps
            ],
        ),
        "",
    ]
    return lines


def actor_name(ep: nm.Episode, actor_id: str) -> str:
    """Return an actor's name and id, for a page."""
    actor = ep.actors.get(actor_id)
    return f"{cell(actor.name)} (`{actor_id}`)" if actor else f"`{actor_id}`"


def event_summary(ep: nm.Episode, e: nm.Event) -> str:
    """Return an event's summary, with its quotation marked, for a table cell."""
    text = cell(e.summary)
    if e.quote is not None:
        speaker = f" ({cell(e.quote.speaker)})" if e.quote.speaker else ""
        text += f' Quote: *"{cell(e.quote.text)}"*{speaker}.'
    return text


def source_link(ep: nm.Episode, source_id: str) -> str:
    """Return a link to a source's URL, labelled with its id and titled with its title."""
    s = ep.sources.get(source_id)
    if s is None or not s.url:
        return f"`{source_id}`"
    title = (s.title or "").replace('"', "'")
    return f'[{source_id}]({s.url} "{cell(title)}")'


# -- command-line help ------------------------------------------------------------------


def cli_help_markdown() -> str:
    """Return the ``--help`` of the CLI and of each of its commands, as markdown sections."""
    import click

    from negotiation_model.cli import cli

    out = []
    for path, command, ctx in _walk_commands(
        cli, click.Context(cli, info_name="negotiation-model", terminal_width=100)
    ):
        out += [f"### `{path}`", "", fence("text", command.get_help(ctx)), ""]
    return "\n".join(out)


def _walk_commands(command: Any, ctx: Any) -> Iterator[tuple[str, Any, Any]]:
    import click

    yield ctx.command_path, command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not getattr(sub, "hidden", False):
                yield from _walk_commands(sub, click.Context(sub, info_name=name, parent=ctx, terminal_width=100))


# -- the event-data codebook ------------------------------------------------------------------


def default_codes_markdown() -> str:
    """Return each event kind's default codes (``nm.default_codes``) as a table."""
    rows = []
    for kind in nm.EventKind:
        c = nm.default_codes(kind)
        rows.append(
            (
                f"`{kind.value}`",
                f"`{c.cameo}`" if c.cameo else "",
                c.plover or "(none)",
                c.plover_mode or "",
                f"{c.goldstein:g}" if c.goldstein is not None else "",
            )
        )
    return table(("kind", "CAMEO", "PLOVER type", "PLOVER mode", "Goldstein"), rows)


def cameo_map_markdown() -> str:
    """Return the CAMEO codes the codebook lists, with the kind each maps to by role, as a table.

    The codes and the reasons come from the package's ``cameo-map.csv``; the
    kinds and codes are computed with the public functions, so the table
    shows what an import does.
    """
    import csv
    import datetime as dt
    from importlib import resources

    raw = resources.files("negotiation_model").joinpath("data", "codebook", "cameo-map.csv").read_text("utf-8")
    lines = [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        code = row["code"]
        probe = nm.Event("probe", dt.date(2000, 1, 1), kind="statement", actor="a", sources=["s"], codes=nm.Codes(code))
        codes = nm.effective_codes(probe)
        kinds = [nm.kind_for_cameo(code, role) for role in (nm.Role.INITIATOR, nm.Role.RESPONDENT)]
        rows.append(
            (
                f"`{code}`",
                *(f"`{k.value}`" if k else "(unmapped)" for k in kinds),
                "yes" if row.get("red_line") == "yes" else "",
                " / ".join(x for x in (codes.plover, codes.plover_mode) if x) or "(none)",
                f"{codes.goldstein:g}" if codes.goldstein is not None else "",
                cell(row.get("why", "")),
            )
        )
    return table(("CAMEO", "from the initiator", "from the respondent", "red line", "PLOVER", "Goldstein", "why"), rows)


#: Marker -> what replaces it, on any page.
MARKERS = {
    CLI_MARKER: lambda: cli_help_markdown(),
    "<!-- codebook: default-codes -->": lambda: default_codes_markdown(),
    "<!-- codebook: cameo-map -->": lambda: cameo_map_markdown(),
}


# -- markdown ------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"|": r"\|", "*": r"\*", "_": r"\_", "[": r"\[", "]": r"\]"})
#: Code spans are kept as written (markup inside them is already inert).
_CODE_SPAN = re.compile(r"(`[^`]*`)")
#: A ``<`` that could open an HTML tag.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def cell(text: str) -> str:
    """Return text safe for a table cell or a paragraph: one line, no markup outside `code spans`."""
    parts = _CODE_SPAN.split(" ".join(str(text).split()))
    return "".join(
        part.replace("|", r"\|") if i % 2 else _TAG_OPEN.sub("&lt;", part.translate(_ESCAPES))
        for i, part in enumerate(parts)
    )


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """Return a markdown table."""
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def fence(language: str, text: str) -> str:
    """Return a fenced code block."""
    return f"```{language}\n{text.rstrip()}\n```"
