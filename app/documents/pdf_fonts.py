"""Whether a PDF font's characters can be believed, judged from its dictionary.

A font maps the codes a content stream shows to glyphs; only some fonts also
say which *characters* those glyphs are. pypdf reads text through whatever
mapping there is and, where there is none, takes codes for characters: text that
looks plausible and is wrong. Judged here, per font dictionary (PDF 32000-1,
9.10.2, "Mapping character codes to Unicode values"):

* a ToUnicode CMap maps every font: trusted;
* Type0 fonts: only predefined Unicode or legacy CMaps (UniGB-UCS2-H, GBK-EUC-H,
  ...) map codes to characters; Identity-H/V and embedded CMaps map them to CIDs,
  which are glyph numbers: "no unicode map". A TrueType-based one is decoded
  through its embedded cmap table when it still has one (``pdf_font_cmap``);
* simple fonts (Type1, TrueType, Type3): glyph names from /Differences (or a
  Type3 font's /CharProcs) that the Adobe Glyph List cannot resolve (g123,
  cid00042, index7) name nothing: "no unicode map".

A ``FontBook`` judges each font once per document and remembers the verdict,
with the font's advance widths (``pdf_font_widths``) for word boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from fontTools import agl
from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from app.documents.pdf_font_cmap import embedded_unicode_map, to_unicode_stream
from app.documents.pdf_font_widths import Advances, font_advances

NO_UNICODE_MAP: Final = "no unicode map"
# Predefined CMaps whose codes pypdf decodes as characters (Unicode or a legacy
# national encoding); Identity-H/V and the CID-keyed ones are not among them.
_CHARACTER_CMAP: Final = re.compile(
    r"/(Uni\w+-(UCS2|UTF16)|\w*-UCS2|GB\w*-EUC|GBK2K|ETen\w*-B5|90ms-RKSJ)(-[HV])?"
)
# A simple font is unmapped when more than this share of its named glyphs
# resolve to nothing: a healthy subset has none (TeX's and office fonts use
# AGL names), a font named by glyph index has (nearly) all.
MAX_UNNAMED_SHARE: Final = 0.5
_MAX_FORM_DEPTH: Final = 8


@dataclass(frozen=True, slots=True)
class FontTrust:
    """The verdict on one font: ``problem`` None when its characters can be believed."""

    problem: str | None = None
    decoded: bool = False
    """Its characters come from the embedded font's own cmap (a ToUnicode was supplied)."""


TRUSTED: Final = FontTrust()


class FontBook:
    """Verdicts on the fonts of one document, each judged (and repaired) once.

    Not thread-safe, like the pypdf reader it belongs with.
    """

    def __init__(self) -> None:
        # Keyed by id(); the font object is kept so the id cannot be reused.
        self._seen: dict[int, tuple[Any, FontTrust]] = {}
        self._advances: dict[int, tuple[Any, Advances | None]] = {}

    def prepare(self, page: PageObject) -> None:
        """Judge the fonts ``page`` (and its forms) may show, before pypdf reads them.

        A font that can be decoded through its embedded cmap gets a ToUnicode
        CMap in the reader's copy (in memory; a ToUnicode map does not change
        how a page renders), so pypdf's extraction reads it right.
        """
        self._prepare_resources(page.get("/Resources"), 0)

    def trust(self, font: Any) -> FontTrust:
        """The verdict on a font dictionary (pypdf's visitor hands it over; None = no font).

        A font ``prepare`` did not see (pypdf found it where the walk did not
        look) is judged without repair: pypdf has already read it as it is.
        """
        return self._judged(font, repair=False)

    def _judged(self, font: Any, *, repair: bool) -> FontTrust:
        if not isinstance(font, DictionaryObject):
            return TRUSTED
        seen = self._seen.get(id(font))
        if seen is None:
            seen = (font, _judge(font, repair=repair))
            self._seen[id(font)] = seen
        return seen[1]

    def advances(self, font: Any) -> Advances | None:
        """The font's advance widths by decoded character (after any repair); None if unknown."""
        if not isinstance(font, DictionaryObject):
            return None
        seen = self._advances.get(id(font))
        if seen is None:
            self.trust(font)  # judged (and repaired) first: measured with its final map
            seen = (font, font_advances(font))
            self._advances[id(font)] = seen
        return seen[1]

    def _prepare_resources(self, resources: Any, depth: int) -> None:
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject) or depth > _MAX_FORM_DEPTH:
            return
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        if isinstance(fonts, DictionaryObject):
            for ref in fonts.values():
                self._judged(ref.get_object(), repair=True)
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if isinstance(xobjects, DictionaryObject):
            for ref in xobjects.values():
                form = ref.get_object()
                if isinstance(form, DictionaryObject) and form.get("/Subtype") == "/Form":
                    self._prepare_resources(form.get("/Resources"), depth + 1)


def _judge(font: DictionaryObject, *, repair: bool) -> FontTrust:
    """Judge one font dictionary; with ``repair``, mend a decodable Type0 font in place."""
    if "/ToUnicode" in font:
        return TRUSTED
    if font.get("/Subtype") == "/Type0":
        return _judge_composite(font, repair)
    return _judge_simple(font)


def _judge_composite(font: DictionaryObject, repair: bool) -> FontTrust:
    encoding = font.get("/Encoding")
    encoding = encoding.get_object() if encoding is not None else None
    if isinstance(encoding, str) and _CHARACTER_CMAP.fullmatch(encoding):
        return TRUSTED
    descendants = font.get("/DescendantFonts")
    descendants = descendants.get_object() if descendants is not None else None
    if repair and isinstance(descendants, ArrayObject) and descendants:
        descendant = descendants[0].get_object()
        if isinstance(descendant, DictionaryObject):
            mapping = embedded_unicode_map(descendant)
            if mapping:
                font[NameObject("/ToUnicode")] = to_unicode_stream(mapping)
                return FontTrust(decoded=True)
    return FontTrust(NO_UNICODE_MAP)


def _judge_simple(font: DictionaryObject) -> FontTrust:
    names = _glyph_names(font)
    if not names:
        return TRUSTED  # standard or built-in encodings name their glyphs
    names = [name for name in names if name != "/.notdef"]  # unused slots, named so by design
    unnamed = sum(1 for name in names if not agl.toUnicode(name.removeprefix("/")))
    if names and unnamed > MAX_UNNAMED_SHARE * len(names):
        return FontTrust(NO_UNICODE_MAP)
    return TRUSTED


def _glyph_names(font: DictionaryObject) -> list[str]:
    """The glyph names the font's /Differences (or a Type3 font's /CharProcs) give."""
    names: list[str] = []
    encoding = font.get("/Encoding")
    encoding = encoding.get_object() if encoding is not None else None
    if isinstance(encoding, DictionaryObject):
        differences = encoding.get("/Differences")
        differences = differences.get_object() if differences is not None else None
        if isinstance(differences, ArrayObject):
            names = [str(item) for item in differences if isinstance(item, NameObject)]
    if not names and font.get("/Subtype") == "/Type3":
        procs = font.get("/CharProcs")
        procs = procs.get_object() if procs is not None else None
        if isinstance(procs, DictionaryObject):
            names = [str(key) for key in procs]
    return names
