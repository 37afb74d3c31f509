"""Tests for the Markov model: fitting, exact absorbing-chain answers, Monte Carlo, knobs, errors.

The bundled episodes are being curated, so tests on them check rules (sums,
agreement between methods, zeros where the machine allows no move), never
exact numbers. Exact numbers are checked on a small hand-built machine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_model as nm

# -- fixtures: a toy machine and episodes built by hand ------------------------------------

TOY = {
    "name": "toy",
    "initial": "idle",
    "states": {
        "idle": "No talks.",
        "open": "Talks offered.",
        "tense": "The red line was raised.",
        "deal": {"description": "A deal.", "outcome": True},
        "break": {"description": "A break.", "outcome": True},
    },
    "transitions": [
        {"label": "offer", "from": ["idle", "tense"], "to": "open", "kinds": ["offer"], "roles": ["initiator"]},
        {
            "label": "provoke",
            "from": "open",
            "to": "tense",
            "kinds": ["issue_raised"],
            "roles": ["initiator"],
            "red_line": True,
        },
        {"label": "summit", "from": "open", "to": "deal", "kinds": ["summit"]},
        {"label": "slam", "from": ["open", "tense"], "to": "break", "kinds": ["door_slammed"], "roles": ["respondent"]},
        {"label": "restart", "from": "break", "to": "idle", "kinds": ["offer"], "roles": ["initiator"]},
        {"label": "chat", "from": ["idle", "open", "tense"], "stay": True, "kinds": ["statement"]},
    ],
}

Move = tuple[str, str, bool]  # (kind, actor, touches the red line)


def toy_episode(eid: str, moves: Sequence[Move]) -> nm.Episode:
    """Build an episode with one event per move, a day apart."""
    events = [
        nm.Event(
            f"{eid}-{i}",
            dt.date(2020, 1, 1) + dt.timedelta(days=i),
            kind=kind,
            actor=actor,
            issues={"hostages"} if red else set(),
            sources=("s",),
        )
        for i, (kind, actor, red) in enumerate(moves)
    ]
    return nm.Episode(
        id=eid,
        title=eid,
        roles=nm.Roles("A", "B"),
        red_line="hostages",
        actors={"A": nm.Actor("A", "State A"), "B": nm.Actor("B", "State B")},
        sources={"s": nm.Source("s", "A source")},
        events=events,
    )


EP1 = [
    ("offer", "A", False),  # idle -> open
    ("statement", "A", False),  # open stays (self-loop)
    ("sanction", "B", False),  # deviation: no transition takes it
    ("issue_raised", "A", True),  # open -> tense
    ("door_slammed", "B", False),  # tense -> break
    ("offer", "A", False),  # break -> idle
    ("offer", "A", False),  # idle -> open
    ("summit", "A", False),  # open -> deal
]
EP2 = [("offer", "A", False), ("summit", "B", False)]  # idle -> open -> deal


@pytest.fixture(scope="module")
def toy_machine() -> nm.PatternMachine:
    """The toy machine."""
    return nm.PatternMachine.from_dict(TOY)


@pytest.fixture(scope="module")
def toy(toy_machine: nm.PatternMachine) -> nm.MarkovModel:
    """The toy machine fitted on two hand-built episodes, prior 1."""
    return nm.MarkovModel.fit(toy_machine, [toy_episode("e1", EP1), toy_episode("e2", EP2)])


@pytest.fixture(scope="module")
def bundled(machine: nm.PatternMachine) -> nm.MarkovModel:
    """The door-slam machine fitted on the two bundled episodes curated first."""
    episodes = [nm.load_episode("japan-dprk-2002"), nm.load_episode("japan-dprk-2023-24")]
    return nm.MarkovModel.fit(machine, episodes)


def transient_states(model: nm.MarkovModel) -> list[str]:
    """Return the states that are not outcomes."""
    return [s for s in model.states if s not in model.outcomes]


def independent_solution(model: nm.MarkovModel) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Solve the absorbing chain over all transient states, written out here, not taken from the module."""
    states, p = model.transition_matrix(absorbing=True)
    t = [states.index(s) for s in transient_states(model)]
    o = [states.index(s) for s in model.outcomes]
    a = np.eye(len(t)) - p[np.ix_(t, t)]
    b = np.linalg.solve(a, p[np.ix_(t, o)])
    steps = np.linalg.solve(a, np.ones(len(t)))
    return transient_states(model), b, steps


# -- fitting ---------------------------------------------------------------------------------------


