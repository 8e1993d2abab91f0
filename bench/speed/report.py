"""Render a suite result (bench/results/suite-*.json) as the Markdown tables of RESULTS.md.

    python -m bench.speed.report bench/results/suite-20261129-0100.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

GOALS = {
    "P1": ("service c4 / baseline c4", 2.0, ">="),
    "P1c": ("service c4 / PaddleX serving c4", 1.5, ">="),
    "P1b": ("service c4 / in-process engine loop", 0.95, ">="),
    "P4": ("cold start, service (s)", 3.0, "<="),
    "P5": ("RSS after 160 requests, service / baseline", 0.35, "<="),
}


def _verdict(value: float | None, goal: float, op: str) -> str:
    if value is None:
        return "not measured"
    ok = value >= goal if op == ">=" else value <= goal
    return "**met**" if ok else "**not met**"


def _cores(values: list[float] | None) -> str:
    if not values:
        return "–"
    return f"{min(values):.2f}–{max(values):.2f}"


def _f(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def render(r: dict[str, Any]) -> str:
    """The Markdown report of one run."""
    out = [f"- Date: {r['date']}. Machine: {r['machine']}. Commit {r['commit']}"
           f"{' (app/ had local changes)' if r.get('dirty_app') else ''}.",
           f"- Files ({len(r['files'])}): {', '.join(r['files'])}."]
    peers = r.get("peers", {})
    engine = r.get("engine", {})
    cold = r.get("cold_start", {})
    values = {
        "P1": peers.get("P1_service_c4_over_baseline_c4"),
        "P1c": peers.get("P1c_service_c4_over_paddlex_c4"),
        "P1b": engine.get("P1b_service_c4_over_engine"),
        "P4": cold.get("service", {}).get("median_s"),
        "P5": peers.get("P5_rss_service_over_baseline"),
    }
    out += ["", "| goal | what | measured | target | |", "|---|---|---|---|---|"]
    for key, (what, goal, op) in GOALS.items():
        out.append(f"| {key} | {what} | {_f(values[key])} | {op} {goal} | "
                   f"{_verdict(values[key], goal, op)} |")

    if peers:
        out += ["", "### Service vs peers (P1, P1c, P5, latency)", "",
                "| server | c1 img/s | c1 p50/p95/p99 s | c4 img/s | c4 p50/p95/p99 s | "
                "CER mean | CER pooled | unstable files | errors | RSS MiB at end | "
                "RSS growth, 2nd half | other CPU (cores) |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, s in peers.items():
            if not isinstance(s, dict) or "c1" not in s:
                continue
            c1, c4, q = s["c1"], s["c4"], s["quality"]
            out.append(
                f"| {name} | {_f(c1['images_per_s'])} | {_f(c1.get('p50_s'), 2)} / "
                f"{_f(c1.get('p95_s'), 2)} / {_f(c1.get('p99_s'), 2)} | "
                f"{_f(c4['images_per_s'])} | {_f(c4.get('p50_s'), 2)} / "
                f"{_f(c4.get('p95_s'), 2)} / {_f(c4.get('p99_s'), 2)} | "
                f"{_f(q['cer_mean'], 4)} | {_f(q['cer_pooled'], 4)} | "
                f"{s['stability']['unstable']} of {s['stability']['files']} "
                f"({s['stability']['answers']} answers) | {s['errors']} | "
                f"{s['rss_final_mib']:.0f} | {s['rss_growth_second_half_mib']:+.0f} | "
                f"{_cores(c1['other_cores'] + c4['other_cores'])} |")
        probe = peers.get("baseline-nolock")
        if probe:
            c4 = probe["c4"]
            out += ["", f"The seed design exactly (no lock), 4 clients, once through the files: "
                    f"{c4['ok']}/{c4['requests']} answered, crashed: {probe['crashed']}, "
                    f"statuses {probe['statuses']}, wrong answers (text differing from its "
                    f"own one-client answer) for {probe['wrong_answer_files'] or 'no file'}."]
        out += ["", "RSS trace (requests served, MiB):", ""]
        for name, s in peers.items():
            if isinstance(s, dict) and "rss_trace_mib" in s:
                trace = ", ".join(f"{n}: {m:.0f}" for n, m in s["rss_trace_mib"])
                out.append(f"- {name}: {trace}")
        out += ["", "Per-file CER:", "",
                "| file | " + " | ".join(n for n in peers if isinstance(peers[n], dict)
                                         and "quality" in peers[n]) + " |"]
        names = [n for n in peers if isinstance(peers[n], dict) and "quality" in peers[n]]
        out[-1] = "| file | " + " | ".join(names) + " |"
        out.append("|---|" + "---|" * len(names))
        files = peers[names[0]]["quality"]["per_file"]
        for f in files:
            cells = [_f(peers[n]["quality"]["per_file"].get(f), 4) for n in names]
            out.append(f"| {f} | " + " | ".join(cells) + " |")

    if cold:
        out += ["", "### Cold start (P4): process start -> /health 200", "",
                "| server | trials (s) | median (s) |", "|---|---|---|"]
        for name, c in cold.items():
            if isinstance(c, dict):
                out.append(f"| {name} | {', '.join(f'{t:.2f}' for t in c['trials_s'])} | "
                           f"{c['median_s']:.2f} |")

    if engine:
        e = engine["engine_loop"]
        s = engine["service_c4"]
        out += ["", "### Service vs in-process engine (P1b)", "",
                "| run | img/s | per run | CER mean | CER pooled | other CPU |",
                "|---|---|---|---|---|---|",
                f"| engine loop | {_f(e['images_per_s'])} | {e['runs']} | "
                f"{_f(e['quality']['cer_mean'], 4)} | {_f(e['quality']['cer_pooled'], 4)} | "
                f"{_cores([c['other_cores'] for c in e['cpu']])} |",
                f"| service c4 | {_f(s['images_per_s'])} | – | – | – | "
                f"{_cores(s['other_cores'])} |"]
        out += ["", "### Detector size policy, in-process (same engine)", "",
                "| policy | img/s | ÷ max960 | CER mean | CER pooled | other CPU |",
                "|---|---|---|---|---|---|"]
        for name, p in engine.get("det_policies", {}).items():
            out.append(f"| {name} | {_f(p['images_per_s'])} | {_f(p['ratio_vs_max960'])} | "
                       f"{_f(p['quality']['cer_mean'], 4)} | "
                       f"{_f(p['quality']['cer_pooled'], 4)} | "
                       f"{_cores([c['other_cores'] for c in p['cpu']])} |")

    levers = r.get("levers", {})
    if levers:
        out += ["", "### Service settings at 4 clients (interleaved with the default)", "",
                "| setting | env | img/s | ÷ default | runs | p50 / p99 s | CER mean | "
                "CER pooled | unstable | other CPU |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for name, v in levers.items():
            env = " ".join(f"{k}={val}" for k, val in v["env"].items()) or "(defaults)"
            out.append(
                f"| {name} | `{env}` | {_f(v['images_per_s'])} | {_f(v['ratio_vs_default'])} | "
                f"{v['runs_images_per_s']} | {_f(v.get('p50_s'), 2)} / "
                f"{_f(v.get('p99_s'), 2)} | {_f(v['quality']['cer_mean'], 4)} | "
                f"{_f(v['quality']['cer_pooled'], 4)} | {v['stability']['unstable']} | "
                f"{_cores(v['other_cores'])} |")

    o = r.get("overload")
    if o:
        rej, acc = o.get("rejected", {}), o.get("accepted_latency", {})
        out += ["", "### Overload (P7)", "",
                f"Open loop at {o['rate_per_s']:.2f} requests/s (4 x measured capacity "
                f"{o['capacity_images_per_s']:.2f} img/s) for {o['seconds']:.0f} s, "
                f"OCR_MAX_QUEUE={o['max_queue']}: {o['sent']} sent, {o['accepted']} accepted, "
                f"{o['rejected_503']} refused with 503, {o['other_errors']} other errors "
                f"{o['other_statuses'] or ''}. Other CPU: {o['cpu']['other_cores']} cores.", "",
                "| | p50 | p95 | p99 | max |", "|---|---|---|---|---|",
                f"| refused (503) | {_f(rej.get('p50_s'))} | {_f(rej.get('p95_s'))} | "
                f"{_f(rej.get('p99_s'))} | {_f(rej.get('max_s'))} |",
                f"| accepted | {_f(acc.get('p50_s'), 2)} | {_f(acc.get('p95_s'), 2)} | "
                f"{_f(acc.get('p99_s'), 2)} | {_f(acc.get('max_s'), 2)} |", "",
                f"Queue bound: {o['max_queue']} pages / {o['capacity_images_per_s']:.2f} img/s "
                f"= {o['queue_bound_s']} s of waiting at most, plus the request's own pages."]
    return "\n".join(out) + "\n"


def main() -> None:
    """Print the report of the file given (or the newest suite-*.json)."""
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
    else:
        results = Path(__file__).resolve().parents[1] / "results"
        path = max(results.glob("suite-2*.json"), key=lambda p: p.stat().st_mtime)
    print(render(json.loads(path.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
