"""API keys, CORS, and what the logs may never contain."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import corpus_bytes, manifest
from tests.e2e.test_lifecycle import png, wait_until
from tests.support.fakes import EchoEngine
from tests.support.server import start_server


def app_client(tmp_path: Path, **overrides: object) -> TestClient:
    settings = Settings(cache_dir=tmp_path, warmup=False, **overrides)  # type: ignore[arg-type]
    return TestClient(create_app(settings, lambda _: EchoEngine()))


def test_api_keys(tmp_path: Path) -> None:
    with app_client(tmp_path, api_keys="k-one,k-two") as client:
        wait_until(lambda: client.get("/health").status_code == 200)
        missing = client.post("/ocr", files={"file": png()})
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "unauthorized"
        wrong = client.post("/ocr", files={"file": png()}, headers={"X-API-Key": "k-three"})
        assert wrong.status_code == 401
        assert client.get("/system/info").status_code == 401
        bearer = client.post("/ocr", files={"file": png()},
                             headers={"Authorization": "Bearer k-two"})
        assert bearer.status_code == 200
        header = client.get("/system/info", headers={"X-API-Key": "k-one"})
        assert header.status_code == 200
        assert "k-one" not in header.text
        for path in ("/health", "/health/live", "/health/ready", "/"):
            assert client.get(path).status_code == 200  # probes stay open


def test_cors_off_by_default_and_configurable(tmp_path: Path) -> None:
    origin = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    with app_client(tmp_path) as client:
        assert "access-control-allow-origin" not in client.options("/ocr", headers=origin).headers
    with app_client(tmp_path, cors_origins="https://app.example") as client:
        response = client.options("/ocr", headers=origin)
        assert response.headers["access-control-allow-origin"] == "https://app.example"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_logs_hold_no_text_no_password(tmp_path: Path, fmt: str) -> None:
    server = start_server(tmp_path, OCR_LOG_FORMAT=fmt, OCR_LOG_LEVEL="debug")
    password_entry = next(e for e in manifest() if e.get("password"))
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for name in ("cnocr_helloworld.jpg", "tess_eurotext.tif", "rapidocrpdf_image.pdf",
                         "pypdf_crazyones.pdf"):
                assert client.post("/ocr", files={"file": corpus_bytes(name)}).status_code == 200
            locked = client.post(
                "/ocr/json", files={"file": corpus_bytes(password_entry["file"])},
                data={"password": password_entry["password"]},
            )
            assert locked.status_code == 200
            wrong = client.post(
                "/ocr", files={"file": corpus_bytes(password_entry["file"])},
                data={"password": "hunter2-wrong"},
            )
            assert wrong.status_code == 422
    finally:
        server.stop()
    logs = server.logs()
    assert "POST /ocr" in logs  # the access lines are there
    forbidden = [password_entry["password"], "hunter2-wrong", "Hello world", "你好世界",
                 "quick) [brown]", "Kurbas", "Crazy Ones", "Lorem ipsum"]
    for secret in forbidden:
        assert secret not in logs, secret
    if fmt == "json":
        records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        access = [r for r in records if r.get("logger") == "app.access"]
        assert access and all(r["request_id"] != "-" for r in access)
