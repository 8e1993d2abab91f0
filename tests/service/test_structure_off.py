"""A service without its structure models (OCR_STRUCTURE=false, or no wheels): plain lines,
a warning only for a client who asked, and the reason on /models."""

from __future__ import annotations

import httpx
import pytest

from tests.engine.structure.drawn_tables import draw_page
from tests.service.structure_pages import png, table_pdf
from tests.support.server import start_server


def test_without_models_pages_are_lines_and_asking_says_why(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    data = png(draw_page("bordered", 0).image)
    server = start_server(tmp_path_factory.mktemp("nostructure"), OCR_STRUCTURE="false")
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            default = client.post("/ocr/json", files={"file": ("p.png", data)}).json()
            asked = client.post("/ocr/json", files={"file": ("p.png", data)},
                                data={"tables": "true"}).json()
            pdf = client.post("/ocr/json", files={"file": ("t.pdf", table_pdf()[0])},
                              data={"tables": "true"}).json()
            structure = client.get("/models").json()["structure"]
    finally:
        server.stop()
    page = default["pages"][0]
    assert "tables" not in page and "warnings" not in page
    assert {b["kind"] for b in page["blocks"]} == {None}
    (warning,) = asked["pages"][0]["warnings"]
    assert "not loaded" in warning
    assert pdf["pages"][0]["source"] == "text-layer"
    assert "not loaded" in pdf["pages"][0]["warnings"][0]
    assert structure["loaded"] is False and "OCR_STRUCTURE" in structure["reason"]
