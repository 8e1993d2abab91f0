"""Scanned PDFs built from corpus pages (read in place), for job and stream tests and bench."""

from __future__ import annotations

import io
from typing import Final

from PIL import Image

from tests.support.server import CORPUS

SCAN_PAGES: Final = (
    "tess_eurotext.tif", "cnocr_multi-line_en_black.png", "sroie_receipt_050.jpg",
    "tess_phototest.tif",
)
"""Pages with text of different kinds, used in turn: page N of a scan differs from N+1."""


def corpus_scan_pdf(pages: int, resolution: int = 200) -> bytes:
    """A ``pages``-page image-only PDF, the corpus pages in turn (``resolution``: pixels
    per inch of the embedded images, so rendering at that dpi gives them back 1:1)."""
    frames = [Image.open(CORPUS / name).convert("RGB") for name in SCAN_PAGES]
    chosen = [frames[i % len(frames)] for i in range(pages)]
    buffer = io.BytesIO()
    chosen[0].save(buffer, format="PDF", resolution=resolution, save_all=True,
                   append_images=chosen[1:])
    return buffer.getvalue()
