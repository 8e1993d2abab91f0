"""How far each character of a font advances the pen, for word and line boxes.

pypdf reads a font's widths (/Widths of simple fonts, /W and /DW of CID fonts,
the standard 14 fonts' metrics) and its code → character maps while extracting
text, but hands the visitor only the decoded text. The same reader builds them
again here, once per font and document, keyed by the decoded character. pypdf
7.1 keeps this parser in a private module (``pypdf.generic._font``); the
version is pinned, and a font it cannot read gets no table (boxes then fall
back to the em estimates of ``pdf_visitor``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from pypdf.generic import DictionaryObject
from pypdf.generic._font import Font

logger = logging.getLogger("app.documents")

_SIMPLE_CODES: Final = range(256)


@dataclass(frozen=True, slots=True)
class Advances:
    """Advance widths in em (font size 1) of the characters a font shows."""

    widths: dict[str, float]
    space: float
    """A space's advance: the font's space glyph, or pypdf's estimate for fonts without one."""

    def of(self, char: str) -> float | None:
        """The advance of ``char``, None when the font does not say."""
        return self.space if char == " " else self.widths.get(char)


def font_advances(font: DictionaryObject) -> Advances | None:
    """The advance table of a font dictionary; None for Type3 fonts or one pypdf cannot read."""
    if font.get("/Subtype") == "/Type3":
        return None  # widths in glyph space, scaled by the font's own /FontMatrix
    try:
        info = Font.from_font_resource(font)
    except MemoryError:
        raise
    except Exception as exc:  # damaged width arrays and maps fail in many ways
        logger.debug("font widths unreadable: %s", type(exc).__name__)
        return None
    if isinstance(info.encoding, dict):  # simple font: one byte per code
        pairs = (
            (info.encoding.get(code, chr(code)), info.character_widths.get(chr(code)))
            for code in _SIMPLE_CODES
        )
    else:  # composite font: pypdf keys widths by the code read as UTF-16
        pairs = ((key, width) for key, width in info.character_widths.items() if key != "default")
    widths: dict[str, float] = {}
    for raw, width in pairs:
        char = info.character_map.get(raw, raw)
        # Zero is what unused codes of a subset carry: no information.
        if isinstance(char, str) and len(char) == 1 and width and width > 0:
            widths.setdefault(char, float(width) / 1000)
    space = widths.get(" ") or float(info.space_width) / 1000
    return Advances(widths, space)
