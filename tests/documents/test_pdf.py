"""PDF documents: opening, passwords, page selection, text layers and rendering.

Real PDFs are read in place from the shared corpus (expected text and passwords
from its manifest); the few synthetic PDFs are built in memory. No OCR engine.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from pdf2image import convert_from_path
from pypdf import PdfWriter
from pypdf.generic import RectangleObject

from app.config import Settings
from app.documents.page_ranges import parse_page_ranges, select_pages
from app.documents.pdf import PdfDocument, open_pdf
from app.documents.pdf_geometry import PageGeometry
from app.documents.pdf_text import MAX_JUNK_SHARE, TextLayer
from app.domain import DecodedPage as Page
from app.domain import ExistingText, PdfOptions
from app.errors import (
    CorruptFile,
    ImageTooLarge,
    InvalidPages,
    PageLimitExceeded,
    PageTooComplex,
    PdfPasswordIncorrect,
    PdfPasswordRequired,
)
from tests.conftest import CORPUS, needs_corpus
from tests.hostile.generate import pdf

pytestmark = needs_corpus

MIN_TEXT_CHARS = int(Settings.model_fields["pdf_min_text_chars"].default)  # the service default
ENCRYPTED = "pysf_libreoffice-writer-password.pdf"
LONG = "pysf_GeoTopo-komprimiert.pdf"
SCANNED = "rapidocrpdf_image.pdf"
TEXT_PDFS = [
    "pdfminer_issue_566_test_2.pdf",
    "pypdf_multilang.pdf",
    "pypdf_crazyones.pdf",
    "pysf_minimal-document.pdf",
]


def _manifest() -> dict[str, dict[str, Any]]:
    path = CORPUS / "manifest.json"
    if not path.is_file():
        return {}
    return {entry["file"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))}


MANIFEST = _manifest()


def _data(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def opener(workdir: Path) -> Callable[..., PdfDocument]:
    """open_pdf with test limits; keyword arguments override them."""

    def open_(data: bytes, options: PdfOptions | None = None, **limits: Any) -> PdfDocument:
        settings: dict[str, Any] = {
            "max_pages": 100,
            "max_pixels": 40_000_000,
            "min_text_chars": MIN_TEXT_CHARS,
            "render_timeout_s": 30.0,
            "workdir": workdir,
        }
        return open_pdf(data, options or PdfOptions(), **(settings | limits))

    return open_


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to render a page."""

    def refuse(*args: Any, **kwargs: Any) -> list[Any]:
        raise AssertionError("a page was rendered")

    monkeypatch.setattr("app.documents.pdf_render.convert_from_path", refuse)


def _all_pages(document: PdfDocument) -> list[Page]:
    with document:
        return list(document.pages())


def _text(page: Page) -> str:
    return "\n".join(line.text for line in page.text_lines or ())


def _minimal_pdf(content: bytes, form: bytes = b"") -> bytes:
    """A one-page PDF (Helvetica as /F1, a form XObject as /X1) with correct xref offsets."""
    fonts = b"<< /Font << /F1 4 0 R >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources"
        b" << /Font << /F1 4 0 R >> /XObject << /X1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources %b /Length %d >>"
        b"\nstream\n%b\nendstream" % (fonts, len(form), form),
    ]
    return pdf(objects, header=b"%PDF-1.4\n")


def _variant(name: str, *, rotation: int = 0, media_box: list[float] | None = None) -> bytes:
    """A corpus PDF with its pages turned and/or its MediaBox moved (in memory only)."""
    writer = PdfWriter(clone_from=CORPUS / name)
    for page in writer.pages:
        page.rotation = rotation
        if media_box is not None:
            page.mediabox = RectangleObject(media_box)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _ink(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    return np.asarray(image.min(axis=2) < 128)


# --- text layers -------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_text_pdf_reads_expected_text_from_its_text_layer(
    name: str, opener: Callable[..., PdfDocument], workdir: Path, no_render: None
) -> None:
    pages = _all_pages(opener(_data(name)))

    assert [page.source for page in pages] == ["text-layer"] * len(pages)
    assert [page.text_layer_note for page in pages] == [None] * len(pages)
    text = "\n".join(_text(page) for page in pages)
    for expected in MANIFEST[name]["expect_substrings"]:
        assert expected in text
    assert list(workdir.iterdir()) == []  # nothing was written for rendering


