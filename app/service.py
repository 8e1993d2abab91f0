"""One document, start to finish: sniff, decode page by page, OCR, collect.

Decoding and rendering run in a bounded thread pool, inference in the
scheduler's worker; this coroutine only hands pages along. At most ``window``
decoded pages of a request exist at once, so memory stays flat however many
pages a document has, while the next page decodes as the engine reads the last.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar, TypeVarTuple, Unpack

import anyio

from app.config import Settings
from app.documents import images
from app.documents.pdf import PdfOptions, open_pdf
from app.documents.sniff import sniff
from app.documents.types import MediaKind, Page
from app.engine.scheduler import InferenceScheduler
from app.engine.types import EngineOptions, PageOCR, RecognizedLine
from app.errors import OCRServiceError, RequestTimeout

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Everything one request asked for. Immutable, passed along, never stored."""

    min_score: float
    engine: EngineOptions
    deadline: float
    pdf: PdfOptions = field(default_factory=PdfOptions)


@dataclass(slots=True)
class PageOutcome:
    """A processed page: where its text came from and every line found."""

    index: int
    width: int
    height: int
    source: str
    lines: tuple[RecognizedLine, ...]
    rotation: int = 0
    ocr_seconds: float = 0.0


@dataclass(slots=True)
class DocumentResult:
    kind: MediaKind
    page_count: int
    pages: list[PageOutcome]
    timings_ms: dict[str, float] = field(default_factory=dict)


class _Document(Protocol):
    page_count: int

    def pages(self) -> Iterator[Page]: ...

    def close(self) -> None: ...


class _ImageDocument:
    def __init__(self, data: bytes, kind: MediaKind, settings: Settings) -> None:
        self._data, self._kind, self._settings = data, kind, settings
        self.page_count = images.count_frames(
            data, kind, max_pixels=settings.max_pixels, max_pages=settings.max_pages
        )

    def pages(self) -> Iterator[Page]:
        return images.decode_pages(
            self._data,
            self._kind,
            max_pixels=self._settings.max_pixels,
            max_pages=self._settings.max_pages,
            frames=self.page_count,
        )

    def close(self) -> None:
        self._data = b""


class OCRService:
    """Runs documents through decoding and the scheduler."""

    def __init__(self, settings: Settings, scheduler: InferenceScheduler) -> None:
        self.settings = settings
        self.scheduler = scheduler
        self._decode_limiter = anyio.CapacityLimiter(settings.decode_workers)
        self.window = max(2, settings.max_batch)

    @property
    def backend(self) -> str:
        """The inference backend in use."""
        return self.scheduler.engine.info.backend

    @property
    def model_name(self) -> str:
        """The model set the engine runs."""
        return self.scheduler.engine.info.model_set

    async def process(
        self,
        data: bytes,
        options: RequestOptions,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> DocumentResult:
        """OCR one uploaded document (name and type only sharpen error messages)."""
        started = time.perf_counter()
        # Refuse before decoding: under overload an answer that costs nothing.
        self.scheduler.refuse_if_full()
        kind = sniff(data, filename, content_type)
        workdir = Path(tempfile.mkdtemp(prefix="req-", dir=self._tmp_root()))
        try:
            document = await self._in_thread(self._open, data, kind, options, workdir)
            try:
                pages, decode_s, ocr_s = await self._run_pages(document, options)
            finally:
                await self._in_thread(document.close)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        total_ms = (time.perf_counter() - started) * 1000
        timings = {
            "decode": round(decode_s * 1000, 1),
            "ocr": round(ocr_s * 1000, 1),
            "total": round(total_ms, 1),
        }
        return DocumentResult(kind, document.page_count, pages, timings)

    def _tmp_root(self) -> Path:
        root = self.settings.cache_dir / "tmp"
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _open(
        self, data: bytes, kind: MediaKind, options: RequestOptions, workdir: Path
    ) -> _Document:
        if kind is MediaKind.PDF:
            return open_pdf(
                data,
                options.pdf,
                max_pages=self.settings.max_pages,
                max_pixels=self.settings.max_pixels,
                min_text_chars=self.settings.pdf_min_text_chars,
                render_timeout_s=self.settings.pdf_render_timeout_s,
                workdir=workdir,
            )
        return _ImageDocument(data, kind, self.settings)

    async def _run_pages(
        self, document: _Document, options: RequestOptions
    ) -> tuple[list[PageOutcome], float, float]:
        iterator = document.pages()
        slots = asyncio.Semaphore(self.window)
        outcomes: list[asyncio.Task[PageOutcome] | PageOutcome] = []
        decode_s = 0.0
        try:
            async with asyncio.TaskGroup() as group:
                while True:
                    await slots.acquire()
                    tick = time.perf_counter()
                    page = await self._in_thread(next, iterator, None)
                    decode_s += time.perf_counter() - tick
                    if page is None:
                        break
                    if time.monotonic() > options.deadline:
                        # Decoding and text layers are not the engine's queue: check here too.
                        self.scheduler.stats.timed_out += 1
                        raise RequestTimeout("The request did not finish before its deadline.")
                    if page.image is None:
                        slots.release()
                        outcomes.append(_text_layer_outcome(page))
                        continue
                    outcomes.append(group.create_task(self._ocr_page(page, options, slots)))
                    del page  # the task holds the only reference to the pixels
        except BaseExceptionGroup as group_error:
            raise _first_error(group_error) from None
        pages = [o if isinstance(o, PageOutcome) else o.result() for o in outcomes]
        return pages, decode_s, sum(p.ocr_seconds for p in pages)

    async def _ocr_page(
        self, page: Page, options: RequestOptions, slots: asyncio.Semaphore
    ) -> PageOutcome:
        started = time.perf_counter()
        try:
            assert page.image is not None
            (result,) = await self.scheduler.run([page.image], options.engine, options.deadline)
        finally:
            slots.release()
        outcome = _ocr_outcome(page, result)
        outcome.ocr_seconds = time.perf_counter() - started
        return outcome

    async def _in_thread(self, func: Callable[[Unpack[Ts]], T], *args: *Ts) -> T:
        return await anyio.to_thread.run_sync(func, *args, limiter=self._decode_limiter)


def _ocr_outcome(page: Page, result: PageOCR) -> PageOutcome:
    return PageOutcome(
        page.index, page.width, page.height, "ocr", result.lines, result.rotation
    )


def _text_layer_outcome(page: Page) -> PageOutcome:
    return PageOutcome(
        page.index, page.width, page.height, "text-layer", page.text_lines or ()
    )


def _first_error(group: BaseExceptionGroup) -> BaseException:
    """The error to report from a failed task group: ours first, then anything."""
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop()
        if isinstance(exc, BaseExceptionGroup):
            stack.extend(reversed(exc.exceptions))
        else:
            leaves.append(exc)
    for exc in leaves:
        if isinstance(exc, OCRServiceError):
            return exc
    return leaves[0]
