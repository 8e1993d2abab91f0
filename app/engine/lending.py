"""Idle engines lent to a busy one, so that a lone page uses every core.

Each engine is one-threaded (several one-thread engines beat one engine with
several threads under load, bench/RESULTS.md), so a lone dense page used to
keep one core busy while the others idled. The scheduler now offers the page's
engine the *other* engines as ``Helper``s; the engine takes those that are idle
at the moment it has work to share (the recognition of the page's text lines,
``rec_sharing.py``) and gives each back the moment its own worker has a page
again: a helper stops after the line batch it is reading, so a page that
arrives during a split waits for one line, not for the page.

Under load nothing changes: a busy engine's lock is held by its own worker,
and nothing is borrowed while pages wait in the queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class EngineSlot:
    """One engine's right of use: its own worker holds it while it reads pages."""

    engine: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    recalled: threading.Event = field(default_factory=threading.Event)
    """Set by the engine's own worker when it has a page and waits for the engine."""

    def reclaim(self) -> None:
        """Take the engine for its own worker, waiting for a helper's batch to end."""
        self.recalled.set()
        self.lock.acquire()
        self.recalled.clear()

    def release(self) -> None:
        """Hand the engine back after the worker's own call."""
        self.lock.release()


@dataclass(eq=False)
class Helper:
    """An engine that another engine may borrow while its own worker is idle."""

    slot: EngineSlot
    may_borrow: Callable[[], bool]
    """False while pages wait in the queue: then idle engines take those instead."""

    @property
    def engine(self) -> Any:
        """The lent engine (same model set as the borrower)."""
        return self.slot.engine

    def try_take(self) -> bool:
        """Borrow the engine if it is idle now and no page waits for it; never blocks."""
        if self.slot.recalled.is_set() or not self.may_borrow():
            return False
        return self.slot.lock.acquire(blocking=False)

    @property
    def recalled(self) -> bool:
        """Whether the engine's own worker wants it back."""
        return self.slot.recalled.is_set()

    def give_back(self) -> None:
        """Return a borrowed engine."""
        self.slot.lock.release()
