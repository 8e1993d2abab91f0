"""P1 / P1c / P5 / latency: the service against the seed-style baseline and PaddleX serving.

Interleaved, c1 then c4 until each served ``--rss-requests``; CER per side, answer
stability, RSS trend, and the seed design without its lock at 4 clients.
"""

from __future__ import annotations

from typing import Any

from bench.peers import servers as peer_servers
from bench.peers.servers import Server
from bench.quality.answers import quality, stability
from bench.speed.load import Run, closed_loop
from bench.speed.suite.context import Suite
from bench.speed.suite.figures import pooled, ratio


def measure(suite: Suite) -> None:
    """Service vs peers: c1 pass, then interleaved c4 rounds until --rss-requests each."""
    servers = suite.peer_servers()
    target = len(suite.jobs) + 2 if suite.quick else suite.args.rss_requests
    try:
        for server in servers:
            server.start()
            server.note_rss()
            suite.log(f"{server.name} ready in {server.cold_start_s:.2f} s, "
                      f"{server.rss_trace[-1][1]:.0f} MiB")
        runs: dict[str, list[Run]] = {s.name: [] for s in servers}
        for server in servers:  # c1: latency at one client, first answers for CER
            runs[server.name].append(suite.run(server, suite.jobs, 1, servers))
        # A pass ends when its last file is answered: servers that run several
        # requests at once idle through that tail, serial ones do not. More
        # rounds per pass measure sustained load (--pass-rounds).
        c4_jobs = suite.jobs * (1 if suite.quick else suite.args.pass_rounds)
        while any(s.requests_done < target for s in servers):
            for server in servers:
                left = target - server.requests_done
                if left > 0:
                    jobs = c4_jobs[: min(left, len(c4_jobs))]
                    runs[server.name].append(suite.run(server, jobs, 4, servers))
        out = {s.name: _peer_summary(suite, s, runs[s.name]) for s in servers}
    finally:
        for server in servers:
            server.stop()
    svc = out["service"]
    for peer, key in (("baseline", "P1"), ("paddlex", "P1c")):
        if peer in out:
            out[f"{key}_service_c4_over_{peer}_c4"] = ratio(
                svc["c4"]["images_per_s"], out[peer]["c4"]["images_per_s"])
            out[f"{key}_service_c1_over_{peer}_c1"] = ratio(
                svc["c1"]["images_per_s"], out[peer]["c1"]["images_per_s"])
    if "baseline" in out:
        out["P5_rss_service_over_baseline"] = ratio(
            svc["rss_final_mib"], out["baseline"]["rss_final_mib"])
        if not suite.args.skip_nolock:
            out["baseline-nolock"] = _nolock_probe(suite, runs["baseline"][0])
    suite.results["peers"] = out


def _nolock_probe(suite: Suite, reference: Run) -> dict[str, Any]:
    """The seed design exactly (no lock) at 4 clients: does it survive, answer right?"""
    server = peer_servers.baseline(suite.tmp, lock=False)
    try:
        server.start()
        run = closed_loop(server, suite.jobs, 4, suite.watch(server))
        crashed = server.process is not None and server.process.poll() is not None
    finally:
        server.stop()
    expected = {r.name: r.text for r in reference.ok}
    wrong = sorted({r.name for r in run.ok if r.text != expected.get(r.name, r.text)})
    suite.log(f"baseline-nolock c4: {len(run.ok)}/{len(run.records)} ok, "
              f"crashed {crashed}, wrong answers {wrong}")
    return {
        "c4": run.summary(),
        "crashed": crashed,
        "wrong_answer_files": wrong,
        "statuses": sorted({r.status for r in run.records}),
    }


def _peer_summary(suite: Suite, server: Server, runs: list[Run]) -> dict[str, Any]:
    c1 = [r for r in runs if r.concurrency == 1]
    # Throughput from whole passes over the files only: a last, shorter pass
    # (to reach --rss-requests) has another mix of files.
    c4 = [r for r in runs if r.concurrency == 4 and len(r.records) == len(suite.jobs)]
    c4 = c4 or [r for r in runs if r.concurrency == 4]
    first = {r.name: r.text for r in c1[0].records if r.status == 200}
    records = [(r.name, r.text) for run in runs for r in run.ok]
    trace = server.rss_trace
    half = next((rss for n, rss in trace if n >= trace[-1][0] / 2), trace[-1][1])
    return {
        "cold_start_s": round(server.cold_start_s or 0, 3),
        "c1": pooled(c1),
        "c4": pooled(c4),
        "c4_runs_images_per_s": [round(r.images_per_s, 3) for r in c4],
        "quality": quality(first, suite.truths),
        "stability": stability(records),
        "errors": sum(len(r.records) - len(r.ok) for r in runs),
        "rss_trace_mib": trace,
        "rss_final_mib": trace[-1][1],
        "rss_growth_second_half_mib": round(trace[-1][1] - half, 1),
    }
