"""JSON: pages, lines in reading order (text, confidence, polygon, box, words), blocks and
paragraphs. The body of /ocr/json and of ``format=json``."""

from __future__ import annotations

from dataclasses import asdict

from app import domain
from app.domain import Document
from app.formats import json_wire as schemas
from app.formats.base import RenderContext, line_words


def _box(box: domain.BBox) -> list[float]:
    return [round(v, 1) for v in box]


def line_model(
    line: domain.Line, block: int = 0, paragraph: int = 0, words: bool = False
) -> schemas.Line:
    """One line as the API shows it; with ``words``, its words and their boxes."""
    return schemas.Line(
        text=line.text,
        score=None if line.score is None else round(line.score, 4),
        polygon=[[round(x, 1), round(y, 1)] for x, y in line.polygon],
        bbox=_box(line.bbox),
        block=block,
        paragraph=paragraph,
        words=[schemas.Word(text=w.text, bbox=_box(w.bbox)) for w in line_words(line)]
        if words else None,
    )


def page_model(page: domain.Page, words: bool = False) -> schemas.PageResult:
    """One page: lines in reading order, blocks and paragraphs by line index."""
    places = page.layout.line_places()
    return schemas.PageResult(
        index=page.index + 1,
        width=page.width,
        height=page.height,
        source=page.source.value,
        text_layer=page.text_layer_note,
        rotation=page.rotation,
        skew=page.skew,
        dpi=page.dpi,
        lines=[line_model(ln, *place, words=words)
               for ln, place in zip(page.lines, places, strict=True)],
        blocks=[
            schemas.Block(
                index=block.index,
                bbox=_box(block.bbox),
                paragraphs=[
                    schemas.Paragraph(index=p.index, bbox=_box(p.bbox), lines=list(p.lines),
                                      heading=p.heading)
                    for p in block.paragraphs
                ],
                kind=block.kind.value if block.kind is not None else None,
                caption_of=block.caption_of,
                table=block.table,
            )
            for block in page.layout.blocks
        ],
        tables=[table_model(t, n, page) for n, t in enumerate(page.tables)] or None,
        warnings=list(page.warnings) or None,
    )


def table_model(table: domain.Table, index: int, page: domain.Page) -> schemas.Table:
    """One table: grid, cells with text and boxes, HTML, and the block that holds it."""
    block = next((b.index for b in page.layout.blocks if b.table == index), None)
    return schemas.Table(
        bbox=_box(table.bbox), rows=table.rows, cols=table.cols,
        header_rows=table.header_rows,
        cells=[schemas.Cell(row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan,
                            bbox=_box(c.bbox), text=c.text) for c in table.cells],
        html=table.html, truncated=table.truncated, block=block,
    )


def response_model(document: Document, context: RenderContext) -> schemas.OCRResponse:
    """The whole answer as its response model."""
    return schemas.OCRResponse(
        request_id=context.request_id,
        model=context.model,
        page_count=document.page_count,
        processed_pages=[p.index + 1 for p in document.pages],
        pages=[page_model(p, context.words) for p in document.pages],
        timings_ms=document.timings_ms,
    )


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the JSON answer as UTF-8 (lines without words are left out
    of ``words``, as /ocr/json does)."""
    return response_model(document, context).model_dump_json(exclude_none=False).encode()


def write_debug(document: Document, context: RenderContext) -> bytes:
    """POST /ocr/debug: the JSON answer plus what ``min_score`` dropped and the options."""
    return debug_model(document, context).model_dump_json(exclude_none=False).encode()


def debug_model(document: Document, context: RenderContext) -> schemas.DebugResponse:
    """The debug answer as its response model."""
    options = context.options
    pages = [
        schemas.DebugPage(**page_model(page, options.words).model_dump(),
                          below_min_score=[line_model(ln, words=options.words)
                                           for ln in page.dropped])
        for page in document.pages
    ]
    return schemas.DebugResponse(
        request_id=context.request_id,
        model=context.model,
        page_count=document.page_count,
        processed_pages=[p.index + 1 for p in document.pages],
        pages=pages,
        timings_ms=document.timings_ms,
        options={"min_score": options.min_score, "text_layout": options.text_layout,
                 "words": options.words, "regions": options.regions,
                 "tables": options.tables, **asdict(options.engine)},
    )
