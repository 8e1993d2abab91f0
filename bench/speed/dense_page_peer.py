"""The dense page through the live service, today's engine and the old one, and Tesseract 5.

    .venv/bin/python -m bench.speed.dense_page_peer [--rounds 3] [--page PATH ...]

One run, side by side, rounds interleaved: Tesseract as OCRmyPDF runs it
(``OMP_THREAD_LIMIT=1 tesseract page -``), the service with the defaults of
issue 24 (recognizer on OpenVINO, idle engines lent to a lone page), and the
service as it was (``OCR_REC_RUNTIME=onnxruntime OCR_SHARE_IDLE_ENGINES=false``).
Each read reports wall seconds, CPU seconds of the process tree, and the
service's own ``timings_ms`` (decode share). Machines here are shared: read the
ratios of one round, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.speed.dense_page import save_dense_page
from bench.speed.procfs import cpu_seconds, tree
from tests.support.cer import unordered_cer
from tests.support.server import LiveServer, start_server

OLD = {"OCR_REC_RUNTIME": "onnxruntime", "OCR_SHARE_IDLE_ENGINES": "false"}


def _tesseract(page: Path) -> tuple[str, float, float]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    before = os.times()
    wall = time.perf_counter()
    text = subprocess.run(["tesseract", str(page), "-"], env=env, capture_output=True,
                          text=True, check=True).stdout
    wall = time.perf_counter() - wall
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system)
    return text, wall, cpu


def _service(server: LiveServer, page: Path) -> tuple[str, float, float, dict[str, Any]]:
    pids = tree(server.process.pid)
    cpu = cpu_seconds(pids)
    wall = time.perf_counter()
    response = httpx.post(server.url + "/ocr", files={"file": (page.name, page.read_bytes())},
                          data={"format": "json"}, timeout=600)
    wall = time.perf_counter() - wall
    response.raise_for_status()
    body = response.json()
    text = "\n".join(line["text"] for p in body["pages"] for line in p["lines"])
    return text, wall, cpu_seconds(pids) - cpu, body["timings_ms"]


def main() -> None:
    """Run the rounds and print each read, then the medians' ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page", type=Path, action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages = args.page or [Path(tmp) / "dense.png"]
        truths: dict[Path, str | None] = {p: None for p in pages}
        if not args.page:
            truths[pages[0]] = "\n".join(save_dense_page(pages[0]))
        for folder in ("new", "old"):
            (Path(tmp) / folder).mkdir()
        new = start_server(Path(tmp) / "new")
        old = start_server(Path(tmp) / "old", **OLD)
        try:
            for page in pages:
                _compare(page, truths[page], new, old, args.rounds)
        finally:
            new.stop()
            old.stop()


def _compare(page: Path, truth: str | None, new: LiveServer, old: LiveServer,
             rounds: int) -> None:
    walls: dict[str, list[float]] = {"tesseract": [], "new": [], "old": []}
    for round_ in range(rounds + 1):  # round 0 warms the engines
        readers = {
            "tesseract": lambda: (*_tesseract(page), {}),
            "new": lambda: _service(new, page),
            "old": lambda: _service(old, page),
        }
        for name, read in readers.items():
            text, wall, cpu, timings = read()
            error = f" cer {unordered_cer(text, truth):.4f}" if truth else ""
            print(f"{page.name} round {round_} {name:9} wall {wall:6.2f}s cpu {cpu:6.2f}s"
                  f"{error} {timings}", flush=True)
            if round_:
                walls[name].append(wall)
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(f"{page.name}: median wall new/tesseract {med['new'] / med['tesseract']:.2f}, "
          f"old/tesseract {med['old'] / med['tesseract']:.2f}, new/old "
          f"{med['new'] / med['old']:.2f}", flush=True)


if __name__ == "__main__":
    main()
