"""Plain text: paragraphs separated by a blank line, pages by a form feed.

``lines`` keeps each text line on a line of its own (what OCR saw);
``paragraphs`` puts each paragraph on one line and rejoins words hyphenated
across line ends, which is what search indexing and translation want.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from app.domain import Document, Page, TextLayout
from app.formats.base import RenderContext
from app.formats.tables import tab_rows

PAGE_SEPARATOR: Final = "\f"
_HYPHENATED: Final = re.compile(r"(?<=[^\W\d_])[-\u00ad]$")
"""A line ending in a hyphen (or soft hyphen) right after a letter."""


def paragraph_texts(page: Page) -> list[list[str]]:
    """The page's paragraphs in reading order, each as its lines' texts (a table: one
    paragraph, one tab-separated line per row)."""
    return [texts for texts, _ in _paragraphs(page)]


def _paragraphs(page: Page) -> list[tuple[list[str], bool]]:
    """(texts, is a table) per paragraph in reading order."""
    lines = page.lines
    paragraphs: list[tuple[list[str], bool]] = []
    for block in page.layout.blocks:
        if block.table is not None:
            paragraphs.append((tab_rows(page.tables[block.table]), True))
            continue
        paragraphs.extend(([lines[i].text for i in paragraph.lines], False)
                          for paragraph in block.paragraphs)
    return paragraphs


def join_lines(lines: Sequence[str]) -> str:
    """One paragraph's lines as one line: hyphenated words rejoined, CJK unspaced."""
    text = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if not text:
            text = line
        elif _HYPHENATED.search(text) and line[:1].islower():
            text = text[:-1] + line
        elif _is_wide(text[-1]) and _is_wide(line[0]):
            text += line
        else:
            text += " " + line
    return text


def page_text(page: Page, layout: TextLayout) -> str:
    """One page's text, without a trailing newline."""
    paragraphs = _paragraphs(page)
    if layout == "paragraphs":  # a table's rows stay rows
        return "\n".join("\n".join(p) if table else join_lines(p) for p, table in paragraphs)
    return "\n\n".join("\n".join(p) for p, _ in paragraphs)


def document_text(document: Document, layout: TextLayout) -> str:
    """The whole document: pages separated by a form feed, ending with a newline."""
    return join_pages(page_text(page, layout) for page in document.pages)


def join_pages(pages: Iterable[str]) -> str:
    """Pages' texts joined by a form feed, with one final newline (none when empty)."""
    text = PAGE_SEPARATOR.join(pages)
    return text + "\n" if text else ""


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the document's plain text as UTF-8."""
    return document_text(document, context.text_layout).encode()
