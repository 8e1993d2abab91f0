"""Jobs and streams on the real engine, in real processes: kill -9 mid-job, two replicas.

A job's result must not depend on what happened to the processes running it:
the result after a kill and a restart (embedded store), or after the replica
running it died and another took over (Redis), equals the synchronous answer
for the same document and options.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_server
from tests.support.redis_server import redis_available, redis_server
from tests.support.scans import corpus_scan_pdf

FORM = {"mode": "ocr", "dpi": "100", "format": "json"}
PAGES = 10


def submit(url: str, data: bytes) -> str:
    response = httpx.post(f"{url}/jobs", files={"file": ("scan.pdf", data)}, data=FORM,
                          timeout=60)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def status(url: str, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{url}/jobs/{job_id}", timeout=10).json()
    return body


def wait_for(url: str, job_id: str, done: int, timeout: float = 300) -> dict[str, Any]:
    """Poll until the job has ``done`` pages or has finished."""
    deadline = time.monotonic() + timeout
    while True:
        body = status(url, job_id)
        if body["pages_done"] >= done or body["status"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def sync_pages(url: str, data: bytes) -> list[dict[str, Any]]:
    form = {k: v for k, v in FORM.items() if k != "format"}
    response = httpx.post(f"{url}/ocr/json", files={"file": ("scan.pdf", data)}, data=form,
                          timeout=300)
    response.raise_for_status()
    pages: list[dict[str, Any]] = response.json()["pages"]
    return pages


def result_pages(url: str, job_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/jobs/{job_id}/result", timeout=60)
    assert response.status_code == 200, response.text
    pages: list[dict[str, Any]] = response.json()["pages"]
    return pages


def resumed_with(log: str, job_id: str) -> int:
    """Pages a process found already kept when it (re)started the job."""
    match = re.search(rf"job {job_id} running \(pages done before: (\d+)\)", log)
    assert match, "the job was not resumed here"
    return int(match.group(1))


def test_stream_pages_equal_ocr_json(client: httpx.Client) -> None:
    data = corpus_scan_pdf(3)
    form = {k: v for k, v in FORM.items() if k != "format"}
    with client.stream("POST", "/ocr/stream", files={"file": ("s.pdf", data)},
                       data=form) as response:
        assert response.status_code == 200
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert [line["type"] for line in lines] == ["document", "page", "page", "page", "end"]
    pages = [{k: v for k, v in line.items() if k != "type"} for line in lines[1:-1]]
    expected = client.post("/ocr/json", files={"file": ("s.pdf", data)}, data=form).json()
    assert pages == expected["pages"]
    assert any(line["text"] for page in pages for line in page["lines"])


def test_a_job_survives_kill_9_and_resumes(tmp_path: Path) -> None:
    data = corpus_scan_pdf(PAGES)
    env = {"OCR_WORKERS_PER_DEVICE": "1"}
    server = start_server(tmp_path, **env)
    try:
        job_id = submit(server.url, data)
        before = wait_for(server.url, job_id, 2)
        assert before["status"] == "running" and before["pages_done"] < PAGES, before
        server.process.kill()  # SIGKILL: no shutdown code runs
        server.process.wait(10)
    finally:
        server.stop()
    again = start_server(tmp_path, **env)  # the same cache folder: the same job store
    try:
        finished = wait_for(again.url, job_id, PAGES + 1)
        assert finished["status"] == "succeeded", finished
        assert resumed_with(again.logs(), job_id) >= 2  # pages done before the kill kept
        assert result_pages(again.url, job_id) == sync_pages(again.url, data)
    finally:
        again.stop()


@pytest.mark.skipif(not redis_available(), reason="redis-server is not installed")
def test_another_replica_finishes_a_dead_replicas_job(tmp_path: Path) -> None:
    data = corpus_scan_pdf(PAGES)
    with redis_server(tmp_path / "redis") as url:
        env = {"OCR_REDIS_URL": url, "OCR_JOB_LEASE_S": "3", "OCR_WORKERS_PER_DEVICE": "1"}
        replicas: list[LiveServer] = []
        try:
            for name in ("a", "b"):
                (tmp_path / name).mkdir()
                replicas.append(start_server(tmp_path / name, **env))
            a, b = replicas
            job_id = submit(a.url, data)
            before = wait_for(b.url, job_id, 2)  # any replica answers any job id
            assert before["status"] == "running" and before["pages_done"] < PAGES, before
            runner, survivor = (a, b) if f"job {job_id} running" in a.logs() else (b, a)
            runner.process.kill()
            runner.process.wait(10)
            finished = wait_for(survivor.url, job_id, PAGES + 1)
            assert finished["status"] == "succeeded", finished
            assert resumed_with(survivor.logs(), job_id) >= 2
            assert result_pages(survivor.url, job_id) == sync_pages(survivor.url, data)
        finally:
            for replica in replicas:
                replica.stop()
