"""Typed domain errors and the one place that maps them to HTTP responses.

Every error a client sees has the same envelope::

    {"error": {"code": "...", "message": "...", "request_id": "..."}}

Unexpected exceptions become ``500 internal`` with a fixed message: their text
can hold file names, paths or library internals and never reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

logger = logging.getLogger("app.errors")


class OCRServiceError(Exception):
    """Base of every error the service reports on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class MissingFile(OCRServiceError):
    status_code = 422
    code = "missing_file"


class InvalidOption(OCRServiceError):
    status_code = 422
    code = "invalid_option"


class UnsupportedLanguage(OCRServiceError):
    """No installed model set reads the requested ``lang`` (the message lists those that do)."""

    status_code = 422
    code = "unsupported_language"


class UnknownModelSet(OCRServiceError):
    """The requested ``model`` names no installed set (the message lists them)."""

    status_code = 422
    code = "unknown_model_set"


class EmptyFile(OCRServiceError):
    status_code = 400
    code = "empty_file"


class UnsupportedMediaType(OCRServiceError):
    status_code = 415
    code = "unsupported_media_type"


class CorruptFile(OCRServiceError):
    status_code = 422
    code = "corrupt_file"


class FileTooLarge(OCRServiceError):
    status_code = 413
    code = "file_too_large"


class ImageTooLarge(OCRServiceError):
    status_code = 413
    code = "image_too_large"


class PageLimitExceeded(OCRServiceError):
    status_code = 413
    code = "page_limit_exceeded"


class InvalidPages(OCRServiceError):
    status_code = 422
    code = "invalid_pages"


class PdfPasswordRequired(OCRServiceError):
    status_code = 422
    code = "pdf_password_required"


class PdfPasswordIncorrect(OCRServiceError):
    status_code = 422
    code = "pdf_password_incorrect"


class PageTooComplex(OCRServiceError):
    """A page whose rendering exceeds its time budget: the input's fault, not ours."""

    status_code = 422
    code = "page_too_complex"


class NotAcceptable(OCRServiceError):
    """The ``Accept`` header names no output format the service writes."""

    status_code = 406
    code = "not_acceptable"


class RenderFailed(OCRServiceError):
    """An output format could not be written from a read document (a bug or a PDF
    whose structure the writer cannot extend); never answered as a broken 200."""

    status_code = 500
    code = "render_failed"


class NotReady(OCRServiceError):
    status_code = 503
    code = "not_ready"


class Busy(OCRServiceError):
    status_code = 503
    code = "busy"


class RequestTimeout(OCRServiceError):
    status_code = 504
    code = "timeout"


class JobNotFound(OCRServiceError):
    """No job with this id is visible to the caller (malformed, unknown or another key's)."""

    status_code = 404
    code = "job_not_found"


class JobNotFinished(OCRServiceError):
    status_code = 409
    code = "job_not_finished"


class JobExpired(OCRServiceError):
    status_code = 410
    code = "job_expired"


class JobCanceled(OCRServiceError):
    status_code = 410
    code = "job_canceled"


class EngineError(OCRServiceError):
    """The inference backend failed; the message is ours, never the backend's."""

    status_code = 500
    code = "internal"


class ModelSetError(Exception):
    """A model set is missing, incomplete or fails its checksum (start-up only)."""


class DeviceUnavailable(Exception):
    """The configured device cannot be used here; the message says why (start-up only)."""


# Status code -> error code for HTTP errors raised by the framework itself
# (unknown route, wrong method, ...), so they share the envelope.
_HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "file_too_large",
    415: "unsupported_media_type",
}


def request_id_of(request: Request) -> str:
    """The id the request-id middleware gave this request ('-' outside one)."""
    return str(getattr(request.state, "request_id", "-"))


def error_response(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build the one error envelope."""
    request_id = request_id_of(request)
    body: dict[str, Any] = {
        "error": {"code": code, "message": message, "request_id": request_id}
    }
    all_headers = {"X-Request-ID": request_id, **(headers or {})}
    return JSONResponse(body, status_code=status_code, headers=all_headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OCRServiceError)
    request.state.error_code = exc.code
    return error_response(request, exc.status_code, exc.code, exc.message, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(tuple(err.get("loc", ()))[-1:] == ("file",) for err in errors):
        request.state.error_code = MissingFile.code
        return error_response(
            request, 422, MissingFile.code, "Send the document as multipart form field 'file'."
        )
    parts = []
    for err in errors[:5]:
        field = ".".join(str(p) for p in err.get("loc", ())[1:]) or "request"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    request.state.error_code = InvalidOption.code
    return error_response(request, 422, InvalidOption.code, "; ".join(parts))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, OCRServiceError):
        # FastAPI wraps errors raised while it parses the body (our size cap).
        return await _service_error(request, exc.__cause__)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    request.state.error_code = code
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route's methods; a path served by several
        # routes (GET and DELETE /jobs/{id}) allows all of theirs.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(request, exc.status_code, code, str(exc.detail), headers)


def _allowed_methods(request: Request) -> list[str]:
    return sorted(_methods_for(request.app.router.routes, request.scope))


def _methods_for(routes: list[Any], scope: Any) -> set[str]:
    methods: set[str] = set()
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            methods |= _methods_for(included.routes, scope)
        elif route.matches(scope)[0] is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return methods


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception(
        "unhandled error", extra={"request_id": request_id_of(request)}, exc_info=exc
    )
    request.state.error_code = "internal"
    return error_response(request, 500, "internal", "Internal server error.")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the envelope."""
    app.add_exception_handler(OCRServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
