"""Faults: a hung engine, SIGTERM under load, temporary files."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from app.config import Settings
from app.domain import EngineOptions, Pixels
from app.engine.types import PageOCR
from app.main import create_app
from tests.conftest import corpus_bytes
from tests.e2e.test_lifecycle import png, wait_until
from tests.support.fakes import EchoEngine
from tests.support.server import start_server


class HangingEngine(EchoEngine):
    """Blocks on pages of value 66 until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def predict(self, images: list[Pixels], options: EngineOptions) -> list[PageOCR]:
        if any(int(img.mean()) == 66 for img in images):
            self.release.wait(30)
        return super().predict(images, options)


def test_hung_engine_times_out_reports_not_ready_and_recovers(tmp_path: Path) -> None:
    engine = HangingEngine()
    settings = Settings(cache_dir=tmp_path, warmup=False, engine_stall_s=0.3, workers_per_device=1)
    with TestClient(create_app(settings, lambda _: engine)) as client:
        wait_until(lambda: client.get("/health").status_code == 200)
        with ThreadPoolExecutor(2) as pool:
            hung = pool.submit(client.post, "/ocr", files={"file": png(66)},
                               data={"timeout_ms": "800"})
            wait_until(lambda: client.get("/health/ready").status_code == 503)
            assert client.get("/health").json()["status"] == "stalled"
            assert client.get("/health/live").status_code == 200
            waiting = pool.submit(client.post, "/ocr", files={"file": png(10)},
                                  data={"timeout_ms": "300"})
            assert waiting.result().status_code == 504
            assert waiting.result().json()["error"]["code"] == "timeout"
            wait_until(lambda: client.get("/health/live").status_code == 503)  # 3 x stall
            assert client.get("/health/live").json()["status"] == "wedged"
            engine.release.set()
            assert hung.result().status_code == 504  # its deadline passed meanwhile
        wait_until(lambda: client.get("/health").status_code == 200)
        assert client.post("/ocr", files={"file": png(12)}).text == "12\n"


def test_sigterm_finishes_accepted_requests(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    names = ["tess_eurotext.tif", "cnocr_multi-line_en_black.png", "rapidocr_ch_en_num.jpg",
             "tess_phototest.tif", "cnocr_multi-line_cn1.png", "rapidocr_en_rec.jpg"]
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client, \
                ThreadPoolExecutor(len(names)) as pool:
            futures = [pool.submit(client.post, "/ocr", files={"file": corpus_bytes(n)})
                       for n in names]
            time.sleep(0.5)  # all sent and queued: the engine is on the first ones
            server.process.send_signal(signal.SIGTERM)
            responses = [f.result() for f in futures]
        assert [r.status_code for r in responses] == [200] * len(names)
        assert all(r.text.strip() for r in responses)
        # uvicorn re-raises the signal after a clean shutdown: exit by SIGTERM, in time.
        assert server.process.wait(60) in (0, -signal.SIGTERM)
        assert "draining" in server.logs()
        assert "Application shutdown complete" in server.logs()
    finally:
        if server.process.poll() is None:
            server.stop()


def test_no_temporary_files_left(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            ok = client.post("/ocr", files={"file": corpus_bytes("rapidocrpdf_image.pdf")})
            assert ok.status_code == 200
            bad = client.post("/ocr", files={"file": corpus_bytes("pypdf_crazyones.pdf")[:500]})
            assert bad.status_code == 422
            locked = client.post(
                "/ocr", files={"file": corpus_bytes("pysf_libreoffice-writer-password.pdf")},
                data={"password": "openpassword", "mode": "ocr"},
            )
            assert locked.status_code == 200 and "Lorem ipsum" in locked.text
        leftovers = list((tmp_path / "cache" / "tmp").rglob("*"))
        assert leftovers == []
    finally:
        server.stop()
