"""An opened document being read: its size up front, then its pages one by one.

Decoding, rendering and layout run in the service's bounded thread pool,
inference in the workers of the scheduler of the model set the request chose
(held with a pool lease until ``close``); the coroutines only hand pages along.
At most ``window`` decoded pages of a document exist at once, so memory stays
flat however many pages it has, while the next page decodes as the engine reads
the last.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.documents.source import SourceDocument
from app.domain import DecodedPage, Line, MediaKind, Page, RequestOptions, Source
from app.engine.pool import Lease
from app.errors import RequestTimeout
from app.layout import analyze
from app.service.timings import Timings

InThread = Callable[..., Awaitable[Any]]
"""The service's way to run blocking work in its bounded thread pool."""


class OpenedDocument:
    """An upload opened for reading: its kind and page count now, its pages as they are read."""

    def __init__(
        self, document: SourceDocument, kind: MediaKind, options: RequestOptions,
        workdir: Path, lease: Lease, in_thread: InThread, *, window: int,
        timings: Timings, keep_pixels: bool = False,
    ) -> None:
        self.kind = kind
        self.options = options
        self.model = lease.entry.label
        """The model set reading this document (what answers report as ``model``)."""
        self.page_count = document.page_count
        self.page_indices = list(document.selected)
        """0-based indices of the pages ``pages()`` yields, in order."""
        self.timings = timings
        """Per-stage seconds, counted from the moment the upload was handed to the service."""
        self._document, self._workdir, self._lease = document, workdir, lease
        self._in_thread, self._window, self._keep_pixels = in_thread, window, keep_pixels

    @property
    def page_numbers(self) -> list[int]:
        """1-based numbers of the pages ``pages()`` yields."""
        return [i + 1 for i in self.page_indices]

    async def pages(self) -> AsyncGenerator[Page, None]:
        """Yield each selected page when it is read, in page order.

        Stopping early (or the caller being cancelled) drops the pages not yet
        started and cancels those in flight.
        """
        options = self.options
        iterator = self._document.pages()
        pending: deque[asyncio.Task[Page]] = deque()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self._window:
                    tick = time.perf_counter()
                    decoded = await self._in_thread(next, iterator, None)
                    self.timings.decode += time.perf_counter() - tick
                    if decoded is None:
                        exhausted = True
                        break
                    if time.monotonic() > options.deadline:
                        # Decoding and text layers are not the engine's queue: check here too.
                        self._lease.scheduler.stats.timed_out += 1
                        raise RequestTimeout("The request did not finish before its deadline.")
                    pending.append(asyncio.create_task(self._read(decoded)))
                    del decoded  # the task holds the only reference to the pixels
                if not pending:
                    return
                yield await pending.popleft()
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        """Release the document, its private folder and its hold on the model set."""
        try:
            await self._in_thread(self._document.close)
        finally:
            self._lease.release()
            shutil.rmtree(self._workdir, ignore_errors=True)

    async def _read(self, decoded: DecodedPage) -> Page:
        lines: tuple[Line, ...] = decoded.text_lines or ()
        rotation, ocr_s = 0, 0.0
        options = self.options
        if decoded.source is Source.OCR and decoded.image is not None:
            started = time.perf_counter()
            (result,) = await self._lease.scheduler.run(
                [decoded.image], options.engine, options.deadline, options.priority
            )
            ocr_s = time.perf_counter() - started
            self.timings.ocr += ocr_s
            lines, rotation = result.lines, result.rotation
        tick = time.perf_counter()
        page: Page = await self._in_thread(lay_out, decoded, lines, rotation, options.min_score)
        self.timings.layout += time.perf_counter() - tick
        image = decoded.image if self._keep_pixels else None
        return replace(page, ocr_seconds=ocr_s, image=image)


def lay_out(
    decoded: DecodedPage, lines: tuple[Line, ...], rotation: int, min_score: float
) -> Page:
    """Drop lines below ``min_score`` (text-layer lines have none) and order the rest."""
    kept = tuple(ln for ln in lines if ln.score is None or ln.score >= min_score)
    dropped = tuple(ln for ln in lines if ln.score is not None and ln.score < min_score)
    layout = analyze(kept, decoded.width, decoded.height, rotation)
    return Page(decoded.index, decoded.width, decoded.height, decoded.source, layout,
                rotation, dropped, decoded.text_layer_note)
