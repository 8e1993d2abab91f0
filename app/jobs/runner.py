"""The job runner: takes jobs from the store and reads them on the shared engines.

Each of ``job_workers`` loops claims one job at a time, opens its upload with the
job page limit, and sends its pages to the scheduler at background priority:
interactive requests always go first, so a long job only uses engine time that
nobody is waiting for. Each page is kept in the store as soon as it is read;
a job picked up again (after a restart, or from a dead replica) skips the pages
already kept. The result is rendered once, at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import anyio

from app.config import Settings
from app.domain import Document, MediaKind, OutputFormat
from app.errors import OCRServiceError, RequestTimeout
from app.formats.registry import FORMATS
from app.jobs.model import JobError, JobRecord, JobStatus, options_from_dict
from app.jobs.pages import decode_page, encode_page
from app.jobs.store import JobStore
from app.jobs.telemetry import JobMetrics
from app.jobs.webhooks import WebhookSender, job_event
from app.service import OCRService

logger = logging.getLogger("app.jobs")
CLAIM_WAIT_S = 2.0
SWEEP_EVERY_S = 60.0


class JobRunner:
    """Runs this process's share of the jobs; owned by the lifespan."""

    def __init__(self, store: JobStore, settings: Settings, metrics: JobMetrics,
                 service: Callable[[], OCRService | None]) -> None:
        self.store, self.settings, self.metrics = store, settings, metrics
        self._service = service
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._canceled: set[str] = set()
        self.webhooks = WebhookSender(store, settings) if settings.webhook_allow else None

    def start(self) -> None:
        """Start the worker loops and the expiry sweep."""
        for _ in range(self.settings.job_workers):
            self._tasks.append(asyncio.create_task(self._work_loop()))
        self._tasks.append(asyncio.create_task(self._housekeeping()))
        if self.webhooks is not None:  # every replica helps deliver, even with 0 workers
            self._tasks.append(asyncio.create_task(self.webhooks.run()))

    async def stop(self) -> None:
        """Stop now; jobs in progress stay 'running' and resume at the next start."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def cancel_local(self, job_id: str) -> None:
        """Stop reading ``job_id`` here at once if this process is running it."""
        task = self._running.get(job_id)
        if task is not None:
            self._canceled.add(job_id)
            task.cancel()

    async def _work_loop(self) -> None:
        while True:
            service = self._service()
            if service is None:  # engine warming up
                await asyncio.sleep(0.5)
                continue
            try:
                record = await self.store.claim(self.worker, CLAIM_WAIT_S)
            except Exception:
                logger.exception("job store unavailable")
                await asyncio.sleep(CLAIM_WAIT_S)
                continue
            if record is None:
                continue
            task = asyncio.create_task(self._run(record, service))
            self._running[record.id] = task
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                if record.id not in self._canceled:  # the runner itself is stopping
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                    raise
            finally:
                self._running.pop(record.id, None)
                self._canceled.discard(record.id)

    async def _run(self, record: JobRecord, service: OCRService) -> None:
        started = time.monotonic()
        logger.info("job %s running (pages done before: %d)", record.id, record.pages_done)
        keeper = asyncio.create_task(self._keep(record.id))
        status, error, done = JobStatus.SUCCEEDED, None, record.pages_done
        try:
            done = await self._read(record, service)
            result = await self._render(record, service)
        except _Canceled:
            return
        except OCRServiceError as exc:
            status, result = JobStatus.FAILED, None
            error = JobError(exc.status_code, exc.code, exc.message)
        except Exception:
            logger.exception("job %s failed unexpectedly", record.id)
            status, result = JobStatus.FAILED, None
            error = JobError(500, "internal", "Internal server error.")
        finally:
            keeper.cancel()
        event = (job_event(record, status, error, done)
                 if record.options.get("callback_url") else None)
        finished = await self.store.finish(record.id, status, result, error,
                                           self.settings.job_result_ttl_s, event)
        if isinstance(result, Path):  # taken over by the store, or left by a cancel
            await anyio.to_thread.run_sync(lambda: result.unlink(missing_ok=True))
        if finished:
            if event is not None and self.webhooks is not None:
                self.webhooks.wake()
            elapsed = time.monotonic() - started
            self.metrics.finished(status, elapsed)
            logger.info("job %s %s pages=%d ms=%.0f%s", record.id, status.value, done,
                        elapsed * 1000, f" error={error.code}" if error else "")

    async def _read(self, record: JobRecord, service: OCRService) -> int:
        """Read every page not yet kept; the number of pages kept in the end.

        The job's pages were recorded when it was accepted: the service is asked for
        exactly those not kept yet, so a resumed job opens its upload once and reads
        each page once.
        """
        done = await self.store.done_pages(record.id)
        left = tuple(i for i in record.page_indices if i not in done)
        if record.page_numbers and not left:
            return len(done)
        data = await self.store.upload(record.id)
        if data is None:
            raise OCRServiceError("The job's upload is gone.")
        first_start = record.started_at or time.time()
        timeout_s = record.options.get("timeout_s", self.settings.job_timeout_s)
        budget = first_start + timeout_s - time.time()
        if budget <= 0:
            raise RequestTimeout("The job did not finish before its deadline.")
        options = options_from_dict(record.options, time.monotonic() + budget, record.format)
        if record.page_numbers:  # recorded at submission (older records: the selection)
            options = replace(options, pages=left)
        limits = replace(service.limits, max_pages=self.settings.job_max_pages)
        opened = await service.open(data, options, limits=limits)
        del data
        if not record.page_numbers:
            record.kind, record.page_count = opened.kind.value, opened.page_count
            record.page_numbers = opened.page_numbers
            await self.store.describe(record.id, opened.kind.value, opened.page_count,
                                      opened.page_numbers)
        try:
            async for page in opened.pages():
                if page.index in done:
                    continue
                if not await self.store.save_page(record.id, page.index, encode_page(page)):
                    raise _Canceled  # by its client, meanwhile
                done.add(page.index)
                self.metrics.page_done()
        finally:
            await opened.close()
        return len(done)

    async def _render(self, record: JobRecord, service: OCRService) -> bytes | Path:
        pages = [decode_page(data) for _, data in await self.store.page_data(record.id)]
        assert record.kind is not None  # recorded at submission
        options = options_from_dict(record.options, 0.0, record.format)
        document = Document(MediaKind(record.kind), record.page_count, pages,
                            {"ocr": round(sum(p.ocr_seconds for p in pages) * 1000, 1)},
                            model=service.model_label(options.model_set))
        # The searchable PDF is built on the client's file, kept until the job ends;
        # from file to file where the store keeps files (memory flat in the pages).
        source = await self.store.upload_file(record.id)
        if FORMATS[options.format].write_to is not None and source is not None:
            target = self.settings.job_folder / "tmp" / f"{record.id}.result"
            await anyio.to_thread.run_sync(
                lambda: target.parent.mkdir(parents=True, exist_ok=True))
            try:
                await service.write_to(document, options, source, target,
                                       request_id=record.request_id)
            except BaseException:
                with anyio.CancelScope(shield=True):  # no half-written file left behind
                    await anyio.to_thread.run_sync(lambda: target.unlink(missing_ok=True))
                raise
            return target
        upload = b""
        if options.format is OutputFormat.PDF:
            upload = await self.store.upload(record.id) or b""
        rendered = await service.write(document, options, request_id=record.request_id,
                                       upload=upload)
        return rendered.body

    async def _keep(self, job_id: str) -> None:
        """Renew this worker's lease on the job; stop the job if another took it over."""
        while True:
            await asyncio.sleep(self.settings.job_lease_s / 3)
            with contextlib.suppress(Exception):
                if not await self.store.renew(job_id, self.worker):
                    logger.warning("job %s was taken over by another replica", job_id)
                    self.cancel_local(job_id)
                    return

    async def _housekeeping(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                removed = await self.store.sweep(time.time())
                if removed:
                    logger.info("jobs expired: %d", removed)
            with contextlib.suppress(Exception):
                self.metrics.counts = await self.store.counts()
            await asyncio.sleep(min(SWEEP_EVERY_S, 5.0))


class _Canceled(Exception):
    """The job was canceled while it ran: the store has already dropped its data."""
