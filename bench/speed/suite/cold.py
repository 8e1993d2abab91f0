"""P4: process start -> /health 200, trials interleaved across the service and its peers."""

from __future__ import annotations

import statistics
from typing import Any

from bench.peers.servers import Server
from bench.speed.suite.context import Suite


def measure(suite: Suite) -> None:
    """Process start -> /health 200, trials interleaved across servers."""
    trials = 1 if suite.quick else suite.args.cold_trials
    servers = suite.peer_servers()
    times: dict[str, list[float]] = {s.name: [] for s in servers}
    for trial in range(trials):
        for server in servers:
            fresh = Server(server.name, server.kind, server.command, server.env,
                           server.log_path)
            try:
                times[server.name].append(round(fresh.start(), 3))
            finally:
                fresh.stop()
            suite.log(f"cold start {server.name} #{trial + 1}: {times[server.name][-1]} s")
    out: dict[str, Any] = {
        name: {"trials_s": t, "median_s": round(statistics.median(t), 3)}
        for name, t in times.items()
    }
    if "baseline" in out:
        out["ratio_service_over_baseline"] = round(
            out["service"]["median_s"] / out["baseline"]["median_s"], 3)
    suite.results["cold_start"] = out
