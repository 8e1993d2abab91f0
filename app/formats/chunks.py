"""``format=chunks``: the document in pieces of bounded size for retrieval pipelines.

Each section (a heading and the paragraphs under it, ``chunk_sections``) is cut by
semchunk (PyPI), which splits at the most meaningful boundary first: paragraph
ends, then line ends, then sentences, then words, and packs the pieces back
together up to the budget. Chunks therefore never cross a heading, keep short
paragraphs together and cut a table between rows (a row is one line) unless one
row alone is over the budget.

``overlap`` repeats the last tokens of the previous chunk of the same section at
the start of the next, cut from the document's own text; the budget of the new
text shrinks by as much, so no chunk, overlap included, has more than
``max_tokens`` tokens. Each chunk says how many of its tokens are overlap.

The answer::

    {"chunks": [{"index", "text", "tokens", "overlap", "pages", "bboxes",
                 "heading_path"}], "max_tokens", "overlap", "chunk_format", "tokenizer"}

``pages`` are 1-based; ``bboxes`` are one box per paragraph part a chunk holds, in
the original page's pixels.
"""

from __future__ import annotations

import json
from typing import Any, cast

from semchunk.semchunk import chunk as semchunk_chunk

from app.domain import BBox, ChunkOptions, Document
from app.formats.base import RenderContext
from app.formats.chunk_sections import TOKEN, Section, Span, count_tokens, sections

TOKENIZER = "words"
"""What ``tokens`` counts (``chunk_sections.count_tokens``), reported in the answer."""


def chunk_document(document: Document, options: ChunkOptions) -> list[dict[str, Any]]:
    """The document's chunks as plain values, in reading order."""
    budget = options.max_tokens - options.overlap
    chunks: list[dict[str, Any]] = []
    for section in sections(document, options.markdown):
        previous: tuple[int, int] | None = None
        # memoize off: its cache is unbounded and would grow with every document.
        cut = semchunk_chunk(section.text, budget, count_tokens, offsets=True, memoize=False)
        offsets = cast("tuple[list[str], list[tuple[int, int]]]", cut)[1]
        for start, end in offsets:
            lead = _overlap_start(section.text, previous, options.overlap)
            begin = start if lead is None else lead
            chunks.append(_chunk(len(chunks), section, begin, start, end))
            previous = (start, end)
    return chunks


def _overlap_start(text: str, previous: tuple[int, int] | None, overlap: int) -> int | None:
    """Where the last ``overlap`` tokens of the previous chunk's own text begin."""
    if previous is None or overlap <= 0:
        return None
    starts = [m.start() for m in TOKEN.finditer(text, previous[0], previous[1])]
    if not starts:
        return None
    return previous[0] if len(starts) <= overlap else starts[-overlap]


def _chunk(index: int, section: Section, begin: int, start: int, end: int) -> dict[str, Any]:
    text = section.text[begin:end]
    spans = [s for s in section.spans if s.start < end and s.end > begin]
    return {
        "index": index,
        "text": text,
        "tokens": count_tokens(text),
        "overlap": count_tokens(section.text[begin:start]),
        "pages": sorted({s.page + 1 for s in spans}),
        "bboxes": _boxes(spans),
        "heading_path": list(section.heading_path),
    }


def _boxes(spans: list[Span]) -> list[dict[str, Any]]:
    """One box per paragraph (part): the union of its lines' boxes."""
    merged: dict[int, tuple[int, BBox]] = {}
    for span in spans:
        page, box = merged.get(span.paragraph, (span.page, span.bbox))
        merged[span.paragraph] = (page, (min(box[0], span.bbox[0]), min(box[1], span.bbox[1]),
                                         max(box[2], span.bbox[2]), max(box[3], span.bbox[3])))
    return [{"page": page + 1, "bbox": [round(v, 1) for v in box]}
            for page, box in merged.values()]


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the chunks as JSON (UTF-8)."""
    options = context.options.chunks
    body = {
        "chunks": chunk_document(document, options),
        "max_tokens": options.max_tokens,
        "overlap": options.overlap,
        "chunk_format": "markdown" if options.markdown else "text",
        "tokenizer": TOKENIZER,
    }
    return json.dumps(body, ensure_ascii=False).encode()
