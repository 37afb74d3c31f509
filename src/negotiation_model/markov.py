"""Markov models of a pattern: transition probabilities fitted to replayed episodes.

:meth:`MarkovModel.fit` replays episodes through a
:class:`~negotiation_model.PatternMachine`, counts the moves between states,
and estimates each state's next-move probabilities with a symmetric
Dirichlet prior spread over the moves the machine allows (and only those).
The data are tiny (a handful of episodes, a few dozen moves), so every
estimate comes with its uncertainty: :meth:`MarkovModel.credible_intervals`
for the transition probabilities, :meth:`MarkovModel.outcome_intervals` for
the odds of each outcome.

Exact answers come from absorbing-chain algebra: the outcome states
(``summit`` and ``door_slammed`` by default) are made absorbing, and the
fundamental matrix gives which outcome is reached first
(:meth:`MarkovModel.outcome_probabilities`) and how many moves it takes
(:meth:`MarkovModel.expected_steps`). :meth:`MarkovModel.simulate` runs the
same chain as a vectorised, seeded Monte Carlo that agrees with the exact
answer within its confidence intervals.

Policy knobs (:meth:`MarkovModel.with_probability`,
:meth:`MarkovModel.scaled`) change one move's probability and renormalise
the rest of its row; :meth:`MarkovModel.sweep` turns a knob across a range
and tabulates the outcome odds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from .episode import Episode
from .errors import DefinitionError
from .events import FrozenMap

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from .machine import PatternMachine

__all__ = [
    "Knob",
    "MarkovModel",
    "OutcomeIntervals",
    "SimulationResult",
    "SweepResult",
    "TransitionIntervals",
]

#: Largest number of floats held at once by a chunk of posterior draws.
_DRAW_BUDGET = 8_000_000
#: Largest sampling table (entries) built for ``simulate(posterior=True)``.
_TABLE_BUDGET = 4_000_000
#: How far an exact solution's outcome probabilities may sum from 1.
_SUM_TOLERANCE = 1e-6
#: States listed in an error message before the rest are counted.
_MAX_LISTED = 12

# -- small records ------------------------------------------------------------------


def _is_number(value: object) -> bool:
    """Return True for a real number (not a bool, not a string)."""
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def _check_knob_kind(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
    if value not in ("set", "scale"):
        raise DefinitionError(f"knob kind: expected 'set' or 'scale', got {value!r}")


@attrs.frozen
class Knob:
    """A policy knob: one move's probability set or scaled, the rest of its row renormalised.

    Attributes:
        source: The state the move leaves.
        target: The state it enters.
        value: The probability (``kind="set"``, in [0, 1]) or the factor
            (``kind="scale"``, at least 0; the result is capped at 1).
        kind: ``"set"`` or ``"scale"``.

    Examples:
        >>> Knob("conditional", "provoked", 0.25).describe()
        'P(conditional -> provoked) = 0.25'
        >>> Knob("conditional", "provoked", 2.0, kind="scale").describe()
        'P(conditional -> provoked) x 2'
    """

    source: str
    target: str
    value: float
    kind: Literal["set", "scale"] = attrs.field(default="set", kw_only=True, validator=_check_knob_kind)

    def __attrs_post_init__(self) -> None:
        v = self.value
        if not _is_number(v) or not math.isfinite(v):
            raise DefinitionError(f"knob on {self.source} -> {self.target}: expected a finite number, got {v!r}")
        object.__setattr__(self, "value", float(v))
        if self.kind == "set" and not 0.0 <= v <= 1.0:
            raise DefinitionError(
                f"knob P({self.source} -> {self.target}) = {v!r}: a probability must be between 0 and 1"
            )
        if self.kind == "scale" and v < 0:
            raise DefinitionError(f"knob P({self.source} -> {self.target}) x {v!r}: the factor must be at least 0")

    def describe(self) -> str:
        """Return the knob in words, e.g. ``"P(conditional -> provoked) = 0.25"``."""
        op = "=" if self.kind == "set" else "x"
        return f"P({self.source} -> {self.target}) {op} {self.value:g}"


def _frozen_array(value: ArrayLike, dtype: Any) -> NDArray[Any]:
    """Return a read-only copy of ``value`` as a numpy array of ``dtype``."""
    a = np.array(value, dtype=dtype, copy=True)
    a.setflags(write=False)
    return a


def _bool_array(value: ArrayLike) -> NDArray[np.bool_]:
    return _frozen_array(value, bool)


def _float_array(value: ArrayLike) -> NDArray[np.float64]:
    return _frozen_array(value, np.float64)


def _int16_array(value: ArrayLike) -> NDArray[np.int16]:
    return _frozen_array(value, np.int16)


def _int32_array(value: ArrayLike) -> NDArray[np.int32]:
    return _frozen_array(value, np.int32)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _knob_tuple(value: Iterable[Knob]) -> tuple[Knob, ...]:
    return tuple(value)


def _as_names(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _array_eq() -> Any:
    return attrs.cmp_using(eq=np.array_equal)


# -- the model --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MarkovModel:
    """A Markov chain over a pattern's states, fitted to replayed episodes.

    Build one with :meth:`fit` (from a machine and episodes) or
    :meth:`from_counts` (from a table of counts). The model is immutable:
    knobs return new models. Every probability it reports is the posterior
    mean under a symmetric Dirichlet prior over the allowed moves; the data
    behind it are a handful of episodes, so read the intervals
    (:meth:`credible_intervals`, :meth:`outcome_intervals`) before the
    point estimates.

    Attributes:
        states: The states, in the machine's order.
        initial: The default start (the machine's initial state).
        outcomes: The outcome states, made absorbing in the analyses.
        allowed: ``allowed[i, j]`` is true when the move ``states[i] ->
            states[j]`` is possible (the machine has such a transition).
            Disallowed moves have probability zero, a priori and a posteriori.
        counts: ``counts[i, j]``: how often the move was seen in the data.
        prior: The symmetric Dirichlet prior (a pseudo-count added to every
            allowed move).
        knobs: Policy knobs, applied in order after the fit.
        self_loops: Whether moves that keep the state count as steps (by
            default only state changes do: the embedded jump chain).
        episodes: Ids of the episodes fitted (provenance).
        machine: The machine's name (provenance), or ``None``.
        matrix: The transition matrix, derived: posterior mean of each row,
            then the knobs. Rows sum to 1; a state with no allowed move
            (a dead end) keeps itself with probability 1.

    Raises:
        DefinitionError: When the parts do not fit together (shapes, a
            prior that is not positive, counts on disallowed moves, a knob on
            a disallowed move or one that leaves a row that cannot be
            renormalised).
        KeyError: When the initial state, an outcome or a knob names an
            unknown state.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), [nm.load_episode("japan-dprk-2023-24")])
        >>> m.outcomes
        ('summit', 'door_slammed')
        >>> p = m.outcome_probabilities("conditional")
        >>> round(sum(p.values()), 9)
        1.0
        >>> m.probability("conditional", "dormant")  # the machine has no such move
        0.0
    """

    states: tuple[str, ...] = attrs.field(converter=_str_tuple)
    initial: str
    outcomes: tuple[str, ...] = attrs.field(converter=_as_names)
    allowed: NDArray[np.bool_] = attrs.field(converter=_bool_array, eq=_array_eq(), hash=False, repr=False)
    counts: NDArray[np.float64] = attrs.field(converter=_float_array, eq=_array_eq(), hash=False, repr=False)
    prior: float = 1.0
    knobs: tuple[Knob, ...] = attrs.field(default=(), converter=_knob_tuple)
    self_loops: bool = False
    episodes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    machine: str | None = None
    matrix: NDArray[np.float64] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _index: Mapping[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    # Exact solutions already computed, by (start, outcomes): the model never changes, so they hold.
    _solved: dict[tuple[str | None, tuple[str, ...] | None], tuple[tuple[str, ...], NDArray[np.float64]]] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", FrozenMap({s: i for i, s in enumerate(self.states)}))
        _check_model(self)
        object.__setattr__(self, "matrix", _mean_matrix(self))

    # -- building -------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        machine: PatternMachine,
        episodes: Episode | Iterable[Episode],
        prior: float = 1.0,
        *,
        self_loops: bool = False,
        outcomes: Iterable[str] | None = None,
    ) -> MarkovModel:
        """Fit transition probabilities to episodes replayed through a machine.

        Each episode is replayed (``machine.replay(episode)``) and every
        conforming step is counted as a move from its source state to its
        target state; deviations (events no transition takes) are left out.
        By default only state-changing steps count, so the model is the
        embedded jump chain and "steps" means state changes. A row's
        probabilities are the posterior mean of a Dirichlet with parameter
        ``count + prior`` on each move the machine allows and zero elsewhere.

        The bundled data are a handful of episodes: most rows rest on a few
        moves, and the prior matters. Report :meth:`credible_intervals` and
        :meth:`outcome_intervals` along with any point estimate.

        Args:
            machine: The pattern machine.
            episodes: The episodes (one episode is accepted too).
            prior: The symmetric Dirichlet pseudo-count, > 0 (1.0: uniform
                over each row's allowed moves before the data).
            self_loops: Also count the steps that keep the state (the
                machine's self-loop transitions become allowed moves).
            outcomes: The outcome states (default: ``machine.outcomes``).

        Returns:
            The fitted model.

        Raises:
            DefinitionError: When there are no episodes, the prior is not a
                positive number, or there are no outcome states.
            KeyError: When an outcome is not a state of the machine.
            TypeError: When an item of ``episodes`` is not an Episode.
        """
        eps = [episodes] if isinstance(episodes, Episode) else list(episodes)
        if not eps:
            raise DefinitionError(f"MarkovModel.fit on {machine.name!r}: no episodes to fit (give at least one)")
        for i, ep in enumerate(eps):
            if not isinstance(ep, Episode):
                raise TypeError(f"MarkovModel.fit: episodes[{i}] is a {type(ep).__name__}, expected an Episode")
        names = machine.state_names
        index = {s: i for i, s in enumerate(names)}
        n = len(names)
        allowed = np.zeros((n, n), dtype=bool)
        for t in machine.transitions:
            if self_loops or not t.is_self_loop:
                allowed[index[t.source], index[t.target]] = True
        counts = np.zeros((n, n), dtype=np.float64)
        for ep in eps:
            trace = machine.replay(ep)
            states = trace.state_indices.astype(np.intp)
            took = trace.transition_indices >= 0
            src, dst = states[:-1][took], states[1:][took]
            if not self_loops:
                moved = src != dst
                src, dst = src[moved], dst[moved]
            np.add.at(counts, (src, dst), 1.0)
        return cls(
            states=names,
            initial=machine.initial,
            outcomes=machine.outcomes if outcomes is None else outcomes,
            allowed=allowed,
            counts=counts,
            prior=prior,
            self_loops=self_loops,
            episodes=tuple(ep.id for ep in eps),
            machine=machine.name,
        )

    @classmethod
    def from_counts(
        cls,
        states: Sequence[str],
        counts: ArrayLike,
        *,
        outcomes: Iterable[str],
        prior: float = 1.0,
        allowed: ArrayLike | None = None,
        initial: str | None = None,
    ) -> MarkovModel:
        """Build a model from a table of move counts (no machine, no replay).

        Args:
            states: The state names.
            counts: A square table, ``counts[i][j]`` moves from ``states[i]``
                to ``states[j]`` (non-negative; pseudo-counts may be fractional).
            outcomes: The outcome states.
            prior: The symmetric Dirichlet pseudo-count, > 0.
            allowed: Which moves are possible (a boolean table); default: every move.
            initial: The default start (default: the first state).

        Raises:
            DefinitionError: When the tables have the wrong shape, counts are
                negative or sit on disallowed moves, or the prior is not positive.
            KeyError: When an outcome or the initial state is unknown.

        Examples:
            >>> m = MarkovModel.from_counts(["a", "win", "lose"], [[0, 3, 1], [0, 0, 0], [0, 0, 0]],
            ...                             outcomes=["win", "lose"], allowed=[[0, 1, 1], [0, 0, 0], [0, 0, 0]])
            >>> dict(m.outcome_probabilities("a"))
            {'win': 0.6666666666666666, 'lose': 0.3333333333333333}
        """
        names = tuple(states)
        try:
            table = np.asarray(counts, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DefinitionError(f"from_counts: counts: expected a square table of numbers ({exc})") from None
        if allowed is None:
            mask = np.ones(table.shape, dtype=bool)
        else:
            try:
                mask = np.asarray(allowed, dtype=bool)
            except (TypeError, ValueError) as exc:
                raise DefinitionError(f"from_counts: allowed: expected a square table of booleans ({exc})") from None
        return cls(
            states=names,
            initial=(names[0] if names else "") if initial is None else initial,
            outcomes=outcomes,
            allowed=mask,
            counts=table,
            prior=prior,
        )

    # -- lookups ----------------------------------------------------------------------

    def index(self, state: str) -> int:
        """Return a state's position in :attr:`states`.

        Raises:
            KeyError: When the model has no such state (the message lists them).
        """
        try:
            return self._index[state]
        except (KeyError, TypeError):
            raise KeyError(f"{self._name}: no state {state!r} (states: {', '.join(self.states)})") from None

    @property
    def _name(self) -> str:
        return f"Markov model of {self.machine!r}" if self.machine else "Markov model"

    def probability(self, source: str, target: str) -> float:
        """Return the probability of the move ``source -> target`` (knobs applied)."""
        return float(self.matrix[self.index(source), self.index(target)])

    def transition_matrix(self, *, absorbing: bool = False) -> tuple[tuple[str, ...], NDArray[np.float64]]:
        """Return the states and the transition matrix (a fresh copy; rows sum to 1).

        Args:
            absorbing: Make the outcome states absorbing (each keeps itself
                with probability 1), as the exact analyses do. Without it,
                an outcome's row holds what followed it in the data (a door
                slammed, then a new offer).

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> states, p = m.transition_matrix(absorbing=True)
            >>> bool(abs(p.sum(axis=1) - 1).max() < 1e-12), p[states.index("summit"), states.index("summit")]
            (True, np.float64(1.0))
        """
        p = self.matrix.copy()
        if absorbing:
            out = [self._index[o] for o in self.outcomes]
            p[out] = 0.0
            p[out, out] = 1.0
        return self.states, p

    # -- exact analysis -------------------------------------------------------------------

    def outcome_probabilities(
        self, start: str | None = None, outcomes: Iterable[str] | None = None
    ) -> FrozenMap[str, float]:
        """Return, exactly, the probability that each outcome is the first one reached.

        The outcome states are made absorbing and the probabilities come
        from the fundamental matrix ``N = (I - Q)^-1`` of the absorbing
        chain: ``B = N R``, found with one linear solve (no inverse). Only
        the states reachable from ``start`` enter the solve. These are
        plug-in values at the posterior-mean matrix; see
        :meth:`outcome_intervals` for their uncertainty.

        Args:
            start: Where the chain starts (default: :attr:`initial`).
            outcomes: The states that compete to be reached first (default:
                :attr:`outcomes`). Other states, model outcomes included,
                are passed through with their fitted moves.

        Returns:
            A mapping outcome state -> probability, in the order of ``outcomes``.

        Raises:
            KeyError: When ``start`` or an outcome is not a state.
            ValueError: When ``start`` is itself an outcome.
            DefinitionError: When, from ``start``, the chain can enter states
                from which no outcome is reachable (say, after a knob closed
                the only way out); the message names them.

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> p = m.outcome_probabilities("provoked")
            >>> list(p), all(0 <= v <= 1 for v in p.values())
            (['summit', 'door_slammed'], True)
        """
        names, solution = self._exact(start, outcomes)
        return FrozenMap(zip(names, solution[:-1].tolist(), strict=True))

    def expected_steps(self, start: str | None = None, outcomes: Iterable[str] | None = None) -> float:
        """Return, exactly, the expected number of steps until an outcome is reached.

        A step is a state change (or, for a model fitted with
        ``self_loops=True``, any conforming event). Computed as ``N 1`` for
        the fundamental matrix ``N`` of the absorbing chain.

        Args:
            start: Where the chain starts (default: :attr:`initial`).
            outcomes: The absorbing states (default: :attr:`outcomes`).

        Raises:
            KeyError: When ``start`` or an outcome is not a state.
            ValueError: When ``start`` is itself an outcome.
            DefinitionError: When the chain can get stuck short of every
                outcome (see :meth:`outcome_probabilities`).

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> m.expected_steps("provoked") >= 1
            True
        """
        _, solution = self._exact(start, outcomes)
        return float(solution[-1])

    def _outcome_indices(self, outcomes: Iterable[str] | None) -> tuple[tuple[str, ...], NDArray[np.intp]]:
        names = self.outcomes if outcomes is None else _as_names(outcomes)
        if not names:
            raise DefinitionError(f"{self._name}: no outcome states given")
        idx = np.array([self.index(o) for o in names], dtype=np.intp)
        if len(set(names)) != len(names):
            raise DefinitionError(f"{self._name}: outcome states repeat: {', '.join(names)}")
        return names, idx

    def _start_index(self, start: str | None, out_idx: NDArray[np.intp], names: Sequence[str]) -> int:
        start = self.initial if start is None else start
        si = self.index(start)
        if si in out_idx:
            raise ValueError(
                f"{self._name}: the start {start!r} is an outcome state (absorbing); start from a transient "
                f"state (outcomes: {', '.join(names)})"
            )
        return si

    def _chain(
        self, start: str | None, outcomes: Iterable[str] | None
    ) -> tuple[tuple[str, ...], NDArray[np.intp], NDArray[np.intp], int]:
        """Return outcome names and indices, the transient states reachable from start, and start's position."""
        names, out_idx = self._outcome_indices(outcomes)
        si = self._start_index(start, out_idx, names)
        support = self.matrix > 0
        is_out = np.zeros(len(self.states), dtype=bool)
        is_out[out_idx] = True
        reach = _reach(support, np.array([si]), ~is_out)
        trans = np.flatnonzero(reach & ~is_out)
        leads_out = _reach(support.T, out_idx, ~is_out)
        trapped = trans[~leads_out[trans]]
        if trapped.size:
            listed = [self.states[i] for i in trapped[:_MAX_LISTED]]
            more = f" and {trapped.size - _MAX_LISTED} more" if trapped.size > _MAX_LISTED else ""
            raise DefinitionError(
                f"{self._name}: from {self.states[si]!r} the chain can reach states from which no outcome "
                f"({', '.join(names)}) can be reached: {', '.join(listed)}{more}. Their moves never lead out "
                "(a knob may have closed the only way); the outcome probabilities do not sum to 1.",
                culprits=listed,
            )
        return names, out_idx, trans, int(np.searchsorted(trans, si))

    def _exact(self, start: str | None, outcomes: Iterable[str] | None) -> tuple[tuple[str, ...], NDArray[np.float64]]:
        """Return the outcome names and, from ``start``, their probabilities followed by the expected steps."""
        key = (start, None if outcomes is None else _as_names(outcomes))
        if key not in self._solved:
            names, out_idx, trans, pos = self._chain(start, key[1])
            p = self.matrix
            solution = _solve_absorbing(p[np.ix_(trans, trans)], p[np.ix_(trans, out_idx)], self._name)[pos]
            solution.setflags(write=False)
            self._solved[key] = (names, solution)
        return self._solved[key]

    # -- posterior uncertainty ---------------------------------------------------------------

    def credible_intervals(self, level: float = 0.9, draws: int = 4000, seed: int | None = 0) -> TransitionIntervals:
        """Return a credible interval for every transition probability.

        Each row is drawn from its Dirichlet posterior (``count + prior`` on
        each allowed move), the knobs are applied to every draw, and the
        interval is the central ``level`` share of the draws. With a handful
        of episodes these intervals are wide: that is the honest answer.

        Args:
            level: The interval's probability content, in (0, 1).
            draws: How many posterior draws (at least 2).
            seed: Seed for the random draws (the same seed, the same intervals).

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> ci = m.credible_intervals()
            >>> lo, hi = ci.interval("conditional", "provoked")
            >>> 0 <= lo < hi <= 1, ci.interval("conditional", "dormant")
            (True, (0.0, 0.0))
        """
        _check_level(level)
        _check_count("draws", draws, minimum=2)
        rng = _rng(seed)
        n = len(self.states)
        low = np.zeros((n, n))
        high = np.zeros((n, n))
        layout = _Layout.of(self.allowed)
        q = [(1 - level) / 2, (1 + level) / 2]
        per_row = max(1, int(layout.row_sizes.max(initial=1)))
        chunk = max(1, _DRAW_BUDGET // (draws * per_row))
        active = np.flatnonzero(layout.row_sizes > 0)
        for lo in range(0, active.size, chunk):
            rows = active[lo : lo + chunk]
            sub = layout.subset(rows)
            w = self._draw(rng, draws, sub)
            qs = np.quantile(w, q, axis=0)
            low[sub.rows, sub.cols] = qs[0]
            high[sub.rows, sub.cols] = qs[1]
        # A dead end keeps itself: no uncertainty there.
        dead = np.flatnonzero(layout.row_sizes == 0)
        low[dead, dead] = high[dead, dead] = 1.0
        return TransitionIntervals(
            states=self.states, level=level, draws=draws, estimate=self.matrix, low=low, high=high, allowed=self.allowed
        )

    def outcome_intervals(
        self,
        start: str | None = None,
        level: float = 0.9,
        draws: int = 2000,
        seed: int | None = 0,
        *,
        outcomes: Iterable[str] | None = None,
    ) -> OutcomeIntervals:
        """Return the outcome probabilities with credible intervals from the posterior.

        Each posterior draw of the transition matrix (knobs applied) is
        solved exactly, as in :meth:`outcome_probabilities`, all draws at
        once with numpy's batched solve; the interval is the central
        ``level`` share of the solutions. This carries the uncertainty of
        the tiny data into the answer that matters.

        The draws depend only on ``seed``, ``draws`` and the fit (counts,
        prior, allowed moves), not on the knobs or the start: two models
        that differ only in their knobs get the same posterior draws, each
        with its own knobs applied, so their answers can be compared draw
        by draw (``samples``).

        Args:
            start: Where the chain starts (default: :attr:`initial`).
            level: The interval's probability content, in (0, 1).
            draws: How many posterior draws (at least 2).
            seed: Seed for the draws.
            outcomes: The competing outcome states (default: :attr:`outcomes`).

        Raises:
            KeyError, ValueError, DefinitionError: As :meth:`outcome_probabilities`;
                also DefinitionError when some draws are numerically trapped
                (a very small prior can give moves a probability of ~0).

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> oi = m.outcome_intervals("conditional")
            >>> lo, hi = oi.intervals["summit"]
            >>> 0 <= lo <= hi <= 1
            True
        """
        _check_level(level)
        _check_count("draws", draws, minimum=2)
        names, out_idx, trans, pos = self._chain(start, outcomes)
        samples = self._outcome_samples(_rng(seed), draws, trans, out_idx, pos)
        return _outcome_intervals(self, self.states[trans[pos]], names, samples, level)

    def _outcome_samples(
        self,
        rng: np.random.Generator,
        draws: int,
        trans: NDArray[np.intp],
        out_idx: NDArray[np.intp],
        pos: int,
        extra: Knob | None = None,
    ) -> NDArray[np.float64]:
        """Return ``(draws, outcomes + 1)``: per posterior draw, the exact outcome probabilities and expected steps."""
        layout = _Layout.of(self.allowed)
        n = len(self.states)
        k, m = trans.size, out_idx.size
        # Map each allowed entry of a transient row into Q (k x k) or R (k x m).
        row_pos = np.full(n, -1)
        row_pos[trans] = np.arange(k)
        col_out = np.full(n, -1)
        col_out[out_idx] = np.arange(m)
        in_rows = row_pos[layout.rows] >= 0
        to_q = in_rows & (row_pos[layout.cols] >= 0)
        to_r = in_rows & (col_out[layout.cols] >= 0)
        qr, qc = row_pos[layout.rows[to_q]], row_pos[layout.cols[to_q]]
        rr, rc = row_pos[layout.rows[to_r]], col_out[layout.cols[to_r]]
        knobs = self.knobs if extra is None else (*self.knobs, extra)
        # Draw in blocks sized by the layout only, and every row each time: the random
        # stream then depends on the seed, the number of draws and the fitted layout, not
        # on the knobs or the start, so models that differ only in knobs get paired draws
        # (a sweep, or a scenario against its baseline, compares like with like).
        block = max(1, _DRAW_BUDGET // max(layout.size, 1))
        solve_block = max(1, _DRAW_BUDGET // max(k * (k + m), 1))
        out = np.empty((draws, m + 1))
        for lo in range(0, draws, block):
            w = self._draw(rng, min(block, draws - lo), layout, knobs)
            for sub in range(0, w.shape[0], solve_block):
                ws = w[sub : sub + solve_block]
                q = np.zeros((ws.shape[0], k, k))
                r = np.zeros((ws.shape[0], k, m))
                q[:, qr, qc] = ws[:, to_q]
                r[:, rr, rc] = ws[:, to_r]
                at = lo + sub
                out[at : at + ws.shape[0]] = _solve_absorbing(q, r, self._name, posterior=True)[:, pos]
        return out

    def _draw(
        self,
        rng: np.random.Generator,
        size: int,
        layout: _Layout,
        knobs: Sequence[Knob] | None = None,
    ) -> NDArray[np.float64]:
        """Return ``(size, layout.size)`` posterior draws of the layout's entries, knobs applied."""
        alpha = self.counts[layout.rows, layout.cols] + self.prior
        # Gamma(a) = Gamma(a + 1) * U ** (1 / a), taken in logs: small priors give
        # gamma draws that underflow to 0, and a row of zeros cannot be normalised.
        log_g = np.log(rng.standard_gamma(alpha + 1.0, size=(size, layout.size)))
        log_g += np.log1p(-rng.random((size, layout.size))) / alpha
        w = _row_softmax(log_g, layout)
        for knob in self.knobs if knobs is None else knobs:
            s, t = self._index[knob.source], self._index[knob.target]
            seg = layout.segment(s)
            if seg is None:
                continue
            a, b = seg
            at = a + int(np.searchsorted(layout.cols[a:b], t))
            _turn_knob(w, a, b, at, knob, strict=False, name=self._name)
        return w

    # -- Monte Carlo ------------------------------------------------------------------------

    def simulate(
        self,
        n: int,
        *,
        start: str | None = None,
        seed: int | np.random.Generator | None = None,
        max_steps: int = 10_000,
        posterior: bool = False,
        posterior_draws: int = 256,
    ) -> SimulationResult:
        """Run ``n`` independent chains from ``start`` until each reaches an outcome.

        All chains step together: each step draws one uniform number per
        active chain and finds its next state in the cumulative rows
        through a guide table (one lookup, rarely a step forward: the same
        move ``searchsorted`` would pick); chains that reach an outcome
        leave the active set. No Python runs per chain. On a small chain
        one draw takes up to four moves at once: it picks a whole path with
        the probability of taking it move by move, so the result has the
        same distribution at half the cost. A chain that enters a state from which no outcome can
        be reached, or has not finished after ``max_steps`` steps, is
        counted in :attr:`SimulationResult.unfinished`, never dropped.

        Args:
            n: How many chains (> 0).
            start: Where every chain starts (default: :attr:`initial`).
            seed: An int (the same seed, the same result), a numpy
                ``Generator``, or ``None`` for fresh entropy (recorded in the
                result's ``seed``, so the run can be repeated).
            max_steps: Give up on a chain after this many steps.
            posterior: Propagate the parameter uncertainty: draw
                ``posterior_draws`` transition matrices from the posterior
                (knobs applied) and run chain ``i`` on draw ``i %
                posterior_draws``. The spread then includes both the chance
                and the not-knowing.
            posterior_draws: How many posterior matrices (fewer when the
                chain is large, to bound the memory; see the result).

        Returns:
            A :class:`SimulationResult`.

        Raises:
            KeyError: When ``start`` is not a state.
            ValueError: When ``n`` or ``max_steps`` is not a positive
                integer, or ``start`` is an outcome.

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> r = m.simulate(10_000, start="conditional", seed=1)
            >>> r.n, sum(r.counts.values()) + r.unfinished
            (10000, 10000)
            >>> r.counts == m.simulate(10_000, start="conditional", seed=1).counts
            True
        """
        _check_count("n", n, minimum=1)
        _check_count("max_steps", max_steps, minimum=1)
        _check_count("posterior_draws", posterior_draws, minimum=1)
        names, out_idx = self._outcome_indices(None)
        si = self._start_index(start, out_idx, names)
        if isinstance(seed, np.random.Generator):
            rng, recorded = seed, None
        else:
            _check_seed(seed)
            recorded = int(np.random.SeedSequence().entropy) if seed is None else int(seed)  # type: ignore[arg-type]
            rng = np.random.default_rng(recorded)
        ns = len(self.states)
        is_out = np.zeros(ns, dtype=bool)
        is_out[out_idx] = True
        leads_out = _reach((self.matrix > 0).T, out_idx, ~is_out)
        outcome_of = np.full(ns, -1, dtype=np.int16)
        outcome_of[out_idx] = np.arange(out_idx.size)
        if posterior:
            layout = _Layout.of(self.allowed)
            k = max(1, min(posterior_draws, n, _TABLE_BUDGET // max(layout.size, 1)))
            weights = self._draw(rng, k, layout)
            rows, cols = layout.rows, layout.cols
        else:
            k = 1
            rows, cols = np.nonzero(self.matrix)
            weights = self.matrix[rows, cols][None, :]
        if leads_out[si]:
            halts = is_out | ~leads_out
            table = _SamplingTable.build(weights, rows, cols, ns, halts=halts, outcome_of=outcome_of)
            several = _several_moves(weights, rows, cols, ns, halts)
            wide = None
            if several is not None:
                w, r, c, advance, stride = several
                wide = _SamplingTable.build(
                    w, r, c, ns, halts=halts, outcome_of=outcome_of, advance=advance, stride=stride
                )
            final, steps = _run_chains(table, rng, n, si, ns, k, max_steps, wide=wide)
        else:  # no outcome can be reached from the start: every chain is unfinished
            final, steps = np.full(n, -1, dtype=np.int16), np.full(n, -1, dtype=np.int32)
        draw_counts = None
        if posterior:
            finished = final >= 0
            draw = np.arange(n)[finished] % k
            flat = np.bincount(draw * out_idx.size + final[finished], minlength=k * out_idx.size)
            draw_counts = flat.reshape(k, out_idx.size)
        tally = np.bincount(final[final >= 0], minlength=out_idx.size)
        return SimulationResult(
            start=self.states[si],
            n=n,
            counts=FrozenMap(zip(names, (int(c) for c in tally), strict=True)),
            unfinished=int(n - tally.sum()),
            max_steps=max_steps,
            seed=recorded,
            posterior_draws=k if posterior else 0,
            final=final,
            steps=steps,
            draw_counts=draw_counts,
        )

    # -- policy knobs ------------------------------------------------------------------------

    def with_probability(self, source: str, target: str, p: float) -> MarkovModel:
        """Return a new model where the move ``source -> target`` has probability ``p``.

        The other moves of ``source`` keep their proportions and share ``1 -
        p``. The knob is recorded (:attr:`knobs`) and applied to every
        posterior draw too, so the intervals stay meaningful. This model is
        not changed.

        Args:
            source: The state the move leaves.
            target: The state it enters.
            p: The new probability, in [0, 1].

        Raises:
            KeyError: When a state is unknown.
            DefinitionError: When ``p`` is not in [0, 1], the machine does not
                allow the move, or the row cannot be renormalised (``p < 1``
                while the other moves all have probability 0).

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> never = m.with_probability("conditional", "provoked", 0.0)
            >>> never.probability("conditional", "provoked"), m.probability("conditional", "provoked") > 0
            (0.0, True)
        """
        return attrs.evolve(self, knobs=(*self.knobs, Knob(source, target, p)))

    def scaled(self, source: str, target: str, factor: float) -> MarkovModel:
        """Return a new model where the move ``source -> target`` is ``factor`` times as likely (capped at 1).

        The rest of the row is renormalised in proportion, as in
        :meth:`with_probability`; posterior draws are scaled draw by draw.

        Raises:
            KeyError: When a state is unknown.
            DefinitionError: When ``factor`` is negative, the move is not
                allowed, or the row cannot be renormalised.

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> half = m.scaled("conditional", "provoked", 0.5)
            >>> round(half.probability("conditional", "provoked") / m.probability("conditional", "provoked"), 9)
            0.5
        """
        return attrs.evolve(self, knobs=(*self.knobs, Knob(source, target, factor, kind="scale")))

    def sweep(
        self,
        source: str,
        target: str,
        values: Iterable[float],
        *,
        start: str | None = None,
        intervals: bool = False,
        level: float = 0.9,
        draws: int = 1000,
        seed: int | None = 0,
    ) -> SweepResult:
        """Set one move's probability to each of ``values`` and tabulate the outcome odds.

        Args:
            source: The state the move leaves.
            target: The state it enters.
            values: Probabilities to try, each in [0, 1].
            start: Where the chain starts (default: :attr:`initial`).
            intervals: Also compute credible intervals at each value (the same
                posterior draws at every value, so the rows compare fairly).
            level: Their probability content.
            draws: Posterior draws per value.
            seed: Seed for the draws.

        Raises:
            KeyError: When a state is unknown.
            ValueError: When ``values`` is empty or ``start`` is an outcome.
            DefinitionError: When a value is outside [0, 1], the move is not
                allowed, or a row cannot be renormalised.

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> s = m.sweep("conditional", "provoked", [0.0, 0.5, 1.0], start="conditional")
            >>> summit = s.column("summit")
            >>> summit[0] > summit[1] > summit[2]
            True
        """
        knobs = [Knob(source, target, v) for v in values]  # validates every value first
        if not knobs:
            raise ValueError(f"sweep of P({source} -> {target}): no values given")
        vals = tuple(kn.value for kn in knobs)
        models = [attrs.evolve(self, knobs=(*self.knobs, kn)) for kn in knobs]
        probs, steps = [], []
        for model in models:
            names, solution = model._exact(start, None)
            probs.append(FrozenMap(zip(names, solution[:-1].tolist(), strict=True)))
            steps.append(float(solution[-1]))
        names, out_idx = self._outcome_indices(None)
        si = self._start_index(start, out_idx, names)
        bounds = None
        if intervals:
            _check_level(level)
            _check_count("draws", draws, minimum=2)
            bounds = []
            for model, kn in zip(models, knobs, strict=True):
                _, _, trans, pos = model._chain(start, None)
                samples = self._outcome_samples(_rng(seed), draws, trans, out_idx, pos, extra=kn)
                oi = _outcome_intervals(model, self.states[si], names, samples, level)
                bounds.append(oi.intervals)
        return SweepResult(
            source=source,
            target=target,
            start=self.states[si],
            outcomes=names,
            values=vals,
            probabilities=tuple(probs),
            expected_steps=tuple(steps),
            intervals=None if bounds is None else tuple(bounds),
            level=level if intervals else None,
        )

    # -- display -------------------------------------------------------------------------------

    def to_table(self) -> str:
        """Return the allowed moves as a plain-text table: counts seen, probability.

        Examples:
            >>> import negotiation_model as nm
            >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
            >>> m.to_table().splitlines()[0].split()
            ['from', 'to', 'seen', 'probability']
        """
        from .diagrams import text_table

        rows = [
            (self.states[i], self.states[j], f"{self.counts[i, j]:g}", f"{self.matrix[i, j]:.3f}")
            for i, j in zip(*np.nonzero(self.allowed), strict=True)
        ]
        head = text_table(("from", "to", "seen", "probability"), rows)
        notes = [f"prior: {self.prior:g} per allowed move; episodes: {', '.join(self.episodes) or '-'}"]
        notes += [f"knob: {k.describe()}" for k in self.knobs]
        return head + "\n".join(notes) + "\n"


# -- result records -------------------------------------------------------------------


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    if n <= 0:
        return (0.0, 1.0)
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0))
    return (max(0.0, center - half), min(1.0, center + half))


@attrs.frozen(kw_only=True)
class SimulationResult:
    """What a Monte Carlo run of a :class:`MarkovModel` found.

    Attributes:
        start: The state every chain started in.
        n: How many chains ran.
        counts: Outcome state -> how many chains reached it first.
        unfinished: Chains that reached no outcome: they hit ``max_steps``,
            or entered a state from which no outcome can be reached.
        max_steps: The step limit.
        seed: The seed (an int; the entropy drawn when none was given), or
            ``None`` when a numpy Generator was passed.
        posterior_draws: How many posterior matrices the chains shared
            (0: all chains ran on the posterior-mean matrix).
        final: Per chain, the index into ``counts``' keys of the outcome
            reached, or -1 (numpy int16 array).
        steps: Per chain, the steps it took to reach its outcome, or -1 when
            it did not finish (numpy int32 array).
        draw_counts: With posterior draws: ``(posterior_draws, outcomes)``
            counts of each outcome among each draw's chains; else ``None``.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
        >>> r = m.simulate(1000, start="conditional", seed=1)
        >>> r.outcomes, r.finished, r.unfinished
        (('summit', 'door_slammed'), 1000, 0)
        >>> abs(r.probabilities["summit"] - m.outcome_probabilities("conditional")["summit"]) < 0.05
        True
    """

    start: str
    n: int
    counts: FrozenMap[str, int]
    unfinished: int
    max_steps: int
    seed: int | None
    posterior_draws: int
    final: NDArray[np.int16] = attrs.field(eq=False, repr=False, converter=_int16_array)
    steps: NDArray[np.int32] = attrs.field(eq=False, repr=False, converter=_int32_array)
    draw_counts: NDArray[np.int64] | None = attrs.field(eq=False, repr=False, default=None)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Return the outcome states, in order."""
        return tuple(self.counts)

    @property
    def probabilities(self) -> FrozenMap[str, float]:
        """Return each outcome's share of all ``n`` chains (unfinished chains count against every outcome)."""
        return FrozenMap({o: c / self.n for o, c in self.counts.items()})

    def _effective_n(self) -> dict[str, float]:
        """Return each outcome's effective sample size (``n``, or less when chains share posterior draws)."""
        if self.draw_counts is None or self.posterior_draws < 2:
            return dict.fromkeys(self.counts, float(self.n))
        sizes = np.bincount(np.arange(self.n) % self.posterior_draws, minlength=self.posterior_draws)
        per_draw = self.draw_counts / sizes[:, None]
        out = {}
        for j, (o, p) in enumerate(self.probabilities.items()):
            # Chains that share a draw are correlated: the standard error comes from
            # the spread between draws (a cluster-robust estimate), never below the binomial one.
            var = float(np.var(per_draw[:, j], ddof=1)) / self.posterior_draws
            out[o] = min(float(self.n), p * (1 - p) / var) if var > 0 and 0 < p < 1 else float(self.n)
        return out

    @property
    def standard_errors(self) -> FrozenMap[str, float]:
        """Return each outcome probability's standard error.

        ``sqrt(p (1 - p) / n)`` for independent chains; with posterior draws,
        the between-draw (cluster) standard error, which includes the
        parameter uncertainty.
        """
        n_eff = self._effective_n()
        return FrozenMap({o: math.sqrt(p * (1 - p) / n_eff[o]) for o, p in self.probabilities.items()})

    def confidence_intervals(self, level: float = 0.95) -> FrozenMap[str, tuple[float, float]]:
        """Return a Wilson score interval for each outcome probability.

        With posterior draws, the interval uses the effective sample size
        ``p (1 - p) / se**2`` of the cluster standard error.

        Args:
            level: The confidence level, in (0, 1).
        """
        _check_level(level)
        z = statistics.NormalDist().inv_cdf(0.5 + level / 2)
        n_eff = self._effective_n()
        return FrozenMap({o: _wilson(p, n_eff[o], z) for o, p in self.probabilities.items()})

    @property
    def finished(self) -> int:
        """Return how many chains reached an outcome."""
        return self.n - self.unfinished

    @property
    def _done_steps(self) -> NDArray[np.int32]:
        return self.steps[self.steps >= 0]

    @property
    def mean_steps(self) -> float:
        """Return the mean number of steps to an outcome, over the finished chains (nan if none)."""
        s = self._done_steps
        return float(s.mean()) if s.size else math.nan

    @property
    def std_steps(self) -> float:
        """Return the standard deviation of the steps to an outcome, over the finished chains."""
        s = self._done_steps
        return float(s.std(ddof=1)) if s.size > 1 else math.nan

    def step_quantiles(self, q: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> FrozenMap[float, float]:
        """Return quantiles of the steps to an outcome (finished chains), quantile -> steps."""
        qs = [float(x) for x in q]
        if any(not 0 <= x <= 1 for x in qs):
            raise ValueError(f"step_quantiles: quantiles must be in [0, 1], got {list(q)!r}")
        s = self._done_steps
        if not s.size:
            return FrozenMap(dict.fromkeys(qs, math.nan))
        return FrozenMap(zip(qs, np.quantile(s, qs).tolist(), strict=True))

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain data (JSON-ready)."""
        ci = self.confidence_intervals()
        se = self.standard_errors
        return {
            "start": self.start,
            "n": self.n,
            "seed": self.seed,
            "max_steps": self.max_steps,
            "posterior_draws": self.posterior_draws,
            "unfinished": self.unfinished,
            "outcomes": {
                o: {"count": c, "probability": c / self.n, "standard_error": se[o], "ci95": list(ci[o])}
                for o, c in self.counts.items()
            },
            "steps": {
                "mean": self.mean_steps,
                "std": self.std_steps,
                "quantiles": {str(k): v for k, v in self.step_quantiles().items()},
            },
        }

    def to_table(self, level: float = 0.95) -> str:
        """Return the outcome shares with confidence intervals, and the path lengths, as text."""
        from .diagrams import text_table

        ci = self.confidence_intervals(level)
        se = self.standard_errors
        rows = [
            (o, c, f"{c / self.n:.4f}", f"{se[o]:.4f}", f"{ci[o][0]:.4f} - {ci[o][1]:.4f}")
            for o, c in self.counts.items()
        ]
        rows.append(("(unfinished)", self.unfinished, f"{self.unfinished / self.n:.4f}", "", ""))
        table = text_table(("outcome", "chains", "share", "std err", f"{level:.0%} interval"), rows)
        qs = self.step_quantiles((0.05, 0.5, 0.95))
        return table + (
            f"{self.n} chains from {self.start!r}; steps to an outcome: mean {self.mean_steps:.2f}, "
            f"sd {self.std_steps:.2f}, median {qs[0.5]:g}, 90% within {qs[0.05]:g} - {qs[0.95]:g}\n"
        )


@attrs.frozen(kw_only=True)
class TransitionIntervals:
    """Credible intervals for every transition probability of a model.

    Attributes:
        states: The states (rows and columns of the arrays).
        level: The intervals' probability content.
        draws: How many posterior draws they come from.
        estimate: The model's transition matrix (posterior mean, knobs applied).
        low: Lower bounds (numpy array, zero on disallowed moves).
        high: Upper bounds.
        allowed: Which moves are possible.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
        >>> ci = m.credible_intervals(draws=500)
        >>> lo, hi = ci.interval("conditional", "provoked")
        >>> ci.level, ci.draws, lo < m.probability("conditional", "provoked") < hi
        (0.9, 500, True)
    """

    states: tuple[str, ...]
    level: float
    draws: int
    estimate: NDArray[np.float64] = attrs.field(eq=_array_eq(), hash=False, repr=False, converter=_float_array)
    low: NDArray[np.float64] = attrs.field(eq=_array_eq(), hash=False, repr=False, converter=_float_array)
    high: NDArray[np.float64] = attrs.field(eq=_array_eq(), hash=False, repr=False, converter=_float_array)
    allowed: NDArray[np.bool_] = attrs.field(eq=_array_eq(), hash=False, repr=False, converter=_bool_array)

    def interval(self, source: str, target: str) -> tuple[float, float]:
        """Return the interval of the move ``source -> target`` (``(0.0, 0.0)`` for a disallowed move).

        Raises:
            KeyError: When a state is unknown.
        """
        i, j = (_lookup(self.states, s) for s in (source, target))
        return float(self.low[i, j]), float(self.high[i, j])

    def to_dict(self) -> dict[str, Any]:
        """Return the allowed moves' estimates and intervals as plain data."""
        return {
            "level": self.level,
            "draws": self.draws,
            "moves": [
                {
                    "source": self.states[i],
                    "target": self.states[j],
                    "probability": float(self.estimate[i, j]),
                    "low": float(self.low[i, j]),
                    "high": float(self.high[i, j]),
                }
                for i, j in zip(*np.nonzero(self.allowed), strict=True)
            ],
        }

    def to_table(self) -> str:
        """Return the allowed moves with their estimates and intervals as text."""
        from .diagrams import text_table

        rows = [
            (m["source"], m["target"], f"{m['probability']:.3f}", f"{m['low']:.3f} - {m['high']:.3f}")
            for m in self.to_dict()["moves"]
        ]
        return text_table(("from", "to", "probability", f"{self.level:.0%} credible interval"), rows)


@attrs.frozen(kw_only=True)
class OutcomeIntervals:
    """Outcome probabilities from one start, with the posterior's uncertainty.

    Attributes:
        start: The start state.
        level: The intervals' probability content.
        draws: How many posterior draws were solved.
        probabilities: Exact outcome probabilities at the posterior-mean
            matrix (:meth:`MarkovModel.outcome_probabilities`).
        posterior_means: The mean of each outcome probability over the draws
            (with tiny data it can differ from the plug-in value).
        intervals: Outcome -> central credible interval ``(low, high)``.
        expected_steps: Exact expected steps at the posterior-mean matrix.
        steps_interval: Credible interval of the expected steps.
        samples: ``(draws, outcomes)``: each draw's exact outcome probabilities.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
        >>> oi = m.outcome_intervals("conditional", draws=500)
        >>> lo, hi = oi.intervals["summit"]
        >>> oi.start, round(oi.probabilities["summit"], 3), lo < oi.probabilities["summit"] < hi
        ('conditional', 0.349, True)
    """

    start: str
    level: float
    draws: int
    probabilities: FrozenMap[str, float]
    posterior_means: FrozenMap[str, float]
    intervals: FrozenMap[str, tuple[float, float]]
    expected_steps: float
    steps_interval: tuple[float, float]
    samples: NDArray[np.float64] = attrs.field(eq=False, repr=False, converter=_float_array)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain data (JSON-ready)."""
        return {
            "start": self.start,
            "level": self.level,
            "draws": self.draws,
            "outcomes": {
                o: {"probability": p, "posterior_mean": self.posterior_means[o], "interval": list(self.intervals[o])}
                for o, p in self.probabilities.items()
            },
            "expected_steps": {"value": self.expected_steps, "interval": list(self.steps_interval)},
        }

    def to_table(self) -> str:
        """Return the outcome probabilities with their intervals as text."""
        from .diagrams import text_table

        rows = [
            (o, f"{p:.3f}", f"{self.intervals[o][0]:.3f} - {self.intervals[o][1]:.3f}")
            for o, p in self.probabilities.items()
        ]
        lo, hi = self.steps_interval
        rows.append(("(expected steps)", f"{self.expected_steps:.2f}", f"{lo:.2f} - {hi:.2f}"))
        return text_table((f"from {self.start}", "probability", f"{self.level:.0%} credible interval"), rows)


def _outcome_intervals(
    model: MarkovModel, start: str, names: tuple[str, ...], samples: NDArray[np.float64], level: float
) -> OutcomeIntervals:
    q = [(1 - level) / 2, (1 + level) / 2]
    bounds = np.quantile(samples, q, axis=0)
    exact = model._exact(start, names)[1]
    means = samples.mean(axis=0)
    return OutcomeIntervals(
        start=start,
        level=level,
        draws=samples.shape[0],
        probabilities=FrozenMap(zip(names, exact[:-1].tolist(), strict=True)),
        posterior_means=FrozenMap(zip(names, means[:-1].tolist(), strict=True)),
        intervals=FrozenMap((o, (float(bounds[0, j]), float(bounds[1, j]))) for j, o in enumerate(names)),
        expected_steps=float(exact[-1]),
        steps_interval=(float(bounds[0, -1]), float(bounds[1, -1])),
        samples=samples[:, :-1],
    )


@attrs.frozen(kw_only=True)
class SweepResult:
    """Outcome odds as one move's probability is turned across a range.

    Attributes:
        source: The state the move leaves.
        target: The state it enters.
        start: Where the chains start.
        outcomes: The outcome states (the table's columns).
        values: The probabilities tried (the table's rows).
        probabilities: Per value, outcome -> exact probability.
        expected_steps: Per value, the exact expected steps to an outcome.
        intervals: Per value, outcome -> credible interval; ``None`` unless asked for.
        level: The intervals' probability content, or ``None``.

    Examples:
        >>> import negotiation_model as nm
        >>> m = nm.MarkovModel.fit(nm.door_slam_pattern(), nm.load_episode("japan-dprk-2023-24"))
        >>> s = m.sweep("conditional", "provoked", [0.0, 0.5, 1.0], start="conditional")
        >>> s.outcomes, s.values, [round(p, 3) for p in s.column("summit")]
        (('summit', 'door_slammed'), (0.0, 0.5, 1.0), [0.462, 0.294, 0.129])
    """

    source: str
    target: str
    start: str
    outcomes: tuple[str, ...]
    values: tuple[float, ...]
    probabilities: tuple[FrozenMap[str, float], ...]
    expected_steps: tuple[float, ...]
    intervals: tuple[FrozenMap[str, tuple[float, float]], ...] | None = None
    level: float | None = None

    @property
    def rows(self) -> tuple[tuple[float, FrozenMap[str, float]], ...]:
        """Return ``(value, outcome probabilities)`` pairs, one per value."""
        return tuple(zip(self.values, self.probabilities, strict=True))

    def column(self, outcome: str) -> tuple[float, ...]:
        """Return one outcome's probability at each value.

        Raises:
            KeyError: When ``outcome`` is not one of :attr:`outcomes`.
        """
        _lookup(self.outcomes, outcome)
        return tuple(p[outcome] for p in self.probabilities)

    def to_dict(self) -> dict[str, Any]:
        """Return the sweep as plain data (JSON-ready)."""
        rows = []
        for i, v in enumerate(self.values):
            row: dict[str, Any] = {
                "value": v,
                "probabilities": dict(self.probabilities[i]),
                "expected_steps": self.expected_steps[i],
            }
            if self.intervals is not None:
                row["intervals"] = {o: list(b) for o, b in self.intervals[i].items()}
            rows.append(row)
        return {
            "move": [self.source, self.target],
            "start": self.start,
            "outcomes": list(self.outcomes),
            "level": self.level,
            "rows": rows,
        }

    def to_table(self) -> str:
        """Return the sweep as a plain-text table, one row per value."""
        from .diagrams import text_table

        head, rows = self._cells()
        return f"from {self.start!r}:\n" + text_table(head, rows)

    def _cells(self, arrow: str = " -> ") -> tuple[list[str], list[list[str]]]:
        """Return the table's header and rows as text (shared with the command line's table)."""
        head = [f"P({self.source}{arrow}{self.target})"]
        for o in self.outcomes:
            head.append(f"P({o})")
            if self.intervals is not None:
                head.append(f"{self.level:.0%} interval")
        head.append("expected steps")
        rows = []
        for i, v in enumerate(self.values):
            row = [f"{v:.3g}"]
            for o in self.outcomes:
                row.append(f"{self.probabilities[i][o]:.3f}")
                if self.intervals is not None:
                    lo, hi = self.intervals[i][o]
                    row.append(f"{lo:.3f} - {hi:.3f}")
            row.append(f"{self.expected_steps[i]:.2f}")
            rows.append(row)
        return head, rows


# -- internals: layouts, draws, knobs ----------------------------------------------------------


@attrs.frozen
class _Layout:
    """The allowed entries of a matrix, row by row (a CSR pattern without values)."""

    rows: NDArray[np.intp]
    cols: NDArray[np.intp]
    n: int

    @classmethod
    def of(cls, mask: NDArray[np.bool_]) -> _Layout:
        r, c = np.nonzero(mask)
        return cls(r, c, mask.shape[0])

    @property
    def size(self) -> int:
        return int(self.rows.size)

    @property
    def row_sizes(self) -> NDArray[np.intp]:
        return np.bincount(self.rows, minlength=self.n)

    @property
    def starts(self) -> NDArray[np.intp]:
        """Return the position of each non-empty row's first entry."""
        return np.flatnonzero(np.r_[True, self.rows[1:] != self.rows[:-1]]) if self.size else np.empty(0, np.intp)

    def subset(self, rows: NDArray[np.intp]) -> _Layout:
        keep = np.isin(self.rows, rows)
        return _Layout(self.rows[keep], self.cols[keep], self.n)

    def segment(self, row: int) -> tuple[int, int] | None:
        a, b = np.searchsorted(self.rows, [row, row + 1])
        return (int(a), int(b)) if b > a else None


def _row_softmax(log_w: NDArray[np.float64], layout: _Layout) -> NDArray[np.float64]:
    """Return ``exp(log_w)`` normalised within each row of the layout (``log_w``: draws x entries)."""
    if not layout.size:
        return log_w
    starts = layout.starts
    group = np.cumsum(np.r_[0, (layout.rows[1:] != layout.rows[:-1]).astype(np.intp)])
    peak = np.maximum.reduceat(log_w, starts, axis=1)
    w = np.exp(log_w - peak[:, group])
    total = np.add.reduceat(w, starts, axis=1)
    w /= total[:, group]
    return w


def _turn_knob(w: NDArray[np.float64], a: int, b: int, at: int, knob: Knob, *, strict: bool, name: str) -> None:
    """Apply a knob, in place, to the row held in ``w[:, a:b]`` whose move is at column ``at``."""
    seg = w[:, a:b]
    current = w[:, at].copy()
    new = np.full_like(current, knob.value) if knob.kind == "set" else np.minimum(1.0, knob.value * current)
    others = seg.sum(axis=1) - current
    ok = others > 0
    stuck = ~ok & (new < 1)
    if stuck.any() and (strict or b - a < 2):
        raise DefinitionError(
            f"{name}: cannot apply the knob {knob.describe()}: the other moves from {knob.source!r} all have "
            f"probability 0, so the row cannot be renormalised to sum to 1"
        )
    seg *= np.where(ok, (1 - new) / np.where(ok, others, 1.0), 0.0)[:, None]
    if stuck.any():
        # Only draws whose other moves underflowed to 0: share the rest evenly.
        seg[stuck] = ((1 - new[stuck]) / (b - a - 1))[:, None]
    w[:, at] = new


def _mean_matrix(model: MarkovModel) -> NDArray[np.float64]:
    alpha = np.where(model.allowed, model.counts + model.prior, 0.0)
    total = alpha.sum(axis=1)
    dead = total == 0
    p = alpha / np.where(dead, 1.0, total)[:, None]
    p[dead, dead] = 1.0  # a dead end keeps itself
    n = len(model.states)
    flat = p.reshape(1, n * n)
    for knob in model.knobs:
        s, t = model._index[knob.source], model._index[knob.target]
        _turn_knob(flat, s * n, (s + 1) * n, s * n + t, knob, strict=True, name=model._name)
    p = flat.reshape(n, n)
    p.setflags(write=False)
    return p


# -- internals: checks -----------------------------------------------------------------------


def _lookup(names: Sequence[str], name: str) -> int:
    try:
        return list(names).index(name)
    except ValueError:
        raise KeyError(f"no state {name!r} (states: {', '.join(names)})") from None


def _check_model(m: MarkovModel) -> None:
    n = len(m.states)
    where = m._name
    if n == 0:
        raise DefinitionError(f"{where}: no states")
    if len(m._index) != n:
        dupes = sorted({s for s in m.states if m.states.count(s) > 1})
        raise DefinitionError(f"{where}: duplicate states: {', '.join(dupes)}", culprits=dupes)
    for name, a in (("allowed", m.allowed), ("counts", m.counts)):
        if a.shape != (n, n):
            raise DefinitionError(f"{where}: {name}: expected a {n} x {n} table (one row per state), got {a.shape}")
    if not np.isfinite(m.counts).all() or (m.counts < 0).any():
        raise DefinitionError(f"{where}: counts: expected finite, non-negative numbers")
    bad = np.argwhere((m.counts > 0) & ~m.allowed)
    if bad.size:
        moves = [f"{m.states[i]} -> {m.states[j]}" for i, j in bad[:_MAX_LISTED]]
        raise DefinitionError(f"{where}: counts on moves that are not allowed: {', '.join(moves)}", culprits=moves)
    p = m.prior
    if not _is_number(p) or not math.isfinite(p) or p <= 0:
        raise DefinitionError(f"{where}: prior: expected a finite number > 0 (a Dirichlet pseudo-count), got {p!r}")
    object.__setattr__(m, "prior", float(p))
    m.index(m.initial)
    if not m.outcomes:
        raise DefinitionError(f"{where}: no outcome states (give at least one)")
    for o in m.outcomes:
        m.index(o)
    if len(set(m.outcomes)) != len(m.outcomes):
        raise DefinitionError(f"{where}: outcome states repeat: {', '.join(m.outcomes)}")
    for k in m.knobs:
        if not isinstance(k, Knob):
            raise DefinitionError(f"{where}: knobs: expected Knob records, got {k!r}")
        i, j = m.index(k.source), m.index(k.target)
        if not m.allowed[i, j]:
            allowed = [m.states[t] for t in np.flatnonzero(m.allowed[i])]
            hint = "" if i != j or m.self_loops else " (self-loops count only in a model fitted with self_loops=True)"
            raise DefinitionError(
                f"{where}: the move {k.source} -> {k.target} is not allowed by the machine{hint}; from "
                f"{k.source!r} it allows: {', '.join(allowed) or 'nothing'}",
                culprits=[f"{k.source} -> {k.target}"],
            )


def _check_level(level: float) -> None:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level: expected a number strictly between 0 and 1 (e.g. 0.9), got {level!r}")


def _check_count(name: str, value: int, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")


def _check_seed(seed: object) -> None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed: expected a non-negative integer, a numpy Generator or None, got {seed!r}")


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    _check_seed(seed)
    return np.random.default_rng(seed)


# -- internals: algebra --------------------------------------------------------------------------


def _reach(adj: NDArray[np.bool_], seeds: NDArray[np.intp], expandable: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return the states reachable from ``seeds`` along ``adj``, expanding the seeds and ``expandable`` states.

    Breadth first, one frontier at a time: the work is O(states^2) in all.
    """
    seen = np.zeros(adj.shape[0], dtype=bool)
    seen[seeds] = True
    frontier = seeds  # the seeds themselves are always expanded
    while frontier.size:
        new = adj[frontier].any(axis=0) & ~seen
        seen |= new
        frontier = np.flatnonzero(new & expandable)
    return seen


def _solve_absorbing(
    q: NDArray[np.float64], r: NDArray[np.float64], name: str, *, posterior: bool = False
) -> NDArray[np.float64]:
    """Solve ``(I - Q) X = [R, 1]``: per transient state, outcome probabilities then expected steps.

    ``q`` and ``r`` may carry leading batch dimensions (one system per posterior draw).
    """
    k = q.shape[-1]
    a = np.eye(k) - q
    rhs = np.concatenate([r, np.ones((*r.shape[:-1], 1))], axis=-1)
    try:
        x = np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError:
        x = np.full(rhs.shape, np.nan)
    bad = ~np.isfinite(x).all(axis=(-2, -1)) | (np.abs(x[..., :-1].sum(axis=-1) - 1) > _SUM_TOLERANCE).any(axis=-1)
    if np.any(bad):
        what = f"{int(np.sum(bad))} of {bad.size} posterior draws" if posterior else "the transition matrix"
        raise DefinitionError(
            f"{name}: in {what}, some states lead to an outcome only with a probability too small to compute "
            "with (the absorbing chain is numerically singular); a larger prior, or a knob that opens a way "
            "out, avoids it"
        )
    # Clip rounding noise so that probabilities stay in [0, 1].
    x[..., :-1] = np.clip(x[..., :-1], 0.0, 1.0)
    return x


# -- internals: Monte Carlo ------------------------------------------------------------------------


@attrs.frozen
class _SamplingTable:
    """Cumulative rows of one or more transition matrices, with a guide table for O(1) draws.

    Row ``r`` (``draw * states + state``) holds its moves of positive
    probability as entries with cumulative probabilities ``cum`` (the last
    exactly 1); a uniform ``u`` picks the first entry with ``cum > u``. The
    guide table splits [0, 1) into ``buckets`` equal parts and gives, per row
    and part, an entry at or before the answer for every ``u`` in that part,
    so a draw is one lookup plus, rarely, a step or two forward (the "index
    table" method; Devroye, *Non-Uniform Random Variate Generation*, III.2.4).
    Moves of probability zero are left out, so they are never picked.
    """

    cum: NDArray[np.float64]  # per entry: cumulative probability within its row
    guide: NDArray[np.int32]  # per row and bucket: the entry to start from
    buckets: int
    next_row: NDArray[np.int32]  # per entry: the guide offset (row * buckets) of the row it leads to
    halts: NDArray[np.bool_]  # per entry: the target is an outcome or a trap
    outcome: NDArray[np.int16]  # per entry: the target's outcome index, or -1
    advance: NDArray[np.int16]  # per entry: the moves it stands for (1; up to ``stride`` in a wide table)
    stride: int = 1  # the moves a draw makes, unless the chain halts on the way

    @classmethod
    def build(
        cls,
        weights: NDArray[np.float64],
        rows: NDArray[np.intp],
        cols: NDArray[np.intp],
        ns: int,
        *,
        halts: NDArray[np.bool_],
        outcome_of: NDArray[np.int16],
        advance: NDArray[np.int16] | None = None,
        stride: int = 1,
    ) -> _SamplingTable:
        k, length = weights.shape
        keep = (weights > 0).ravel()
        # Global row of each kept entry; rows ascend along the flattened (draw, entry) order.
        row = (np.arange(k)[:, None] * ns + rows).ravel()[keep]
        col = np.broadcast_to(cols, (k, length)).ravel()[keep]
        w = weights.ravel()[keep]
        n_rows = k * ns
        start = np.searchsorted(row, np.arange(n_rows + 1))
        sizes = np.diff(start)
        # Cumulative sums within rows (done per row so that rounding does not accumulate across rows).
        cum = np.cumsum(w)
        before = np.where(start[:-1] > 0, cum[np.maximum(start[:-1] - 1, 0)], 0.0)
        cum -= np.repeat(before, sizes)
        total = np.where(sizes > 0, cum[np.maximum(start[1:] - 1, 0)], 1.0)
        cum /= np.repeat(total, sizes)
        cum[start[1:][sizes > 0] - 1] = 1.0  # each row's last move closes it exactly
        np.minimum(cum, 1.0, out=cum)
        buckets = int(max(1, min(2 * int(sizes.max(initial=1)), _TABLE_BUDGET // max(n_rows, 1))))
        # Entry j is skipped by bucket b when cum_j < b / buckets by a safe margin, so the guide
        # never points past the answer whatever the rounding of u * buckets.
        first_bucket = np.minimum(np.floor(cum * buckets + 1e-6).astype(np.intp) + 1, buckets)
        skipped = np.bincount(row * (buckets + 1) + first_bucket, minlength=n_rows * (buckets + 1))
        skipped = np.cumsum(skipped.reshape(n_rows, buckets + 1)[:, :buckets], axis=1)
        # 32-bit indices halve the memory traffic of the lookups (the table budget keeps them in range).
        guide = (start[:-1, None] + skipped).ravel().astype(np.int32)
        return cls(
            cum=cum,
            guide=guide,
            buckets=buckets,
            next_row=((row - row % ns + col) * buckets).astype(np.int32),  # same draw, the target's row
            halts=halts[col],
            outcome=outcome_of[col],
            advance=np.ones(col.size, np.int16)
            if advance is None
            else np.broadcast_to(advance, (k, length)).ravel()[keep],
            stride=stride,
        )


def _run_chains(
    table: _SamplingTable,
    rng: np.random.Generator,
    n: int,
    start: int,
    ns: int,
    k: int,
    max_steps: int,
    *,
    wide: _SamplingTable | None = None,
) -> tuple[NDArray[np.int16], NDArray[np.int32]]:
    """Step ``n`` chains together; return each chain's outcome index (or -1) and steps (or -1).

    With ``wide`` (a table of several moves at a time, see :func:`_several_moves`),
    the chains take that many moves per draw while ``max_steps`` allows, then
    single moves from ``table``.
    """
    final = np.full(n, -1, dtype=np.int16)
    steps = np.full(n, -1, dtype=np.int32)
    ids = np.arange(n, dtype=np.intp)
    rows = (ids % k) * ns + start
    taken = 0
    for t in (wide, table) if wide is not None else (table,):
        ids, rows, taken = _step_chains(t, rng, ids, rows, taken, max_steps, final, steps)
    return final, steps


def _step_chains(
    table: _SamplingTable,
    rng: np.random.Generator,
    ids: NDArray[np.intp],
    rows: NDArray[np.intp],
    taken: int,
    max_steps: int,
    final: NDArray[np.int16],
    steps: NDArray[np.int32],
) -> tuple[NDArray[np.intp], NDArray[np.intp], int]:
    """Draw the next moves of the chains ``ids`` (in ``rows``) from ``table`` while ``max_steps`` allows.

    Every chain still on its way has made ``taken`` moves; a draw makes
    ``table.stride`` more, or fewer for a chain that halts on the way (its
    entry's ``advance``). Chains that halt are recorded in ``final`` and
    ``steps``. Returns the chains still on their way, their rows, and ``taken``.
    """
    g = table.buckets
    stride = table.stride
    offset = (rows * g).astype(np.int32)
    cum, guide, next_row, halts, outcome = table.cum, table.guide, table.next_row, table.halts, table.outcome
    while ids.size and taken + stride <= max_steps:
        u = rng.random(ids.size)
        # u <= 1 - 2**-53, so u * g rounds to less than g: the bucket stays in the row.
        j = guide[offset + (u * g).astype(np.intp)]
        behind = np.flatnonzero(cum[j] <= u)
        while behind.size:  # the few draws whose bucket holds more than one move
            j[behind] += 1
            behind = behind[cum[j[behind]] <= u[behind]]
        h = halts[j]
        done = np.flatnonzero(h)
        if done.size:
            who = ids[done]
            halted = j[done]
            out = outcome[halted]
            final[who] = out
            steps[who] = np.where(out >= 0, taken + table.advance[halted], -1)
            # Compact: only chains still on their way are stepped again.
            keep = np.flatnonzero(~h)
            j = j[keep]
            ids = ids[keep]
        offset = next_row[j]
        taken += stride
    return ids, (offset // g).astype(np.intp), taken


#: Largest table of several moves at a time (entries, all posterior draws together).
_WIDE_BUDGET = 1 << 16
#: At most this many moves per draw: beyond four, most chains end within one draw anyway.
_MAX_STRIDE = 4


def _several_moves(
    weights: NDArray[np.float64], rows: NDArray[np.intp], cols: NDArray[np.intp], ns: int, halts: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.intp], NDArray[np.int16], int] | None:
    """Return the moves of a chain taken ``stride`` at a time, or None when that table would be too large.

    Each entry is a path of up to ``stride`` moves from a row, with the
    product of their probabilities as its weight, ending where the path ends
    (``cols``) after ``advance`` moves: a path stops early at a state where
    chains halt (an outcome or a trap). Drawing one entry draws the whole
    path, with exactly the probability of taking it one move at a time, so
    a draw does the work of ``stride`` steps (the simulation draws once
    instead of ``stride`` times: fewer numpy passes per move).
    """
    k = weights.shape[0]
    bounds = np.searchsorted(rows, np.arange(ns + 1))
    size = np.diff(bounds)
    w, r, c = weights, rows, cols
    advance = np.ones(rows.size, dtype=np.int16)
    stride = 1
    while stride < _MAX_STRIDE:
        go_on = ~halts[c]  # the paths that have not halted take one more move
        count = np.where(go_on, size[c], 1)
        if k * int(count.sum()) > _WIDE_BUDGET:
            break
        path = np.repeat(np.arange(c.size), count)
        more = go_on[path]
        within = np.arange(path.size) - np.repeat(np.cumsum(count) - count, count)
        move = np.where(more, bounds[c[path]] + within, 0)
        w = w[:, path] * np.where(more, weights[:, move], 1.0)
        r, c = r[path], np.where(more, cols[move], c[path])
        advance = advance[path] + more
        stride += 1
    return None if stride == 1 else (w, r, c, advance, stride)
