"""Tests for the public API surface."""

from __future__ import annotations

import subprocess
import sys

import negotiation_model as nm

FIXED = [
    "Event",
    "EventKind",
    "Episode",
    "list_episodes",
    "load_episode",
    "save_episode",
    "door_slam_pattern",
    "PatternMachine",
    "Trace",
    "MarkovModel",
    "Scenario",
    "list_scenarios",
    "load_scenario",
    "compare_scenarios",
    "export_episode",
    "from_event_table",
    "NegotiationModelError",
    "DataError",
    "DefinitionError",
    "ReplayError",
]


def test_all_is_sorted_and_every_name_exists() -> None:
    """__all__ is one sorted list, and every name in it is an attribute of the package."""
    assert nm.__all__ == sorted(nm.__all__)
    assert len(set(nm.__all__)) == len(nm.__all__)
    for name in nm.__all__:
        assert hasattr(nm, name), name


def test_the_design_names_are_public() -> None:
    """The names fixed by the design document are exported at the package root."""
    missing = [n for n in FIXED if n not in nm.__all__]
    assert missing == []


def test_event_kind_has_the_designed_members() -> None:
    """EventKind has at least the twelve kinds of the design."""
    names = {k.name for k in nm.EventKind}
    assert names >= {
        "OFFER",
        "WILLINGNESS",
        "PRECONDITION",
        "ISSUE_RAISED",
        "DOOR_SLAMMED",
        "GOODWILL",
        "MEETING",
        "SUMMIT",
        "AGREEMENT",
        "CONCESSION",
        "SANCTION",
        "STATEMENT",
    }


def test_error_classes_subclass_the_builtins_they_mean() -> None:
    """DataError is a ValueError; every error derives from NegotiationModelError."""
    assert issubclass(nm.DataError, ValueError)
    assert issubclass(nm.DefinitionError, ValueError)
    for cls in (nm.DataError, nm.DefinitionError, nm.ReplayError):
        assert issubclass(cls, nm.NegotiationModelError)


def test_public_objects_have_docstrings() -> None:
    """Every public name carries a docstring whose first line is a sentence."""
    for name in nm.__all__:
        doc = getattr(nm, name).__doc__
        assert doc and doc.strip().splitlines()[0].endswith("."), name


def test_import_is_light() -> None:
    """Importing the package does not import hypothesis, matplotlib or pandas."""
    code = (
        "import sys, negotiation_model; "
        "print(sorted(m for m in ('hypothesis', 'matplotlib', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
