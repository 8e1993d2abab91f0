"""The shared job store: every replica reads and writes jobs in one Redis.

The queue is a Redis stream read through a consumer group: ``XREADGROUP`` hands
each job to one replica, which holds it as a pending entry; the replica renews
its hold by re-claiming the entry (which resets its idle time) every third of
the lease, and a replica that dies stops renewing, so after ``job_lease_s`` any
other replica takes the entry over with ``XAUTOCLAIM`` and resumes the job from
its kept pages. State changes that must see the job's current status (a page
kept, the end, a cancel) are small Lua scripts, atomic in Redis.

Keys: ``ocr:job:<id>`` (hash: the record), ``…:upload``, ``…:pages`` (hash:
index -> page), ``…:result``; ``ocr:jobs:queue`` (stream), ``ocr:jobs:queued``
(sorted set) and ``ocr:jobs:running`` (set) for the counts /metrics reports.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anyio
import redis.asyncio as redis
from redis.exceptions import ResponseError

from app.errors import Busy
from app.jobs.model import JobError, JobRecord, JobStatus
from app.jobs.redis_outbox import DUE, PENDING, RedisOutbox, event_key

STREAM, GROUP = "ocr:jobs:queue", "runners"
QUEUED, RUNNING = "ocr:jobs:queued", "ocr:jobs:running"

_RENEW = """
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
"""
_SAVE_PAGE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], 'pages_done', redis.call('HLEN', KEYS[2]))
return 1
"""
_FINISH = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'finished_at', ARGV[2], 'error', ARGV[3])
redis.call('DEL', KEYS[2], KEYS[3])
local o = cjson.decode(redis.call('HGET', KEYS[1], 'options'))
o.pdf.password = nil
redis.call('HSET', KEYS[1], 'options', cjson.encode(o))
if ARGV[5] == '1' then redis.call('SET', KEYS[4], ARGV[6], 'PX', ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + math.max(tonumber(ARGV[4]), 3600000))
redis.call('SREM', KEYS[5], ARGV[7])
if ARGV[8] ~= '' then
  redis.call('SET', KEYS[6], ARGV[8], 'PX', ARGV[4])
  redis.call('HSET', KEYS[1], 'webhook', ARGV[9])
  redis.call('ZADD', KEYS[7], ARGV[2], ARGV[7])
end
return 1
"""
_CANCEL = """
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 0 end
if s == 'queued' or s == 'running' then
  redis.call('HSET', KEYS[1], 'status', 'canceled', 'finished_at', ARGV[1], 'options', '{}')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('ZREM', KEYS[5], ARGV[3])
  redis.call('SREM', KEYS[6], ARGV[3])
else
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[7])
  redis.call('ZREM', KEYS[8], ARGV[3])
end
return 1
"""
CANCELED_KEPT_MS = 3_600_000
"""A canceled job's record stays an hour (its status answers 'canceled', then 404)."""


def _keys(job_id: str) -> tuple[str, str, str, str]:
    base = f"ocr:job:{job_id}"
    return base, f"{base}:pages", f"{base}:upload", f"{base}:result"


