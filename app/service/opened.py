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
from typing import Any, Final

from app.documents.source import SourceDocument
from app.domain import DecodedPage, Line, MediaKind, Page, RegionKind, RequestOptions, Source
from app.engine.pool import Lease
from app.engine.structure.runner import StructureRunner
from app.errors import RequestTimeout
from app.layout import analyze, analyze_regions, page_skew
from app.service.structure import PageStructure, read_structure
from app.service.timings import Timings

InThread = Callable[..., Awaitable[Any]]
MAX_REGION_SKEW: Final = 8.0
"""Degrees: on a page tilted more, the layout model's upright region boxes overlap the
next column's lines. Two-column page (tests/e2e/test_skewed_pages.py): ordered over
regions, CER 0.00 at ±6 degrees but over 0.01 at ±10 (0.76 on the noisy page); ordered on
the straightened lines alone, 0.00 at both."""
"""The service's way to run blocking work in its bounded thread pool."""


class OpenedDocument:
    """An upload opened for reading: its kind and page count now, its pages as they are read."""

    def __init__(
        self, document: SourceDocument, kind: MediaKind, options: RequestOptions,
        workdir: Path, lease: Lease, in_thread: InThread, *, window: int,
        timings: Timings, keep_pixels: bool = False,
        structure: StructureRunner | None = None, max_cells: int = 2000,
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
        self._structure, self._max_cells = structure, max_cells

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
        structure = await self._read_structure(decoded, lines, rotation)
        tick = time.perf_counter()
        page: Page = await self._in_thread(lay_out, decoded, lines, rotation, options.min_score,
                                           structure)
        self.timings.layout += time.perf_counter() - tick
        image = decoded.image if self._keep_pixels else None
        return replace(page, ocr_seconds=ocr_s, image=image)

    async def _read_structure(self, decoded: DecodedPage, lines: tuple[Line, ...],
                              rotation: int) -> PageStructure:
        """Regions and tables when the options ask for them on this page's source."""
        regions, tables = self.options.structure_for(decoded.source)
        if not (regions or tables):
            return PageStructure()
        asked = self.options.regions is True or self.options.tables is True
        if self._structure is None:
            # Said only to a client who asked: the default quietly does without.
            return PageStructure(warnings=("structure: the layout and table models are "
                                           "not loaded (GET /models says why)",) if asked
                                 else ())
        if decoded.image is None:
            return PageStructure()
        if rotation:
            return PageStructure(warnings=("structure: not read on a page turned to read "
                                           "it",) if asked else ())
        kept, _ = split_by_score(lines, self.options.min_score)
        tick = time.perf_counter()
        found = await read_structure(self._structure, decoded.image, kept, tables,
                                     self.options.deadline, self._max_cells, self._in_thread,
                                     decoded.width)
        self.timings.structure += time.perf_counter() - tick
        if not regions:  # tables were asked without regions: keep tables, drop the kinds
            return replace(found, regions=tuple(r for r in found.regions
                                                if r.kind is RegionKind.TABLE), classified=False)
        return found


def lay_out(
    decoded: DecodedPage, lines: tuple[Line, ...], rotation: int, min_score: float,
    structure: PageStructure | None = None,
) -> Page:
    """Drop lines below ``min_score`` (text-layer lines have none) and order the rest,
    over the page's regions when it has them."""
    kept, dropped = split_by_score(lines, min_score)
    structure = structure or PageStructure()
    warnings = decoded.warnings + structure.warnings
    over_regions = bool(structure.classified or structure.regions)
    skew = page_skew(kept, decoded.width, decoded.height, rotation) if over_regions else 0.0
    if over_regions and abs(skew) <= MAX_REGION_SKEW:
        layout = analyze_regions(kept, decoded.width, decoded.height, structure.regions,
                                 structure.tables)
    else:  # the tilt alone is measured first: the plain order is computed only when used
        if over_regions:
            warnings += (f"structure: regions not used for the reading order on a page "
                         f"tilted by {skew:g} degrees (their upright boxes overlap across "
                         "columns); lines ordered on the straightened page",)
        layout = analyze(kept, decoded.width, decoded.height, rotation)
    return Page(decoded.index, decoded.width, decoded.height, decoded.source, layout,
                rotation, dropped, decoded.text_layer_note, regions=structure.regions,
                tables=structure.tables, dpi=decoded.dpi, warnings=warnings)


def split_by_score(
    lines: tuple[Line, ...], min_score: float
) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """(kept, dropped): lines at or above ``min_score``, and those below it (text-layer
    lines have no score and are always kept)."""
    kept = tuple(ln for ln in lines if ln.score is None or ln.score >= min_score)
    dropped = tuple(ln for ln in lines if ln.score is not None and ln.score < min_score)
    return kept, dropped
