"""Peak RSS of a searchable-PDF job by page count (issue 23): flat in the pages?

Each page of the generated PDF shows one short line of text (a corpus image, cheap
to OCR) and carries its own incompressible 0.2 MB image drawn in a corner, so the
upload grows with the pages (10 pages: ~2 MB, 200 pages: ~45 MB) while the OCR
work per page stays small. A fresh service per size runs one ``format=pdf`` job;
the figure is the service's VmHWM after the job minus its VmHWM before it.

    python -m bench.jobs.pdf_job_memory [--pages 10 200]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pikepdf
from PIL import Image

from bench.formats.pdf_bench import peak_rss_mb
from tests.support.server import CORPUS, start_server


def heavy_pdf(pages: int) -> bytes:
    """``pages`` pages: a text line drawn large, a private noise image drawn small."""
    text = Image.open(CORPUS / "rapidocr_en_rec.jpg").convert("RGB")
    buffer = io.BytesIO()
    text.save(buffer, "JPEG", quality=90)
    rng = np.random.default_rng(1)
    pdf = pikepdf.new()
    line = pikepdf.Stream(pdf, buffer.getvalue(), Type=pikepdf.Name.XObject,
                          Subtype=pikepdf.Name.Image, Width=text.width, Height=text.height,
                          ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                          Filter=pikepdf.Name.DCTDecode)
    for _ in range(pages):
        noise = Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8))
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=95)
        image = pikepdf.Stream(pdf, out.getvalue(), Type=pikepdf.Name.XObject,
                               Subtype=pikepdf.Name.Image, Width=256, Height=256,
                               ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                               Filter=pikepdf.Name.DCTDecode)
        width, height = text.width * 0.75 + 40, text.height * 0.75 + 60
        pdf.add_blank_page(page_size=(width, height))
        page = pdf.pages[-1]
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(L=line, N=image))
        draw = (f"q {text.width * 0.75} 0 0 {text.height * 0.75} 20 40 cm /L Do Q "
                "q 8 0 0 8 2 2 cm /N Do Q").encode()
        page.obj.Contents = pikepdf.Stream(pdf, draw)
    result = io.BytesIO()
    pdf.save(result)
    return result.getvalue()


def job_peak(pages: int) -> dict[str, float]:
    data = heavy_pdf(pages)
    with tempfile.TemporaryDirectory(prefix="ocr-pdfjob-") as tmp:
        server = start_server(Path(tmp), OCR_JOB_MAX_PAGES="1000")
        try:
            before = peak_rss_mb(server.process.pid)
            started = time.perf_counter()
            job = httpx.post(f"{server.url}/jobs", files={"file": ("p.pdf", data)},
                             data={"format": "pdf", "mode": "ocr", "dpi": "72"},
                             timeout=120).json()
            while httpx.get(job["status_url"]).json()["status"] in ("queued", "running"):
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            result = httpx.get(job["result_url"], timeout=120)
            assert result.status_code == 200, result.text
            after = peak_rss_mb(server.process.pid)
        finally:
            server.stop()
    return {"pages": pages, "upload_mb": round(len(data) / 2**20, 1),
            "result_mb": round(len(result.content) / 2**20, 1),
            "rss_before_mb": round(before, 1), "rss_peak_mb": round(after, 1),
            "job_growth_mb": round(after - before, 1), "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 200])
    for pages in parser.parse_args().pages:
        print(json.dumps(job_peak(pages)), flush=True)


if __name__ == "__main__":
    main()
