"""The scheduler lends idle engines to a lone page: same text, deadlines, crashes, engines back.

Fake engines read a page whose pixels hold ``n`` as ``n`` text lines, each line
through a ``SharedRecognizer`` over a fake recognizer, so what is proven is the
scheduling (the real engine's identical text is in test_rec_sharing_real.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from app.domain import EngineOptions, Line, Pixels
from app.engine.lending import Helper
from app.engine.rec_sharing import SharedRecognizer
from app.engine.scheduler import InferenceScheduler
from app.engine.types import PageOCR
from app.errors import EngineError, RequestTimeout
from tests.support.fakes import INFO

OPTS = EngineOptions()


class LineRec:
    """Reads line ``i`` as ``"line i"``; fails when ``crash``; flags two users at once."""

    def __init__(self, delay: float) -> None:
        self.delay, self.crash, self.overlapped, self.lines = delay, False, False, 0
        self._busy = threading.Lock()

    def __call__(self, images: list[int], **kwargs: Any) -> Iterator[str]:
        if not self._busy.acquire(blocking=False):
            self.overlapped = True
            self._busy.acquire()
        try:
            time.sleep(self.delay)
            if self.crash:
                raise RuntimeError("backend detail /secret")
            self.lines += len(images)
            return iter([f"line {i}" for i in images])
        finally:
            self._busy.release()


class LinesEngine:
    """A page of ``pixel value`` lines, read through a shareable recognizer."""

    def __init__(self, delay: float = 0.005) -> None:
        self.model = LineRec(delay)
        self.rec = SharedRecognizer(self.model, 1)

    @property
    def info(self) -> Any:
        return INFO

    def predict(self, images: list[Pixels], options: EngineOptions) -> list[PageOCR]:
        pages = []
        for image in images:
            texts = list(self.rec(list(range(int(image.flat[0])))))
            box = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))
            pages.append(PageOCR(lines=tuple(Line(t, 0.9, box) for t in texts)))
        return pages

    def predict_shared(
        self, images: list[Pixels], options: EngineOptions, helpers: Sequence[Helper]
    ) -> list[PageOCR]:
        self.rec.lend([(h, h.engine.lendable_recognizer()) for h in helpers])
        try:
            return self.predict(images, options)
        finally:
            self.rec.lend(())

    def lendable_recognizer(self) -> LineRec:
        return self.model

    def close(self) -> None:
        pass


def page(lines: int) -> np.ndarray:
    return np.full((2, 2, 3), lines, dtype=np.uint8)


def start(engines: list[LinesEngine], share: bool = True) -> InferenceScheduler:
    sched = InferenceScheduler(engines, max_queue=64, max_batch=1, max_wait_ms=0,
                               share_idle=share)
    sched.start()
    return sched


def texts(result: list[PageOCR]) -> list[str]:
    return [line.text for line in result[0].lines]


async def test_a_lone_page_is_shared_and_reads_the_same() -> None:
    engines = [LinesEngine(), LinesEngine()]
    alone, shared = start(engines, share=False), start([LinesEngine(), LinesEngine()])
    try:
        expected = texts(await alone.run([page(60)], OPTS, time.monotonic() + 30))
        got = texts(await shared.run([page(60)], OPTS, time.monotonic() + 30))
        assert got == expected == [f"line {i}" for i in range(60)]
        lent = [e for e in shared.engines if isinstance(e, LinesEngine)]
        assert all(e.model.lines > 0 for e in lent)  # both engines read lines of the page
        assert sum(e.rec.shared_batches for e in lent) > 0
    finally:
        alone.close()
        shared.close()


async def test_engines_wrapped_by_observability_are_lent_and_timed() -> None:
    from prometheus_client import CollectorRegistry, Histogram

    from app.observability.engine_timing import TimedEngine

    histogram = Histogram("t", "t", registry=CollectorRegistry())
    inner = [LinesEngine(), LinesEngine()]
    sched = InferenceScheduler([TimedEngine(e, histogram) for e in inner], max_queue=8,
                               max_batch=1, max_wait_ms=0)
    sched.start()
    try:
        got = texts(await sched.run([page(40)], OPTS, time.monotonic() + 30))
        assert got == [f"line {i}" for i in range(40)]
        assert sum(e.rec.shared_batches for e in inner) > 0  # lent through the wrapper
        counts = [s.value for s in histogram.collect()[0].samples if s.name == "t_count"]
        assert counts == [1]  # and the call was timed once
    finally:
        sched.close()


async def test_under_load_every_engine_has_one_user_and_every_page_its_text() -> None:
    engines = [LinesEngine(0.002) for _ in range(3)]
    sched = start(engines)
    try:
        sizes = [5, 40, 1, 17, 30, 2, 60, 8, 25, 3] * 2
        results = await asyncio.gather(
            *(sched.run([page(n)], OPTS, time.monotonic() + 60) for n in sizes))
        for n, result in zip(sizes, results, strict=True):
            assert texts(result) == [f"line {i}" for i in range(n)]
        assert not any(e.model.overlapped for e in engines)
    finally:
        sched.close()


async def test_a_page_arriving_during_a_split_takes_its_engine_back() -> None:
    engines = [LinesEngine(0.01), LinesEngine(0.01)]
    sched = start(engines)
    finished: list[str] = []

    async def read(name: str, lines: int) -> None:
        await sched.run([page(lines)], OPTS, time.monotonic() + 60)
        finished.append(name)

    try:
        long = asyncio.create_task(read("long", 150))
        await asyncio.sleep(0.1)  # the long page is being read by both engines now
        await read("short", 1)
        await long
        assert finished == ["short", "long"]
    finally:
        sched.close()


async def test_the_deadline_holds_for_a_shared_page() -> None:
    engines = [LinesEngine(0.02), LinesEngine(0.02)]
    sched = start(engines)
    try:
        started = time.monotonic()
        try:
            await sched.run([page(200)], OPTS, started + 0.2)
        except RequestTimeout:
            pass
        else:
            raise AssertionError("a 200-line page at 20 ms a line cannot finish in 0.2 s")
        assert sched.stats.timed_out == 1
        assert texts(await sched.run([page(3)], OPTS, time.monotonic() + 60)) == [
            "line 0", "line 1", "line 2"]
    finally:
        sched.close()


async def test_a_crash_during_a_split_fails_that_request_cleanly_and_the_pool_recovers() -> None:
    engines = [LinesEngine(0.005), LinesEngine(0.005)]
    sched = start(engines)
    try:
        for crashing in engines:
            crashing.model.crash = True
            try:
                await sched.run([page(40)], OPTS, time.monotonic() + 30)
            except EngineError as exc:
                assert "secret" not in str(exc) and "backend" not in str(exc)
            else:
                raise AssertionError("a crash of an engine reading the page must fail it")
            crashing.model.crash = False
            assert texts(await sched.run([page(40)], OPTS, time.monotonic() + 30)) == [
                f"line {i}" for i in range(40)]
        assert sched.alive
        assert sum(e.rec.shared_batches for e in engines) > 0  # the pages were shared
    finally:
        sched.close()
