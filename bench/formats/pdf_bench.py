"""PDF benchmarks: text-layer speed against raw pypdf, memory flat in page count.

    python -m bench.formats.pdf_bench            # full run
    python -m bench.formats.pdf_bench --quick    # small counts (CI smoke run)

* Text layer: pages/s of the service (mode=auto, which reads the text layer and
  builds line boxes) on a large text PDF, divided by pages/s of plain pypdf
  ``extract_text()`` in-process on the same file, in the same run.
* Memory: peak RSS (VmHWM) of a fresh service process OCRing a generated
  N-page scanned PDF, divided by the same for its 1-page and 2-page versions
  (with two engines, two pages are the first that keep both busy).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image
from pypdf import PdfReader

from tests.support.server import CORPUS, start_server

RESULTS = Path(__file__).resolve().parents[1] / "results"
TEXT_PDF = "pysf_GeoTopo-komprimiert.pdf"
SCAN_SOURCE = "tess_eurotext.tif"


def raw_pypdf(data: bytes, pages: int, rounds: int) -> float:
    """Pages/s of plain pypdf text extraction in this process."""
    started = time.perf_counter()
    for _ in range(rounds):
        reader = PdfReader(io.BytesIO(data))
        for index in range(pages):
            reader.pages[index].extract_text()
    return pages * rounds / (time.perf_counter() - started)


def service_text(url: str, data: bytes, pages: int, rounds: int) -> float:
    """Pages/s of the service reading the same pages' text layer."""
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=600) as client:
        for _ in range(rounds):
            response = client.post("/ocr/json", files={"file": ("doc.pdf", data)},
                                   data={"pages": f"1-{pages}"})
            response.raise_for_status()
            assert {p["source"] for p in response.json()["pages"]} <= {"text-layer"}
    return pages * rounds / (time.perf_counter() - started)


def scanned_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` copies of one scanned page: only the page count differs."""
    frame = Image.open(CORPUS / SCAN_SOURCE).convert("RGB")
    frames = [frame] * pages
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PDF", resolution=200, save_all=True,
                   append_images=frames[1:])
    return buffer.getvalue()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found")


def ocr_peak(data: bytes, pages: int) -> dict[str, float]:
    """Peak RSS of a fresh service that OCRs ``data`` (all pages)."""
    with tempfile.TemporaryDirectory(prefix="ocr-pdf-bench-") as tmp:
        server = start_server(Path(tmp), OCR_MAX_PAGES=str(max(pages, 100)),
                              OCR_REQUEST_TIMEOUT_S="3600")
        try:
            before = peak_rss_mb(server.process.pid)
            started = time.perf_counter()
            with httpx.Client(base_url=server.url, timeout=3600) as client:
                response = client.post("/ocr/json", files={"file": ("scan.pdf", data)},
                                       data={"mode": "ocr"})
                response.raise_for_status()
                assert len(response.json()["pages"]) == pages
            return {"pages": pages, "seconds": time.perf_counter() - started,
                    "peak_rss_mb_after_warmup": before,
                    "peak_rss_mb": peak_rss_mb(server.process.pid)}
        finally:
            server.stop()


def main() -> None:
    """Run both PDF benchmarks and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pages", type=int, default=50, help="pages of the scanned PDF")
    args = parser.parse_args()
    text_pages, rounds, scan_pages = (10, 1, 3) if args.quick else (100, 3, args.pages)
    data = (CORPUS / TEXT_PDF).read_bytes()
    with tempfile.TemporaryDirectory(prefix="ocr-pdf-bench-") as tmp:
        server = start_server(Path(tmp))
        try:
            service_text(server.url, data, 2, 1)  # warm the route
            service_rate = service_text(server.url, data, text_pages, rounds)
        finally:
            server.stop()
    raw_rate = raw_pypdf(data, text_pages, rounds)
    one = ocr_peak(scanned_pdf(1), 1)
    # Two pages already keep two engines busy at once (one page each): from
    # there on, peak memory must not depend on the page count.
    two = ocr_peak(scanned_pdf(2), 2)
    many = ocr_peak(scanned_pdf(scan_pages), scan_pages)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "text_pdf": TEXT_PDF,
        "text_pages": text_pages,
        "rounds": rounds,
        "service_text_pages_per_s": service_rate,
        "raw_pypdf_pages_per_s": raw_rate,
        "ratio_text_service_over_pypdf": service_rate / raw_rate,
        "scan_1_page": one,
        f"scan_{scan_pages}_pages": many,
        "scan_2_pages": two,
        "ratio_peak_rss_many_over_one": many["peak_rss_mb"] / one["peak_rss_mb"],
        "ratio_peak_rss_many_over_two": many["peak_rss_mb"] / two["peak_rss_mb"],
    }
    RESULTS.mkdir(exist_ok=True)
    name = "pdf-quick.json" if args.quick else "pdf.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
