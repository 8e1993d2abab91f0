"""Soak: many mixed requests on loopback; memory, descriptors and temp files must stay flat.

    python -m bench.speed.soak                    # 10 000 requests at concurrency 4
    python -m bench.speed.soak --requests 400     # shorter

Mix: small corpus images, text-layer and scanned PDFs, and bad inputs (empty,
truncated, not an image, a header claiming 100 000 x 100 000 px). Records the
service's RSS and open file descriptors at request 1 000 (after warm-up) and at
the end, the temp files left under its cache folder, and the status histogram.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

import httpx
import psutil

from tests.support.server import CORPUS, start_server

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _huge_png_header() -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def workload(scanned: bool = False) -> list[tuple[str, bytes, dict[str, str]]]:
    """The request mix, one entry per kind of request (cycled through)."""
    read = lambda name: (CORPUS / name).read_bytes()  # noqa: E731
    receipt = read("sroie_receipt_070.jpg")
    return [
        ("image", read("cnocr_helloworld.jpg"), {}),
        ("image", read("rapidocr_text_rec.jpg"), {}),
        ("image", read("rapidocr_en_rec.jpg"), {}),
        ("pdf-text", read("pypdf_crazyones.pdf"), {}),
        ("pdf-text", read("pysf_minimal-document.pdf"), {}),
        # A scanned page costs ~5 s of CPU here (85 lines to recognize): it would
        # stretch 10 000 requests over hours; --scanned puts it back in the mix.
        ("bad", b"", {}),
        ("bad", receipt[:5000], {}),
        ("bad", b"not an image at all", {}),
        ("bad", _huge_png_header(), {}),
    ] + ([("pdf-scanned", read("rapidocrpdf_image.pdf"), {})] if scanned else [])


async def _worker(client: httpx.AsyncClient, jobs: asyncio.Queue[int], mix: list,
                  statuses: collections.Counter[int], progress: list[int],
                  samples: dict[int, dict[str, float]], proc: psutil.Process) -> None:
    while not jobs.empty():
        n = jobs.get_nowait()
        _, data, fields = mix[n % len(mix)]
        response = await client.post("/ocr", files={"file": ("upload", data)}, data=fields)
        statuses[response.status_code] += 1
        progress[0] += 1
        if progress[0] in samples:
            samples[progress[0]] = {"rss_mb": proc.memory_info().rss / 2**20,
                                    "fds": proc.num_fds()}
            print(f"after {progress[0]}: {samples[progress[0]]} {dict(statuses)}",
                  file=sys.stderr, flush=True)


def main() -> None:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--scanned", action="store_true", help="include a scanned PDF page")
    args = parser.parse_args()
    mix = workload(args.scanned)
    checkpoints = sorted({min(1000, args.requests // 10), *range(0, args.requests, 1000),
                          args.requests} - {0})
    with tempfile.TemporaryDirectory(prefix="ocr-soak-") as tmp:
        server = start_server(Path(tmp), OCR_MAX_PIXELS="40000000")
        proc = psutil.Process(server.process.pid)
        statuses: collections.Counter[int] = collections.Counter()
        samples: dict[int, dict[str, float]] = {c: {} for c in checkpoints}
        jobs: asyncio.Queue[int] = asyncio.Queue()
        for n in range(args.requests):
            jobs.put_nowait(n)
        progress = [0]

        async def run() -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=300) as client:
                await asyncio.gather(*(
                    _worker(client, jobs, mix, statuses, progress, samples, proc)
                    for _ in range(args.concurrency)
                ))

        started = time.perf_counter()
        try:
            asyncio.run(run())
            elapsed = time.perf_counter() - started
            leftovers = [str(p) for p in (Path(tmp) / "cache" / "tmp").rglob("*")]
        finally:
            server.stop()
    first, last = samples[checkpoints[0]], samples[checkpoints[-1]]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "requests": args.requests,
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "samples": samples,
        "rss_drift": (last["rss_mb"] - first["rss_mb"]) / first["rss_mb"],
        "fd_change": last["fds"] - first["fds"],
        "temp_files_left": leftovers,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
