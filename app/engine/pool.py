"""The engine pool: each model set with its own engines and scheduler, loaded on demand.

A set loads on its first request (or at start: the default set, and
``OCR_PRELOAD_SETS``) in a worker thread, so loading one set never holds up
requests for another; requests for a set that is loading wait for that one load.
At most ``max_loaded`` sets are loaded (or loading) at once: making room
unloads the least recently used set that no request holds. The default set is
never unloaded (readiness means it is warm). When every loaded set is in use, a
request for yet another set is refused with ``503 busy``: waiting could starve
it behind long documents, and exceeding the bound would defeat it.

Requests hold a *lease* on their set from ``open`` to ``close`` of their
document, so a set is never unloaded under a request still reading pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio

from app.config import Settings
from app.domain import EngineOptions, Pixels
from app.engine.catalogue import Catalogue, SetEntry
from app.engine.pool_snapshot import PoolSnapshot, SetSnapshot, rss_bytes
from app.engine.scheduler import InferenceScheduler
from app.engine.start_failure import failure_reason
from app.engine.types import OCREngine
from app.errors import Busy, EngineError, RequestTimeout

logger = logging.getLogger("app.engine")

EngineFactory = Callable[[Settings], OCREngine]
"""Builds one engine for the settings of one set (``settings.model_set`` names it)."""


@dataclass(eq=False)
class LoadedSet:
    """A set's engines and scheduler, and who is using them."""

    entry: SetEntry
    scheduler: InferenceScheduler
    load_seconds: float
    rss_growth_bytes: int
    """Process RSS after loading minus before: what the set cost (other loads aside)."""
    last_used: float = field(default_factory=time.monotonic)
    leases: int = 0


class Lease:
    """One request's hold on a loaded set; ``release`` exactly once."""

    def __init__(self, pool: EnginePool, loaded: LoadedSet) -> None:
        self._pool, self._loaded = pool, loaded
        self._released = False
        loaded.leases += 1

    @property
    def scheduler(self) -> InferenceScheduler:
        """The set's scheduler."""
        return self._loaded.scheduler

    @property
    def entry(self) -> SetEntry:
        """The set this lease holds."""
        return self._loaded.entry

    def release(self) -> None:
        """Let the set be unloaded again once no request holds it."""
        if not self._released:
            self._released = True
            self._loaded.leases -= 1
            self._loaded.last_used = time.monotonic()


