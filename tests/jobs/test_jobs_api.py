"""Jobs and streaming through the app, with fake engines: states, limits, owners, errors.

The fake engine reads each page as its mean pixel value, so the pages of a
generated PDF (one grey level each) come back as known numbers.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.formats.registry import FORMATS, JOB_FORMATS
from app.main import create_app
from tests.support.fakes import EchoEngine

Client = TestClient


def grey_pdf(values: list[int]) -> bytes:
    """One page per value, each a flat grey the fake engine reads back as that number."""
    frames = [Image.new("RGB", (64, 32), (v, v, v)) for v in values]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PDF", resolution=72, save_all=True,
                   append_images=frames[1:])
    return buffer.getvalue()


FORM = {"mode": "ocr", "dpi": "72"}


def wait_finished(client: TestClient, job_id: str, **headers: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        status: dict[str, Any] = client.get(f"/jobs/{job_id}", headers=headers).json()
        if status["status"] in ("succeeded", "failed", "canceled"):
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.02)


def submit(client: TestClient, values: list[int], **form: str) -> Any:
    return client.post("/jobs", files={"file": ("d.pdf", grey_pdf(values))},
                       data={**FORM, **form})


def test_job_runs_past_the_synchronous_page_limit(make_client: Any) -> None:
    client = make_client(max_pages=2)
    assert client.post("/ocr", files={"file": grey_pdf([10, 20, 30])},
                       data=FORM).status_code == 413
    accepted = submit(client, [10, 20, 30], format="text")
    assert accepted.status_code == 202
    body = accepted.json()
    assert accepted.headers["location"] == body["status_url"]
    assert len(body["id"]) == 32 and body["status"] == "queued"
    status = wait_finished(client, body["id"])
    assert status["status"] == "succeeded"
    assert status["pages_done"] == status["pages_selected"] == status["page_count"] == 3
    result = client.get(body["result_url"])
    assert result.headers["content-type"].startswith("text/plain")
    assert result.text == "10\f20\f30\n"


def test_json_result_matches_ocr_json(make_client: Any) -> None:
    client = make_client()
    job = submit(client, [40, 50], format="json").json()
    wait_finished(client, job["id"])
    result = client.get(job["result_url"]).json()
    sync = client.post("/ocr/json", files={"file": grey_pdf([40, 50])}, data=FORM).json()
    assert result["pages"] == sync["pages"]
    assert result["processed_pages"] == [1, 2]


@pytest.mark.parametrize(("fmt", "media"), [("alto", "application/xml"),
                                             ("hocr", "application/xhtml+xml"),
                                             ("markdown", "text/markdown")])
def test_document_formats_match_ocr(make_client: Any, fmt: str, media: str) -> None:
    client = make_client()
    job = submit(client, [60, 70], format=fmt).json()
    assert wait_finished(client, job["id"])["status"] == "succeeded"
    result = client.get(job["result_url"])
    assert result.headers["content-type"].startswith(media)
    sync = client.post("/ocr", files={"file": grey_pdf([60, 70])}, data={**FORM, "format": fmt})
    assert sync.status_code == 200
    if fmt == "markdown":
        assert result.text == sync.text
    else:  # request ids and timings differ; the pages' words do not
        for word in ("60", "70"):
            assert word in result.text and word in sync.text
        assert result.text.count("<") == sync.text.count("<")


def test_unknown_format_refused_and_timeout_applies(make_client: Any) -> None:
    client = make_client()
    bad = submit(client, [10], format="docx")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_option"
    short = submit(client, [10, 20], timeout_ms="1")  # a job's deadline runs from its start
    assert wait_finished(client, short.json()["id"])["error"]["code"] == "timeout"
    corrupt = client.post("/jobs", files={"file": b"%PDF-1.4 broken"}, data=FORM)
    assert corrupt.status_code == 422  # checked before the job is accepted


def test_malformed_and_unknown_ids_are_404(make_client: Any) -> None:
    client = make_client()
    for job_id in ("nope", "Z" * 32, "0" * 32, "0" * 33, "%2e%2e"):
        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/result"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json()["error"]["code"] == "job_not_found"
        assert client.delete(f"/jobs/{job_id}").status_code == 404


def test_a_job_is_visible_only_to_its_key(make_client: Any) -> None:
    client = make_client(api_keys="key-a,key-b")
    job = client.post("/jobs", files={"file": grey_pdf([10])}, data=FORM,
                      headers={"X-API-Key": "key-a"}).json()
    assert wait_finished(client, job["id"], **{"X-API-Key": "key-a"})["status"] == "succeeded"
    other = {"X-API-Key": "key-b"}
    assert client.get(f"/jobs/{job['id']}", headers=other).status_code == 404
    assert client.get(f"/jobs/{job['id']}/result", headers=other).status_code == 404
    assert client.delete(f"/jobs/{job['id']}", headers=other).status_code == 404
    assert client.get(f"/jobs/{job['id']}/result", headers={"X-API-Key": "key-a"}).text


def test_queue_limit_cancel_and_cleanup(make_client: Any, tmp_path: Path, store: str) -> None:
    client = make_client(job_workers=0, job_max_queued=1)  # nothing runs: jobs stay queued
    first = submit(client, [10]).json()
    refused = submit(client, [20])
    assert refused.status_code == 503 and refused.headers["retry-after"]
    assert refused.json()["error"]["code"] == "busy"
    assert upload_kept(tmp_path, store, first["id"])
    assert client.get(first["result_url"]).status_code == 409
    assert client.delete(f"/jobs/{first['id']}").status_code == 204
    assert not upload_kept(tmp_path, store, first["id"])  # removed on cancel
    assert client.get(f"/jobs/{first['id']}").json()["status"] == "canceled"
    assert client.get(first["result_url"]).status_code == 410
    assert submit(client, [30]).status_code == 202  # the canceled job left the queue
    info = client.get("/system/info").json()
    assert info["limits"]["job_max_queued"] == 1
    assert info["limits"]["job_store"] == ("redis" if store else "embedded")


def upload_kept(tmp_path: Path, store: str, job_id: str) -> bool:
    if store:
        return bool(redis.Redis.from_url(store).exists(f"ocr:job:{job_id}:upload"))
    return (tmp_path / "jobs" / "uploads" / job_id).exists()


def test_a_failing_page_fails_the_job_with_its_envelope(
    make_client: Any, tmp_path: Path, store: str
) -> None:
    client = make_client(engine=EchoEngine(fail_on=20))
    job = submit(client, [10, 20, 30]).json()
    status = wait_finished(client, job["id"])
    assert status["status"] == "failed" and status["error"]["code"] == "internal"
    result = client.get(job["result_url"])
    assert result.status_code == 500 and result.json()["error"]["code"] == "internal"
    assert "secret" not in result.text
    assert not upload_kept(tmp_path, store, job["id"])  # removed on failure
    metrics = client.get("/metrics").text
    assert 'ocr_jobs_finished_total{status="failed"} 1.0' in metrics


def test_results_expire(make_client: Any, tmp_path: Path, store: str) -> None:
    client = make_client(job_result_ttl_s=0.2)
    job = submit(client, [10]).json()
    wait_finished(client, job["id"])
    deadline = time.monotonic() + 20  # the runner sweeps every few seconds
    while client.get(job["result_url"]).status_code != 410:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert client.get(job["result_url"]).json()["error"]["code"] == "job_expired"
    if not store:
        assert not list((tmp_path / "jobs" / "results").iterdir())


def ndjson(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_stream_sends_document_pages_end(make_client: Any) -> None:
    client = make_client()
    response = client.post("/ocr/stream", files={"file": grey_pdf([10, 20, 30])}, data=FORM)
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = ndjson(response.text)
    assert [line["type"] for line in lines] == ["document", "page", "page", "page", "end"]
    assert lines[0]["page_count"] == 3 and lines[0]["processed_pages"] == [1, 2, 3]
    sync = client.post("/ocr/json", files={"file": grey_pdf([10, 20, 30])}, data=FORM).json()
    assert [{k: v for k, v in line.items() if k != "type"} for line in lines[1:4]] == \
        sync["pages"]
    assert set(lines[-1]["timings_ms"]) >= {"decode", "ocr", "total"}


def test_stream_errors_before_and_after_the_first_byte(make_client: Any) -> None:
    client = make_client(engine=EchoEngine(fail_on=20), max_pages=5)
    too_many = client.post("/ocr/stream", files={"file": grey_pdf([1] * 6)}, data=FORM)
    assert too_many.status_code == 413  # limits: a normal envelope, before the stream
    assert too_many.json()["error"]["code"] == "page_limit_exceeded"
    response = client.post("/ocr/stream", files={"file": grey_pdf([10, 20, 30])}, data=FORM)
    assert response.status_code == 200
    lines = ndjson(response.text)
    assert [line["type"] for line in lines] == ["document", "page", "error"]
    assert lines[-1]["error"]["code"] == "internal"
    assert lines[-1]["error"]["request_id"] == response.headers["x-request-id"]


def test_chunks_job_keeps_its_chunk_options_and_matches_ocr(make_client: Any) -> None:
    client = make_client()
    form = {"format": "chunks", "max_tokens": "16", "overlap": "3", "chunk_format": "markdown"}
    values = [11, 22, 33]
    job = submit(client, values, **form).json()
    assert wait_finished(client, job["id"])["status"] == "succeeded"
    result = client.get(job["result_url"])
    assert result.headers["content-type"] == "application/vnd.ocr.chunks+json"
    sync = client.post("/ocr", files={"file": grey_pdf(values)}, data={**FORM, **form})
    assert sync.status_code == 200
    assert result.json() == sync.json()
    body = result.json()
    assert (body["max_tokens"], body["overlap"], body["chunk_format"]) == (16, 3, "markdown")
    assert [c["pages"] for c in body["chunks"]] == [[1, 2, 3]]
    assert body["chunks"][0]["text"] == "11\n\n22\n\n33"


@pytest.mark.parametrize("form", [{"max_tokens": "15"}, {"max_tokens": "8193"},
                                  {"max_tokens": "20", "overlap": "10"},
                                  {"overlap": "-1"}, {"chunk_format": "html"}])
def test_bad_chunk_options_are_refused_before_any_work(make_client: Any,
                                                       form: dict[str, str]) -> None:
    client = make_client()
    for path in ("/ocr", "/jobs"):
        response = client.post(path, files={"file": grey_pdf([1])},
                               data={**FORM, "format": "chunks", **form})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_option"


def test_jobs_offer_the_registry_s_job_formats(tmp_path: Path) -> None:
    assert {f.value for f in JOB_FORMATS} == {"text", "json", "hocr", "alto", "pdf", "markdown", "chunks"}
    assert all(FORMATS[f].for_jobs for f in JOB_FORMATS)
    settings = Settings(cache_dir=tmp_path, warmup=False)
    schema = create_app(settings, lambda _: EchoEngine()).openapi()["components"]["schemas"]
    (form,) = [v for k, v in schema.items() if k.startswith("Body_submit_job")]
    assert form["properties"]["format"]["enum"] == [f.value for f in JOB_FORMATS]


def test_a_client_that_disconnects_stops_the_stream(tmp_path: Path) -> None:
    import threading

    import httpx
    import uvicorn

    from tests.support.server import free_port

    engine = EchoEngine(delay=0.2)
    app = create_app(Settings(cache_dir=tmp_path, warmup=False), lambda _: engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not server.started or httpx.get(f"{url}/health").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with httpx.Client(timeout=30) as http, http.stream(
            "POST", f"{url}/ocr/stream", files={"file": grey_pdf(list(range(30)))},
            data=FORM,
        ) as response:
            lines = response.iter_lines()
            assert json.loads(next(lines))["type"] == "document"
            assert json.loads(next(lines))["type"] == "page"
        # The client is gone: pages in flight are cancelled, the rest never read.
        time.sleep(1.5)
        calls = len(engine.calls)
        time.sleep(1.0)
        assert len(engine.calls) == calls < 10
        assert app.state.ocr.service.scheduler.queued == 0
    finally:
        server.should_exit = True
        thread.join(30)


def test_a_finished_job_forgets_its_pdf_password(make_client: Any, tmp_path: Path,
                                                 store: str) -> None:
    client = make_client()
    job = submit(client, [10], password="not-needed-but-sent").json()
    assert wait_finished(client, job["id"])["status"] == "succeeded"
    if store:
        kept = redis.Redis.from_url(store).hget(f"ocr:job:{job['id']}", "options") or b""
    else:
        import sqlite3

        with sqlite3.connect(tmp_path / "jobs" / "jobs.sqlite3") as db:
            kept = db.execute("SELECT options FROM jobs").fetchone()[0].encode()
    assert b"min_score" in kept and b"not-needed-but-sent" not in kept


def test_405_names_every_method_of_the_path(make_client: Any) -> None:
    response = make_client().put("/jobs/" + "0" * 32)
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"
