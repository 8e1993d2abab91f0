"""One document start to finish, rendered: sniff, open, read page by page, write the answer.

Every caller — a request, a stream, a job, the annotate view, the PaddleX route —
hands the service the upload and one ``RequestOptions``. ``render`` returns the
answer in the format the options name: it asks the formats registry what that
format needs (word boxes, pixels), reads the document accordingly and writes it.
Callers that take pages one at a time (streams, jobs) ``open`` the document and
iterate its pages; ``collect`` turns an opened document into a ``Document``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar, TypeVarTuple, Unpack

import anyio

from app.config import Settings
from app.documents.sniff import sniff
from app.documents.source import DocumentLimits, open_document
from app.domain import Document, MediaKind, PixelNeed, Priority, RequestOptions, Source
from app.engine.pool import EnginePool
from app.engine.pool_snapshot import PoolSnapshot
from app.engine.scheduler import InferenceScheduler
from app.engine.structure.runner import StructureRunner
from app.formats.base import RenderContext
from app.formats.registry import FORMATS
from app.service.opened import OpenedDocument
from app.service.structure import STRUCTURE_DPI
from app.service.timings import Timings

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True, slots=True)
class Rendered:
    """An answer: its bytes, their media type, and the document they were written from."""

    body: bytes
    media_type: str
    document: Document


class OCRService:
    """Runs documents through decoding, the chosen set's scheduler, layout and a format."""

    def __init__(self, settings: Settings, pool: EnginePool,
                 structure: StructureRunner | None = None) -> None:
        self.settings = settings
        self.pool = pool
        self.structure = structure
        """The layout and table models (None: not installed, or disabled)."""
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
        return self.model_label(None)

    def model_label(self, model_set: str | None) -> str:
        """The label of the set called ``model_set`` (None: the default set)."""
        return self.pool.catalogue.get(model_set or self.pool.default).label

    def snapshot(self) -> PoolSnapshot:
        """The engine pool read at one instant (for health, metrics and /system/info)."""
        return self.pool.snapshot()

    async def open(
        self, data: bytes, options: RequestOptions, filename: str | None = None,
        content_type: str | None = None, *, limits: DocumentLimits | None = None,
    ) -> OpenedDocument:
        """Sniff and open an upload (name and type only sharpen error messages).

        The pages read are ``options.pages`` (0-based) when set, else the PDF page
        selection; pixels are kept as the options' format needs them. ``limits``
        replace the configured ones (a job's page limit is higher); background pages
        (jobs) wait behind interactive ones and are never refused as busy. The caller
        must ``await opened.close()`` when done with it.
        """
        timings = Timings()
        kind = sniff(data, filename, content_type)
        options = self._for_format(options)
        pixels = FORMATS[options.format].pixels
        # The set's first request waits here while it loads; others go on.
        lease = await self.pool.acquire(options.model_set or self.pool.default, options.deadline)
        workdir: Path | None = None
        try:
            if options.priority is Priority.INTERACTIVE:
                # Refuse before decoding: under overload an answer that costs nothing.
                lease.scheduler.refuse_if_full()
            workdir = Path(tempfile.mkdtemp(prefix="req-", dir=self._tmp_root()))
            # A text-layer page is rendered only for a format that draws it, or when
            # structure was asked for explicitly (tables=true / regions=true).
            for_structure = self.structure is not None and any(
                options.structure_for(Source.TEXT_LAYER))
            render_text = pixels is PixelNeed.ALWAYS or for_structure
            # Only for the models: a lower resolution is enough (STRUCTURE_DPI).
            text_dpi = None if pixels is PixelNeed.ALWAYS else STRUCTURE_DPI
            document = await self.in_thread(
                open_document, data, kind, options.pdf, limits or self.limits, workdir,
                render_text, options.pages, text_dpi,
            )
        except BaseException:
            lease.release()
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
        keep = pixels is PixelNeed.ALWAYS or (
            pixels is PixelNeed.IMAGES and kind is not MediaKind.PDF)
        return OpenedDocument(document, kind, options, workdir, lease, self.in_thread,
                              window=self.window, timings=timings, keep_pixels=keep,
                              structure=self.structure,
                              max_cells=self.settings.max_table_cells)

    async def collect(self, opened: OpenedDocument) -> Document:
        """Read every page of ``opened`` and close it."""
        try:
            pages = [page async for page in opened.pages()]
        finally:
            await opened.close()
        return Document(opened.kind, opened.page_count, pages, opened.timings.as_ms(),
                        model=opened.model)

    async def read(
        self, data: bytes, options: RequestOptions, filename: str | None = None,
        content_type: str | None = None,
    ) -> Document:
        """Read a whole document: every selected page."""
        return await self.collect(await self.open(data, options, filename, content_type))

    async def render(
        self, data: bytes, options: RequestOptions, *, request_id: str = "",
        filename: str | None = None, content_type: str | None = None,
    ) -> Rendered:
        """Read the document and write it in ``options.format`` (``open`` turns on the word
        boxes the format needs)."""
        document = await self.read(data, options, filename, content_type)
        return await self.write(document, options, request_id=request_id, upload=data,
                                filename=filename)

    async def write(
        self, document: Document, options: RequestOptions, *, request_id: str = "",
        upload: bytes = b"", filename: str | None = None,
    ) -> Rendered:
        """Write a read ``document`` in ``options.format`` (a job's pages read earlier too)."""
        chosen = FORMATS[options.format]
        context = RenderContext(
            options=options, request_id=request_id, model=document.model or self.model_name,
            upload=upload, kind=document.kind, filename=filename,
        )
        body = await self.in_thread(chosen.write, document, context)
        return Rendered(body, chosen.media_type, document)

    async def write_to(
        self, document: Document, options: RequestOptions, source: Path, target: Path, *,
        request_id: str = "",
    ) -> None:
        """Write a read ``document`` from the upload file ``source`` to the file ``target``
        (formats with a file writer: a job's searchable PDF)."""
        chosen = FORMATS[options.format]
        assert chosen.write_to is not None, "only formats with a file writer"
        context = RenderContext(options=options, request_id=request_id,
                                model=document.model or self.model_name, kind=document.kind)
        await self.in_thread(chosen.write_to, document, context, source, target)

    async def in_thread(self, func: Callable[[Unpack[Ts]], T], *args: *Ts) -> T:
        """Run blocking document work in the service's bounded thread pool."""
        return await anyio.to_thread.run_sync(func, *args, limiter=self._decode_limiter)

    @staticmethod
    def _for_format(options: RequestOptions) -> RequestOptions:
        """``options`` with word boxes on when their format places words."""
        if FORMATS[options.format].needs_words and not options.engine.word_boxes:
            return replace(options, engine=replace(options.engine, word_boxes=True))
        return options

    def _tmp_root(self) -> Path:
        root = self.settings.cache_dir / "tmp"
        root.mkdir(parents=True, exist_ok=True)
        return root
