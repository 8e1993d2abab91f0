"""ASGI middleware: a request id, the log context that carries it, one access line.

Each HTTP request gets an id (a sane ``X-Request-ID`` from the client is echoed,
anything else replaced), a fresh ``RequestFacts`` record in its scope, and the id
as the current one for every line logged while it is served (threads started with
``anyio.to_thread`` inherit it). When the answer has been sent, one access line
reports the method, path, status, time and the facts the routes recorded.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability.log_config import current_request_id
from app.observability.request_facts import RequestFacts, facts_in

logger = logging.getLogger("app.access")
_VALID_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Give each request an id and a facts record; log it once when answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        facts = facts_in(scope)
        facts.request_id = _request_id(scope)
        started = time.perf_counter()
        status = 500  # what the client gets when an error escapes before a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", facts.request_id.encode()))
                message["headers"] = headers
            await send(message)

        token = current_request_id.set(facts.request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
            _log(scope, facts, status, (time.perf_counter() - started) * 1000)


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            candidate: str = value.decode("latin-1").strip()
            if _VALID_ID.match(candidate):
                return candidate
    return str(uuid.uuid4().hex[:16])


def _log(scope: Scope, facts: RequestFacts, status: int, ms: float) -> None:
    # Sizes, counts and timings only: never text or file content.
    pages = facts.pages
    logger.info(
        "%s %s %d %.1fms bytes=%s pages=%s backend=%s code=%s",
        scope.get("method", "-"),
        scope.get("path", "-"),
        status,
        ms,
        "-" if facts.upload_bytes is None else facts.upload_bytes,
        "-" if pages is None else pages,
        facts.backend or "-",
        facts.error_code or "-",
        extra={
            "request_id": facts.request_id,
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "duration_ms": round(ms, 1),
            "upload_bytes": facts.upload_bytes,
            "pages": pages,
            "backend": facts.backend,
            "error_code": facts.error_code,
        },
    )
