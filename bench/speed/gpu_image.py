"""The GPU image on a GPU host: s/img per recognizer batch, GPU memory per engine, answers.

    python -m bench.speed.gpu --image ocr-service:gpu [--cpu-image ocr-service:cpu] [--gpu 0]
    scripts/gpu_check.sh                      # builds or takes the image, then runs this

Each run starts the image as a container (``--gpus device=N``, host network on a
free loopback port, read-only root as in production) and talks to it over HTTP:

* per ``OCR_REC_BATCH_SIZE`` (1, 4, 16): the corpus images once to warm up (every
  shape once), then ``rounds`` passes one request at a time (s/img) and one pass
  by 4 clients (img/s); GPU memory in use from /metrics afterwards;
* ``OCR_WORKERS_PER_DEVICE=2`` at batch 4: the extra memory is one engine's;
* the CPU image (or, without one, the GPU image with ``OCR_DEVICE=cpu``, and the
  report says so) reads the same files: per file, identical text or its CER.

``--allow-cpu`` runs the containers without a GPU (they fall back to the CPU) to
test this script on a machine without one.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.peers.servers import Server
from bench.speed.load import closed_loop
from tests.support.cer import cer
from tests.support.server import CORPUS, free_port

READ_ONLY = ["--read-only", "--tmpfs", "/tmp", "--tmpfs", "/app/cache:uid=10001,gid=10001",
             "--tmpfs", "/app/logs:uid=10001,gid=10001"]
GPU_MEMORY = "ocr_gpu_memory_used_bytes"


@dataclass
class Container:
    """A running service container and the ``Server`` handle bench.speed.load drives."""

    name: str
    server: Server

    def get(self, path: str) -> httpx.Response:
        """GET a path of the service."""
        return httpx.get(self.server.url + path, timeout=30)

    def gpu_memory_mib(self) -> float | None:
        """Device memory in use (all processes), from the service's /metrics."""
        for line in self.get("/metrics").text.splitlines():
            if line.startswith(GPU_MEMORY + "{"):
                return round(float(line.rsplit(" ", 1)[1]) / 2**20, 1)
        return None


def corpus_jobs(quick: bool) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """(images timed, files compared): the corpus images; the latter adds the scanned PDFs."""
    entries = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    images = [e["file"] for e in entries if e["kind"] == "image"]
    scans = [e["file"] for e in entries if e["kind"] == "pdf-scanned"]
    if quick:
        images = images[:4]
    timed = [(name, (CORPUS / name).read_bytes()) for name in images]
    return timed, timed + [(name, (CORPUS / name).read_bytes()) for name in scans]


@contextmanager
def container(image: str, name: str, log_dir: Path, gpu: str | None,
              **env: str) -> Iterator[Container]:
    """``image`` running as ``name`` until the block ends; its log is kept in ``log_dir``."""
    port = free_port()
    args = ["docker", "run", "-d", "--name", name, "--network", "host", *READ_ONLY]
    if gpu is not None:
        args += ["--gpus", f"device={gpu}"]
    for key, value in {"OCR_HOST": "127.0.0.1", "OCR_PORT": str(port),
                       "OCR_LOG_LEVEL": "warning", **env}.items():
        args += ["-e", f"{key}={value}"]
    started = subprocess.run([*args, image], capture_output=True, text=True)
    if started.returncode != 0:
        raise RuntimeError(f"docker run {name}: {started.stderr.strip()}")
    server = Server(name, "service", [], {}, log_dir / f"{name}.log", port=port)
    try:
        _wait_ready(name, server.url, timeout=600)
        yield Container(name, server)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; its log: {server.log_path}") from None
    finally:
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True)
        server.log_path.write_text(logs.stdout + logs.stderr, encoding="utf-8")
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


def _wait_ready(name: str, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = subprocess.run(["docker", "inspect", "-f", "{{.State.Status}}", name],
                               capture_output=True, text=True).stdout.strip()
        if state != "running":
            raise RuntimeError(f"{name} {state or 'vanished'}; see its log")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
            if '"failed"' in httpx.get(url + "/health/live", timeout=2).text:
                raise RuntimeError(f"{name}: the engine failed to start")
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} not ready after {timeout:.0f} s")


def answers(box: Container, jobs: list[tuple[str, bytes]]) -> dict[str, str]:
    """The text the service reads in each file (one request at a time)."""
    run = closed_loop(box.server, jobs, 1, [])
    failed = [r.name for r in run.records if r.status != 200]
    if failed:
        raise RuntimeError(f"{box.name}: requests failed for {failed}")
    return {r.name: r.text for r in run.records}


