"""What if Tokyo had not raised the abductees? A counterfactual replay and a fitted Markov model.

Run it with ``python examples/what_if_2023_24.py``. It

1. replays the bundled 2023-24 episode through the door-slam pattern;
2. replays it again without Tokyo's red-line statements (and, through
   ``responds_to``, the answers to them) and shows where the two traces part;
3. fits a Markov model to every bundled Japan-DPRK episode and reports the
   odds of a summit once Pyongyang has set its precondition, with a credible
   interval (the data are a handful of episodes: read the interval first);
4. checks the exact answer against a Monte Carlo run;
5. sweeps the initiator's propensity to raise the red line after a
   precondition (``conditional -> provoked``) from 0 to 1.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

import negotiation_model as nm


def red_line_raised_by_initiator(episode: nm.Episode) -> Callable[[nm.Event], bool]:
    """Return a predicate for the initiator's statements on the red-line issue."""

    def predicate(event: nm.Event) -> bool:
        return (
            event.kind is nm.EventKind.ISSUE_RAISED
            and episode.touches_red_line(event)
            and episode.role_of(event.actor) is nm.Role.INITIATOR
        )

    return predicate


def main() -> None:
    """Print the counterfactual, the fitted odds with their uncertainty, and the sweep."""
    machine = nm.door_slam_pattern()
    episode = nm.load_episode("japan-dprk-2023-24")
    history = machine.replay(episode)
    print(f"== {episode.title}")
    print(f"history: {' -> '.join(history.path)}")
    print(f"final state {history.final_state!r}, completed cycles: {len(history.cycles)}\n")

    # -- 1. the counterfactual: no red-line statements by Tokyo, nor the answers to them
    predicate = red_line_raised_by_initiator(episode)
    counterfactual = episode.without(where=predicate, cascade=True)
    # A new id, so that the comparison's columns say which trace is which.
    counterfactual = attrs.evolve(counterfactual, id=f"{episode.id} without red line")
    dropped = [e.id for e in episode.events if e.id not in set(counterfactual.event_ids)]
    what_if = machine.replay(counterfactual)
    comparison = nm.compare(history, what_if)
    print("== without Tokyo's red-line statements (cascade over responds_to)")
    print(f"dropped {len(dropped)} events: {', '.join(dropped)}")
    print(f"counterfactual: {' -> '.join(what_if.path)}")
    print(f"final states: history {comparison.final_states[0]!r}, counterfactual {comparison.final_states[1]!r}")
    if comparison.first_divergence is not None:
        event_id, before, after = comparison.first_divergence
        print(f"first divergence at {event_id}: {before} in history, {after or '(dropped)'} in the what-if")
    print()
    print(comparison.to_table())

    # -- 2. the stochastic model, fitted on every bundled Japan-DPRK episode
    ids = [i for i in nm.list_episodes() if i.startswith("japan-dprk")]
    model = nm.MarkovModel.fit(machine, [nm.load_episode(i) for i in ids], prior=1.0)
    print(f"== Markov model fitted on {len(ids)} episodes ({', '.join(ids)})")
    print(model.to_table())
    print("The data are tiny: each row rests on a few moves, so the intervals are wide.\n")
    print(model.credible_intervals(level=0.9).to_table())

    odds = model.outcome_intervals("conditional", level=0.9)
    lo, hi = odds.intervals["summit"]
    print("== once Pyongyang has set its precondition (state 'conditional')")
    print(odds.to_table())
    print(
        f"P(summit before the door slams) = {odds.probabilities['summit']:.2f} "
        f"(90% credible interval {lo:.2f} - {hi:.2f})\n"
    )

    # -- 3. Monte Carlo, against the exact answer
    run = model.simulate(200_000, start="conditional", seed=2024)
    print("== Monte Carlo, 200,000 chains from 'conditional' (seed 2024)")
    print(run.to_table())
    exact = model.outcome_probabilities("conditional")
    for outcome, p in exact.items():
        z = (run.probabilities[outcome] - p) / run.standard_errors[outcome]
        print(f"{outcome}: exact {p:.4f}, simulated {run.probabilities[outcome]:.4f} ({z:+.1f} standard errors)")
    print()

    # -- 4. the policy knob: how often Tokyo raises the red line after a precondition
    values = [i / 10 for i in range(11)]
    sweep = model.sweep("conditional", "provoked", values, start="conditional", intervals=True, draws=500)
    print("== sweep of P(conditional -> provoked), the rest of the row renormalised")
    print(sweep.to_table())
    summit = sweep.column("summit")
    print(f"P(summit) goes from {summit[0]:.2f} (never raise it) to {summit[-1]:.2f} (always raise it).")


if __name__ == "__main__":
    main()
