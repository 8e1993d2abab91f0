"""The structure models' own workers: layout and table calls off the event loop, bounded.

Like recognition's scheduler, each worker thread owns its models (one ONNX Runtime
session each, one intra-op thread) and nothing else calls them; requests submit a
call and await a future. Admission is bounded (``max_queue`` calls waiting, then
``Busy``), and a call whose deadline passed before a worker took it is dropped.
Calls are not batched: the layout model's input is one fixed-size page, and a table
crop decodes token by token (33-64 ms CPU each, docs/structure-models.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from app.domain import Pixels
from app.engine.structure.layout_model import LayoutModel, Region
from app.engine.structure.table_model import TableModel, TableStructure
from app.errors import Busy, EngineError, RequestTimeout

logger = logging.getLogger("app.engine")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StructureModels:
    """One worker's pair of models."""

    layout: LayoutModel
    table: TableModel


@dataclass(slots=True)
class _Call:
    work: Callable[[StructureModels], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    deadline: float


_STOP: Final = None


class StructureRunner:
    """Layout and table-structure calls run by ``workers`` threads, each with its own models."""

    def __init__(self, models: list[StructureModels], max_queue: int) -> None:
        if not models:
            raise ValueError("at least one worker's models")
        self.max_queue = max_queue
        self.layout_name = models[0].layout.name
        self.table_name = models[0].table.name
        self.files = (models[0].layout.file, models[0].table.file)
        self.calls = 0
        self.failed = 0
        self.rejected = 0
        self._jobs: queue.Queue[_Call | None] = queue.Queue()
        self._waiting = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(m,), daemon=True,
                                          name=f"structure-worker-{i}")
                         for i, m in enumerate(models)]
        for thread in self._threads:
            thread.start()

    @property
    def workers(self) -> int:
        """How many threads (and model pairs) serve the calls."""
        return len(self._threads)

    @property
    def alive(self) -> bool:
        """Whether every worker thread runs."""
        return all(t.is_alive() for t in self._threads)

    async def layout(self, page: Pixels, deadline: float) -> tuple[Region, ...]:
        """The regions of an RGB page (page pixels)."""
        return await self._submit(lambda m: m.layout(page), deadline)

    async def table(self, crop: Pixels, deadline: float) -> TableStructure:
        """The structure of a table crop (cells in the crop's pixels)."""
        return await self._submit(lambda m: m.table(crop), deadline)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers after the calls already queued."""
        for _ in self._threads:
            self._jobs.put(_STOP)
        until = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, until - time.monotonic()))

    async def _submit(self, work: Callable[[StructureModels], T], deadline: float) -> T:
        with self._lock:
            if self._waiting >= self.max_queue:
                self.rejected += 1
                raise Busy(f"The structure queue is full ({self.max_queue} calls); "
                           "retry shortly.", headers={"Retry-After": "1"})
            self._waiting += 1
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Call(work, future, loop, deadline))
        try:
            return await asyncio.wait_for(future, max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise RequestTimeout("The request did not finish before its deadline.") from None
        finally:
            future.cancel()

    def _run(self, models: StructureModels) -> None:
        while (call := self._jobs.get()) is not _STOP:
            with self._lock:
                self._waiting -= 1
            if call.future.done():
                continue  # the caller gave up
            if time.monotonic() >= call.deadline:
                _settle(call, error=RequestTimeout("The request did not start before its "
                                                   "deadline."))
                continue
            try:
                result = call.work(models)
            except Exception as exc:  # one bad page must not end the worker
                self.failed += 1
                logger.warning("structure model failed: %s", type(exc).__name__)
                _settle(call, error=EngineError("A structure model failed on this page."))
                continue
            self.calls += 1
            _settle(call, result=result)


def _settle(call: _Call, *, result: Any = None, error: Exception | None = None) -> None:
    def settle() -> None:
        if call.future.done():
            return
        if error is not None:
            call.future.set_exception(error)
        else:
            call.future.set_result(result)

    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        call.loop.call_soon_threadsafe(settle)
