"""The format writers on hand-made documents: geometry, escaping, negotiation, failures.

No engine here: pages are built from known word boxes, so where pdftotext finds
each word in the searchable PDF can be compared with where it was put, for
images, rotated pages, a PDF's /Rotate and a cropped, offset MediaBox.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.api.negotiate import choose_format
from app.domain import (
    Block,
    Document,
    EngineOptions,
    Line,
    MediaKind,
    OutputFormat,
    Page,
    PageLayout,
    Paragraph,
    RequestOptions,
    Source,
    Word,
)
from app.engine.words import from_tokens
from app.errors import NotAcceptable, RenderFailed
from app.formats.base import RenderContext, line_words
from app.formats.markdown import escape
from app.formats.registry import FORMATS, OCR_FORMATS
from app.layout import analyze
from tests.support.formats_checks import (
    alto_schema,
    check_hocr,
    matched_share,
    pdf_words,
    pdftotext,
    qpdf_check,
)

WORDS = [("Invoice", (100, 100, 260, 140)), ("number", (280, 100, 420, 140)),
         ("4711", (440, 100, 530, 140)), ("Total:", (100, 300, 230, 340)),
         ("12,50", (250, 300, 360, 340))]


OPTIONS = RequestOptions(min_score=0.5, engine=EngineOptions(), deadline=0.0)


def context(**facts: Any) -> dict[str, Any]:
    """The facts of a render context besides the options (the format is chosen by name)."""
    return facts


def render(document: Document, name: str, facts: dict[str, Any]) -> tuple[bytes, str]:
    """``document`` written by the registry's writer for ``name``: (body, media type);
    ``facts`` may hold the PDF render ``dpi`` (an option) besides the context's facts."""
    chosen = FORMATS[OutputFormat(name)]
    facts = dict(facts)
    options = replace(OPTIONS, format=OutputFormat(name))
    if "dpi" in facts:
        options = replace(options, pdf=replace(options.pdf, dpi=facts.pop("dpi")))
    return chosen.write(document, RenderContext(options=options, **facts)), chosen.media_type


def _line(words: list[tuple[str, tuple[float, float, float, float]]]) -> Line:
    x0 = min(b[0] for _, b in words)
    y0 = min(b[1] for _, b in words)
    x1 = max(b[2] for _, b in words)
    y1 = max(b[3] for _, b in words)
    return Line(" ".join(t for t, _ in words), 0.97, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)),
                tuple(Word(t, b, 0.97) for t, b in words))


def _page(index: int, width: int, height: int, lines: list[Line], rotation: int = 0,
          source: Source = Source.OCR, image: np.ndarray | None = None) -> Page:
    layout = analyze(lines, width, height, rotation)
    return Page(index, width, height, source, layout, rotation, image=image)


def _document(kind: MediaKind, pages: list[Page]) -> Document:
    return Document(kind, len(pages), pages)


def _turn(box: tuple[float, float, float, float], width: int, height: int
          ) -> tuple[float, float, float, float]:
    """A box of an upright page on that page turned 90 degrees counter-clockwise
    (what a reader must turn 90 clockwise to read)."""
    x0, y0, x1, y1 = box
    return (y0, width - x1, y1, width - x0)


