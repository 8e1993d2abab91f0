"""The invisible text layer of one page: each word on its box, a real space between words.

A word is drawn in render mode 3 (neither filled nor stroked) with the
glyphless font (``pdf_font``) at size 1, its text matrix carrying the whole
placement: origin at the start of the word's baseline, the x axis along the
word and stretched so its glyphs (half an em each) span it, the y axis up the
text. Building the matrix from three mapped points handles a page the engine
read turned (``Page.rotation``) and a PDF's /Rotate alike.

What makes ``pdftotext`` (and any extractor that works from glyph positions)
read back exactly the words of the JSON:

* **A gap between words of a glyph, and of a quarter of the text height.**
  poppler skips space glyphs and starts a new word only where the next glyph
  begins more than 0.1 font size after the last one ends; the recognizer's word
  boxes often touch (after a comma, before a number), so a space drawn on a
  sliver of gap was lost ("modulation,velocity"). Where the gap is narrower, the
  word gives up room to its space (at most half its own; Tesseract lets word and
  space share the stretch). The space glyph is drawn either way: extractors that
  read characters (pdf.js, copy and paste) get a real " ".
* **One text height per line, at most four glyph widths.** poppler takes a glyph
  that starts within 0.1 font size of an identical one for a duplicate (fake
  bold) and drops it ("Atturi" read "At uri" where a word box was narrow for its
  height): the line's height is lowered to four glyph widths of its narrowest
  word of two or more characters, which moves nothing along the line. Lowering
  it for one-letter words too made poppler's default mode read more pages out of
  order (its blocks follow text size): they are left out of that rule.

CJK characters, which the engine gives one by one, get no space between them:
each reaches to the next. The stream is written with
``pikepdf.unparse_content_stream`` from operators and operands.
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
MAX_HEIGHT_PER_GLYPH: Final = 4.0
"""A glyph's height at most this many times its width: poppler's duplicate test
(0.1 font size) then never fires inside a word."""
MIN_GAP: Final = 0.25
"""The least gap between words, in text heights: poppler breaks words at 0.1."""


def _frame(box: BBox, rotation: int) -> tuple[Point, Point, Point]:
    """Baseline start, baseline end and top-left of a box, in page pixels.

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


def _along(box: BBox, rotation: int) -> tuple[float, float]:
    """Where ``box`` starts and ends along the reading direction (growing as text runs)."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return -y1, -y0
    if rotation == 180:
        return -x1, -x0
    if rotation == 270:
        return y0, y1
    return x0, x1


def _span(box: BBox, start: float, end: float, rotation: int) -> BBox:
    """``box`` with its extent along the reading direction set to [start, end]."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (x0, -end, x1, -start)
    if rotation == 180:
        return (-end, y0, -start, y1)
    if rotation == 270:
        return (x0, start, x1, end)
    return (start, y0, end, y1)


def _encode(text: str) -> bytes:
    # Identity-H: two bytes per code, the UTF-16 code units (ToUnicode maps them back).
    return text.encode("utf-16-be", errors="replace")


def _show(text: str, box: BBox, rotation: int, to_user: ToUser,
          size: float) -> list[ContentStreamInstruction]:
    """``text`` stretched along ``box``, ``size`` pixels high from the box's baseline."""
    units = len(_encode(text)) // 2
    if units == 0:
        return []
    start, end, top = (to_user(p) for p in _frame(box, rotation))
    height = (box[3] - box[1]) if rotation in (0, 180) else (box[2] - box[0])
    shrink = min(1.0, size / height) if height > 0 else 1.0
    stretch = 1.0 / (units * _HALF_EM)
    matrix = [
        (end[0] - start[0]) * stretch, (end[1] - start[1]) * stretch,
        (top[0] - start[0]) * shrink, (top[1] - start[1]) * shrink,
        start[0], start[1],
    ]
    return [
        ContentStreamInstruction([round(v, 4) for v in matrix], Operator("Tm")),
        ContentStreamInstruction([pikepdf.String(_encode(text))], Operator("Tj")),
    ]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _height(box: BBox, rotation: int) -> float:
    return (box[3] - box[1]) if rotation in (0, 180) else (box[2] - box[0])


def _glyph(text: str, box: BBox, rotation: int) -> float:
    start, end = _along(box, rotation)
    return (end - start) / max(_units(text), 1)


def _size(words: Sequence[Word], rotation: int) -> float:
    """The line's one text height: its words' tallest box, lowered to ``MAX_HEIGHT_PER_GLYPH``
    glyph widths of its narrowest word of two or more characters (a one-character word
    cannot hold a doubled letter, and its gap is seen to separately)."""
    height = max(_height(w.bbox, rotation) for w in words)
    narrow = [_glyph(w.text, w.bbox, rotation) for w in words if _units(w.text) > 1]
    return min([height] + [MAX_HEIGHT_PER_GLYPH * g for g in narrow if g > 0])


def _pieces(words: Sequence[Word], rotation: int, size: float) -> list[tuple[str, BBox]]:
    """The texts to draw and the boxes to stretch them over, in order."""
    pieces: list[tuple[str, BBox]] = []
    gap_needed = MIN_GAP * size
    for n, word in enumerate(words):
        start, end = _along(word.bbox, rotation)
        if n + 1 == len(words):
            pieces.append((word.text, word.bbox))
            break
        following = words[n + 1]
        next_start = _along(following.bbox, rotation)[0]
        if _wide(word.text[-1]) and _wide(following.text[0]):
            # No space in the text: the character reaches the next one, or
            # pdftotext would see a gap and copy one.
            pieces.append((word.text, _span(word.bbox, start, max(end, next_start), rotation)))
            continue
        room = max(next_start, end) - start
        space = max(gap_needed, room / (_units(word.text) + 1))
        if next_start - end >= space:
            pieces.append((word.text, word.bbox))
            pieces.append((" ", _span(word.bbox, end, next_start, rotation)))
        else:
            # Too narrow a gap: the word gives up room to its space, up to half of it.
            cut = start + max(room - space, room / 2)
            pieces.append((word.text, _span(word.bbox, start, cut, rotation)))
            pieces.append((" ", _span(word.bbox, cut, start + room, rotation)))
    return pieces


def _units(text: str) -> int:
    return len(_encode(text)) // 2


def _line(words: Sequence[Word], rotation: int, to_user: ToUser) -> list[ContentStreamInstruction]:
    words = [w for w in words if _units(w.text)]
    if not words:
        return []
    # One height for the whole line: poppler's default mode neither merges nor spaces
    # two words of one line drawn at different sizes ("z = 0%" read "z= 0%").
    size = _size(words, rotation)
    out: list[ContentStreamInstruction] = []
    for text, box in _pieces(words, rotation, size):
        out += _show(text, box, rotation, to_user, size)
    return out


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
