"""With the real engine, a page read by two engines gives byte for byte the text of one engine.

Two one-thread engines of the embedded set behind one scheduler; each corpus
page is read with lending off, then on (and the lending must really happen).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from app.config import Settings
from app.documents.pixels import to_rgb
from app.domain import EngineOptions
from app.engine.paddleocr_engine import PaddleOCREngine, load_engine
from app.engine.scheduler import InferenceScheduler
from tests.conftest import corpus_bytes, needs_corpus

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def engines() -> Iterator[list[PaddleOCREngine]]:
    settings = Settings(workers_per_device=2, cpu_threads=1, warmup=False)
    loaded = [load_engine(settings) for _ in range(2)]
    yield loaded
    for engine in loaded:
        engine.close()


def pixels(name: str) -> np.ndarray:
    with Image.open(io.BytesIO(corpus_bytes(name))) as img:
        return to_rgb(img)


@pytest.mark.parametrize("name", ["tess_unlv_8071_093.3B.tif", "sroie_receipt_050.jpg"])
@pytest.mark.parametrize("word_boxes", [False, True])
async def test_shared_page_reads_byte_identical(
    engines: list[PaddleOCREngine], name: str, word_boxes: bool
) -> None:
    image = pixels(name)
    options = EngineOptions(word_boxes=word_boxes)
    sched = InferenceScheduler(engines, max_queue=4, max_batch=1, max_wait_ms=0)
    sched.start()
    try:
        outcomes = {}
        for share in (False, True):
            sched.share_idle = share
            before = sum(e._rec.shared_batches for e in engines if e._rec is not None)
            (result,) = await sched.run([image], options, time.monotonic() + 600)
            after = sum(e._rec.shared_batches for e in engines if e._rec is not None)
            assert (after > before) is share
            outcomes[share] = result
        alone, shared = outcomes[False], outcomes[True]
        assert shared.rotation == alone.rotation
        assert [ln.text for ln in shared.lines] == [ln.text for ln in alone.lines]
        assert shared.lines == alone.lines  # scores, polygons and words too
        assert len(alone.lines) > 5
    finally:
        sched.close()
