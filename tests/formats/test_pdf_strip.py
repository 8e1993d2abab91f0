"""Dropping invisible text: page content and shared forms, visible text and clipping kept."""

from __future__ import annotations

import io

import pikepdf

from app.formats.pdf_strip import strip_invisible_text
from tests.support.formats_checks import pdftotext

FONT = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                          BaseFont=pikepdf.Name.Helvetica)


def two_pages_with_layers() -> pikepdf.Pdf:
    """Two pages drawing visible text, invisible text in their content, and one shared form
    (OCRmyPDF's way) holding more invisible text after a mode-7 (clipping) run."""
    pdf = pikepdf.new()
    form = pikepdf.Stream(pdf, b"BT /F1 12 Tf 3 Tr 72 500 Td (formhidden) Tj ET "
                               b"BT /F1 12 Tf 7 Tr 72 480 Td (clipword) Tj ET")
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = [0, 0, 612, 792]
    form.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=FONT))
    form = pdf.make_indirect(form)
    for _ in range(2):
        pdf.add_blank_page()
        page = pdf.pages[-1]
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=FONT),
                                                XObject=pikepdf.Dictionary(Fx=form))
        page.obj.Contents = pikepdf.Stream(pdf, (
            b"BT /F1 12 Tf 72 700 Td (visible) Tj ET "
            b"q BT /F1 12 Tf 3 Tr 72 650 Td (hidden) Tj 0 -14 Td [(more) 10 (hidden)] TJ "
            b"(quote) ' ET Q BT /F1 12 Tf 72 600 Td (after) Tj ET /Fx Do"))
    return pdf


def text_of(pdf: pikepdf.Pdf) -> list[str]:
    out = io.BytesIO()
    pdf.save(out)
    return [page.split() for page in pdftotext(out.getvalue(), "-raw").split("\f")][:2]


def test_invisible_text_goes_visible_and_other_pages_stay() -> None:
    pdf = two_pages_with_layers()
    assert text_of(pdf)[0] == ["visible", "hidden", "morehidden", "quote", "after",
                               "formhidden", "clipword"]
    removed = strip_invisible_text(pdf, pdf.pages[0])
    assert removed == 4  # hidden, [more hidden], 'quote and the form's formhidden
    first, second = text_of(pdf)
    # Mode 7 text clips what follows: kept. q/Q restored mode 0 for "after".
    assert first == ["visible", "after", "clipword"]
    assert second == ["visible", "hidden", "morehidden", "quote", "after", "formhidden",
                      "clipword"]


def test_page_without_invisible_text_is_not_rewritten() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=FONT))
    original = b"BT /F1 12 Tf 72 700 Td (visible) Tj ET"
    page.obj.Contents = pikepdf.Stream(pdf, original)
    assert strip_invisible_text(pdf, page) == 0
    assert page.obj.Contents.read_bytes() == original
