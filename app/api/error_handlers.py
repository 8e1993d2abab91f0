"""The one place that turns errors into HTTP answers, all in one envelope.

Every error a client sees has the same shape::

    {"error": {"code": "...", "message": "...", "request_id": "..."}}

The service's typed errors (``app.errors``) keep their code and status; the
framework's own HTTP errors (unknown route, wrong method) and validation errors
get codes of their own. Unexpected exceptions become ``500 internal`` with a
fixed message: their text can hold file names, paths or library internals and
never reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.errors import InvalidOption, MissingFile, OCRServiceError
from app.observability.request_facts import facts_of, request_id_of

logger = logging.getLogger("app.errors")

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
    facts_of(request).error_code = exc.code
    return error_response(request, exc.status_code, exc.code, exc.message, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(tuple(err.get("loc", ()))[-1:] == ("file",) for err in errors):
        facts_of(request).error_code = MissingFile.code
        return error_response(
            request, 422, MissingFile.code, "Send the document as multipart form field 'file'."
        )
    parts = []
    for err in errors[:5]:
        field = ".".join(str(p) for p in err.get("loc", ())[1:]) or "request"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    facts_of(request).error_code = InvalidOption.code
    return error_response(request, 422, InvalidOption.code, "; ".join(parts))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, OCRServiceError):
        # FastAPI wraps errors raised while it parses the body (our size cap).
        return await _service_error(request, exc.__cause__)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    facts_of(request).error_code = code
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
    facts_of(request).error_code = "internal"
    return error_response(request, 500, "internal", "Internal server error.")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the envelope."""
    app.add_exception_handler(OCRServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
