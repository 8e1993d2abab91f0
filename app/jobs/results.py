"""A finished job's pages rendered once into the result its client downloads.

One function per format keyed by name, so a new format (hOCR, ALTO, PDF...) is one
more entry here and one more value ``POST /jobs`` accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from app.api.present import json_response
from app.domain import Document, RequestOptions
from app.formats.text import document_text


@dataclass(frozen=True, slots=True)
class ResultContext:
    """What a renderer may need besides the pages."""

    options: RequestOptions
    request_id: str
    model: str


Renderer = Callable[[Document, ResultContext], bytes]


def _text(document: Document, context: ResultContext) -> bytes:
    return document_text(document, context.options.text_layout).encode()


def _json(document: Document, context: ResultContext) -> bytes:
    return json_response(document, context.request_id, context.model).model_dump_json().encode()


RENDERERS: Final[dict[str, tuple[str, Renderer]]] = {
    "text": ("text/plain; charset=utf-8", _text),
    "json": ("application/json", _json),
}
"""Format name -> (media type, renderer)."""


def render_result(fmt: str, document: Document, context: ResultContext) -> bytes:
    """The result of a job in ``fmt`` (one of ``RENDERERS``)."""
    return RENDERERS[fmt][1](document, context)


def media_type(fmt: str) -> str:
    """The Content-Type of a result in ``fmt``."""
    return RENDERERS[fmt][0]