def test_fit_counts_the_state_changing_conforming_steps(toy: nm.MarkovModel) -> None:
    """Counts are the moves of the replays, self-loops and deviations left out."""
    c = {(toy.states[i], toy.states[j]): int(toy.counts[i, j]) for i, j in zip(*np.nonzero(toy.counts), strict=True)}
    assert c == {
        ("idle", "open"): 3,
        ("open", "tense"): 1,
        ("tense", "break"): 1,
        ("break", "idle"): 1,
        ("open", "deal"): 2,
    }
    assert toy.episodes == ("e1", "e2")
    assert toy.machine == "toy"
    assert toy.initial == "idle"
    assert toy.outcomes == ("deal", "break")


def test_fit_with_self_loops_counts_them_and_allows_them(toy_machine: nm.PatternMachine) -> None:
    """self_loops=True counts the steps that keep the state, and only the machine's self-loops are allowed."""
    m = nm.MarkovModel.fit(toy_machine, [toy_episode("e1", EP1)], self_loops=True)
    i = m.index("open")
    assert m.counts[i, i] == 1
    assert m.allowed[i, i]
    assert not m.allowed[m.index("deal"), m.index("deal")]
    assert m.probability("open", "open") > 0


def test_posterior_mean_is_counts_plus_prior_over_the_allowed_moves(toy: nm.MarkovModel) -> None:
    """Each row's probabilities are (count + prior) / (row count + prior * allowed moves)."""
    # open: tense 1, deal 2, break 0; three allowed moves, prior 1 -> (2, 3, 1) / 6
    assert toy.probability("open", "tense") == pytest.approx(2 / 6)
    assert toy.probability("open", "deal") == pytest.approx(3 / 6)
    assert toy.probability("open", "break") == pytest.approx(1 / 6)
    m = nm.MarkovModel.fit(nm.PatternMachine.from_dict(TOY), [toy_episode("e2", EP2)], prior=0.5)
    assert m.probability("open", "deal") == pytest.approx(1.5 / 2.5)


def test_outcomes_are_configurable(toy_machine: nm.PatternMachine) -> None:
    """fit(outcomes=...) replaces the machine's outcome states."""
    m = nm.MarkovModel.fit(toy_machine, [toy_episode("e1", EP1)], outcomes=["deal"])
    assert m.outcomes == ("deal",)
    # break now passes through (break -> idle), so a deal is reached in the end.
    assert m.outcome_probabilities("open") == {"deal": pytest.approx(1.0)}


def test_a_single_episode_is_accepted(machine: nm.PatternMachine) -> None:
    """One Episode (not in a list) fits like a list of one."""
    ep = nm.load_episode("japan-dprk-2023-24")
    assert nm.MarkovModel.fit(machine, ep) == nm.MarkovModel.fit(machine, [ep])


def test_the_model_is_immutable(toy: nm.MarkovModel) -> None:
    """The record is frozen, its arrays are read-only, and transition_matrix returns a copy."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        toy.prior = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        toy.matrix[0, 0] = 1.0
    _, p = toy.transition_matrix()
    p[:] = 0
    assert toy.matrix.sum() > 0
    assert hash(toy) == hash(attrs.evolve(toy))


# -- exact answers ----------------------------------------------------------------------------------


def test_rows_sum_to_one_and_probabilities_are_in_range(bundled: nm.MarkovModel) -> None:
    """Every row of both matrices sums to 1; every entry is in [0, 1]; outcome rows are absorbing when asked."""
    for absorbing in (False, True):
        states, p = bundled.transition_matrix(absorbing=absorbing)
        assert states == bundled.states
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
        assert ((p >= 0) & (p <= 1)).all()
    _, p = bundled.transition_matrix(absorbing=True)
    for o in bundled.outcomes:
        assert p[bundled.index(o), bundled.index(o)] == 1.0


def test_disallowed_moves_have_zero_probability_and_zero_posterior_mass(bundled: nm.MarkovModel) -> None:
    """A move the machine does not allow has probability 0 in the mean and in every posterior draw."""
    assert (bundled.matrix[~bundled.allowed] == 0).all()
    ci = bundled.credible_intervals(level=0.999999, draws=500, seed=3)
    assert (ci.high[~bundled.allowed] == 0).all()
    assert ci.interval("conditional", "dormant") == (0.0, 0.0)
    assert (ci.low[bundled.allowed] > 0).all()


def test_exact_probabilities_sum_to_one_and_match_an_independent_solve(bundled: nm.MarkovModel) -> None:
    """outcome_probabilities and expected_steps equal a linear solve over every transient state."""
    names, b, steps = independent_solution(bundled)
    for i, s in enumerate(names):
        p = bundled.outcome_probabilities(s)
        assert list(p) == list(bundled.outcomes)
        assert sum(p.values()) == pytest.approx(1.0, abs=1e-12)
        assert [p[o] for o in bundled.outcomes] == pytest.approx(b[i].tolist(), abs=1e-12)
        assert bundled.expected_steps(s) == pytest.approx(steps[i], rel=1e-10)


def test_exact_probabilities_match_the_limit_of_the_matrix_powers(toy: nm.MarkovModel) -> None:
    """The absorption probabilities are the limit of P^k (repeated squaring), an independent route."""
    states, p = toy.transition_matrix(absorbing=True)
    limit = p.copy()
    for _ in range(60):
        limit = limit @ limit
    for s in transient_states(toy):
        exact = toy.outcome_probabilities(s)
        for o in toy.outcomes:
            assert exact[o] == pytest.approx(limit[states.index(s), states.index(o)], abs=1e-9)


def test_exact_values_on_the_toy_chain(toy: nm.MarkovModel) -> None:
    """From 'open' the toy chain's answers match a hand calculation."""
    # open: tense 2/6, deal 3/6, break 1/6. tense: open 1/3, break 2/3 (counts 0, 1; prior 1).
    # d = P(deal | open) = 1/2 + (1/3)(1/3) d  ->  d = (1/2) / (8/9) = 9/16.
    p = toy.outcome_probabilities("open")
    assert p["deal"] == pytest.approx(9 / 16)
    assert p["break"] == pytest.approx(7 / 16)
    # e = 1 + (1/3)(1 + (1/3) e)  ->  e (8/9) = 4/3  ->  e = 3/2.
    assert toy.expected_steps("open") == pytest.approx(1.5)


