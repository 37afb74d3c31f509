"""Compare the bundled what-if scenarios drawn from Asmolov's article, side by side.

Run it with ``python examples/compare_scenarios.py``. It

1. lists the bundled scenarios (``nm.list_scenarios()``) with the changes
   each makes to the fitted model or to the episodes it is fitted on;
2. compares them all against ``baseline`` (``nm.compare_scenarios``): for
   each, the exact probability that a summit or a slammed door comes first,
   the expected number of state changes until then, and credible intervals
   from the posterior of the fitted model (the data are a handful of
   episodes: read the intervals before the point estimates);
3. says, for each scenario, how the odds of a summit move against the
   baseline from the same start, over paired posterior draws.
"""

from __future__ import annotations

import negotiation_model as nm


def main() -> None:
    """Print the scenarios, the comparison table, and the change in the odds of a summit."""
    print("Bundled scenarios:")
    for scenario_id in nm.list_scenarios():
        s = nm.load_scenario(scenario_id)
        print(f"  {s.id} (from {s.start}): {s.describe_changes()}")
    print()

    comparison = nm.compare_scenarios(nm.list_scenarios(), reference="baseline", draws=2000, seed=0)
    print(comparison.to_table())

    for result in comparison.results:
        if result.id == "baseline":
            continue
        low, high = result.difference_interval("summit")
        print(
            f"{result.id}: P(summit) {result.difference('summit'):+.3f} against the baseline from {result.start!r} "
            f"({comparison.level:.0%} interval {low:+.3f} to {high:+.3f}; "
            f"higher in {result.share_higher('summit'):.0%} of the posterior draws)"
        )


if __name__ == "__main__":
    main()
