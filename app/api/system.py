"""/system/info: what runs, on what, within which limits. Never the environment."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict

from fastapi import APIRouter

from app import __version__
from app.api.deps import StateDep
from app.api.schemas import SystemInfo

router = APIRouter(tags=["system"])


@router.get("/system/info", summary="Versions, backend, device, model set and limits")
async def system_info(state: StateDep) -> SystemInfo:
    """Describe the running service; available while warming up too."""
    settings = state.settings
    snapshot = state.snapshot()  # one reading for every figure below
    default = snapshot.default_state if snapshot is not None else None
    info = default.info if default is not None else None
    engine: dict[str, object] = {"state": state.phase.status,
                                 "ready": state.health(snapshot).ready}
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
    if snapshot is not None:
        engine.update(default_set=snapshot.default,
                      loaded_sets=[s.name for s in snapshot.loaded])
    if state.structure is not None:
        engine["structure"] = state.structure.describe()
    scheduler: dict[str, object] = {}
    if default is not None:  # the default set's scheduler; GET /models has every set's
        scheduler = {"queued_pages": default.queued, "worker_alive": default.alive,
                     **default.stats}
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
            "max_loaded_sets": settings.max_loaded_sets,
            "job_store": "redis" if settings.redis_url else "embedded",
            "job_max_queued": settings.job_max_queued,
            "job_max_pages": settings.job_max_pages,
            "job_timeout_s": settings.job_timeout_s,
            "job_result_ttl_s": settings.job_result_ttl_s,
            "job_workers": settings.job_workers,
            "job_lease_s": settings.job_lease_s,
        },
        jobs=dict(state.jobs.metrics.counts) if state.jobs is not None else {},
        scheduler=scheduler,
    )
