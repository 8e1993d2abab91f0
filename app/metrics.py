"""Prometheus metrics: one registry per app, scheduler counters read at scrape time.

Three sources feed the registry that ``GET /metrics`` exposes:

- ``MetricsMiddleware`` counts every HTTP request by method, route *template*
  (``/ocr/json``, never a raw path: unknown paths are ``unmatched``) and status,
  times it, and counts the pages a request read by source (``ocr`` or
  ``text-layer``, from ``request.state.page_sources`` that the OCR routes set).
- ``timed_engine_factory`` wraps each engine so every engine call (one batch of
  pages, warm-up included) lands in the inference latency histogram.
- ``SchedulerCollector`` reads one pool snapshot when Prometheus scrapes: each
  loaded set's scheduler counters (``app.engine.stats.SchedulerStats``), queue
  depth and engine identity, labelled ``model_set``, so nothing is counted twice
  and idle costs nothing.

The registry belongs to the app, not to the process (tests build several apps in
one process). One process serves one container: with several worker processes
each would keep its own counts and a scrape would see one of them at random;
run one process per container and scale with replicas instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.config import Settings
from app.domain import EngineOptions, Image
from app.engine.types import EngineInfo, OCREngine, PageOCR
from app.state import AppState

REQUEST_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)
INFERENCE_BUCKETS: Final = (
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)
BATCH_BUCKETS: Final = (1, 2, 4, 8, 16, 32, 64)
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
    metrics.registry.register(SchedulerCollector(app))
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


# --- scheduler, read at scrape time -------------------------------------------


class SchedulerCollector(Collector):
    """Queue, engine and admission figures of every loaded model set, read when scraped.

    Everything comes from one pool snapshot, labelled by set; a set's counters
    start again from 0 when it is loaded again (Prometheus reads that as a reset).
    """

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def describe(self) -> Iterable[Metric]:
        # Families are known up front; their samples only at collect time.
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        state: AppState | None = getattr(self._app.state, "ocr", None)
        return self._families(state)

    def _families(self, state: AppState | None) -> list[Metric]:
        by_set = ["model_set"]
        ready = GaugeMetricFamily(
            "ocr_engine_ready", "1 when OCR requests are accepted (what /health reports).")
        loaded = GaugeMetricFamily(
            "ocr_model_set_loaded", "1 for each installed model set that is loaded now.",
            labels=by_set)
        unloads = CounterMetricFamily(
            "ocr_model_set_unloads",
            "Model sets unloaded to make room for another (OCR_MAX_LOADED_SETS).")
        workers = GaugeMetricFamily(
            "ocr_engine_workers", "Engines, each with its own thread.", labels=by_set)
        queue = GaugeMetricFamily(
            "ocr_queue_depth_pages", "Pages admitted and waiting for an engine.",
            labels=by_set)
        capacity = GaugeMetricFamily(
            "ocr_queue_capacity_pages", "Most pages a set's queue admits (OCR_MAX_QUEUE).")
        running = GaugeMetricFamily(
            "ocr_engine_call_running_seconds",
            "How long the longest engine call now running has taken (0 when idle).",
            labels=by_set)
        busy_ratio = GaugeMetricFamily(
            "ocr_engine_busy_ratio",
            "Share of time the engines spent inferring since the set loaded (0..1, averaged "
            "over workers); rate(ocr_engine_busy_seconds_total) shows recent load.",
            labels=by_set)
        busy = CounterMetricFamily(
            "ocr_engine_busy_seconds", "Seconds the engines spent inferring, all workers.",
            labels=by_set)
        batches = CounterMetricFamily("ocr_engine_batches", "Engine calls made.", labels=by_set)
        failed = CounterMetricFamily(
            "ocr_engine_failed_batches", "Engine calls that failed.", labels=by_set)
        rejected = CounterMetricFamily(
            "ocr_requests_rejected",
            "Requests refused with 503 busy because the queue was full.", labels=by_set)
        timed_out = CounterMetricFamily(
            "ocr_requests_timed_out",
            "Requests answered 504 because their deadline passed while pages waited for or "
            "ran on the engine.", labels=by_set)
        dropped = CounterMetricFamily(
            "ocr_pages_dropped",
            "Queued pages skipped because their request had timed out or gone away.",
            labels=by_set)
        info = InfoMetricFamily(
            "ocr_model", "Each loaded model set and its inference backend.",
            labels=["service_version", "backend", "device", "model_set", "det_model",
                    "rec_model"])
        batch_sizes = HistogramMetricFamily(
            "ocr_batch_size", "Pages per engine call.", labels=by_set)
        families: list[Metric] = [ready, loaded, unloads, workers, queue, capacity, running,
                                  busy_ratio, busy, batches, failed, rejected, timed_out,
                                  dropped, info, batch_sizes]
        snapshot = state.snapshot() if state is not None else None
        if state is None or snapshot is None:
            return families
        ready.add_metric([], float(state.health(snapshot).ready))
        capacity.add_metric([], float(state.settings.max_queue))
        unloads.add_metric([], float(snapshot.unloads))
        for one in snapshot.sets:
            name = one.name
            loaded.add_metric([name], float(one.state is not None))
            view = one.state
            if view is None:
                continue
            e = view.info
            info.add_metric(
                [__version__, e.backend, e.device, name, e.det_model, e.rec_model], {})
            snap = view.stats
            uptime = max(time.monotonic() - view.started_at, 1e-9)
            busy_s = _number(snap, "busy_seconds")
            workers.add_metric([name], float(view.workers))
            queue.add_metric([name], float(view.queued))
            running.add_metric([name], view.longest_busy_s)
            busy_ratio.add_metric([name], min(busy_s / (uptime * max(1, view.workers)), 1.0))
            busy.add_metric([name], busy_s)
            batches.add_metric([name], _number(snap, "batches"))
            failed.add_metric([name], _number(snap, "failed_batches"))
            rejected.add_metric([name], _number(snap, "rejected"))
            timed_out.add_metric([name], _number(snap, "timed_out"))
            dropped.add_metric([name], _number(snap, "dropped"))
            sizes = snap.get("batch_sizes")
            _add_batches(batch_sizes, name, sizes if isinstance(sizes, dict) else {},
                         _number(snap, "pages"))
        return families


def _number(snapshot: Mapping[str, object], key: str) -> float:
    value = snapshot.get(key, 0)
    return float(value) if isinstance(value, int | float) else 0.0


def _add_batches(
    family: HistogramMetricFamily, name: str, sizes: Mapping[int, int], pages: float
) -> None:
    """Pages per engine call, exact: the scheduler counts calls of each size."""
    buckets: list[tuple[str, float]] = []
    for bound in BATCH_BUCKETS:
        buckets.append((str(bound), float(sum(n for s, n in sizes.items() if s <= bound))))
    buckets.append(("+Inf", float(sum(sizes.values()))))
    family.add_metric([name], buckets, sum_value=pages)
