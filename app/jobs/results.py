"""A finished job's pages rendered once into the result its client downloads.

Every format comes from the one registry (``app.formats``), written as /ocr writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from app.domain import Document, RequestOptions
from app.formats import FORMATS, RenderContext, render


@dataclass(frozen=True, slots=True)
class ResultContext:
    """What a renderer may need besides the pages."""

    options: RequestOptions
    request_id: str
    model: str


Renderer = Callable[[Document, ResultContext], bytes]


def _via_registry(name: str) -> Renderer:
    def write(document: Document, context: ResultContext) -> bytes:
        render_context = RenderContext(
            request_id=context.request_id,
            model=context.model,
            text_layout=context.options.text_layout,
            words=context.options.engine.word_boxes,
        )
        return render(document, name, render_context)[0]

    return write


# The searchable PDF is built on the client's file, which a job keeps only until its
# pages are read: it is not offered here (yet).
JOB_FORMATS: Final = ("text", "json", "hocr", "alto", "markdown")
RENDERERS: Final[dict[str, tuple[str, Renderer]]] = {
    name: (FORMATS[name].media_type, _via_registry(name)) for name in JOB_FORMATS
}
"""Format name -> (media type, renderer)."""


def needs_words(fmt: str) -> bool:
    """Whether the job's pages must be read with word boxes for ``fmt``."""
    return FORMATS[fmt].needs_words


def render_result(fmt: str, document: Document, context: ResultContext) -> bytes:
    """The result of a job in ``fmt`` (one of ``RENDERERS``)."""
    return RENDERERS[fmt][1](document, context)


def media_type(fmt: str) -> str:
    """The Content-Type of a result in ``fmt``."""
    return RENDERERS[fmt][0]
