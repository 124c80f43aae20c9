#!/usr/bin/env python3
"""Summarizes one bench/run directory: the median of the repetitions of each scenario and
server, their spread ((max - min) / median), and our ratio to each peer; writes
summary.json and table.md beside the per-run JSON files written by `wsharness bench`.

    python3 bench/summarize.py bench/results/<run>
"""
import json
import statistics
import sys
from pathlib import Path

SERVERS = ["ours", "raw", "tungstenite", "fastwebsockets", "node"]
TITLES = {
    "ours": "ours (websocket-driver)",
    "raw": "raw TCP echo",
    "tungstenite": "tokio-tungstenite",
    "fastwebsockets": "fastwebsockets",
    "node": "Node ws",
}
SCENARIOS = ["16B-1x1", "16B-64x16", "1KiB-64x8", "64KiB-8x2", "1MiB-4x1", "16MiB-1x1"]
# Server CPU per message published in the issue (uWebSockets, same shape of test): quoted,
# NOT measured here (uWebSockets.js is not on the npm registry this machine can reach).
UWS_QUOTED_US = {"16B-64x16": 0.24, "1KiB-64x8": 0.64, "64KiB-8x2": 15.3, "16MiB-1x1": 12100.0}
UWS_QUOTED_IDLE_KIB = 0.3


def fmt_us(us):
    if us is None:
        return "–"
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    if us >= 100:
        return f"{us:.0f} µs"
    return f"{us:.2f} µs"


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med * 100 if med else 0.0
    return {"median": med, "spread_pct": spread, "n": len(values), "values": values}


def load_runs(run_dir):
    runs = {}
    for path in sorted(run_dir.glob("load-*.json")):
        # load-<scenario>-<server>-<rep>.json; the scenario name holds dashes itself.
        stem = path.stem[len("load-"):]
        rest, _rep = stem.rsplit("-", 1)
        scenario, server = rest.rsplit("-", 1)
        runs.setdefault((scenario, server), []).append(json.loads(path.read_text()))
    return runs


def summarize(run_dir):
    runs = load_runs(run_dir)
    summary = {"env": (run_dir / "env.txt").read_text() if (run_dir / "env.txt").exists() else "",
               "load": {}, "idle": {}}
    for (scenario, server), reps in runs.items():
        summary["load"].setdefault(scenario, {})[server] = {
            "server_us_per_msg": stats([r["server"]["us_per_msg"] if r.get("server") else None for r in reps]),
            "server_cores": stats([r["server"]["cores"] if r.get("server") else None for r in reps]),
            "msgs_per_s": stats([r["msgs_per_s"] for r in reps]),
            "mb_per_s": stats([r["mb_per_s"] for r in reps]),
            "p50_us": stats([r["latency_us"]["p50"] for r in reps]),
            "p99_us": stats([r["latency_us"]["p99"] for r in reps]),
            "own_us_per_msg": stats([r["own"]["us_per_msg"] for r in reps]),
            "own_cores": stats([r["own"]["cores"] for r in reps]),
        }
    for path in sorted(run_dir.glob("idle-*.json")):
        report = json.loads(path.read_text())
        summary["idle"][report["label"]] = report
    return summary


def med(summary, scenario, server, key):
    s = summary["load"].get(scenario, {}).get(server, {}).get(key)
    return s["median"] if s else None


def cell(summary, scenario, server, key, fmt):
    s = summary["load"].get(scenario, {}).get(server, {}).get(key)
    if not s:
        return "–"
    spread = f" ±{s['spread_pct'] / 2:.0f}%" if s["n"] > 1 else ""
    return fmt(s["median"]) + spread


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


def table(summary):
    servers = [s for s in SERVERS if any(s in v for v in summary["load"].values())]
    peers = [s for s in servers if s not in ("ours", "raw")]
    scenarios = [s for s in SCENARIOS if s in summary["load"]]
    out = []
    env = summary["env"].strip().splitlines()
    out += ["```", *env, "```", ""]
    out += ["Server CPU per echoed message (median of the repetitions, ± half the spread "
            "max−min; lower is better). Scenario = payload-connections x depth.", ""]
    head = ["scenario"] + [TITLES[s] for s in servers] + ["uWebSockets (issue, **not measured here**)"]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for sc in scenarios:
        row = [sc] + [cell(summary, sc, s, "server_us_per_msg", fmt_us) for s in servers]
        row.append(fmt_us(UWS_QUOTED_US.get(sc)) if sc in UWS_QUOTED_US else "–")
        out.append("| " + " | ".join(row) + " |")
    out += ["", "Ratio of our server CPU per message to each (below 1: we use less).", ""]
    head = ["scenario"] + [f"ours / {TITLES[s]}" for s in ["raw"] + peers if s in servers] + ["ours / best peer"]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for sc in scenarios:
        ours = med(summary, sc, "ours", "server_us_per_msg")
        row = [sc] + [ratio(ours, med(summary, sc, s, "server_us_per_msg"))
                      for s in ["raw"] + peers if s in servers]
        best = [med(summary, sc, s, "server_us_per_msg") for s in peers]
        best = [b for b in best if b]
        row.append(ratio(ours, min(best)) if best else "–")
        out.append("| " + " | ".join(row) + " |")
    out += ["", "Throughput (echoes per second, median) and latency p50 / p99 (median).", ""]
    head = ["scenario"] + [TITLES[s] for s in servers]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for sc in scenarios:
        row = [sc]
        for s in servers:
            m = med(summary, sc, s, "msgs_per_s")
            p50 = med(summary, sc, s, "p50_us")
            p99 = med(summary, sc, s, "p99_us")
            row.append("–" if m is None else f"{m:,.0f}/s, {fmt_us(p50)} / {fmt_us(p99)}")
        out.append("| " + " | ".join(row) + " |")
    out += ["", "The load generator's own CPU per message (median over all servers' runs).", ""]
    out += ["| scenario | wsharness bench µs/msg | cores |", "|---|---|---|"]
    for sc in scenarios:
        own = [med(summary, sc, s, "own_us_per_msg") for s in servers]
        cores = [med(summary, sc, s, "own_cores") for s in servers]
        own = [o for o in own if o is not None]
        cores = [c for c in cores if c is not None]
        out.append(f"| {sc} | {fmt_us(statistics.median(own))} | {statistics.median(cores):.2f} |")
    if summary["idle"]:
        out += ["", "Server memory with idle connections (VmRSS growth / connections).", ""]
        out += ["| server | connections | RSS before | RSS after | KiB per connection |", "|---|---|---|---|---|"]
        for s in SERVERS:
            r = summary["idle"].get(s)
            if r:
                out.append(f"| {TITLES[s]} | {r['connections']} | {r['rss_before_kib']} KiB | "
                           f"{r['rss_after_kib']} KiB | {r['kib_per_conn']:.2f} |")
        out.append(f"| uWebSockets (issue, **not measured here**) | 10000 | | | {UWS_QUOTED_IDLE_KIB} |")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py RUN_DIR")
    run_dir = Path(sys.argv[1])
    summary = summarize(run_dir)
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    text = table(summary)
    (run_dir / "table.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
