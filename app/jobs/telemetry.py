"""Job metrics for /metrics: jobs by status, queue depth, pages read, job durations.

Queued and running counts come from the store (every replica sees the same
figures, so an HPA can scale on ``ocr_job_queue_depth``); they are refreshed by
the runner every few seconds because a scrape must not wait on Redis or SQLite.
Finished jobs, pages and durations are this process's own counters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.jobs.model import JobStatus

JOB_BUCKETS: Final = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 14400.0)


class JobMetrics(Collector):
    """The job figures of one app, registered on its registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.counts: dict[str, int] = {"queued": 0, "running": 0}
        self.finished_jobs = Counter(
            "ocr_jobs_finished", "Jobs this process finished, by final status.", ["status"],
            registry=registry)
        for status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED):
            self.finished_jobs.labels(status.value)
        self.pages = Counter(
            "ocr_job_pages", "Job pages this process read (rate() gives pages per second).",
            registry=registry)
        self.duration = Histogram(
            "ocr_job_duration_seconds", "Time from a job's start (or resumption) to its end.",
            buckets=JOB_BUCKETS, registry=registry)
        registry.register(self)

    def finished(self, status: JobStatus, seconds: float) -> None:
        """Account a job that ended here."""
        self.finished_jobs.labels(status.value).inc()
        if status is JobStatus.SUCCEEDED:
            self.duration.observe(seconds)

    def canceled(self) -> None:
        """Account a job canceled through this process."""
        self.finished_jobs.labels(JobStatus.CANCELED.value).inc()

    def page_done(self) -> None:
        """Account one job page read."""
        self.pages.inc()

    def describe(self) -> Iterable[Metric]:
        return self.collect()

    def collect(self) -> Iterable[Metric]:
        jobs = GaugeMetricFamily(
            "ocr_jobs", "Jobs queued and running now, across every replica of the store.",
            labels=["status"])
        for status in ("queued", "running"):
            jobs.add_metric([status], float(self.counts.get(status, 0)))
        depth = GaugeMetricFamily(
            "ocr_job_queue_depth", "Jobs waiting to start (all replicas): scale on this.")
        depth.add_metric([], float(self.counts.get("queued", 0)))
        return [jobs, depth]
