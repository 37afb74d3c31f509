"""The bundled patterns: the canonical door-slam machine.

The machine is data (``data/patterns/door-slam.yaml``): the same format a
user writes to define a pattern of their own (see
:meth:`PatternMachine.from_dict`).
"""

from __future__ import annotations

import functools
from importlib import resources

from .io import read_data
from .machine import PatternMachine

__all__ = ["door_slam_pattern"]


@functools.lru_cache(maxsize=1)
def door_slam_pattern() -> PatternMachine:
    """Return the canonical pattern: offer -> precondition -> red line raised -> door slammed.

    States: ``dormant`` (initial), ``overture``, ``conditional``, ``talks``,
    ``summit`` and ``door_slammed`` (outcomes), ``provoked``. Roles and the red
    line are resolved from each episode, so the same machine replays any
    dyad. Machines are immutable, so the same object is returned each time.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.door_slam_pattern()
        >>> m.initial, m.outcomes
        ('dormant', ('summit', 'door_slammed'))
        >>> m.step("provoked", "door_slammed", "respondent", False).target
        'door_slammed'
    """
    raw = (
        resources.files("negotiation_model")
        .joinpath("data")
        .joinpath("patterns")
        .joinpath("door-slam.yaml")
        .read_bytes()
    )
    return PatternMachine.from_dict(read_data(raw, "<bundled door-slam>", ".yaml"), path="<bundled door-slam>")