def test_pdf_from_png_places_each_word_on_its_box(tmp_path: Path) -> None:
    pixels = np.full((800, 600, 3), 255, dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG", dpi=(150, 150))
    lines = [_line(WORDS[:3]), _line(WORDS[3:])]
    document = _document(MediaKind.PNG, [_page(0, 600, 800, lines, image=pixels)])
    body, media = render(document, "pdf", context(upload=png.getvalue(),
                                                        kind=MediaKind.PNG))
    assert media == "application/pdf"
    qpdf_check(body, tmp_path)
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (page,) = pdf.pages
        assert [float(v) for v in page.mediabox] == [0, 0, 600 * 72 / 150, 800 * 72 / 150]
    (found,) = pdf_words(body, 150)
    assert [t for t, _ in found] == [t for t, _ in WORDS]
    assert matched_share([b for _, b in WORDS], [b for _, b in found]) == 1.0
    text = pdftotext(body)
    assert "Invoice number 4711" in text and "Total: 12,50" in text


def test_pdf_from_jpeg_embeds_the_jpeg_as_is() -> None:
    pixels = np.full((400, 300, 3), 200, dtype=np.uint8)
    jpeg = io.BytesIO()
    Image.fromarray(pixels).save(jpeg, "JPEG", quality=80)  # no dpi: 300 assumed
    document = _document(MediaKind.JPEG, [_page(0, 300, 400, [_line(WORDS[:1])],
                                                image=pixels)])
    body, _ = render(document, "pdf", context(upload=jpeg.getvalue(),
                                                    kind=MediaKind.JPEG))
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (page,) = pdf.pages
        assert float(page.mediabox[2]) == pytest.approx(300 * 72 / 300)
        (image,) = page.get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == jpeg.getvalue()


def test_turned_page_words_run_along_the_text(tmp_path: Path) -> None:
    """A page read turned by 90 degrees: words placed up the page, found where they are."""
    width, height = 800, 600  # the page as sent: an upright 600 x 800 page turned left
    turned = [(t, _turn(b, 600, 800)) for t, b in WORDS]
    pixels = np.full((height, width, 3), 255, dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG", dpi=(72, 72))
    lines = [_line(turned[:3]), _line(turned[3:])]
    document = _document(MediaKind.PNG, [_page(0, width, height, lines, rotation=90,
                                               image=pixels)])
    body, _ = render(document, "pdf", context(upload=png.getvalue(),
                                                    kind=MediaKind.PNG))
    qpdf_check(body, tmp_path)
    (found,) = pdf_words(body, 72)
    assert {t for t, _ in found} == {t for t, _ in WORDS}
    assert matched_share([b for _, b in turned], [b for _, b in found]) == 1.0


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_text_layer_over_a_pdf_page_respects_rotate_and_boxes(tmp_path: Path,
                                                              rotate: int) -> None:
    """An OCRed PDF page with /Rotate, an offset MediaBox and a CropBox: the words land
    where the page's render showed them; the page's own content is kept."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(400, 300))
    page = pdf.pages[0]
    page.obj.MediaBox = pikepdf.Array([50, 20, 450, 320])
    page.obj.CropBox = pikepdf.Array([60, 30, 440, 310])
    page.obj.Rotate = rotate
    original = b"0.9 g 50 20 400 300 re f"
    page.obj.Contents = pikepdf.Stream(pdf, original)
    source = io.BytesIO()
    pdf.save(source)
    dpi = 144
    width, height = (800, 600) if rotate in (0, 180) else (600, 800)
    # Words in the upright render's pixels (what pdftoppm shows and OCR reads).
    words = [(t, (x0 / 2, y0 / 2, x1 / 2, y1 / 2)) for t, (x0, y0, x1, y1) in WORDS]
    document = _document(MediaKind.PDF, [_page(0, width, height,
                                               [_line(words[:3]), _line(words[3:])])])
    body, _ = render(document, "pdf", context(upload=source.getvalue(),
                                                    kind=MediaKind.PDF, dpi=dpi))
    qpdf_check(body, tmp_path)
    (found,) = pdf_words(body, dpi)
    assert matched_share([b for _, b in words], [b for _, b in found]) == 1.0
    with pikepdf.open(io.BytesIO(body)) as out:
        streams = out.pages[0].obj.Contents
        assert any(s.read_bytes() == original for s in streams)


def test_pdf_writer_failure_is_a_typed_error() -> None:
    document = _document(MediaKind.PDF, [_page(0, 100, 100, [_line(WORDS[:1])])])
    with pytest.raises(RenderFailed):
        render(document, "pdf", context(upload=b"%PDF-1.4 not really", kind=MediaKind.PDF))


def test_cjk_text_layer_copies_without_spaces() -> None:
    chars = [(c, (100 + 40 * i, 100, 136 + 40 * i, 140)) for i, c in enumerate("正品促销")]
    pixels = np.full((300, 400, 3), 255, dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG")
    line = _line(chars)
    line = Line("正品促销", line.score, line.polygon, line.words)
    body, _ = render(_document(MediaKind.PNG, [_page(0, 400, 300, [line], image=pixels)]),
                     "pdf", context(upload=png.getvalue(), kind=MediaKind.PNG))
    assert "正品促销" in pdftotext(body)


def test_hocr_and_alto_are_valid_and_carry_every_word() -> None:
    lines = [_line(WORDS[:3]), _line(WORDS[3:])]
    lines.append(Line("a & b <c>", None, ((10, 500), (200, 500), (200, 530), (10, 530))))
    document = _document(MediaKind.PNG, [_page(0, 600, 800, lines)])
    facts = context(model="embedded", filename='scan "1".png')
    hocr, _ = render(document, "hocr", facts)
    root = check_hocr(hocr)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    words = root.xpath("//h:span[@class='ocrx_word']/text()", namespaces=ns)
    assert words == [t for t, _ in WORDS] + ["a", "&", "b", "<c>"]
    alto, media = render(document, "alto", facts)
    assert media == "application/xml"
    alto_schema().validate(io.BytesIO(alto))
    assert alto.count(b"<String ") == len(words)
    assert alto.count(b"<SP ") == len(words) - 3


def test_markdown_paragraphs_headings_and_escaping() -> None:
    assert escape("# not a heading") == "\\# not a heading"
    assert escape("1. item *x*") == "1\\. item \\*x\\*"
    lines = tuple(Line(text, 0.9, ((0, y), (100, y), (100, y + 20), (0, y + 20)))
                  for y, text in enumerate(["Big Title", "first para-", "graph", "# second"]))
    layout = PageLayout(lines, (
        Block(0, (0, 0, 100, 20), (Paragraph(0, (0, 0, 100, 20), (0,), heading=True),)),
        Block(1, (0, 0, 100, 20), (Paragraph(0, (0, 0, 100, 20), (1, 2)),
                                   Paragraph(1, (0, 0, 100, 20), (3,)))),
    ))
    page = Page(0, 100, 100, Source.OCR, layout)
    document = _document(MediaKind.PNG, [page, replace(page, index=1)])
    markdown = render(document, "markdown", context())[0].decode()
    page_one = "## Big Title\n\nfirst paragraph\n\n\\# second\n"
    assert markdown == f"<!-- page 1 -->\n\n{page_one}\n<!-- page 2 -->\n\n{page_one}"


def test_line_without_words_is_split_in_proportion() -> None:
    line = Line("ab cdef", None, ((0, 0), (70, 0), (70, 10), (0, 10)))
    words = line_words(line)
    assert [w.text for w in words] == ["ab", "cdef"]
    assert words[0].bbox == (0, 0, 20, 10)
    assert words[1].bbox == (30, 0, 70, 10)


def test_engine_tokens_become_words() -> None:
    boxes = [[[x, 0], [x + 9, 0], [x + 9, 10], [x, 10]] for x in range(0, 100, 10)]
    words = from_tokens(["format", ".", " ", "ok", " ", "正", "品"], boxes[:7], 0.9)
    assert [w.text for w in words] == ["format.", "ok", "正", "品"]
    assert words[0].bbox == (0, 0, 19, 10)
    assert [w.text for w in from_tokens(["fox", ". ", "The"], boxes[:3], 0.9)] == [
        "fox.", "The"]
    assert from_tokens(["a", "b"], boxes[:1], 0.9) == ()


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text"), ("*/*", "text"), ("application/json", "json"),
    ("application/pdf", "pdf"), ("text/markdown", "markdown"),
    ("application/xhtml+xml", "hocr"), ("application/xml", "alto"),
    ("text/html;q=0.9, application/pdf;q=0.5, */*;q=0.1", "pdf"),
    ("text/*;q=0.5, text/markdown", "markdown"),
])
def test_accept_header_chooses(accept: str | None, expected: str) -> None:
    assert choose_format(None, accept) == expected
    assert choose_format("alto", accept) == "alto"


@pytest.mark.parametrize("accept", ["image/png", "application/pdf;q=0, text/html"])
def test_unacceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable):
        choose_format(None, accept)


def test_registry_covers_every_format() -> None:
    assert set(FORMATS) == set(OutputFormat)
    assert set(OCR_FORMATS) == {"text", "json", "hocr", "alto", "pdf", "markdown", "chunks"}


@pytest.mark.parametrize("mode", [(), ("-raw",)])
def test_text_layer_reads_back_word_for_word(mode: tuple[str, ...]) -> None:
    """Boxes as the recognizer gives them at their worst: touching after a comma and before
    a number, a word narrow for its height (a doubled letter), a one-letter word: pdftotext
    reads every word, spaced, in order (before: "modulation,velocity,", "At uri")."""
    rows = [
        [("modulation,", (100, 100, 300, 140)), ("velocity,", (300, 100, 450, 140)),
         ("12", (450, 100, 490, 140))],
        [("Atturi", (100, 200, 130, 260)), ("z", (140, 200, 149, 260)),
         ("=", (157, 200, 201, 260)), ("0%", (210, 200, 236, 260))],
    ]
    pixels = np.full((400, 600, 3), 255, dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG", dpi=(150, 150))
    document = _document(MediaKind.PNG, [_page(0, 600, 400, [_line(r) for r in rows],
                                               image=pixels)])
    body, _ = render(document, "pdf", context(upload=png.getvalue(), kind=MediaKind.PNG))
    assert pdftotext(body, *mode).split() == [t for row in rows for t, _ in row]


def test_bilevel_page_is_stored_as_ccitt_g4_and_decodes_exactly() -> None:
    rng = np.random.default_rng(3)
    grey = np.where(rng.random((300, 500)) < 0.2, 0, 255).astype(np.uint8)
    grey[100:140, 50:450] = 0  # runs, as text has them
    pixels = np.repeat(grey[:, :, None], 3, axis=2)
    tiff = io.BytesIO()
    Image.fromarray(grey).convert("1").save(tiff, "TIFF")  # uncompressed: decoded, re-coded
    document = _document(MediaKind.TIFF, [_page(0, 500, 300, [_line(WORDS[:1])], image=pixels)])
    body, _ = render(document, "pdf", context(upload=tiff.getvalue(), kind=MediaKind.TIFF))
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.CCITTFaxDecode and image.BitsPerComponent == 1
        decoded = np.asarray(pikepdf.PdfImage(image).as_pil_image().convert("L"))
    assert np.array_equal(decoded, grey)


@pytest.mark.parametrize(("mode", "bits"), [("P", 4), ("P", 8), ("RGB", 8), ("L", 8),
                                            ("1", 1)])
def test_png_goes_in_as_stored(mode: str, bits: int, tmp_path: Path) -> None:
    """A PNG without transparency is embedded from its own IDAT bytes: palette, depth and
    pixels kept, the PDF barely larger than the PNG."""
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    rgb[40:80] = 255
    picture = Image.fromarray(rgb)
    if mode == "P":
        picture = picture.quantize(colors=2 ** bits)
    elif mode != "RGB":
        picture = picture.convert(mode)
    png = io.BytesIO()
    picture.save(png, "PNG", bits=bits)
    pixels = np.asarray(picture.convert("RGB"))
    document = _document(MediaKind.PNG, [_page(0, 160, 120, [_line(WORDS[:1])], image=pixels)])
    body, _ = render(document, "pdf", context(upload=png.getvalue(), kind=MediaKind.PNG))
    qpdf_check(body, tmp_path)
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.FlateDecode and image.BitsPerComponent == bits
        decoded = np.asarray(pikepdf.PdfImage(image).as_pil_image().convert("RGB"))
    assert np.array_equal(decoded, pixels)
    assert len(body) <= len(png.getvalue()) + 4_000  # the font, the text, the page


def test_cmyk_jpeg_is_embedded_as_is(tmp_path: Path) -> None:
    rgb = np.zeros((100, 150, 3), np.uint8)
    rgb[:, :50], rgb[:, 50:100], rgb[:, 100:] = (200, 30, 30), (30, 200, 60), (250, 250, 250)
    jpeg = io.BytesIO()
    Image.fromarray(rgb).convert("CMYK").save(jpeg, "JPEG", quality=95)
    seen = np.asarray(Image.open(io.BytesIO(jpeg.getvalue())).convert("RGB"))
    document = _document(MediaKind.JPEG, [_page(0, 150, 100, [_line(WORDS[:1])], image=seen)])
    body, _ = render(document, "pdf", context(upload=jpeg.getvalue(), kind=MediaKind.JPEG))
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.ColorSpace == pikepdf.Name.DeviceCMYK
        assert image.read_raw_bytes() == jpeg.getvalue()
    path = tmp_path / "cmyk.pdf"
    path.write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "300", "-singlefile", str(path), str(tmp_path / "r")],
                   check=True)
    shown = np.asarray(Image.open(tmp_path / "r.ppm"), dtype=int)[:100, :150]
    # Inks the right way round (uninverted, the mean difference was 134 levels): what is
    # left is the two programs' CMYK to RGB conversions.
    assert np.abs(shown - seen.astype(int)).mean() < 30


def _with_optimize(level: int) -> RequestOptions:
    return replace(OPTIONS, format=OutputFormat.PDF, pdf=replace(OPTIONS.pdf, optimize=level))


def _image_of(document: Document, upload: bytes, kind: MediaKind, level: int
              ) -> tuple[tuple[Any, Any], int]:
    body = FORMATS[OutputFormat.PDF].write(
        document, RenderContext(options=_with_optimize(level), upload=upload, kind=kind))
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        return (image.Filter, image.BitsPerComponent), len(body)


def test_optimize_levels() -> None:
    """0: Flate from pixels; 1: G4 and the PNG as stored; 2: JPEG where smaller, a JPEG
    upload never encoded again."""
    rng = np.random.default_rng(9)
    photo = np.clip(rng.normal(128, 40, (200, 300, 3)), 0, 255).astype(np.uint8)
    tiff = io.BytesIO()
    Image.fromarray(photo).save(tiff, "TIFF")
    page = _document(MediaKind.TIFF, [_page(0, 300, 200, [_line(WORDS[:1])], image=photo)])
    (flate, _), lossless = _image_of(page, tiff.getvalue(), MediaKind.TIFF, 1)
    (lossy, _), smaller = _image_of(page, tiff.getvalue(), MediaKind.TIFF, 2)
    assert (flate, lossy) == (pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode)
    assert smaller < lossless / 2

    bilevel = np.repeat(np.where(rng.random((200, 300)) < 0.1, 0, 255).astype(np.uint8)[
        :, :, None], 3, axis=2)
    png = io.BytesIO()
    Image.fromarray(bilevel[:, :, 0]).convert("1").save(png, "PNG")
    page = _document(MediaKind.PNG, [_page(0, 300, 200, [_line(WORDS[:1])], image=bilevel)])
    assert _image_of(page, png.getvalue(), MediaKind.PNG, 0)[0] == (
        pikepdf.Name.FlateDecode, 1)  # from the pixels: neither the PNG's bytes nor G4
    tiff = io.BytesIO()
    Image.fromarray(bilevel[:, :, 0]).convert("1").save(tiff, "TIFF")
    page = _document(MediaKind.TIFF, [_page(0, 300, 200, [_line(WORDS[:1])], image=bilevel)])
    assert _image_of(page, tiff.getvalue(), MediaKind.TIFF, 0)[0][0] == pikepdf.Name.FlateDecode
    assert _image_of(page, tiff.getvalue(), MediaKind.TIFF, 2)[0][0] == (
        pikepdf.Name.CCITTFaxDecode)

    jpeg = io.BytesIO()
    Image.fromarray(photo).save(jpeg, "JPEG", quality=95)
    page = _document(MediaKind.JPEG, [_page(0, 300, 200, [_line(WORDS[:1])], image=photo)])
    body = FORMATS[OutputFormat.PDF].write(page, RenderContext(
        options=_with_optimize(2), upload=jpeg.getvalue(), kind=MediaKind.JPEG))
    with pikepdf.open(io.BytesIO(body)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.read_raw_bytes() == jpeg.getvalue()
