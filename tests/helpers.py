"""Helpers shared by several test modules (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def cli_command() -> list[str]:
    """The installed ``negotiation-model`` of the Python running the tests, else ``python -m negotiation_model``.

    The script beside ``sys.executable`` comes first, so that a copy installed
    elsewhere on PATH is never the one tested.
    """
    script = Path(sys.executable).parent / "negotiation-model"
    return [str(script)] if script.exists() else [sys.executable, "-m", "negotiation_model"]


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, in a plain (not a terminal) environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")}
    env["COLUMNS"] = "80"  # plain output must not wrap at any width
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [*cli_command(), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=cwd,
        env=env,
    )


def episode_mapping(events: list[Any], **fields: Any) -> dict[str, Any]:
    """An episode in the file format around the given events: actors A and B, source s1; ``fields`` override."""
    return {
        "id": "t",
        "title": "T",
        "roles": {"initiator": "A", "respondent": "B"},
        "red_line": "hostages",
        "actors": {"A": {"name": "A"}, "B": {"name": "B"}},
        "sources": {"s1": {"title": "S1"}},
        "events": events,
        **fields,
    }
