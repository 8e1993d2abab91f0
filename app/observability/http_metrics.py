"""HTTP metrics: each request counted and timed once answered, by route template.

Routes are labelled by their template (``/ocr/json``, never a raw path: unknown
paths are ``unmatched``), so a scanner probing random URLs cannot blow up the
series. Pages answered are counted by source from the request's ``RequestFacts``.
"""

from __future__ import annotations

import time
from typing import Final

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability.metrics import Metrics
from app.observability.request_facts import facts_in

UNMATCHED: Final = "unmatched"
"""Route label of requests that matched no route (404): raw paths never become labels."""


def route_template(scope: Scope) -> str:
    """The template of the route that handled ``scope`` (``/ocr/json``), or 'unmatched'.

    A mounted app (the docs assets) is labelled with its mount path.
    """
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    root_path = scope.get("root_path", "")
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        if isinstance(route, Mount) and route.path and root_path.endswith(route.path):
            return route.path
    return UNMATCHED


class MetricsMiddleware:
    """Count and time each HTTP request once it has been answered."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when an error escapes before a response

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self.metrics.in_flight.dec()
            self.metrics.observe_request(
                scope.get("method", "GET"), route_template(scope), status,
                time.perf_counter() - started, facts_in(scope).page_sources,
            )


