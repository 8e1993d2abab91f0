"""POST /paddlex/ocr: PaddleX basic serving's OCR API, so its clients switch by base URL.

Same JSON in (``{"file": <base64>, "fileType": 0|1, ...}``), same envelope out
(``{logId, errorCode, errorMsg, result: {ocrResults, dataInfo}}``), errors in
that envelope with the HTTP status as ``errorCode``, as PaddleX answers them.
Every page is OCRed (PDF mode ``ocr``), as PaddleX does, and lines are listed
in our reading order. The body is parsed here rather than by FastAPI so that a
malformed request also gets PaddleX's envelope.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app.api.deps import StateDep, get_service
from app.api.options import model_set_choice
from app.api.paddlex_shapes import (
    PaddleXError,
    PaddleXOCRRequest,
    PaddleXResult,
    check_file_type,
    error_body,
    file_bytes,
    log_id,
    refuse_unsupported,
    result_body,
)
from app.domain import (
    Document,
    EngineOptions,
    OutputFormat,
    PdfMode,
    PdfOptions,
    RequestOptions,
)
from app.errors import EmptyFile, OCRServiceError
from app.observability.request_facts import facts_of, request_id_of

logger = logging.getLogger("app.api")
router = APIRouter(tags=["paddlex"])

_EXAMPLE_OK = {
    "logId": "5f1c...", "errorCode": 0, "errorMsg": "Success",
    "result": {"ocrResults": [{"prunedResult": {"rec_texts": ["Invoice"],
                                                "rec_scores": [0.99],
                                                "rec_polys": [[[10, 8], [92, 8], [92, 30],
                                                               [10, 30]]],
                                                "rec_boxes": [[10, 8, 92, 30]]},
                               "ocrImage": None, "docPreprocessingImage": None,
                               "inputImage": None}],
               "dataInfo": {"width": 640, "height": 480, "type": "image"}},
}


@router.post(
    "/paddlex/ocr",
    summary="PaddleX-compatible OCR (basic serving's /ocr)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": PaddleXOCRRequest.model_json_schema()}}}},
    response_model=PaddleXResult,
    responses={
        200: {"content": {"application/json": {"example": _EXAMPLE_OK}},
              "description": "PaddleX's result envelope."},
        **{code: {"model": PaddleXError, "description": text} for code, text in (
            (400, "The file is empty."),
            (415, "Neither an image nor a PDF, judged from the bytes."),
            (422, "Invalid request (errorMsg: PaddleX's JSON list of errors), a URL in "
                  "'file', bad base64, fileType not matching the bytes, an option not "
                  "available here, unsupported language or unknown model set, or an "
                  "unreadable file."),
            (413, "The image or the page count exceeds a limit (a body over "
                  "OCR_MAX_UPLOAD_BYTES is refused before it is read, in the service's "
                  "own envelope)."),
            (500, "Internal error (no details)."),
            (503, "Not ready, or busy (see Retry-After)."),
            (504, "The request ran past its deadline."))},
    },
)
async def paddlex_ocr(request: Request, state: StateDep) -> JSONResponse:
    """OCR a base64 file and answer as PaddleX's OCR pipeline serving does."""
    req: PaddleXOCRRequest | None = None
    try:
        req = parse(PaddleXOCRRequest, await request.body())
        return JSONResponse(await _infer(request, state, req))
    except Exception as exc:
        return failure(request, req, exc)


def failure(request: Request, req: PaddleXOCRRequest | None, exc: Exception) -> JSONResponse:
    """Any error of a PaddleX route as PaddleX's envelope (never an exception's text)."""
    if isinstance(exc, Invalid):
        return _error(request, req, 422, exc.message)
    if isinstance(exc, OCRServiceError):
        facts_of(request).error_code = exc.code
        return _error(request, req, exc.status_code, exc.message, exc.headers)
    logger.exception("paddlex route failed", extra={"request_id": request_id_of(request)},
                     exc_info=exc)
    facts_of(request).error_code = "internal"
    return _error(request, req, 500, "Internal server error")


async def _infer(request: Request, state: StateDep, req: PaddleXOCRRequest) -> dict[str, object]:
    settings = state.settings
    data = paddlex_upload(request, state, req)
    options = paddlex_options(state, req)
    document = await read_paddlex(request, state, data, options, req.fileType)
    result = result_body(document, options.engine.det_limit_side_len, options.min_score,
                         options.engine.auto_rotate, settings.use_textline_orientation)
    return {"logId": log_id(req), "errorCode": 0, "errorMsg": "Success", "result": result}


def paddlex_upload(request: Request, state: StateDep, req: PaddleXOCRRequest) -> bytes:
    """The request's file, after refusing the options this service cannot honour (422,
    never ignored); 400 when it decodes to no bytes."""
    refuse_unsupported(req, state.settings.use_textline_orientation)
    data = file_bytes(req.file)
    if not data:
        raise EmptyFile("'file' decodes to no bytes.")
    facts_of(request).upload_bytes = len(data)
    return data


def paddlex_options(
    state: StateDep, req: PaddleXOCRRequest, **changes: Any
) -> RequestOptions:
    """A PaddleX request's options (every page OCRed, as PaddleX does), plus ``changes``."""
    settings = state.settings
    auto_rotate = (settings.auto_rotate if req.useDocOrientationClassify is None
                   else req.useDocOrientationClassify)
    return RequestOptions(
        # PaddleX's pipeline keeps every line by default.
        min_score=req.textRecScoreThresh or 0.0,
        engine=EngineOptions(det_limit_side_len=req.textDetLimitSideLen
                             or settings.det_limit_side_len, auto_rotate=auto_rotate),
        deadline=time.monotonic() + settings.request_timeout_s,
        pdf=PdfOptions(mode=PdfMode.OCR, dpi=settings.pdf_dpi),
        model_set=model_set_choice(state, req.model, req.lang),
        format=OutputFormat.JSON,
        **changes,
    )


async def read_paddlex(
    request: Request, state: StateDep, data: bytes, options: RequestOptions,
    file_type: int | None,
) -> Document:
    """``data`` read with ``options``; ``fileType`` checked against the bytes the service
    sniffed (once) before any page is read."""
    service = get_service(state)
    opened = await service.open(data, options)
    try:
        check_file_type(file_type, opened.kind)
    except BaseException:
        await opened.close()
        raise
    document = await service.collect(opened)
    facts_of(request).read((p.source for p in document.pages), service.backend)
    return document


class Invalid(Exception):
    """A request body PaddleX would refuse (422 with its JSON list of errors)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


RequestModel = TypeVar("RequestModel", bound=PaddleXOCRRequest)


def parse(model: type[RequestModel], body: bytes) -> RequestModel:
    """The body as ``model``; ``Invalid`` with PaddleX's error list otherwise."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        # PaddleX answers a JSON list of {type, loc, msg} as errorMsg.
        errors = [{"type": e["type"], "loc": ".".join(map(str, e["loc"])), "msg": e["msg"]}
                  for e in exc.errors()[:10]]
        raise Invalid(json.dumps(errors)) from None


def _error(request: Request, req: PaddleXOCRRequest | None, status: int, message: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    facts = facts_of(request)
    facts.error_code = facts.error_code or "invalid_option"
    all_headers = {"X-Request-ID": request_id_of(request), **(headers or {})}
    return JSONResponse(error_body(log_id(req), status, message), status_code=status,
                        headers=all_headers)
