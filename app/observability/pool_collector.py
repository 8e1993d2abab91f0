"""Engine-pool metrics, read from one pool snapshot when Prometheus scrapes.

Nothing here counts anything: each loaded set's scheduler keeps its own
counters (``app.engine.stats.SchedulerStats``) and this collector turns one
reading of them into metric families labelled ``model_set``, so idle costs
nothing and nothing is counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from app import __version__
from app.engine.pool_snapshot import PoolSnapshot

BATCH_BUCKETS: Final = (1, 2, 4, 8, 16, 32, 64)


class PoolCollector(Collector):
    """Queue, engine and admission figures of every loaded model set, read when scraped.

    Everything comes from one pool snapshot, labelled by set; a set's counters
    start again from 0 when it is loaded again (Prometheus reads that as a reset).
    """

    def __init__(
        self, snapshot: Callable[[], PoolSnapshot | None], ready: Callable[[PoolSnapshot], bool],
        queue_capacity: int,
    ) -> None:
        """``snapshot`` reads the pool (None before it exists); ``ready`` says from one
        reading whether requests are accepted (what /health reports)."""
        self._snapshot, self._ready, self._capacity = snapshot, ready, queue_capacity

    def describe(self) -> Iterable[Metric]:
        # Families are known up front; their samples only at collect time.
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        return self._families(self._snapshot())

    def _families(self, snapshot: PoolSnapshot | None) -> list[Metric]:
        by_set = ["model_set"]
        ready = GaugeMetricFamily(
            "ocr_engine_ready", "1 when OCR requests are accepted (what /health reports).")
        loaded = GaugeMetricFamily(
            "ocr_model_set_loaded", "1 for each installed model set that is loaded now.",
            labels=by_set)
        unloads = CounterMetricFamily(
            "ocr_model_set_unloads",
            "Model sets unloaded to make room for another (OCR_MAX_LOADED_SETS).")
        workers = GaugeMetricFamily(
            "ocr_engine_workers", "Engines, each with its own thread.", labels=by_set)
        queue = GaugeMetricFamily(
            "ocr_queue_depth_pages", "Pages admitted and waiting for an engine.",
            labels=by_set)
        capacity = GaugeMetricFamily(
            "ocr_queue_capacity_pages", "Most pages a set's queue admits (OCR_MAX_QUEUE).")
        running = GaugeMetricFamily(
            "ocr_engine_call_running_seconds",
            "How long the longest engine call now running has taken (0 when idle).",
            labels=by_set)
        busy_ratio = GaugeMetricFamily(
            "ocr_engine_busy_ratio",
            "Share of time the engines spent inferring since the set loaded (0..1, averaged "
            "over workers); rate(ocr_engine_busy_seconds_total) shows recent load.",
            labels=by_set)
        busy = CounterMetricFamily(
            "ocr_engine_busy_seconds", "Seconds the engines spent inferring, all workers.",
            labels=by_set)
        batches = CounterMetricFamily("ocr_engine_batches", "Engine calls made.", labels=by_set)
        failed = CounterMetricFamily(
            "ocr_engine_failed_batches", "Engine calls that failed.", labels=by_set)
        rejected = CounterMetricFamily(
            "ocr_requests_rejected",
            "Requests refused with 503 busy because the queue was full.", labels=by_set)
        timed_out = CounterMetricFamily(
            "ocr_requests_timed_out",
            "Requests answered 504 because their deadline passed while pages waited for or "
            "ran on the engine.", labels=by_set)
        dropped = CounterMetricFamily(
            "ocr_pages_dropped",
            "Queued pages skipped because their request had timed out or gone away.",
            labels=by_set)
        info = InfoMetricFamily(
            "ocr_model", "Each loaded model set and its inference backend.",
            labels=["service_version", "backend", "device", "model_set", "det_model",
                    "rec_model"])
        batch_sizes = HistogramMetricFamily(
            "ocr_batch_size", "Pages per engine call.", labels=by_set)
        families: list[Metric] = [ready, loaded, unloads, workers, queue, capacity, running,
                                  busy_ratio, busy, batches, failed, rejected, timed_out,
                                  dropped, info, batch_sizes]
        if snapshot is None:
            return families
        ready.add_metric([], float(self._ready(snapshot)))
        capacity.add_metric([], float(self._capacity))
        unloads.add_metric([], float(snapshot.unloads))
        for one in snapshot.sets:
            name = one.name
            loaded.add_metric([name], float(one.state is not None))
            view = one.state
            if view is None:
                continue
            e = view.info
            info.add_metric(
                [__version__, e.backend, e.device, name, e.det_model, e.rec_model], {})
            snap = view.stats
            uptime = max(time.monotonic() - view.started_at, 1e-9)
            busy_s = _number(snap, "busy_seconds")
            workers.add_metric([name], float(view.workers))
            queue.add_metric([name], float(view.queued))
            running.add_metric([name], view.longest_busy_s)
            busy_ratio.add_metric([name], min(busy_s / (uptime * max(1, view.workers)), 1.0))
            busy.add_metric([name], busy_s)
            batches.add_metric([name], _number(snap, "batches"))
            failed.add_metric([name], _number(snap, "failed_batches"))
            rejected.add_metric([name], _number(snap, "rejected"))
            timed_out.add_metric([name], _number(snap, "timed_out"))
            dropped.add_metric([name], _number(snap, "dropped"))
            sizes = snap.get("batch_sizes")
            _add_batches(batch_sizes, name, sizes if isinstance(sizes, dict) else {},
                         _number(snap, "pages"))
        return families


def _number(snapshot: Mapping[str, object], key: str) -> float:
    value = snapshot.get(key, 0)
    return float(value) if isinstance(value, int | float) else 0.0


def _add_batches(
    family: HistogramMetricFamily, name: str, sizes: Mapping[int, int], pages: float
) -> None:
    """Pages per engine call, exact: the scheduler counts calls of each size."""
    buckets: list[tuple[str, float]] = []
    for bound in BATCH_BUCKETS:
        buckets.append((str(bound), float(sum(n for s, n in sizes.items() if s <= bound))))
    buckets.append(("+Inf", float(sum(sizes.values()))))
    family.add_metric([name], buckets, sum_value=pages)
