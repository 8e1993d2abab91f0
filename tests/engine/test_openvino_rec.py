"""The recognizer on OpenVINO (the default on the CPU) reads as ONNX Runtime does, within CER 0.005.

One engine per runtime; the corpus images with a truth are read by both.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from app.config import Settings
from app.documents.pixels import to_rgb
from app.domain import EngineOptions
from app.engine.openvino_rec import OpenVINOSession
from app.engine.paddleocr_engine import PaddleOCREngine, load_engine
from tests.conftest import corpus_bytes, manifest, needs_corpus
from tests.support.cer import unordered_cer

pytestmark = needs_corpus
PAGES = ["tess_unlv_8071_093.3B.tif", "sroie_receipt_050.jpg", "tess_eurotext.tif",
         "rapidocr_en_rec.jpg", "cnocr_multi-line_en_black.png"]


@pytest.fixture(scope="module")
def engines() -> Iterator[dict[str, PaddleOCREngine]]:
    loaded = {runtime: load_engine(Settings(workers_per_device=1, cpu_threads=1,
                                            warmup=False, rec_runtime=runtime))
              for runtime in ("openvino", "onnxruntime")}
    yield loaded
    for engine in loaded.values():
        engine.close()


def rec_session(engine: PaddleOCREngine) -> object:
    rec = engine._rec
    assert rec is not None
    return rec.model.runner.session


def test_openvino_is_the_cpu_default_and_reported() -> None:
    assert Settings().rec_runtime == "openvino"


def test_each_runtime_is_the_one_chosen(engines: dict[str, PaddleOCREngine]) -> None:
    assert isinstance(rec_session(engines["openvino"]), OpenVINOSession)
    assert "openvino" in engines["openvino"].info.versions
    assert not isinstance(rec_session(engines["onnxruntime"]), OpenVINOSession)
    assert "openvino" not in engines["onnxruntime"].info.versions


def test_openvino_reads_the_corpus_as_onnx_runtime_does(
    engines: dict[str, PaddleOCREngine],
) -> None:
    truths = {e["file"]: e["truth"] for e in manifest() if e.get("truth")}
    errors: dict[str, list[float]] = {"openvino": [], "onnxruntime": []}
    for name in PAGES:
        with Image.open(io.BytesIO(corpus_bytes(name))) as img:
            pixels = to_rgb(img)
        for runtime, engine in engines.items():
            (page,) = engine.predict([pixels], EngineOptions())
            text = "\n".join(line.text for line in page.lines)
            errors[runtime].append(unordered_cer(text, truths[name]))
    mean = {runtime: sum(v) / len(v) for runtime, v in errors.items()}
    assert abs(mean["openvino"] - mean["onnxruntime"]) <= 0.005, errors
