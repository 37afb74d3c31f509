"""negotiation_model: recurring negotiation patterns as state machines over typed, sourced events.

Import it as ``import negotiation_model as nm``; every public name lives at
the package root (the module layout is private and may change).
"""

from __future__ import annotations

from .episode import Episode, Role, Roles
from .errors import DataError, DefinitionError, NegotiationModelError, ReplayError
from .events import Actor, ActorKind, Codes, DatePrecision, Event, EventKind, Quote, Source
from .io import list_episodes, load_episode, save_episode

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ActorKind",
    "Codes",
    "DataError",
    "DatePrecision",
    "DefinitionError",
    "Episode",
    "Event",
    "EventKind",
    "NegotiationModelError",
    "Quote",
    "ReplayError",
    "Role",
    "Roles",
    "Source",
    "list_episodes",
    "load_episode",
    "save_episode",
]
