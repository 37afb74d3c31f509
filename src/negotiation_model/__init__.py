"""negotiation_model: recurring negotiation patterns as state machines over typed, sourced events.

Import it as ``import negotiation_model as nm``; every public name lives at
the package root (the module layout is private and may change).
"""

from __future__ import annotations

from .episode import Episode, Role, Roles
from .errors import DataError, DefinitionError, MissingExtraError, NegotiationModelError, ReplayError
from .events import Actor, ActorKind, Codes, DatePrecision, Event, EventKind, Quote, Source
from .graph import pattern_cycles, reachable_states, shortest_path_to_outcome
from .interop import (
    TableImport,
    UnmappedRow,
    default_codes,
    effective_codes,
    episode_records,
    export_episode,
    from_event_table,
    goldstein,
    kind_for_cameo,
)
from .io import list_episodes, load_episode, save_episode
from .machine import Guard, PatternMachine, State, Transition
from .markov import Knob, MarkovModel, OutcomeIntervals, SimulationResult, SweepResult, TransitionIntervals
from .patterns import door_slam_pattern
from .plot import plot_scenarios, plot_sweep, plot_timeline, save_figure
from .replay import BatchReplay, Comparison, Cycle, Deviation, Step, Trace, compare, replay_batch
from .scenarios import (
    DropEvents,
    InsertEvent,
    Passage,
    ScaleProbability,
    Scenario,
    ScenarioComparison,
    ScenarioResult,
    SetProbability,
    compare_scenarios,
    list_scenarios,
    load_scenario,
    scenario_model,
)

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ActorKind",
    "BatchReplay",
    "Codes",
    "Comparison",
    "Cycle",
    "DataError",
    "DatePrecision",
    "DefinitionError",
    "Deviation",
    "DropEvents",
    "Episode",
    "Event",
    "EventKind",
    "Guard",
    "InsertEvent",
    "Knob",
    "MarkovModel",
    "MissingExtraError",
    "NegotiationModelError",
    "OutcomeIntervals",
    "Passage",
    "PatternMachine",
    "Quote",
    "ReplayError",
    "Role",
    "Roles",
    "ScaleProbability",
    "Scenario",
    "ScenarioComparison",
    "ScenarioResult",
    "SetProbability",
    "SimulationResult",
    "Source",
    "State",
    "Step",
    "SweepResult",
    "TableImport",
    "Trace",
    "Transition",
    "TransitionIntervals",
    "UnmappedRow",
    "compare",
    "compare_scenarios",
    "default_codes",
    "door_slam_pattern",
    "effective_codes",
    "episode_records",
    "export_episode",
    "from_event_table",
    "goldstein",
    "kind_for_cameo",
    "list_episodes",
    "list_scenarios",
    "load_episode",
    "load_scenario",
    "pattern_cycles",
    "plot_scenarios",
    "plot_sweep",
    "plot_timeline",
    "reachable_states",
    "replay_batch",
    "save_episode",
    "save_figure",
    "scenario_model",
    "shortest_path_to_outcome",
]
