"""What a job is: its record, its states, its id and owner, its options as stored values.

A job outlives the request that created it (and the process, and the replica), so
everything it needs to run again is plain data: the options as a dict, the
owner as a hash of the API key, times as Unix seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from app.domain import (
    ChunkOptions,
    EngineOptions,
    ExistingText,
    OutputFormat,
    PdfMode,
    PdfOptions,
    Priority,
    RequestOptions,
)

JOB_ID_BYTES: Final = 16
"""128 random bits: ids cannot be guessed or enumerated."""
_JOB_ID: Final = re.compile(r"^[0-9a-f]{32}$")



class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


@dataclass(slots=True)
class JobError:
    """Why a job failed, as its result endpoint reports it."""

    status_code: int
    code: str
    message: str


@dataclass(slots=True)
class JobRecord:
    """One job as stored (never holds the upload or the result)."""

    id: str
    owner: str
    format: str
    options: dict[str, Any]
    request_id: str
    status: JobStatus = JobStatus.QUEUED
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    kind: str | None = None
    page_count: int = 0
    page_numbers: list[int] = field(default_factory=list)
    pages_done: int = 0
    error: JobError | None = None
    expired: bool = False
    webhook: dict[str, Any] | None = None
    """The callback's delivery: ``{"state": pending|delivered|failed, "attempts": [...]}``
    (None: the job has no callback, or has not ended yet)."""

    @property
    def page_indices(self) -> tuple[int, ...]:
        """0-based indices of the pages the job reads (recorded when it was accepted)."""
        return tuple(n - 1 for n in self.page_numbers)


def new_job_id() -> str:
    """A fresh unguessable job id (32 hex digits)."""
    return secrets.token_hex(JOB_ID_BYTES)


def valid_job_id(job_id: str) -> bool:
    """Whether ``job_id`` has the shape of our ids (anything else is looked up nowhere)."""
    return bool(_JOB_ID.match(job_id))


def owner_of(api_key: str | None) -> str:
    """What a job stores about its creator: a hash of the API key ('' without keys)."""
    return hashlib.sha256(api_key.encode()).hexdigest() if api_key else ""


def same_owner(record: JobRecord, api_key: str | None) -> bool:
    """Whether the caller may see ``record`` (constant-time comparison)."""
    return hmac.compare_digest(record.owner.encode(), owner_of(api_key).encode())


def options_to_dict(options: RequestOptions) -> dict[str, Any]:
    """The request's options as stored values (the deadline is the job's own; the format
    is the record's)."""
    pdf = options.pdf
    return {
        "min_score": options.min_score,
        "det_limit_side_len": options.engine.det_limit_side_len,
        "auto_rotate": options.engine.auto_rotate,
        "word_boxes": options.engine.word_boxes,
        "words": options.words,
        "text_layout": options.text_layout,
        "model_set": options.model_set,
        "regions": options.regions,
        "tables": options.tables,
        "running_heads": options.running_heads,
        "pdf": {"mode": pdf.mode, "pages": pdf.pages, "dpi": pdf.dpi,
                "password": pdf.password, "existing_text": pdf.existing_text,
                "optimize": pdf.optimize},
        "chunks": {"max_tokens": options.chunks.max_tokens,
                   "overlap": options.chunks.overlap, "markdown": options.chunks.markdown},
    }


def options_from_dict(data: dict[str, Any], deadline: float, fmt: str) -> RequestOptions:
    """Stored options back as a job's: background priority, the job's result format
    ``fmt``, ``deadline`` (a monotonic instant)."""
    pdf = data["pdf"]
    return RequestOptions(
        min_score=data["min_score"],
        engine=EngineOptions(data["det_limit_side_len"], data["auto_rotate"],
                             data.get("word_boxes", False)),
        deadline=deadline,
        pdf=PdfOptions(PdfMode(pdf["mode"]), pdf["pages"], pdf["dpi"], pdf["password"],
                       ExistingText(pdf.get("existing_text", ExistingText.KEEP)),
                       pdf.get("optimize", 1)),
        text_layout=data["text_layout"],
        model_set=data.get("model_set"),
        words=data.get("words", False),
        regions=data.get("regions"),
        tables=data.get("tables"),
        running_heads=data.get("running_heads", False),
        chunks=ChunkOptions(**data.get("chunks", {})),
        format=OutputFormat(fmt),
        priority=Priority.BACKGROUND,
    )
