"""ALTO 4.4 XML: the layout of each page (blocks, lines, words) in pixels.

Checked against the published schema (tests/e2e/test_formats.py validates every
answer against alto-4-4.xsd). Each layout paragraph is a ``TextBlock`` (ALTO's
unit of running text); a block's paragraphs follow each other in reading order.
``WC`` is the recognizer's line confidence given to each of its words (the
engine scores lines); text-layer words carry none.
"""

from __future__ import annotations

from lxml import etree

from app import __version__
from app.domain import BBox, Document, Line, Page
from app.formats.base import SERVICE_NAME, RenderContext, line_words

ALTO = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{ALTO} http://www.loc.gov/alto/v4/alto-4-4.xsd"


def _el(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ALTO}}}{tag}", attrs)


def _pos(box: BBox) -> dict[str, str]:
    x0, y0, x1, y1 = box
    return {"HPOS": f"{x0:.0f}", "VPOS": f"{y0:.0f}",
            "WIDTH": f"{max(x1 - x0, 0):.0f}", "HEIGHT": f"{max(y1 - y0, 0):.0f}"}


def _line(parent: etree._Element, line: Line, line_id: str) -> None:
    el = _el(parent, "TextLine", ID=line_id, **_pos(line.bbox))
    words = line_words(line)
    for n, word in enumerate(words):
        if n:
            prev = words[n - 1].bbox
            gap = (prev[2], prev[1], max(word.bbox[0], prev[2]), prev[3])
            _el(el, "SP", **{k: v for k, v in _pos(gap).items() if k != "HEIGHT"})
        attrs = {"ID": f"{line_id}_w{n + 1}", "CONTENT": word.text, **_pos(word.bbox)}
        if word.score is not None:
            attrs["WC"] = f"{min(max(word.score, 0.0), 1.0):.3f}"
        _el(el, "String", **attrs)


def _page(layout: etree._Element, page: Page) -> None:
    no = page.index + 1
    el = _el(layout, "Page", ID=f"p{no}", PHYSICAL_IMG_NR=str(no),
             WIDTH=str(page.width), HEIGHT=str(page.height))
    space = _el(el, "PrintSpace", **_pos((0, 0, page.width, page.height)))
    lines = page.lines
    for block in page.layout.blocks:
        parent = space
        if block.table is not None:  # a table's blocks sit in one ComposedBlock
            parent = _el(space, "ComposedBlock", ID=f"p{no}_t{block.index + 1}",
                         TYPE="table", **_pos(page.tables[block.table].bbox))
        for par in block.paragraphs:
            block_id = f"p{no}_b{block.index + 1}_{par.index + 1}"
            text_block = _el(parent, "TextBlock", ID=block_id, **_pos(par.bbox))
            for i in par.lines:
                if line_words(lines[i]):  # ALTO wants at least one String per line
                    _line(text_block, lines[i], f"p{no}_l{i + 1}")
            if len(text_block) == 0:
                parent.remove(text_block)
        if parent is not space and len(parent) == 0:
            space.remove(parent)


def write(document: Document, context: RenderContext) -> bytes:
    """The registry's entry: the document as ALTO 4.4 (UTF-8 XML)."""
    root = etree.Element(f"{{{ALTO}}}alto", nsmap={None: ALTO, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    description = _el(root, "Description")
    _el(description, "MeasurementUnit").text = "pixel"
    source = _el(description, "sourceImageInformation")
    _el(source, "fileName").text = context.filename or ""
    processing = _el(description, "OCRProcessing", ID="ocr")
    step = _el(processing, "ocrProcessingStep")
    software = _el(step, "processingSoftware")
    _el(software, "softwareName").text = SERVICE_NAME
    _el(software, "softwareVersion").text = __version__
    _el(software, "applicationDescription").text = f"model set: {context.model}"
    layout = _el(root, "Layout")
    for page in document.pages:
        _page(layout, page)
    return etree.tostring(  # type: ignore[no-any-return]
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
