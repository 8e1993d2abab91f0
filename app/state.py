"""What the lifespan owns: the engine's lifecycle state and the service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.config import Settings
from app.engine.types import EngineInfo
from app.service import OCRService


class Phase(StrEnum):
    STARTING = "starting"
    READY = "ok"
    FAILED = "failed"
    STOPPING = "stopping"


@dataclass
class AppState:
    """Mutable only by the lifespan; requests read it."""

    settings: Settings
    phase: Phase = Phase.STARTING
    service: OCRService | None = None
    engine_info: EngineInfo | None = None
    started_at: float = 0.0
    ready_after_s: float | None = None

    @property
    def ready(self) -> bool:
        """Whether OCR requests are accepted."""
        return self.phase is Phase.READY and self.service is not None
