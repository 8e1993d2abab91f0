"""Characters of a CID font that has no ToUnicode map, read from the embedded font's own cmap.

A Type0 font with Identity-H encoding shows glyphs by CID; without a ToUnicode
CMap the PDF says nothing about which characters they are, and a reader that
takes CIDs for code points (pypdf does) produces plausible but wrong text. When
the descendant is a TrueType CID font (CIDFontType2) whose embedded FontFile2
still carries its Unicode cmap table, the table inverted (glyph id → code point)
names every glyph, as pdfminer.six and poppler do. The result is handed to pypdf
as the ToUnicode CMap the producer forgot, so its extraction (word spacing
included) works unchanged.
"""

from __future__ import annotations

import io
import logging
from typing import Any, Final

from fontTools.ttLib import TTFont
from pypdf.generic import DecodedStreamObject, DictionaryObject, StreamObject

logger = logging.getLogger("app.documents")

MAX_FONT_FILE_BYTES: Final = 32 * 1024 * 1024  # a full CJK font is 5-20 MB; beyond: not read
_BFCHAR_GROUP: Final = 100  # entries per beginbfchar block (the CMap format's limit)


def embedded_unicode_map(descendant: DictionaryObject) -> dict[int, str] | None:
    """CID → character through the embedded TrueType cmap, or None when there is none to use."""
    if descendant.get("/Subtype") != "/CIDFontType2":
        return None  # CFF-based CID fonts name glyphs by CID alone: nothing to invert
    descriptor = descendant.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    if not isinstance(descriptor, DictionaryObject):
        return None
    stream = descriptor.get("/FontFile2")
    stream = stream.get_object() if stream is not None else None
    if not isinstance(stream, StreamObject):
        return None
    data = stream.get_data()
    if not data or len(data) > MAX_FONT_FILE_BYTES:
        return None
    gid_chars = _glyph_characters(data)
    if not gid_chars:
        return None
    cid_to_gid = _cid_to_gid(descendant.get("/CIDToGIDMap"))
    if cid_to_gid is None:  # Identity (the default): CID = glyph id
        return gid_chars
    return {cid: gid_chars[gid] for cid, gid in enumerate(cid_to_gid) if gid in gid_chars}


def to_unicode_stream(mapping: dict[int, str]) -> DecodedStreamObject:
    """A ToUnicode CMap (2-byte codes) for ``mapping``, as pypdf parses it."""
    entries = [
        f"<{code:04X}> <{text.encode('utf-16-be', 'surrogatepass').hex().upper()}>"
        for code, text in sorted(mapping.items())
        if code <= 0xFFFF
    ]
    blocks = []
    for start in range(0, len(entries), _BFCHAR_GROUP):
        group = entries[start : start + _BFCHAR_GROUP]
        blocks.append(f"{len(group)} beginbfchar\n" + "\n".join(group) + "\nendbfchar")
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CMapName /Embedded-Font-Cmap def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    stream = DecodedStreamObject()
    stream.set_data(cmap.encode("ascii"))
    return stream


def _glyph_characters(data: bytes) -> dict[int, str]:
    """Glyph id → character from the font's best Unicode cmap; empty when it has none."""
    try:
        with TTFont(io.BytesIO(data), lazy=True, fontNumber=0) as font:
            if "cmap" not in font:
                return {}
            best = font["cmap"].getBestCmap() or {}
            ids = font.getReverseGlyphMap()
            chars: dict[int, str] = {}
            # Lowest code point first: a glyph mapped twice (e.g. a CJK unified
            # and a compatibility ideograph) reads as the common character.
            for code, name in sorted(best.items()):
                gid = ids.get(name)
                if gid is not None and gid not in chars:
                    chars[gid] = chr(code)
            return chars
    except MemoryError:
        raise
    except Exception as exc:  # a damaged or truncated font file fails in many ways
        logger.info("embedded font unreadable: %s", type(exc).__name__)
        return {}


def _cid_to_gid(value: Any) -> list[int] | None:
    """An embedded CIDToGIDMap as a list indexed by CID; None for Identity or none."""
    value = value.get_object() if value is not None else None
    if not isinstance(value, StreamObject):
        return None
    data = value.get_data()
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
