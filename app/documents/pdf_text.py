"""A PDF page's text layer as positioned lines, and a verdict on whether it can be believed.

The layer is read with pypdf (``pdf_visitor`` places its fragments,
``pdf_lines`` groups them into lines); this module measures what the verdict
needs and gives it as a short, stable reason the JSON shows (``text_layer``):

* "no text", "too little text": nothing worth reading, a scan;
* "invisible text": most shown text is invisible (render mode 3), the OCR layer
  of a searchable scan: reading the page again is the point;
* "no unicode map": much of the text is in fonts that do not say which
  characters their glyphs are (``pdf_fonts``); what pypdf reads there is glyph
  numbers taken for characters;
* "glyph ids": runs such as ``/g123`` or ``(cid:42)``, glyph names written out;
* "private-use characters", "unmapped characters": code points no text uses
  (U+E000-F8FF, U+FFFD, controls, unassigned).

A layer that passes but was read through an embedded font's own cmap says
"decoded via embedded font cmap".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from pypdf import PageObject

from app.documents.pdf_fonts import NO_UNICODE_MAP, FontBook
from app.documents.pdf_fragments import is_wide
from app.documents.pdf_geometry import PageGeometry
from app.documents.pdf_lines import build_lines, page_wide_lines, positions_usable
from app.documents.pdf_visitor import Collector
from app.domain import Line

NO_TEXT: Final = "no text"
TOO_LITTLE_TEXT: Final = "too little text"
INVISIBLE_TEXT: Final = "invisible text"
INVISIBLE_KEPT: Final = "invisible text layer kept"
GLYPH_IDS: Final = "glyph ids"
PRIVATE_USE: Final = "private-use characters"
UNMAPPED_CHARACTERS: Final = "unmapped characters"
UNREADABLE: Final = "unreadable text layer"
DECODED_VIA_FONT: Final = "decoded via embedded font cmap"

# A healthy layer has at most a few symbol glyphs in private-use code points
# (bullets, dingbats) or in a symbol font without a Unicode map; a layer whose
# fonts lack a Unicode map comes out almost entirely so. 10 % is far above the
# first and far below the second.
MAX_JUNK_SHARE: Final = 0.10
# Fonts without a Unicode map: a page set in one shows it in most of its text
# (office software embeds the body font so); a healthy page shows a few symbols
# or a figure's labels in one. On the corpus, the most is 4.5 % (a figure of
# bullets, GeoTopo page 40); 30 % leaves room for math-heavy pages.
MAX_UNMAPPED_FONT_SHARE: Final = 0.30
# Searchable scans carry an invisible OCR layer (render mode 3) over the page
# image: when most shown text is invisible the page is an image for our purpose.
MAX_INVISIBLE_SHARE: Final = 0.5
_UNMAPPED_CATEGORIES: Final = frozenset({"Cn", "Cc", "Cs"})
# Glyph names pypdf writes out when they resolve to nothing (/g123, /cid00042,
# /index7), and pdfminer-style "(cid:42)" left in by the producer.
_GLYPH_ID: Final = re.compile(r"/(?:g|gid|glyph|cid|index|c|G)\d+|\(cid:\d+\)")


@dataclass(frozen=True, slots=True)
class TextLayer:
    """A page's text layer: its lines and the measures of the verdict."""

    lines: tuple[Line, ...]
    chars: int
    """Non-whitespace characters, wide (CJK) ones counted twice: a Chinese
    character carries about as much text as two Latin letters, so one threshold
    serves both scripts."""
    invisible_share: float = 0.0
    unmapped_font_share: float = 0.0
    """Share of characters shown in fonts without a Unicode map."""
    glyph_id_share: float = 0.0
    private_use_share: float = 0.0
    unmapped_share: float = 0.0
    """U+FFFD, controls, surrogates, unassigned code points."""
    decoded: bool = False
    """Some text was read through an embedded font's own cmap."""

    @property
    def invisible(self) -> bool:
        """Most of the page's text is invisible: an earlier OCR run's layer."""
        return self.invisible_share >= MAX_INVISIBLE_SHARE

    def problem(self, min_chars: int, keep_invisible: bool = False) -> str | None:
        """Why the layer cannot stand in for OCR, or None when it can; ``keep_invisible``
        trusts an invisible layer like a visible one (``existing_text=keep``)."""
        if self.chars == 0:
            return NO_TEXT
        if self.invisible and not keep_invisible:
            return INVISIBLE_TEXT
        if self.unmapped_font_share > MAX_UNMAPPED_FONT_SHARE:
            return NO_UNICODE_MAP
        if self.glyph_id_share > MAX_JUNK_SHARE:
            return GLYPH_IDS
        if self.private_use_share + self.unmapped_share > MAX_JUNK_SHARE:
            return PRIVATE_USE if self.private_use_share > self.unmapped_share else (
                UNMAPPED_CHARACTERS
            )
        # Last: a few characters of glyph ids are better called what they are.
        return TOO_LITTLE_TEXT if self.chars < min_chars else None

    def is_real_text(self, min_chars: int, keep_invisible: bool = False) -> bool:
        """True when the layer holds enough mapped text (visible, unless ``keep_invisible``)
        to stand in for OCR."""
        return self.problem(min_chars, keep_invisible) is None

    def note(self, min_chars: int, keep_invisible: bool = False) -> str | None:
        """What the page's JSON says about the layer: its problem, or that an invisible
        layer was kept, or how it was decoded."""
        problem = self.problem(min_chars, keep_invisible)
        if problem is None and self.invisible:
            return INVISIBLE_KEPT
        return problem or (DECODED_VIA_FONT if self.decoded else None)


EMPTY_LAYER: Final = TextLayer((), 0)


def read_text_layer(page: PageObject, geometry: PageGeometry, fonts: FontBook) -> TextLayer:
    """Extract ``page``'s text with line boxes in pixels of ``geometry``.

    ``fonts`` is the document's font book: fonts shared by pages are judged once.
    """
    fonts.prepare(page)
    collector = Collector(geometry, fonts)
    text = page.extract_text(
        visitor_operand_before=collector.before,
        visitor_operand_after=collector.after,
        visitor_text=collector.text,
    )
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return EMPTY_LAYER
    if positions_usable(collector.fragments, geometry, len(chars)):
        lines = build_lines(collector.fragments, geometry)
    else:
        lines = page_wide_lines(text, geometry)
    categories = [unicodedata.category(c) for c in chars]
    count = len(chars)
    shown = collector.shown_bytes
    return TextLayer(
        tuple(lines),
        chars=count + sum(1 for c in chars if is_wide(c)),
        invisible_share=collector.invisible_bytes / shown if shown else 0.0,
        unmapped_font_share=collector.unmapped_glyphs / max(collector.glyphs, 1),
        glyph_id_share=sum(len(m.group()) for m in _GLYPH_ID.finditer(text)) / count,
        private_use_share=categories.count("Co") / count,
        unmapped_share=sum(
            1 for c, cat in zip(chars, categories, strict=True)
            if c == "\ufffd" or cat in _UNMAPPED_CATEGORIES
        ) / count,
        decoded=collector.decoded_glyphs > 0,
    )
