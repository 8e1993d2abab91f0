"""Pick the job store the settings ask for: Redis when ``OCR_REDIS_URL`` is set."""

from __future__ import annotations

from app.config import Settings
from app.jobs.store import JobStore


def job_store(settings: Settings) -> JobStore:
    """The configured store, not yet opened."""
    if settings.redis_url is not None:
        from app.jobs.redis_store import RedisJobStore  # the client only when used

        return RedisJobStore(settings.redis_url.get_secret_value(), settings.job_lease_s)
    from app.jobs.sqlite_store import SqliteJobStore

    return SqliteJobStore(settings.job_folder)
