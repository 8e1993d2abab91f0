"""Start ``python -m app`` as a user would, on a free loopback port (tests and bench)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.corpus import locate

ROOT = Path(__file__).resolve().parents[2]
CORPUS_LOOKUP = locate()
CORPUS = CORPUS_LOOKUP.path
"""The test corpus (tests/support/corpus.py: OCR_TEST_CORPUS, ../shared/corpus or cache/corpus)."""


def corpus_images() -> list[Path]:
    """The corpus images (not PDFs), read in place."""
    import json

    entries = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [CORPUS / e["file"] for e in entries if e["kind"] == "image"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``python -m app`` in a subprocess, logging to a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = {**os.environ, **env, "OCR_PORT": str(self.port), "OCR_HOST": "127.0.0.1"}
        self._log = log_path.open("wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app"], cwd=ROOT, env=full_env,
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Wait for /health 200; return seconds from process start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("service exited:\n" + self.logs())
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return time.monotonic() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError("service did not become ready:\n" + self.logs())

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 30 s."""
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()

    def logs(self) -> str:
        """What the service printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server(tmp: Path, **env: str) -> LiveServer:
    """Start a live server with ``OCR_*`` overrides and wait until it is ready."""
    env.setdefault("OCR_CACHE_DIR", str(tmp / "cache"))
    server = LiveServer(env, tmp / "server.log")
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def start_service(**env: str) -> Iterator[str]:
    """A ready service for the duration of the block; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        server = start_server(Path(tmp), **env)
        try:
            yield server.url
        finally:
            server.stop()
