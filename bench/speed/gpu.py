"""GPU check: the GPU image, or the in-process engine and service (scripts/gpu_check.sh).

    python -m bench.speed.gpu --image ocr-service:gpu  # the image: bench/speed/gpu_image.py
    python -m bench.speed.gpu                          # in this venv; needs a GPU the backend sees
    python -m bench.speed.gpu --allow-cpu --quick      # the same code on the CPU (tests the script)

In this venv (no ``--image``):

* engine: ``engine.predict`` on lists of B pages (B = 1, 4, 16), as the scheduler
  calls it with ``OCR_MAX_BATCH=B``;
* service: ``python -m app`` with ``OCR_MAX_BATCH=B`` (``OCR_MAX_WAIT_MS``, default 10)
  and ``OCR_WORKERS_PER_DEVICE`` = each of ``--workers``, loaded by ``max(4, 2B)``
  clients so that batches can fill; the batch sizes the scheduler really formed
  are read back from /system/info.

Settings not given here come from the environment (``OCR_BACKEND``, ``OCR_MODEL_SET``,
``OCR_DEVICE``, ...). Prints a table and writes bench/results/gpu-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.peers import servers as peers
from bench.speed.load import closed_loop
from tests.support.server import ROOT, corpus_images

RESULTS = ROOT / "bench" / "results"


def _jobs(quick: bool) -> list[tuple[str, bytes]]:
    files = corpus_images()
    if quick:
        files = files[:4]
    jobs = [(f.name, f.read_bytes()) for f in files]
    if not quick:
        from bench.speed.pages import generate  # numpy, Pillow: not needed by --image

        jobs += [(p.name, p.path.read_bytes()) for p in generate(RESULTS / "pages")]
    return jobs


def engine_batches(jobs: list[tuple[str, bytes]], batches: list[int], device: str,
                   rounds: int, tmp: Path) -> dict[str, Any]:
    """Images/s of engine.predict on lists of B pages."""
    from app.config import Settings
    from app.documents.images import decode_pages
    from app.documents.sniff import sniff
    from app.domain import EngineOptions
    from app.engine.paddleocr_engine import load_engine

    settings = Settings(cache_dir=tmp / "cache-engine", device=device)
    engine = load_engine(settings)
    options = EngineOptions(settings.det_limit_side_len, settings.auto_rotate)
    pages = []
    for _, data in jobs:
        for page in decode_pages(data, sniff(data), max_pixels=10**9, max_pages=100):
            if page.image is not None:
                pages.append(page.image)
    out: dict[str, Any] = {"device": engine.info.device, "gpu": engine.info.gpu}
    for image in pages:  # warm-up: every shape once
        engine.predict([image], options)
    for batch in batches:
        work = pages * rounds
        started = time.perf_counter()
        for i in range(0, len(work), batch):
            engine.predict(work[i : i + batch], options)
        elapsed = time.perf_counter() - started
        out[f"batch{batch}"] = round(len(work) / elapsed, 3)
        print(f"engine  batch {batch:2d}: {out[f'batch{batch}']:8.3f} img/s", flush=True)
    engine.close()
    return out


def service_batches(jobs: list[tuple[str, bytes]], batches: list[int], workers: list[int],
                    device: str, wait_ms: int, rounds: int, tmp: Path) -> dict[str, Any]:
    """Images/s and latency of the service per batch size and workers per device."""
    out: dict[str, Any] = {}
    for worker_count in workers:
        for batch in batches:
            name = f"workers{worker_count}_batch{batch}"
            server = peers.service(
                name, tmp, OCR_DEVICE=device, OCR_MAX_BATCH=str(batch),
                OCR_MAX_WAIT_MS=str(wait_ms), OCR_WORKERS_PER_DEVICE=str(worker_count),
                OCR_MAX_QUEUE="256",
            )
            try:
                server.start(timeout=600)
                concurrency = max(4, 2 * batch)
                closed_loop(server, jobs, concurrency, [])  # warm-up: every shape once
                run = closed_loop(server, jobs * rounds, concurrency, [])
                info = httpx.get(server.url + "/system/info", timeout=10).json()
            finally:
                server.stop()
            summary = run.summary()
            engine_info = info.get("engine", {})
            out[name] = {
                "images_per_s": summary["images_per_s"],
                "p50_s": summary.get("p50_s"),
                "p99_s": summary.get("p99_s"),
                "errors": summary["errors"],
                "concurrency": concurrency,
                "device": engine_info.get("device"),
                "batch_sizes": info.get("scheduler", {}).get("batch_sizes"),
            }
            print(f"service workers {worker_count} batch {batch:2d} (c{concurrency}): "
                  f"{summary['images_per_s']:8.3f} img/s  p50 {summary.get('p50_s')} s  "
                  f"p99 {summary.get('p99_s')} s  device {engine_info.get('device')}  "
                  f"batches formed {out[name]['batch_sizes']}", flush=True)
    return out


def main() -> None:
    """Parse arguments, run both parts, print and save."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--allow-cpu", action="store_true", help="run on the CPU if no GPU")
    parser.add_argument("--quick", action="store_true", help="4 small files, 1 round")
    parser.add_argument("--batches", default="1,4,16",
                        help="pages per engine call (OCR_MAX_BATCH); with --image: text lines "
                        "per recognizer call (OCR_REC_BATCH_SIZE)")
    parser.add_argument("--workers", default="1,2", help="OCR_WORKERS_PER_DEVICE values")
    parser.add_argument("--wait-ms", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="engine,service")
    parser.add_argument("--image", help="test this GPU image in containers instead")
    parser.add_argument("--cpu-image", help="with --image: the CPU image for the answers")
    parser.add_argument("--gpu", default="0", help="with --image: which GPU (docker --gpus)")
    args = parser.parse_args()
    if args.image:
        _image_main(args)
        return

    from app.engine import accelerators

    backend = os.environ.get("OCR_BACKEND", "onnxruntime")
    device = os.environ.get("OCR_DEVICE", "gpu:0")
    index = int(device.partition(":")[2] or 0)
    problem = accelerators.problem(backend, "gpu", index, None)
    device = f"gpu:{index}"
    if problem is not None:
        if not args.allow_cpu:
            raise SystemExit(f"no GPU for backend {backend}: {problem}")
        device = "cpu"
        print(f"no GPU for backend {backend} ({problem}); running on the CPU (--allow-cpu)")
    batches = [int(b) for b in args.batches.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    rounds = 1 if args.quick else args.rounds
    jobs = _jobs(args.quick)
    tmp = Path(tempfile.mkdtemp(prefix="ocr-gpu-"))
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "backend": backend, "device": device, "files": len(jobs), "rounds": rounds,
    }
    print(f"{len(jobs)} files x {rounds} rounds, backend {backend}, device {device}")
    if "engine" in args.only:
        results["engine"] = engine_batches(jobs, batches, device, rounds, tmp)
    if "service" in args.only:
        results["service"] = service_batches(jobs, batches, workers, device, args.wait_ms,
                                             rounds, tmp)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / time.strftime("gpu-%Y%m%d-%H%M.json")
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"results: {out}")


def _image_main(args: argparse.Namespace) -> None:
    """--image: rec batches, memory per engine and answers of the GPU image, saved as JSON."""
    from bench.speed import gpu_image

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ocr-gpu-image-"))
    results = gpu_image.run(
        args.image, args.cpu_image, None if args.allow_cpu else args.gpu,
        [int(b) for b in args.batches.split(",")], 1 if args.quick else args.rounds,
        args.quick, tmp)
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / time.strftime("gpu-image-%Y%m%d-%H%M.json")
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"done in {results['seconds']} s; results: {out}; container logs: {tmp}")


if __name__ == "__main__":
    main()
