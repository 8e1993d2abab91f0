"""The optimize field reaches the searchable PDF: lossless G4 by default, Flate at 0."""

from __future__ import annotations

import io

import httpx
import pikepdf

from tests.conftest import corpus_bytes
from tests.support.cer import normalize
from tests.support.formats_checks import pdftotext

SCAN = "tess_unlv_8071_093.3B.tif"  # a 1-bit G4 TIFF, 112 kB


def searchable(client: httpx.Client, **fields: str) -> bytes:
    response = client.post("/ocr", files={"file": (SCAN, corpus_bytes(SCAN))},
                           data={"format": "pdf", "det_limit_side_len": "960", **fields})
    assert response.status_code == 200, response.text
    return response.content


def image_filter(pdf: bytes) -> object:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        (image,) = doc.pages[0].get_images().values()
        return image.Filter


def test_optimize_levels_through_the_api(client: httpx.Client) -> None:
    default, plain = searchable(client), searchable(client, optimize="0")
    assert image_filter(default) == pikepdf.Name.CCITTFaxDecode
    assert image_filter(plain) == pikepdf.Name.FlateDecode
    assert len(default) < len(plain)
    assert normalize(pdftotext(default, "-raw")) == normalize(pdftotext(plain, "-raw"))
