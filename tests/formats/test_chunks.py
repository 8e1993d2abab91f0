"""format=chunks on hand-made documents: size bound, every word once, rows whole, headings.

Pages are built with an explicit layout (which paragraph is a heading, which lines a
paragraph holds), so what the chunker receives is known exactly; the live test in
tests/e2e/test_chunks_live.py runs the real engine and layout.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from app.domain import (
    Block,
    ChunkOptions,
    Document,
    EngineOptions,
    Line,
    MediaKind,
    OutputFormat,
    Page,
    PageLayout,
    Paragraph,
    RequestOptions,
    Source,
)
from app.formats.base import RenderContext
from app.formats.chunk_sections import count_tokens
from app.formats.chunks import chunk_document
from app.formats.registry import render

LINE_H = 20.0
HEADING_H = 40.0
TITLE_H = 60.0
PAGE_W = 3000


def _line(text: str, y: float, height: float = LINE_H) -> Line:
    width = 8.0 * len(text)
    return Line(text, 0.9, ((10, y), (10 + width, y), (10 + width, y + height), (10, y + height)))


def _page(index: int, paragraphs: list[tuple[list[str], float]]) -> Page:
    """A page of paragraphs, each (its lines, their height); taller than body = heading."""
    lines: list[Line] = []
    paras: list[Paragraph] = []
    y = 10.0
    for n, (texts, height) in enumerate(paragraphs):
        first = len(lines)
        for text in texts:
            lines.append(_line(text, y, height))
            y += height * 1.2
        y += LINE_H
        bbox = (10.0, 0.0, 500.0, y)
        paras.append(Paragraph(n, bbox, tuple(range(first, len(lines))), height > LINE_H))
    layout = PageLayout(tuple(lines), (Block(0, (0.0, 0.0, 500.0, y), tuple(paras)),))
    return Page(index, PAGE_W, int(y) + 10, Source.OCR, layout)


def _words(n: int, tag: str) -> str:
    return " ".join(f"{tag}{i}" for i in range(n))


def _report() -> Document:
    """Title, intro, a section with a long paragraph, a subsection with a table of 30 rows
    that continues on page 2, then another top-level section."""
    page1 = _page(0, [
        (["Annual Report"], TITLE_H),
        ([_words(12, "intro"), _words(9, "intro_b")], LINE_H),
        (["Results"], HEADING_H),
        ([_words(14, f"long{i}_") for i in range(12)], LINE_H),
        (["Regional table"], HEADING_H * 0.7),
        ([f"row{i} north {i} south {i * 2} east {i * 3}" for i in range(20)], LINE_H),
    ])
    page2 = _page(1, [
        ([f"row{i} north {i} south {i * 2} east {i * 3}" for i in range(20, 30)], LINE_H),
        (["Outlook"], HEADING_H),
        ([_words(30, "outlook")], LINE_H),
    ])
    return Document(MediaKind.PDF, 2, [page1, page2])


def _all_words(document: Document) -> Counter[str]:
    return Counter(w for page in document.pages for line in page.lines
                   for w in line.text.split())


def _own_words(chunk: dict[str, Any]) -> list[str]:
    """The chunk's words without the ones repeated from the previous chunk."""
    words = chunk["text"].split()
    return words[chunk["overlap"]:]


