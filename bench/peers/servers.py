"""The servers a benchmark run compares, each started as its users would start it.

* ``service``: this project, ``python -m app`` with ``OCR_*`` settings;
* ``baseline``: the seed-style app in bench/peers/baseline/ (PaddleOCR 2.x, its own venv);
* ``paddlex``: PaddleX basic serving (``paddlex --serve``), its own venv, on the
  same PP-OCRv6 small ONNX weights as the service.

Every server listens on a free loopback port; ``Server.post`` sends one file in
the server's own request shape and returns the status and the recognized text.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.speed import procfs
from tests.support.server import ROOT, free_port

BENCH = ROOT / "bench"
BASELINE_PY = BENCH / ".venv-baseline" / "bin" / "python"
PADDLEX_BIN = BENCH / ".venv-paddlex" / "bin" / "paddlex"


@dataclass
class Server:
    """A server process on 127.0.0.1 and how to talk to it."""

    name: str
    kind: str  # "service", "baseline" or "paddlex"
    command: list[str]
    env: dict[str, str]
    log_path: Path
    health: str = "/health"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    cold_start_s: float | None = None
    requests_done: int = 0
    rss_trace: list[tuple[int, float]] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> float:
        """Start the process and wait for its health check: seconds from spawn to 200."""
        cmd = [part.replace("{port}", str(self.port)) for part in self.command]
        env = {**os.environ, **self.env}
        if self.kind == "service":
            env.update(OCR_PORT=str(self.port), OCR_HOST="127.0.0.1")
        log = self.log_path.open("ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = started + timeout
        with httpx.Client(timeout=2) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited; see {self.log_path}")
                try:
                    if http.get(self.url + self.health).status_code == 200:
                        self.cold_start_s = time.monotonic() - started
                        return self.cold_start_s
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def pids(self) -> list[int]:
        """The server process and its children."""
        if self.process is None or self.process.poll() is not None:
            return []
        return procfs.tree(self.process.pid)

    def rss_mb(self) -> float:
        """Resident memory of the process tree, MiB."""
        return procfs.rss_mib(self.pids())

    def note_rss(self) -> None:
        """Record (requests served so far, RSS) for the memory trend."""
        self.rss_trace.append((self.requests_done, round(self.rss_mb(), 1)))

    async def post(self, http: httpx.AsyncClient, name: str, data: bytes) -> tuple[int, str]:
        """Send one file; return the HTTP status and the text read (lines joined by \\n)."""
        if self.kind == "paddlex":
            body = {"file": base64.b64encode(data).decode(), "fileType": 1, "visualize": False}
            response = await http.post(self.url + "/ocr", json=body)
        elif self.kind == "baseline":
            response = await http.post(self.url + "/ocr", files={"file": (name, data)})
        else:
            response = await http.post(self.url + "/ocr/json", files={"file": (name, data)})
        if response.status_code != 200:
            return response.status_code, ""
        return 200, _text(self.kind, response.json())


def _text(kind: str, body: dict[str, Any]) -> str:
    if kind == "paddlex":
        results = body["result"]["ocrResults"]
        return "\n".join(t for r in results for t in r["prunedResult"]["rec_texts"])
    if kind == "baseline":
        return "\n".join(line["text"] for line in body["lines"])
    return "\n".join(line["text"] for page in body["pages"] for line in page["lines"])


def service(name: str, tmp: Path, **env: str) -> Server:
    """This project's service with ``OCR_*`` overrides (its own cache folder under ``tmp``)."""
    env = {"OCR_CACHE_DIR": str(tmp / f"cache-{name}"), "OCR_LOG_LEVEL": "warning", **env}
    return Server(name, "service", [sys.executable, "-m", "app"], env, tmp / f"{name}.log")


def baseline_available() -> bool:
    """Whether bench/.venv-baseline is built."""
    return BASELINE_PY.exists()


def baseline(tmp: Path, *, lock: bool = True, mkldnn: bool = False) -> Server:
    """The seed-style baseline app (bench/peers/baseline/app.py) in its own venv.

    ``lock``: the shared PaddleOCR instance runs on one dedicated thread (named
    ``baseline``); without it (``baseline-nolock``) the app is exactly the seed design.
    """
    env = {"BASELINE_MKLDNN": "1" if mkldnn else "0", "BASELINE_LOCK": "1" if lock else "0"}
    name = "baseline" if lock else "baseline-nolock"
    if mkldnn:
        name += "-mkldnn"
    cmd = [str(BASELINE_PY), str(BENCH / "peers" / "baseline" / "app.py"), "--port", "{port}"]
    return Server(name, "baseline", cmd, env, tmp / f"{name}.log")


def paddlex_available() -> bool:
    """Whether bench/.venv-paddlex is built."""
    return PADDLEX_BIN.exists()


def paddlex(tmp: Path) -> Server:
    """PaddleX basic serving on the PP-OCRv6 small ONNX pair the app prepares."""
    from app.config import Settings
    from app.engine.model_sets import resolve_model_set

    cache = tmp / "cache-paddlex"
    model_set = resolve_model_set("embedded", Settings().models_dir, cache)
    config = (BENCH / "peers" / "paddlex" / "OCR.yaml").read_text(encoding="utf-8")
    config = config.replace("{det_dir}", str(model_set.det_dir))
    config = config.replace("{rec_dir}", str(model_set.rec_dir))
    pipeline = tmp / "paddlex-OCR.yaml"
    pipeline.write_text(config, encoding="utf-8")
    env = {"PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True", "PADDLE_PDX_MODEL_SOURCE": "local"}
    cmd = [str(PADDLEX_BIN), "--serve", "--pipeline", str(pipeline),
           "--host", "127.0.0.1", "--port", "{port}"]
    return Server("paddlex", "paddlex", cmd, env, tmp / "paddlex.log")
