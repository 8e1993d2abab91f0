"""Any upload as one kind of document: a page count, a selection, pages one at a time.

Images (every frame a page) and PDFs (a page selection, text layers or renders)
open here behind one small protocol, so the service, the annotate view and the
output formats all take pages from the same place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.documents import images
from app.documents.page_ranges import select_pages
from app.documents.pdf import open_pdf
from app.domain import DecodedPage, MediaKind, PdfOptions


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """The configured limits every document is opened under."""

    max_pages: int
    max_pixels: int
    pdf_min_text_chars: int
    pdf_render_timeout_s: float


class SourceDocument(Protocol):
    """An opened upload. Not thread-safe: one thread at a time pulls its pages."""

    page_count: int
    """Pages (or frames) in the whole document."""
    selected: list[int]
    """0-based indices of the pages ``pages()`` yields, in order."""

    def pages(self) -> Iterator[DecodedPage]:
        """Yield the selected pages in order, decoding each only when asked."""
        ...

    def close(self) -> None:
        """Release what the document holds (temp files, the upload's bytes)."""
        ...


class ImageDocument:
    """An image upload: every frame is a page (``PdfOptions`` do not apply)."""

    def __init__(
        self, data: bytes, kind: MediaKind, limits: DocumentLimits,
        indices: Sequence[int] | None = None,
    ) -> None:
        self._data, self._kind, self._limits = data, kind, limits
        self.page_count = images.count_frames(
            data, kind, max_pixels=limits.max_pixels, max_pages=limits.max_pages
        )
        self.selected = list(range(self.page_count))
        if indices is not None:
            self.selected = select_pages(None, self.page_count, limits.max_pages, indices)

    def pages(self) -> Iterator[DecodedPage]:
        """Decode the frames one at a time."""
        return images.decode_pages(
            self._data,
            self._kind,
            max_pixels=self._limits.max_pixels,
            max_pages=self._limits.max_pages,
            frames=self.page_count,
            selected=None if len(self.selected) == self.page_count else set(self.selected),
        )

    def close(self) -> None:
        """Drop the upload's bytes."""
        self._data = b""


def open_document(
    data: bytes, kind: MediaKind, pdf: PdfOptions, limits: DocumentLimits, workdir: Path,
    render_text_pages: bool = False,
    indices: Sequence[int] | None = None,
    text_render_dpi: int | None = None,
) -> SourceDocument:
    """Open ``data`` (already sniffed as ``kind``); checks limits, decodes nothing yet.

    Blocks: call it from a worker thread. ``workdir`` is a private folder the
    caller owns and removes. ``render_text_pages`` renders a PDF's text-layer
    pages too (their ``DecodedPage`` then has both ``text_lines`` and ``image``),
    for views that draw on the page, at ``text_render_dpi`` when given (the image is
    then smaller than the page's pixels: the structure models need no more).
    ``indices`` (0-based) select pages or frames and override ``pdf.pages``.
    """
    if kind is MediaKind.PDF:
        return open_pdf(
            data,
            pdf,
            max_pages=limits.max_pages,
            max_pixels=limits.max_pixels,
            min_text_chars=limits.pdf_min_text_chars,
            render_timeout_s=limits.pdf_render_timeout_s,
            workdir=workdir,
            render_text_pages=render_text_pages,
            indices=indices,
            text_render_dpi=text_render_dpi,
        )
    return ImageDocument(data, kind, limits, indices)
