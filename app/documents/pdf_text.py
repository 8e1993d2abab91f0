"""A PDF page's text layer as positioned lines, and a verdict on whether it is real text.

pypdf reports text fragments with the matrices in force at their start
(``extract_text(visitor_text=...)``): a fragment's origin is the left end of its
baseline. Its length is estimated from the font size, as pypdf reports no glyph
advances, so line boxes are approximate. Fragments are mapped to pixels of the
page as pdftoppm renders it (MediaBox, /Rotate applied), then grouped into lines
by baseline within each reading direction, so text-layer and OCR pages share
one coordinate space.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from pypdf import PageObject

from app.domain import Line

Matrix = list[float]
Box = tuple[float, float, float, float]
_IDENTITY: Final[Matrix] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
_LETTER: Final = (0.0, 0.0, 612.0, 792.0)  # poppler's size for a missing or empty MediaBox

# Verdict. A healthy layer has at most a few symbol glyphs in private-use code
# points (bullets, dingbats); a layer whose fonts lack a Unicode map comes out
# almost entirely as U+FFFD, private-use or control characters. 10 % junk is far
# above the first and far below the second.
MAX_JUNK_SHARE: Final = 0.10
# Searchable scans carry an invisible OCR layer (render mode 3) over the page
# image: when most shown text is invisible the page is an image for our purpose.
MAX_INVISIBLE_SHARE: Final = 0.5
_INVISIBLE_MODES: Final = frozenset({3, 7})  # 3 = invisible, 7 = clip only
_JUNK_CATEGORIES: Final = frozenset({"Co", "Cn", "Cc", "Cs"})
_SHOW_TEXT: Final = frozenset({b"Tj", b"TJ", b"'", b'"'})

# Layout estimates in em: ascent and descent of typical Latin and CJK fonts, and
# advances of narrow (Latin, digits, spaces) and wide (CJK, fullwidth) characters.
# Measured against pdftoppm renders of the corpus, 0.5 em per narrow character
# puts the right end of a Latin line a median 10 % beyond its last glyph and
# short of it for 1 line in 10 (by under 5 %): boxes err on covering the text.
ASCENT_EM: Final = 0.8
DESCENT_EM: Final = 0.2
NARROW_EM: Final = 0.5
WIDE_EM: Final = 1.0
BASELINE_TOLERANCE_EM: Final = 0.3  # superscripts (~0.33 em) become lines of their own
COLUMN_GAP_EM: Final = 2.0  # a wider gap between unrelated fragments splits a line
ANGLE_TOLERANCE_DEG: Final = 10.0  # text further off the four directions stands alone


@dataclass(frozen=True, slots=True)
class PageGeometry:
    """How PDF user space maps to pixels of the page rendered at ``dpi``."""

    left: float
    bottom: float
    width_pt: float
    height_pt: float
    rotation: int
    dpi: int

    @classmethod
    def of(cls, page: PageObject, dpi: int) -> PageGeometry:
        """Geometry of ``page`` from its MediaBox and /Rotate (what pdftoppm renders)."""
        try:
            x0, y0, x1, y1 = (float(page.mediabox[i]) for i in range(4))
        except (ValueError, TypeError, IndexError, KeyError):
            x0, y0, x1, y1 = _LETTER
        if not (math.isfinite(x0 + y0 + x1 + y1) and x0 != x1 and y0 != y1):
            x0, y0, x1, y1 = _LETTER
        try:
            rotation = int(float(page.rotation)) % 360
        except (ValueError, TypeError, AttributeError):
            rotation = 0
        rotation = rotation if rotation % 90 == 0 else 0  # as poppler does
        return cls(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0), rotation, dpi)

    @property
    def scale(self) -> float:
        """Pixels per point."""
        return self.dpi / 72

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels, rounded up as pdftoppm does (multiplying first)."""
        width = math.ceil(self.width_pt * self.dpi / 72)
        height = math.ceil(self.height_pt * self.dpi / 72)
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def to_pixels(self, x: float, y: float) -> tuple[float, float]:
        """A point of user space in pixels (top-left origin, y down, /Rotate applied)."""
        u, v = x - self.left, self.bottom + self.height_pt - y
        if self.rotation == 90:
            u, v = self.height_pt - v, u
        elif self.rotation == 180:
            u, v = self.width_pt - u, self.height_pt - v
        elif self.rotation == 270:
            u, v = v, self.width_pt - u
        return u * self.scale, v * self.scale