@pytest.mark.parametrize(
    "name", [name for name, entry in MANIFEST.items() if entry["kind"] == "pdf-text"]
)
def test_every_corpus_text_layer_is_trusted(
    name: str, opener: Callable[..., PdfDocument], no_render: None
) -> None:
    options = PdfOptions(password=MANIFEST[name].get("password"))
    pages = _all_pages(opener(_data(name), options, max_pages=200))

    assert {(page.source, page.text_layer_note) for page in pages} == {("text-layer", None)}


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_text_layer_lines_lie_within_the_page(
    name: str, opener: Callable[..., PdfDocument]
) -> None:
    (page,) = _all_pages(opener(_data(name), PdfOptions(mode="text", dpi=150)))

    assert page.text_lines
    for line in page.text_lines:
        x0, y0, x1, y1 = line.bbox
        assert 0 <= x0 < x1 <= page.width
        assert 0 <= y0 < y1 <= page.height
        assert len(line.polygon) == 4
        assert line.score is None


def test_text_layer_lines_come_top_to_bottom(opener: Callable[..., PdfDocument]) -> None:
    (page,) = _all_pages(opener(_data("pypdf_crazyones.pdf"), PdfOptions(mode="text")))

    assert page.text_lines is not None
    tops = [line.bbox[1] for line in page.text_lines]
    assert tops == sorted(tops)
    assert page.text_lines[0].text == "The Crazy Ones"
    assert (page.width, page.height) == (1700, 2200)  # 8.5 x 11 in at 200 dpi


@pytest.mark.parametrize(
    ("rotation", "media_box"),
    [(0, None), (90, None), (180, None), (270, [-100.0, -50.0, 700.0, 900.0])],
)
def test_text_layer_boxes_cover_the_rendered_text(
    rotation: int, media_box: list[float] | None, opener: Callable[..., PdfDocument]
) -> None:
    data = _variant("pypdf_crazyones.pdf", rotation=rotation, media_box=media_box)
    (rendered,) = _all_pages(opener(data, PdfOptions(mode="ocr", dpi=72)))
    (layer,) = _all_pages(opener(data, PdfOptions(mode="text", dpi=72)))

    assert rendered.image is not None and layer.text_lines
    assert (layer.width, layer.height) == (rendered.width, rendered.height)
    ink = _ink(rendered.image)
    covered = np.zeros_like(ink)
    for line in layer.text_lines:
        x0, y0, x1, y1 = (round(v) for v in line.bbox)
        assert ink[y0:y1, x0:x1].any(), line.text
        covered[max(y0 - 2, 0) : y1 + 2, max(x0 - 2, 0) : x1 + 2] = True
    # Line ends are estimated from the font size, so allow a sliver of stray ink.
    assert (ink & ~covered).sum() <= 0.01 * ink.sum()


def test_text_inside_a_form_xobject_is_placed_where_the_form_is_drawn(
    opener: Callable[..., PdfDocument],
) -> None:
    data = _minimal_pdf(
        b"q 1 0 0 1 200 300 cm /X1 Do Q BT /F1 12 Tf 72 700 Td (Page text below) Tj ET",
        form=b"BT /F1 24 Tf 0 0 Td (Form text here) Tj ET",
    )
    (page,) = _all_pages(opener(data, PdfOptions(mode="text", dpi=72)))

    assert page.text_lines is not None
    lines = {line.text: line.bbox for line in page.text_lines}
    x0, y0, _, y1 = lines["Form text here"]
    assert x0 == pytest.approx(200, abs=1)
    assert y0 < 792 - 300 < y1  # the baseline, in pixels from the top


