"""P7: an open loop at 4x the measured c4 capacity for a bounded time (503s, not a queue)."""

from __future__ import annotations

from bench.peers import servers as peers
from bench.speed.load import open_loop, percentiles
from bench.speed.suite.context import Suite


def measure(suite: Suite) -> None:
    """Open loop at 4x the measured c4 capacity for a bounded time."""
    env = {"OCR_MAX_QUEUE": str(suite.args.queue)} if suite.args.queue else {}
    server = peers.service("overload", suite.tmp, **env)
    try:
        server.start()
        capacity_run = suite.run(server, suite.jobs, 4, [server])
        capacity = capacity_run.images_per_s
        rate = 4 * capacity
        seconds = 3.0 if suite.quick else suite.args.overload_seconds
        suite.log(f"overload: {rate:.2f} req/s for {seconds:.0f} s")
        run = open_loop(server, suite.jobs, rate, seconds, suite.watch(server))
    finally:
        server.stop()
    rejected = [r.seconds for r in run.records if r.status == 503]
    accepted = [r.seconds for r in run.records if r.status == 200]
    other = [r.status for r in run.records if r.status not in (200, 503)]
    queue = suite.args.queue or 64
    suite.results["overload"] = {
        "max_queue": queue,
        "capacity_images_per_s": round(capacity, 3),
        "rate_per_s": round(rate, 3),
        "seconds": seconds,
        "sent": len(run.records),
        "accepted": len(accepted),
        "rejected_503": len(rejected),
        "other_errors": len(other),
        "other_statuses": sorted(set(other)),
        "rejected": percentiles(rejected),
        "accepted_latency": percentiles(accepted),
        "queue_bound_s": round(queue / capacity, 2),
        "cpu": run.cpu,
    }
