"""Dependency aliases: what a route needs, resolved from the app's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.state import AppState, Phase
from app.config import Settings
from app.errors import NotReady
from app.observability.metrics import Metrics
from app.service import OCRService


def get_state(request: Request) -> AppState:
    """The lifespan-owned state of this app."""
    state: AppState = request.app.state.ocr
    return state


def get_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    """Settings in force."""
    return state.settings


def get_service(state: Annotated[AppState, Depends(get_state)]) -> OCRService:
    """The OCR service, or 503 not_ready while the engine warms up.

    Requests already arriving while the service drains (SIGTERM) are still
    served: they were accepted, and the scheduler finishes its queue first.
    """
    usable = state.phase in (Phase.READY, Phase.STOPPING) and state.service is not None
    if not usable or state.service is None:
        raise NotReady(f"The OCR engine is not ready (state: {state.phase.status}).",
                       headers={"Retry-After": "5"})
    return state.service


StateDep = Annotated[AppState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[OCRService, Depends(get_service)]


def get_metrics(state: Annotated[AppState, Depends(get_state)]) -> Metrics:
    """This app's metrics registry."""
    return state.metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]
