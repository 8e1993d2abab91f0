"""A searchable-PDF job on the real engine, killed with SIGKILL mid-job and restarted:
the job finishes, its PDF is whole (qpdf --check), has every page, and its text layer
is byte for byte the one POST /ocr format=pdf writes for the same scan."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import needs_corpus, start_server
from tests.e2e.test_jobs_live import resumed_with, wait_for
from tests.support.formats_checks import page_contents, pdftotext, qpdf_check
from tests.support.scans import corpus_scan_pdf

FORM = {"mode": "ocr", "dpi": "100", "format": "pdf"}
PAGES = 5
pytestmark = needs_corpus


def test_pdf_job_survives_kill_9_and_equals_ocr_pdf(tmp_path: Path) -> None:
    data = corpus_scan_pdf(PAGES)
    env = {"OCR_WORKERS_PER_DEVICE": "1"}
    server = start_server(tmp_path, **env)
    try:
        response = httpx.post(f"{server.url}/jobs", files={"file": ("scan.pdf", data)},
                              data=FORM, timeout=60)
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        before = wait_for(server.url, job_id, 1)
        assert before["status"] == "running" and before["pages_done"] < PAGES, before
        server.process.kill()
        server.process.wait(10)
    finally:
        server.stop()
    again = start_server(tmp_path, **env)
    try:
        finished = wait_for(again.url, job_id, PAGES + 1)
        assert finished["status"] == "succeeded", finished
        assert resumed_with(again.logs(), job_id) >= 1
        result = httpx.get(f"{again.url}/jobs/{job_id}/result", timeout=60)
        assert result.status_code == 200
        sync = httpx.post(f"{again.url}/ocr", files={"file": ("scan.pdf", data)}, data=FORM,
                          timeout=300)
        assert sync.status_code == 200
    finally:
        again.stop()
    qpdf_check(result.content, tmp_path)
    job_pages, sync_pages = page_contents(result.content), page_contents(sync.content)
    assert len(job_pages) == PAGES and job_pages == sync_pages
    texts = pdftotext(result.content, "-raw").split("\f")
    assert texts == pdftotext(sync.content, "-raw").split("\f")
    assert sum(len(t.split()) for t in texts) > 50  # the scan's words are searchable
