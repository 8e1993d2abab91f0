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
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Self, TypedDict

from pypdf import PasswordType, PdfReader

from app.documents.page_ranges import parse_page_ranges, select_pages
from app.documents.pdf_fonts import FontBook
from app.documents.pdf_geometry import PageGeometry
from app.documents.pdf_limits import PdfLimits, bounded_pypdf
from app.documents.pdf_render import PageRenderer, fit_dpi, lowered_warning
from app.documents.pdf_text import EMPTY_LAYER, UNREADABLE, TextLayer, read_text_layer
from app.documents.sniff import PDF_SEARCH_WINDOW
from app.domain import DecodedPage, ExistingText, PdfMode, PdfOptions
from app.errors import (
    CorruptFile,
    ImageTooLarge,
    PdfPasswordIncorrect,
    PdfPasswordRequired,
)

__all__ = ["PdfDocument", "PdfMode", "PdfOptions", "open_pdf", "parse_page_ranges"]

logger = logging.getLogger("app.documents")

class _PopplerAuth(TypedDict, total=False):
    userpw: str
    ownerpw: str


def open_pdf(
    data: bytes,
    options: PdfOptions,
    *,
    max_pages: int,
    max_pixels: int,
    min_text_chars: int,
    render_timeout_s: float,
    workdir: Path,
    render_text_pages: bool = False,
    indices: Sequence[int] | None = None,
    text_render_dpi: int | None = None,
) -> PdfDocument:
    """Open ``data`` as a PDF and select its pages; nothing is rendered yet.

    ``indices`` (0-based) select pages instead of ``options.pages``.
    ``workdir`` is a private folder the caller owns; a copy of the PDF is
    written there on the first render and removed by ``PdfDocument.close()``.
    Raises ``CorruptFile``, ``PdfPasswordRequired``, ``PdfPasswordIncorrect``,
    ``InvalidPages``, ``PageLimitExceeded`` and, in "ocr"
    mode, ``ImageTooLarge`` (checked for every selected page up front: only a page
    over the pixel limit even at ``MIN_DPI``; larger pages are read at a lower dpi).
    """
    reader = _read(data)
    auth = _unlock(reader, options.password)
    page_count = _count_pages(reader)
    selected = select_pages(options.pages, page_count, max_pages, indices)
    limits = PdfLimits(max_pixels, min_text_chars, render_timeout_s)
    document = PdfDocument(reader, data, options, selected, limits, auth, workdir)
    document.render_text_pages = render_text_pages
    document.text_render_dpi = text_render_dpi
    if options.mode == PdfMode.OCR or options.existing_text is ExistingText.FORCE:
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
        limits: PdfLimits,
        auth: _PopplerAuth,
        workdir: Path,
    ) -> None:
        self.page_count: int = len(reader.pages)
        self.selected: list[int] = selected
        self._reader = reader
        # existing_text=force reads every page as mode=ocr does.
        self._mode: PdfMode = (PdfMode.OCR if options.existing_text is ExistingText.FORCE
                               else options.mode)
        self._keep_invisible = options.existing_text is ExistingText.KEEP
        self._dpi = options.dpi
        self._limits = limits
        self._renderer = PageRenderer(reader, data, bool(auth), workdir, limits)
        self._fonts = FontBook()
        self._closed = False
        self.render_text_pages = False
        """Render text-layer pages too (for views that draw on the page)."""
        self.text_render_dpi: int | None = None
        """Their render resolution when not the request's (structure models need less)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def pages(self) -> Iterator[DecodedPage]:
        """Yield the selected pages in order, reading or rendering each only when asked."""
        for index in self.selected:
            # No local name: the generator must not keep the previous page
            # alive while the next one renders.
            yield self._page(index)

    def check_page_sizes(self) -> None:
        """Raise ``ImageTooLarge`` if a selected page is over ``max_pixels`` even at the
        lowest dpi (larger pages are read at a lowered dpi)."""
        for index in self.selected:
            fit_dpi(index, self._geometry(index), self._limits.max_pixels)

    def close(self) -> None:
        """Remove the rendering copy of the PDF; the document is unusable afterwards."""
        self._closed = True
        self._renderer.close()

    def _page(self, index: int) -> DecodedPage:
        if self._closed:
            raise RuntimeError("PdfDocument is closed")
        started = time.perf_counter()
        asked = self._geometry(index)
        if self._mode == PdfMode.OCR:
            return self._render(index, asked)
        # Where pixels are drawn on (the annotate view), the text layer's coordinates
        # follow the render's dpi; the structure models' render has a dpi of its own.
        drawn = self.render_text_pages and self.text_render_dpi is None
        geometry = self._fit(index, asked) if drawn else asked
        layer, note = self._text_layer(index, geometry)
        if self._mode == PdfMode.TEXT or layer.is_real_text(self._limits.min_text_chars,
                                                             self._keep_invisible):
            logger.debug(
                "pdf page %d: text layer, %d chars, %d lines in %.1f ms%s",
                index + 1,
                layer.chars,
                len(layer.lines),
                _ms(started),
                f" ({note})" if note else "",
            )
            width, height = geometry.size
            page = DecodedPage(
                index, width, height, text_lines=layer.lines, text_layer_note=note,
                dpi=geometry.dpi, warnings=self._warnings(index, asked, geometry),
            )
            if self.render_text_pages:
                shot = geometry if drawn else self._fit(
                    index, replace(asked, dpi=self.text_render_dpi or asked.dpi))
                image = self._renderer.render(index, shot).image
                page = replace(page, image=image)
            return page
        logger.info("pdf page %d: text layer not used (%s), OCR", index + 1, note)
        return replace(self._render(index, asked), text_layer_note=note)

    def _render(self, index: int, asked: PageGeometry) -> DecodedPage:
        """The page rendered at the highest dpi up to the asked one that fits the limit."""
        geometry = self._fit(index, asked)
        page = self._renderer.render(index, geometry)
        return replace(page, warnings=self._warnings(index, asked, geometry))

    def _fit(self, index: int, asked: PageGeometry) -> PageGeometry:
        return fit_dpi(index, asked, self._limits.max_pixels)

    def _warnings(self, index: int, asked: PageGeometry, used: PageGeometry) -> tuple[str, ...]:
        warnings = lowered_warning(index, asked, used, self._limits.max_pixels)
        if warnings:
            logger.info("pdf page %d: read at %d dpi instead of %d (pixel limit)",
                        index + 1, used.dpi, asked.dpi)
        return warnings

    def _geometry(self, index: int) -> PageGeometry:
        try:
            return PageGeometry.of(self._reader.pages[index], self._dpi)
        except (ImageTooLarge, CorruptFile):
            raise
        except Exception as exc:  # pypdf raises many types on damaged page trees and boxes
            raise CorruptFile(f"Page {index + 1} of the PDF is damaged.") from exc

    def _text_layer(self, index: int, geometry: PageGeometry) -> tuple[TextLayer, str | None]:
        """The page's text layer and its note; an unreadable one counts as empty."""
        try:
            with bounded_pypdf():
                layer = read_text_layer(self._reader.pages[index], geometry, self._fonts)
        except MemoryError:
            raise
        except Exception as exc:  # damaged content streams fail in many ways
            logger.warning("pdf page %d: text layer unreadable (%s)", index + 1, type(exc).__name__)
            return EMPTY_LAYER, UNREADABLE
        return layer, layer.note(self._limits.min_text_chars, self._keep_invisible)


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


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
