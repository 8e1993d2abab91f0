"""What the process owns, from start to stop: the model-set pool, the service, the jobs.

The default set loads and warms up in the background so liveness answers at
once and readiness turns 200 only when a first inference has run; the sets in
``OCR_PRELOAD_SETS`` load after it, the others on their first request. Nothing
is created at import time: ``lifespan_for`` builds it all from the settings.
The job store opens before requests arrive; its runner takes jobs (queued, and
those a stopped process left running) once the default set is warm.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import numpy as np
from fastapi import FastAPI
from PIL import Image, ImageDraw

from app.api.state import AppState, Phase
from app.config import Settings
from app.engine.catalogue import build_catalogue
from app.engine.pool import EngineFactory, EnginePool
from app.engine.start_failure import log_start_failure
from app.engine.structure.loading import load_structure
from app.engine.types import OCREngine
from app.jobs.runner import JobRunner
from app.jobs.store import job_store
from app.jobs.telemetry import JobMetrics
from app.service import OCRService

logger = logging.getLogger("app.main")


def default_engine_factory(settings: Settings) -> OCREngine:
    """The real PaddleOCR engine (imported lazily: only ``engine`` imports backends)."""
    from app.engine.paddleocr_engine import load_engine

    return load_engine(settings)


def warmup_image() -> np.ndarray:
    """A small generated page with a line of text, for the first inference."""
    img = Image.new("RGB", (320, 64), "white")
    ImageDraw.Draw(img).text((10, 20), "Warm up 0123", fill="black")
    return np.asarray(img)


async def _start_pool(state: AppState, pool: EnginePool) -> None:
    settings = state.settings
    try:
        loaded = await pool.load(pool.default)
    except Exception as exc:
        log_start_failure(logger, exc)  # and FAILED ends `python -m app` (app/server.py)
        state.phase = Phase.FAILED
        return
    info = loaded.scheduler.engine.info
    state.engine_info = info
    # Layout and table models: from their wheels or not at all (never downloaded).
    state.structure = await asyncio.to_thread(
        load_structure, settings.structure_workers, settings.max_queue, settings.structure)
    state.service = OCRService(settings, pool, state.structure.runner)
    state.ready_after_s = round(time.monotonic() - state.started_at, 3)
    state.phase = Phase.READY
    logger.info(
        "engine ready in %.2fs: backend=%s device=%s model=%s workers=%d",
        state.ready_after_s, info.backend, info.device, info.model_set,
        len(loaded.scheduler.engines),
    )
    for name in settings.preload_sets:
        if name != pool.default:
            try:
                await pool.load(name)
            except Exception:  # the service runs; requests for that set will retry
                logger.exception("preloading model set %s failed", name)


def lifespan_for(
    state: AppState, factory: EngineFactory, job_metrics: JobMetrics
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's lifespan: fills ``state`` with the pool from first load to last close,
    the service and the job runner."""
    settings = state.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A fresh start each time the app starts (tests start one app more than once).
        state.phase, state.service, state.pool, state.jobs = Phase.STARTING, None, None, None
        state.engine_info, state.ready_after_s, state.structure = None, None, None
        state.started_at = time.monotonic()
        loader: asyncio.Task[None] | None = None
        try:
            catalogue = build_catalogue(settings)
            for name in settings.preload_sets:
                catalogue.get(name)  # an unknown name fails the start, not a request later
        except Exception as exc:
            log_start_failure(logger, exc)
            state.phase = Phase.FAILED
        else:
            state.pool = EnginePool(catalogue, settings, factory, warmup_image)
            loader = asyncio.create_task(_start_pool(state, state.pool))
        store = job_store(settings)
        await store.open()
        runner = JobRunner(store, settings, job_metrics, lambda: state.service)
        runner.start()
        state.jobs = runner
        try:
            yield
        finally:
            state.phase = Phase.STOPPING
            if loader is not None:
                loader.cancel()
            await runner.stop()  # jobs in progress resume at the next start
            await store.close()
            if state.pool is not None:
                await state.pool.close()
            if state.structure is not None and state.structure.runner is not None:
                await asyncio.to_thread(state.structure.runner.close)

    return lifespan
