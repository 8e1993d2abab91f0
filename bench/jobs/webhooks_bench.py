"""Webhook delivery latency on localhost: from a job's end to the signed POST arriving.

A live service (real engine) with ``OCR_WEBHOOK_ALLOW=127.0.0.1/32`` runs small
jobs one after another; a receiver on 127.0.0.1 stamps each event's arrival, and
the latency is arrival minus the job's ``finished_at`` (GET /jobs/{id}). Also times
format=chunks on a 60-page text document (CPU work of the splitter).

    python -m bench.jobs.webhooks_bench [--jobs 40]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.support.server import CORPUS, start_service


def _receiver() -> tuple[ThreadingHTTPServer, dict[str, float]]:
    arrivals: dict[str, float] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrivals[json.loads(body)["job_id"]] = time.time()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, arrivals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=40)
    args = parser.parse_args()
    server, arrivals = _receiver()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    image = (CORPUS / "rapidocr_en_rec.jpg").read_bytes()
    latencies = []
    with start_service(OCR_WEBHOOK_ALLOW="127.0.0.1/32", OCR_WEBHOOK_SECRET="bench") as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(args.jobs):
            job = client.post("/jobs", files={"file": ("a.jpg", image)},
                              data={"format": "text", "callback_url": hook}).json()
            while job["id"] not in arrivals:
                time.sleep(0.005)
            info = client.get(f"/jobs/{job['id']}").json()
            finished = datetime.fromisoformat(info["finished_at"]).timestamp()
            latencies.append((arrivals[job["id"]] - finished) * 1000)
        text = (CORPUS / "pysf_GeoTopo-komprimiert.pdf").read_bytes()
        timed: dict[str, float] = {}
        for fmt in ("json", "chunks", "json", "chunks"):  # the first pass warms up
            started = time.perf_counter()
            chunks = client.post("/ocr", files={"file": ("g.pdf", text)},
                                 data={"format": fmt, "pages": "1-60", "max_tokens": "256"})
            timed[fmt] = time.perf_counter() - started
        chunk_s, json_s = timed["chunks"], timed["json"]
    server.shutdown()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(json.dumps({
        "jobs": len(latencies), "median_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(p99, 1), "max_ms": round(latencies[-1], 1),
        "chunks_60_pages_s": round(chunk_s, 2), "json_60_pages_s": round(json_s, 2),
        "chunks": len(chunks.json()["chunks"]),
    }))


if __name__ == "__main__":
    main()
