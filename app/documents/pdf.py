"""PDF uploads turned into pages, one page at a time.

pypdf opens the document (repairing damaged cross-reference tables where it
can), checks the password and page selection, and reads text layers. Pages that
need OCR are rendered one by one with poppler's pdftoppm (through pdf2image)
from a single private copy of the upload, so at most one page image exists at a
time however long the document is.

Everything here blocks; the service calls it from worker threads. A
``PdfDocument`` is not thread-safe (pypdf readers are not): one thread at a time
may pull its pages, though different documents may be used in parallel.
"""

from __future__ import annotations

import io
import logging
import math
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final, Literal, Self, TypedDict, get_args

import numpy as np
import numpy.typing as npt
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError
from PIL import Image
from pypdf import PasswordType, PdfReader, PdfWriter

from app.documents.page_ranges import parse_page_ranges, select_pages
from app.documents.pdf_limits import bounded_pypdf, largest_image
from app.documents.pdf_text import EMPTY_LAYER, PageGeometry, TextLayer, read_text_layer
from app.documents.sniff import PDF_SEARCH_WINDOW
from app.documents.types import Page
from app.errors import (
    CorruptFile,
    ImageTooLarge,
    InvalidOption,
    PageTooComplex,
    PdfPasswordIncorrect,
    PdfPasswordRequired,
)

__all__ = ["PdfDocument", "PdfMode", "PdfOptions", "open_pdf", "parse_page_ranges"]

logger = logging.getLogger("app.documents")

PdfMode = Literal["auto", "text", "ocr"]
IMAGE_PIXELS_FACTOR: Final = 4
"""An embedded image may hold this many times ``max_pixels`` (scans are often
stored at a higher resolution than the page is rendered at)."""
MIN_DPI: Final = 72
MAX_DPI: Final = 600


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to turn a PDF into pages (validated again by ``open_pdf``)."""

    mode: PdfMode = "auto"
    pages: str | None = None
    """1-based selection such as "1-3,5,9-"; None or blank selects every page."""
    dpi: int = 200
    password: str | None = field(default=None, repr=False)  # never in logs or tracebacks


class _PopplerAuth(TypedDict, total=False):
    userpw: str
    ownerpw: str


@dataclass(frozen=True, slots=True)
class _Limits:
    max_pixels: int
    min_text_chars: int
    render_timeout_s: float


def open_pdf(
    data: bytes,
    options: PdfOptions,
    *,
    max_pages: int,
    max_pixels: int,
    min_text_chars: int,
    render_timeout_s: float,
    workdir: Path,
) -> PdfDocument:
    """Open ``data`` as a PDF and select its pages; nothing is rendered yet.

    ``workdir`` is a private folder the caller owns; a copy of the PDF is
    written there on the first render and removed by ``PdfDocument.close()``.
    Raises ``CorruptFile``, ``PdfPasswordRequired``, ``PdfPasswordIncorrect``,
    ``InvalidPages``, ``InvalidOption``, ``PageLimitExceeded`` and, in "ocr"
    mode, ``ImageTooLarge`` (checked for every selected page up front).
    """
    _check_options(options)
    reader = _read(data)
    auth = _unlock(reader, options.password)
    page_count = _count_pages(reader)
    selected = select_pages(options.pages, page_count, max_pages)
    limits = _Limits(max_pixels, min_text_chars, render_timeout_s)
    document = PdfDocument(reader, data, options, selected, limits, auth, workdir)
    if options.mode == "ocr":
        document.check_page_sizes()  # fail before any page is OCRed
    logger.info(
        "pdf opened: %d bytes, %d pages, %d selected, mode %s, %d dpi",
        len(data),
        page_count,
        len(selected),
        options.mode,
        options.dpi,
    )
    return document


class PdfDocument:
    """An opened PDF with its page selection. Use as a context manager."""

    def __init__(
        self,
        reader: PdfReader,
        data: bytes,
        options: PdfOptions,
        selected: list[int],
        limits: _Limits,
        auth: _PopplerAuth,
        workdir: Path,
    ) -> None:
        self.page_count: int = len(reader.pages)
        self.selected: list[int] = selected
        self._reader = reader
        self._data = data
        self._mode: PdfMode = options.mode
        self._dpi = options.dpi
        self._limits = limits
        self._auth = auth
        self._workdir = workdir
        self._path: Path | None = None
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def pages(self) -> Iterator[Page]:
        """Yield the selected pages in order, reading or rendering each only when asked."""
        for index in self.selected:
            # No local name: the generator must not keep the previous page
            # alive while the next one renders.
            yield self._page(index)

    def check_page_sizes(self) -> None:
        """Raise ``ImageTooLarge`` if any selected page would render over ``max_pixels``."""
        for index in self.selected:
            _check_pixels(index, self._geometry(index), self._dpi, self._limits.max_pixels)

    def close(self) -> None:
        """Remove the rendering copy of the PDF; the document is unusable afterwards."""
        self._closed = True
        self._data = b""
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None

    def _page(self, index: int) -> Page:
        if self._closed:
            raise RuntimeError("PdfDocument is closed")
        started = time.perf_counter()
        geometry = self._geometry(index)
        if self._mode != "ocr":
            layer = self._text_layer(index, geometry)
            if self._mode == "text" or layer.is_real_text(self._limits.min_text_chars):
                logger.debug(
                    "pdf page %d: text layer, %d chars, %d lines in %.1f ms",
                    index + 1,
                    layer.chars,
                    len(layer.lines),
                    _ms(started),
                )
                width, height = geometry.size
                return Page(index, width, height, text_lines=layer.lines)
        return self._render(index, geometry)

    def _geometry(self, index: int) -> PageGeometry:
        try:
            return PageGeometry.of(self._reader.pages[index], self._dpi)
        except (ImageTooLarge, CorruptFile):
            raise
        except Exception as exc:  # pypdf raises many types on damaged page trees and boxes
            raise CorruptFile(f"Page {index + 1} of the PDF is damaged.") from exc

    def _text_layer(self, index: int, geometry: PageGeometry) -> TextLayer:
        """The page's text layer; an unreadable one counts as empty (auto mode then OCRs)."""
        try:
            with bounded_pypdf():
                return read_text_layer(self._reader.pages[index], geometry)
        except MemoryError:
            raise
        except Exception as exc:  # damaged content streams fail in many ways
            logger.warning("pdf page %d: text layer unreadable (%s)", index + 1, type(exc).__name__)
            return EMPTY_LAYER

    def _render(self, index: int, geometry: PageGeometry) -> Page:
        """Render one page with pdftoppm into an RGB array."""
        _check_pixels(index, geometry, self._dpi, self._limits.max_pixels)
        self._check_images(index)
        timeout = self._limits.render_timeout_s
        started = time.perf_counter()
        try:
            images = convert_from_path(
                self._file(),
                dpi=self._dpi,
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
                f"Page {index + 1} is too large to render at {self._dpi} dpi; use a lower dpi."
            ) from exc
        if not images:
            raise CorruptFile(f"Page {index + 1} of the PDF could not be rendered.")
        image = _to_rgb_array(images.pop())
        height, width = image.shape[:2]
        logger.debug(
            "pdf page %d: rendered %dx%d in %.1f ms", index + 1, width, height, _ms(started)
        )
        return Page(index, width, height, image=image)

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
                if self._auth:
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


