"""One document, start to finish: sniff, decode page by page, OCR, lay out.

Every caller (a synchronous request, a stream, a job, the annotate view) opens
the upload with ``OCRService.open`` and takes finished pages, in page order,
from ``Reading.pages()``; ``process`` collects them all. Decoding, rendering and
layout run in a bounded thread pool, inference in the workers of the scheduler
of the model set the request chose (``RequestOptions.model_set``, held with a
pool lease from ``open`` to ``close``); the coroutines only hand pages along.
At most ``window`` decoded pages of a request exist at once, so memory stays
flat however many pages a document has, while the next page decodes as the
engine reads the last.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar, TypeVarTuple, Unpack

import anyio

from app.config import Settings
from app.documents.sniff import sniff
from app.documents.source import DocumentLimits, SourceDocument, open_document
from app.domain import DecodedPage, Document, Line, MediaKind, Page, RequestOptions, Source
from app.engine.pool import EnginePool, Lease
from app.engine.scheduler import InferenceScheduler, Priority
from app.errors import RequestTimeout
from app.layout import analyze

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

KeepImages = Literal["never", "images", "always"]
"""Which yielded pages keep their decoded pixels (``Page.image``): none (the
default: memory stays flat), pages of image uploads only (a searchable PDF
embeds them; a PDF's own pages are never re-rasterized), or every page (the
annotate view draws on it; a PDF's text-layer pages are then rendered too)."""


@dataclass(slots=True)
class Timings:
    """Seconds spent per stage on one document (summed over its pages)."""

    started: float = field(default_factory=time.perf_counter)
    decode: float = 0.0
    ocr: float = 0.0
    layout: float = 0.0

    def as_ms(self) -> dict[str, float]:
        """The timings the API reports, in milliseconds."""
        total = time.perf_counter() - self.started
        return {
            "decode": round(self.decode * 1000, 1),
            "ocr": round(self.ocr * 1000, 1),
            "layout": round(self.layout * 1000, 1),
            "total": round(total * 1000, 1),
        }


class Reading:
    """An opened document being read: its size up front, then its pages one by one."""

    def __init__(
        self, service: OCRService, document: SourceDocument, kind: MediaKind,
        options: RequestOptions, workdir: Path, timings: Timings, lease: Lease,
        keep_images: bool = False, priority: Priority = Priority.INTERACTIVE,
    ) -> None:
        self.kind = kind
        self.model = lease.entry.label
        """The model set reading this document (what answers report as ``model``)."""
        self.page_count = document.page_count
        self.page_numbers = [i + 1 for i in document.selected]
        """1-based numbers of the pages ``pages()`` yields."""
        self.timings = timings
        self._service, self._document, self._options = service, document, options
        self._workdir = workdir
        self._lease = lease
        self._scheduler = lease.scheduler
        self._keep_images = keep_images
        self._priority = priority

    async def pages(self) -> AsyncGenerator[Page, None]:
        """Yield each selected page when it is read, in page order.

        Stopping early (or the caller being cancelled) drops the pages not yet
        started and cancels those in flight.
        """
        service, options = self._service, self._options
        iterator = self._document.pages()
        pending: deque[asyncio.Task[Page]] = deque()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < service.window:
                    tick = time.perf_counter()
                    decoded = await service.in_thread(next, iterator, None)
                    self.timings.decode += time.perf_counter() - tick
                    if decoded is None:
                        exhausted = True
                        break
                    if time.monotonic() > options.deadline:
                        # Decoding and text layers are not the engine's queue: check here too.
                        self._scheduler.stats.timed_out += 1
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
            await self._service.in_thread(self._document.close)
        finally:
            self._lease.release()
            shutil.rmtree(self._workdir, ignore_errors=True)

    async def _read(self, decoded: DecodedPage) -> Page:
        lines: tuple[Line, ...] = decoded.text_lines or ()
        rotation, ocr_s = 0, 0.0
        if decoded.source is Source.OCR and decoded.image is not None:
            started = time.perf_counter()
            (result,) = await self._scheduler.run(
                [decoded.image], self._options.engine, self._options.deadline, self._priority
            )
            ocr_s = time.perf_counter() - started
            self.timings.ocr += ocr_s
            lines, rotation = result.lines, result.rotation
        tick = time.perf_counter()
        page = await self._service.in_thread(
            lay_out, decoded, lines, rotation, self._options.min_score
        )
        self.timings.layout += time.perf_counter() - tick
        image = decoded.image if self._keep_images else None
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


class OCRService:
    """Runs documents through decoding, the chosen set's scheduler and layout."""

    def __init__(self, settings: Settings, pool: EnginePool) -> None:
        self.settings = settings
        self.pool = pool
        self._decode_limiter = anyio.CapacityLimiter(settings.decode_workers)
        self.window = max(2, settings.max_batch)
        self.limits = DocumentLimits(
            max_pages=settings.max_pages,
            max_pixels=settings.max_pixels,
            pdf_min_text_chars=settings.pdf_min_text_chars,
            pdf_render_timeout_s=settings.pdf_render_timeout_s,
        )

    @property
    def scheduler(self) -> InferenceScheduler:
        """The default set's scheduler (loaded before the service exists, never unloaded)."""
        loaded = self.pool.loaded(self.pool.default)
        assert loaded is not None, "the default model set is loaded before the service"
        return loaded.scheduler

    @property
    def backend(self) -> str:
        """The default set's inference backend."""
        return self.scheduler.engine.info.backend

    @property
    def model_name(self) -> str:
        """The default set's label."""
        return self.pool.catalogue.get(self.pool.default).label

    async def open(
        self,
        data: bytes,
        options: RequestOptions,
        filename: str | None = None,
        content_type: str | None = None,
        keep_images: KeepImages = "never",
        only_page: int | None = None,
        *,
        limits: DocumentLimits | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Reading:
        """Sniff and open an upload (name and type only sharpen error messages).

        ``keep_images`` says which yielded pages keep their pixels (see ``KeepImages``);
        ``only_page`` (1-based) reads that one page or frame alone. ``limits`` replace
        the configured ones (a job's page limit is higher); background pages (jobs)
        wait behind interactive ones on the engines and are never refused as busy.
        The caller must ``await reading.close()`` when done with it.
        """
        timings = Timings()
        kind = sniff(data, filename, content_type)
        # The set's first request waits here while it loads; others go on.
        lease = await self.pool.acquire(options.model_set or self.pool.default, options.deadline)
        workdir: Path | None = None
        keep = keep_images == "always" or (keep_images == "images" and kind is not MediaKind.PDF)
        try:
            if priority is Priority.INTERACTIVE:
                # Refuse before decoding: under overload an answer that costs nothing.
                lease.scheduler.refuse_if_full()
            workdir = Path(tempfile.mkdtemp(prefix="req-", dir=self._tmp_root()))
            document = await self.in_thread(
                open_document, data, kind, options.pdf, limits or self.limits, workdir,
                keep_images == "always", only_page,
            )
        except BaseException:
            lease.release()
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
        return Reading(self, document, kind, options, workdir, timings, lease, keep, priority)

    async def process(
        self,
        data: bytes,
        options: RequestOptions,
        filename: str | None = None,
        content_type: str | None = None,
        keep_images: KeepImages = "never",
    ) -> Document:
        """Read a whole document and return every selected page."""
        reading = await self.open(data, options, filename, content_type, keep_images)
        try:
            pages = [page async for page in reading.pages()]
        finally:
            await reading.close()
        return Document(reading.kind, reading.page_count, pages, reading.timings.as_ms(),
                        model=reading.model)

    async def in_thread(self, func: Callable[[Unpack[Ts]], T], *args: *Ts) -> T:
        """Run blocking document work in the service's bounded thread pool."""
        return await anyio.to_thread.run_sync(func, *args, limiter=self._decode_limiter)

    def _tmp_root(self) -> Path:
        root = self.settings.cache_dir / "tmp"
        root.mkdir(parents=True, exist_ok=True)
        return root


__all__ = ["KeepImages", "OCRService", "Reading", "Source", "lay_out"]
