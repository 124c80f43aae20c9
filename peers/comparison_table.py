#!/usr/bin/env python3
"""Prints the README's comparison table from the committed peer reports.

    python3 peers/comparison_table.py [REPORTS_DIR]     (default reports/peers)

One row per <agent>-<role>/index.json below REPORTS_DIR: counts per verdict (`behavior`), and
how many closing handshakes were not OK (`behaviorClose`), linked to the HTML report.
"""
import collections
import json
import pathlib
import sys

VERDICTS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]


def main(reports):
    print("| Implementation | Role | Cases | " + " | ".join(VERDICTS) + " | Close not OK | Report |")
    print("|---|---|---:|" + "---:|" * (len(VERDICTS) + 1) + "---|")
    for index in sorted(pathlib.Path(reports).glob("*/index.json")):
        run = index.parent.name
        agent, _, role = run.rpartition("-")
        cases = json.loads(index.read_text()).get(agent, {})
        counts = collections.Counter(c["behavior"] for c in cases.values())
        close = sum(1 for c in cases.values() if c["behaviorClose"] not in ("OK", "INFORMATIONAL"))
        cells = " | ".join(str(counts.get(v, 0)) for v in VERDICTS)
        print(f"| {agent} | {role} | {len(cases)} | {cells} | {close} | [{run}]({index.parent}/index.html) |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reports/peers")
