"""Index and health probes: liveness, readiness and the compose healthcheck."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app import __version__
from app.api.deps import StateDep
from app.api.schemas import HealthResponse, ServiceIndex
from app.api.state import Phase

router = APIRouter(tags=["health"])

_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": HealthResponse, "description": "Not ready (warming up or stopping)."}
}


@router.get("/", summary="Service name, version and links")
async def index() -> ServiceIndex:
    """Where to go next."""
    return ServiceIndex(
        name="ocr-service",
        version=__version__,
        links={
            "docs": "/docs",
            "redoc": "/redoc",
            "metrics": "/metrics",
            "openapi": "/openapi.json",
            "health": "/health",
            "info": "/system/info",
            "ocr": "/ocr",
            "ocr_json": "/ocr/json",
            "ocr_debug": "/ocr/debug",
            "ocr_annotate": "/ocr/annotate",
            "models": "/models",
            "paddlex_ocr": "/paddlex/ocr",
        },
    )


def _readiness(state: StateDep) -> JSONResponse:
    health = state.health()
    status = "stalled" if health.phase is Phase.READY and health.stalled else health.phase.status
    body = HealthResponse(status=status, ready=health.ready)
    return JSONResponse(body.model_dump(), status_code=200 if health.ready else 503)


@router.get("/health", summary="Healthcheck: 200 once the engine is warm", responses=_NOT_READY)
async def health(state: StateDep) -> JSONResponse:
    """200 when OCR requests are accepted, 503 before warm-up ends or while stopping."""
    return _readiness(state)


@router.get("/health/ready", summary="Readiness probe", responses=_NOT_READY)
async def health_ready(state: StateDep) -> JSONResponse:
    """Same as /health: route traffic here only when it answers 200."""
    return _readiness(state)


@router.get(
    "/health/live",
    summary="Liveness probe: the process is up",
    responses={503: {"model": HealthResponse,
                     "description": "The engine failed to load or is wedged: restart."}},
)
async def health_live(state: StateDep) -> JSONResponse:
    """200 while the process can serve; 503 when only a restart can help.

    That is: the default set failed to load, a worker thread died, or one engine call
    has run for three times ``OCR_ENGINE_STALL_S`` (a wedged predictor cannot be
    interrupted from Python; the orchestrator restarts the process instead).
    """
    health = state.health()
    if health.phase is Phase.FAILED or health.dead:
        body = HealthResponse(status="failed", ready=False)
    elif health.wedged:
        body = HealthResponse(status="wedged", ready=False)
    else:
        return JSONResponse(HealthResponse(status="alive", ready=health.ready).model_dump())
    return JSONResponse(body.model_dump(), status_code=503)
