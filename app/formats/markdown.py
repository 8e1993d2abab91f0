"""Markdown for retrieval and LLM pipelines: paragraphs as paragraphs, headings where the
layout marks a paragraph as one, pages separated by ``<!-- page N -->``.

A paragraph's lines are joined as in ``text_layout=paragraphs`` (hyphenated
words rejoined, CJK unspaced). Characters that would start Markdown syntax at
the beginning of a paragraph (``#``, ``>``, list markers) and inline markup
characters are escaped, so the text reads back as the text OCR saw.
"""

from __future__ import annotations

import re
from typing import Final

from app.domain import Document, Page, RegionKind
from app.formats.base import RenderContext
from app.formats.tables import markdown_table
from app.formats.text import join_lines

_INLINE: Final = re.compile(r"([\\`*_\[\]<>|])")
_BLOCK_START: Final = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))")


def escape(text: str) -> str:
    """``text`` with Markdown syntax characters escaped."""
    text = _INLINE.sub(r"\\\1", text)
    # "1." starts a list: "1\." does not; "#", ">", "-", "+", "=" lose meaning escaped.
    return _BLOCK_START.sub(_escape_start, text)


def _escape_start(match: re.Match[str]) -> str:
    lead, mark = match.group(1), match.group(2)
    if mark[0].isdigit():
        return lead + mark + "\\"
    return lead + "\\" + mark


RUNNING: Final = (RegionKind.HEADER, RegionKind.FOOTER)
"""Running headers and footers repeat on every page: left out of Markdown (the text a
retrieval pipeline indexes) unless ``running_heads`` asks for them."""


def page_markdown(page: Page, running_heads: bool = False) -> str:
    """One page's paragraphs as Markdown blocks separated by blank lines; a table as a
    pipe table (HTML when cells span); a title block as a heading."""
    lines = page.lines
    parts = []
    for block in page.layout.blocks:
        if block.kind in RUNNING and not running_heads:
            continue
        if block.table is not None:
            parts.append(markdown_table(page.tables[block.table]))
            continue
        if block.kind is RegionKind.TITLE:  # a title is one heading, however many lines
            text = escape(join_lines([lines[i].text for p in block.paragraphs
                                      for i in p.lines]))
            parts.extend([f"## {text}"] if text else [])
            continue
        for paragraph in block.paragraphs:
            text = escape(join_lines([lines[i].text for i in paragraph.lines]))
            if text:
                parts.append(f"## {text}" if paragraph.heading else text)
    return "\n\n".join(parts)


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the document as Markdown (UTF-8)."""
    pages = []
    for page in document.pages:
        body = page_markdown(page, context.options.running_heads)
        pages.append(f"<!-- page {page.index + 1} -->\n\n{body}\n" if body
                     else f"<!-- page {page.index + 1} -->\n")
    return "\n".join(pages).encode()
