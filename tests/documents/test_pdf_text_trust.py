"""Text layers that cannot be believed: detected, decoded through the font, or OCRed.

The PDFs are built here: fpdf2 embeds a TrueType subset as a CIDFontType2 font
with Identity-H encoding (what office software writes), then the ToUnicode CMap
is removed (and, for the worst case, the embedded font's own cmap table too).
Fonts: Debian's fonts-droid-fallback (CJK) and fonts-dejavu-core (Latin);
scripts/test.sh installs them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

from app.documents.pdf import PdfDocument, open_pdf
from app.documents.pdf_fonts import FontBook
from app.domain import DecodedPage, PdfOptions
from tests.support.cer import cer

CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_TEXT = "文字层没有映射表的中文页面"
LATIN_TEXT = "Quick brown foxes jump over lazy dogs"

needs_fonts = pytest.mark.skipif(
    not (CJK_FONT.is_file() and LATIN_FONT.is_file()),
    reason="needs Debian fonts-droid-fallback and fonts-dejavu-core (scripts/test.sh installs them)",
)
pytestmark = needs_fonts


def cid_font_pdf(text: str, font: Path, *, to_unicode: bool = True, font_cmap: bool = True) -> bytes:
    """One page showing ``text`` in ``font`` embedded as CIDFontType2 / Identity-H."""
    pdf = FPDF(unit="pt", format=(612, 792))
    pdf.add_page()
    pdf.add_font("embedded", fname=str(font))
    pdf.set_font("embedded", size=40)
    pdf.text(60, 200, text)
    writer = PdfWriter(clone_from=io.BytesIO(bytes(pdf.output())))
    for ref in writer.pages[0]["/Resources"]["/Font"].values():
        type0 = ref.get_object()
        assert type0["/Subtype"] == "/Type0" and type0["/Encoding"] == "/Identity-H"
        descendant = type0["/DescendantFonts"][0].get_object()
        assert descendant["/Subtype"] == "/CIDFontType2"
        if not to_unicode:
            del type0["/ToUnicode"]
        if not font_cmap:
            stream = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
            ttf = TTFont(io.BytesIO(stream.get_data()))
            del ttf["cmap"]
            out = io.BytesIO()
            ttf.save(out)
            stream.set_data(out.getvalue())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def glyph_named_pdf() -> bytes:
    """A simple font whose /Differences name glyphs by index (g1, g2, ...) and no ToUnicode."""
    pdf = FPDF(unit="pt", format=(612, 792))
    pdf.add_page()
    pdf.set_font("helvetica", size=24)
    pdf.text(60, 200, "abcdefghijklmnopqrstuvwxyz abcdefghij")
    writer = PdfWriter(clone_from=io.BytesIO(bytes(pdf.output())))
    for ref in writer.pages[0]["/Resources"]["/Font"].values():
        names: list[Any] = [NumberObject(97)]
        names += [NameObject(f"/g{i}") for i in range(1, 27)]
        ref.get_object()[NameObject("/Encoding")] = DictionaryObject(
            {NameObject("/Differences"): ArrayObject(names)}
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def read(tmp_path: Path) -> Callable[..., DecodedPage]:
    """The one page of a PDF as documents hands it on."""

    def read_(data: bytes, mode: str = "auto") -> DecodedPage:
        options = PdfOptions(mode=mode, dpi=72)  # type: ignore[arg-type]
        document: PdfDocument = open_pdf(
            data, options, max_pages=10, max_pixels=40_000_000, min_text_chars=4,
            render_timeout_s=30.0, workdir=tmp_path,
        )
        with document:
            (page,) = list(document.pages())
        return page

    return read_


def _text(page: DecodedPage) -> str:
    return " ".join(line.text for line in page.text_lines or ())


@pytest.mark.parametrize(("text", "font"), [(CJK_TEXT, CJK_FONT), (LATIN_TEXT, LATIN_FONT)])
def test_healthy_layer_is_trusted(text: str, font: Path, read: Callable[..., DecodedPage]) -> None:
    page = read(cid_font_pdf(text, font))

    assert page.source == "text-layer"
    assert page.text_layer_note is None
    assert _text(page) == text


@pytest.mark.parametrize(("text", "font"), [(CJK_TEXT, CJK_FONT), (LATIN_TEXT, LATIN_FONT)])
def test_layer_without_tounicode_is_decoded_through_the_embedded_cmap(
    text: str, font: Path, read: Callable[..., DecodedPage]
) -> None:
    data = cid_font_pdf(text, font, to_unicode=False)
    raw = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert raw.strip() != text  # what a reader without the font's cmap gets: glyph ids

    page = read(data)

    assert page.source == "text-layer"
    assert page.text_layer_note == "decoded via embedded font cmap"
    assert _text(page) == text


def test_layer_without_any_unicode_map_is_ocred_in_auto_mode(
    read: Callable[..., DecodedPage],
) -> None:
    page = read(cid_font_pdf(CJK_TEXT, CJK_FONT, to_unicode=False, font_cmap=False))

    assert page.source == "ocr"
    assert page.image is not None
    assert page.text_layer_note == "no unicode map"


def test_text_mode_serves_the_layer_with_a_warning(read: Callable[..., DecodedPage]) -> None:
    page = read(cid_font_pdf(CJK_TEXT, CJK_FONT, to_unicode=False, font_cmap=False), "text")

    assert page.source == "text-layer"
    assert page.text_layer_note == "no unicode map"
    assert page.text_lines and _text(page) != CJK_TEXT  # the garbage, labelled as such


def test_glyph_names_that_map_nowhere_are_not_trusted(read: Callable[..., DecodedPage]) -> None:
    page = read(glyph_named_pdf())

    assert page.source == "ocr"
    assert page.text_layer_note == "no unicode map"


def test_font_book_judges_each_font_once() -> None:
    reader = PdfReader(io.BytesIO(cid_font_pdf(LATIN_TEXT, LATIN_FONT, to_unicode=False)))
    (ref,) = reader.pages[0]["/Resources"]["/Font"].values()
    book = FontBook()

    book.prepare(reader.pages[0])
    first = book.trust(ref.get_object())

    assert first.decoded and first.problem is None
    assert "/ToUnicode" in ref.get_object()  # supplied in memory for pypdf
    assert book.trust(ref.get_object()) is first


def test_untrusted_layer_is_ocred_and_the_json_says_why(client: httpx.Client) -> None:
    data = cid_font_pdf(CJK_TEXT, CJK_FONT, to_unicode=False, font_cmap=False)

    response = client.post("/ocr/json", files={"file": ("cid.pdf", data)})

    assert response.status_code == 200, response.text
    (page,) = response.json()["pages"]
    assert page["source"] == "ocr"
    assert page["text_layer"] == "no unicode map"
    text = "".join(line["text"] for line in page["lines"])
    assert cer(text, CJK_TEXT) <= 0.1, text  # at most one of the 13 characters wrong


def test_text_mode_json_carries_the_warning(client: httpx.Client) -> None:
    data = cid_font_pdf(CJK_TEXT, CJK_FONT, to_unicode=False, font_cmap=False)

    response = client.post("/ocr/json", files={"file": ("cid.pdf", data)}, data={"mode": "text"})

    assert response.status_code == 200, response.text
    (page,) = response.json()["pages"]
    assert page["source"] == "text-layer"
    assert page["text_layer"] == "no unicode map"