def test_competing_outcomes_can_be_chosen_per_query(toy: nm.MarkovModel) -> None:
    """outcome_probabilities(outcomes=...) makes only those states absorbing; the others pass through."""
    p = toy.outcome_probabilities("open", outcomes=["deal", "tense"])
    assert list(p) == ["deal", "tense"]
    assert sum(p.values()) == pytest.approx(1.0)
    # break is no longer absorbing: break -> idle -> open continues the chain.
    assert toy.outcome_probabilities("open", outcomes=["deal"]) == {"deal": pytest.approx(1.0)}


def test_exact_answer_on_a_large_random_chain_is_a_distribution() -> None:
    """A large random chain solves (only reachable states enter the solve) and its probabilities sum to 1."""
    rng = np.random.default_rng(0)
    n = 300
    states = [f"s{i}" for i in range(n)]
    allowed = rng.random((n, n)) < 0.05
    allowed[:, -1] = True  # every state can end
    allowed[-3:] = False
    counts = np.where(allowed, rng.integers(0, 4, (n, n)), 0)
    m = nm.MarkovModel.from_counts(states, counts, outcomes=states[-3:], allowed=allowed)
    p = m.outcome_probabilities("s0")
    assert sum(p.values()) == pytest.approx(1.0)
    assert all(0 <= v <= 1 for v in p.values())


# -- Monte Carlo ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("start", ["dormant", "overture", "conditional", "talks", "provoked"])
def test_monte_carlo_agrees_with_exact_within_four_standard_errors(
    bundled: nm.MarkovModel, start: str, seed: int
) -> None:
    """Simulated outcome shares and mean steps agree with the exact answers within 4 standard errors."""
    r = bundled.simulate(20_000, start=start, seed=seed)
    exact = bundled.outcome_probabilities(start)
    assert r.unfinished == 0
    for o, p in exact.items():
        se = math.sqrt(p * (1 - p) / r.n)
        assert abs(r.probabilities[o] - p) <= 4 * se + 1e-12, (o, r.probabilities[o], p)
        lo, hi = r.confidence_intervals(0.9999)[o]
        assert lo <= p <= hi
    assert abs(r.mean_steps - bundled.expected_steps(start)) <= 4 * r.std_steps / math.sqrt(r.finished)


@pytest.mark.parametrize("start", ["idle", "open", "tense"])
def test_monte_carlo_agrees_with_exact_on_the_toy_chain(toy: nm.MarkovModel, start: str) -> None:
    """The toy chain's simulation agrees with its exact answers (including chains that loop back)."""
    r = toy.simulate(50_000, start=start, seed=7)
    for o, p in toy.outcome_probabilities(start).items():
        assert abs(r.probabilities[o] - p) <= 4 * r.standard_errors[o] + 1e-12
    assert r.step_quantiles([0.0])[0.0] >= 1


def test_the_same_seed_gives_the_same_result(bundled: nm.MarkovModel) -> None:
    """A run is reproducible from its seed, chain by chain; a different seed gives different chains."""
    a = bundled.simulate(5_000, seed=11)
    b = bundled.simulate(5_000, seed=11)
    assert a == b
    assert np.array_equal(a.final, b.final)
    assert np.array_equal(a.steps, b.steps)
    c = bundled.simulate(5_000, seed=12)
    assert not np.array_equal(a.final, c.final)
    again = bundled.simulate(5_000, seed=np.random.default_rng(11))
    assert np.array_equal(again.final, a.final)


