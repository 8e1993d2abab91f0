"""Scheduler unit tests with a fake engine: batches, per-caller errors, limits."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from app.domain import EngineOptions, Priority
from app.engine.scheduler import InferenceScheduler
from app.errors import Busy, EngineError, RequestTimeout
from tests.support.fakes import EchoEngine

OPTS = EngineOptions()


def page(value: int) -> np.ndarray:
    return np.full((4, 4, 3), value, dtype=np.uint8)


def scheduler(engine: EchoEngine, **kw: int) -> InferenceScheduler:
    params = {"max_queue": 64, "max_batch": 1, "max_wait_ms": 0, **kw}
    sched = InferenceScheduler(engine, **params)
    sched.start()
    return sched


def soon(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


async def test_results_match_callers_in_order() -> None:
    engine = EchoEngine(delay=0.01)
    sched = scheduler(engine, max_batch=4, max_wait_ms=20)
    try:
        calls = [sched.run([page(v), page(v + 1)], OPTS, soon()) for v in range(0, 40, 2)]
        results = await asyncio.gather(*calls)
        for start, pages in zip(range(0, 40, 2), results, strict=True):
            assert [p.lines[0].text for p in pages] == [str(start), str(start + 1)]
        assert max(engine.calls) > 1  # pages of different requests were batched
        assert not engine.overlapped  # never two engine calls at once
    finally:
        sched.close()


async def test_one_bad_page_fails_only_its_request() -> None:
    engine = EchoEngine(delay=0.01, fail_on=13)
    sched = scheduler(engine, max_batch=8, max_wait_ms=30)
    try:
        good = [sched.run([page(v)], OPTS, soon()) for v in (1, 2, 3)]
        bad = sched.run([page(13)], OPTS, soon())
        outcomes = await asyncio.gather(*good, bad, return_exceptions=True)
        assert [o[0].lines[0].text for o in outcomes[:3]] == ["1", "2", "3"]  # type: ignore[index]
        assert isinstance(outcomes[3], EngineError)
        assert "secret" not in str(outcomes[3])
        after = await sched.run([page(5)], OPTS, soon())
        assert after[0].lines[0].text == "5"
    finally:
        sched.close()


async def test_full_queue_is_refused_at_once() -> None:
    engine = EchoEngine(delay=0.2)
    sched = scheduler(engine, max_queue=3)
    try:
        first = asyncio.ensure_future(sched.run([page(1)] * 3, OPTS, soon()))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(Busy) as refused:
            await sched.run([page(2)] * 3, OPTS, soon())
        assert time.monotonic() - started < 0.05
        assert refused.value.headers["Retry-After"]
        await first
    finally:
        sched.close()


async def test_deadline_drops_unstarted_pages() -> None:
    engine = EchoEngine(delay=0.3)
    sched = scheduler(engine)
    try:
        blocker = asyncio.ensure_future(sched.run([page(1)], OPTS, soon()))
        await asyncio.sleep(0.05)
        with pytest.raises(RequestTimeout):
            await sched.run([page(2), page(3)], OPTS, time.monotonic() + 0.1)
        await blocker
        await asyncio.sleep(0.1)
        assert engine.calls == [1]  # the timed-out pages never reached the engine
        assert sched.stats.snapshot()["dropped"] == 2
    finally:
        sched.close()


async def test_cancelled_request_pages_are_dropped() -> None:
    engine = EchoEngine(delay=0.3)
    sched = scheduler(engine)
    try:
        blocker = asyncio.ensure_future(sched.run([page(1)], OPTS, soon()))
        await asyncio.sleep(0.05)
        gone = asyncio.ensure_future(sched.run([page(2)] * 4, OPTS, soon()))
        await asyncio.sleep(0.05)
        gone.cancel()  # what a client disconnect does to the request's task
        await blocker
        await asyncio.sleep(0.1)
        assert engine.calls == [1]
        assert sched.queued == 0
    finally:
        sched.close()


async def test_several_workers_each_own_their_engine() -> None:
    engines = [EchoEngine(delay=0.02), EchoEngine(delay=0.02)]
    sched = InferenceScheduler(engines, max_queue=64, max_batch=1, max_wait_ms=0)
    sched.start()
    try:
        results = await asyncio.gather(*(sched.run([page(v)], OPTS, soon()) for v in range(20)))
        assert [r[0].lines[0].text for r in results] == [str(v) for v in range(20)]
        assert all(engine.calls for engine in engines)  # both predictors worked
        assert not any(engine.overlapped for engine in engines)  # never shared
        assert sched.alive
    finally:
        sched.close()
    assert not sched.alive


async def test_interactive_pages_go_before_queued_background_pages() -> None:
    engine = EchoEngine(delay=0.05)
    sched = scheduler(engine)
    finished: list[str] = []

    async def run(name: str, value: int, priority: Priority) -> None:
        await sched.run([page(value)], OPTS, soon(), priority)
        finished.append(name)

    try:
        background = [asyncio.create_task(run(f"job{i}", i, Priority.BACKGROUND))
                      for i in range(6)]
        await asyncio.sleep(0.02)  # the first job page is on the engine now
        await run("interactive", 99, Priority.INTERACTIVE)
        await asyncio.gather(*background)
        # Only the job page already running is ahead of it, never the queued ones.
        assert finished.index("interactive") <= 1
        assert sched.queued == 0 and sched.queued_background == 0
    finally:
        sched.close()


async def test_background_pages_are_not_refused_by_a_full_queue() -> None:
    sched = scheduler(EchoEngine(delay=0.01), max_queue=1)
    try:
        results = await asyncio.gather(
            *(sched.run([page(v)], OPTS, soon(), Priority.BACKGROUND) for v in range(5)))
        assert [r[0].lines[0].text for r in results] == ["0", "1", "2", "3", "4"]
    finally:
        sched.close()
