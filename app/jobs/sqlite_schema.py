"""The embedded job store's tables and how a row becomes a job record."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from app.jobs.model import JobError, JobRecord, JobStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, format TEXT NOT NULL, options TEXT NOT NULL,
    request_id TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL,
    started_at REAL, finished_at REAL, kind TEXT, page_count INTEGER NOT NULL DEFAULT 0,
    page_numbers TEXT NOT NULL DEFAULT '[]', pages_done INTEGER NOT NULL DEFAULT 0,
    error TEXT, expires_at REAL, forget_at REAL,
    expired INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created_at);
CREATE TABLE IF NOT EXISTS pages (
    job_id TEXT NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (job_id, idx)
);
"""
TOMBSTONE_S = 3600.0
"""An expired job's record (no content) stays at least this long: its result answers
410 job_expired rather than 404."""
SELECT_JOB = ("SELECT id, owner, format, options, request_id, status, created_at, started_at, "
               "finished_at, kind, page_count, page_numbers, pages_done, error, expired "
               "FROM jobs WHERE id=?")


def dump_error(error: JobError | None) -> str | None:
    """A job's error as stored."""
    return None if error is None else json.dumps(asdict(error))


def job_from_row(row: tuple[Any, ...]) -> JobRecord:
    """The record of a row selected by ``SELECT_JOB``."""
    (job_id, owner, fmt, options, request_id, status, created, started, finished, kind,
     page_count, page_numbers, pages_done, error, expired) = row
    return JobRecord(
        id=job_id, owner=owner, format=fmt, options=json.loads(options),
        request_id=request_id, status=JobStatus(status), created_at=created,
        started_at=started, finished_at=finished, kind=kind, page_count=page_count,
        page_numbers=json.loads(page_numbers), pages_done=pages_done,
        error=JobError(**json.loads(error)) if error else None, expired=bool(expired),
    )