@dataclass(frozen=True, slots=True)
class TextLayer:
    """A page's text layer: its lines and the measures of the verdict."""

    lines: tuple[Line, ...]
    chars: int
    """Non-whitespace characters, wide (CJK) ones counted twice: a Chinese
    character carries about as much text as two Latin letters, so one threshold
    serves both scripts."""
    junk_share: float
    invisible_share: float

    def is_real_text(self, min_chars: int) -> bool:
        """True when the layer holds enough visible, mapped text to stand in for OCR."""
        return (
            self.chars >= min_chars
            and self.junk_share <= MAX_JUNK_SHARE
            and self.invisible_share < MAX_INVISIBLE_SHARE
        )


EMPTY_LAYER: Final = TextLayer((), 0, 0.0, 0.0)


@dataclass(slots=True)
class _Fragment:
    text: str
    origin: tuple[float, float]  # baseline start, pixels
    frame: int | None  # direction the text runs (0, 90, 180, 270 clockwise); None = skewed
    box: Box  # in the frame turned upright (pixels when frame is None)
    em: float  # font size in pixels
    seq: int = 0
    break_before: bool = False  # pypdf ended a line between this and the previous fragment


def read_text_layer(page: PageObject, geometry: PageGeometry) -> TextLayer:
    """Extract ``page``'s text with line boxes in pixels of ``geometry``."""
    collector = _Collector(geometry)
    text = page.extract_text(
        visitor_operand_before=collector.before,
        visitor_operand_after=collector.after,
        visitor_text=collector.text,
    )
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return EMPTY_LAYER
    junk = sum(1 for c in chars if c == "\ufffd" or unicodedata.category(c) in _JUNK_CATEGORIES)
    shown = collector.shown_bytes
    if _positions_usable(collector.fragments, geometry, len(chars)):
        lines = _build_lines(collector.fragments, geometry)
    else:
        lines = _page_wide_lines(text, geometry)
    weight = len(chars) + sum(1 for c in chars if _is_wide(c))
    invisible = collector.invisible_bytes / shown if shown else 0.0
    return TextLayer(tuple(lines), weight, junk / len(chars), invisible)


@dataclass(slots=True)
class _Collector:
    """Receives pypdf's visitor callbacks for one page."""

    geometry: PageGeometry
    fragments: list[_Fragment] = field(default_factory=list)
    shown_bytes: int = 0
    invisible_bytes: int = 0
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
            self._pending_form = _mult(cm, self._base())
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
        m = _mult(_mult(tm, cm), self._base())
        fragment = _place(text.replace("\n", " "), m, float(font_size), self.geometry)
        if fragment is not None:
            fragment.seq, fragment.break_before = len(self.fragments), self._break
            self.fragments.append(fragment)
        self._break = text.endswith("\n")

    def _base(self) -> Matrix:
        return self._forms[-1] if self._forms else _IDENTITY


def _place(text: str, m: Matrix, font_size: float, geo: PageGeometry) -> _Fragment | None:
    """Estimate the fragment's box from its origin, font size and characters."""
    if not all(math.isfinite(v) for v in m) or font_size == 0:
        return None
    length = sum(WIDE_EM if _is_wide(c) else NARROW_EM for c in text) * font_size
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
    box = _aabb([_turn(frame or 0, x, y) for x, y in corners])
    em = math.dist(start, top)
    return _Fragment(text, start, frame, box, em)


def _positions_usable(fragments: list[_Fragment], geo: PageGeometry, chars: int) -> bool:
    """False when positions are evidently broken: text off the page or all at one point."""
    width, height = geo.size
    on_page = [f for f in fragments if 0 <= f.origin[0] <= width and 0 <= f.origin[1] <= height]
    placed = sum(1 for f in on_page for c in f.text if not c.isspace())
    origins = {(round(f.origin[0]), round(f.origin[1])) for f in on_page}
    return placed >= 0.5 * chars and (len(on_page) < 2 or len(origins) > 1)


