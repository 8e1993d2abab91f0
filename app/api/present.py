"""Turn a processed document into the API's JSON answers."""

from __future__ import annotations

from dataclasses import asdict

from app import domain, schemas
from app.domain import Document, RequestOptions


def _box(box: domain.BBox) -> list[float]:
    return [round(v, 1) for v in box]


def line_model(line: domain.Line, block: int = 0, paragraph: int = 0) -> schemas.Line:
    """One line as the API shows it."""
    return schemas.Line(
        text=line.text,
        score=None if line.score is None else round(line.score, 4),
        polygon=[[round(x, 1), round(y, 1)] for x, y in line.polygon],
        bbox=_box(line.bbox),
        block=block,
        paragraph=paragraph,
    )


def page_model(page: domain.Page) -> schemas.PageResult:
    """One page: lines in reading order, blocks and paragraphs by line index."""
    places = page.layout.line_places()
    return schemas.PageResult(
        index=page.index + 1,
        width=page.width,
        height=page.height,
        source=page.source.value,
        text_layer=page.text_layer_note,
        rotation=page.rotation,
        lines=[line_model(ln, *place) for ln, place in zip(page.lines, places, strict=True)],
        blocks=[
            schemas.Block(
                index=block.index,
                bbox=_box(block.bbox),
                paragraphs=[
                    schemas.Paragraph(index=p.index, bbox=_box(p.bbox), lines=list(p.lines),
                                      heading=p.heading)
                    for p in block.paragraphs
                ],
            )
            for block in page.layout.blocks
        ],
    )


def json_response(document: Document, request_id: str, model: str) -> schemas.OCRResponse:
    """The /ocr/json body."""
    return schemas.OCRResponse(
        request_id=request_id,
        model=model,
        page_count=document.page_count,
        processed_pages=[p.index + 1 for p in document.pages],
        pages=[page_model(p) for p in document.pages],
        timings_ms=document.timings_ms,
    )


def debug_response(
    document: Document, options: RequestOptions, request_id: str, model: str
) -> schemas.DebugResponse:
    """The /ocr/debug body: the JSON answer plus what min_score dropped."""
    pages = [
        schemas.DebugPage(**page_model(page).model_dump(),
                          below_min_score=[line_model(ln) for ln in page.dropped])
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
                 **asdict(options.engine)},
    )