def test_invisible_text_layer_is_kept_redone_or_forced(
    opener: Callable[..., PdfDocument],
) -> None:
    """An earlier OCR run's invisible layer: trusted by default (existing_text=keep),
    read again with redo, and with force; mode=text reads it whatever it is."""
    data = _minimal_pdf(b"BT /F1 12 Tf 3 Tr 72 700 Td (Invisible words from a scanner) Tj ET")

    (keep,) = _all_pages(opener(data, PdfOptions(dpi=72)))
    (redo,) = _all_pages(opener(data, PdfOptions(dpi=72, existing_text=ExistingText.REDO)))
    (force,) = _all_pages(opener(data, PdfOptions(dpi=72, existing_text=ExistingText.FORCE)))
    (text,) = _all_pages(opener(data, PdfOptions(mode="text", dpi=72,
                                                 existing_text=ExistingText.REDO)))

    assert keep.source == "text-layer" and keep.image is None
    assert _text(keep) == "Invisible words from a scanner"
    assert keep.text_layer_note == "invisible text layer kept"
    assert redo.source == force.source == "ocr"
    assert redo.image is not None and force.image is not None
    assert redo.text_layer_note == text.text_layer_note == "invisible text"
    assert _text(text) == "Invisible words from a scanner"


def test_unmapped_glyphs_are_not_taken_for_text(opener: Callable[..., PdfDocument]) -> None:
    junk = b"".join(b"\\%03o" % code for code in range(1, 24))
    data = _minimal_pdf(b"BT /F1 12 Tf 72 700 Td (" + junk + b") Tj ET")

    (page,) = _all_pages(opener(data, PdfOptions(dpi=72)))

    assert page.source == "ocr"
    assert page.text_layer_note == "unmapped characters"


@pytest.mark.parametrize(
    ("layer", "problem"),
    [
        (TextLayer((), MIN_TEXT_CHARS), None),
        (TextLayer((), 0), "no text"),
        (TextLayer((), MIN_TEXT_CHARS - 1), "too little text"),
        (TextLayer((), 500, private_use_share=MAX_JUNK_SHARE), None),
        (TextLayer((), 500, private_use_share=0.5), "private-use characters"),
        (TextLayer((), 500, private_use_share=0.06, unmapped_share=0.07), "unmapped characters"),
        (TextLayer((), 500, invisible_share=0.9), "invisible text"),
        (TextLayer((), 500, unmapped_font_share=0.8), "no unicode map"),
        (TextLayer((), 500, glyph_id_share=0.9), "glyph ids"),
    ],
)
def test_text_layer_verdict(layer: TextLayer, problem: str | None) -> None:
    assert layer.problem(MIN_TEXT_CHARS) == problem
    assert layer.is_real_text(MIN_TEXT_CHARS) is (problem is None)


def test_text_mode_never_renders(opener: Callable[..., PdfDocument], no_render: None) -> None:
    (page,) = _all_pages(opener(_data(SCANNED), PdfOptions(mode="text")))

    assert page.text_lines == ()
    assert page.text_layer_note == "no text"
    assert page.image is None
    assert (page.width, page.height) == (1656, 2206)


# --- rendering -----------------------------------------------------------------------


def test_scanned_pdf_page_is_rendered_for_ocr(
    opener: Callable[..., PdfDocument], workdir: Path
) -> None:
    document = opener(_data(SCANNED), PdfOptions(dpi=72))
    with document:
        (page,) = list(document.pages())
        (copy,) = list(workdir.iterdir())
        assert copy.name.startswith("pdf-") and copy.suffix == ".pdf"  # never the client's name

    assert page.source == "ocr"
    assert page.image is not None
    assert page.image.dtype == np.uint8
    assert page.image.shape == (page.height, page.width, 3) == (794, 596, 3)
    assert _ink(page.image).mean() > 0.01  # the scan, not a blank page
    assert list(workdir.iterdir()) == []  # close() removed the copy


