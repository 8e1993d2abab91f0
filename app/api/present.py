"""Turn a processed document into the API's answers."""

from __future__ import annotations

from dataclasses import asdict

from app.engine.types import RecognizedLine
from app.schemas import DebugPage, DebugResponse, Line, OCRResponse, PageResult
from app.service import DocumentResult, PageOutcome, RequestOptions

PAGE_SEPARATOR = "\f"


def kept(page: PageOutcome, min_score: float) -> list[RecognizedLine]:
    """Lines at or above ``min_score``; text-layer lines are always kept."""
    if page.source == "text-layer":
        return list(page.lines)
    return [ln for ln in page.lines if ln.score >= min_score]


def plain_text(result: DocumentResult, min_score: float) -> str:
    """One line per text line; pages separated by a form feed."""
    pages = ["\n".join(ln.text for ln in kept(page, min_score)) for page in result.pages]
    text = PAGE_SEPARATOR.join(pages)
    return text + "\n" if text else ""


def _line(line: RecognizedLine, source: str) -> Line:
    return Line(
        text=line.text,
        score=None if source == "text-layer" else round(line.score, 4),
        polygon=[[round(x, 1), round(y, 1)] for x, y in line.polygon],
        bbox=[round(v, 1) for v in line.bbox],
    )


def _page(page: PageOutcome, min_score: float) -> PageResult:
    return PageResult(
        index=page.index + 1,
        width=page.width,
        height=page.height,
        source=page.source,
        rotation=page.rotation,
        lines=[_line(ln, page.source) for ln in kept(page, min_score)],
    )


def json_response(
    result: DocumentResult, options: RequestOptions, request_id: str, model: str
) -> OCRResponse:
    """The /ocr/json body."""
    return OCRResponse(
        request_id=request_id,
        model=model,
        page_count=result.page_count,
        processed_pages=[p.index + 1 for p in result.pages],
        pages=[_page(p, options.min_score) for p in result.pages],
        timings_ms=result.timings_ms,
    )


def debug_response(
    result: DocumentResult, options: RequestOptions, request_id: str, model: str
) -> DebugResponse:
    """The /ocr/debug body: the JSON answer plus what min_score dropped."""
    pages = []
    for page in result.pages:
        base = _page(page, options.min_score)
        dropped = [ln for ln in page.lines if ln not in kept(page, options.min_score)]
        pages.append(DebugPage(**base.model_dump(),
                               below_min_score=[_line(ln, page.source) for ln in dropped]))
    return DebugResponse(
        request_id=request_id,
        model=model,
        page_count=result.page_count,
        processed_pages=[p.index + 1 for p in result.pages],
        pages=pages,
        timings_ms=result.timings_ms,
        options={"min_score": options.min_score, **asdict(options.engine)},
    )
