"""The suite's figures from runs: pooled throughput and latency, rates, ratios, the headline."""

from __future__ import annotations

import copy
from typing import Any

from bench.speed.load import Run, percentiles


def pooled(runs: list[Run]) -> dict[str, Any]:
    """Requests, images/s and latency percentiles over several closed-loop runs together."""
    ok = [r for run in runs for r in run.ok]
    seconds = sum(run.seconds for run in runs)
    return {
        "requests": sum(len(run.records) for run in runs),
        "ok": len(ok),
        "images_per_s": round(len(ok) / seconds, 3) if seconds else 0.0,
        **percentiles([r.seconds for r in ok]),
        "server_cpu_s_per_image": round(sum(run.server_cpu_s for run in runs) / len(ok), 3)
        if ok else None,
        "other_cores": [run.cpu["other_cores"] for run in runs],
    }


def ratio(a: float, b: float) -> float | None:
    """a / b to three places, or None when b is 0."""
    return round(a / b, 3) if b else None


def rate(runs: list[dict[str, Any]]) -> float:
    """Images per second over several engine-loop runs together."""
    return round(sum(r["images"] for r in runs) / sum(r["seconds"] for r in runs), 3)


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The ratios, without per-file detail."""
    keep: dict[str, Any] = {}
    for key, value in copy.deepcopy(results).items():
        if isinstance(value, dict):
            keep[key] = {k: v for k, v in value.items()
                         if not isinstance(v, dict) or k in ("quality", "c1", "c4")}
            for sub in keep[key].values():
                if isinstance(sub, dict):
                    sub.pop("per_file", None)
    return keep