def measure(box: Container, timed: list[tuple[str, bytes]], rounds: int) -> dict[str, Any]:
    """Warm up, then s/img one at a time and img/s with 4 clients; device and memory."""
    closed_loop(box.server, timed, 1, [])  # every shape once
    serial = closed_loop(box.server, timed * rounds, 1, [])
    parallel = closed_loop(box.server, timed * rounds, 4, [])
    latencies = [r.seconds for r in serial.ok]
    engine = box.get("/system/info").json()["engine"]
    return {
        "device": engine.get("device"),
        "device_fallback": engine.get("device_fallback"),
        "s_per_img": round(statistics.fmean(latencies), 4) if latencies else None,
        "p50_s": round(statistics.median(latencies), 4) if latencies else None,
        "img_per_s_4_clients": round(parallel.images_per_s, 2),
        "errors": len(serial.records) - len(serial.ok) + len(parallel.records) - len(parallel.ok),
        "gpu_memory_used_mib": box.gpu_memory_mib(),
    }


def compare(reference: dict[str, str], other: dict[str, str]) -> dict[str, Any]:
    """Files read identically, and the CER of those that differ (reference = truth)."""
    differ = {name: round(cer(other.get(name, ""), text), 4)
              for name, text in reference.items() if other.get(name) != text}
    return {"files": len(reference), "identical": len(reference) - len(differ),
            "differ_cer": differ}


def run(image: str, cpu_image: str | None, gpu: str | None, rec_batches: list[int],
        rounds: int, quick: bool, log_dir: Path) -> dict[str, Any]:
    """Every measurement of the module docstring; prints as it goes."""
    timed, compared = corpus_jobs(quick)
    device = "gpu" if gpu is not None else "auto"
    out: dict[str, Any] = {"image": image, "gpu": gpu, "files_timed": len(timed),
                           "rounds": rounds, "rec_batch": {}}
    gpu_answers: dict[int, dict[str, str]] = {}
    for batch in rec_batches:
        with container(image, f"ocr-gpu-check-b{batch}", log_dir, gpu, OCR_DEVICE=device,
                       OCR_REC_BATCH_SIZE=str(batch), OCR_WORKERS_PER_DEVICE="1") as box:
            gpu_answers[batch] = answers(box, compared)
            result = measure(box, timed, rounds)
        out["rec_batch"][batch] = result
        print(f"rec batch {batch:2d}: {result['s_per_img']} s/img (p50 {result['p50_s']}), "
              f"{result['img_per_s_4_clients']} img/s with 4 clients, device {result['device']}, "
              f"GPU memory in use {result['gpu_memory_used_mib']} MiB", flush=True)
    middle = 4 if 4 in rec_batches else rec_batches[0]
    with container(image, "ocr-gpu-check-w2", log_dir, gpu, OCR_DEVICE=device,
                   OCR_REC_BATCH_SIZE=str(middle), OCR_WORKERS_PER_DEVICE="2") as box:
        two = measure(box, timed, 1)
    one_mib, two_mib = out["rec_batch"][middle]["gpu_memory_used_mib"], two["gpu_memory_used_mib"]
    out["engines_2"] = two
    out["gpu_memory_per_engine_mib"] = (
        round(two_mib - one_mib, 1) if one_mib is not None and two_mib is not None else None)
    print(f"2 engines at rec batch {middle}: {two['img_per_s_4_clients']} img/s with 4 clients, "
          f"GPU memory in use {two_mib} MiB; one engine: {out['gpu_memory_per_engine_mib']} MiB",
          flush=True)
    reference_image = cpu_image or image
    out["cpu_reference"] = (f"{cpu_image} (the CPU image)" if cpu_image else
                            f"{image} with OCR_DEVICE=cpu (no CPU image given)")
    with container(reference_image, "ocr-gpu-check-cpu", log_dir, None,
                   OCR_DEVICE="cpu") as box:
        cpu_answers = answers(box, compared)
    out["same_answers"] = {batch: compare(cpu_answers, texts)
                           for batch, texts in gpu_answers.items()}
    for batch, same in out["same_answers"].items():
        print(f"answers at rec batch {batch:2d} vs {out['cpu_reference']}: "
              f"{same['identical']}/{same['files']} files identical"
              + (f", CER where not: {same['differ_cer']}" if same["differ_cer"] else ""),
              flush=True)
    return out
