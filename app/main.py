"""App factory and lifespan: the lifespan owns the engine from load to close.

The engine loads and warms up in the background so liveness answers at once
and readiness turns 200 only when a first inference has run. Nothing is created
at import time; ``create_app`` builds everything from the settings it is given.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import numpy as np
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from PIL import Image, ImageDraw

from app import __version__
from app.api import annotate, health, ocr, system
from app.api import metrics as metrics_api
from app.api.docs import install_docs
from app.config import Settings
from app.domain import EngineOptions
from app.engine.scheduler import InferenceScheduler
from app.engine.types import OCREngine
from app.errors import install_error_handlers
from app.logs import RequestLogContext
from app.metrics import Metrics, install_metrics, timed_engine_factory
from app.middleware import RequestContextMiddleware
from app.security import ApiKeyDep
from app.service import OCRService
from app.state import AppState, Phase

logger = logging.getLogger("app.main")

EngineFactory = Callable[[Settings], OCREngine]


def default_engine_factory(settings: Settings) -> OCREngine:
    """The real PaddleOCR engine (imported lazily: only ``engine`` imports backends)."""
    from app.engine.paddleocr_engine import load_engine

    return load_engine(settings)


def warmup_image() -> np.ndarray:
    """A small generated page with a line of text, for the first inference."""
    img = Image.new("RGB", (320, 64), "white")
    ImageDraw.Draw(img).text((10, 20), "Warm up 0123", fill="black")
    return np.asarray(img)


def _load_engines(settings: Settings, factory: EngineFactory) -> list[OCREngine]:
    """Load ``settings.engine_workers`` engines and warm each up with one inference."""
    engines = []
    for _ in range(settings.engine_workers):
        engine = factory(settings)
        engines.append(engine)
        if settings.warmup:
            options = EngineOptions(settings.det_limit_side_len, auto_rotate=False)
            engine.predict([warmup_image()], options)
    return engines


async def _start_engine(state: AppState, factory: EngineFactory) -> None:
    settings = state.settings
    try:
        engines = await anyio.to_thread.run_sync(_load_engines, settings, factory)
    except Exception:
        logger.exception("engine failed to start")
        state.phase = Phase.FAILED
        return
    scheduler = InferenceScheduler(
        engines,
        max_queue=settings.max_queue,
        max_batch=settings.max_batch,
        max_wait_ms=settings.max_wait_ms,
    )
    scheduler.start()
    info = engines[0].info
    state.engine_info = info
    state.service = OCRService(settings, scheduler)
    state.ready_after_s = round(time.monotonic() - state.started_at, 3)
    state.phase = Phase.READY
    logger.info(
        "engine ready in %.2fs: backend=%s device=%s model=%s workers=%d",
        state.ready_after_s, info.backend, info.device, info.model_set, len(engines),
    )


def _lifespan(settings: Settings, factory: EngineFactory):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = AppState(settings=settings, started_at=time.monotonic())
        app.state.ocr = state
        loader = asyncio.create_task(_start_engine(state, factory))
        try:
            yield
        finally:
            state.phase = Phase.STOPPING
            loader.cancel()
            if state.service is not None:
                scheduler = state.service.scheduler
                await anyio.to_thread.run_sync(scheduler.close)
                for engine in scheduler.engines:
                    await anyio.to_thread.run_sync(engine.close)

    return lifespan


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
        lifespan=_lifespan(settings, factory),
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
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestLogContext)  # inside RequestContextMiddleware: needs its id
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_upload_bytes)
    return app
