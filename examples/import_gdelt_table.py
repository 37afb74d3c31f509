"""Import a GDELT-style table of CAMEO-coded events, replay it on the door-slam pattern, export a pm4py log.

The table below is a small, made-up sample in GDELT's column layout (the
URLs are placeholders on example.org): Tokyo offers a summit (CAMEO 036),
Pyongyang sets terms (1042), Tokyo raises the abductees (1053), Pyongyang
rejects talks (125). Rows between other countries are dropped; a row whose
code the codebook does not map (138, a threat of force) is reported.

Run it with ``python examples/import_gdelt_table.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import negotiation_model as nm

TABLE = """\
GLOBALEVENTID,SQLDATE,Actor1Name,Actor1CountryCode,Actor2Name,Actor2CountryCode,EventCode,GoldsteinScale,SOURCEURL
1,20230527,FUMIO KISHIDA,JPN,NORTH KOREA,PRK,036,4.0,https://example.org/2023/05/27/offer
2,20230528,UNITED STATES,USA,JAPAN,JPN,040,1.0,https://example.org/2023/05/28/consult
3,20230529,PAK SANG GIL,PRK,JAPAN,JPN,1042,-5.0,https://example.org/2023/05/29/terms
4,20230601,NORTH KOREA,PRK,JAPAN,JPN,138,-7.0,https://example.org/2023/06/01/threat
5,20240216,YOSHIMASA HAYASHI,JPN,NORTH KOREA,PRK,1053,-5.0,https://example.org/2024/02/16/abductees
6,20240326,KIM YO JONG,PRK,JAPAN,JPN,125,-5.0,https://example.org/2024/03/26/rejects
"""


def main() -> None:
    """Import the table, replay it, export it as a pm4py event log and print a summary."""
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "gdelt-sample.csv"
        table.write_text(TABLE, encoding="utf-8")

        result = nm.from_event_table(table, actors=("JPN", "PRK"), red_line="abductees")
        episode = result.episode
        print(f"imported {len(episode)} events as {episode.id!r} ({result.style} columns)")
        print(f"  dropped {result.outside_dyad} row(s) outside the dyad")
        for row in result.unmapped:
            print(f"  unmapped: row {row.row}, CAMEO {row.cameo}")

        trace = nm.door_slam_pattern().replay(episode)
        for event in episode.events:
            codes = nm.effective_codes(event)
            print(f"  {event.date_text}  {event.actor}  {event.kind.value:<13} CAMEO {codes.cameo:<5} {codes.plover}")
        print(f"final state: {trace.final_state}; completed cycles: {len(trace.cycles)}; fitness {trace.fitness:.2f}")

        log = nm.export_episode(episode, Path(tmp) / "log.pm4py.csv")
        lines = log.read_text(encoding="utf-8").splitlines()
        print(f"pm4py event log: {len(lines) - 1} rows; columns {lines[0].split(',')[:4]}")


if __name__ == "__main__":
    main()
