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
    def stalled_for(self) -> float:
        """Seconds the current engine call has run past ``engine_stall_s`` (0 if none)."""
        if self.service is None:
            return 0.0
        busy = self.service.scheduler.longest_busy()
        return max(0.0, busy - self.settings.engine_stall_s)

    @property
    def stalled(self) -> bool:
        """An engine call is stuck: route traffic elsewhere until it ends."""
        return self.stalled_for > 0

    @property
    def wedged(self) -> bool:
        """Stuck for three stall periods: restarting the process is the way out."""
        if self.service is None:
            return False
        return self.service.scheduler.longest_busy() > 3 * self.settings.engine_stall_s

    @property
    def ready(self) -> bool:
        """Whether OCR requests are accepted."""
        return (
            self.phase is Phase.READY
            and self.service is not None
            and self.service.scheduler.alive
            and not self.stalled
        )
