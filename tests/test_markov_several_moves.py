"""Drawing several moves at once (MarkovModel.simulate on small chains) changes the cost, not the chain."""

from __future__ import annotations

import math

import numpy as np
import pytest

import negotiation_model as nm
from negotiation_model import markov


@pytest.fixture(scope="module")
def bundled() -> nm.MarkovModel:
    """The door-slam model fitted to every bundled episode."""
    return nm.MarkovModel.fit(nm.door_slam_pattern(), [nm.load_episode(i) for i in nm.list_episodes()])


def joint(result: nm.SimulationResult) -> dict[tuple[int, int], float]:
    """Return the share of chains per (outcome index, steps), unfinished chains included as (-1, -1)."""
    pairs, counts = np.unique(np.stack([result.final.astype(np.int64), result.steps]), axis=1, return_counts=True)
    return {(int(f), int(s)): c / result.n for (f, s), c in zip(pairs.T.tolist(), counts.tolist(), strict=True)}


def test_paths_of_several_moves_keep_every_rows_probability(bundled: nm.MarkovModel) -> None:
    """Each row's paths weigh 1 in all, stop early only where chains halt, and take at most ``stride`` moves."""
    ns = len(bundled.states)
    halts = np.zeros(ns, dtype=bool)
    halts[[bundled.index(o) for o in bundled.outcomes]] = True
    rows, cols = np.nonzero(bundled.matrix)
    several = markov._several_moves(bundled.matrix[rows, cols][None, :], rows, cols, ns, halts)
    assert several is not None
    w, r, c, advance, stride = several
    assert stride > 1
    totals = np.bincount(r, weights=w[0], minlength=ns)
    assert np.allclose(totals[np.unique(rows)], 1.0)
    assert ((advance >= 1) & (advance <= stride)).all()
    assert halts[c[advance < stride]].all()


@pytest.mark.parametrize("max_steps", [1, 2, 3, 5, 10_000])
@pytest.mark.parametrize("posterior", [False, True])
def test_several_moves_at_once_give_the_chain_of_single_moves(
    bundled: nm.MarkovModel, monkeypatch: pytest.MonkeyPatch, max_steps: int, posterior: bool
) -> None:
    """Outcome and step counts have the same distribution with and without the wide table, max_steps included."""
    n = 60_000
    wide = bundled.simulate(n, start="conditional", seed=3, max_steps=max_steps, posterior=posterior)
    monkeypatch.setattr(markov, "_several_moves", lambda *args: None)
    single = bundled.simulate(n, start="conditional", seed=3, max_steps=max_steps, posterior=posterior)
    a, b = joint(wide), joint(single)
    for cell in set(a) | set(b):
        p, q = a.get(cell, 0.0), b.get(cell, 0.0)
        pooled = (p + q) / 2
        assert abs(p - q) <= 5 * math.sqrt(2 * pooled * (1 - pooled) / n) + 1e-12, (cell, p, q)
    assert (wide.steps[wide.final >= 0] <= max_steps).all()


def test_large_chains_draw_one_move_at_a_time() -> None:
    """When paths of two moves would overflow the budget, there is no wide table: single moves, as before."""
    n = 400
    rng = np.random.default_rng(0)
    allowed = rng.random((n, n)) < 0.5
    counts = np.where(allowed, rng.integers(0, 5, (n, n)), 0)
    model = nm.MarkovModel.from_counts(
        [f"s{i}" for i in range(n)], counts, outcomes=["s0", "s1"], allowed=allowed, initial="s2"
    )
    rows, cols = np.nonzero(model.matrix)
    halts = np.zeros(n, dtype=bool)
    halts[:2] = True
    assert markov._several_moves(model.matrix[rows, cols][None, :], rows, cols, n, halts) is None
    r = model.simulate(2_000, seed=1)
    assert r.n == 2_000 and sum(r.counts.values()) + r.unfinished == 2_000
