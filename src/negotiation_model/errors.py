"""The library's exceptions.

One root, :class:`NegotiationModelError`; each subclass also derives from the
builtin it means, so ``except ValueError`` keeps working for callers that do
not know this library.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import Event

__all__ = ["DataError", "DefinitionError", "MissingExtraError", "NegotiationModelError", "ReplayError"]


class NegotiationModelError(Exception):
    """Root of every error this library raises on purpose."""


class DataError(NegotiationModelError, ValueError):
    """Bad data: a malformed episode or scenario file, or an invalid record.

    Attributes:
        problems: Every problem found, one line each (the message shows them
            all, up to a cap). Each names the file, the event (id, or index
            when the id is missing), the field, and what was expected.
        path: The file the data came from, or ``None``.
    """

    def __init__(self, problems: str | Sequence[str], *, path: str | None = None) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        self.path = path
        super().__init__(_format_problems(self.problems, path))


class DefinitionError(NegotiationModelError, ValueError):
    """A pattern machine (or scenario) that cannot be built as defined.

    Attributes:
        culprits: The states or transitions at fault, by name.
    """

    def __init__(self, message: str, *, culprits: Sequence[str] = ()) -> None:
        self.culprits: tuple[str, ...] = tuple(culprits)
        super().__init__(message)


class MissingExtraError(NegotiationModelError, ImportError):
    """An optional dependency is not installed; the message names the extra to install.

    Raised by the plots (matplotlib, the ``plot`` extra) and by
    ``ScenarioComparison.to_dataframe`` (pandas). It is an
    :class:`ImportError` too, so ``except ImportError`` catches it.
    """


class ReplayError(NegotiationModelError):
    """An event that the machine cannot take, in a strict replay.

    Attributes:
        event: The event that did not conform.
        state: The state the machine was in.
        index: The event's position in the episode (0-based).
        expected: Descriptions of what the machine would have accepted there.
    """

    def __init__(
        self,
        message: str,
        *,
        event: Event,
        state: str,
        index: int,
        expected: Sequence[str] = (),
    ) -> None:
        self.event = event
        self.state = state
        self.index = index
        self.expected: tuple[str, ...] = tuple(expected)
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:  # keep pickling (multiprocessing) working
        return (_rebuild_replay_error, (str(self), self.event, self.state, self.index, self.expected))


def _rebuild_replay_error(message: str, event: Event, state: str, index: int, expected: tuple[str, ...]) -> ReplayError:
    return ReplayError(message, event=event, state=state, index=index, expected=expected)


# Values from files go into messages through short_repr: a value may be
# nested a thousand deep, or a YAML alias bomb (a few lines that expand to
# billions of items when printed in full).
_SHORT = reprlib.Repr()
_SHORT.maxlevel = 2
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxset = _SHORT.maxtuple = 4
_SHORT.maxstring = _SHORT.maxother = 80


def short_repr(value: object) -> str:
    """Return a short, bounded repr of a value read from a file, for an error message."""
    return _SHORT.repr(value)


#: How many problems a :class:`DataError` message lists before summarising.
MAX_LISTED_PROBLEMS = 20


def _format_problems(problems: tuple[str, ...], path: str | None) -> str:
    head = f"{path}: " if path else ""
    if len(problems) == 1:
        return head + problems[0]
    shown = problems[:MAX_LISTED_PROBLEMS]
    lines = [f"{head}{len(problems)} problems:"] + [f"  - {p}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"  ... and {len(problems) - len(shown)} more")
    return "\n".join(lines)
