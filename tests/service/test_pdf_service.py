"""PDFs through the live service: text layer, OCR only where needed, limits."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from tests.api.test_errors import assert_error
from tests.conftest import corpus_bytes, corpus_entries, manifest
from tests.support.cer import cer, normalize

TEXT_PDFS = [e for e in corpus_entries("pdf-text") if e["expect_substrings"] and not e.get("password")]


def engine_pages(client: httpx.Client) -> int:
    pages: int = client.get("/system/info").json()["scheduler"]["pages"]
    return pages


def post(client: httpx.Client, data: bytes, **fields: str) -> httpx.Response:
    return client.post("/ocr/json", files={"file": ("doc.pdf", data)}, data=fields)


def all_text(body: dict[str, Any]) -> str:
    return "\n".join(ln["text"] for p in body["pages"] for ln in p["lines"])


@pytest.mark.parametrize("entry", TEXT_PDFS, ids=lambda e: e["file"])
def test_text_pdfs_use_the_text_layer_without_the_engine(
    client: httpx.Client, entry: dict[str, Any]
) -> None:
    before = engine_pages(client)
    response = post(client, corpus_bytes(entry["file"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert {p["source"] for p in body["pages"]} == {"text-layer"}
    text = normalize(all_text(body))
    for wanted in entry["expect_substrings"]:
        assert normalize(wanted) in text
    assert engine_pages(client) == before  # the engine was not called
    for page in body["pages"]:
        for line in page["lines"]:
            assert line["score"] is None
            x0, y0, x1, y1 = line["bbox"]
            assert 0 <= x0 <= x1 <= page["width"] + 1 and 0 <= y0 <= y1 <= page["height"] + 1


def test_scanned_pdf_is_ocred(client: httpx.Client) -> None:
    entry = next(e for e in manifest() if e["file"] == "rapidocrpdf_image.pdf")
    before = engine_pages(client)
    body = post(client, corpus_bytes(entry["file"])).json()
    assert [p["source"] for p in body["pages"]] == ["ocr"]
    for wanted in entry["expect_substrings"]:
        assert wanted in all_text(body)
    assert engine_pages(client) > before


def test_password_pdf(client: httpx.Client) -> None:
    entry = next(e for e in manifest() if e.get("password"))
    data = corpus_bytes(entry["file"])
    assert_error(post(client, data), 422, "pdf_password_required")
    assert_error(post(client, data, password="wrong-one"), 422, "pdf_password_incorrect")
    response = post(client, data, password=entry["password"])
    assert response.status_code == 200
    assert entry["expect_substrings"][0] in all_text(response.json())


def test_broken_xref_is_repaired(client: httpx.Client) -> None:
    response = post(client, corpus_bytes("pypdf_issue-297_broken_xref.pdf"))
    assert response.status_code == 200, response.text
    assert response.json()["page_count"] == 1


def test_not_a_pdf(client: httpx.Client) -> None:
    assert_error(post(client, corpus_bytes("qpdf_bad1_not_a_pdf.pdf")), 422, "corrupt_file")
    damaged = corpus_bytes("pypdf_crazyones.pdf")[:400]
    assert_error(post(client, damaged), 422, "corrupt_file")


def test_page_range_on_large_pdf(client: httpx.Client) -> None:
    data = corpus_bytes("pysf_GeoTopo-komprimiert.pdf")
    body = post(client, data, pages="2-3,5", mode="text").json()
    assert body["page_count"] == 117
    assert body["processed_pages"] == [2, 3, 5]
    assert [p["index"] for p in body["pages"]] == [2, 3, 5]


def test_page_limit_and_invalid_pages(client: httpx.Client) -> None:
    data = corpus_bytes("pysf_GeoTopo-komprimiert.pdf")
    error = assert_error(post(client, data), 413, "page_limit_exceeded")
    assert "117" in error["message"] and "pages" in error["message"]
    assert_error(post(client, data, pages="200"), 422, "invalid_pages")
    assert_error(post(client, data, pages="3-1"), 422, "invalid_pages")
    assert_error(post(client, data, pages="abc"), 422, "invalid_pages")


def image_pdf(name: str) -> PdfReader:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(corpus_bytes(name))).convert("RGB").save(
        buffer, format="PDF", resolution=150
    )
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_mixed_pdf_reads_each_page_its_own_way(client: httpx.Client) -> None:
    writer = PdfWriter()
    parts = [
        (PdfReader(io.BytesIO(corpus_bytes("pypdf_crazyones.pdf"))), "text-layer", "The Crazy Ones"),
        (image_pdf("tess_eurotext.tif"), "ocr", "The (quick) [brown] {fox} jumps!"),
        (PdfReader(io.BytesIO(corpus_bytes("pysf_minimal-document.pdf"))), "text-layer",
         "Lorem ipsum dolor sit amet"),
        (image_pdf("cnocr_multi-line_en_black.png"), "ocr", "transforms the image many times."),
    ]
    for reader, _, _ in parts:
        writer.add_page(reader.pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    response = post(client, buffer.getvalue())
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["source"] for p in body["pages"]] == [p[1] for p in parts]
    for page, (_, _, wanted) in zip(body["pages"], parts, strict=True):
        text = "\n".join(ln["text"] for ln in page["lines"])
        assert normalize(wanted) in normalize(text), (page["index"], text[:200])
    plain = client.post("/ocr", files={"file": ("m.pdf", buffer.getvalue())}).text
    assert plain.count("\f") == 3
    forced = post(client, buffer.getvalue(), mode="ocr", pages="1").json()
    assert forced["pages"][0]["source"] == "ocr"
    assert cer(all_text(forced)[:14], "The Crazy Ones") <= 0.1
