"""A two-column page drawn for the skew tests, with its text in reading order as truth.

Pillow's built-in font (no system font needed), a fixed seed: the same page every
run. ``turned`` rotates it by a few degrees as a flatbed or phone scan would be,
optionally with grey paper, blur and noise.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = (1654, 1400)
"""The width of A4 at 200 dpi, a bit over half its height."""
MARGIN, GUTTER, POINTS, SPACING = 120, 90, 11, 1.5
_WORDS = (
    "the of and to in is that for it as was with be by on not this are or from at which "
    "report service invoice order number total amount payment account customer delivery "
    "address street office market station quality system process result method window "
    "question history country company several between important following available "
    "morning evening summer winter garden river mountain village harbour bridge letter"
)
_VOCABULARY = _WORDS.split()


@dataclass(frozen=True, slots=True)
class DrawnPage:
    """A page's pixels (greyscale PNG bytes) and its text, column after column."""

    png: bytes
    truth: str


def _lines(rng: random.Random, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
           width: int, count: int) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    while len(lines) < count:
        word = rng.choice(_VOCABULARY)
        if current and font.getlength(" ".join([*current, word])) > width:
            lines.append(" ".join(current))
            current = []
        current.append(word)
    return lines


def two_columns(seed: int = 22) -> tuple[Image.Image, str]:
    """The upright page and its truth (left column top to bottom, then the right one)."""
    rng = random.Random(seed)
    font = ImageFont.load_default(size=round(POINTS / 72 * 200))
    step = round(POINTS / 72 * 200 * SPACING)
    column = (SIZE[0] - 2 * MARGIN - GUTTER) // 2
    count = (SIZE[1] - 2 * MARGIN) // step
    page = Image.new("L", SIZE, 255)
    draw = ImageDraw.Draw(page)
    truth: list[str] = []
    for left in (MARGIN, MARGIN + column + GUTTER):
        lines = _lines(rng, font, column, count)
        for n, line in enumerate(lines):
            draw.text((left, MARGIN + n * step), line, fill=20, font=font)
        truth += lines
    return page, "\n".join(truth)


def turned(degrees: float, noise: bool = False) -> DrawnPage:
    """The two-column page turned ``degrees`` counter-clockwise (negative: clockwise)."""
    page, truth = two_columns()
    paper = 235 if noise else 255
    if noise:
        page = page.point(lambda v: min(v, paper))
    page = page.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=paper,
                       expand=True)
    if noise:
        page = page.filter(ImageFilter.GaussianBlur(0.6))
        grain = np.random.default_rng(7).normal(0, 8, (page.height, page.width))
        page = Image.fromarray(np.clip(np.asarray(page, dtype=np.float32) + grain, 0, 255)
                               .astype(np.uint8))
    out = io.BytesIO()
    page.save(out, "PNG")
    return DrawnPage(out.getvalue(), truth)
