"""The inference scheduler: one worker thread owns each engine.

Requests never touch an engine. They submit pages and await futures; the
worker takes pages first in, first out, gathers up to ``max_batch`` pages with
equal options (waiting at most ``max_wait_ms`` for more) into one engine call,
and resolves each caller's future with its own result or its own error.

Pages carry a priority: interactive pages (synchronous requests, streams) are
always taken before background pages (jobs), so a long job only fills the
engines when no client is waiting; an interactive page waits at most for the
engine call already running. Background pages are not counted against
``max_queue`` (their runner keeps only a few in flight) and are never refused.

Admission is bounded: a request whose pages do not fit in ``max_queue`` is
refused at once with ``503 busy`` instead of waiting until its client gives up.
Pages whose request timed out or went away are dropped before they reach the
engine. With ``workers_per_device`` > 1 there are several engines, each a
separate predictor with its own worker thread, all fed from the one queue;
never one predictor shared by two threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from app.domain import EngineOptions, Pixels, Priority
from app.engine.lending import EngineSlot, Helper
from app.engine.stats import SchedulerStats
from app.engine.types import OCREngine, PageOCR
from app.errors import Busy, EngineError, RequestTimeout

logger = logging.getLogger("app.engine")


_STOP: Final = max(Priority) + 1
"""The stop signal's rank: it sorts after every page, so close() finishes the queue first."""


@dataclass(slots=True)
class _WaitingPage:
    image: Pixels
    options: EngineOptions
    future: asyncio.Future[PageOCR]
    loop: asyncio.AbstractEventLoop
    deadline: float
    priority: Priority = Priority.INTERACTIVE


# (priority, arrival number, job or None to stop): the arrival number keeps pages of
# one priority first in, first out and means tuples never compare their jobs.
_Entry = tuple[int, int, _WaitingPage | None]


class _Worker:
    """One engine and the thread that alone calls it."""

    def __init__(self, engine: OCREngine, index: int, target: Callable[[_Worker], None]) -> None:
        self.engine = engine
        self.slot = EngineSlot(engine)
        self.busy_since: float | None = None
        self.thread = threading.Thread(
            target=target, args=(self,), name=f"inference-worker-{index}", daemon=True
        )


