"""negotiation_model: recurring negotiation patterns as state machines over typed, sourced events.

Import it as ``import negotiation_model as nm``; every public name lives at
the package root (the module layout is private and may change).
"""

from __future__ import annotations

from .episode import Episode, Role, Roles
from .errors import DataError, DefinitionError, NegotiationModelError, ReplayError
from .events import Actor, ActorKind, Codes, DatePrecision, Event, EventKind, Quote, Source
from .graph import pattern_cycles, reachable_states, shortest_path_to_outcome
from .io import list_episodes, load_episode, save_episode
from .machine import Guard, PatternMachine, State, Transition
from .patterns import door_slam_pattern
from .replay import Comparison, Cycle, Deviation, Step, Trace, compare

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ActorKind",
    "Codes",
    "Comparison",
    "Cycle",
    "DataError",
    "DatePrecision",
    "DefinitionError",
    "Deviation",
    "Episode",
    "Event",
    "EventKind",
    "Guard",
    "NegotiationModelError",
    "PatternMachine",
    "Quote",
    "ReplayError",
    "Role",
    "Roles",
    "Source",
    "State",
    "Step",
    "Trace",
    "Transition",
    "compare",
    "door_slam_pattern",
    "list_episodes",
    "load_episode",
    "pattern_cycles",
    "reachable_states",
    "save_episode",
    "shortest_path_to_outcome",
]