def test_an_unseeded_run_records_its_seed(bundled: nm.MarkovModel) -> None:
    """Without a seed, the entropy drawn is recorded, so the run can be repeated."""
    a = bundled.simulate(2_000)
    assert isinstance(a.seed, int)
    b = bundled.simulate(2_000, seed=a.seed)
    assert np.array_equal(a.final, b.final)


def test_simulation_result_reports_every_chain(bundled: nm.MarkovModel) -> None:
    """Counts plus unfinished chains make n; shares, errors and intervals are in range; tables render."""
    r = bundled.simulate(3_000, start="conditional", seed=5)
    assert r.n == 3_000
    assert sum(r.counts.values()) + r.unfinished == r.n
    assert r.start == "conditional"
    assert r.outcomes == bundled.outcomes
    for o in r.outcomes:
        lo, hi = r.confidence_intervals()[o]
        assert 0 <= lo <= r.probabilities[o] <= hi <= 1
        assert r.standard_errors[o] >= 0
    assert (r.steps[r.final >= 0] >= 1).all()
    assert r.std_steps >= 0
    q = r.step_quantiles()
    assert list(q.values()) == sorted(q.values())
    assert "conditional" in r.to_table()
    assert r.to_dict()["n"] == 3_000


def test_chains_that_hit_max_steps_are_reported_not_dropped(toy: nm.MarkovModel) -> None:
    """From 'idle' every chain needs at least two steps: with max_steps=1 all are unfinished."""
    r = toy.simulate(1_000, start="idle", seed=0, max_steps=1)
    assert r.unfinished == 1_000
    assert sum(r.counts.values()) == 0
    assert (r.final == -1).all()
    assert math.isnan(r.mean_steps)


def test_chains_in_a_trap_are_unfinished(toy: nm.MarkovModel) -> None:
    """Knobs that close every way out leave chains unfinished in a simulation (and an error in the exact solve)."""
    trapped = toy.with_probability("open", "tense", 1.0).with_probability("tense", "open", 1.0)
    r = trapped.simulate(500, start="idle", seed=0)
    assert r.unfinished == 500
    with pytest.raises(nm.DefinitionError, match="idle, open, tense") as info:
        trapped.outcome_probabilities("idle")
    assert not isinstance(info.value, np.linalg.LinAlgError)
    assert set(info.value.culprits) == {"idle", "open", "tense"}


def test_posterior_simulation_propagates_parameter_uncertainty(bundled: nm.MarkovModel) -> None:
    """With posterior=True the standard errors are wider and the shares match the posterior mean of the exact answer."""
    plain = bundled.simulate(40_000, start="conditional", seed=3)
    post = bundled.simulate(40_000, start="conditional", seed=3, posterior=True, posterior_draws=200)
    assert post.posterior_draws == 200
    assert post.draw_counts is not None
    assert post.draw_counts.sum() == post.finished
    assert post.n == sum(post.counts.values()) + post.unfinished
    oi = bundled.outcome_intervals("conditional", draws=4000, seed=4)
    for o in bundled.outcomes:
        assert post.standard_errors[o] >= plain.standard_errors[o]
        mc_error = math.sqrt(post.standard_errors[o] ** 2 + oi.samples[:, bundled.outcomes.index(o)].var() / 4000)
        assert abs(post.probabilities[o] - oi.posterior_means[o]) <= 4 * mc_error
    again = bundled.simulate(40_000, start="conditional", seed=3, posterior=True, posterior_draws=200)
    assert np.array_equal(again.final, post.final)


# -- uncertainty --------------------------------------------------------------------------------------


def test_credible_intervals_bracket_the_estimates(bundled: nm.MarkovModel) -> None:
    """With prior 1 every allowed move's interval lies in [0, 1] and contains its posterior mean."""
    ci = bundled.credible_intervals(level=0.9, draws=4000, seed=0)
    assert ci.level == 0.9
    i, j = np.nonzero(bundled.allowed)
    assert (ci.low[i, j] >= 0).all()
    assert (ci.low[i, j] <= bundled.matrix[i, j]).all()
    assert (bundled.matrix[i, j] <= ci.high[i, j]).all()
    assert (ci.high[i, j] <= 1).all()
    assert len(ci.to_dict()["moves"]) == int(bundled.allowed.sum())
    assert "credible interval" in ci.to_table()
    assert ci == bundled.credible_intervals(level=0.9, draws=4000, seed=0)


