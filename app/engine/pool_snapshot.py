"""One reading of the engine pool, for /health, /metrics, /system/info and /models.

Read once per call from the event loop, so every figure a response or a scrape
reports comes from the same instant, and none of those modules needs to know
how the pool keeps its schedulers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.engine.types import EngineInfo

if TYPE_CHECKING:
    from app.engine.catalogue import SetEntry

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident memory of this process (Linux ``/proc``; 0 where unreadable)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True, slots=True)
class LoadedView:
    """What a loaded set is doing now."""

    info: EngineInfo
    workers: int
    alive: bool
    queued: int
    longest_busy_s: float
    leases: int
    idle_s: float
    load_seconds: float
    rss_growth_bytes: int
    stats: Mapping[str, Any] = field(default_factory=dict)
    started_at: float = 0.0


@dataclass(frozen=True, slots=True)
class SetSnapshot:
    """A catalogued set; ``state`` is None unless it is loaded."""

    entry: SetEntry
    loading: bool
    state: LoadedView | None

    @property
    def name(self) -> str:
        """The set's name."""
        return self.entry.name

    @staticmethod
    def of(entry: SetEntry, view: Mapping[str, Any] | None, *, loading: bool) -> SetSnapshot:
        """Read a set's figures from its scheduler (``view`` is None when not loaded)."""
        if view is None:
            return SetSnapshot(entry, loading, None)
        scheduler = view["scheduler"]
        return SetSnapshot(entry, loading, LoadedView(
            info=scheduler.engine.info,
            workers=len(scheduler.engines),
            alive=scheduler.alive,
            queued=scheduler.queued,
            longest_busy_s=scheduler.longest_busy(),
            leases=view["leases"],
            idle_s=view["idle_s"],
            load_seconds=view["load_seconds"],
            rss_growth_bytes=view["rss_growth_bytes"],
            stats=scheduler.stats.snapshot(),
            started_at=scheduler.stats.started_at,
        ))


@dataclass(frozen=True, slots=True)
class PoolSnapshot:
    """Every catalogued set at one instant, and the process memory then."""

    default: str
    sets: tuple[SetSnapshot, ...]
    max_loaded: int
    unloads: int
    rss_bytes: int

    @property
    def loaded(self) -> list[SetSnapshot]:
        """The loaded sets."""
        return [s for s in self.sets if s.state is not None]

    @property
    def default_state(self) -> LoadedView | None:
        """The default set's figures, None until it is loaded."""
        return next((s.state for s in self.sets if s.name == self.default), None)

    @property
    def alive(self) -> bool:
        """Whether every loaded set's worker threads run."""
        return all(s.state.alive for s in self.sets if s.state is not None)

    @property
    def longest_busy_s(self) -> float:
        """The longest engine call running now, over every loaded set."""
        return max((s.state.longest_busy_s for s in self.sets if s.state is not None),
                   default=0.0)
