"""Decoding a dense 2550x3300 page in every pixel mode: CPU before and after issue 24.

    .venv/bin/python -m bench.speed.decode [--repeats 7]

"before" is the old decode path, kept verbatim as the standard of
tests/documents/test_pixels.py; "after" is ``decode_pages`` today; "load" is
Pillow's bare ``load()`` (libpng, libjpeg, libtiff), the floor. Medians of
process CPU seconds, interleaved, so the ratios hold on a busy machine.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
from PIL import Image

from app.documents.images import decode_pages
from bench.speed.dense_page import dense_page
from tests.documents.test_pixels import KINDS, reference_pages


def variants() -> dict[str, bytes]:
    """The dense page saved in the modes scanners and exporters write."""
    page, _ = dense_page()
    out: dict[str, bytes] = {}

    def save(name: str, img: Image.Image, fmt: str, **params: object) -> None:
        buffer = io.BytesIO()
        img.save(buffer, format=fmt, **params)
        out[name] = buffer.getvalue()

    rgb = page.convert("RGB")
    save("RGB PNG", rgb, "PNG")
    save("gray PNG", page, "PNG")
    save("RGB JPEG", rgb, "JPEG", quality=90)
    save("gray TIFF (LZW)", page, "TIFF", compression="tiff_lzw")
    save("1-bit TIFF (G4)", page.convert("1"), "TIFF", compression="group4")
    save("RGBA PNG", page.convert("RGBA"), "PNG")
    save("palette PNG", page.convert("P"), "PNG")
    save("LA PNG", page.convert("LA"), "PNG")
    save("16-bit PNG", Image.fromarray(np.asarray(page).astype(np.uint16) * 257), "PNG")
    save("CMYK JPEG", page.convert("CMYK"), "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 6
    save("EXIF-rotated JPEG", rgb.rotate(90, expand=True), "JPEG", exif=exif)
    return out


def _after(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as img:
        kind = KINDS[str(img.format)]
    list(decode_pages(data, kind, max_pixels=10**8, max_pages=1))


def _load(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as img:
        img.load()


def main() -> None:
    """Print one line per mode: before, after, load and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    ways: dict[str, Callable[[bytes], object]] = {
        "before": reference_pages, "after": _after, "load": _load}
    for name, data in variants().items():
        spent: dict[str, list[float]] = {way: [] for way in ways}
        for _ in range(args.repeats):
            for way, run in ways.items():
                started = time.process_time()
                run(data)
                spent[way].append(time.process_time() - started)
        ms = {way: statistics.median(s) * 1000 for way, s in spent.items()}
        print(f"{name:18} before {ms['before']:5.0f} ms  after {ms['after']:5.0f} ms  "
              f"load {ms['load']:5.0f} ms  after/before {ms['after'] / ms['before']:.2f}  "
              f"after/load {ms['after'] / ms['load']:.2f}", flush=True)


if __name__ == "__main__":
    main()
