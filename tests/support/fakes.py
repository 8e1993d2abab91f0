"""Fake engines for unit tests of scheduling, lifecycle and error paths only.

They never prove that OCR works; the corpus tests do that with the real engine.
"""

from __future__ import annotations

import os
import threading
import time

from app.domain import EngineOptions, Line, Pixels
from app.engine.types import EngineInfo, PageOCR

INFO = EngineInfo(backend="fake", device="cpu", model_set="fake", det_model="d", rec_model="r")


class EchoEngine:
    """Reads each page as its mean pixel value; counts calls and checks exclusivity."""

    def __init__(self, delay: float = 0.0, fail_on: int | None = None) -> None:
        self.delay = delay
        self.fail_on = fail_on
        self.calls: list[int] = []
        self._busy = threading.Lock()
        self.overlapped = False

    @property
    def info(self) -> EngineInfo:
        return INFO

    def predict(self, images: list[Pixels], options: EngineOptions) -> list[PageOCR]:
        if not self._busy.acquire(blocking=False):
            self.overlapped = True
            self._busy.acquire()
        try:
            self.calls.append(len(images))
            time.sleep(self.delay)
            values = [int(img.mean()) for img in images]
            if self.fail_on is not None and self.fail_on in values:
                raise RuntimeError("secret backend detail /tmp/x")
            return [_page(str(v)) for v in values]
        finally:
            self._busy.release()

    def close(self) -> None:
        pass


def _page(text: str) -> PageOCR:
    line = Line(text=text, score=0.99, polygon=((0, 0), (10, 0), (10, 5), (0, 5)))
    return PageOCR(lines=(line,))


def failing_engine_factory(settings: object) -> EchoEngine:
    """An engine factory that cannot load: waits until the file named by
    FAKE_ENGINE_RELEASE exists (when set), then raises like a missing library."""
    release = os.environ.get("FAKE_ENGINE_RELEASE")
    while release and not os.path.exists(release):
        time.sleep(0.02)
    try:
        raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
    except ImportError as exc:
        raise RuntimeError("the OCR pipeline could not be\nimported") from exc
