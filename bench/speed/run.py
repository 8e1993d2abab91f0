"""Service throughput against the bare engine, measured in one run on the same images.

    python -m bench.speed.run            # full run, prints a table and writes bench/results/
    python -m bench.speed.run --quick    # tiny counts, for CI: checks the bench still works

Figures are ratios of measurements taken in this run on this machine: the
in-process engine loop (decode + predict, nothing else) is the baseline, the
HTTP service at concurrency 1 and 4 is compared against it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import corpus_images, start_service

RESULTS = Path(__file__).resolve().parents[1] / "results"


def engine_loop(files: list[Path], rounds: int) -> dict[str, float]:
    """Images/s of decode + predict in this process, on the engines the service loads."""
    import tempfile

    from bench.speed.engine_loop import EngineLoop

    jobs = [(f.name, f.read_bytes()) for f in files]
    loop = EngineLoop(Path(tempfile.mkdtemp(prefix="ocr-run-")))
    try:
        loop.warm(jobs)
        runs = [loop.run(jobs) for _ in range(rounds)]
    finally:
        loop.close()
    seconds = sum(r["seconds"] for r in runs)
    count = sum(r["images"] for r in runs)
    return {"images": count, "seconds": seconds, "images_per_s": count / seconds}


async def _client(url: str, jobs: asyncio.Queue[bytes], latencies: list[float]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        while not jobs.empty():
            data = jobs.get_nowait()
            started = time.perf_counter()
            response = await http.post("/ocr/json", files={"file": data})
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)


def service_load(url: str, files: list[Path], rounds: int, concurrency: int) -> dict[str, float]:
    """Images/s and latency percentiles with ``concurrency`` clients."""
    blobs = [f.read_bytes() for f in files]
    jobs: asyncio.Queue[bytes] = asyncio.Queue()
    for _ in range(rounds):
        for data in blobs:
            jobs.put_nowait(data)
    latencies: list[float] = []

    async def run() -> None:
        await asyncio.gather(*(_client(url, jobs, latencies) for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "images": len(latencies),
        "seconds": elapsed,
        "images_per_s": len(latencies) / elapsed,
        "p50_s": q[49],
        "p95_s": q[94],
        "p99_s": q[98],
    }


def main() -> None:
    """Run the benchmark and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts (CI smoke run)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    files = corpus_images()
    rounds = args.rounds
    if args.quick:
        files, rounds = files[:3], 1
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "files": [f.name for f in files],
        "rounds": rounds,
    }
    results["engine"] = engine_loop(files, rounds)
    gc.collect()
    with start_service() as url:
        for concurrency in (1, 4):
            results[f"service_c{concurrency}"] = service_load(url, files, rounds, concurrency)
    base = results["engine"]["images_per_s"]
    for concurrency in (1, 4):
        ratio = results[f"service_c{concurrency}"]["images_per_s"] / base
        results[f"ratio_service_c{concurrency}_over_engine"] = ratio
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("quick.json" if args.quick else "latest.json")
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
