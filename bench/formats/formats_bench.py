"""Output formats: what each costs over JSON, and the searchable PDF against OCRmyPDF.

1. In process (``--formats``): each input is read once by the service (with and
   without word boxes, to price them), then every format is written from that
   one read; the writer's time per page is set against the page's OCR time.
2. Against OCRmyPDF 17 (``--peer``): the same scanned PDFs through POST /ocr
   format=pdf on a live server and through ``ocrmypdf --output-type pdf`` with
   the ocrmypdf-rapidocr plugin (PP-OCRv6 small weights inside the rapidocr
   wheel, ONNX Runtime: the same model family as the service's default) from
   ``bench/.venv-ocrmypdf`` (bench/peers/setup_peers.sh ocrmypdf). Seconds per page,
   output size and the CER of ``pdftotext`` on both outputs against the corpus
   truth (where a file has one).

Usage: python -m bench.formats.formats_bench [--quick] > bench/results-formats-DATE.json
Both sides run one at a time on the same cores; the load average at start and
end is recorded, since other processes on the machine skew the seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from tests.support.cer import cer, unordered_cer
from tests.support.server import CORPUS, ROOT, start_server

PEER = ROOT / "bench" / ".venv-ocrmypdf" / "bin" / "ocrmypdf"
FORMATS = ["json", "text", "markdown", "hocr", "alto", "pdf"]


def _truths() -> dict[str, str]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return {e["file"]: e["truth"] for e in manifest if e.get("truth")}


def scanned_pdf(names: list[str]) -> bytes:
    """A scanner-style PDF of corpus images at their own resolution (300 dpi if none)."""
    frames, dpi = [], 300.0
    for name in names:
        with Image.open(CORPUS / name) as img:
            dpi = float(img.info.get("dpi", (300, 300))[0]) or 300.0
            frames.append(img.convert("L" if img.mode in ("1", "L") else "RGB"))
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def inputs(quick: bool) -> list[tuple[str, bytes, list[str]]]:
    """(label, bytes, corpus files whose truth the pages carry, in order)."""
    scans = ["tess_phototest.tif", "tess_eurotext.tif", "tess_unlv_8071_093.3B.tif"]
    chosen = [("scan-3-pages.pdf", scanned_pdf(scans), scans),
              ("rapidocrpdf_image.pdf", (CORPUS / "rapidocrpdf_image.pdf").read_bytes(),
               ["rapidocrpdf_image.pdf"])]
    return chosen[:1] if quick else chosen


def pdftotext(pdf: bytes) -> list[str]:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode().split("\f")


def _cer(pdf: bytes, truth_files: list[str], truths: dict[str, str]) -> float | None:
    pages = pdftotext(pdf)
    scores = [cer(text, truths[name]) for text, name in zip(pages, truth_files, strict=False)
              if name in truths]
    return round(sum(scores) / len(scores), 4) if scores else None


# -- 1. cost of each format -----------------------------------------------------------------


async def _format_costs(quick: bool) -> list[dict[str, Any]]:
    from app.config import Settings
    from app.domain import EngineOptions, OutputFormat, PdfOptions, PixelNeed, RequestOptions
    from app.engine.catalogue import build_catalogue
    from app.engine.pool import EnginePool
    from app.formats.base import RenderContext
    from app.formats.registry import FORMATS as REGISTRY
    from app.lifespan import default_engine_factory, warmup_image
    from app.service import OCRService

    tmp = Path(tempfile.mkdtemp(prefix="formats-bench-"))
    settings = Settings(cache_dir=tmp)
    pool = EnginePool(build_catalogue(settings), settings, default_engine_factory,
                      warmup_image)
    await pool.load(pool.default)
    service = OCRService(settings, pool)
    rows = []
    items = [(label, data) for label, data, _ in inputs(quick)]
    items.append(("tess_phototest.tif", (CORPUS / "tess_phototest.tif").read_bytes()))
    items.append(("sroie_receipt_050.jpg", (CORPUS / "sroie_receipt_050.jpg").read_bytes()))
    try:
        for label, data in items:
            base = RequestOptions(min_score=settings.min_score, engine=EngineOptions(),
                                  deadline=time.monotonic() + 3600,
                                  pdf=PdfOptions(dpi=settings.pdf_dpi))
            # Warm, then the same read without and with word boxes.
            await service.read(data, base)
            plain = await service.read(data, base)
            # Word boxes and the pixels of image pages: what the searchable PDF needs.
            words_options = replace(base, engine=replace(base.engine, word_boxes=True),
                                    format=OutputFormat.PDF)
            assert REGISTRY[OutputFormat.PDF].pixels is PixelNeed.IMAGES
            document = await service.read(data, words_options)
            pages = len(document.pages)
            # The OCR's own CPU time is spread over ONNX Runtime's threads; its
            # wall time is what a client waits for a page.
            ocr_s = {"no_words": plain.timings_ms["ocr"] / 1000 / pages,
                     "words": document.timings_ms["ocr"] / 1000 / pages}
            facts = {"model": service.model_name, "upload": data, "kind": document.kind,
                     "filename": label}
            page_s = document.timings_ms["total"] / 1000 / pages
            costs = {}
            for name in FORMATS:
                assert OutputFormat(name) in REGISTRY
                walls, cpus = [], []
                for _ in range(3):
                    # Thread CPU time as well as wall time: under other agents' load
                    # the wall clock counts waiting for a core, the CPU time does not.
                    started, cpu = time.perf_counter(), time.thread_time()
                    chosen = OutputFormat(name)
                    context = RenderContext(replace(words_options, format=chosen), **facts)
                    REGISTRY[chosen].write(document, context)
                    walls.append(time.perf_counter() - started)
                    cpus.append(time.thread_time() - cpu)
                per_page, cpu_page = min(walls) / pages, min(cpus) / pages
                costs[name] = {"ms_per_page": round(per_page * 1000, 2),
                               "cpu_ms_per_page": round(cpu_page * 1000, 2),
                               "share_of_page_time": round(per_page / page_s, 4)}
            rows.append({"input": label, "pages": pages,
                         "ocr_s_per_page": {k: round(v, 3) for k, v in ocr_s.items()},
                         "page_s": round(page_s, 3), "formats": costs})
            print(label, json.dumps(rows[-1]), file=sys.stderr)
    finally:
        await pool.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


# -- 2. searchable PDF against OCRmyPDF -----------------------------------------------------


def _ours(url: str, label: str, data: bytes) -> tuple[float, bytes]:
    import httpx

    with httpx.Client(base_url=url, timeout=1800) as client:
        started = time.perf_counter()
        response = client.post("/ocr", files={"file": (label, data)}, data={"format": "pdf"})
        elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.content


def _peer(label: str, data: bytes, jobs: int) -> tuple[float, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / label, Path(tmp) / "out.pdf"
        source.write_bytes(data)
        started = time.perf_counter()
        # --tagged-pdf-mode ignore: the corpus scan carries an (empty) structure tree.
        subprocess.run([str(PEER), "--plugin", "ocrmypdf_rapidocr", "--output-type", "pdf",
                        "--tagged-pdf-mode", "ignore", "-j", str(jobs), "--quiet",
                        str(source), str(target)], check=True)
        return time.perf_counter() - started, target.read_bytes()


def _versus_peer(quick: bool) -> list[dict[str, Any]]:
    truths = _truths()
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="formats-peer-"))
    server = start_server(tmp)
    try:
        for label, data, truth_files in inputs(quick):
            pages = len(pdftotext(data)) - 1 or 1
            _ours(server.url, label, data)  # warm (first request pays lazy set-up)
            ours_s, ours_pdf = _ours(server.url, label, data)
            peer_s, peer_pdf = _peer(label, data, jobs=os.cpu_count() or 1)
            row = {
                "input": label, "pages": pages, "input_bytes": len(data),
                "ours": {"s_per_page": round(ours_s / pages, 2), "bytes": len(ours_pdf),
                         "cer": _cer(ours_pdf, truth_files, truths)},
                "ocrmypdf": {"s_per_page": round(peer_s / pages, 2), "bytes": len(peer_pdf),
                             "cer": _cer(peer_pdf, truth_files, truths)},
                # Line order aside (pdftotext interleaves two columns either way).
                "cer_between": round(unordered_cer("".join(pdftotext(ours_pdf)),
                                                   "".join(pdftotext(peer_pdf))), 4),
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one input, a smoke run")
    parser.add_argument("--skip-peer", action="store_true", help="formats only")
    args = parser.parse_args()
    result: dict[str, Any] = {"load_start": os.getloadavg(), "cpus": os.cpu_count()}
    result["formats"] = asyncio.run(_format_costs(args.quick))
    if not args.skip_peer and PEER.exists():
        result["vs_ocrmypdf"] = _versus_peer(args.quick)
    result["load_end"] = os.getloadavg()
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
