"""ASGI middleware: the request body's size cap, counted as the bytes arrive.

An oversized upload is refused while it streams in (with or without
Content-Length), before it is buffered or spooled to disk. The error raised here
is the domain's ``FileTooLarge``: FastAPI wraps it while parsing the form, and the
error handlers answer it with the one envelope (413).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import FileTooLarge

MULTIPART_OVERHEAD: Final = 64 * 1024
"""Room for multipart boundaries and the small option fields beside the file."""


class BodySizeLimit:
    """Refuse request bodies larger than the upload limit plus multipart overhead."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes + MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, self._capped(scope, receive), send)

    def _capped(self, scope: Scope, receive: Receive) -> Receive:
        limit = self.limit
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


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
