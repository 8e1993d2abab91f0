"""A dense two-column 300-DPI letter page (2550x3300, about 80 lines) and its text.

The page issue 24 measures: drawn with Pillow in DejaVu Serif so its truth is
known exactly, saved as PNG, TIFF or JPEG by the caller. Deterministic: the
same seed draws the same page.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 2550, 3300
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
_TEXT = (
    "the service reads every page of a scanned document and returns its text with "
    "boxes in the original pixel coordinates while the scheduler keeps deadlines "
    "priorities and admission bounded under load so that one large job never "
    "starves a short request from another client of the same office server"
)
_WORDS = _TEXT.split(" ")


def dense_page(seed: int = 24, *, lines_per_column: int = 40,
               font_px: int = 38) -> tuple[Image.Image, list[str]]:
    """Draw the page; return it (mode ``L``) and its lines in reading order."""
    rng = random.Random(seed)
    font = ImageFont.truetype(str(FONT), font_px)
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    margin, gutter = 150, 100
    column_w = (WIDTH - 2 * margin - gutter) // 2
    step = (HEIGHT - 2 * margin) // lines_per_column
    truth: list[str] = []
    for column in range(2):
        x = margin + column * (column_w + gutter)
        for row in range(lines_per_column):
            words: list[str] = []
            while True:
                candidate = " ".join([*words, rng.choice(_WORDS)])
                if draw.textlength(candidate, font=font) > column_w:
                    break
                words = candidate.split(" ")
            text = " ".join(words)
            draw.text((x, margin + row * step), text, fill=0, font=font)
            truth.append(text)
    return page, truth


def save_dense_page(path: Path, seed: int = 24) -> list[str]:
    """Draw the page and save it at ``path`` (format from the suffix); return its lines."""
    page, truth = dense_page(seed)
    page.convert("RGB").save(path, dpi=(300, 300)) if path.suffix.lower() in (
        ".jpg", ".jpeg") else page.save(path, dpi=(300, 300))
    return truth