def test_pages_render_lazily_from_one_copy(
    opener: Callable[..., PdfDocument], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []

    def counting(path: Path, **kwargs: Any) -> Any:
        calls.append((kwargs["first_page"], kwargs["last_page"]))
        return convert_from_path(path, **kwargs)

    monkeypatch.setattr("app.documents.pdf_render.convert_from_path", counting)
    with opener(_data(LONG), PdfOptions(mode="ocr", pages="3,1", dpi=72)) as document:
        pages: Iterator[Page] = document.pages()
        assert calls == []
        first = next(pages)
        assert calls == [(3, 3)]
        second = next(pages)
        assert len(list(workdir.iterdir())) == 1

    assert calls == [(3, 3), (1, 1)]
    assert (first.index, second.index) == (2, 0)


def test_page_over_the_pixel_limit_is_read_at_the_highest_dpi_that_fits(
    opener: Callable[..., PdfDocument]
) -> None:
    """At 600 dpi the page would be 5100x6600 pixels; with a limit of 10 Mpx it is read at
    327 dpi (2725 x 3571 px), the highest that fits (328 dpi does not), and says so."""
    limit = 10_000_000
    document = opener(_data("pypdf_crazyones.pdf"), PdfOptions(mode="ocr", dpi=600),
                      max_pixels=limit)
    (page,) = _all_pages(document)
    assert page.image is not None and page.width * page.height <= limit
    assert page.dpi is not None and page.dpi < 600
    over = PageGeometry(0, 0, 612, 792, 0, page.dpi + 1).size
    assert over[0] * over[1] > limit  # one dpi more would not fit: the highest that does
    (warning,) = page.warnings
    assert f"read at {page.dpi} dpi instead of 600" in warning and "5100x6600" in warning

    (asked,) = _all_pages(opener(_data(SCANNED), PdfOptions(dpi=72)))
    assert (asked.dpi, asked.warnings) == (72, ())


def test_page_too_large_even_at_the_lowest_dpi_is_refused_before_rendering(
    opener: Callable[..., PdfDocument], no_render: None
) -> None:
    with pytest.raises(ImageTooLarge, match=r"Page 1 is 22 x 28 cm: even at 72 dpi") as info:
        opener(_data("pypdf_crazyones.pdf"), PdfOptions(mode="ocr", dpi=600), max_pixels=400_000)
    assert "612x792 pixels, over the limit of 400000" in info.value.message

    document = opener(_data(SCANNED), PdfOptions(dpi=600), max_pixels=400_000)
    with pytest.raises(ImageTooLarge, match="Page 1"):  # auto mode: checked when rendered
        _all_pages(document)


def test_render_timeout_names_the_page(opener: Callable[..., PdfDocument]) -> None:
    options = PdfOptions(mode="ocr", pages="5", dpi=300)
    document = opener(_data(LONG), options, render_timeout_s=0.001)

    with pytest.raises(PageTooComplex, match="page 5"):
        _all_pages(document)


def test_closed_document_yields_no_pages(opener: Callable[..., PdfDocument]) -> None:
    document = opener(_data("pypdf_crazyones.pdf"))
    document.close()

    with pytest.raises(RuntimeError, match="closed"):
        next(document.pages())


# --- opening, passwords, damage --------------------------------------------------------


def test_password_opens_the_encrypted_pdf(opener: Callable[..., PdfDocument]) -> None:
    password = MANIFEST[ENCRYPTED]["password"]
    (page,) = _all_pages(opener(_data(ENCRYPTED), PdfOptions(password=password)))
    (rendered,) = _all_pages(opener(_data(ENCRYPTED), PdfOptions(mode="ocr", password=password)))

    assert _text(page).startswith(MANIFEST[ENCRYPTED]["expect_substrings"][0])
    assert rendered.image is not None and _ink(rendered.image).any()
    assert password not in repr(PdfOptions(password=password))


def test_owner_password_also_opens_and_renders(opener: Callable[..., PdfDocument]) -> None:
    options = PdfOptions(mode="ocr", dpi=72, password=MANIFEST[ENCRYPTED]["owner_password"])

    (page,) = _all_pages(opener(_data(ENCRYPTED), options))

    assert page.image is not None and _ink(page.image).any()


def test_missing_password_is_reported(opener: Callable[..., PdfDocument]) -> None:
    with pytest.raises(PdfPasswordRequired, match="password"):
        opener(_data(ENCRYPTED))


def test_wrong_password_is_reported(opener: Callable[..., PdfDocument]) -> None:
    with pytest.raises(PdfPasswordIncorrect):
        opener(_data(ENCRYPTED), PdfOptions(password="not-the-password"))


def test_owner_only_encryption_opens_without_a_password(
    opener: Callable[..., PdfDocument],
) -> None:
    writer = PdfWriter(clone_from=CORPUS / "pypdf_crazyones.pdf")
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)

    for password in (None, "some-other-password"):
        options = PdfOptions(mode="ocr", dpi=72, password=password)
        (page,) = _all_pages(opener(buffer.getvalue(), options))
        assert page.image is not None and _ink(page.image).any()