class RedisJobStore:
    """Jobs shared by every replica that uses the same Redis."""

    mode = "redis"

    def __init__(self, url: str, lease_s: float) -> None:
        # Any: the client's types allow str or bytes; with decode_responses off, bytes.
        self._redis: Any = redis.Redis.from_url(url, decode_responses=False)
        self._lease_ms = int(lease_s * 1000)
        self._entries: dict[str, bytes] = {}  # job id -> our stream entry
        self._renew = self._redis.register_script(_RENEW)
        self._save = self._redis.register_script(_SAVE_PAGE)
        self._finish = self._redis.register_script(_FINISH)
        self._cancel = self._redis.register_script(_CANCEL)
        self._outbox = RedisOutbox(self._redis)

    async def open(self) -> None:
        """Create the stream and its consumer group if they do not exist."""
        try:
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def close(self) -> None:
        """Close the connections."""
        await self._redis.aclose()

    async def submit(self, record: JobRecord, upload: bytes, max_queued: int) -> None:
        """Keep the upload and record, then queue the job."""
        queued = await self._redis.zcard(QUEUED)
        if queued >= max_queued:
            raise Busy(f"{queued} jobs are waiting (the limit is {max_queued}); retry later.",
                       headers={"Retry-After": "30"})
        job, _, upload_key, _ = _keys(record.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(upload_key, upload)
            pipe.hset(job, mapping={
                "owner": record.owner, "format": record.format,
                "options": json.dumps(record.options), "request_id": record.request_id,
                "status": record.status.value, "created_at": repr(record.created_at),
                "pages_done": 0, "page_count": record.page_count,
                "page_numbers": json.dumps(record.page_numbers),
                **({"kind": record.kind} if record.kind else {}),
            })
            pipe.zadd(QUEUED, {record.id: record.created_at})
            pipe.xadd(STREAM, {"id": record.id})
            await pipe.execute()

    async def get(self, job_id: str) -> JobRecord | None:
        """The job's record."""
        fields = await self._redis.hgetall(_keys(job_id)[0])
        return _record(job_id, fields) if fields else None

    async def claim(self, worker: str, wait_s: float) -> JobRecord | None:
        """A job whose replica stopped renewing its lease, else the next queued one."""
        _, taken, _ = await self._redis.xautoclaim(
            STREAM, GROUP, worker, self._lease_ms, "0-0", count=1)
        if not taken:
            answer = await self._redis.xreadgroup(
                GROUP, worker, {STREAM: ">"}, count=1, block=max(1, int(wait_s * 1000)))
            taken = answer[0][1] if answer else []
        if not taken:
            return None
        entry, fields = taken[0]
        job_id = fields[b"id"].decode()
        job = _keys(job_id)[0]
        status = await self._redis.hget(job, "status")
        if status not in (b"queued", b"running"):  # canceled (or gone) before it ran
            await self._drop_entry(entry)
            return None
        self._entries[job_id] = entry
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(job, "status", "running")
            pipe.hsetnx(job, "started_at", repr(time.time()))
            pipe.zrem(QUEUED, job_id)
            pipe.sadd(RUNNING, job_id)
            await pipe.execute()
        return await self.get(job_id)

    async def renew(self, job_id: str, worker: str) -> bool:
        """Reset the idle time of our entry, if it is still ours."""
        entry = self._entries.get(job_id)
        if entry is None:
            return False
        return bool(await self._renew(keys=[STREAM], args=[GROUP, worker, entry]))

    async def upload(self, job_id: str) -> bytes | None:
        """The kept upload."""
        data: bytes | None = await self._redis.get(_keys(job_id)[2])
        return data

    async def upload_file(self, job_id: str) -> Path | None:
        """Uploads live in Redis, not in files."""
        return None

    async def describe(
        self, job_id: str, kind: str, page_count: int, page_numbers: list[int]
    ) -> None:
        """Record the document's kind and pages."""
        await self._redis.hset(_keys(job_id)[0], mapping={
            "kind": kind, "page_count": page_count, "page_numbers": json.dumps(page_numbers)})

    async def save_page(self, job_id: str, index: int, page: bytes) -> bool:
        """Keep a page unless the job was canceled (then let its entry go)."""
        job, pages, _, _ = _keys(job_id)
        if await self._save(keys=[job, pages], args=[index, page]):
            return True
        await self._release(job_id)
        return False

    async def done_pages(self, job_id: str) -> set[int]:
        """Indices of the kept pages."""
        return {int(k) for k in await self._redis.hkeys(_keys(job_id)[1])}

    async def page_data(self, job_id: str) -> list[tuple[int, bytes]]:
        """Every kept page, by index."""
        pages = await self._redis.hgetall(_keys(job_id)[1])
        return sorted((int(k), v) for k, v in pages.items())

    async def finish(
        self, job_id: str, status: JobStatus, result: bytes | Path | None,
        error: JobError | None, ttl_s: float, event: bytes | None = None,
    ) -> bool:
        """End the job and queue its webhook event (atomically, unless canceled
        meanwhile) and let its entry go. Results live in Redis: a file is read in."""
        if isinstance(result, Path):
            result = await anyio.to_thread.run_sync(result.read_bytes)
        error_json = json.dumps(asdict(error)) if error else ""
        done = await self._finish(keys=[*_keys(job_id), RUNNING, event_key(job_id), DUE], args=[
            status.value, repr(time.time()), error_json, int(ttl_s * 1000),
            "1" if result is not None else "0", result or b"", job_id, event or b"", PENDING])
        await self._release(job_id)
        return bool(done)

    async def claim_event(self, hold_s: float) -> tuple[str, bytes, int] | None:
        """The oldest due webhook event, held for ``hold_s`` (one replica takes it)."""
        return await self._outbox.claim(time.time(), hold_s)

    async def event_attempt(self, job_id: str, attempt: dict[str, Any], state: str,
                            due: float | None) -> None:
        """Record a delivery attempt; reschedule or settle the event."""
        await self._outbox.record(job_id, attempt, state, due)

    async def result(self, job_id: str) -> bytes | None:
        """The result, None once it has expired."""
        data: bytes | None = await self._redis.get(_keys(job_id)[3])
        return data

    async def result_file(self, job_id: str) -> Path | None:
        """Results live in Redis, not in files."""
        return None

    async def cancel(self, job_id: str) -> None:
        """Cancel or delete the job and its data (its queue entry is skipped when read)."""
        await self._cancel(keys=[*_keys(job_id), QUEUED, RUNNING, event_key(job_id), DUE],
                           args=[repr(time.time()), CANCELED_KEPT_MS, job_id])

    async def counts(self) -> dict[str, int]:
        """Jobs queued and running across every replica."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zcard(QUEUED)
            pipe.scard(RUNNING)
            queued, running = await pipe.execute()
        return {"queued": int(queued), "running": int(running)}

    async def sweep(self, now: float) -> int:
        """Nothing to do: results and records carry their own Redis expiry."""
        return 0

    async def _release(self, job_id: str) -> None:
        entry = self._entries.pop(job_id, None)
        if entry is not None:
            await self._drop_entry(entry)

    async def _drop_entry(self, entry: bytes) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, entry)
            pipe.xdel(STREAM, entry)
            await pipe.execute()


def _record(job_id: str, raw: dict[bytes, bytes]) -> JobRecord:
    f: dict[str, Any] = {k.decode(): v.decode() for k, v in raw.items()}

    def stamp(name: str) -> float | None:
        return float(f[name]) if f.get(name) else None

    return JobRecord(
        id=job_id, owner=f["owner"], format=f["format"], options=json.loads(f["options"]),
        request_id=f["request_id"], status=JobStatus(f["status"]),
        created_at=float(f["created_at"]), started_at=stamp("started_at"),
        finished_at=stamp("finished_at"), kind=f.get("kind") or None,
        page_count=int(f.get("page_count", 0)), page_numbers=json.loads(f["page_numbers"]),
        pages_done=int(f.get("pages_done", 0)),
        error=JobError(**json.loads(f["error"])) if f.get("error") else None,
        webhook=json.loads(f["webhook"]) if f.get("webhook") else None,
    )