def test_outcome_intervals_propagate_the_posterior(bundled: nm.MarkovModel) -> None:
    """Each draw is a distribution over outcomes; intervals are ordered and in range; the plug-in value is reported."""
    oi = bundled.outcome_intervals("conditional", level=0.9, draws=1000, seed=1)
    assert oi.samples.shape == (1000, len(bundled.outcomes))
    np.testing.assert_allclose(oi.samples.sum(axis=1), 1.0, atol=1e-9)
    assert dict(oi.probabilities) == pytest.approx(dict(bundled.outcome_probabilities("conditional")))
    for o in bundled.outcomes:
        lo, hi = oi.intervals[o]
        assert 0 <= lo <= oi.posterior_means[o] <= hi <= 1
    lo, hi = oi.steps_interval
    assert 1 <= lo <= hi
    assert oi.expected_steps == pytest.approx(bundled.expected_steps("conditional"))
    assert "from conditional" in oi.to_table()
    assert oi.to_dict()["start"] == "conditional"


def test_more_data_narrows_the_intervals(toy_machine: nm.PatternMachine) -> None:
    """Ten copies of the episodes give a narrower interval than one copy (the posterior concentrates)."""
    eps = [toy_episode("e1", EP1), toy_episode("e2", EP2)]
    few = nm.MarkovModel.fit(toy_machine, eps)
    many = nm.MarkovModel.fit(toy_machine, eps * 10)
    lo1, hi1 = few.outcome_intervals("open", draws=500).intervals["deal"]
    lo2, hi2 = many.outcome_intervals("open", draws=500).intervals["deal"]
    assert hi2 - lo2 < hi1 - lo1


# -- knobs ------------------------------------------------------------------------------------------------


def test_with_probability_leaves_the_original_model_unchanged(bundled: nm.MarkovModel) -> None:
    """A knob returns a new model; the old one keeps its matrix and has no knobs."""
    before = bundled.matrix.copy()
    new = bundled.with_probability("conditional", "provoked", 0.9)
    assert new is not bundled
    assert bundled.knobs == ()
    assert np.array_equal(bundled.matrix, before)
    assert new.knobs == (nm.Knob("conditional", "provoked", 0.9),)
    assert new.probability("conditional", "provoked") == pytest.approx(0.9)
    assert new != bundled


def test_with_probability_renormalises_the_rest_of_the_row_in_proportion(toy: nm.MarkovModel) -> None:
    """The other moves of the row keep their ratios and share 1 - p; other rows are untouched."""
    new = toy.with_probability("open", "tense", 0.5)
    # before: tense 2/6, deal 3/6, break 1/6 -> deal and break share 0.5 as 3:1
    assert new.probability("open", "deal") == pytest.approx(0.375)
    assert new.probability("open", "break") == pytest.approx(0.125)
    i = toy.index("open")
    others = [k for k in range(len(toy.states)) if k != i]
    assert np.array_equal(new.matrix[others], toy.matrix[others])


def test_scaled_multiplies_and_caps_at_one(toy: nm.MarkovModel) -> None:
    """scaled() multiplies the move's probability, capped at 1, and renormalises the rest."""
    double = toy.scaled("open", "tense", 2.0)
    assert double.probability("open", "tense") == pytest.approx(4 / 6)
    assert double.scaled("open", "tense", 10.0).probability("open", "tense") == 1.0
    assert toy.scaled("open", "tense", 0.0).probability("open", "tense") == 0.0
    np.testing.assert_allclose(double.matrix.sum(axis=1), 1.0)


def test_a_set_knob_pins_the_move_in_every_posterior_draw(toy: nm.MarkovModel) -> None:
    """Knobs apply to the posterior draws: a set probability has a zero-width interval, the rest still varies."""
    new = toy.with_probability("open", "tense", 0.25)
    ci = new.credible_intervals(draws=500)
    assert ci.interval("open", "tense") == pytest.approx((0.25, 0.25))
    lo, hi = ci.interval("open", "deal")
    assert lo < hi <= 0.75 + 1e-12


def test_sweep_tabulates_the_exact_answer_at_each_value(bundled: nm.MarkovModel) -> None:
    """Each sweep row equals with_probability(...).outcome_probabilities at that value."""
    values = [0.0, 0.25, 0.5, 1.0]
    s = bundled.sweep("conditional", "provoked", values, start="conditional")
    assert s.values == tuple(values)
    assert s.intervals is None
    for v, probs in s.rows:
        expected = bundled.with_probability("conditional", "provoked", v).outcome_probabilities("conditional")
        assert dict(probs) == pytest.approx(dict(expected))
    assert len(s.column("summit")) == len(values)
    assert s.to_dict()["rows"][0]["value"] == 0.0
    assert "P(conditional -> provoked)" in s.to_table()


