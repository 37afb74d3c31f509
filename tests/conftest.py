"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

import negotiation_model as nm

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def machine() -> nm.PatternMachine:
    """The canonical door-slam machine."""
    return nm.door_slam_pattern()


@pytest.fixture(scope="session")
def minimal() -> nm.Episode:
    """A four-event episode that completes one cycle (tests/data/good/minimal.yaml)."""
    return nm.load_episode(DATA / "good" / "minimal.yaml")