def test_broken_xref_is_repaired(opener: Callable[..., PdfDocument]) -> None:
    data = _data("pypdf_issue-297_broken_xref.pdf")

    (text,) = _all_pages(opener(data, PdfOptions(mode="text")))
    (rendered,) = _all_pages(opener(data, PdfOptions(mode="ocr", dpi=72)))

    assert "test example" in _text(text)
    assert rendered.image is not None and _ink(rendered.image).any()


def test_not_a_pdf_is_corrupt(opener: Callable[..., PdfDocument]) -> None:
    with pytest.raises(CorruptFile, match="not a PDF") as info:
        opener(_data("qpdf_bad1_not_a_pdf.pdf"))
    assert info.value.status_code == 422


def test_unreadable_pdf_is_corrupt(opener: Callable[..., PdfDocument]) -> None:
    with pytest.raises(CorruptFile, match="could not be read"):
        opener(b"%PDF-1.4\nthis is not really a pdf\n")


# --- page selection ---------------------------------------------------------------------


def test_page_range_selects_exactly_those_pages(opener: Callable[..., PdfDocument]) -> None:
    document = opener(_data(LONG), PdfOptions(mode="text", pages="2-3"))

    assert document.page_count == MANIFEST[LONG]["pages"] == 117
    assert document.selected == [1, 2]
    assert [page.index for page in _all_pages(document)] == [1, 2]


def test_too_many_pages_are_refused_not_truncated(opener: Callable[..., PdfDocument]) -> None:
    with pytest.raises(PageLimitExceeded) as info:
        opener(_data(LONG), max_pages=100)
    assert "117" in info.value.message and "pages=" in info.value.message

    assert len(opener(_data(LONG), PdfOptions(pages="1-100"), max_pages=100).selected) == 100


def test_bad_page_range_names_the_page_count(opener: Callable[..., PdfDocument]) -> None:
    with pytest.raises(InvalidPages, match="117 pages"):
        opener(_data(LONG), PdfOptions(pages="118"))


@pytest.mark.parametrize(
    ("spec", "count", "expected"),
    [
        ("1", 5, [0]),
        ("1-3,5", 5, [0, 1, 2, 4]),
        ("4-", 5, [3, 4]),
        ("-2", 5, [0, 1]),
        (" 2 - 3 , 1 ", 5, [1, 2, 0]),
        ("3,1-3,3", 5, [2, 0, 1]),
        ("2-2", 5, [1]),
        ("1-", 1, [0]),
    ],
)
def test_parse_page_ranges(spec: str, count: int, expected: list[int]) -> None:
    assert parse_page_ranges(spec, count) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("0", "names page 0"),
        ("6", "the document has 5 pages"),
        ("2-9", "names page 9"),
        ("4-2", "backwards; write it as 2-4"),
        ("a", "not N, A-B"),
        ("1,,2", "(empty)"),
        ("1-2-3", "not N, A-B"),
        ("-", "not N, A-B"),
        ("1 2", "not N, A-B"),
        ("\uff11", "not N, A-B"),  # fullwidth digit one
        ("1," * 600, "longer than"),
    ],
)
def test_parse_page_ranges_errors(spec: str, message: str) -> None:
    with pytest.raises(InvalidPages, match=message) as info:
        parse_page_ranges(spec, 5)
    assert info.value.status_code == 422


@pytest.mark.parametrize("spec", [None, "", "  "])
def test_missing_or_blank_selection_is_every_page(spec: str | None) -> None:
    assert select_pages(spec, 3, max_pages=3) == [0, 1, 2]


def test_selection_over_the_limit_is_refused() -> None:
    with pytest.raises(PageLimitExceeded, match="selects 4 of the document's 9 pages"):
        select_pages("1-4", 9, max_pages=3)