def test_sweep_with_intervals_brackets_each_row(toy: nm.MarkovModel) -> None:
    """With intervals=True every row has an interval per outcome, in [0, 1]."""
    s = toy.sweep("open", "tense", [0.0, 0.5, 0.9], start="open", intervals=True, draws=300)
    assert s.intervals is not None
    assert s.level == 0.9
    for row in s.intervals:
        for o in toy.outcomes:
            lo, hi = row[o]
            assert 0 <= lo <= hi <= 1
    assert "interval" in s.to_table()
    assert "intervals" in s.to_dict()["rows"][0]


# -- property tests ---------------------------------------------------------------------------------------

priors = st.floats(min_value=0.05, max_value=50.0, allow_nan=False)
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(prior=priors)
def test_outcome_probabilities_are_a_distribution_equal_to_an_independent_solve(
    toy_machine: nm.PatternMachine, prior: float
) -> None:
    """For any prior, exact outcome probabilities sum to 1 and equal the test's own solve."""
    m = nm.MarkovModel.fit(toy_machine, [toy_episode("e1", EP1)], prior=prior)
    names, b, steps = independent_solution(m)
    for i, s in enumerate(names):
        p = m.outcome_probabilities(s)
        assert sum(p.values()) == pytest.approx(1.0)
        assert all(0 <= v <= 1 for v in p.values())
        assert [p[o] for o in m.outcomes] == pytest.approx(b[i].tolist(), abs=1e-9)
        assert m.expected_steps(s) == pytest.approx(steps[i], rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(p=probabilities)
def test_with_probability_sets_the_move_and_keeps_rows_stochastic(toy: nm.MarkovModel, p: float) -> None:
    """Any p in [0, 1] is set exactly, rows still sum to 1, and the original is unchanged."""
    new = toy.with_probability("open", "deal", p)
    assert new.probability("open", "deal") == pytest.approx(p)
    np.testing.assert_allclose(new.matrix.sum(axis=1), 1.0, atol=1e-12)
    assert ((new.matrix >= 0) & (new.matrix <= 1)).all()
    dead_end = ~new.allowed.any(axis=1)  # outcome rows with no move keep themselves
    assert (new.matrix[~new.allowed & ~np.diag(dead_end)] == 0).all()
    assert toy.knobs == ()
    if p < 1:
        ratio = new.probability("open", "tense") / new.probability("open", "break")
        assert ratio == pytest.approx(toy.probability("open", "tense") / toy.probability("open", "break"))


@settings(max_examples=40, deadline=None)
@given(factor=st.floats(min_value=0.0, max_value=20.0, allow_nan=False))
def test_scaled_never_leaves_zero_one(toy: nm.MarkovModel, factor: float) -> None:
    """Any non-negative factor gives a probability in [0, 1] and rows that sum to 1."""
    new = toy.scaled("open", "tense", factor)
    assert new.probability("open", "tense") == pytest.approx(min(1.0, factor * toy.probability("open", "tense")))
    np.testing.assert_allclose(new.matrix.sum(axis=1), 1.0, atol=1e-12)


@st.composite
def random_chains(draw: st.DrawFn) -> nm.MarkovModel:
    """Draw a small random chain whose every transient state can reach the first outcome."""
    n_transient = draw(st.integers(1, 5))
    n_outcomes = draw(st.integers(1, 3))
    n = n_transient + n_outcomes
    allowed = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))).reshape(n, n)
    allowed[:n_transient, n_transient] = True  # a way out from every transient state
    allowed[n_transient:] = False
    counts = np.array(draw(st.lists(st.integers(0, 5), min_size=n * n, max_size=n * n))).reshape(n, n)
    counts = np.where(allowed, counts, 0)
    states = [f"t{i}" for i in range(n_transient)] + [f"o{i}" for i in range(n_outcomes)]
    return nm.MarkovModel.from_counts(
        states, counts, outcomes=states[n_transient:], allowed=allowed, prior=draw(priors)
    )


@settings(max_examples=40, deadline=None)
@given(model=random_chains())
def test_random_chains_respect_the_mask_and_solve_exactly(model: nm.MarkovModel) -> None:
    """On random chains: rows sum to 1, disallowed moves are 0, and the exact answer matches the test's solve."""
    np.testing.assert_allclose(model.matrix.sum(axis=1), 1.0, atol=1e-12)
    assert (model.matrix[~model.allowed & ~np.eye(len(model.states), dtype=bool)] == 0).all()
    names, b, _ = independent_solution(model)
    for i, s in enumerate(names):
        p = model.outcome_probabilities(s)
        assert [p[o] for o in model.outcomes] == pytest.approx(b[i].tolist(), abs=1e-9)


