"""The bare engine in this process: the ceiling the HTTP service is measured against (P1b).

``EngineLoop`` loads the engine exactly as the service does (``Settings`` from the
environment, ``load_engine``) and reads files one at a time: decode + predict,
nothing else. ``policy`` overrides the detector's size policy for one loop, a
prototype of a setting the app does not have yet (PaddleOCR's own default is
``limit_type='min'``, side 64, capped at 4000; the app always uses ``'max'``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import load
from bench.procfs import CpuWatch, cpu_seconds, settle

DET_POLICIES: dict[str, dict[str, Any]] = {
    "max960": {"text_det_limit_type": "max", "text_det_limit_side_len": 960},
    "max736": {"text_det_limit_type": "max", "text_det_limit_side_len": 736},
    # PaddleOCR's default: shortest side at least 64, longest capped at 4000 (the
    # cap is the pipeline config's max_side_limit, which the app leaves at 4000).
    "paddleocr-default": {"text_det_limit_type": "min", "text_det_limit_side_len": 64},
}


class EngineLoop:
    """One engine loaded in-process."""

    def __init__(self, cache_dir: Path, **overrides: Any) -> None:
        from app.config import Settings
        from app.engine.paddleocr_engine import load_engine
        from app.engine.types import EngineOptions

        self.settings = Settings(cache_dir=cache_dir, **overrides)
        self.engine = load_engine(self.settings)
        self.options = EngineOptions(self.settings.det_limit_side_len, self.settings.auto_rotate)
        self._predict = self.engine._pipeline.predict

    def _rec_sampler(self) -> Any:
        pipeline = self.engine._pipeline.paddlex_pipeline
        inner = getattr(pipeline, "_pipeline", pipeline)
        return inner.text_rec_model.batch_sampler

    def run(self, jobs: Sequence[tuple[str, bytes]], policy: str | None = None,
            watch: list[int] | None = None, rec_batch: int | None = None) -> dict[str, Any]:
        """Read every job once; images/s, seconds per file and the texts.

        ``rec_batch``: text lines per recognizer call for this run (PaddleOCR's
        ``text_recognition_batch_size``; the pipeline config's default is 6).
        """
        from app.documents.images import decode_pages
        from app.documents.sniff import sniff

        overrides = DET_POLICIES[policy] if policy else {}

        def predict(images: Any, **kwargs: Any) -> Any:
            return self._predict(images, **{**kwargs, **overrides})

        self.engine._pipeline.predict = predict
        sampler = self._rec_sampler()
        default_rec_batch = sampler.batch_size
        if rec_batch:
            sampler.batch_size = rec_batch
        texts: dict[str, str] = {}
        per_file: dict[str, float] = {}
        quiet = settle(watch or [os.getpid()]) if load.SETTLE else {}
        cpu0 = cpu_seconds([os.getpid()])
        try:
            with CpuWatch(watch or [os.getpid()]) as cpu:
                started = time.perf_counter()
                for name, data in jobs:
                    tick = time.perf_counter()
                    lines = []
                    pages = decode_pages(data, sniff(data), max_pixels=10**9, max_pages=100)
                    for page in pages:
                        assert page.image is not None
                        (result,) = self.engine.predict([page.image], self.options)
                        lines += [ln.text for ln in result.lines if ln.score >= 0.5]
                    texts[name] = "\n".join(lines)
                    per_file[name] = round(time.perf_counter() - tick, 3)
                elapsed = time.perf_counter() - started
        finally:
            self.engine._pipeline.predict = self._predict
            sampler.batch_size = default_rec_batch
        return {
            "policy": policy or "settings",
            "rec_batch": rec_batch or default_rec_batch,
            "images": len(jobs),
            "seconds": round(elapsed, 2),
            "images_per_s": round(len(jobs) / elapsed, 3),
            "per_file_s": per_file,
            "texts": texts,
            "cpu": {**cpu.result, **quiet},
            "cpu_s_per_image": round((cpu_seconds([os.getpid()]) - cpu0) / len(jobs), 3),
        }

    def warm(self, jobs: Sequence[tuple[str, bytes]]) -> None:
        """One read of the first job."""
        self.run(jobs[:1])

    def close(self) -> None:
        """Release the engine."""
        self.engine.close()
