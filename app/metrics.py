"""Prometheus metrics: one registry per app, scheduler counters read at scrape time.

Four sources feed the registry that ``GET /metrics`` exposes:

- ``MetricsMiddleware`` counts every HTTP request by method, route *template*
  (``/ocr/json``, never a raw path: unknown paths are ``unmatched``) and status,
  times it, and counts the pages a request read by source (``ocr`` or
  ``text-layer``, from ``request.state.page_sources`` that the OCR routes set).
- ``timed_engine_factory`` wraps each engine so every engine call (one batch of
  pages, warm-up included) lands in the inference latency histogram.
- ``PoolCollector`` (``app.pool_metrics``) reads one pool snapshot at scrape time: each
  loaded set's scheduler counters (``app.engine.stats.SchedulerStats``), queue
  depth and engine identity, labelled ``model_set``, so nothing is counted twice
  and idle costs nothing.
- ``GpuMemoryCollector`` (app/metrics_gpu.py) reads the GPU's memory from the driver.

The registry belongs to the app, not to the process (tests build several apps in
one process). One process serves one container: with several worker processes
each would keep its own counts and a scrape would see one of them at random;
run one process per container and scale with replicas instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from fastapi import FastAPI
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.domain import EngineOptions, Image
from app.engine.types import EngineInfo, OCREngine, PageOCR
from app.metrics_gpu import GpuMemoryCollector
from app.pool_metrics import PoolCollector

REQUEST_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)
INFERENCE_BUCKETS: Final = (
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)
UNMATCHED: Final = "unmatched"
"""Route label of requests that matched no route (404): raw paths never become labels."""
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PAGE_SOURCES: Final = ("ocr", "text-layer")


class Metrics:
    """The registry of one app and the metrics recorded as things happen."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "ocr_http_requests", "HTTP requests by method, route template and status code.",
            ["method", "route", "status"], registry=registry,
        )
        self.request_seconds = Histogram(
            "ocr_http_request_duration_seconds",
            "Time from request start to the end of the response, by method and route template.",
            ["method", "route"], buckets=REQUEST_BUCKETS, registry=registry,
        )
        self.in_flight = Gauge(
            "ocr_http_requests_in_flight", "HTTP requests being served now.", registry=registry,
        )
        self.pages = Counter(
            "ocr_pages", "Pages answered, by where their text came from: 'ocr' (read by the "
            "engine) or 'text-layer' (a PDF page's own text).", ["source"], registry=registry,
        )
        for source in PAGE_SOURCES:
            self.pages.labels(source)  # both series exist from the start, at 0
        self.inference_seconds = Histogram(
            "ocr_inference_duration_seconds",
            "Duration of one engine call (one batch of pages), warm-up calls included, "
            "by model set.", ["model_set"], buckets=INFERENCE_BUCKETS, registry=registry,
        )
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)

    def observe_request(
        self, method: str, route: str, status: int, seconds: float,
        page_sources: Sequence[str] | None,
    ) -> None:
        """Account one finished HTTP request."""
        method = method if method in _METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)
        for source in page_sources or ():
            if source in PAGE_SOURCES:
                self.pages.labels(source).inc()


def metrics_of(app: FastAPI) -> Metrics:
    """The metrics of ``app`` (set up by ``install_metrics``)."""
    metrics: Metrics = app.state.metrics
    return metrics


def install_metrics(app: FastAPI, metrics: Metrics) -> None:
    """Make ``metrics`` the registry of ``app``: its scheduler, its requests.

    The metrics exist before the app so that ``timed_engine_factory`` can be
    handed to the app's lifespan.
    """
    disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series
    metrics.registry.register(PoolCollector(app))
    metrics.registry.register(GpuMemoryCollector(app))
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)


# --- requests ---------------------------------------------------------------


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
            state: dict[str, Any] = scope.get("state", {})
            self.metrics.observe_request(
                scope.get("method", "GET"), route_template(scope), status,
                time.perf_counter() - started, state.get("page_sources"),
            )


# --- engine calls -----------------------------------------------------------


class TimedEngine:
    """An engine that reports the duration of each ``predict`` call to a histogram."""

    def __init__(self, engine: OCREngine, histogram: Histogram) -> None:  # one set's child
        self.wrapped = engine
        self._histogram = histogram

    @property
    def info(self) -> EngineInfo:
        """The wrapped engine's description."""
        return self.wrapped.info

    def predict(self, images: list[Image], options: EngineOptions) -> list[PageOCR]:
        """Run the wrapped engine and time it (failed calls too)."""
        started = time.perf_counter()
        try:
            return self.wrapped.predict(images, options)
        finally:
            self._histogram.observe(time.perf_counter() - started)

    def close(self) -> None:
        """Close the wrapped engine."""
        self.wrapped.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def timed_engine_factory(
    factory: Callable[[Settings], OCREngine], metrics: Metrics
) -> Callable[[Settings], OCREngine]:
    """``factory`` whose engines time their calls into ``metrics``."""

    def build(settings: Settings) -> OCREngine:
        histogram = metrics.inference_seconds.labels(settings.model_set)
        return TimedEngine(factory(settings), histogram)

    return build
