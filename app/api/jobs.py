"""Asynchronous jobs: submit a document, poll its status, download the result, cancel.

The upload is checked (type, limits, password) before the job is accepted, so a
bad file is a 4xx now rather than a failed job later. A job is visible only to
the API key that created it; any other id (malformed, unknown, expired long ago
or another key's) is the same 404.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from app.api.deps import ServiceDep, SettingsDep, StateDep
from app.api.error_handlers import error_response
from app.api.options import FileField, OptionsDep, read_upload
from app.api.ranges import ranged
from app.api.schemas import ErrorEnvelope
from app.api.security import ApiKey
from app.api.stream import UPLOAD_ERRORS
from app.domain import Priority
from app.errors import (
    JobCanceled,
    JobExpired,
    JobNotFinished,
    JobNotFound,
    NotReady,
)
from app.formats.registry import FORMATS, JOB_FORMATS, one_of
from app.jobs.model import (
    JobRecord,
    JobStatus,
    new_job_id,
    options_to_dict,
    owner_of,
    same_owner,
    valid_job_id,
)
from app.jobs.runner import JobRunner
from app.jobs.webhook_allow import MAX_URL_CHARS, AllowList, check_url, resolve
from app.observability.request_facts import request_id_of

logger = logging.getLogger("app.jobs")
router = APIRouter(tags=["jobs"])
_404: dict[int | str, dict[str, Any]] = {404: {
    "model": ErrorEnvelope,
    "description": "job_not_found: no such job for this API key (or a malformed id)."}}


class JobAccepted(BaseModel):
    id: str = Field(examples=["5f0c4a9e2b7d41c8a3e6f1d2b9c8a7e6"])
    status: JobStatus
    status_url: str
    result_url: str


class JobErrorBody(BaseModel):
    code: str
    message: str


class WebhookAttempt(BaseModel):
    n: int = Field(description="Attempt number, from 1.")
    at: float = Field(description="When it was made (Unix seconds).")
    status_code: int | None = Field(None, description="The receiver's HTTP status.")
    error: str | None = Field(None, description="timeout, connection or refused (the "
                              "allow-list refused the address): no status then.")
    ms: float


class WebhookInfo(BaseModel):
    state: Literal["pending", "delivered", "failed"]
    attempts: list[WebhookAttempt]


class JobInfo(BaseModel):
    id: str
    status: JobStatus
    page_count: int = Field(description="Pages in the document (0 until it is opened).")
    pages_selected: int = Field(description="Pages the job reads (the 'pages' field).")
    pages_done: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: JobErrorBody | None
    webhook: WebhookInfo | None = Field(
        None, description="The callback's delivery, once the job has ended (jobs with a "
        "callback_url only).")


def _runner(state: StateDep) -> JobRunner:
    if state.jobs is None:
        raise NotReady("Jobs are not available yet.", headers={"Retry-After": "5"})
    return state.jobs


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _info(record: JobRecord) -> JobInfo:
    error = record.error
    return JobInfo(
        id=record.id, status=record.status, page_count=record.page_count,
        pages_selected=len(record.page_numbers), pages_done=record.pages_done,
        created_at=_time(record.created_at) or datetime.now(UTC),
        started_at=_time(record.started_at), finished_at=_time(record.finished_at),
        error=None if error is None else JobErrorBody(code=error.code, message=error.message),
        webhook=None if record.webhook is None else WebhookInfo.model_validate(record.webhook),
    )


async def _visible(runner: JobRunner, job_id: str, key: str | None) -> JobRecord:
    record = await runner.store.get(job_id) if valid_job_id(job_id) else None
    if record is None or not same_owner(record, key):
        raise JobNotFound("No such job.")
    return record


_SUBMIT_ERRORS = {**UPLOAD_ERRORS, 422: {
    **UPLOAD_ERRORS[422], "description": f"{UPLOAD_ERRORS[422]['description'][:-1]}, or "
    "callback_refused (the callback_url is not allowed; nothing is accepted)."}}


@router.post("/jobs", status_code=202, summary="Submit a document as an asynchronous job",
             responses=_SUBMIT_ERRORS)
async def submit_job(
    request: Request, response: Response, state: StateDep, service: ServiceDep,
    settings: SettingsDep, key: ApiKey, file: FileField, options: OptionsDep,
    format: Annotated[str, Form(
        json_schema_extra={"enum": [f.value for f in JOB_FORMATS]},
        description="The result's format, written as /ocr writes it: text, json, hocr, alto, "
        "markdown, chunks or pdf (searchable PDF).")] = "json",
    callback_url: Annotated[str | None, Form(
        max_length=MAX_URL_CHARS, description="Called (POST, JSON, signed with "
        "X-OCR-Signature) when the job ends; its host must be allowed by OCR_WEBHOOK_ALLOW. "
        "Default: OCR_WEBHOOK_URL.")] = None,
) -> JobAccepted:
    """Accept the document now, read it in the background (pages behind interactive ones).

    ``timeout_ms`` here bounds the job from its start (default ``OCR_JOB_TIMEOUT_S``).
    """
    runner = _runner(state)
    options = replace(options, format=one_of(format, JOB_FORMATS),
                      priority=Priority.BACKGROUND)
    callback = callback_url or settings.webhook_url
    if callback:  # before the upload is opened or kept; a refused host is never called
        allow = AllowList.parse(settings.webhook_allow)
        await anyio.to_thread.run_sync(resolve, check_url(callback, allow), allow)
    form = await request.form()
    timeout_ms = form.get("timeout_ms")  # validated by OptionsDep; a job's clock starts later
    timeout_s = settings.job_timeout_s
    if isinstance(timeout_ms, str):
        timeout_s = min(timeout_s, float(timeout_ms) / 1000)
    data = await read_upload(request, file, settings.max_upload_bytes)
    limits = replace(service.limits, max_pages=settings.job_max_pages)
    # Opened once here to check it and record its pages; the runner reads exactly those.
    opened = await service.open(data, options, file.filename, file.content_type,
                                limits=limits)
    await opened.close()
    job_id = new_job_id()
    result_url = str(request.url_for("job_result", job_id=job_id))
    hook = {"callback_url": callback, "result_url": result_url} if callback else {}
    record = JobRecord(id=job_id, owner=owner_of(key), format=options.format.value,
                       options={**options_to_dict(options), "timeout_s": timeout_s, **hook},
                       request_id=request_id_of(request), kind=opened.kind.value,
                       page_count=opened.page_count, page_numbers=opened.page_numbers)
    await runner.store.submit(record, data, settings.job_max_queued)
    logger.info("job %s queued pages=%d bytes=%d", record.id, len(record.page_numbers),
                len(data))
    status_url = str(request.url_for("job_status", job_id=record.id))
    response.headers["Location"] = status_url
    return JobAccepted(id=record.id, status=record.status, status_url=status_url,
                       result_url=result_url)


@router.get("/jobs/{job_id}", name="job_status", summary="A job's status", responses=_404)
async def job_status(job_id: str, state: StateDep, key: ApiKey) -> JobInfo:
    """Status and progress (pages done) of a job."""
    return _info(await _visible(_runner(state), job_id, key))


@router.get(
    "/jobs/{job_id}/result", name="job_result", summary="A finished job's result",
    response_class=Response,
    responses={200: {"content": {FORMATS[f].media_type.split(";")[0]: {} for f in JOB_FORMATS},
                     "description": "The result in the job's format (the registry's media "
                     "type of each job format). Range requests are honoured: 206, or 416 "
                     "past the end."},
               409: {"model": ErrorEnvelope, "description": "job_not_finished"},
               410: {"model": ErrorEnvelope, "description": "job_expired or job_canceled"},
               **_404},
)
async def job_result(request: Request, job_id: str, state: StateDep, key: ApiKey) -> Response:
    """The result; the job's own error envelope if it failed."""
    runner = _runner(state)
    record = await _visible(runner, job_id, key)
    if record.status is JobStatus.FAILED and record.error is not None:
        return error_response(request, record.error.status_code, record.error.code,
                              record.error.message)
    if record.status is JobStatus.CANCELED:
        raise JobCanceled("The job was canceled.")
    if not record.status.finished:
        raise JobNotFinished(f"The job is {record.status.value}; poll its status.",
                             headers={"Retry-After": "2"})
    media_type = FORMATS[one_of(record.format, JOB_FORMATS)].media_type
    # From disk where the store keeps files (Range handled, nothing buffered here).
    path = None if record.expired else await runner.store.result_file(job_id)
    if path is not None:
        return FileResponse(path, media_type=media_type)
    result = None if record.expired else await runner.store.result(job_id)
    if result is None:
        raise JobExpired("The job's result has expired and was removed.")
    return ranged(request, result, media_type)


@router.delete("/jobs/{job_id}", status_code=204, summary="Cancel or delete a job",
               responses=_404)
async def delete_job(job_id: str, state: StateDep, key: ApiKey) -> Response:
    """Cancel a queued or running job (pages not started are dropped), or delete a
    finished one with its result."""
    runner = _runner(state)
    record = await _visible(runner, job_id, key)
    await runner.store.cancel(job_id)
    runner.cancel_local(job_id)
    if not record.status.finished:
        runner.metrics.canceled()
        logger.info("job %s canceled pages=%d", job_id, record.pages_done)
    else:
        logger.info("job %s deleted", job_id)
    return Response(status_code=204)