@settings(max_examples=15, deadline=None)
@given(model=random_chains(), seed=st.integers(0, 2**32 - 1))
def test_simulation_never_loses_a_chain(model: nm.MarkovModel, seed: int) -> None:
    """Every chain ends in an outcome or is counted as unfinished, and outcome-reaching chains took >= 1 step."""
    r = model.simulate(500, start=model.states[0], seed=seed)
    assert sum(r.counts.values()) + r.unfinished == 500
    assert (r.steps[r.final >= 0] >= 1).all()
    assert ((r.final >= -1) & (r.final < len(model.outcomes))).all()


# -- bad arguments ---------------------------------------------------------------------------------------


def test_an_unknown_state_is_a_key_error_listing_the_states(bundled: nm.MarkovModel) -> None:
    """Every method that takes a state name says which names exist."""
    calls = [
        lambda: bundled.outcome_probabilities("nowhere"),
        lambda: bundled.expected_steps("nowhere"),
        lambda: bundled.outcome_probabilities("conditional", outcomes=["nowhere"]),
        lambda: bundled.simulate(10, start="nowhere"),
        lambda: bundled.with_probability("nowhere", "provoked", 0.5),
        lambda: bundled.with_probability("conditional", "nowhere", 0.5),
        lambda: bundled.scaled("nowhere", "provoked", 2.0),
        lambda: bundled.sweep("conditional", "nowhere", [0.5]),
        lambda: bundled.probability("nowhere", "summit"),
        lambda: bundled.credible_intervals(draws=10).interval("nowhere", "summit"),
    ]
    for call in calls:
        with pytest.raises(KeyError, match="nowhere") as info:
            call()
        assert "conditional" in str(info.value)


def test_an_unknown_outcome_in_fit_is_a_key_error(machine: nm.PatternMachine) -> None:
    """fit(outcomes=...) must name states of the machine."""
    with pytest.raises(KeyError, match="peace"):
        nm.MarkovModel.fit(machine, [nm.load_episode("japan-dprk-2023-24")], outcomes=["peace"])


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan, math.inf, "0.5", True])
def test_a_probability_outside_zero_one_is_refused(bundled: nm.MarkovModel, p: object) -> None:
    """with_probability needs a number in [0, 1]."""
    with pytest.raises(nm.DefinitionError, match="conditional -> provoked"):
        bundled.with_probability("conditional", "provoked", p)  # type: ignore[arg-type]


def test_a_negative_factor_is_refused(bundled: nm.MarkovModel) -> None:
    """scaled needs a factor >= 0."""
    with pytest.raises(nm.DefinitionError, match="at least 0"):
        bundled.scaled("conditional", "provoked", -1.0)


@pytest.mark.parametrize("n", [0, -5, 1.5, True, "10"])
def test_a_number_of_chains_that_is_not_positive_is_refused(bundled: nm.MarkovModel, n: object) -> None:
    """simulate needs a positive integer n."""
    with pytest.raises(ValueError, match="n: expected an integer >= 1"):
        bundled.simulate(n)  # type: ignore[arg-type]


def test_bad_simulation_settings_are_refused(bundled: nm.MarkovModel) -> None:
    """max_steps, posterior_draws and seed are checked."""
    with pytest.raises(ValueError, match="max_steps"):
        bundled.simulate(10, max_steps=0)
    with pytest.raises(ValueError, match="posterior_draws"):
        bundled.simulate(10, posterior=True, posterior_draws=0)
    with pytest.raises(ValueError, match="seed"):
        bundled.simulate(10, seed=-1)


@pytest.mark.parametrize("outcome", ["summit", "door_slammed"])
def test_an_absorbing_start_is_refused(bundled: nm.MarkovModel, outcome: str) -> None:
    """Starting in an outcome state is an error in every analysis."""
    for call in (
        lambda: bundled.outcome_probabilities(outcome),
        lambda: bundled.expected_steps(outcome),
        lambda: bundled.simulate(10, start=outcome),
        lambda: bundled.outcome_intervals(outcome),
        lambda: bundled.sweep("conditional", "provoked", [0.5], start=outcome),
    ):
        with pytest.raises(ValueError, match="outcome state"):
            call()


def test_an_empty_episode_list_is_refused(machine: nm.PatternMachine) -> None:
    """fit needs at least one episode."""
    with pytest.raises(nm.DefinitionError, match="no episodes"):
        nm.MarkovModel.fit(machine, [])


def test_something_else_than_an_episode_is_refused(machine: nm.PatternMachine) -> None:
    """fit names the item that is not an Episode."""
    with pytest.raises(TypeError, match=r"episodes\[1\]"):
        nm.MarkovModel.fit(machine, [nm.load_episode("japan-dprk-2023-24"), "japan-dprk-2002"])  # type: ignore[list-item]