class EnginePool:
    """Loaded sets by name, least recently used first. Used from the event loop only."""

    def __init__(
        self, catalogue: Catalogue, settings: Settings, factory: EngineFactory,
        warmup: Callable[[], Pixels],
    ) -> None:
        self.catalogue = catalogue
        self.settings = settings
        self.max_loaded = settings.max_loaded_sets
        self._factory = factory
        self._warmup = warmup
        self._loaded: OrderedDict[str, LoadedSet] = OrderedDict()
        self._loading: dict[str, asyncio.Task[LoadedSet]] = {}
        self._unloading: set[asyncio.Task[None]] = set()
        self.unloads = 0

    @property
    def default(self) -> str:
        """Name of the set requests get when they ask for none."""
        return self.catalogue.default

    def loaded(self, name: str) -> LoadedSet | None:
        """The loaded set called ``name``, if it is loaded."""
        return self._loaded.get(name)

    async def acquire(self, name: str, deadline: float | None = None) -> Lease:
        """A lease on set ``name``, loading it first if needed (waits at most to ``deadline``)."""
        # A loop: between a load finishing and its waiters resuming, a request for
        # yet another set may have unloaded it again (all slots busy, this one idle).
        while (loaded := self._loaded.get(name)) is None:
            task = self._loading.get(name) or self._start_load(name)
            budget = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                # Shielded: a waiter that gives up does not cancel the load for the others.
                await asyncio.wait_for(asyncio.shield(task), budget)
            except TimeoutError:
                raise RequestTimeout(
                    f"Model set {name!r} was still loading at the request's deadline.") from None
        self._loaded.move_to_end(name)
        return Lease(self, loaded)

    async def load(self, name: str) -> LoadedSet:
        """Load ``name`` now (start-up: the default set and the preloaded ones)."""
        lease = await self.acquire(name)
        lease.release()
        return self._loaded[name]

    def _start_load(self, name: str) -> asyncio.Task[LoadedSet]:
        entry = self.catalogue.get(name)
        self._make_room()
        task = asyncio.get_running_loop().create_task(self._load(entry))
        self._loading[name] = task
        task.add_done_callback(lambda _: self._loading.pop(name, None))
        return task

    def _make_room(self) -> None:
        while len(self._loaded) + len(self._loading) >= self.max_loaded:
            idle = [s for name, s in self._loaded.items()
                    if name != self.default and s.leases == 0 and s.scheduler.queued == 0]
            if not idle:
                raise Busy(
                    f"All {self.max_loaded} model-set slots are in use (OCR_MAX_LOADED_SETS); "
                    "retry shortly.", headers={"Retry-After": "5"})
            victim = idle[0]  # the OrderedDict is least recently used first
            del self._loaded[victim.entry.name]
            task = asyncio.get_running_loop().create_task(self._unload(victim))
            self._unloading.add(task)
            task.add_done_callback(self._unloading.discard)

    async def _load(self, entry: SetEntry) -> LoadedSet:
        started, before = time.monotonic(), rss_bytes()
        settings = self.settings.for_set(entry.name, entry.backend)
        try:
            engines = await anyio.to_thread.run_sync(self._build_engines, settings)
        except Exception as exc:
            # The default set loads once, at start: its failure ends `python -m app` and the
            # lifespan says why. Any other set's failure is told only here (its client gets
            # a plain 500): one line, the traceback at DEBUG.
            if entry.name != self.default:
                logger.error("model set %s failed to load: %s", entry.name, failure_reason(exc))
                logger.debug("model set %s failed to load", entry.name, exc_info=exc)
            raise EngineError(f"Model set {entry.name!r} failed to load.") from exc
        scheduler = InferenceScheduler(
            engines, max_queue=settings.max_queue, max_batch=settings.max_batch,
            max_wait_ms=settings.max_wait_ms, share_idle=settings.share_idle_engines)
        scheduler.start()
        loaded = LoadedSet(entry, scheduler, time.monotonic() - started, rss_bytes() - before)
        self._loaded[entry.name] = loaded
        logger.info("model set %s loaded in %.2fs: %d engine(s), RSS +%d MiB", entry.name,
                    loaded.load_seconds, len(engines), loaded.rss_growth_bytes >> 20)
        return loaded

    def _build_engines(self, settings: Settings) -> list[OCREngine]:
        engines: list[OCREngine] = []
        try:
            for _ in range(settings.engine_workers):
                engine = self._factory(settings)
                engines.append(engine)
                if settings.warmup:
                    options = EngineOptions(settings.det_limit_side_len, auto_rotate=False)
                    engine.predict([self._warmup()], options)
        except BaseException:
            for engine in engines:
                with contextlib.suppress(Exception):
                    engine.close()
            raise
        return engines

    async def unload(self, name: str) -> bool:
        """Unload set ``name`` now if no request holds it; False if it is busy or the default."""
        loaded = self._loaded.get(name)
        if loaded is None or name == self.default or loaded.leases or loaded.scheduler.queued:
            return False
        del loaded  # only _unload may hold the set, so that its memory can be freed
        await self._unload(self._loaded.pop(name))
        return True

    async def _unload(self, loaded: LoadedSet) -> None:
        self.unloads += 1
        name = loaded.entry.name
        await anyio.to_thread.run_sync(_close, loaded.scheduler)
        del loaded  # the last reference to the engines: reclaim can free them
        await anyio.to_thread.run_sync(_reclaim)
        logger.info("model set %s unloaded (least recently used)", name)

    async def close(self) -> None:
        """Stop every set after its queued pages; cancel loads under way."""
        for task in list(self._loading.values()):
            task.cancel()
        await asyncio.gather(*self._unloading, return_exceptions=True)
        while self._loaded:
            _, loaded = self._loaded.popitem()
            await anyio.to_thread.run_sync(_close, loaded.scheduler)

    def snapshot(self) -> PoolSnapshot:
        """Every catalogued set, loaded or not, read at one instant."""
        now = time.monotonic()
        sets = []
        for name, entry in self.catalogue.entries.items():
            loaded = self._loaded.get(name)
            sets.append(SetSnapshot.of(entry, _view(loaded, now) if loaded else None,
                                       loading=name in self._loading))
        return PoolSnapshot(self.default, tuple(sets), self.max_loaded, self.unloads,
                            rss_bytes())


def _view(loaded: LoadedSet, now: float) -> dict[str, object]:
    scheduler = loaded.scheduler
    return {
        "scheduler": scheduler, "leases": loaded.leases, "idle_s": now - loaded.last_used,
        "load_seconds": loaded.load_seconds, "rss_growth_bytes": loaded.rss_growth_bytes,
    }


def _close(scheduler: InferenceScheduler) -> None:
    """Stop a scheduler after its queued pages and close its engines."""
    scheduler.close()
    for engine in scheduler.engines:
        with contextlib.suppress(Exception):
            engine.close()


def _reclaim() -> None:
    """Give an unloaded set's memory back to the system."""
    gc.collect()
    # glibc keeps freed model buffers in its arenas: without malloc_trim most of
    # an unloaded set stays in the process RSS.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
