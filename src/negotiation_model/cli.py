"""The ``negotiation-model`` command line."""

from __future__ import annotations

import sys

import click

from .errors import NegotiationModelError
from .io import load_episode
from .patterns import door_slam_pattern


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Replay, edit and simulate negotiation episodes."""


@cli.command()
@click.argument("episode")
@click.option("--strict", is_flag=True, help="Fail (exit 1) at the first event the pattern cannot take.")
def replay(episode: str, strict: bool) -> None:
    """Replay EPISODE (a bundled id or a file) through the door-slam pattern."""
    trace = door_slam_pattern().replay(load_episode(episode), strict=strict)
    click.echo(trace.to_table())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 bad data or strict deviation, 2 usage)."""
    try:
        cli.main(args=argv, prog_name="negotiation-model", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.Abort:
        return 1
    except (NegotiationModelError, FileNotFoundError) as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Entry point of the installed ``negotiation-model`` script."""
    sys.exit(main())
