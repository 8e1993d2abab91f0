"""Rendering PDF pages for OCR: one page at a time, from one private copy.

poppler's pdftoppm (through pdf2image) renders only the page asked for, into
memory; the PDF it reads is written once, under a random name, into the
request's private folder, and removed with the document. Before rendering, the
page's size is fitted to the pixel limit (``fit_dpi``: a poster is read at a lowered
dpi, reported per page) and the images it draws are checked against it, so a
pathological page is refused instead of rendered.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
import numpy.typing as npt
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError
from PIL import Image
from pypdf import PdfReader, PdfWriter

from app.documents.pdf_geometry import PageGeometry
from app.documents.pdf_limits import PdfLimits, largest_image
from app.domain import MIN_DPI, DecodedPage
from app.errors import CorruptFile, ImageTooLarge, PageTooComplex

logger = logging.getLogger("app.documents")

IMAGE_PIXELS_FACTOR: Final = 4
"""An embedded image may hold this many times ``max_pixels`` (scans are often
stored at a higher resolution than the page is rendered at)."""


class PageRenderer:
    """Renders pages of one opened PDF; owns the private copy pdftoppm reads."""

    def __init__(
        self,
        reader: PdfReader,
        data: bytes,
        decrypt: bool,
        workdir: Path,
        limits: PdfLimits,
    ) -> None:
        self._reader = reader
        self._data = data
        self._decrypt = decrypt
        self._workdir = workdir
        self._limits = limits
        self._path: Path | None = None

    def close(self) -> None:
        """Remove the private copy."""
        self._data = b""
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None

    def render(self, index: int, geometry: PageGeometry) -> DecodedPage:
        """Render one page with pdftoppm into an RGB array."""
        if math.prod(geometry.size) > self._limits.max_pixels:  # callers fit the dpi first
            raise ImageTooLarge(f"Page {index + 1} is over the pixel limit at {geometry.dpi} dpi.")
        self._check_images(index)
        timeout = self._limits.render_timeout_s
        started = time.perf_counter()
        try:
            images = convert_from_path(
                self._file(),
                dpi=geometry.dpi,
                first_page=index + 1,
                last_page=index + 1,
                thread_count=1,
                # pdf2image annotates int, but hands the value to Popen.communicate (float).
                timeout=timeout,  # type: ignore[arg-type]
            )
        except PDFPopplerTimeoutError:
            raise PageTooComplex(
                f"Rendering page {index + 1} took longer than {timeout:g} s; "
                "try a lower dpi or fewer pages."
            ) from None
        except (PDFPageCountError, PDFSyntaxError) as exc:
            raise CorruptFile(f"Page {index + 1} of the PDF could not be rendered.") from exc
        except Image.DecompressionBombError as exc:  # only when max_pixels exceeds Pillow's cap
            raise ImageTooLarge(
                f"Page {index + 1} is too large to render at {geometry.dpi} dpi; use a lower dpi."
            ) from exc
        if not images:
            raise CorruptFile(f"Page {index + 1} of the PDF could not be rendered.")
        image = _to_rgb_array(images.pop())
        height, width = image.shape[:2]
        logger.debug(
            "pdf page %d: rendered %dx%d in %.1f ms", index + 1, width, height, _ms(started)
        )
        return DecodedPage(index, width, height, image=image, dpi=geometry.dpi)

    def _check_images(self, index: int) -> None:
        """Refuse a page that draws an image far beyond the pixel limit (poppler
        decodes it whole, whatever the render size)."""
        try:
            width, height = largest_image(self._reader.pages[index])
        except Exception:  # unreadable resources: poppler's problem, under its timeout
            return
        if width * height > IMAGE_PIXELS_FACTOR * self._limits.max_pixels:
            raise ImageTooLarge(
                f"Page {index + 1} draws an image of {width}x{height} pixels; at most "
                f"{IMAGE_PIXELS_FACTOR * self._limits.max_pixels} are accepted."
            )

    def _file(self) -> Path:
        """The private copy pdftoppm reads, written on first use under a random name."""
        if self._path is None:
            fd, name = tempfile.mkstemp(prefix="pdf-", suffix=".pdf", dir=self._workdir)
            self._path = Path(name)  # set first, so close() removes a partial file too
            with os.fdopen(fd, "wb") as handle:
                if self._decrypt:
                    # pdftoppm would take the password on its command line, where
                    # every local user can read it: render a decrypted private copy.
                    self._write_decrypted(handle)
                else:
                    handle.write(self._data)
        return self._path

    def _write_decrypted(self, handle: BinaryIO) -> None:
        try:
            PdfWriter(clone_from=self._reader).write(handle)
        except Exception as exc:  # pypdf fails in many ways on damaged files
            logger.info("pdf decrypted copy failed: %s", type(exc).__name__)
            raise CorruptFile("The encrypted PDF could not be prepared for rendering.") from exc


def fit_dpi(index: int, geometry: PageGeometry, max_pixels: int) -> PageGeometry:
    """``geometry`` at the highest dpi, up to its own, at which the page fits ``max_pixels``.

    A poster-size page is read at a lowered resolution rather than refused (the answer
    reports the dpi used); ``ImageTooLarge`` only when even ``MIN_DPI`` is over the limit,
    where body text would be too small to read.
    """
    width, height = geometry.size
    if width * height <= max_pixels:
        return geometry
    fitting = math.floor(geometry.dpi * math.sqrt(max_pixels / (width * height)))
    while fitting >= MIN_DPI and math.prod(replace(geometry, dpi=fitting).size) > max_pixels:
        fitting -= 1  # ceil() rounding can push the estimate just over the limit
    if fitting < MIN_DPI:
        low_w, low_h = replace(geometry, dpi=MIN_DPI).size
        raise ImageTooLarge(
            f"Page {index + 1} is {geometry.width_pt / 72 * 2.54:.0f} x "
            f"{geometry.height_pt / 72 * 2.54:.0f} cm: even at {MIN_DPI} dpi, the lowest "
            f"resolution text is read at, it would be {low_w}x{low_h} pixels, over the limit "
            f"of {max_pixels} pixels."
        )
    return replace(geometry, dpi=fitting)


def lowered_warning(index: int, asked: PageGeometry, used: PageGeometry,
                    max_pixels: int) -> tuple[str, ...]:
    """The page's warning when it is read at a lower dpi than asked (none otherwise)."""
    if used.dpi >= asked.dpi:
        return ()
    width, height = asked.size
    return (f"Page {index + 1} was read at {used.dpi} dpi instead of {asked.dpi}: at "
            f"{asked.dpi} dpi it would be {width}x{height} pixels, over the limit of "
            f"{max_pixels} pixels.",)


def _to_rgb_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    """Copy ``image`` into an RGB uint8 array and release the PIL images."""
    try:
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        try:
            return np.array(rgb, dtype=np.uint8)
        finally:
            if rgb is not image:
                rgb.close()
    finally:
        image.close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
