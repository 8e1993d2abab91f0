"""pypdf's visitor callbacks for one page: text fragments placed in pixels, and counts.

pypdf reports text fragments with the matrices in force at their start
(``extract_text(visitor_text=...)``) and the font they are shown in; the
operators it runs pass by ``visitor_operand_before`` first. From them the
collector tracks what pypdf does not report (render mode, character and word
spacing, scaling, TJ offsets, the matrix of an enclosing form), places each
fragment (``pdf_fragments``), and counts what the verdict needs: bytes shown
invisibly, and glyphs shown in fonts without a Unicode map (judged by the
document's ``FontBook``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

from app.documents.pdf_fonts import FontBook
from app.documents.pdf_fragments import Fragment, Shown, TextState, place
from app.documents.pdf_geometry import IDENTITY, Matrix, PageGeometry, mult

_INVISIBLE_MODES: Final = frozenset({3, 7})  # 3 = invisible, 7 = clip only
_SHOW_TEXT: Final = frozenset({b"Tj", b"TJ", b"'", b'"'})
_GLYPH_NAME: Final = re.compile(r"/[^\s/]+")  # what pypdf writes for a name it cannot map
# A TJ offset of a tenth of an em or more is a word gap (pypdf then adds a
# space); TeX's are a third of an em, kerning a few hundredths.
GAP_EM: Final = 0.1


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
    _state: TextState = field(default_factory=TextState)
    _saved: list[tuple[int, TextState]] = field(default_factory=list)
    _shown: Shown = field(default_factory=Shown)
    # pypdf restarts the matrices at identity inside a form XObject, so the CTM
    # at each enclosing 'Do' is kept here and applied to the form's fragments
    # (the form's own /Matrix, nearly always identity, is not applied).
    _forms: list[Matrix] = field(default_factory=list)
    _pending_form: Matrix | None = None
    _form_entered: list[bool] = field(default_factory=list)
    _break: bool = False

    def before(self, op: bytes, operands: Any, cm: Matrix, tm: Matrix) -> None:
        """Track graphics and text state, shown text and forms before pypdf runs ``op``."""
        if self._pending_form is not None:  # the first operator inside the form
            self._forms.append(self._pending_form)
            self._form_entered[-1] = True
            self._pending_form = None
        if op == b"q":
            self._saved.append((self._mode, self._state))
        elif op == b"Q" and self._saved:
            self._mode, self._state = self._saved.pop()
        elif op == b"Tr" and _number(operands, 0) is not None:
            self._mode = int(operands[0])
        elif op in (b"Tc", b"Tw", b"Tz"):
            self._set_state(op, _number(operands, 0))
        elif op in _SHOW_TEXT:
            if op == b'"':  # aw ac string: word and character spacing, then show
                self._set_state(b"Tw", _number(operands, 0))
                self._set_state(b"Tc", _number(operands, 1))
            size = _string_bytes(operands)
            self.shown_bytes += size
            self.invisible_bytes += size if self._mode in _INVISIBLE_MODES else 0
            if op == b"TJ" and operands and isinstance(operands[0], list):
                self._offsets(operands[0])
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
        shown, self._shown = self._shown, Shown(self._state)
        if not text.strip():
            self._break = self._break or "\n" in text
            return
        trust = self.fonts.trust(font)
        glyphs = glyph_count(text)
        self.glyphs += glyphs
        self.unmapped_glyphs += glyphs if trust.problem else 0
        self.decoded_glyphs += glyphs if trust.decoded else 0
        m = mult(mult(tm, cm), self._base())
        shown.state = self._state
        widths = self.fonts.advances(font)
        fragment = place(text.replace("\n", " "), m, float(font_size), widths, shown,
                         self.geometry)
        if fragment is not None:
            fragment.seq, fragment.break_before = len(self.fragments), self._break
            self.fragments.append(fragment)
        self._break = text.endswith("\n")

    def _set_state(self, op: bytes, value: float | None) -> None:
        if value is None:
            return
        if op == b"Tc":
            self._state = replace(self._state, char_spacing=value)
        elif op == b"Tw":
            self._state = replace(self._state, word_spacing=value)
        else:
            self._state = replace(self._state, scaling=value / 100)

    def _offsets(self, items: list[Any]) -> None:
        for item in items:
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                shift = -float(item) / 1000  # positive offsets move the next glyph back
                if shift >= GAP_EM:
                    self._shown.gaps.append(shift)
                else:
                    self._shown.kerning += shift

    def _base(self) -> Matrix:
        return self._forms[-1] if self._forms else IDENTITY


def glyph_count(text: str) -> int:
    """Glyphs shown for ``text``: its non-space characters, a glyph name pypdf wrote out as one."""
    if "/" in text:
        text = _GLYPH_NAME.sub("?", text)
    return sum(1 for c in text if not c.isspace())


def _number(operands: Any, index: int) -> float | None:
    if isinstance(operands, list) and index < len(operands):
        value = operands[index]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _string_bytes(operands: Any) -> int:
    """Bytes of text a text-showing operator draws (the strings inside a TJ array too)."""
    items = operands[0] if operands and isinstance(operands[0], list) else operands
    return sum(len(item) for item in items if isinstance(item, (str, bytes)))
