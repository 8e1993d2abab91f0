"""App factory: routers, middleware, error handlers and metrics around the lifespan.

What the process owns (the model-set pool, the service, the jobs) lives in
``app.lifespan`` and is reached through one ``AppState`` (``app.api.state``). Nothing
is created at import time; ``create_app`` builds everything from the settings it is
given.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client.registry import Collector

from app import __version__
from app.api import (
    annotate,
    health,
    jobs,
    models,
    ocr,
    paddlex,
    paddlex_layout,
    stream,
    system,
)
from app.api import metrics as metrics_api
from app.api.body_limit import BodySizeLimit
from app.api.docs import install_docs
from app.api.error_handlers import install_error_handlers
from app.api.security import ApiKeyDep
from app.api.state import AppState
from app.config import Settings
from app.engine.pool import EngineFactory
from app.jobs.telemetry import JobMetrics
from app.lifespan import default_engine_factory, lifespan_for, warmup_image
from app.observability.engine_timing import timed_engine_factory
from app.observability.gpu_collector import GpuMemoryCollector
from app.observability.http_metrics import MetricsMiddleware
from app.observability.metrics import Metrics
from app.observability.pool_collector import PoolCollector
from app.observability.request_context import RequestContextMiddleware

logger = logging.getLogger("app.main")

__all__ = ["EngineFactory", "create_app", "default_engine_factory", "warmup_image"]


def create_app(
    settings: Settings | None = None, engine_factory: EngineFactory | None = None
) -> FastAPI:
    """Build the application for ``settings`` (read from the environment by default)."""
    settings = settings or Settings()
    metrics = Metrics()  # this app's own registry: several apps may share a process
    state = AppState(settings=settings, metrics=metrics)
    for collector in _collectors(state):
        metrics.registry.register(collector)
    factory = timed_engine_factory(engine_factory or default_engine_factory, metrics)
    app = FastAPI(
        title="OCR service",
        version=__version__,
        description="PaddleOCR behind HTTP: images and PDFs in, text in reading order out.",
        lifespan=lifespan_for(state, factory, JobMetrics(metrics.registry)),
        docs_url=None,  # /docs and /redoc come from install_docs: local assets, no CDN
        redoc_url=None,
    )
    app.state.ocr = state
    install_error_handlers(app)
    install_docs(app, settings)
    app.include_router(health.router)
    for router in (metrics_api.router, system.router, ocr.router, annotate.router,
                   stream.router, jobs.router, models.router, paddlex.router,
                   paddlex_layout.router):
        app.include_router(router, dependencies=[ApiKeyDep])
    # Middleware added last runs first: request context, then the body cap, CORS, metrics.
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Location"],
        )
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_upload_bytes)
    app.add_middleware(RequestContextMiddleware)
    return app


def _collectors(state: AppState) -> list[Collector]:
    """The scrape-time collectors, fed by readings of the pool, never by the app object."""
    return [
        PoolCollector(state.snapshot, lambda snapshot: state.health(snapshot).ready,
                      state.settings.max_queue),
        GpuMemoryCollector(lambda: state.engine_info),
    ]