class InferenceScheduler:
    """Feeds engines from their own threads, in bounded FIFO batches."""

    def __init__(
        self,
        engines: OCREngine | Sequence[OCREngine],
        *,
        max_queue: int,
        max_batch: int,
        max_wait_ms: int,
        share_idle: bool = True,
    ) -> None:
        engines = [engines] if not isinstance(engines, Sequence) else list(engines)
        self.max_queue = max_queue
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000
        self.share_idle = share_idle
        """Lend idle engines to a lone page's engine (lending.py); off: one engine a page."""
        self.stats = SchedulerStats()
        self._jobs: queue.PriorityQueue[_Entry] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._admitted = 0
        self._background = 0
        self._lock = threading.Lock()
        self._workers = [_Worker(e, i, self._run) for i, e in enumerate(engines)]

    @property
    def engine(self) -> OCREngine:
        """The first engine (all engines run the same model set)."""
        return self._workers[0].engine

    @property
    def engines(self) -> list[OCREngine]:
        """Every engine, one per worker."""
        return [w.engine for w in self._workers]

    def start(self) -> None:
        """Start the worker threads."""
        for worker in self._workers:
            worker.thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the pages already queued; wait up to ``timeout`` seconds."""
        for _ in self._workers:
            self._jobs.put((_STOP, next(self._seq), None))
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def queued(self) -> int:
        """Interactive pages admitted and not yet handed to an engine."""
        return self._admitted

    @property
    def queued_background(self) -> int:
        """Background (job) pages waiting for an engine."""
        return self._background

    @property
    def alive(self) -> bool:
        """Whether every worker thread is running."""
        return all(w.thread.is_alive() for w in self._workers)

    def longest_busy(self) -> float:
        """Seconds the longest-running engine call has been going (0 when idle)."""
        now = time.monotonic()
        return max((now - w.busy_since for w in self._workers if w.busy_since), default=0.0)

    async def run(
        self, images: Sequence[Pixels], options: EngineOptions, deadline: float,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[PageOCR]:
        """OCR ``images``; all of them are admitted, or none (503 busy).

        ``deadline`` is a ``time.monotonic()`` instant: pages not started by then
        are dropped and the call raises ``RequestTimeout``. Background pages
        wait until no interactive page does, and are never refused.
        """
        loop = asyncio.get_running_loop()
        self._admit(len(images), priority)
        futures: list[asyncio.Future[PageOCR]] = []
        for image in images:
            future: asyncio.Future[PageOCR] = loop.create_future()
            futures.append(future)
            job = _WaitingPage(image, options, future, loop, deadline, priority)
            self._jobs.put((priority, next(self._seq), job))
        try:
            return await asyncio.wait_for(
                asyncio.gather(*futures), timeout=max(0.0, deadline - time.monotonic())
            )
        except (TimeoutError, RequestTimeout):
            # Either the wait ran out here, or a worker found the deadline passed before
            # the page started (it resolves the page with RequestTimeout): under load the
            # worker can win that race, and the request must be counted all the same.
            self.stats.timed_out += 1
            raise RequestTimeout("The request did not finish before its deadline.") from None
        finally:
            # Whatever ended the wait (deadline, client gone, a page's error),
            # pages still queued are not worth the engine's time any more.
            for future in futures:
                future.cancel()

    def refuse_if_full(self) -> None:
        """Raise ``Busy`` now if not even one more page would be admitted."""
        if self._admitted >= self.max_queue:
            self._refuse()

    def _refuse(self) -> None:
        self.stats.rejected += 1
        raise Busy(
            f"The engine queue is full ({self._admitted}/{self.max_queue} pages); "
            "retry shortly.",
            headers={"Retry-After": "1"},
        )

    def _admit(self, pages: int, priority: Priority) -> None:
        with self._lock:
            if priority is Priority.BACKGROUND:
                self._background += pages
                return
            if self._admitted + pages > self.max_queue:
                self._refuse()
            self._admitted += pages

    def _release(self, batch: list[_WaitingPage]) -> None:
        background = sum(1 for job in batch if job.priority == Priority.BACKGROUND)
        with self._lock:
            self._background -= background
            self._admitted -= len(batch) - background

    # --- worker thread ------------------------------------------------------

    def _run(self, worker: _Worker) -> None:
        while True:
            entry = self._jobs.get()
            first = entry[2]
            if first is None:
                return
            batch = self._gather(first)
            self._release(batch)
            worker.slot.reclaim()  # a helper lent to another page stops after its line batch
            try:
                live = [job for job in batch if self._still_wanted(job)]
                for group in _by_options(live):
                    self._execute(worker, group)
            except Exception:  # the worker must outlive any one batch
                logger.exception("scheduler error")
                for job in batch:
                    _resolve(job, error=EngineError("Inference failed."))
            finally:
                worker.slot.release()

    def _gather(self, first: _WaitingPage) -> list[_WaitingPage]:
        batch = [first]
        until = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch:
            try:
                entry = self._jobs.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                break
            job = entry[2]
            if job is None:
                self._jobs.put(entry)  # keep the stop signal for the loop
                break
            batch.append(job)
        return batch

    def _still_wanted(self, job: _WaitingPage) -> bool:
        if job.future.done():  # cancelled: timed out or the client went away
            self.stats.dropped += 1
            return False
        if time.monotonic() >= job.deadline:
            self.stats.dropped += 1
            _resolve(job, error=RequestTimeout("The request did not start before its deadline."))
            return False
        return True

    def _execute(self, worker: _Worker, jobs: list[_WaitingPage]) -> None:
        started = worker.busy_since = time.monotonic()
        try:
            results = self._predict(worker, jobs)
            if len(results) != len(jobs):
                raise EngineError("The engine returned a wrong number of pages.")
        except Exception as exc:
            worker.busy_since = None
            if len(jobs) > 1:
                # Find the page that failed: each caller gets its own outcome.
                for job in jobs:
                    self._execute(worker, [job])
                return
            error = exc if isinstance(exc, EngineError) else EngineError("Inference failed.")
            if not isinstance(exc, EngineError):
                logger.exception("engine raised", exc_info=exc)
            self.stats.record_batch(len(jobs), time.monotonic() - started, failed=True)
            _resolve(jobs[0], error=error)
            return
        worker.busy_since = None
        self.stats.record_batch(len(jobs), time.monotonic() - started)
        for job, result in zip(jobs, results, strict=True):
            _resolve(job, result=result)


    def _predict(self, worker: _Worker, jobs: list[_WaitingPage]) -> list[PageOCR]:
        images, options = [job.image for job in jobs], jobs[0].options
        shared = getattr(worker.engine, "predict_shared", None)
        if shared is None or not self.share_idle or len(jobs) > 1 or len(self._workers) < 2:
            return worker.engine.predict(images, options)
        helpers = [Helper(w.slot, self._jobs.empty) for w in self._workers if w is not worker]
        results: list[PageOCR] = shared(images, options, helpers)
        return results


def _by_options(jobs: list[_WaitingPage]) -> list[list[_WaitingPage]]:
    groups: dict[EngineOptions, list[_WaitingPage]] = {}
    for job in jobs:
        groups.setdefault(job.options, []).append(job)
    return list(groups.values())


def _resolve(
    job: _WaitingPage, *, result: PageOCR | None = None, error: Exception | None = None
) -> None:
    def settle() -> None:
        if job.future.done():
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)  # type: ignore[arg-type]

    # A closed loop raises RuntimeError: nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(settle)
