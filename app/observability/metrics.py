"""Prometheus metrics: the registry of one app and the metrics recorded as things happen.

Four sources feed the registry that ``GET /metrics`` exposes:

- ``http_metrics.MetricsMiddleware`` counts every HTTP request by method, route
  *template* and status, times it, and counts the pages answered by source (``ocr``
  or ``text-layer``) from the request's ``RequestFacts``.
- ``engine_timing.timed_engine_factory`` wraps each engine so every engine call (one
  batch of pages, warm-up included) lands in the inference latency histogram.
- ``pool_collector.PoolCollector`` reads one pool snapshot at scrape time: each
  loaded set's scheduler counters, queue depth and engine identity, labelled
  ``model_set``, so nothing is counted twice and idle costs nothing.
- ``gpu_collector.GpuMemoryCollector`` reads the GPU's memory from the driver.

The registry belongs to the app, not to the process (tests build several apps in
one process). One process serves one container: with several worker processes
each would keep its own counts and a scrape would see one of them at random;
run one process per container and scale with replicas instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

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

REQUEST_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)
INFERENCE_BUCKETS: Final = (
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)
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
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series
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
