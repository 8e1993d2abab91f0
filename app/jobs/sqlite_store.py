"""The embedded job store: job records and pages in SQLite, uploads and results as files.

One process owns the folder (``OCR_JOBS_DIR``). SQLite in WAL mode commits each
page before the next is read, and uploads are written (to a temporary name, then
renamed) before the job is recorded, so a killed process (``kill -9``) loses no
accepted job and no finished page: at the next start jobs left ``running`` are
queued again and resume where they stopped. Durability against power loss would
need ``synchronous=FULL`` on top (a fsync per page); a crash of the process does not.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio

from app.errors import Busy
from app.jobs import sqlite_outbox as outbox
from app.jobs.files import BlobFolder
from app.jobs.model import JobError, JobRecord, JobStatus
from app.jobs.sqlite_schema import SCHEMA, SELECT_JOB, TOMBSTONE_S, dump_error, job_from_row

T = TypeVar("T")

class SqliteJobStore:
    """Jobs of one process, kept in ``folder``."""

    mode = "embedded"

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._uploads = BlobFolder(folder / "uploads")
        self._results = BlobFolder(folder / "results")
        self._lock = threading.RLock()  # re-entered by _submit's count-then-insert
        self._db: sqlite3.Connection | None = None
        self._wake = asyncio.Event()

    async def open(self) -> None:
        """Create the folder and database; queue again what a stopped process left running."""
        await self._call(self._open)

    def _open(self) -> None:
        self._uploads.create()
        self._results.create()
        db = sqlite3.connect(self._folder / "jobs.sqlite3", check_same_thread=False,
                             isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        db.executescript(outbox.OUTBOX_SCHEMA)
        db.execute("UPDATE jobs SET status='queued' WHERE status='running'")
        self._db = db
        live = {row[0] for row in db.execute("SELECT id FROM jobs WHERE status='queued'")}
        self._uploads.drop_all_but(live)  # uploads of jobs that never got recorded

    async def close(self) -> None:
        """Close the database once no statement runs on it (a request's thread may still
        be reading it as the app stops: closing under it crashed the process)."""
        await self._call(self._close)

    def _close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
            if db is not None:
                db.close()

    async def submit(self, record: JobRecord, upload: bytes, max_queued: int) -> None:
        """Write the upload, then record the job (refused when too many wait)."""
        await self._call(self._submit, record, upload, max_queued)
        self._wake.set()

    def _submit(self, record: JobRecord, upload: bytes, max_queued: int) -> None:
        with self._lock:  # count and insert as one step
            self._submit_locked(record, upload, max_queued)

    def _submit_locked(self, record: JobRecord, upload: bytes, max_queued: int) -> None:
        (queued,) = self._one("SELECT count(*) FROM jobs WHERE status='queued'")
        if queued >= max_queued:
            raise Busy(f"{queued} jobs are waiting (the limit is {max_queued}); retry later.",
                       headers={"Retry-After": "30"})
        self._uploads.put(record.id, upload)
        self._sql(
            "INSERT INTO jobs (id, owner, format, options, request_id, status, created_at, "
            "kind, page_count, page_numbers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.id, record.owner, record.format, json.dumps(record.options),
             record.request_id, record.status.value, record.created_at, record.kind,
             record.page_count, json.dumps(record.page_numbers)),
        )

    async def get(self, job_id: str) -> JobRecord | None:
        """The job's record."""
        return await self._call(self._get, job_id)

    def _get(self, job_id: str) -> JobRecord | None:
        with self._lock:
            row = self._one(SELECT_JOB, (job_id,))
            if row is None:
                return None
            record = job_from_row(row)
            record.webhook = outbox.status(self._open_db(), job_id)
            return record

    async def claim(self, worker: str, wait_s: float) -> JobRecord | None:
        """The oldest queued job, now running (waits up to ``wait_s`` for one)."""
        self._wake.clear()
        job_id = await self._call(self._claim)
        if job_id is None:
            try:
                await asyncio.wait_for(self._wake.wait(), wait_s)
            except TimeoutError:
                return None
            job_id = await self._call(self._claim)
        return None if job_id is None else await self.get(job_id)

    def _claim(self) -> str | None:
        # One statement: two runners of this process never take the same job.
        row = self._one(
            "UPDATE jobs SET status='running', started_at=coalesce(started_at, ?) WHERE id="
            "(SELECT id FROM jobs WHERE status='queued' ORDER BY created_at LIMIT 1) "
            "RETURNING id", (time.time(),))
        return None if row is None else str(row[0])

    async def renew(self, job_id: str, worker: str) -> bool:
        """One process: a running job is always its own."""
        return True

    async def upload(self, job_id: str) -> bytes | None:
        """The kept upload."""
        return await self._call(self._uploads.get, job_id)

    async def upload_file(self, job_id: str) -> Path | None:
        """The kept upload's file."""
        return await self._call(self._uploads.path, job_id)

    async def describe(
        self, job_id: str, kind: str, page_count: int, page_numbers: list[int]
    ) -> None:
        """Record the document's kind and pages."""
        await self._call(self._sql, "UPDATE jobs SET kind=?, page_count=?, page_numbers=? "
                         "WHERE id=?", (kind, page_count, json.dumps(page_numbers), job_id))

    async def save_page(self, job_id: str, index: int, page: bytes) -> bool:
        """Keep a page unless the job was canceled."""
        return await self._call(self._save_page, job_id, index, page)

    def _save_page(self, job_id: str, index: int, page: bytes) -> bool:
        row = self._one("SELECT status FROM jobs WHERE id=?", (job_id,))
        if row is None or row[0] != JobStatus.RUNNING:
            return False
        self._sql("INSERT OR REPLACE INTO pages (job_id, idx, data) VALUES (?, ?, ?)",
                  (job_id, index, page))
        self._sql("UPDATE jobs SET pages_done=(SELECT count(*) FROM pages WHERE job_id=?) "
                  "WHERE id=?", (job_id, job_id))
        return True

    async def done_pages(self, job_id: str) -> set[int]:
        """Indices of the kept pages."""
        rows = await self._call(self._all, "SELECT idx FROM pages WHERE job_id=?", (job_id,))
        return {int(r[0]) for r in rows}

    async def page_data(self, job_id: str) -> list[tuple[int, bytes]]:
        """Every kept page, by index."""
        rows = await self._call(
            self._all, "SELECT idx, data FROM pages WHERE job_id=? ORDER BY idx", (job_id,))
        return [(int(r[0]), bytes(r[1])) for r in rows]

    async def finish(
        self, job_id: str, status: JobStatus, result: bytes | Path | None,
        error: JobError | None, ttl_s: float, event: bytes | None = None,
    ) -> bool:
        """End the job (and queue its webhook event) unless it was canceled meanwhile."""
        return await self._call(self._finish, job_id, status, result, error, ttl_s, event)

    def _finish(self, job_id: str, status: JobStatus, result: bytes | Path | None,
                error: JobError | None, ttl_s: float, event: bytes | None) -> bool:
        with self._lock:  # check, end and queue the event as one step
            return self._finish_locked(job_id, status, result, error, ttl_s, event)

    def _finish_locked(self, job_id: str, status: JobStatus, result: bytes | Path | None,
                       error: JobError | None, ttl_s: float, event: bytes | None) -> bool:
        row = self._one("SELECT status FROM jobs WHERE id=?", (job_id,))
        if row is None or row[0] != JobStatus.RUNNING:
            return False
        if isinstance(result, Path):
            self._results.put_file(job_id, result)
        elif result is not None:
            self._results.put(job_id, result)
        now = time.time()
        if event is not None:
            outbox.put(self._open_db(), job_id, event, now)
        self._sql("UPDATE jobs SET status=?, finished_at=?, error=?, expires_at=?, forget_at=? "
                  "WHERE id=?", (status.value, now, dump_error(error), now + ttl_s,
                                 now + ttl_s + max(ttl_s, TOMBSTONE_S), job_id))
        self._drop_work(job_id)
        return True

    async def claim_event(self, hold_s: float) -> tuple[str, bytes, int] | None:
        """The oldest due webhook event, held for ``hold_s``."""
        return await self._call(self._locked, outbox.claim, time.time(), hold_s)

    async def event_attempt(self, job_id: str, attempt: dict[str, Any], state: str,
                            due: float | None) -> None:
        """Record a delivery attempt; reschedule or settle the event."""
        await self._call(self._locked, outbox.record, job_id, attempt, state, due)

    def _locked(self, func: Callable[..., T], *args: Any) -> T:
        with self._lock:
            return func(self._open_db(), *args)

    async def result(self, job_id: str) -> bytes | None:
        """The result file, if still kept."""
        return await self._call(self._results.get, job_id)

    async def result_file(self, job_id: str) -> Path | None:
        """The result file, if still kept."""
        return await self._call(self._results.path, job_id)

    async def cancel(self, job_id: str) -> None:
        """Cancel (queued, running) or delete (finished) the job and its data."""
        await self._call(self._cancel, job_id)

    def _cancel(self, job_id: str) -> None:
        row = self._one("SELECT status FROM jobs WHERE id=?", (job_id,))
        if row is None:
            return
        if JobStatus(row[0]).finished:
            self._sql("DELETE FROM jobs WHERE id=?", (job_id,))
            self._sql("DELETE FROM webhooks WHERE job_id=?", (job_id,))
            self._results.drop(job_id)
        else:
            self._sql("UPDATE jobs SET status='canceled', finished_at=?, expires_at=?, "
                      "forget_at=? WHERE id=?", (time.time(), time.time(), time.time(), job_id))
        self._drop_work(job_id)

    async def counts(self) -> dict[str, int]:
        """Jobs queued and running."""
        rows = await self._call(self._all, "SELECT status, count(*) FROM jobs WHERE status IN "
                                "('queued', 'running') GROUP BY status", ())
        return {"queued": 0, "running": 0, **{str(s): int(n) for s, n in rows}}

    async def sweep(self, now: float) -> int:
        """Expire results past their lifetime; forget expired jobs after as long again."""
        return await self._call(self._sweep, now)

    def _sweep(self, now: float) -> int:
        rows = self._all("SELECT id FROM jobs WHERE expired=0 AND expires_at < ?", (now,))
        for (job_id,) in rows:
            self._results.drop(job_id)
            self._drop_work(job_id)
            self._sql("UPDATE jobs SET expired=1 WHERE id=?", (job_id,))
        self._sql("DELETE FROM jobs WHERE expired=1 AND forget_at < ?", (now,))
        self._locked(outbox.drop_forgotten)
        return len(rows)

    # --- helpers (worker threads, under the lock) -----------------------------

    def _drop_work(self, job_id: str) -> None:
        # A finished job needs neither its pages nor its upload nor a PDF password.
        self._sql("DELETE FROM pages WHERE job_id=?", (job_id,))
        self._sql("UPDATE jobs SET options=json_remove(options, '$.pdf.password') WHERE id=?",
                  (job_id,))
        self._uploads.drop(job_id)

    def _open_db(self) -> sqlite3.Connection:
        """The connection, under ``self._lock`` (held by the caller); Busy once closed."""
        if self._db is None:
            raise Busy("The job store is closed (the service is stopping).",
                       headers={"Retry-After": "5"})
        return self._db

    def _sql(self, query: str, args: tuple[Any, ...] = ()) -> None:
        with self._lock:
            self._open_db().execute(query, args)

    def _one(self, query: str, args: tuple[Any, ...] = ()) -> Any:
        with self._lock:
            return self._open_db().execute(query, args).fetchone()

    def _all(self, query: str, args: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            return self._open_db().execute(query, args).fetchall()

    async def _call(self, func: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(lambda: func(*args))
