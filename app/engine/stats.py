"""Counters the scheduler keeps for /system/info (and, later, metrics)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class SchedulerStats:
    """Engine work done since start. Written by the worker, read by requests."""

    started_at: float = field(default_factory=time.monotonic)
    batches: int = 0
    pages: int = 0
    failed_batches: int = 0
    busy_seconds: float = 0.0
    rejected: int = 0
    timed_out: int = 0
    dropped: int = 0
    batch_sizes: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_batch(self, size: int, seconds: float, *, failed: bool = False) -> None:
        """Account one engine call of ``size`` pages that took ``seconds``."""
        with self._lock:
            self.batches += 1
            self.pages += size
            self.busy_seconds += seconds
            self.failed_batches += int(failed)
            self.batch_sizes[size] = self.batch_sizes.get(size, 0) + 1

    def snapshot(self) -> dict[str, object]:
        """A consistent copy for reporting."""
        with self._lock:
            uptime = max(time.monotonic() - self.started_at, 1e-9)
            return {
                "batches": self.batches,
                "pages": self.pages,
                "failed_batches": self.failed_batches,
                "busy_seconds": round(self.busy_seconds, 3),
                "busy_ratio": round(min(self.busy_seconds / uptime, 1.0), 4),
                "rejected": self.rejected,
                "timed_out": self.timed_out,
                "dropped": self.dropped,
                "batch_sizes": dict(sorted(self.batch_sizes.items())),
            }
