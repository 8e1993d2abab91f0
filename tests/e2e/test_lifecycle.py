"""Readiness and error mapping through the app, with fake engines."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app import config
from app.__main__ import EXIT_ENGINE_FAILED
from app.config import Settings
from app.engine.types import OCREngine
from app.main import create_app
from tests.conftest import ROOT
from tests.support.fakes import EchoEngine
from tests.support.server import free_port


def png(value: int = 120) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (value, value, value)).save(buffer, format="PNG")
    return buffer.getvalue()


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(cache_dir=tmp_path, warmup=False)


def test_not_ready_until_engine_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def slow_factory(_: Settings) -> OCREngine:
        time.sleep(1.0)
        return EchoEngine()

    with TestClient(create_app(settings(tmp_path), slow_factory)) as client:
        assert client.get("/health").status_code == 503
        assert client.get("/health/ready").status_code == 503
        assert client.get("/health/live").status_code == 200
        response = client.post("/ocr", files={"file": png()})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "not_ready"
        wait_until(lambda: client.get("/health").status_code == 200)
        assert client.post("/ocr", files={"file": png()}).text == "120\n"


def test_engine_failure_is_internal_without_details(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = EchoEngine(fail_on=7)
    with TestClient(create_app(settings(tmp_path), lambda _: engine)) as client:
        wait_until(lambda: client.get("/health").status_code == 200)
        response = client.post("/ocr/json", files={"file": png(7)})
        assert response.status_code == 500
        error = response.json()["error"]
        assert error["code"] == "internal"
        assert "secret" not in response.text and "/tmp" not in response.text
        assert client.post("/ocr", files={"file": png(8)}).status_code == 200


def test_failed_engine_load_reports_not_live(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The app alone (embedded in another server) reports the failure; `python -m app`
    # exits on it at once (test_engine_failure_exits_with_one_line).
    def broken(_: Settings) -> OCREngine:
        raise RuntimeError("no weights")

    with TestClient(create_app(settings(tmp_path), broken)) as client:
        wait_until(lambda: client.get("/health/live").status_code == 503)
        assert client.get("/health").json()["status"] == "failed"


def run_service(tmp_path: Path, code: str, **env: str) -> tuple[subprocess.Popen[str], str]:
    """``code`` (which starts the service) in a real process on a free port; and its URL."""
    port = free_port()
    full_env = {**os.environ, "OCR_CACHE_DIR": str(tmp_path / "cache"), "OCR_HOST": "127.0.0.1",
                "OCR_PORT": str(port), "OCR_WARMUP": "false", **env}
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=full_env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


FAILING_SERVICE = "from app.__main__ import main; from tests.support.fakes import failing_engine_factory as f; main(f)"


def _answers(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None


def failure_lines(log: str) -> list[str]:
    return [ln for ln in log.splitlines() if "engine failed to start" in ln]


def test_engine_failure_exits_with_one_line(tmp_path: Path) -> None:
    """A process that cannot load its engine says why in one line and exits 3."""
    process, _ = run_service(tmp_path, FAILING_SERVICE)
    log, _ = process.communicate(timeout=120)
    assert process.returncode == EXIT_ENGINE_FAILED, log
    [line] = failure_lines(log)
    assert line.endswith(
        "ERROR app.main [-] engine failed to start: Model set 'embedded' failed to load "
        "(caused by RuntimeError: the OCR pipeline could not be imported, caused by "
        "ImportError: libGL.so.1: cannot open shared object file: No such file or directory); "
        "a system library is missing: scripts/setup.sh (as root on Debian/Ubuntu) installs the "
        "ones the service needs; OCR_LOG_LEVEL=debug logs the traceback"
    ), line
    assert "Traceback" not in log


def test_engine_failure_exits_after_warm_up_probes(tmp_path: Path) -> None:
    """While the engine loads, /health is 503 and /health/live 200; when loading fails,
    the process exits instead of answering 503 for ever."""
    release = tmp_path / "release"
    process, url = run_service(tmp_path, FAILING_SERVICE, FAKE_ENGINE_RELEASE=str(release))
    try:
        wait_until(lambda: _answers(url + "/health/live") == 200, timeout=60)
        assert _answers(url + "/health") == 503
        assert _answers(url + "/health/ready") == 503
    finally:
        release.touch()
        log, _ = process.communicate(timeout=60)
    assert process.returncode == EXIT_ENGINE_FAILED, log
    assert len(failure_lines(log)) == 1


def test_missing_model_set_exits_with_one_line(tmp_path: Path) -> None:
    """The real engine, asked for a model set that is not there: one line, exit 3."""
    process, _ = run_service(tmp_path, "from app.__main__ import main; main()",
                             OCR_MODEL_SET="no-such-set", OCR_MODELS_DIR=str(tmp_path / "models"))
    log, _ = process.communicate(timeout=120)
    assert process.returncode == EXIT_ENGINE_FAILED, log
    [line] = failure_lines(log)
    assert " ERROR app.main [-] engine failed to start: " in line and "'no-such-set'" in line, line


def test_bad_setting_refuses_to_start() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "OCR_MAX_PAGES": "0", "OCR_DEVICE": "tpu"},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any(ln.startswith("invalid setting OCR_MAX_PAGES:") for ln in lines)
    assert any(ln.startswith("invalid setting OCR_DEVICE:") for ln in lines)


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [("max 100000\n", None), ("150000 100000\n", 2), ("50000 100000\n", 1), ("junk", None)],
)
def test_cpu_threads_follow_the_cgroup_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpu_max: str, expected: int | None
) -> None:
    affinity = len(os.sched_getaffinity(0))
    (tmp_path / "cpu.max").write_text(cpu_max)
    monkeypatch.setattr(config, "CGROUP_CPU_MAX", tmp_path / "cpu.max")
    assert config.usable_cpus() == min(affinity, expected or affinity)
    monkeypatch.setattr(config, "CGROUP_CPU_MAX", tmp_path / "absent")
    assert config.usable_cpus() == affinity
