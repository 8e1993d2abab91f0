"""format=pdf jobs (fake engine, both stores): the same searchable PDF as POST /ocr,
qpdf-clean, served with Range, removed with the job.

The fake engine reads each page as its grey level, so every page gets one known
line; the text layer a job writes must be byte for byte the one /ocr writes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image

from tests.jobs.test_jobs_api import FORM, grey_pdf, wait_finished
from tests.support.formats_checks import page_contents, pdftotext, qpdf_check


def _job_pdf(client: Any, name: str, data: bytes, **form: str) -> tuple[dict[str, Any], bytes]:
    job = client.post("/jobs", files={"file": (name, data)},
                      data={**FORM, "format": "pdf", **form}).json()
    assert wait_finished(client, job["id"])["status"] == "succeeded"
    result = client.get(job["result_url"])
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/pdf"
    return job, result.content


def test_pdf_job_writes_the_same_text_layer_as_ocr(make_client: Any, tmp_path: Path) -> None:
    client = make_client()
    values = [10, 60, 110, 160, 210]
    data = grey_pdf(values)
    _, from_job = _job_pdf(client, "d.pdf", data)
    sync = client.post("/ocr", files={"file": ("d.pdf", data)}, data={**FORM, "format": "pdf"})
    assert sync.status_code == 200
    qpdf_check(from_job, tmp_path)
    job_pages, sync_pages = page_contents(from_job), page_contents(sync.content)
    assert len(job_pages) == 5 and job_pages == sync_pages
    texts = [t.split() for t in pdftotext(from_job, "-raw").split("\f")[:5]]
    assert texts == [[str(v)] for v in values]


def test_pdf_job_of_a_multi_frame_image(make_client: Any, tmp_path: Path) -> None:
    client = make_client()
    frames = [Image.new("RGB", (80, 40), (v, v, 255 - v)) for v in (30, 90)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    _, from_job = _job_pdf(client, "two.tif", buffer.getvalue())
    sync = client.post("/ocr", files={"file": ("two.tif", buffer.getvalue())},
                       data={"format": "pdf"})
    qpdf_check(from_job, tmp_path)
    with pikepdf.open(io.BytesIO(from_job)) as job, pikepdf.open(io.BytesIO(sync.content)) as ocr:
        assert len(job.pages) == 2
        for a, b in zip(job.pages, ocr.pages, strict=True):
            image_a = a.obj.Resources.XObject.Im0
            image_b = b.obj.Resources.XObject.Im0
            assert image_a.read_raw_bytes() == image_b.read_raw_bytes()
    assert page_contents(from_job) == page_contents(sync.content)


def test_pdf_result_honours_range_and_goes_with_the_job(make_client: Any, store: str,
                                                       tmp_path: Path) -> None:
    client = make_client()
    job, whole = _job_pdf(client, "d.pdf", grey_pdf([10, 20, 30]))
    url = job["result_url"]
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == whole[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole)}"
    tail = client.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole[-10:]
    middle = client.get(url, headers={"Range": f"bytes=100-{len(whole) + 50}"})
    assert middle.status_code == 206 and middle.content == whole[100:]
    past = client.get(url, headers={"Range": f"bytes={len(whole)}-"})
    assert past.status_code == 416
    assert client.get(url).headers["accept-ranges"] == "bytes"
    kept = tmp_path / "jobs" / "results" / job["id"]
    assert kept.exists() is (not store)  # the embedded store streams it from this file
    assert client.delete(f"/jobs/{job['id']}").status_code == 204
    assert not kept.exists()
    assert client.get(url).status_code == 404