@pytest.mark.parametrize("max_tokens", [16, 40, 100, 2000])
def test_no_chunk_over_max_tokens_and_every_word_once(max_tokens: int) -> None:
    document = _report()
    chunks = chunk_document(document, ChunkOptions(max_tokens=max_tokens))
    assert chunks
    assert all(0 < c["tokens"] <= max_tokens for c in chunks)
    assert all(c["tokens"] == count_tokens(c["text"]) and c["overlap"] == 0 for c in chunks)
    found = Counter(w for c in chunks for w in c["text"].split())
    assert found == _all_words(document)
    assert [c["index"] for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize(("max_tokens", "overlap"), [(16, 4), (40, 10), (100, 49)])
def test_overlap_repeats_the_previous_tail_within_the_bound(max_tokens: int,
                                                            overlap: int) -> None:
    document = _report()
    chunks = chunk_document(document, ChunkOptions(max_tokens=max_tokens, overlap=overlap))
    assert all(c["tokens"] <= max_tokens for c in chunks)
    assert Counter(w for c in chunks for w in _own_words(c)) == _all_words(document)
    overlapping = [c for c in chunks if c["overlap"]]
    assert overlapping, "sections longer than one chunk overlap"
    for chunk in overlapping:
        before = chunks[chunk["index"] - 1]
        assert chunk["heading_path"] == before["heading_path"]
        repeated = chunk["text"].split()[:chunk["overlap"]]
        assert before["text"].split()[-len(repeated):] == repeated
        assert chunk["overlap"] <= overlap


def test_a_table_row_is_never_cut() -> None:
    document = _report()
    rows = [line.text for page in document.pages for line in page.lines
            if line.text.startswith("row")]
    for max_tokens in (16, 24, 50):
        chunks = chunk_document(document, ChunkOptions(max_tokens=max_tokens))
        texts = [c["text"] for c in chunks]
        for row in rows:
            assert sum(row in t.split("\n") for t in texts) == 1, (max_tokens, row)


def test_chunks_follow_headings_with_their_levels_and_pages() -> None:
    chunks = chunk_document(_report(), ChunkOptions(max_tokens=60))
    paths = [tuple(c["heading_path"]) for c in chunks]
    assert paths[0] == ("Annual Report",)
    assert ("Annual Report", "Results") in paths
    assert ("Annual Report", "Results", "Regional table") in paths
    # Outlook is as tall as Results: it replaces it (and the table heading under it).
    assert paths[-1] == ("Annual Report", "Outlook")
    # No chunk mixes two sections: the first chunk of each path starts with its heading.
    for path in set(paths):
        first = next(c for c in chunks if tuple(c["heading_path"]) == path)
        assert first["text"].startswith(path[-1])
    # The table continues on page 2 under the same heading; chunks say where they are.
    table = [c for c in chunks if c["heading_path"][-1:] == ["Regional table"]]
    assert table[0]["pages"] == [1] and table[-1]["pages"][-1] == 2
    for row, page in (("row0", 1), ("row19", 1), ("row20", 2), ("row29", 2)):
        holder = next(c for c in table if f"{row} north" in c["text"])
        assert page in holder["pages"]
    for chunk in chunks:
        assert chunk["bboxes"] and {b["page"] for b in chunk["bboxes"]} == set(chunk["pages"])
        for box in chunk["bboxes"]:
            x0, y0, x1, y1 = box["bbox"]
            assert 0 <= x0 < x1 <= PAGE_W and 0 <= y0 < y1


def test_markdown_chunks_mark_headings_and_escape() -> None:
    page = _page(0, [(["Title"], TITLE_H), (["Part # one"], HEADING_H),
                     (["- not a list *really*", "1. nor this"], LINE_H)])
    document = Document(MediaKind.PNG, 1, [page])
    options = RequestOptions(min_score=0.5, engine=EngineOptions(), deadline=0.0,
                             format=OutputFormat.CHUNKS,
                             chunks=ChunkOptions(max_tokens=100, markdown=True))
    body = json.loads(render(document, RenderContext(options=options)))
    assert body["chunk_format"] == "markdown" and body["tokenizer"] == "words"
    texts = [c["text"] for c in body["chunks"]]
    assert texts == ["# Title", "## Part # one\n\n\\- not a list \\*really\\*\n1\\. nor this"]


def test_a_document_without_text_has_no_chunks() -> None:
    empty = Document(MediaKind.PNG, 1, [Page(0, 10, 10, Source.OCR, PageLayout((), ()))])
    assert chunk_document(empty, ChunkOptions()) == []


def test_cjk_characters_count_one_token_each() -> None:
    assert count_tokens("表格 第一行 abc def") == 2 + 3 + 2
    page = _page(0, [(["这是一个很长的中文段落没有空格" * 4], LINE_H)])
    chunks = chunk_document(Document(MediaKind.PNG, 1, [page]), ChunkOptions(max_tokens=16))
    assert len(chunks) == 4 and all(c["tokens"] <= 16 for c in chunks)
    assert "".join(c["text"] for c in chunks) == "这是一个很长的中文段落没有空格" * 4
