"""App factory: routers, middleware and error handlers around the lifespan.

What the process owns (the model-set pool, the service) lives in
``app.lifespan``. Nothing is created at import time; ``create_app`` builds
everything from the settings it is given.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import __version__
from app.api import annotate, health, jobs, models, ocr, paddlex, stream, system
from app.api import metrics as metrics_api
from app.api.docs import install_docs
from app.config import Settings
from app.engine.pool import EngineFactory
from app.errors import install_error_handlers
from app.jobs.telemetry import JobMetrics
from app.lifespan import default_engine_factory, lifespan_for, warmup_image
from app.logs import RequestLogContext
from app.metrics import Metrics, install_metrics, timed_engine_factory
from app.middleware import RequestContextMiddleware
from app.security import ApiKeyDep

logger = logging.getLogger("app.main")

__all__ = ["EngineFactory", "create_app", "default_engine_factory", "warmup_image"]

def create_app(
    settings: Settings | None = None, engine_factory: EngineFactory | None = None
) -> FastAPI:
    """Build the application for ``settings`` (read from the environment by default)."""
    settings = settings or Settings()
    metrics = Metrics()  # this app's own registry: several apps may share a process
    factory = timed_engine_factory(engine_factory or default_engine_factory, metrics)
    app = FastAPI(
        title="OCR service",
        version=__version__,
        description="PaddleOCR behind HTTP: images and PDFs in, text in reading order out.",
        lifespan=lifespan_for(settings, factory, JobMetrics(metrics.registry)),
        docs_url=None,  # /docs and /redoc come from install_docs: local assets, no CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    install_docs(app, settings)
    install_metrics(app, metrics)
    app.include_router(health.router)
    app.include_router(metrics_api.router, dependencies=[ApiKeyDep])
    app.include_router(system.router, dependencies=[ApiKeyDep])
    app.include_router(ocr.router, dependencies=[ApiKeyDep])
    app.include_router(annotate.router, dependencies=[ApiKeyDep])
    app.include_router(stream.router, dependencies=[ApiKeyDep])
    app.include_router(jobs.router, dependencies=[ApiKeyDep])
    app.include_router(models.router, dependencies=[ApiKeyDep])
    app.include_router(paddlex.router, dependencies=[ApiKeyDep])
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Location"],
        )
    app.add_middleware(RequestLogContext)  # inside RequestContextMiddleware: needs its id
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_upload_bytes)
    return app
