"""One page with what OCR found drawn on it, as PNG (POST /ocr/annotate).

The page is read exactly as /ocr/json reads it (``OCRService.process``), then
decoded (or, for a PDF, rendered) again in a worker thread and each kept line's
polygon drawn in reading order, numbered 1, 2, 3... Only the chosen page is
OCRed: a PDF is processed with ``pages=<page>``; the chosen frame of a
multi-frame image is decoded and sent on alone, losslessly (PNG). Decoding,
rendering, drawing and encoding all run in threads, never in the event loop.
Digits only are drawn, with Pillow's default font: no font files are needed.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, TypeVar, TypeVarTuple, Unpack
from weakref import WeakKeyDictionary

import anyio
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from app.config import Settings
from app.documents import images
from app.documents.pdf import open_pdf
from app.documents.sniff import sniff
from app.domain import Line, MediaKind, Page, PdfOptions, RequestOptions
from app.errors import InvalidPages
from app.service import OCRService

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
Pixels = npt.NDArray[np.uint8]

COLORS: Final = (
    (230, 25, 75), (0, 130, 200), (60, 180, 75), (245, 130, 48), (145, 30, 180),
    (240, 50, 230), (0, 128, 128), (170, 110, 40),
)
"""Outline colors, one per line in turn: saturated, so they show on paper and photos."""

_limiters: WeakKeyDictionary[OCRService, anyio.CapacityLimiter] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class AnnotatedPage:
    """The drawn page and what was drawn."""

    png: bytes
    page: Page
    page_number: int
    page_count: int
    lines: int


async def annotate_page(
    service: OCRService,
    data: bytes,
    options: RequestOptions,
    page_number: int,
    filename: str | None = None,
    content_type: str | None = None,
) -> AnnotatedPage:
    """OCR page ``page_number`` (1-based) of ``data`` and draw its kept lines on it."""
    settings = service.settings
    kind = sniff(data, filename, content_type)
    if kind is MediaKind.PDF:
        options = replace(options, pdf=replace(options.pdf, pages=str(page_number)))
        result = await service.process(data, options, filename, content_type)
        page_count = result.page_count
        pixels = await _in_thread(service, _render_pdf_page, data, options.pdf, page_number,
                                  settings)
    else:
        page_count = await _in_thread(service, _count_frames, data, kind, settings)
        if page_number > page_count:
            raise InvalidPages(_out_of_range(page_number, page_count))
        pixels = await _in_thread(service, _decode_frame, data, kind, page_number, settings)
        if page_count > 1:
            # Read this frame alone: the same pixels /ocr/json reads, without the others.
            data = await _in_thread(service, _png, pixels)
            filename = content_type = None
        result = await service.process(data, options, filename, content_type)
    (page,) = result.pages
    lines = page.lines
    png = await _in_thread(service, draw_lines, pixels, lines, (page.width, page.height))
    return AnnotatedPage(png, page, page_number, page_count, len(lines))


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


def _count_frames(data: bytes, kind: MediaKind, settings: Settings) -> int:
    return images.count_frames(
        data, kind, max_pixels=settings.max_pixels, max_pages=settings.max_pages
    )


def _decode_frame(data: bytes, kind: MediaKind, page_number: int, settings: Settings) -> Pixels:
    pages = images.decode_pages(
        data, kind, max_pixels=settings.max_pixels, max_pages=settings.max_pages
    )
    for page in pages:
        if page.index == page_number - 1 and page.image is not None:
            return page.image
    raise InvalidPages(_out_of_range(page_number, page_number - 1))


def _render_pdf_page(
    data: bytes, options: PdfOptions, page_number: int, settings: Settings
) -> Pixels:
    root = settings.cache_dir / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="annotate-", dir=root))
    try:
        render = replace(options, mode="ocr", pages=str(page_number))
        with open_pdf(
            data, render, max_pages=settings.max_pages, max_pixels=settings.max_pixels,
            min_text_chars=settings.pdf_min_text_chars,
            render_timeout_s=settings.pdf_render_timeout_s, workdir=workdir,
        ) as document:
            page = next(document.pages())
            assert page.image is not None  # mode "ocr" renders every page
            return page.image
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _png(pixels: Pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _out_of_range(page_number: int, page_count: int) -> str:
    noun = "page" if page_count == 1 else "pages"
    return f"page {page_number} is out of range: the document has {page_count} {noun}."


async def _in_thread(
    service: OCRService, func: Callable[[Unpack[Ts]], T], *args: *Ts
) -> T:
    # As many threads as the service decodes with (OCR_DECODE_WORKERS): pages are big.
    limiter = _limiters.get(service)
    if limiter is None:
        limiter = _limiters[service] = anyio.CapacityLimiter(service.settings.decode_workers)
    return await anyio.to_thread.run_sync(func, *args, limiter=limiter)
