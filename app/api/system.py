"""/system/info: what runs, on what, within which limits. Never the environment."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict

from fastapi import APIRouter

from app import __version__
from app.api.deps import StateDep
from app.schemas import SystemInfo

router = APIRouter(tags=["system"])


@router.get("/system/info", summary="Versions, backend, device, model set and limits")
async def system_info(state: StateDep) -> SystemInfo:
    """Describe the running service; available while warming up too."""
    settings = state.settings
    info = state.engine_info
    engine: dict[str, object] = {"state": state.phase.value, "ready": state.ready}
    versions = {"service": __version__, "python": platform.python_version()}
    if info is not None:
        engine.update(
            backend=info.backend,
            device=info.device,
            requested_device=info.requested_device,
            device_fallback=info.device_fallback,
            gpu=info.gpu,
            model_set=info.model_set,
            det_model=info.det_model,
            rec_model=info.rec_model,
            model_files=[asdict(f) for f in info.files],
            warmup_s=state.ready_after_s,
        )
        versions.update(info.versions)
    scheduler: dict[str, object] = {}
    if state.service is not None:
        sched = state.service.scheduler
        scheduler = {"queued_pages": sched.queued, "worker_alive": sched.alive,
                     **sched.stats.snapshot()}
    return SystemInfo(
        service={"name": "ocr-service", "version": __version__,
                 "uptime_s": f"{time.monotonic() - state.started_at:.1f}"},
        versions=versions,
        engine=engine,
        limits={
            "max_upload_bytes": settings.max_upload_bytes,
            "max_pixels": settings.max_pixels,
            "max_pages": settings.max_pages,
            "max_queue": settings.max_queue,
            "max_batch": settings.max_batch,
            "max_wait_ms": settings.max_wait_ms,
            "request_timeout_s": settings.request_timeout_s,
            "min_score_default": settings.min_score,
            "engine_workers": settings.engine_workers,
            "threads_per_engine": settings.threads_per_engine,
            "gpu_mem_limit_mb_per_engine": settings.gpu_mem_limit_mb or None,
            "pdf_dpi_default": settings.pdf_dpi,
        },
        scheduler=scheduler,
    )