def _build_lines(fragments: list[_Fragment], geo: PageGeometry) -> list[Line]:
    """Lines per reading direction, the direction with the most text first."""
    by_frame: dict[int | None, list[_Fragment]] = {}
    for fragment in fragments:
        by_frame.setdefault(fragment.frame, []).append(fragment)
    lines: list[Line] = []
    for frame, members in sorted(by_frame.items(), key=lambda kv: -sum(len(f.text) for f in kv[1])):
        groups = [[f] for f in members] if frame is None else _rows(members)
        upright = [line for group in groups if (line := _join(group)) is not None]
        # Top to bottom in the upright frame; the layout stage sets the reading order.
        for line in sorted(upright, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
            placed = _to_page(line, frame or 0, geo)
            if placed is not None:
                lines.append(placed)
    return lines


def _rows(fragments: list[_Fragment]) -> list[list[_Fragment]]:
    """Group fragments of one direction by baseline, cut at wide gaps, left to right."""
    groups: list[list[_Fragment]] = []
    row: list[_Fragment] = []
    for frag in sorted(fragments, key=lambda f: f.box[3]):
        if row and abs(frag.box[3] - row[0].box[3]) > BASELINE_TOLERANCE_EM * row[0].em:
            groups.extend(_split_columns(row))
            row = []
        row.append(frag)
    return groups + (_split_columns(row) if row else [])


def _split_columns(row: list[_Fragment]) -> list[list[_Fragment]]:
    row.sort(key=lambda f: f.box[0])
    pieces: list[list[_Fragment]] = [[row[0]]]
    for prev, frag in itertools.pairwise(row):
        gap = frag.box[0] - prev.box[2]
        if not _contiguous(prev, frag) and gap > COLUMN_GAP_EM * max(prev.em, frag.em):
            pieces.append([])
        pieces[-1].append(frag)
    return pieces


def _join(group: list[_Fragment]) -> Line | None:
    """One line from a group: joined text, box in the group's upright frame."""
    text = group[0].text
    for prev, frag in itertools.pairwise(group):
        text += frag.text if _joins_directly(prev, frag, text) else " " + frag.text
    text = " ".join(text.split())
    corners = [p for f in group for p in ((f.box[0], f.box[1]), (f.box[2], f.box[3]))]
    return _line(text, _aabb(corners)) if text else None


def _to_page(line: Line, frame: int, geo: PageGeometry) -> Line | None:
    """Turn an upright line box back into page pixels, clipped to the page."""
    width, height = geo.size
    x0, y0, x1, y1 = _aabb([_turn(-frame, x, y) for x, y in line.polygon])
    box = (max(x0, 0.0), max(y0, 0.0), min(x1, float(width)), min(y1, float(height)))
    if box[2] <= box[0] or box[3] <= box[1]:
        return None  # entirely off the rendered page
    return _line(line.text, box)


def _line(text: str, box: Box) -> Line:
    """A text-layer line: no confidence to report, polygon clockwise from top-left."""
    x0, y0, x1, y1 = box
    return Line(text, None, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


def _contiguous(prev: _Fragment, frag: _Fragment) -> bool:
    # Consecutive fragments of one pypdf line already carry pypdf's word spacing.
    return frag.seq == prev.seq + 1 and not frag.break_before


def _joins_directly(prev: _Fragment, frag: _Fragment, text: str) -> bool:
    """Whether ``frag`` follows ``text`` without an added space."""
    if _contiguous(prev, frag) or text[-1:].isspace() or frag.text[:1].isspace():
        return True
    return _is_wide(text[-1]) and _is_wide(frag.text[0])  # CJK does not separate words


def _page_wide_lines(text: str, geo: PageGeometry) -> list[Line]:
    """Fallback for unusable positions: the extracted lines, each boxed as the whole page."""
    width, height = (float(v) for v in geo.size)
    stripped = (" ".join(line.split()) for line in text.splitlines())
    return [_line(line, (0.0, 0.0, width, height)) for line in stripped if line]


def _turn(frame: int, x: float, y: float) -> tuple[float, float]:
    """Rotate a pixel point by -``frame`` degrees, so text running at ``frame`` runs rightwards."""
    for _ in range(frame // 90 % 4):
        x, y = y, -x
    return x, y


def _aabb(points: list[tuple[float, float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _string_bytes(operands: Any) -> int:
    """Bytes of text a text-showing operator draws (the strings inside a TJ array too)."""
    items = operands[0] if operands and isinstance(operands[0], list) else operands
    return sum(len(item) for item in items if isinstance(item, (str, bytes)))


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """Matrix product m x n of two PDF matrices [a b c d e f] (PDF 32000-1, 8.3.4)."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
