"""pypdf's visitor callbacks for one page: text fragments placed in pixels, and counts.

pypdf reports text fragments with the matrices in force at their start
(``extract_text(visitor_text=...)``): a fragment's origin is the left end of its
baseline. Its length is estimated from the font size, as pypdf reports no glyph
advances, so boxes are approximate. The collector also counts what the verdict
needs: bytes shown invisibly, and characters shown in fonts without a Unicode
map (judged by the document's ``FontBook``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from app.documents.pdf_fonts import FontBook
from app.documents.pdf_geometry import IDENTITY, Box, Matrix, PageGeometry, aabb, mult, turn

_INVISIBLE_MODES: Final = frozenset({3, 7})  # 3 = invisible, 7 = clip only
_SHOW_TEXT: Final = frozenset({b"Tj", b"TJ", b"'", b'"'})
_GLYPH_NAME: Final = re.compile(r"/[^\s/]+")  # what pypdf writes for a name it cannot map

# Layout estimates in em: ascent and descent of typical Latin and CJK fonts, and
# advances of narrow (Latin, digits, spaces) and wide (CJK, fullwidth) characters.
# Measured against pdftoppm renders of the corpus, 0.5 em per narrow character
# puts the right end of a Latin line a median 10 % beyond its last glyph and
# short of it for 1 line in 10 (by under 5 %): boxes err on covering the text.
ASCENT_EM: Final = 0.8
DESCENT_EM: Final = 0.2
NARROW_EM: Final = 0.5
WIDE_EM: Final = 1.0
ANGLE_TOLERANCE_DEG: Final = 10.0  # text further off the four directions stands alone


@dataclass(slots=True)
class Fragment:
    """One run of text pypdf reported, placed on the page."""

    text: str
    origin: tuple[float, float]  # baseline start, pixels
    frame: int | None  # direction the text runs (0, 90, 180, 270 clockwise); None = skewed
    box: Box  # in the frame turned upright (pixels when frame is None)
    em: float  # font size in pixels
    seq: int = 0
    break_before: bool = False  # pypdf ended a line between this and the previous fragment


@dataclass(slots=True)
class Collector:
    """Receives pypdf's visitor callbacks for one page."""

    geometry: PageGeometry
    fonts: FontBook
    fragments: list[Fragment] = field(default_factory=list)
    shown_bytes: int = 0
    invisible_bytes: int = 0
    glyphs: int = 0  # shown in all fonts (see glyph_count)
    unmapped_glyphs: int = 0  # shown in fonts without a Unicode map
    decoded_glyphs: int = 0  # read through an embedded font's cmap
    _mode: int = 0
    _mode_stack: list[int] = field(default_factory=list)
    # pypdf restarts the matrices at identity inside a form XObject, so the CTM
    # at each enclosing 'Do' is kept here and applied to the form's fragments
    # (the form's own /Matrix, nearly always identity, is not applied).
    _forms: list[Matrix] = field(default_factory=list)
    _pending_form: Matrix | None = None
    _form_entered: list[bool] = field(default_factory=list)
    _break: bool = False

    def before(self, op: bytes, operands: Any, cm: Matrix, tm: Matrix) -> None:
        """Track render mode, shown text and form nesting before pypdf runs ``op``."""
        if self._pending_form is not None:  # the first operator inside the form
            self._forms.append(self._pending_form)
            self._form_entered[-1] = True
            self._pending_form = None
        if op == b"q":
            self._mode_stack.append(self._mode)
        elif op == b"Q" and self._mode_stack:
            self._mode = self._mode_stack.pop()
        elif op == b"Tr" and operands and isinstance(operands[0], (int, float)):
            self._mode = int(operands[0])
        elif op in _SHOW_TEXT:
            size = _string_bytes(operands)
            self.shown_bytes += size
            self.invisible_bytes += size if self._mode in _INVISIBLE_MODES else 0
        elif op == b"Do":
            self._pending_form = mult(cm, self._base())
            self._form_entered.append(False)

    def after(self, op: bytes, operands: Any, cm: Matrix, tm: Matrix) -> None:
        """Leave a form XObject once pypdf is done with its 'Do'."""
        if op == b"Do" and self._form_entered:
            self._pending_form = None
            if self._form_entered.pop():
                self._forms.pop()

    def text(self, text: str, cm: Matrix, tm: Matrix, font: Any, font_size: float) -> None:
        """Record one fragment; whitespace-only ones only mark line ends."""
        if not text.strip():
            self._break = self._break or "\n" in text
            return
        trust = self.fonts.trust(font)
        shown = glyph_count(text)
        self.glyphs += shown
        self.unmapped_glyphs += shown if trust.problem else 0
        self.decoded_glyphs += shown if trust.decoded else 0
        m = mult(mult(tm, cm), self._base())
        fragment = place(text.replace("\n", " "), m, float(font_size), self.geometry)
        if fragment is not None:
            fragment.seq, fragment.break_before = len(self.fragments), self._break
            self.fragments.append(fragment)
        self._break = text.endswith("\n")

    def _base(self) -> Matrix:
        return self._forms[-1] if self._forms else IDENTITY


def place(text: str, m: Matrix, font_size: float, geo: PageGeometry) -> Fragment | None:
    """Estimate the fragment's box from its origin, font size and characters."""
    if not all(math.isfinite(v) for v in m) or font_size == 0:
        return None
    length = sum(WIDE_EM if is_wide(c) else NARROW_EM for c in text) * font_size
    ox, oy = m[4], m[5]

    def at(along: float, up: float) -> tuple[float, float]:  # text space (em units) -> pixels
        return geo.to_pixels(
            ox + along * m[0] + up * font_size * m[2], oy + along * m[1] + up * font_size * m[3]
        )

    start, end, top = at(0, 0), at(length, 0), at(0, 1)
    angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0])) % 360
    quarter = round(angle / 90)
    frame = quarter % 4 * 90 if abs(angle - quarter * 90) <= ANGLE_TOLERANCE_DEG else None
    corners = [at(a, u) for a in (0, length) for u in (-DESCENT_EM, ASCENT_EM)]
    box = aabb([turn(frame or 0, x, y) for x, y in corners])
    em = math.dist(start, top)
    return Fragment(text, start, frame, box, em)


def is_wide(char: str) -> bool:
    """CJK and fullwidth characters (about 1 em wide, no spaces between words)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def glyph_count(text: str) -> int:
    """Glyphs shown for ``text``: its non-space characters, a glyph name pypdf wrote out as one."""
    return sum(1 for c in _GLYPH_NAME.sub("?", text) if not c.isspace())


def _string_bytes(operands: Any) -> int:
    """Bytes of text a text-showing operator draws (the strings inside a TJ array too)."""
    items = operands[0] if operands and isinstance(operands[0], list) else operands
    return sum(len(item) for item in items if isinstance(item, (str, bytes)))