def _check_options(options: PdfOptions) -> None:
    if options.mode not in get_args(PdfMode):
        raise InvalidOption("mode must be 'auto', 'text' or 'ocr'.")
    if not MIN_DPI <= options.dpi <= MAX_DPI:
        raise InvalidOption(f"dpi must be between {MIN_DPI} and {MAX_DPI}.")


def _read(data: bytes) -> PdfReader:
    """A pypdf reader for ``data``, or ``CorruptFile``."""
    # The sniffer's rule: without a header in the first kilobyte it is no PDF at all.
    if b"%PDF-" not in data[:PDF_SEARCH_WINDOW]:
        raise CorruptFile("The file is not a PDF: it has no '%PDF-' header.")
    try:
        # strict=False repairs what it can (broken xref tables, wrong offsets).
        return PdfReader(io.BytesIO(data), strict=False)
    except MemoryError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        logger.info("pdf unreadable: %s", type(exc).__name__)
        raise CorruptFile("The PDF could not be read: its structure is damaged.") from exc


def _unlock(reader: PdfReader, password: str | None) -> _PopplerAuth:
    """Decrypt ``reader`` if needed; return the password in the form poppler needs."""
    if not reader.is_encrypted:
        return {}
    try:
        kind = reader.decrypt(password) if password else PasswordType.NOT_DECRYPTED
        if kind == PasswordType.NOT_DECRYPTED and reader.decrypt("") != kind:
            return {}  # opens without a password (owner password only)
    except Exception as exc:  # unsupported or damaged encryption dictionary
        logger.info("pdf decryption failed: %s", type(exc).__name__)
        raise CorruptFile("The PDF's encryption cannot be opened by this service.") from exc
    if kind == PasswordType.NOT_DECRYPTED and not password:
        raise PdfPasswordRequired(
            "The PDF is password-protected; send its password in the 'password' field."
        )
    if kind == PasswordType.NOT_DECRYPTED:
        raise PdfPasswordIncorrect("The password does not open this PDF.")
    assert password is not None
    return {"ownerpw": password} if kind == PasswordType.OWNER_PASSWORD else {"userpw": password}


def _count_pages(reader: PdfReader) -> int:
    try:
        count = len(reader.pages)
    except Exception as exc:  # a damaged page tree fails in many ways
        logger.info("pdf page tree unreadable: %s", type(exc).__name__)
        raise CorruptFile("The PDF's page tree is damaged.") from exc
    if count == 0:
        raise CorruptFile("The PDF has no pages.")
    return count


def _check_pixels(index: int, geometry: PageGeometry, dpi: int, max_pixels: int) -> None:
    """Raise ``ImageTooLarge`` naming the page and a dpi that would fit."""
    width, height = geometry.size
    if width * height <= max_pixels:
        return
    fitting = math.floor(dpi * math.sqrt(max_pixels / (width * height)))
    while fitting >= MIN_DPI and math.prod(replace(geometry, dpi=fitting).size) > max_pixels:
        fitting -= 1  # ceil() rounding can push the estimate just over the limit
    hint = f"use dpi={fitting} or lower" if fitting >= MIN_DPI else "it is too large even at 72 dpi"
    raise ImageTooLarge(
        f"Page {index + 1} would be {width}x{height} pixels at {dpi} dpi, over the limit of "
        f"{max_pixels} pixels; {hint}."
    )


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
