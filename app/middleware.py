"""ASGI middleware: request ids, one log line per request, and the body-size cap.

The cap counts bytes as they arrive, so an oversized upload is refused while it
streams in (with or without Content-Length), before it is buffered or spooled.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import FileTooLarge

logger = logging.getLogger("app.access")

MULTIPART_OVERHEAD: Final = 64 * 1024
"""Room for multipart boundaries and the small option fields beside the file."""
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Give each request an id (echoing a sane client one) and log it once."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes + MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, self._capped(scope, receive), send_with_id)
        finally:
            _log(scope, state, status, (time.perf_counter() - started) * 1000)

    def _capped(self, scope: Scope, receive: Receive) -> Receive:
        limit = self.max_body_bytes
        declared = _content_length(scope)
        received = 0

        async def receive_capped() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise FileTooLarge(f"The request body is larger than the limit of {limit} bytes.")
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise FileTooLarge(
                        f"The request body is larger than the limit of {limit} bytes."
                    )
            return message

        return receive_capped


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            candidate: str = value.decode("latin-1").strip()
            if _VALID_ID.match(candidate):
                return candidate
    return str(uuid.uuid4().hex[:16])


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _log(scope: Scope, state: dict[str, object], status: int, ms: float) -> None:
    # Sizes, counts and timings only: never text or file content.
    logger.info(
        "%s %s %d %.1fms bytes=%s pages=%s backend=%s code=%s",
        scope.get("method", "-"),
        scope.get("path", "-"),
        status,
        ms,
        state.get("upload_bytes", "-"),
        state.get("pages", "-"),
        state.get("backend", "-"),
        state.get("error_code", "-"),
        extra={
            "request_id": state.get("request_id", "-"),
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "duration_ms": round(ms, 1),
            "upload_bytes": state.get("upload_bytes"),
            "pages": state.get("pages"),
            "backend": state.get("backend"),
            "error_code": state.get("error_code"),
        },
    )
