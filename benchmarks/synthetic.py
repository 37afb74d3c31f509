"""Synthetic episodes and event-class sequences for the benchmarks (seeded, reproducible).

The generator walks the door-slam pattern loosely: most moves are what the
pattern expects next (offer, precondition, red line raised, door slammed,
meetings, summits), mixed with neutral statements, third-party reactions and
some moves the machine has no transition for, so a replay exercises every
kind of step: state changes, self-loops and deviations.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import negotiation_model as nm

__all__ = ["EPISODE_ACTORS", "synthetic_episode", "synthetic_episode_dict", "synthetic_event_dicts"]

EPISODE_ACTORS = {
    "A": {"name": "State A", "kind": "state"},
    "B": {"name": "State B", "kind": "state"},
    "C": {"name": "State C", "kind": "state"},
    "a-leader": {"name": "Leader of A", "kind": "person", "represents": "A"},
    "b-envoy": {"name": "Envoy of B", "kind": "person", "represents": "B"},
}

# (kind, actor, touches the red line, weight): the moves drawn at random.
_MOVES: tuple[tuple[str, str, bool, float], ...] = (
    ("offer", "a-leader", False, 12),
    ("willingness", "B", False, 4),
    ("precondition", "b-envoy", True, 10),
    ("issue_raised", "A", True, 10),
    ("issue_raised", "A", False, 3),
    ("door_slammed", "B", False, 8),
    ("meeting", "A", False, 5),
    ("summit", "a-leader", False, 2),
    ("agreement", "B", False, 1),
    ("concession", "B", False, 2),
    ("goodwill", "A", False, 3),
    ("sanction", "A", False, 2),
    ("statement", "C", False, 8),
    ("statement", "B", True, 3),
    ("willingness", "a-leader", False, 2),
    ("issue_raised", "C", True, 2),
)


def synthetic_event_dicts(n: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """Return ``n`` events in the episode file format, in time order (three a day)."""
    rng = random.Random(seed)
    moves = [m[:3] for m in _MOVES]
    weights = [m[3] for m in _MOVES]
    drawn = rng.choices(moves, weights, k=n)
    start = dt.date(1500, 1, 1)
    last_offer: str | None = None
    out: list[dict[str, Any]] = []
    for i, (kind, actor, red) in enumerate(drawn):
        eid = f"e{i:07d}"
        event: dict[str, Any] = {
            "id": eid,
            "date": (start + dt.timedelta(days=i // 3)).isoformat(),
            "kind": kind,
            "actor": actor,
            "target": "B" if actor in ("A", "a-leader") else "A",
            "summary": f"Synthetic move {i}: {kind} by {actor}.",
            "sources": ["s1"],
        }
        if red:
            event["issues"] = ["hostages"]
        if kind == "precondition" and last_offer is not None:
            event["responds_to"] = [{"event": last_offer, "reason": "answers the latest offer"}]
        if kind == "offer":
            last_offer = eid
            event["codes"] = {"cameo": "036"}
        out.append(event)
    return out


def synthetic_episode_dict(n: int, *, seed: int = 0) -> dict[str, Any]:
    """Return a whole synthetic episode of ``n`` events as plain data (ready for JSON)."""
    return {
        "id": f"synthetic-{n}",
        "title": f"A synthetic episode of {n} events",
        "summary": "Generated for the benchmarks.",
        "roles": {"initiator": "A", "respondent": "B"},
        "red_line": "hostages",
        "actors": EPISODE_ACTORS,
        "sources": {"s1": {"title": "A synthetic source", "url": "https://example.org/synthetic"}},
        "events": synthetic_event_dicts(n, seed=seed),
    }


def synthetic_episode(n: int, *, seed: int = 0) -> nm.Episode:
    """Return a synthetic :class:`negotiation_model.Episode` of ``n`` events."""
    from negotiation_model.io import episode_from_dict

    return episode_from_dict(synthetic_episode_dict(n, seed=seed), path=f"<synthetic {n}>")
