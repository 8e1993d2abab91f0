"""P1b and the detector size policies: the service at c4 against the engine in-process.

The engine loop and the service run interleaved (A B A B), then the detector size
policies in-process (max 960, max 736, PaddleOCR's min 64/max 4000).
"""

from __future__ import annotations

from typing import Any

from bench.peers import servers as peers
from bench.quality.answers import quality
from bench.speed.engine_loop import DET_POLICIES, EngineLoop
from bench.speed.load import closed_loop
from bench.speed.suite.context import Suite
from bench.speed.suite.figures import pooled, rate


def measure(suite: Suite) -> None:
    """Engine loop vs service c4 (A B A B), then det policies in-process (interleaved)."""
    reps = 1 if suite.quick else suite.args.reps
    loop = EngineLoop(suite.tmp / "cache-engine")
    service = peers.service("service-p1b", suite.tmp)
    out: dict[str, Any] = {}
    try:
        loop.warm(suite.jobs)
        service.start()
        closed_loop(service, suite.jobs[:2], 1, [])  # warm the HTTP path too
        engine_runs, service_runs = [], []
        for rep in range(reps):
            engine_runs.append(loop.run(suite.jobs, watch=suite.watch(service)))
            suite.log(f"engine loop #{rep + 1}: {engine_runs[-1]['images_per_s']} img/s")
            service_runs.append(suite.run(service, suite.jobs, 4, [service]))
        service.stop()
        engine_rate = rate(engine_runs)
        out["engine_loop"] = {
            "images_per_s": engine_rate,
            "runs": [r["images_per_s"] for r in engine_runs],
            "cpu_s_per_image": [r["cpu_s_per_image"] for r in engine_runs],
            "cpu": [r["cpu"] for r in engine_runs],
            "quality": quality(engine_runs[0]["texts"], suite.truths),
        }
        out["service_c4"] = pooled(service_runs)
        out["P1b_service_c4_over_engine"] = round(
            out["service_c4"]["images_per_s"] / engine_rate, 3)
        suite.results["engine"] = out  # kept if a policy run fails
        policies = ["max960", "max736"] if suite.quick else list(DET_POLICIES)
        by_policy: dict[str, list[dict[str, Any]]] = {p: [] for p in policies}
        for _ in range(reps):
            for policy in policies:
                by_policy[policy].append(loop.run(suite.jobs, policy, suite.watch()))
                suite.log(f"engine {policy}: {by_policy[policy][-1]['images_per_s']} img/s")
        base = rate(by_policy["max960"])
        out["det_policies"] = {
            policy: {
                "images_per_s": rate(runs),
                "ratio_vs_max960": round(rate(runs) / base, 3),
                "quality": quality(runs[0]["texts"], suite.truths),
                "per_file_s": runs[0]["per_file_s"],
                "cpu_s_per_image": [r["cpu_s_per_image"] for r in runs],
                "cpu": [r["cpu"] for r in runs],
            }
            for policy, runs in by_policy.items()
        }
    finally:
        service.stop()
        loop.close()
    suite.results["engine"] = out
