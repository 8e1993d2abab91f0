"""A throwaway ``redis-server`` on a free loopback port (tests and bench of Redis mode)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import free_port


def redis_available() -> bool:
    """Whether the ``redis-server`` binary (Debian package ``redis-server``) is installed."""
    return shutil.which("redis-server") is not None


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Run ``redis-server`` in ``folder`` on 127.0.0.1; yields its ``redis://`` URL."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        stdout=(folder / "redis.log").open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                  text=True, check=False)
            if ping.stdout.strip() == "PONG":
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start: " +
                                   (folder / "redis.log").read_text(errors="replace"))
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
