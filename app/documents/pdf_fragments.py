"""One run of text pypdf reported, placed on the page with its words.

pypdf gives a fragment's text and the matrices at its start (the left end of its
baseline), but no glyph advances. They are rebuilt here: each character's
width from the font (``pdf_font_widths``), the text state's character and word
spacing and horizontal scaling, and the TJ offsets pypdf turned into spaces
(TeX sets every word gap so). A character the font does not measure gets an em
estimate. Word boxes follow from the advances; the fragment's box is their
union.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

from app.documents.pdf_font_widths import Advances
from app.documents.pdf_geometry import Box, Matrix, PageGeometry, aabb, turn

# Estimates in em: ascent and descent of typical Latin and CJK fonts, and
# advances of narrow (Latin, digits, spaces) and wide (CJK, fullwidth)
# characters a font's widths do not give. Measured against pdftoppm renders of
# the corpus, 0.5 em per narrow character puts the right end of a Latin line a
# median 10 % beyond its last glyph and short of it for 1 line in 10 (by under
# 5 %): boxes err on covering the text.
ASCENT_EM: Final = 0.8
DESCENT_EM: Final = 0.2
NARROW_EM: Final = 0.5
WIDE_EM: Final = 1.0
ANGLE_TOLERANCE_DEG: Final = 10.0  # text further off the four directions stands alone
_NON_SPACE: Final = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class TextState:
    """The text state parameters that move the pen (PDF 32000-1, 9.3), unscaled."""

    char_spacing: float = 0.0  # Tc
    word_spacing: float = 0.0  # Tw
    scaling: float = 1.0  # Tz / 100


@dataclass(slots=True)
class Shown:
    """What the content stream showed since the last fragment, beyond its text."""

    state: TextState = field(default_factory=TextState)
    gaps: list[float] = field(default_factory=list)  # TJ offsets wide enough for a space, em
    kerning: float = 0.0  # the other TJ offsets together, em


@dataclass(slots=True)
class Fragment:
    """One run of text pypdf reported, placed on the page."""

    text: str
    origin: tuple[float, float]  # baseline start, pixels
    frame: int | None  # direction the text runs (0, 90, 180, 270 clockwise); None = skewed
    box: Box  # in the frame turned upright (pixels when frame is None)
    em: float  # font size in pixels
    words: list[tuple[str, Box]]  # in the same frame as ``box``
    seq: int = 0
    break_before: bool = False  # pypdf ended a line between this and the previous fragment


def place(
    text: str, m: Matrix, font_size: float, widths: Advances | None, shown: Shown,
    geo: PageGeometry,
) -> Fragment | None:
    """Place the fragment and its words from its origin, font size and glyph advances."""
    if not all(math.isfinite(v) for v in m) or font_size == 0:
        return None
    starts = _starts(text, font_size, widths, shown)
    # Text space → pixels is affine: three points give every other one.
    ox, oy = geo.to_pixels(m[4], m[5])
    ax, ay = geo.to_pixels(m[4] + m[0], m[5] + m[1])  # one unit along the baseline
    ux, uy = geo.to_pixels(m[4] + font_size * m[2], m[5] + font_size * m[3])  # one em up
    ax, ay, ux, uy = ax - ox, ay - oy, ux - ox, uy - oy
    length = starts[len(text.rstrip())]  # a line end pypdf marked draws nothing
    angle = math.degrees(math.atan2(ay, ax)) % 360
    quarter = round(angle / 90)
    frame = quarter % 4 * 90 if abs(angle - quarter * 90) <= ANGLE_TOLERANCE_DEG else None
    # The box's bottom and top edge points at the start, in the upright frame,
    # moved along the baseline by the (turned) unit step.
    lx, ly = turn(frame or 0, ox - DESCENT_EM * ux, oy - DESCENT_EM * uy)
    hx, hy = turn(frame or 0, ox + ASCENT_EM * ux, oy + ASCENT_EM * uy)
    dx, dy = turn(frame or 0, ax, ay)

    def box(a: float, b: float) -> Box:
        return aabb([(lx + a * dx, ly + a * dy), (hx + a * dx, hy + a * dy),
                     (lx + b * dx, ly + b * dy), (hx + b * dx, hy + b * dy)])

    words = [(word, box(starts[i], starts[j])) for word, i, j in split_words(text)]
    return Fragment(text, (ox, oy), frame, box(0, length), math.hypot(ux, uy), words)


def split_words(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` as (word, first index, end index): split at spaces, CJK per character."""
    if text.isascii():  # most text: no wide characters to look up
        return [(m.group(), m.start(), m.end()) for m in _NON_SPACE.finditer(text)]
    words: list[tuple[str, int, int]] = []
    begin: int | None = None
    for i, char in enumerate(text):
        if char.isspace() or is_wide(char):
            if begin is not None:
                words.append((text[begin:i], begin, i))
                begin = None
            if not char.isspace():
                words.append((char, i, i + 1))
        elif begin is None:
            begin = i
    if begin is not None:
        words.append((text[begin:], begin, len(text)))
    return words


def is_wide(char: str) -> bool:
    """CJK and fullwidth characters (about 1 em wide, no spaces between words)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _starts(text: str, size: float, widths: Advances | None, shown: Shown) -> list[float]:
    """Where each character starts along the baseline (text space), and the end last."""
    state = shown.state
    spaces = text.rstrip().count(" ")
    # pypdf writes one space per wide TJ offset: when the counts agree, each
    # space is that offset (and the font's own space glyph is not drawn).
    gaps = iter(shown.gaps) if shown.gaps and len(shown.gaps) == spaces else None
    kerning = shown.kerning * size / max(len(text), 1)
    starts = [0.0]
    for char in text:
        if char == " " and gaps is not None:
            advance = next(gaps, 0.0) * size
        else:
            em = widths.of(char) if widths is not None else None
            if em is None:
                em = WIDE_EM if is_wide(char) else NARROW_EM
            advance = em * size + state.char_spacing
            advance += state.word_spacing if char == " " else 0.0
        starts.append(starts[-1] + (advance + kerning) * state.scaling)
    return starts
