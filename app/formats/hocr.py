"""hOCR 1.2: XHTML with the page, its blocks, paragraphs, lines and words and their boxes.

Classes and properties follow http://kba.github.io/hocr-spec/1.2/: ``ocr_page``
(bbox, ppageno, image), ``ocr_carea`` per block, ``ocr_par``, ``ocr_line``
(bbox, baseline, x_size) and ``ocrx_word`` (bbox, x_wconf). Written with lxml,
so the output is well-formed whatever the text holds.
"""

from __future__ import annotations

from lxml import etree

from app.domain import BBox, Document, Line, Page
from app.formats.base import RenderContext, line_words

XHTML = "http://www.w3.org/1999/xhtml"
CAPABILITIES = ("ocr_page ocr_carea ocr_table ocr_par ocr_line ocrx_word ocrp_wconf "
                "ocrp_lang")
LANG = "und"
"""BCP 47 'undetermined': the models read several scripts and name no language."""


def _bbox(box: BBox) -> str:
    x0, y0, x1, y1 = (round(v) for v in box)
    return f"bbox {x0} {y0} {max(x1, x0)} {max(y1, y0)}"


def _el(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XHTML}}}{tag}", attrs)


def _line(parent: etree._Element, line: Line, page_no: int, line_no: int) -> None:
    height = max(line.bbox[3] - line.bbox[1], 1.0)
    # Baseline relative to the box's bottom-left: flat, a fifth of the height up
    # (descenders), as recognizers without a baseline model estimate it.
    title = f"{_bbox(line.bbox)}; baseline 0 {-round(height * 0.2)}; x_size {height:.1f}"
    span = _el(parent, "span", **{"class": "ocr_line", "id": f"line_{page_no}_{line_no}",
                                  "title": title})
    for w_no, word in enumerate(line_words(line), start=1):
        wtitle = _bbox(word.bbox)
        if word.score is not None:
            wtitle += f"; x_wconf {round(word.score * 100)}"
        el = _el(span, "span", **{"class": "ocrx_word",
                                  "id": f"word_{page_no}_{line_no}_{w_no}", "title": wtitle})
        el.text = word.text
        el.tail = " "


def _page(body: etree._Element, page: Page, context: RenderContext) -> None:
    no = page.index + 1
    title = f"{_bbox((0, 0, page.width, page.height))}; ppageno {page.index}"
    if context.filename:
        name = context.filename.replace("\\", "\\\\").replace('"', '\\"')
        title = f'image "{name}"; ' + title
    div = _el(body, "div", **{"class": "ocr_page", "id": f"page_{no}", "title": title})
    lines = page.lines
    for block in page.layout.blocks:
        # A table block is an ``ocr_table`` area (hOCR 1.2 float), over the table's box.
        table = page.tables[block.table] if block.table is not None else None
        area = _el(div, "div", **{
            "class": "ocr_table" if table else "ocr_carea",
            "id": f"{'table' if table else 'block'}_{no}_{block.index + 1}",
            "title": _bbox(table.bbox if table else block.bbox)})
        for par in block.paragraphs:
            p = _el(area, "p", **{"class": "ocr_par",
                                  "id": f"par_{no}_{block.index + 1}_{par.index + 1}",
                                  "title": _bbox(par.bbox), "lang": LANG})
            for i in par.lines:
                _line(p, lines[i], no, i + 1)


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the document as hOCR 1.2 (UTF-8 XHTML)."""
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML})
    html.set("lang", LANG)
    html.set("{http://www.w3.org/XML/1998/namespace}lang", LANG)
    head = _el(html, "head")
    _el(head, "title").text = context.filename or "OCR result"
    _el(head, "meta", **{"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    system = f"{context.service} ({context.model})" if context.model else context.service
    _el(head, "meta", name="ocr-system", content=system)
    _el(head, "meta", name="ocr-capabilities", content=CAPABILITIES)
    _el(head, "meta", name="ocr-number-of-pages", content=str(len(document.pages)))
    body = _el(html, "body")
    for page in document.pages:
        _page(body, page, context)
    return etree.tostring(  # type: ignore[no-any-return]
        html, xml_declaration=True, encoding="UTF-8", pretty_print=True,
        doctype='<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    )
