"""The one protocol both job stores keep: embedded (SQLite + files) and Redis.

The runner and the routes only see this. A store keeps a job's record, its
upload until the job finishes, each page as soon as it is read (so a job picked
up again after a crash, a restart or another replica's death keeps what was
done) and the result until it expires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from app.config import Settings
from app.jobs.model import JobError, JobRecord, JobStatus


class JobStore(Protocol):
    """Durable job state shared by the routes and the runners that can see it."""

    mode: str
    """'embedded' or 'redis' (for /system/info)."""

    async def open(self) -> None:
        """Connect or create; jobs left running by a stopped process become takeable."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...

    async def submit(self, record: JobRecord, upload: bytes, max_queued: int) -> None:
        """Keep the upload and queue the job; ``Busy`` when ``max_queued`` jobs wait."""
        ...

    async def get(self, job_id: str) -> JobRecord | None:
        """The job's record, or None if there is none (or it is gone)."""
        ...

    async def claim(self, worker: str, wait_s: float) -> JobRecord | None:
        """Take the next queued job (or one whose worker died) for ``worker``.

        Waits up to ``wait_s`` for one; the job is ``running`` when returned.
        """
        ...

    async def renew(self, job_id: str, worker: str) -> bool:
        """Keep ``worker``'s hold on a running job; False when it has lost it."""
        ...

    async def upload(self, job_id: str) -> bytes | None:
        """The upload of a job not yet finished."""
        ...

    async def upload_file(self, job_id: str) -> Path | None:
        """The upload as a file on this machine (None: kept elsewhere; use ``upload``)."""
        ...

    async def describe(
        self, job_id: str, kind: str, page_count: int, page_numbers: list[int]
    ) -> None:
        """Record what the opened document holds."""
        ...

    async def save_page(self, job_id: str, index: int, page: bytes) -> bool:
        """Keep one finished page (0-based ``index``); False once the job is canceled."""
        ...

    async def done_pages(self, job_id: str) -> set[int]:
        """0-based indices of the pages already kept."""
        ...

    async def page_data(self, job_id: str) -> list[tuple[int, bytes]]:
        """Every kept page, by index."""
        ...

    async def finish(
        self, job_id: str, status: JobStatus, result: bytes | Path | None,
        error: JobError | None, ttl_s: float, event: bytes | None = None,
    ) -> bool:
        """End a running job: keep ``result`` (bytes, or a file the store takes over) for
        ``ttl_s``, drop upload and pages, and
        put ``event`` (a webhook outbox entry) in the outbox, due now, in the same step.

        False (and nothing changed) when the job was canceled meanwhile.
        """
        ...

    async def claim_event(self, hold_s: float) -> tuple[str, bytes, int] | None:
        """Take one due webhook event: (job id, outbox entry, attempts so far).

        Atomic across every process of the store; the event is not due again for
        ``hold_s`` (so another process retries it only if this one died).
        """
        ...

    async def event_attempt(self, job_id: str, attempt: dict[str, Any], state: str,
                            due: float | None) -> None:
        """Record one delivery attempt on the job; due again at ``due`` (Unix seconds),
        or out of the outbox when None (``state`` delivered or failed)."""
        ...

    async def result(self, job_id: str) -> bytes | None:
        """The result of a succeeded job, None once expired."""
        ...

    async def result_file(self, job_id: str) -> Path | None:
        """The result as a file on this machine, to stream from disk (None: the store
        keeps results elsewhere, or it has expired; use ``result``)."""
        ...

    async def cancel(self, job_id: str) -> None:
        """Cancel a queued or running job, or delete a finished one, with its data."""
        ...

    async def counts(self) -> dict[str, int]:
        """Jobs queued and running now, across every replica the store serves."""
        ...

    async def sweep(self, now: float) -> int:
        """Remove results (and uploads) past their lifetime; the number removed."""
        ...


def job_store(settings: Settings) -> JobStore:
    """The configured store, not yet opened: Redis when ``OCR_REDIS_URL`` is set."""
    if settings.redis_url is not None:
        from app.jobs.redis_store import RedisJobStore  # the client only when used

        return RedisJobStore(settings.redis_url.get_secret_value(), settings.job_lease_s)
    from app.jobs.sqlite_store import SqliteJobStore

    return SqliteJobStore(settings.job_folder)
