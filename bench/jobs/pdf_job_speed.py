"""Pages per second of a searchable-PDF job vs the same pages sent one by one to /ocr.

One service (real engine, CPU); the document is ``pdf_job_memory.heavy_pdf`` (one text
line per page). The job reads all pages at background priority and writes one PDF;
the baseline posts a one-page document of the same kind to ``/ocr`` with
``format=pdf`` once per page, in turn (so it neither uploads nor writes the others).

    python -m bench.jobs.pdf_job_speed [--pages 30]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx

from bench.jobs.pdf_job_memory import heavy_pdf
from tests.support.server import start_server

FORM = {"format": "pdf", "mode": "ocr", "dpi": "72"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=30)
    pages = parser.parse_args().pages
    data, single = heavy_pdf(pages), heavy_pdf(1)
    with tempfile.TemporaryDirectory(prefix="ocr-pdfspeed-") as tmp:
        server = start_server(Path(tmp))
        try:
            with httpx.Client(base_url=server.url, timeout=300) as client:
                client.post("/ocr", files={"file": ("p.pdf", single)}, data=FORM)  # warm
                started = time.perf_counter()
                for _ in range(pages):
                    answer = client.post("/ocr", files={"file": ("p.pdf", single)}, data=FORM)
                    assert answer.status_code == 200
                one_by_one = time.perf_counter() - started
                started = time.perf_counter()
                job = client.post("/jobs", files={"file": ("p.pdf", data)}, data=FORM).json()
                while client.get(job["status_url"]).json()["status"] in ("queued", "running"):
                    time.sleep(0.05)
                job_s = time.perf_counter() - started
                assert client.get(job["result_url"]).status_code == 200
        finally:
            server.stop()
    print(json.dumps({"pages": pages, "job_pages_per_s": round(pages / job_s, 2),
                      "one_by_one_pages_per_s": round(pages / one_by_one, 2),
                      "ratio": round(one_by_one / job_s, 2)}))


if __name__ == "__main__":
    main()
