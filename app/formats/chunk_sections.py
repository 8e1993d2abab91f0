"""A document as sections for ``format=chunks``: each heading opens one, its paragraphs follow.

A section's text keeps every line of the page verbatim (plain) or escaped
(Markdown), a line break between the lines of a paragraph and a blank line
between paragraphs, so the splitter cuts at paragraph ends first, then at line
ends (a table row is one line), and only then inside a line. Each line's place
in that text is recorded with its page and box, so a chunk cut from the text
knows which pages and boxes it came from.

Headings have no level in the layout; their text height gives one: a heading
markedly taller than the one before it closes that one's section and everything
under it, one of about the same height replaces it, a smaller one nests under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from app.domain import BBox, Document, Line
from app.formats.markdown import escape

SAME_LEVEL: Final = 1.15
"""Heading heights within this ratio are the same level (OCR boxes vary a little)."""
MAX_MARKDOWN_LEVEL: Final = 6

TOKEN: Final = re.compile(
    r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
    r"|[^\s\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
)
"""One token: a run of characters between spaces, or one CJK character (scripts without
spaces have no words to count)."""


def count_tokens(text: str) -> int:
    """Tokens in ``text`` as ``TOKEN`` counts them: words, CJK characters one each.

    Tokenizer-free on purpose: it needs no model download and counts the same for
    every client; subword tokenizers count about 1.3 tokens per English word.
    """
    return sum(1 for _ in TOKEN.finditer(text))


@dataclass(frozen=True, slots=True)
class Span:
    """Where one line of the document sits in its section's text."""

    start: int
    end: int
    page: int
    """0-based page index."""
    paragraph: int
    """Paragraph number within the document (boxes are merged per paragraph)."""
    bbox: BBox


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (if any) and the paragraphs under it, as one text."""

    heading_path: tuple[str, ...]
    text: str
    spans: tuple[Span, ...]


@dataclass(slots=True)
class _Paragraph:
    page: int
    number: int
    heading: bool
    lines: list[Line]

    @property
    def height(self) -> float:
        heights = [line.bbox[3] - line.bbox[1] for line in self.lines]
        return sum(heights) / len(heights)


def sections(document: Document, markdown: bool) -> list[Section]:
    """The document's sections in reading order (none for a document without text)."""
    found: list[Section] = []
    path: list[tuple[float, str]] = []  # (height, text) of the open headings
    body: list[_Paragraph] = []
    for paragraph in _paragraphs(document):
        if paragraph.heading:
            if body:
                found.append(_section(path, body, markdown))
                body = []
            height = paragraph.height
            while path and path[-1][0] <= height * SAME_LEVEL:
                path.pop()
            path.append((height, " ".join(line.text.strip() for line in paragraph.lines)))
        body.append(paragraph)
    if body:
        found.append(_section(path, body, markdown))
    return found


def _paragraphs(document: Document) -> Iterator[_Paragraph]:
    number = 0
    for page in document.pages:
        lines = page.lines
        for block in page.layout.blocks:
            for paragraph in block.paragraphs:
                kept = [lines[i] for i in paragraph.lines if lines[i].text.strip()]
                if kept:
                    yield _Paragraph(page.index, number, paragraph.heading, kept)
                    number += 1


def _section(path: list[tuple[float, str]], body: list[_Paragraph], markdown: bool) -> Section:
    parts: list[str] = []
    spans: list[Span] = []
    size = 0
    for n, paragraph in enumerate(body):
        if n:
            parts.append("\n\n")
            size += 2
        heading_mark = ""
        if markdown and paragraph.heading:
            heading_mark = "#" * min(len(path), MAX_MARKDOWN_LEVEL) + " "
        for k, line in enumerate(paragraph.lines):
            text = line.text.strip()
            if markdown:
                text = escape(text)
            # A Markdown heading is one line: its lines joined by spaces.
            lead = (heading_mark if k == 0 else (" " if heading_mark else "\n"))
            parts.append(lead)
            size += len(lead)
            parts.append(text)
            spans.append(Span(size, size + len(text), paragraph.page, paragraph.number,
                              line.bbox))
            size += len(text)
    return Section(tuple(text for _, text in path), "".join(parts), tuple(spans))
