"""Shared fixtures: the corpus (read in place), a live service, fake engines."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("OCR_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))


def manifest() -> list[dict[str, Any]]:
    """The corpus manifest (fails loudly when the corpus is missing)."""
    path = CORPUS / "manifest.json"
    assert path.is_file(), f"corpus not found at {CORPUS}"
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def corpus_entries(kind: str) -> list[dict[str, Any]]:
    """Manifest entries of one kind ('image', 'pdf-text', ...)."""
    return [e for e in manifest() if e["kind"] == kind]


def corpus_bytes(name: str) -> bytes:
    """A corpus file's content, read in place."""
    return (CORPUS / name).read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``python -m app`` in a subprocess, as a user starts it."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = {**os.environ, **env, "OCR_PORT": str(self.port), "OCR_HOST": "127.0.0.1"}
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app"], cwd=ROOT, env=full_env,
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text(errors="replace")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise AssertionError("service did not become ready:\n" + self.log_path.read_text())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()

    def logs(self) -> str:
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


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real service on the embedded default model set."""
    server = start_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=120) as http:
        yield http
