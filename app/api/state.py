"""The app's runtime: what the lifespan owns (pool, service, jobs) and where it stands.

Made by the app factory, filled in by the lifespan, read by the routes through
``app.api.deps``: the one object behind the web framework's ``app.state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.config import Settings
from app.engine.pool import EnginePool
from app.engine.pool_snapshot import PoolSnapshot
from app.engine.structure.loading import StructureStatus
from app.engine.types import EngineInfo
from app.jobs.runner import JobRunner
from app.observability.metrics import Metrics
from app.service import OCRService


class Phase(StrEnum):
    """Where the engine is. STARTING until warmed up (/health 503, /health/live 200);
    FAILED when it could not load, which ends ``python -m app`` (exit status 3)."""

    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPING = "stopping"

    @property
    def status(self) -> str:
        """The word /health and /system/info report: 'ok' once ready."""
        return "ok" if self is Phase.READY else self.value


@dataclass(frozen=True, slots=True)
class Health:
    """Readiness and liveness read from one pool snapshot."""

    phase: Phase
    ready: bool
    stalled: bool
    wedged: bool
    dead: bool


@dataclass
class AppState:
    """Mutable only by the lifespan; requests read it."""

    settings: Settings
    metrics: Metrics
    phase: Phase = Phase.STARTING
    service: OCRService | None = None
    pool: EnginePool | None = None
    engine_info: EngineInfo | None = None
    """The default set's engine (what /system/info and the ocr_model metric describe)."""
    jobs: JobRunner | None = None
    """The job store and runner (set once the store is open)."""
    structure: StructureStatus | None = None
    """The layout and table models, or why they are not loaded (set before READY)."""
    started_at: float = 0.0
    ready_after_s: float | None = None

    def snapshot(self) -> PoolSnapshot | None:
        """The pool read at one instant (None before the lifespan made it)."""
        return self.pool.snapshot() if self.pool is not None else None

    def health(self, snapshot: PoolSnapshot | None = None) -> Health:
        """Readiness from ``snapshot`` (taken now when not given).

        Ready: the default set is warm, every loaded set's workers run and no
        engine call has run past ``engine_stall_s``; wedged at three times that.
        """
        snapshot = snapshot if snapshot is not None else self.snapshot()
        busy = snapshot.longest_busy_s if snapshot is not None else 0.0
        stall_s = self.settings.engine_stall_s
        dead = snapshot is not None and not snapshot.alive
        default_warm = snapshot is not None and snapshot.default_state is not None
        stalled = busy > stall_s
        ready = (self.phase is Phase.READY and self.service is not None and default_warm
                 and not dead and not stalled)
        return Health(self.phase, ready, stalled, busy > 3 * stall_s, dead)

    @property
    def ready(self) -> bool:
        """Whether OCR requests are accepted."""
        return self.health().ready
