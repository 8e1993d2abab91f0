"""Reading order, blocks and paragraphs through the live service (real engine, real files)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import corpus_bytes, corpus_entries
from tests.hostile.generate import pdf
from tests.support.cer import cer, unordered_cer

MAGAZINE = "tess_unlv_8071_093.3B.tif"
LEFT = [f"Left column line {k} tells the first half of the story" for k in range(12)]
RIGHT = [f"Right column line {k} carries the second half onwards" for k in range(12)]


def _truth(name: str) -> str:
    (entry,) = [e for e in corpus_entries("image") if e["file"] == name]
    truth: str = entry["truth"]
    return truth


def _post(client: httpx.Client, path: str, name: str, data: bytes, **form: str) -> httpx.Response:
    response = client.post(path, files={"file": (name, data)}, data=form)
    assert response.status_code == 200, response.text
    return response


def _two_column_pdf() -> bytes:
    """A one-page text PDF in two columns of Helvetica, each line drawn at its own position."""
    ops = [b"BT /F1 9 Tf"]
    for column, x in ((LEFT, 50), (RIGHT, 320)):
        for k, text in enumerate(column):
            ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (x, 700 - 14 * k, text.encode()))
    ops.append(b"ET")
    content = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources"
        b" << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
    ]
    return pdf(objects, header=b"%PDF-1.4\n")


@pytest.fixture(scope="module")
def magazine(client: httpx.Client) -> dict[str, Any]:
    body: dict[str, Any] = _post(client, "/ocr/json", MAGAZINE, corpus_bytes(MAGAZINE)).json()
    return body


def test_magazine_page_is_read_column_by_column(client: httpx.Client) -> None:
    text = _post(client, "/ocr", MAGAZINE, corpus_bytes(MAGAZINE)).text
    truth = _truth(MAGAZINE)
    # The goal; rows read straight across the columns scored 0.776.
    assert cer(text, truth) <= 0.08
    assert unordered_cer(text, truth) <= 0.10


def test_blocks_and_paragraphs_index_every_line_once(magazine: dict[str, Any]) -> None:
    (page,) = magazine["pages"]
    lines, blocks = page["lines"], page["blocks"]
    assert len(blocks) >= 4  # at least the four columns
    listed = [i for b in blocks for p in b["paragraphs"] for i in p["lines"]]
    assert listed == list(range(len(lines)))
    for b in blocks:
        for p in b["paragraphs"]:
            for i in p["lines"]:
                assert (lines[i]["block"], lines[i]["paragraph"]) == (b["index"], p["index"])
    paragraphs = sum(len(b["paragraphs"]) for b in blocks)
    assert paragraphs >= 15  # the article's indented paragraphs, not one per block
    assert any(p["heading"] for b in blocks for p in b["paragraphs"])  # the title


def test_plain_text_separates_paragraphs_and_can_rejoin_them(client: httpx.Client) -> None:
    data = corpus_bytes(MAGAZINE)
    lines_text = _post(client, "/ocr", MAGAZINE, data).text
    assert "\n\n" in lines_text
    assert "ex-\nplain" in lines_text
    joined = _post(client, "/ocr", MAGAZINE, data, text_layout="paragraphs").text
    assert "ex- plain" not in joined and "ex-\nplain" not in joined
    assert "How could she explain she was desperately in love" in joined
    assert "\n\n" not in joined
    assert len(joined.splitlines()) < len(lines_text.splitlines()) / 3


def test_invalid_text_layout_is_refused(client: httpx.Client) -> None:
    response = client.post("/ocr", files={"file": ("a.tif", corpus_bytes(MAGAZINE))},
                           data={"text_layout": "columns"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_option", "validation_error"}


@pytest.mark.parametrize("mode", ["text", "ocr"])
def test_two_column_pdf_comes_out_column_by_column(client: httpx.Client, mode: str) -> None:
    text = _post(client, "/ocr", "two.pdf", _two_column_pdf(), mode=mode).text
    expected = "\n".join(LEFT + RIGHT)
    assert cer(text, expected) <= (0.0 if mode == "text" else 0.03)
    assert text.index("line 11 tells") < text.index("Right column line 0")


def test_json_lines_keep_their_old_fields(magazine: dict[str, Any]) -> None:
    line = magazine["pages"][0]["lines"][0]
    assert {"text", "score", "polygon", "bbox", "block", "paragraph"} <= set(line)
    timings = magazine["timings_ms"]
    # Laying out a magazine page's lines takes measurable time, within the request's total.
    assert 0 < timings["layout"] < timings["total"]
