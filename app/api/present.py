"""Turn a processed document into the API's JSON answers."""

from __future__ import annotations

from dataclasses import asdict

from app import schemas
from app.domain import Document, RequestOptions
from app.formats.base import RenderContext
from app.formats.json import line_model, page_model, response_model


def json_response(
    document: Document, request_id: str, model: str, words: bool = False
) -> schemas.OCRResponse:
    """The /ocr/json body."""
    return response_model(document, RenderContext(request_id=request_id, model=model,
                                                  words=words))


def debug_response(
    document: Document, options: RequestOptions, request_id: str, model: str
) -> schemas.DebugResponse:
    """The /ocr/debug body: the JSON answer plus what min_score dropped."""
    pages = [
        schemas.DebugPage(**page_model(page, options.words).model_dump(),
                          below_min_score=[line_model(ln, words=options.words)
                                           for ln in page.dropped])
        for page in document.pages
    ]
    return schemas.DebugResponse(
        request_id=request_id,
        model=model,
        page_count=document.page_count,
        processed_pages=[p.index + 1 for p in document.pages],
        pages=pages,
        timings_ms=document.timings_ms,
        options={"min_score": options.min_score, "text_layout": options.text_layout,
                 "words": options.words,
                 **asdict(options.engine)},
    )
