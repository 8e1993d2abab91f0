"""OCR_LOG_FORMAT=json: every line the service prints is one JSON object.

Request lines carry the request id (the client's X-Request-ID when it sends a
sane one); so do lines logged while serving a request from deeper in the code,
worker threads included; recognized text and file content never appear.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import corpus_bytes
from tests.support.server import start_server


def test_json_lines_with_request_ids(tmp_path: Path) -> None:
    server = start_server(tmp_path, OCR_LOG_FORMAT="json", OCR_LOG_LEVEL="info")
    try:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            image = corpus_bytes("cnocr_helloworld.jpg")
            ocr = http.post("/ocr", files={"file": ("h.jpg", image)},
                            headers={"X-Request-ID": "client-id-1"})
            assert ocr.status_code == 200 and "Hello" in ocr.text
            pdf = http.post("/ocr/json", files={"file": ("c.pdf", corpus_bytes("pypdf_crazyones.pdf"))},
                            headers={"X-Request-ID": "client-pdf-2"})
            assert pdf.status_code == 200
            missing = http.get("/no-such-route")
            assert missing.status_code == 404
            generated_id = missing.headers["X-Request-ID"]
    finally:
        server.stop()

    text = server.logs()
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 5
    records = []
    for line in lines:
        record = json.loads(line)  # every line, uvicorn's and the engine's too
        assert {"time", "level", "logger", "message", "request_id"} <= record.keys(), line
        assert "color_message" not in record
        records.append(record)

    access = {r["request_id"]: r for r in records if r["logger"] == "app.access"}
    assert access["client-id-1"]["path"] == "/ocr" and access["client-id-1"]["status"] == 200
    assert access["client-id-1"]["pages"] == 1
    assert access["client-pdf-2"]["path"] == "/ocr/json"
    assert access[generated_id]["status"] == 404 and access[generated_id]["error_code"] == "not_found"
    # A line logged inside the request, from the PDF reader in a worker thread.
    opened = [r for r in records if r["logger"] == "app.documents"
              and r["message"].startswith("pdf opened")]
    assert opened and {r["request_id"] for r in opened} == {"client-pdf-2"}
    # Lines outside any request say so.
    assert any(r["request_id"] == "-" and "engine ready" in r["message"] for r in records)
    # Never recognized text, never file content.
    for secret in ("Hello", "你好", "crazy ones", "misfits"):
        assert secret not in text
