"""Replay the 2023-24 episode through the door-slam pattern and read the trace.

Run it with ``python examples/replay_2023_24.py``. It loads the bundled
episode, replays it, and prints the step table, the completed cycle, the path
of states, and the who-answered-whom links behind the final refusal.
"""

from __future__ import annotations

import negotiation_model as nm


def main() -> None:
    """Replay japan-dprk-2023-24 and print what the machine saw."""
    episode = nm.load_episode("japan-dprk-2023-24")
    machine = nm.door_slam_pattern()
    trace = machine.replay(episode)

    print(f"{episode.title}")
    print(
        f"initiator {episode.roles.initiator}, respondent {episode.roles.respondent}, red line {episode.red_line!r}\n"
    )
    print(trace.to_table())

    print("path of states:", " -> ".join(trace.path))
    for cycle in trace.cycles:
        stages = ", ".join(
            f"{label} ({e.id}, {e.date_text})" for label, e in zip(cycle.labels, cycle.events, strict=True)
        )
        print("completed cycle:", stages)

    # Who answered whom: the events the final refusals answer, with the recorded reasons.
    graph = episode.response_graph()
    for step in trace.steps:
        if step.event.kind is nm.EventKind.DOOR_SLAMMED:
            for answered in graph.predecessors(step.event.id):
                reason = graph.edges[answered, step.event.id]["reason"]
                print(f"{step.event.id} answers {answered}: {reason}")


if __name__ == "__main__":
    main()
