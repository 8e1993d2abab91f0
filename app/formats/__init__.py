"""Output formats: one module each, picked by name from one registry.

``render(document, name, context)`` returns the answer's bytes and media type;
every caller (the /ocr route, jobs, streams) goes through it, so a format is
added in one place. ``FORMATS`` says what each format needs from the read:
word boxes from the engine, the decoded pixels of image uploads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, get_args

from app.domain import Document
from app.formats import alto, hocr, json, markdown, pdf, text
from app.formats.base import RenderContext
from app.service import KeepImages

FormatName = Literal["text", "json", "hocr", "alto", "pdf", "markdown"]


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: its media type, its writer and what the writer needs."""

    media_type: str
    write: Callable[[Document, RenderContext], bytes]
    needs_words: bool = False
    keep_images: KeepImages = "never"


FORMATS: Final[dict[str, Format]] = {
    "text": Format("text/plain; charset=utf-8", text.write),
    "json": Format("application/json", json.write),
    "hocr": Format("application/xhtml+xml", hocr.write, needs_words=True),
    "alto": Format("application/xml", alto.write, needs_words=True),
    # Image uploads are embedded as decoded (lossless) unless the JPEG itself fits.
    "pdf": Format("application/pdf", pdf.write, needs_words=True, keep_images="images"),
    "markdown": Format("text/markdown; charset=utf-8", markdown.write),
}
assert set(FORMATS) == set(get_args(FormatName))


def render(document: Document, name: str, context: RenderContext) -> tuple[bytes, str]:
    """The document written in format ``name``: (body, media type). Blocks: run in a thread."""
    chosen = FORMATS[name]
    return chosen.write(document, context), chosen.media_type


__all__ = ["FORMATS", "Format", "FormatName", "RenderContext", "render"]
