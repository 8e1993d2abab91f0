"""Regions and tables in every format, on a hand-made page (no model: known cells)."""

from __future__ import annotations

import json
from dataclasses import replace

from lxml import etree

from app.domain import (
    Document,
    EngineOptions,
    MediaKind,
    OutputFormat,
    Page,
    RequestOptions,
    Source,
    Table,
    TableCell,
)
from app.formats.base import RenderContext
from app.formats.registry import FORMATS
from app.layout import analyze, analyze_regions
from tests.layout.test_regions import LINES, REGIONS, TABLE
from tests.support.formats_checks import alto_schema, check_hocr

OPTIONS = RequestOptions(min_score=0.5, engine=EngineOptions(), deadline=0.0)
SPANNED = Table(TABLE.bbox, 2, 2, (
    TableCell(0, 0, 1, 2, (100, 950, 520, 980), "Cell A1 Cell B1"),
    TableCell(1, 0, 1, 1, (100, 1000, 220, 1030), "Cell A2"),
    TableCell(1, 1, 1, 1, (400, 1000, 520, 1030), "Cell B2")),
    '<table><tbody><tr><td colspan="2">Cell A1 Cell B1</td></tr>'
    "<tr><td>Cell A2</td><td>Cell B2</td></tr></tbody></table>")


def page(table: Table = TABLE, warnings: tuple[str, ...] = ()) -> Page:
    layout = analyze_regions(LINES, 1000, 1800, REGIONS, [table])
    return Page(0, 1000, 1800, Source.OCR, layout, regions=tuple(REGIONS), tables=(table,),
                warnings=warnings)


def render(fmt: OutputFormat, *pages: Page, **options: object) -> bytes:
    chosen = replace(OPTIONS, format=fmt, **options)  # type: ignore[arg-type]
    document = Document(MediaKind.PNG, len(pages), list(pages))
    return FORMATS[fmt].write(document, RenderContext(options=chosen, model="test"))


def test_text_gives_one_line_per_row_with_tabs() -> None:
    text = render(OutputFormat.TEXT, page()).decode()
    assert "Cell A1\tCell B1\nCell A2\tCell B2" in text
    assert "Cell A1\n" not in text  # the table's lines are not also listed one by one
    paragraphs = render(OutputFormat.TEXT, page(), text_layout="paragraphs").decode()
    assert "Cell A1\tCell B1\nCell A2\tCell B2" in paragraphs


def test_markdown_pipe_table_without_spans_and_no_running_heads() -> None:
    md = render(OutputFormat.MARKDOWN, page()).decode()
    assert "| Cell A1 | Cell B1 |\n|---|---|\n| Cell A2 | Cell B2 |" in md
    assert "## Quarterly report" in md
    assert "ACME Corp internal" not in md and "Page 7 of 9" not in md
    kept = render(OutputFormat.MARKDOWN, page(), running_heads=True).decode()
    assert "ACME Corp internal" in kept and "Page 7 of 9" in kept


def test_markdown_html_table_when_cells_span() -> None:
    md = render(OutputFormat.MARKDOWN, page(SPANNED)).decode()
    assert '<td colspan="2">Cell A1 Cell B1</td>' in md
    assert "|---|" not in md


def test_json_kinds_tables_and_links() -> None:
    body = json.loads(render(OutputFormat.JSON, page()))
    result = body["pages"][0]
    kinds = [b["kind"] for b in result["blocks"]]
    assert kinds == ["header", "title", "text", "figure", "caption", "table", "footer"]
    (table,) = result["tables"]
    assert (table["rows"], table["cols"]) == (2, 2)
    assert [c["text"] for c in table["cells"]] == ["Cell A1", "Cell B1", "Cell A2", "Cell B2"]
    assert result["blocks"][table["block"]]["table"] == 0
    caption = result["blocks"][kinds.index("caption")]
    assert result["blocks"][caption["caption_of"]]["kind"] == "figure"
    assert "warnings" not in result


def test_json_without_tables_has_no_tables_and_warnings_show() -> None:
    plain = Page(0, 1000, 1800, Source.OCR, analyze(LINES, 1000, 1800),
                 warnings=("structure: failed",))
    result = json.loads(render(OutputFormat.JSON, plain))["pages"][0]
    assert "tables" not in result
    assert result["warnings"] == ["structure: failed"]
    assert {b["kind"] for b in result["blocks"]} == {None}


def test_hocr_table_is_an_ocr_table_area() -> None:
    root = check_hocr(render(OutputFormat.HOCR, page()))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    (area,) = root.findall(".//x:div[@class='ocr_table']", ns)
    assert area.get("title") == "bbox 90 940 530 1040"
    words = [w.text for w in area.iterfind(".//x:span[@class='ocrx_word']", ns)]
    assert words == ["Cell", "A1", "Cell", "B1", "Cell", "A2", "Cell", "B2"]


def test_alto_table_is_a_composed_block() -> None:
    body = render(OutputFormat.ALTO, page())
    alto_schema().validate(etree.fromstring(body))
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    (block,) = etree.fromstring(body).findall(".//a:ComposedBlock", ns)
    assert block.get("TYPE") == "table"
    strings = [s.get("CONTENT") for s in block.iterfind(".//a:String", ns)]
    assert strings == ["Cell", "A1", "Cell", "B1", "Cell", "A2", "Cell", "B2"]
