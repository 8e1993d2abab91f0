"""Long documents: stream vs job, interactive latency under a job, Redis vs embedded.

    python -m bench.jobs.jobs_bench          # 100-page scan, 200-page job (about 15 min on 2 cores)
    python -m bench.jobs.jobs_bench --quick  # small counts (CI smoke run)

* Stream vs job: a fresh service reads an N-page scanned PDF (corpus pages in
  turn, rendered at ``--dpi``) through ``/ocr/stream`` and, in another fresh
  service, as a job (submit, poll, download): total seconds and the process's
  peak RSS, and the same for a tenth of the pages (flat memory: the ratio ~1).
* Latency under a job: single-image ``/ocr`` requests one after another on an
  idle service, then while a long job runs: p50/p95 against the job's own
  seconds per page (the goal: at most one page's time more than idle).
* Store overhead: seconds per page of the same job in embedded and Redis mode.

Every figure comes with the CPU other processes used meanwhile (a shared machine).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.formats.pdf_bench import peak_rss_mb
from bench.speed.load import percentiles
from bench.speed.procfs import CpuWatch
from tests.support.redis_server import redis_available, redis_server
from tests.support.scans import corpus_scan_pdf
from tests.support.server import CORPUS, LiveServer, start_server

RESULTS = Path(__file__).resolve().parents[1] / "results"
PROBE_IMAGE = "tess_phototest.tif"


def _server(tmp: Path, **env: str) -> LiveServer:
    return start_server(tmp, OCR_MAX_PAGES="1000", OCR_REQUEST_TIMEOUT_S="3600",
                        OCR_LOG_LEVEL="warning", **env)


def stream_run(data: bytes, pages: int, dpi: int) -> dict[str, Any]:
    """Seconds and peak RSS of a fresh service streaming the document."""
    with tempfile.TemporaryDirectory(prefix="ocr-jobs-bench-") as tmp:
        server = _server(Path(tmp))
        try:
            form = {"mode": "ocr", "dpi": str(dpi)}
            with CpuWatch([server.process.pid]) as watch, httpx.Client(timeout=3600) as http, \
                    http.stream("POST", f"{server.url}/ocr/stream", files={"file": data},
                                data=form) as response:
                kinds = [json.loads(line)["type"] for line in response.iter_lines() if line]
            assert kinds.count("page") == pages and kinds[-1] == "end", kinds[-1]
            return {"seconds": watch.result["wall_s"], "cpu": watch.result,
                    "peak_rss_mb": round(peak_rss_mb(server.process.pid), 1)}
        finally:
            server.stop()


def run_job(url: str, data: bytes, dpi: int, fmt: str = "json") -> tuple[str, float]:
    """Submit, wait, download; (job id, seconds per page from start to result)."""
    with httpx.Client(base_url=url, timeout=3600) as http:
        started = time.monotonic()
        job = http.post("/jobs", files={"file": data},
                        data={"mode": "ocr", "dpi": str(dpi), "format": fmt}).json()
        while (status := http.get(f"/jobs/{job['id']}").json())["status"] in (
                "queued", "running"):
            time.sleep(0.2)
        assert status["status"] == "succeeded", status
        http.get(f"/jobs/{job['id']}/result").raise_for_status()
        return job["id"], (time.monotonic() - started) / status["pages_done"]


def job_run(data: bytes, pages: int, dpi: int, **env: str) -> dict[str, Any]:
    """Seconds and peak RSS of a fresh service running the document as a job."""
    with tempfile.TemporaryDirectory(prefix="ocr-jobs-bench-") as tmp:
        server = _server(Path(tmp), **env)
        try:
            with CpuWatch([server.process.pid]) as watch:
                _, per_page = run_job(server.url, data, dpi)
            return {"seconds": watch.result["wall_s"], "seconds_per_page": round(per_page, 3),
                    "cpu": watch.result,
                    "peak_rss_mb": round(peak_rss_mb(server.process.pid), 1)}
        finally:
            server.stop()


def probe_latencies(url: str, count: int) -> list[float]:
    """Seconds of ``count`` single-image /ocr requests, one after another."""
    image = (CORPUS / PROBE_IMAGE).read_bytes()
    seconds = []
    with httpx.Client(base_url=url, timeout=600) as http:
        for _ in range(count):
            started = time.monotonic()
            http.post("/ocr", files={"file": image}).raise_for_status()
            seconds.append(time.monotonic() - started)
    return seconds


def latency_under_job(job_pages: int, probes: int, dpi: int) -> dict[str, Any]:
    """Interactive latency idle and while a ``job_pages``-page job runs."""
    data = corpus_scan_pdf(job_pages)
    with tempfile.TemporaryDirectory(prefix="ocr-jobs-bench-") as tmp:
        server = _server(Path(tmp))
        try:
            probe_latencies(server.url, 2)  # warm the route
            with CpuWatch([server.process.pid]) as idle_watch:
                idle = probe_latencies(server.url, probes)
            with httpx.Client(base_url=server.url, timeout=600) as http:
                job = http.post("/jobs", files={"file": data},
                                data={"mode": "ocr", "dpi": str(dpi)}).json()
                while http.get(f"/jobs/{job['id']}").json()["pages_done"] < 2:
                    time.sleep(0.2)
                before = http.get(f"/jobs/{job['id']}").json()["pages_done"]
                started = time.monotonic()
                with CpuWatch([server.process.pid]) as busy_watch:
                    busy = probe_latencies(server.url, probes)
                status = http.get(f"/jobs/{job['id']}").json()
                assert status["status"] == "running", "the job ended before the probes"
                job_s_per_page = (time.monotonic() - started) / max(
                    1, status["pages_done"] - before)
                http.delete(f"/jobs/{job['id']}")
            idle_p, busy_p = percentiles(idle), percentiles(busy)
            return {
                "job_pages": job_pages, "probes": probes, "probe_image": PROBE_IMAGE,
                "idle": idle_p, "during_job": busy_p,
                "job_seconds_per_page_during_probes": round(job_s_per_page, 3),
                "p50_extra_s": round(busy_p["p50_s"] - idle_p["p50_s"], 3),
                "p95_extra_s": round(busy_p["p95_s"] - idle_p["p95_s"], 3),
                "cpu_idle_probes": idle_watch.result, "cpu_busy_probes": busy_watch.result,
            }
        finally:
            server.stop()


def main() -> None:
    """Run the three measurements and print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--pages", type=int, default=100, help="pages of the stream/job scan")
    parser.add_argument("--probes", type=int, default=20, help="interactive requests timed")
    parser.add_argument("--store-pages", type=int, default=20, help="pages per store run")
    args = parser.parse_args()
    pages, job_pages, probes, store_pages = (
        (4, 8, 3, 3) if args.quick else (args.pages, 200, args.probes, args.store_pages))
    small = max(2, pages // 10)
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"), "dpi": args.dpi,
                              "pages": pages}
    for count, key in ((small, "small"), (pages, "large")):
        data = corpus_scan_pdf(count)
        result[f"stream_{key}"] = {"pages": count, **stream_run(data, count, args.dpi)}
        result[f"job_{key}"] = {"pages": count, **job_run(data, count, args.dpi)}
    result["latency_under_job"] = latency_under_job(job_pages, probes, args.dpi)
    data = corpus_scan_pdf(store_pages)
    result["store_embedded"] = job_run(data, store_pages, args.dpi)
    if redis_available():
        with tempfile.TemporaryDirectory(prefix="ocr-jobs-redis-") as tmp, \
                redis_server(Path(tmp)) as url:
            result["store_redis"] = job_run(data, store_pages, args.dpi, OCR_REDIS_URL=url)
    RESULTS.mkdir(exist_ok=True)
    name = "jobs-quick.json" if args.quick else "jobs.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
