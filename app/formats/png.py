"""PNG: one page with what OCR found drawn on it (POST /ocr/annotate).

The service reads only the chosen page or frame, keeping its pixels (``PixelNeed.ALWAYS``:
a PDF's text-layer page is rendered for the purpose). Each kept line's polygon is
drawn in reading order, numbered 1, 2, 3... (in the service's thread pool, never
in the event loop). Digits only are drawn, with Pillow's default font: no font
files are needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from app.domain import Document, Line
from app.errors import RenderFailed
from app.formats.base import RenderContext

Pixels = npt.NDArray[np.uint8]

COLORS: Final = (
    (230, 25, 75), (0, 130, 200), (60, 180, 75), (245, 130, 48), (145, 30, 180),
    (240, 50, 230), (0, 128, 128), (170, 110, 40),
)
"""Outline colors, one per line in turn: saturated, so they show on paper and photos."""


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the document's one page (the service reads only the page
    asked for, with its pixels) drawn with its kept lines."""
    if len(document.pages) != 1 or document.pages[0].image is None:
        raise RenderFailed("The PNG view draws one page, read with its pixels.")
    page = document.pages[0]
    assert page.image is not None
    return draw_lines(page.image, page.lines, (page.width, page.height))


def draw_lines(
    pixels: Pixels, lines: Sequence[Line], size: tuple[int, int]
) -> bytes:
    """PNG of ``pixels`` (resized to ``size`` if need be) with each line outlined and numbered."""
    canvas = Image.fromarray(pixels).convert("RGB")
    if canvas.size != size:  # a PDF page rendered one pixel off its computed size
        canvas = canvas.resize(size)
    pen = ImageDraw.Draw(canvas)
    width = max(2, round(min(size) / 400))
    heights = sorted(line.bbox[3] - line.bbox[1] for line in lines) or [20.0]
    font_size = int(min(max(heights[len(heights) // 2] * 0.6, 11), 64))
    font = ImageFont.load_default(size=font_size)
    for number, line in enumerate(lines, start=1):
        color = COLORS[(number - 1) % len(COLORS)]
        points = [(float(x), float(y)) for x, y in line.polygon]
        pen.line([*points, points[0]], fill=color, width=width, joint="curve")
        _label(pen, str(number), points, color, font, size)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return buffer.getvalue()


def _label(
    pen: ImageDraw.ImageDraw,
    text: str,
    points: Sequence[tuple[float, float]],
    color: tuple[int, int, int],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    size: tuple[int, int],
) -> None:
    """The line's number on a tag of its color, just left of its first corner."""
    left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
    pad = max(1, (bottom - top) // 5)
    tag_w, tag_h = right - left + 2 * pad, bottom - top + 2 * pad
    x0, y0 = points[0]
    x = min(max(0.0, x0 - tag_w), size[0] - tag_w)
    y = min(max(0.0, y0 - tag_h / 2), size[1] - tag_h)
    pen.rectangle((x, y, x + tag_w, y + tag_h), fill=color)
    pen.text((x + pad - left, y + pad - top), text, fill=(255, 255, 255), font=font)
