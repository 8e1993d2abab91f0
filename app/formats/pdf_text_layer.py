"""The invisible text layer of one page: each word placed on its box, stretched to its width.

A word is drawn in render mode 3 (neither filled nor stroked) with the
glyphless font (``pdf_font``) at size 1, its text matrix carrying the whole
placement: origin at the left end of the box's baseline, the x axis along the
word and stretched so its glyphs (half an em each) span the box, the y axis
up the box's height. Building the matrix from three mapped points handles a
page the engine read turned (``Page.rotation``) and a PDF's /Rotate alike.
Between two words of a line a space is drawn over the gap, so text copied
from the page reads with spaces; CJK characters, which the engine gives one
by one, get none between them.

The stream is written with ``pikepdf.unparse_content_stream`` from operators
and operands: no PDF syntax by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Final

import pikepdf
from pikepdf import ContentStreamInstruction, Name, Operator

from app.domain import BBox, Page, Point, Word
from app.formats.base import line_words
from app.formats.pdf_font import ADVANCE, UNITS_PER_EM

ToUser = Callable[[Point], Point]
"""A point in pixels of the page (as OCRed) to PDF user space."""

_HALF_EM: Final = ADVANCE / UNITS_PER_EM


def _frame(box: BBox, rotation: int) -> tuple[Point, Point, Point]:
    """Baseline start, baseline end and top-left of a word box, in page pixels.

    ``rotation``: degrees clockwise the page was turned to read it upright; the
    text then runs up (90), right to left upside down (180) or down (270).
    """
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (x1, y1), (x1, y0), (x0, y1)
    if rotation == 180:
        return (x1, y0), (x0, y0), (x1, y1)
    if rotation == 270:
        return (x0, y0), (x0, y1), (x1, y0)
    return (x0, y1), (x1, y1), (x0, y0)


def _encode(text: str) -> bytes:
    # Identity-H: two bytes per code, the UTF-16 code units (ToUnicode maps them back).
    return text.encode("utf-16-be", errors="replace")


def _show(text: str, box: BBox, rotation: int, to_user: ToUser) -> list[ContentStreamInstruction]:
    units = len(_encode(text)) // 2
    if units == 0:
        return []
    start, end, top = (to_user(p) for p in _frame(box, rotation))
    stretch = 1.0 / (units * _HALF_EM)
    matrix = [
        (end[0] - start[0]) * stretch, (end[1] - start[1]) * stretch,
        top[0] - start[0], top[1] - start[1],
        start[0], start[1],
    ]
    return [
        ContentStreamInstruction([round(v, 4) for v in matrix], Operator("Tm")),
        ContentStreamInstruction([pikepdf.String(_encode(text))], Operator("Tj")),
    ]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _line(words: Sequence[Word], rotation: int, to_user: ToUser) -> list[ContentStreamInstruction]:
    out: list[ContentStreamInstruction] = []
    for n, word in enumerate(words):
        if n + 1 == len(words):
            out += _show(word.text, word.bbox, rotation, to_user)
            break
        after = words[n + 1]
        gap = _gap(word.bbox, after.bbox, rotation)
        if _wide(word.text[-1]) and _wide(after.text[0]):
            # No space in the text: the character reaches the next one, or
            # pdftotext would see a gap and copy one.
            out += _show(word.text, _union(word.bbox, gap), rotation, to_user)
        else:
            out += _show(word.text, word.bbox, rotation, to_user)
            out += _show(" ", gap, rotation, to_user)
    return out


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _gap(left: BBox, right: BBox, rotation: int) -> BBox:
    """The box between two consecutive words (at least a sliver wide)."""
    if rotation in (90, 270):
        y0, y1 = (right[3], left[1]) if rotation == 90 else (left[3], right[1])
        lo, hi = min(y0, y1), max(y0, y1)
        return (left[0], lo, left[2], max(hi, lo + 0.5))
    x0, x1 = (left[2], right[0]) if rotation == 0 else (right[2], left[0])
    lo, hi = min(x0, x1), max(x0, x1)
    return (lo, left[1], max(hi, lo + 0.5), left[3])


def text_layer(page: Page, font: Name, to_user: ToUser) -> bytes:
    """The content stream of ``page``'s invisible text (empty when it has no words)."""
    body: list[ContentStreamInstruction] = []
    for line in page.lines:
        body += _line(line_words(line), page.rotation, to_user)
    if not body:
        return b""
    head = [
        ContentStreamInstruction([], Operator("BT")),
        ContentStreamInstruction([3], Operator("Tr")),
        ContentStreamInstruction([font, 1], Operator("Tf")),
    ]
    tail = [ContentStreamInstruction([], Operator("ET"))]
    return pikepdf.unparse_content_stream(head + body + tail)
