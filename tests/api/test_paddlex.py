"""POST /paddlex/ocr against PaddleX's own serving schemas (paddlex is installed).

A PaddleX client builds its request with ``InferRequest`` and parses the answer
with ``AIStudioResultResponse[InferResult]`` / ``AIStudioNoResultResponse``:
both are used here on the real service's answers.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import httpx
from PIL import Image

from tests.conftest import corpus_bytes
from tests.support.paddlex_schemas import serving_schemas

serving, ocr_schema = serving_schemas("ocr")


def _request(file: str, **fields: Any) -> dict[str, Any]:
    """A request exactly as PaddleX's client model serializes it."""
    request = ocr_schema.InferRequest(file=file, **fields)
    body: dict[str, Any] = request.model_dump(exclude_none=True)
    return body


def _b64(name: str) -> str:
    return base64.b64encode(corpus_bytes(name)).decode("ascii")


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    parsed = serving.AIStudioResultResponse[ocr_schema.InferResult].model_validate(
        response.json())
    assert parsed.errorCode == 0 and parsed.errorMsg == "Success"
    return parsed


def _error(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    parsed = serving.AIStudioNoResultResponse.model_validate(response.json())
    assert parsed.errorCode == status
    assert "result" not in response.json()
    return parsed


def test_image_in_paddlex_shapes(client: httpx.Client) -> None:
    response = client.post("/paddlex/ocr", json=_request(
        _b64("tess_eurotext.tif"), fileType=1, logId="my-log-id"))
    parsed = _ok(response)
    assert parsed.logId == "my-log-id"
    (page,) = parsed.result.ocrResults
    pruned = page.prunedResult
    assert "The (quick) [brown] {fox} jumps!" in pruned["rec_texts"]
    n = len(pruned["rec_texts"])
    assert n == len(pruned["rec_scores"]) == len(pruned["rec_polys"]) == len(pruned["rec_boxes"])
    assert all(0 <= s <= 1 for s in pruned["rec_scores"])
    assert all(len(poly) == 4 and len(poly[0]) == 2 for poly in pruned["rec_polys"])
    for (x1, y1, x2, y2), poly in zip(pruned["rec_boxes"], pruned["rec_polys"], strict=True):
        xs, ys = [p[0] for p in poly], [p[1] for p in poly]
        assert (x1, y1, x2, y2) == (min(xs), min(ys), max(xs), max(ys))
    assert pruned["text_rec_score_thresh"] == 0.0  # PaddleX's default: every line
    width, height = Image.open(io.BytesIO(corpus_bytes("tess_eurotext.tif"))).size
    info = parsed.result.dataInfo
    assert isinstance(info, serving.ImageInfo)
    assert (info.width, info.height) == (width, height)
    assert page.ocrImage is None  # visualize is not offered


def test_pdf_and_file_type_from_the_bytes(client: httpx.Client) -> None:
    parsed = _ok(client.post("/paddlex/ocr", json=_request(
        _b64("rapidocrpdf_image.pdf"), fileType=0)))
    assert isinstance(parsed.result.dataInfo, serving.PDFInfo)
    assert parsed.result.dataInfo.numPages == len(parsed.result.ocrResults) == 1
    assert any("Kurbas" in t for t in parsed.result.ocrResults[0].prunedResult["rec_texts"])
    # No fileType: PaddleX cannot tell a base64 file's type, we read it from the bytes.
    untyped = _ok(client.post("/paddlex/ocr", json=_request(_b64("cnocr_helloworld.jpg"))))
    assert len(untyped.logId) == 36  # a UUID, as PaddleX makes
    assert untyped.result.dataInfo.type == "image"


def test_url_is_refused_never_fetched(client: httpx.Client) -> None:
    for url in ("http://127.0.0.1:9/page.png", "https://example.com/a.pdf",
                "ftp://example.com/x.png"):
        parsed = _error(client.post("/paddlex/ocr", json=_request(url, fileType=1)), 422)
        assert "URL" in parsed.errorMsg and "base64" in parsed.errorMsg


def test_errors_in_paddlex_envelope(client: httpx.Client) -> None:
    image = _b64("cnocr_helloworld.jpg")
    missing = _error(client.post("/paddlex/ocr", json={"fileType": 1}), 422)
    errors = json.loads(missing.errorMsg)  # PaddleX: a JSON list of {type, loc, msg}
    assert errors[0]["loc"] == "file" and errors[0]["type"] == "missing"
    _error(client.post("/paddlex/ocr", content=b"not json",
                       headers={"content-type": "application/json"}), 422)
    bad64 = _error(client.post("/paddlex/ocr", json={"file": "%%%", "fileType": 1}), 422)
    assert "base64" in bad64.errorMsg
    wrong_type = _error(client.post("/paddlex/ocr", json=_request(image, fileType=0)), 422)
    assert "fileType" in wrong_type.errorMsg
    fixed = _error(client.post("/paddlex/ocr", json=_request(image, textDetThresh=0.2)), 422)
    assert "textDetThresh" in fixed.errorMsg
    drawn = _error(client.post("/paddlex/ocr", json=_request(image, visualize=True)), 422)
    assert "visualize" in drawn.errorMsg
    junk = base64.b64encode(b"just some text, not an image").decode()
    unsupported = _error(client.post("/paddlex/ocr", json={"file": junk}), 415)
    assert unsupported.errorMsg
    lang = _error(client.post("/paddlex/ocr", json={"file": image, "lang": "klingon"}), 422)
    assert "klingon" in lang.errorMsg
