"""POST /ocr/stream: one NDJSON line per page, sent as soon as that page is read.

The document is opened before the response starts, so a bad file or a limit is
a normal 4xx envelope; the lines come from ``app.service.stream``. A client that
goes away cancels the stream (Starlette listens for the disconnect): pages in
flight are cancelled, pages not started are never read.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.api.deps import ServiceDep, SettingsDep
from app.api.options import FileField, OptionsDep, read_upload
from app.api.schemas import ErrorEnvelope
from app.formats import ndjson
from app.observability.request_facts import facts_of
from app.service.stream import ndjson_lines

logger = logging.getLogger("app.api")
router = APIRouter(tags=["ocr"])

_EXAMPLE = (
    '{"type":"document","request_id":"9f1c2b7e4d0a4c55","page_count":2,'
    '"processed_pages":[1,2]}\n'
    '{"type":"page","index":1,"width":1654,"height":2339,"source":"ocr","lines":[...]}\n'
    '{"type":"page","index":2,"width":1654,"height":2339,"source":"ocr","lines":[...]}\n'
    '{"type":"end","timings_ms":{"decode":210.4,"ocr":3120.9,"layout":4.1,"total":3340.2}}\n'
)


UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope, "description": text} for code, text in {
        400: "empty_file: the upload has no bytes.",
        413: "file_too_large, image_too_large or page_limit_exceeded (use `pages`).",
        415: "unsupported_media_type: not an image or PDF, judged from the bytes.",
        422: "missing_file, invalid_option, corrupt_file, invalid_pages, "
        "pdf_password_required or pdf_password_incorrect.",
        503: "not_ready (warming up) or busy (queue full; see Retry-After).",
    }.items()
}
"""Errors of a route that opens an upload before answering (streams and jobs)."""


@router.post(
    "/ocr/stream",
    summary="OCR a document, stream pages as NDJSON",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/x-ndjson": {"example": _EXAMPLE}},
              "description": "A 'document' line, one 'page' line per page (the page object "
              "of /ocr/json) as soon as it is read, in page order, then an 'end' line with "
              "timings. An error after the first line ends the stream with an 'error' line "
              "holding the usual error body."},
        **UPLOAD_ERRORS,
    },
)
async def ocr_stream(
    request: Request, service: ServiceDep, settings: SettingsDep, file: FileField,
    options: OptionsDep,
) -> StreamingResponse:
    """Pages of the document as they are read (errors before the first page: 4xx/5xx)."""
    data = await read_upload(request, file, settings.max_upload_bytes)
    opened = await service.open(data, options, file.filename, file.content_type)
    del data
    facts = facts_of(request)
    lines = ndjson_lines(opened, facts.request_id,
                         lambda sources: facts.read(sources, service.backend))
    return StreamingResponse(lines, media_type=ndjson.MEDIA_TYPE)
