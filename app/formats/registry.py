"""The formats registry: each output format's writer, media type and what it needs.

``app.domain.OutputFormat`` names every format; this table says, for each, how it
is written and what the read must provide (word boxes from the engine, the decoded
pixels of pages), which ``Accept`` media types choose it on POST /ocr and whether
jobs offer it. The service asks it; routes and jobs never decide these themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from app.domain import Document, OutputFormat, PixelNeed
from app.errors import InvalidOption
from app.formats import alto, chunks, hocr, json, markdown, pdf, png, text
from app.formats.base import RenderContext

CHUNKS_MEDIA_TYPE: Final = "application/vnd.ocr.chunks+json"
"""The chunks answer's media type (JSON, but not the /ocr/json body: its own schema)."""

Writer = Callable[[Document, RenderContext], bytes]
FileWriter = Callable[[Document, RenderContext, Path, Path], None]
"""Writes from the upload's file to a result file (jobs: nothing held whole in memory)."""


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: its media type, its writer and what the writer needs."""

    media_type: str
    write: Writer
    needs_words: bool = False
    """Lines must carry word boxes (hOCR, ALTO and the PDF place every word)."""
    pixels: PixelNeed = PixelNeed.NEVER
    accept: tuple[str, ...] = ()
    """Media types that choose it through ``Accept`` on POST /ocr, in order of preference
    (empty: not offered by POST /ocr)."""
    for_jobs: bool = False
    """Offered as a job's result format."""
    write_to: FileWriter | None = None
    """File to file, for formats whose answer grows with the document's bytes."""


FORMATS: Final[dict[OutputFormat, Format]] = {
    OutputFormat.TEXT: Format("text/plain; charset=utf-8", text.write,
                              accept=("text/plain",), for_jobs=True),
    OutputFormat.JSON: Format("application/json", json.write,
                              accept=("application/json",), for_jobs=True),
    OutputFormat.HOCR: Format("application/xhtml+xml", hocr.write, needs_words=True,
                              accept=("application/xhtml+xml",), for_jobs=True),
    OutputFormat.ALTO: Format("application/xml", alto.write, needs_words=True,
                              accept=("application/xml", "text/xml"), for_jobs=True),
    # Image uploads are embedded as decoded (lossless) unless the JPEG itself fits. The
    # PDF is built on the client's file: a job writes it before it lets its upload go,
    # decoding an image's frames again (its kept pages have no pixels).
    OutputFormat.PDF: Format("application/pdf", pdf.write, needs_words=True,
                             pixels=PixelNeed.IMAGES, accept=("application/pdf",),
                             for_jobs=True, write_to=pdf.write_to),
    OutputFormat.MARKDOWN: Format("text/markdown; charset=utf-8", markdown.write,
                                  accept=("text/markdown",), for_jobs=True),
    # Chunks for retrieval: needs only lines and their paragraphs.
    OutputFormat.CHUNKS: Format(CHUNKS_MEDIA_TYPE, chunks.write,
                                accept=(CHUNKS_MEDIA_TYPE,), for_jobs=True),
    OutputFormat.PNG: Format("image/png", png.write, pixels=PixelNeed.ALWAYS),
    OutputFormat.DEBUG: Format("application/json", json.write_debug),
}
assert set(FORMATS) == set(OutputFormat), "every format name has a writer"

OCR_FORMATS: Final = tuple(name for name, f in FORMATS.items() if f.accept)
"""What POST /ocr answers (its ``format`` field and ``Accept``), text first."""
JOB_FORMATS: Final = tuple(name for name, f in FORMATS.items() if f.for_jobs)
"""What POST /jobs accepts as a result format."""


def one_of(name: str, choices: tuple[OutputFormat, ...], field: str = "format") -> OutputFormat:
    """``name`` as one of ``choices``; ``InvalidOption`` (422) naming them otherwise."""
    for choice in choices:
        if name == choice.value:
            return choice
    names = ", ".join(c.value for c in choices)
    raise InvalidOption(f"{field}: must be one of {names}.")


def render(document: Document, context: RenderContext) -> bytes:
    """The document in the format its options ask for. Blocks: run it in a thread."""
    return FORMATS[context.options.format].write(document, context)
