"""PDFs OCRed before: their invisible layer is kept, redone or forced, never doubled.

The input is the corpus scan made searchable by this service (an invisible layer in
render mode 3, as any OCR tool writes). ``keep`` (the default) reads that layer and
passes the page through untouched; ``redo`` and ``force`` OCR it again, and the
searchable PDF then holds our layer alone: ``pdftotext`` finds as many words as the
JSON has (a doubled layer would give twice as many).
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest

from tests.conftest import corpus_bytes
from tests.support.formats_checks import pdftotext, qpdf_check

SCAN = "rapidocrpdf_image.pdf"


def post(client: httpx.Client, data: bytes, fmt: str, **fields: str) -> httpx.Response:
    response = client.post("/ocr", files={"file": ("doc.pdf", data)},
                           data={"format": fmt, **fields})
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def ocred(client: httpx.Client) -> bytes:
    """The scan with one invisible OCR layer (ours, written by an earlier request)."""
    return post(client, corpus_bytes(SCAN), "pdf").content


def words(body: dict[str, Any]) -> list[str]:
    return [w for page in body["pages"] for line in page["lines"] for w in line["text"].split()]


def page_streams(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        contents = doc.pages[0].obj.Contents
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        return [s.read_bytes() for s in streams]


def test_keep_reads_the_layer_and_leaves_the_page(client: httpx.Client, ocred: bytes) -> None:
    body = post(client, ocred, "json").json()
    (page,) = body["pages"]
    assert page["source"] == "text-layer"
    assert page["text_layer"] == "invisible text layer kept"
    # The layer's words, order aside: the text-layer reader joins lines across a gutter
    # narrower than 1 em (its rule for born-digital PDFs) and pypdf's word grouping joins
    # 3 of 557 words among a figure's small labels ("TypePlent").
    layer = pdftotext(ocred, "-raw").split()
    assert sum((Counter(words(body)) & Counter(layer)).values()) >= 0.98 * len(layer)
    assert len(words(body)) == pytest.approx(len(layer), rel=0.01)
    kept = post(client, ocred, "pdf").content
    assert page_streams(kept) == page_streams(ocred)


@pytest.mark.parametrize("choice", ["redo", "force"])
def test_redo_and_force_leave_one_text_layer(client: httpx.Client, ocred: bytes, choice: str,
                                             tmp_path: Path) -> None:
    body = post(client, ocred, "json", existing_text=choice).json()
    (page,) = body["pages"]
    assert page["source"] == "ocr"
    expected = len(words(body))
    assert expected > 100
    out = post(client, ocred, "pdf", existing_text=choice).content
    qpdf_check(out, tmp_path)
    for mode in ((), ("-raw",)):
        found = len(pdftotext(out, *mode).split())
        assert abs(found - expected) <= 0.02 * expected, (mode, found, expected)
    assert len(pdftotext(ocred).split()) == pytest.approx(expected, rel=0.02)  # one layer in
