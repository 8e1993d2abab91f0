"""The OCR routes: plain text, JSON and a debug view of the same work."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from app.api.deps import ServiceDep, SettingsDep
from app.api.options import FileField, OptionsDep, read_upload
from app.api.present import debug_response, json_response
from app.domain import Document
from app.errors import request_id_of
from app.formats.text import document_text
from app.schemas import DebugResponse, ErrorEnvelope, OCRResponse

logger = logging.getLogger("app.api")
router = APIRouter(tags=["ocr"])


def _errors(*codes: int) -> dict[int | str, dict[str, object]]:
    described = {
        400: "empty_file: the upload has no bytes.",
        413: "file_too_large, image_too_large or page_limit_exceeded (use `pages`).",
        415: "unsupported_media_type: not an image or PDF, judged from the bytes.",
        422: "missing_file, invalid_option, unsupported_language, unknown_model_set, "
        "corrupt_file, invalid_pages, "
        "pdf_password_required, pdf_password_incorrect or page_too_complex.",
        503: "not_ready (warming up) or busy (queue full; see Retry-After).",
        504: "timeout: the request (or one PDF page's rendering) ran past its deadline.",
    }
    return {c: {"model": ErrorEnvelope, "description": described[c]} for c in codes}


_ERRORS = _errors(400, 413, 415, 422, 503, 504)


async def processed(
    request: Request, service: ServiceDep, settings: SettingsDep, file: FileField,
    options: OptionsDep,
) -> Document:
    """Read the upload and run it through the service (shared by the OCR routes)."""
    data = await read_upload(request, file, settings.max_upload_bytes)
    request.state.upload_bytes = len(data)
    request.state.backend = service.backend
    result = await service.process(data, options, file.filename, file.content_type)
    request.state.pages = len(result.pages)
    request.state.page_sources = [p.source for p in result.pages]  # for /metrics
    return result


ResultDep = Annotated[Document, Depends(processed)]


@router.post(
    "/ocr",
    summary="OCR a document, answer plain text",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"example": "Title\n\nFirst line of a "
                                                 "paragraph\nits second line\n"}},
                     "description": "Text in reading order (columns one after another). "
                     "text_layout=lines (default): one text line per line, a blank line "
                     "between paragraphs; text_layout=paragraphs: one paragraph per line, "
                     "words hyphenated across line ends rejoined. Pages are separated by a "
                     "form feed (\\f)."}, **_ERRORS},
)
async def ocr_text(result: ResultDep, options: OptionsDep) -> PlainTextResponse:
    """Recognized text in reading order, paragraph by paragraph."""
    return PlainTextResponse(document_text(result, options.text_layout))


@router.post("/ocr/json", summary="OCR a document, answer pages, lines, boxes",
             responses=_ERRORS)
async def ocr_json(request: Request, result: ResultDep, service: ServiceDep) -> OCRResponse:
    """Pages with their lines in reading order (text, confidence, polygon, box), blocks and
    paragraphs."""
    return json_response(result, request_id_of(request), result.model or service.model_name)


@router.post("/ocr/debug", summary="OCR with every line, timings and options",
             responses=_ERRORS)
async def ocr_debug(
    request: Request, result: ResultDep, options: OptionsDep, service: ServiceDep
) -> DebugResponse:
    """The JSON answer plus lines below min_score, per-stage timings and options."""
    return debug_response(result, options, request_id_of(request),
                          result.model or service.model_name)
