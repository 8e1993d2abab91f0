"""What every output format receives besides the document, and the words of a line."""

from __future__ import annotations

from dataclasses import dataclass, field

from app import __version__
from app.domain import Line, MediaKind, RequestOptions, TextLayout, Word

SERVICE_NAME = "ocr-service"


@dataclass(frozen=True, slots=True)
class RenderContext:
    """The request's facts a format may need. Immutable, built once per answer by the
    service (or a job's runner) from the request's options."""

    options: RequestOptions
    request_id: str = ""
    model: str = ""
    """The model set that read the pages (hOCR ``ocr-system``, ALTO ``OCRProcessing``)."""
    upload: bytes = field(default=b"", repr=False)
    """The client's file: the searchable PDF is built on it (never re-rasterized)."""
    kind: MediaKind | None = None
    filename: str | None = None
    service: str = f"{SERVICE_NAME} {__version__}"

    @property
    def text_layout(self) -> TextLayout:
        """Plain text and Markdown: one text line per line, or one paragraph per line."""
        return self.options.text_layout

    @property
    def words(self) -> bool:
        """JSON only: lines carry their words."""
        return self.options.words

    @property
    def dpi(self) -> int:
        """Pixels per inch of a PDF's OCR pages (the request's render dpi)."""
        return self.options.pdf.dpi

    @property
    def password(self) -> str | None:
        """The password the upload was opened with (the searchable PDF reopens it)."""
        return self.options.pdf.password


def line_words(line: Line) -> tuple[Word, ...]:
    """The line's words: the engine's or the text layer's when it has them.

    A line without words (an engine run without word boxes, a text-layer line
    whose layer gave none) is split on spaces and its box divided in
    proportion to characters (spaces included): an estimate, exact only for
    monospaced text, but it keeps every word of the line findable where it is.
    """
    if line.words:
        return line.words
    x0, y0, x1, y1 = line.bbox
    text = line.text
    if not text.strip():
        return ()
    per_char = (x1 - x0) / max(len(text), 1)
    words: list[Word] = []
    start = 0
    for token in text.split(" "):
        if token:
            left = x0 + start * per_char
            words.append(Word(token, (left, y0, left + len(token) * per_char, y1), line.score))
        start += len(token) + 1
    return tuple(words)
