"""A glyphless font for invisible text layers: any Unicode text, one blank glyph.

The text layer is never drawn (render mode 3), so its font needs no shapes;
it must only let viewers and ``pdftotext`` find and copy every script, CJK
included. As in Tesseract's and OCRmyPDF's text layers: a Type 0 font with
Identity-H encoding takes two-byte codes (the text's UTF-16 code units), a
CIDToGIDMap sends every code to the one blank glyph, and a ToUnicode map
sends every code back to itself. Every glyph advances half an em, so a word
is stretched to its box with the text matrix alone.

The TrueType program is built with fontTools (about 1 KB); the PDF objects
with pikepdf, once per output file and shared by all its pages.
"""

from __future__ import annotations

import io
import zlib
from functools import lru_cache
from typing import Final

import pikepdf
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from pikepdf import Array, Dictionary, Name

UNITS_PER_EM: Final = 1000
ADVANCE: Final = 500
"""Advance of every glyph in font units: text at size 1 is 0.5 units per code unit."""
FONT_NAME: Final = "GlyphLessFont"

_TO_UNICODE: Final = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""
"""Each two-byte code is the UTF-16 code unit it stands for (a CMap is PostScript;
this fixed one is the only PDF syntax written here by hand)."""


@lru_cache(maxsize=1)
def font_program() -> bytes:
    """The TrueType program: .notdef and one blank glyph, both half an em wide."""
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    glyphs = [".notdef", "blank"]
    builder.setupGlyphOrder(glyphs)
    builder.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({name: empty for name in glyphs})
    builder.setupHorizontalMetrics({name: (ADVANCE, 0) for name in glyphs})
    builder.setupHorizontalHeader(ascent=UNITS_PER_EM, descent=0)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=UNITS_PER_EM, sTypoDescender=0, usWinAscent=UNITS_PER_EM,
                     usWinDescent=0)
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _cid_to_gid() -> bytes:
    # Every one of the 65536 codes to glyph 1; compresses to about 300 bytes.
    return zlib.compress(b"\x00\x01" * 65536, 9)


def add_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """Add the glyphless Type 0 font to ``pdf``; returns its (indirect) font dictionary."""
    program = pikepdf.Stream(pdf, font_program())
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + FONT_NAME), Flags=5,
        FontBBox=Array([0, 0, ADVANCE, UNITS_PER_EM]), ItalicAngle=0,
        # Descent 0 reads as "not given" to poppler, which then assumes -0.35 em and
        # reports word boxes a third taller than placed: -1 unit is as good as 0.
        Ascent=UNITS_PER_EM, Descent=-1, CapHeight=UNITS_PER_EM, StemV=80,
        FontFile2=program,
    ))
    cid_to_gid = pikepdf.Stream(pdf, _cid_to_gid())
    cid_to_gid.Filter = Name.FlateDecode
    cid_font = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + FONT_NAME),
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                 Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=descriptor, DW=ADVANCE, CIDToGIDMap=cid_to_gid,
    ))
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + FONT_NAME),
        Encoding=Name("/Identity-H"), DescendantFonts=Array([cid_font]),
        ToUnicode=pikepdf.Stream(pdf, _TO_UNICODE),
    ))
