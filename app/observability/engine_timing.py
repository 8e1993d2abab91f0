"""Every engine call timed into the inference histogram, warm-up calls included."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from prometheus_client import Histogram

from app.config import Settings
from app.domain import EngineOptions, Pixels
from app.engine.types import EngineInfo, OCREngine, PageOCR
from app.observability.metrics import Metrics


class TimedEngine:
    """An engine that reports the duration of each ``predict`` call to a histogram."""

    def __init__(self, engine: OCREngine, histogram: Histogram) -> None:  # one set's child
        self.wrapped = engine
        self._histogram = histogram

    @property
    def info(self) -> EngineInfo:
        """The wrapped engine's description."""
        return self.wrapped.info

    def predict(self, images: list[Pixels], options: EngineOptions) -> list[PageOCR]:
        """Run the wrapped engine and time it (failed calls too)."""
        started = time.perf_counter()
        try:
            return self.wrapped.predict(images, options)
        finally:
            self._histogram.observe(time.perf_counter() - started)

    def predict_shared(
        self, images: list[Pixels], options: EngineOptions, helpers: Sequence[Any]
    ) -> list[PageOCR]:
        """``predict`` with idle engines lent (the scheduler's lending), timed the same way."""
        shared = getattr(self.wrapped, "predict_shared", None)
        started = time.perf_counter()
        try:
            if shared is None:
                return self.wrapped.predict(images, options)
            results: list[PageOCR] = shared(images, options, helpers)
            return results
        finally:
            self._histogram.observe(time.perf_counter() - started)

    def close(self) -> None:
        """Close the wrapped engine."""
        self.wrapped.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def timed_engine_factory(
    factory: Callable[[Settings], OCREngine], metrics: Metrics
) -> Callable[[Settings], OCREngine]:
    """``factory`` whose engines time their calls into ``metrics``."""

    def build(settings: Settings) -> OCREngine:
        histogram = metrics.inference_seconds.labels(settings.model_set)
        return TimedEngine(factory(settings), histogram)

    return build
