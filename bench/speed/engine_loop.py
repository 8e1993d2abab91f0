"""The bare engines in this process: the ceiling the HTTP service is measured against (P1b).

``EngineLoop`` loads the engines exactly as the service does (``Settings`` from the
environment, ``engine_workers`` x ``load_engine``) and reads files, one per engine
at a time: decode + predict, nothing else. ``policy`` overrides the detector's
size policy for one loop, a prototype of a setting the app does not have yet
(PaddleOCR's own default is ``limit_type='min'``, side 64, capped at 4000; the app
always uses ``'max'``).
"""

from __future__ import annotations

import collections
import functools
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.speed import load
from bench.speed.procfs import CpuWatch, cpu_seconds, settle

DET_POLICIES: dict[str, dict[str, Any]] = {
    "max960": {"text_det_limit_type": "max", "text_det_limit_side_len": 960},
    "max736": {"text_det_limit_type": "max", "text_det_limit_side_len": 736},
    # PaddleOCR's default: shortest side at least 64, longest capped at 4000 (the
    # cap is the pipeline config's max_side_limit, which the app leaves at 4000).
    "paddleocr-default": {"text_det_limit_type": "min", "text_det_limit_side_len": 64},
}


class EngineLoop:
    """The engines the service would load (``engine_workers``), in this process.

    Each engine is driven by its own thread, as the scheduler drives it; files are
    handed out one at a time to whichever engine is free.
    """

    def __init__(self, cache_dir: Path, **overrides: Any) -> None:
        from app.config import Settings
        from app.domain import EngineOptions
        from app.engine.paddleocr_engine import load_engine

        self.settings = Settings(cache_dir=cache_dir, **overrides)
        self.engines = [load_engine(self.settings) for _ in range(self.settings.engine_workers)]
        self.options = EngineOptions(self.settings.det_limit_side_len, self.settings.auto_rotate)
        self._predicts = [engine._pipeline.predict for engine in self.engines]

    def _rec_samplers(self) -> list[Any]:
        samplers = []
        for engine in self.engines:
            pipeline = engine._pipeline.paddlex_pipeline
            inner = getattr(pipeline, "_pipeline", pipeline)
            samplers.append(inner.text_rec_model.batch_sampler)
        return samplers

    def _configure(self, policy: str | None, rec_batch: int | None) -> list[int]:
        overrides = DET_POLICIES[policy] if policy else {}
        for engine, original in zip(self.engines, self._predicts, strict=True):
            engine._pipeline.predict = functools.partial(_predict_with, original, overrides)
        samplers = self._rec_samplers()
        defaults = [sampler.batch_size for sampler in samplers]
        for sampler in samplers:
            sampler.batch_size = rec_batch or sampler.batch_size
        return defaults

    def _restore(self, rec_batches: list[int]) -> None:
        for engine, original in zip(self.engines, self._predicts, strict=True):
            engine._pipeline.predict = original
        for sampler, size in zip(self._rec_samplers(), rec_batches, strict=True):
            sampler.batch_size = size

    def _read_all(self, jobs: Sequence[tuple[str, bytes]]) -> tuple[dict[str, str],
                                                                     dict[str, float]]:
        from app.documents.images import decode_pages
        from app.documents.sniff import sniff

        texts: dict[str, str] = {}
        per_file: dict[str, float] = {}
        pending = collections.deque(jobs)
        lock = threading.Lock()

        def drive(engine: Any) -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    name, data = pending.popleft()
                tick = time.perf_counter()
                lines = []
                for page in decode_pages(data, sniff(data), max_pixels=10**9, max_pages=100):
                    assert page.image is not None
                    (result,) = engine.predict([page.image], self.options)
                    lines += [ln.text for ln in result.lines if ln.score >= 0.5]
                texts[name] = "\n".join(lines)
                per_file[name] = round(time.perf_counter() - tick, 3)

        threads = [threading.Thread(target=drive, args=(e,)) for e in self.engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return texts, per_file

    def run(self, jobs: Sequence[tuple[str, bytes]], policy: str | None = None,
            watch: list[int] | None = None, rec_batch: int | None = None) -> dict[str, Any]:
        """Read every job once; images/s, seconds per file and the texts.

        ``rec_batch``: text lines per recognizer call for this run (PaddleOCR's
        ``text_recognition_batch_size``; the app's CPU default is 1).
        """
        rec_batches = self._configure(policy, rec_batch)
        quiet = settle(watch or [os.getpid()]) if load.SETTLE else {}
        cpu0 = cpu_seconds([os.getpid()])
        try:
            with CpuWatch(watch or [os.getpid()]) as cpu:
                started = time.perf_counter()
                texts, per_file = self._read_all(jobs)
                elapsed = time.perf_counter() - started
        finally:
            self._restore(rec_batches)
        return {
            "policy": policy or "settings",
            "rec_batch": rec_batch or rec_batches[0],
            "engines": len(self.engines),
            "threads_per_engine": self.settings.threads_per_engine,
            "images": len(jobs),
            "seconds": round(elapsed, 2),
            "images_per_s": round(len(jobs) / elapsed, 3),
            "per_file_s": per_file,
            "texts": texts,
            "cpu": {**cpu.result, **quiet},
            "cpu_s_per_image": round((cpu_seconds([os.getpid()]) - cpu0) / len(jobs), 3),
        }

    def warm(self, jobs: Sequence[tuple[str, bytes]]) -> None:
        """One read of the first job on every engine."""
        self.run(jobs[:1] * len(self.engines))

    def close(self) -> None:
        """Release the engines."""
        for engine in self.engines:
            engine.close()


def _predict_with(original: Any, overrides: dict[str, Any], images: Any, **kwargs: Any) -> Any:
    return original(images, **{**kwargs, **overrides})