@pytest.mark.parametrize("prior", [0, -1.0, math.nan, math.inf, "1", True])
def test_a_prior_that_is_not_positive_is_refused(machine: nm.PatternMachine, prior: object) -> None:
    """The Dirichlet prior must be a finite number > 0."""
    with pytest.raises(nm.DefinitionError, match="prior"):
        nm.MarkovModel.fit(machine, [nm.load_episode("japan-dprk-2023-24")], prior=prior)  # type: ignore[arg-type]


def test_a_move_the_machine_does_not_allow_is_refused(bundled: nm.MarkovModel) -> None:
    """A knob on a move with no transition (or on a self-loop of a jump-chain model) names the allowed moves."""
    with pytest.raises(nm.DefinitionError, match="conditional -> dormant is not allowed") as info:
        bundled.with_probability("conditional", "dormant", 0.5)
    assert "provoked" in str(info.value)
    with pytest.raises(nm.DefinitionError, match="self_loops=True"):
        bundled.scaled("conditional", "conditional", 2.0)


def test_a_row_that_cannot_be_renormalised_is_refused(toy: nm.MarkovModel) -> None:
    """Lowering a move whose row has no other mass left (or no other move) cannot give a row that sums to 1."""
    pinned = toy.with_probability("tense", "open", 1.0)
    assert pinned.probability("tense", "break") == 0.0
    with pytest.raises(nm.DefinitionError, match="cannot be renormalised"):
        pinned.with_probability("tense", "open", 0.5)
    with pytest.raises(nm.DefinitionError, match="cannot be renormalised"):
        toy.with_probability("break", "idle", 0.5)  # the only move out of break
    with pytest.raises(nm.DefinitionError, match="cannot be renormalised"):
        pinned.scaled("tense", "open", 0.5)


def test_bad_levels_and_draws_are_refused(bundled: nm.MarkovModel) -> None:
    """Interval levels must be in (0, 1) and draws at least 2."""
    for level in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match="level"):
            bundled.credible_intervals(level=level)
        with pytest.raises(ValueError, match="level"):
            bundled.outcome_intervals("conditional", level=level)
    with pytest.raises(ValueError, match="draws"):
        bundled.credible_intervals(draws=1)
    with pytest.raises(ValueError, match="level"):
        bundled.simulate(100, seed=0).confidence_intervals(level=2)


def test_bad_sweeps_are_refused(bundled: nm.MarkovModel) -> None:
    """A sweep needs values, each a probability."""
    with pytest.raises(ValueError, match="no values"):
        bundled.sweep("conditional", "provoked", [])
    with pytest.raises(nm.DefinitionError, match="between 0 and 1"):
        bundled.sweep("conditional", "provoked", [0.5, 2.0])


def test_from_counts_checks_its_tables() -> None:
    """Shapes, negative counts and counts on disallowed moves are refused with a clear message."""
    with pytest.raises(nm.DefinitionError, match="2 x 2"):
        nm.MarkovModel.from_counts(["a", "b"], [[1, 2, 3]], outcomes=["b"])
    with pytest.raises(nm.DefinitionError, match="non-negative"):
        nm.MarkovModel.from_counts(["a", "b"], [[-1, 2], [0, 0]], outcomes=["b"])
    with pytest.raises(nm.DefinitionError, match="a -> a"):
        nm.MarkovModel.from_counts(["a", "b"], [[1, 2], [0, 0]], outcomes=["b"], allowed=[[0, 1], [0, 0]])
    with pytest.raises(nm.DefinitionError, match="no outcome"):
        nm.MarkovModel.from_counts(["a", "b"], [[0, 2], [0, 0]], outcomes=[])


def test_the_result_records_are_exported() -> None:
    """The model, the knob and the result records are public names of the package."""
    for name in ("Knob", "MarkovModel", "OutcomeIntervals", "SimulationResult", "SweepResult", "TransitionIntervals"):
        assert name in nm.__all__


def test_models_that_differ_only_in_knobs_share_posterior_draws(toy: nm.MarkovModel) -> None:
    """The posterior draws depend on the seed and the fit, not the knobs: a no-op knob gives the same samples."""
    a = toy.outcome_intervals("open", draws=300, seed=9)
    b = toy.scaled("open", "tense", 1.0).outcome_intervals("open", draws=300, seed=9)
    np.testing.assert_allclose(a.samples, b.samples, atol=1e-12)
    c = toy.with_probability("open", "tense", 0.0).outcome_intervals("open", draws=300, seed=9)
    assert (c.samples[:, 0] >= a.samples[:, 0] - 1e-12).all()  # never provoking never lowers the odds of a deal
